#!/usr/bin/env bash
# eqt's main job on data the project makes itself: generate distorted Cu-Al cells labelled by
# ASE's EMT potential, summarise them, train a small Equiformer on them (a few minutes on 2 cores)
# evaluate it on held-out cells (metrics, parity plots, learning curves), check it (cutoff
# smoothness, forces, symmetries, NVE convergence) and run a short NVE MD with it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/demo}
threads=${EQT_THREADS:-2}
mkdir -p "$out"
/usr/bin/python3 tools/make_emt_dataset.py --output "$out/emt_train.xyz" --frames 200 --seed 0
/usr/bin/python3 tools/make_emt_dataset.py --output "$out/emt_test.xyz" --frames 50 --seed 1
build/eqt inspect "$out/emt_train.xyz" "$out/emt_test.xyz" --cutoff 5.0 --json "$out/summary.json"
# Train: examples/train/emt_cual_equiformer.yaml reads emt_train.xyz next to the run (--set data.*).
rm -rf "$out/run"
build/eqt train examples/train/emt_cual_equiformer.yaml --threads "$threads" --run-dir "$out/run" \
  --set data.train="$(realpath "$out")/emt_train.xyz" --set data.test="$(realpath "$out")/emt_test.xyz"
build/eqt eval --model "$out/run" --input "$out/emt_test.xyz" --output-dir "$out/eval" --threads "$threads"
build/eqt check --model "$out/run" --input "$out/emt_test.xyz" --frame 0 --json "$out/check.json" \
  --threads "$threads"
build/eqt md --model "$out/run/model" --input "$out/emt_test.xyz" --frame 0 --steps 200 --dt 2.0 \
  --init-temperature 300 --seed 1 --traj "$out/md_traj.xyz" --traj-every 10 --log "$out/md_thermo.csv" \
  --threads "$threads"
cat <<EOF

main job done:
  dataset summary   $out/summary.json
  trained model     $out/run/model        (checkpoints, metrics.csv, train.log in $out/run)
  test metrics      $out/eval/metrics.json  $out/eval/metrics.csv
  model check       $out/check.json
  plots             $(ls "$out"/eval/*.png | tr '\n' ' ')
  MD                $out/md_traj.xyz  $out/md_thermo.csv
EOF
