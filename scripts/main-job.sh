#!/usr/bin/env bash
# eqt's main job on data the project makes itself. Today: generate distorted Cu-Al cells labelled by
# ASE's EMT potential, then let eqt read, check and summarise them (species, labels, neighbour
# statistics at the model cutoff, per-species reference energies) and write the summary as JSON.
# Training, evaluation and MD join this script as they land (see README "Status").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/demo}
mkdir -p "$out"
/usr/bin/python3 tools/make_emt_dataset.py --output "$out/emt_train.xyz" --frames 200 --seed 0
/usr/bin/python3 tools/make_emt_dataset.py --output "$out/emt_test.xyz" --frames 50 --seed 1
build/eqt inspect "$out/emt_train.xyz" "$out/emt_test.xyz" --cutoff 5.0 --json "$out/summary.json"
echo "main job done: dataset summary in $out/summary.json"
