#!/usr/bin/env bash
# Builds eqt and its test suite with clang's AddressSanitizer + UndefinedBehaviorSanitizer (with
# LeakSanitizer, part of ASan on Linux) in build-sanitize/, and runs the whole suite there. Any
# report stops the process that made it, so it fails its test. Suppressions, each justified, are in
# scripts/sanitizers/.
#   scripts/sanitize.sh [CTEST_ARGS...]     e.g. scripts/sanitize.sh -R '^data\.'
# The same build holds the libFuzzer targets (scripts/fuzz.sh). The Python module is not built
# here: an ASan library cannot be loaded into Debian's uninstrumented python3.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${EQT_SANITIZE_BUILD:-build-sanitize}
scripts/sanitizers/configure.sh "$build"
cmake --build "$build" -j"$(nproc)"
# Shared objects stay mapped until exit, so that leak reports name their library (keep_modules.c).
cc -shared -fPIC -O2 -o "$build/libkeep_modules.so" scripts/sanitizers/keep_modules.c
source scripts/sanitizers/environment.sh
export LD_PRELOAD="$PWD/$build/libkeep_modules.so${LD_PRELOAD:+:$LD_PRELOAD}"
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure -E '^python\.' "$@"
