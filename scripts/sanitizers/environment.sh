# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: how the sanitizers report.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# halt_on_error: a report ends the process (a failed test), it is not only printed.
# detect_odr_violation=0: LibTorch and eqt both link the same header-only libraries (fmt, json) in
# different shared objects; ASan's ODR check reports those duplicated globals, which are not bugs in eqt.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_odr_violation=0:strict_string_checks=1:check_initialization_order=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
