#!/usr/bin/env bash
# Data-parallel training speed on one machine: R ranks x 1 thread (mpirun, c10d / Gloo over
# loopback) against 1 rank x R threads, on the same global batch (the preset's data.batch_size),
# for the EMT Cu-Al preset (main job) and the rMD17 ethanol fast Equiformer preset.
#
#   bench/bench_distributed.sh [BUILD_DIR (build)] [RANKS (2)]
#
# The time of a step is taken from two runs of S1 and S2 steps each, (T(S2) - T(S1)) / (S2 - S1):
# start-up (data, neighbour lists, rendezvous) and the final validation cancel out. Prints steps per
# second of each way and the scaling efficiency, (steps/s of R ranks) / (steps/s of 1 rank x R
# threads). Needs mpirun (openmpi-bin) and ../shared/data (rMD17).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ranks=${2:-2}
eqt="$(realpath "$build/eqt")"
shared="$(realpath ../shared)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export MASTER_PORT=$((20000 + RANDOM % 20000))

/usr/bin/python3 tools/make_emt_dataset.py --output "$work/emt_train.xyz" --frames 200 --seed 0 > /dev/null
/usr/bin/python3 tools/make_emt_dataset.py --output "$work/emt_test.xyz" --frames 10 --seed 1 > /dev/null

seconds_of() {  # command... -> wall seconds
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

# preset, global batch, overrides -> "steps_per_second_single steps_per_second_ranks"
measure() {
  local preset=$1 batch=$2 overrides=$3 s1=$4 s2=$5
  local per_rank=$((batch / ranks)) t
  declare -A time
  for steps in "$s1" "$s2"; do
    rm -rf "$work/one" "$work/many"
    # shellcheck disable=SC2086
    time[one_$steps]=$(seconds_of "$eqt" --threads "$ranks" train "$preset" --run-dir "$work/one" --quiet \
      --set training.max_steps="$steps" --set training.max_minutes=0 --set data.batch_size="$batch" $overrides)
    # shellcheck disable=SC2086
    time[many_$steps]=$(seconds_of mpirun -np "$ranks" --allow-run-as-root --oversubscribe --bind-to none -x MASTER_PORT \
      "$eqt" --threads 1 train "$preset" --run-dir "$work/many" --quiet \
      --set training.max_steps="$steps" --set training.max_minutes=0 --set data.batch_size="$per_rank" $overrides)
  done
  local one many
  one=$(echo "($s2 - $s1) / (${time[one_$s2]} - ${time[one_$s1]})" | bc -l)
  many=$(echo "($s2 - $s1) / (${time[many_$s2]} - ${time[many_$s1]})" | bc -l)
  printf '%-28s global batch %3d   1 rank x %d threads: %7.2f steps/s   %d ranks x 1 thread: %7.2f steps/s   efficiency %.2f\n' \
    "$(basename "$preset" .yaml)" "$batch" "$ranks" "$one" "$ranks" "$many" "$(echo "$many / $one" | bc -l)"
}

echo "bench_distributed: $(nproc) cores, $ranks ranks, $(date -u +%Y-%m-%dT%H:%MZ)"
measure examples/train/emt_cual_equiformer.yaml 4 "--set data.train=$work/emt_train.xyz --set data.test=$work/emt_test.xyz" 10 40
measure examples/train/rmd17_ethanol_equiformer_fast.yaml 8 \
  "--set data.train=$shared/data/rmd17/rmd17_ethanol_train.xyz --set data.test=$shared/data/rmd17/rmd17_ethanol_test.xyz" 5 25
