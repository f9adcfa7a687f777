#!/usr/bin/env bash
# Runs scripts/gpu-check.sh on the CPU (EQT_CHECK_DEVICE=cpu) in a machine as bare as the project's
# device machine: Debian 13 (Python 3.13, numpy 2, torch 2.6) without eqt's build dependencies,
# ASE, oneDNN or ../shared, so that everything comes from .gpu-bundle/ (scripts/gpu-bundle.sh).
# What the device machine adds (CUDA, PyTorch 2.11) is not simulated; what this catches is a
# missing dependency, file or path in the bundle or the script, before device time is spent on it.
#
#   sudo scripts/gpu-check-dry-run.sh [gpu-check.sh environment, e.g. EQT_SKIP_TESTS=1]
#
# Needs root and the Debian 13 root of scripts/check-debian13.sh (run that once first). The root
# itself is not changed: an overlay on it (upper layer in $EQT_DRY_RUN_DIR, default
# ~/.cache/eqt/gpu-dry-run) has the packages removed and holds a copy of this checkout (tracked and
# untracked files, not ignored ones, plus .gpu-bundle) at /work/gpu-eqt; its build directory
# build-gpu persists there between runs.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/eqt
lower=${EQT_DEBIAN13_ROOT:-$cache/debian13-root}
dir=${EQT_DRY_RUN_DIR:-$cache/gpu-dry-run}
[[ $(id -u) -eq 0 ]] || { echo "gpu-check-dry-run: needs root (overlay mount, chroot)" >&2; exit 1; }
[[ -e "$lower/.eqt-debootstrap-done" ]] || { echo "gpu-check-dry-run: no Debian 13 root at $lower (run scripts/check-debian13.sh first)" >&2; exit 1; }
[[ -d "$checkout/.gpu-bundle" ]] || { echo "gpu-check-dry-run: no .gpu-bundle (run scripts/gpu-bundle.sh first)" >&2; exit 1; }

merged=$dir/merged
mkdir -p "$dir/upper" "$dir/work" "$merged"
cleanup() {
  for mount in sys dev proc; do umount -R "$merged/$mount" 2> /dev/null || true; done
  umount "$merged" 2> /dev/null || true
}
trap cleanup EXIT
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$merged"
mount -t proc proc "$merged/proc"
mount --rbind /dev "$merged/dev"
mount --rbind /sys "$merged/sys"

# What a PyTorch + CUDA image lacks of eqt's dependencies (dpkg --force-depends keeps the rest).
chroot "$merged" dpkg --purge --force-depends nlohmann-json3-dev libyaml-cpp-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev googletest zlib1g-dev python3-ase libdnnl-dev > /dev/null 2>&1 || true
# ../shared must not be found next to the copy: the bundle's shared/ has to do.
[[ ! -d "$merged/work/shared/reference" ]] || { echo "gpu-check-dry-run: $merged/work/shared is populated" >&2; exit 1; }

copy=$merged/work/gpu-eqt
mkdir -p "$copy"
find "$copy" -mindepth 1 -maxdepth 1 ! -name build-gpu -exec rm -rf {} +
(cd "$checkout" && git ls-files -co --exclude-standard | tar -cf - -T - && tar -cf - .gpu-bundle) |
  tar -xif - -C "$copy"
chroot "$merged" env HOME=/root EQT_CHECK_DEVICE=cpu "$@" bash -c 'cd /work/gpu-eqt && scripts/gpu-check.sh build-gpu'
