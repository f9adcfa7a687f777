#!/usr/bin/env bash
# Coverage-guided fuzzing of eqt's parsers with libFuzzer (clang, ASan + UBSan; docs/reliability.md).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s each, every fuzz/fuzz_*.cpp
#   EQT_FUZZ_MERGE=1 scripts/fuzz.sh ...   also minimises what was found into fuzz/corpus/<target>/
# Builds build-sanitize/ (shared with scripts/sanitize.sh). Each target starts from the committed
# seeds, fuzz/corpus/<target>/, and from its own growing corpus in
# ${XDG_CACHE_HOME:-~/.cache}/eqt/fuzz/<target>/ (kept between runs, outside the repository).
# A finding (crash, sanitizer report, hang over 10 s, an allocation over 2 GB or an exception other
# than eqt::Error) is written to fuzz-findings/<target>-* and the script exits non-zero; add the
# file to fuzz/regressions/<target>/ once fixed, and the ctest fuzz.replay.<target> keeps it fixed.
# Each target's CPU time and executions are appended to $cache/campaigns.csv (the totals in
# docs/reliability.md are sums over it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=${EQT_SANITIZE_BUILD:-build-sanitize}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi
scripts/sanitizers/configure.sh "$build"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
source scripts/sanitizers/environment.sh
export OMP_NUM_THREADS=1 TMPDIR=${TMPDIR:-/dev/shm}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/eqt/fuzz"
mkdir -p fuzz-findings
status=0
for target in "${targets[@]}"; do
  mkdir -p "$cache/$target"
  echo "== $target: ${seconds} s"
  TIMEFORMAT='%U %S'
  if ! { time "$build/fuzz/$target" "$cache/$target" "fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=4096 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="fuzz-findings/$target-" 2>"fuzz-findings/$target.log"; } 2>"fuzz-findings/$target.time"; then
    echo "   FINDING: see fuzz-findings/$target.log and fuzz-findings/$target-*"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added|cov: " "fuzz-findings/$target.log" | tail -3 | sed 's/^/   /'
  # CPU seconds (user + system) and executions, appended to a log that sums up every campaign.
  cpu=$(awk '{ print $1 + $2 }' "fuzz-findings/$target.time")
  runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "fuzz-findings/$target.log")
  echo "   CPU: ${cpu} s"
  echo "$(date -u +%FT%TZ),$target,$cpu,${runs:-0},$status" >> "$cache/campaigns.csv"
  if [ "${EQT_FUZZ_MERGE:-0}" = 1 ]; then
    mkdir -p "fuzz/corpus/$target.new"
    "$build/fuzz/$target" -merge=1 "fuzz/corpus/$target.new" "fuzz/corpus/$target" "$cache/$target" 2>/dev/null
    rm -rf "fuzz/corpus/$target" && mv "fuzz/corpus/$target.new" "fuzz/corpus/$target"
  fi
done
exit $status
