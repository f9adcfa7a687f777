#!/usr/bin/env bash
# eqt training on 2 threads alone and while another process keeps one core busy: with libgomp's
# default (threads spin at barriers), with OMP_WAIT_POLICY=PASSIVE, and with eqt's default, which
# picks one of the two from how busy the cores are at start (core/omp_wait_policy.h);
# docs/reliability.md, "Shared machines". All four runs in one go, so the ratios come from one
# machine state.
#   bench/bench_contention.sh [EPOCHS]      (needs runs/demo from scripts/main-job.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-1}
data=$(realpath runs/demo)
[ -f "$data/emt_train.xyz" ] || { echo "run scripts/main-job.sh first (needs runs/demo/emt_train.xyz)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"; [ -n "${busy:-}" ] && kill "$busy" 2>/dev/null || true' EXIT

train() {  # train POLICY_ENV...: prints wall seconds of one training run of $epochs epochs
  local start end
  start=$(date +%s.%N)
  env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$@" build/eqt train examples/train/emt_cual_equiformer.yaml \
    --threads 2 --run-dir "$out/run" --set training.epochs="$epochs" --set data.train="$data/emt_train.xyz" \
    --set data.test="$data/emt_test.xyz" >/dev/null 2>&1
  end=$(date +%s.%N)
  rm -rf "$out/run"
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

choice() {  # choice POLICY_ENV...: what eqt's --version says the threads will do
  env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$@" build/eqt --version | sed -n 's/^OpenMP threads wait: \([A-Za-z]*\).*/\1/p'
}

echo "eqt train, emt_cual_equiformer.yaml, $epochs epoch(s), 2 threads, $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-24s %23s %15s\n' "wait policy" "alone (s)" "1 core busy (s)"
policies=("spin (libgomp default):EQT_OMP_WAIT=spin" "PASSIVE:EQT_OMP_WAIT=passive" "eqt default (auto):EQT_OMP_WAIT=auto")
# More settings to compare, e.g. EXTRA="GOMP_SPINCOUNT=10000 OMP_WAIT_POLICY=PASSIVE"
for setting in ${EXTRA:-}; do policies+=("$setting:$setting"); done
for policy in "${policies[@]}"; do
  name=${policy%%:*}; setting=${policy#*:}
  alone_choice=$(choice "$setting"); alone=$(train "$setting")
  ( while :; do :; done ) & busy=$!
  sleep 2
  busy_choice=$(choice "$setting"); contended=$(train "$setting")
  kill "$busy"; busy=
  printf '%-24s %10.1f %-12s %15.1f %s\n' "$name" "$alone" "($alone_choice)" "$contended" "($busy_choice)"
done
