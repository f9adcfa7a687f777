#!/usr/bin/env bash
# Builds and tests eqt on Debian 13 (trixie, LibTorch 2.6) inside a debootstrap root, from this
# checkout as it is (tracked and untracked, not ignored, files). Needs root (debootstrap, chroot,
# mounts) and network access to the Debian archive.
#
#   scripts/check-debian13.sh          # CPU: install-deps, configure, build, whole test suite (CI=true)
#   scripts/check-debian13.sh --cuda   # then also libtorch-cuda-dev: configure + build only (no GPU)
#   scripts/check-debian13.sh --cuda-only   # the CUDA build only (the CPU root must exist)
#   --keep-going                       # builds with make -k (every compile error in one run)
#
# The root is cached outside the repository and reused:
#   ${EQT_DEBIAN13_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/eqt/debian13-root}
# With --cuda, a copy of it, <root>-cuda, holds libtorch-cuda-dev (which conflicts with libtorch-dev).
# Inside it the checkout is copied to /work/eqt and ../shared (the test data beside the checkout)
# is bind-mounted read-only at /work/shared; build directories are /work/build (CPU) and
# /work/build-cuda, outside the copy, so a second run rebuilds only what changed (ccache too).
set -euo pipefail

cuda=0
cpu=1
keep_going=""
for arg in "$@"; do
  case "$arg" in
    --cuda) cuda=1 ;;
    --cuda-only) cuda=1 cpu=0 ;;
    --keep-going) keep_going="-- -k" ;;  # make -k: report every compile error at once
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "check-debian13: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [[ $(id -u) -ne 0 ]]; then
  echo "check-debian13: needs root (debootstrap, chroot, bind mounts); run it with sudo" >&2
  exit 1
fi

checkout=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$checkout/.." && pwd)/shared
root="${EQT_DEBIAN13_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/eqt/debian13-root}"
mirror="${EQT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
case "$root" in "$checkout"/*) echo "check-debian13: the root must lie outside the checkout" >&2; exit 1 ;; esac

# One run per root at a time (a second would unmount the first one's /proc, /dev, ...).
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
if ! flock -n 9; then
  echo "check-debian13: another run holds $root.lock; wait for it to finish" >&2
  exit 1
fi

declare -a timings=()
phase_start=0
phase() { phase_name="$1"; phase_start=$(date +%s); echo; echo "=== check-debian13: $1"; }
phase_end() {
  local s=$(( $(date +%s) - phase_start ))
  timings+=("$(printf '%-34s %4d min %02d s' "$phase_name" $((s / 60)) $((s % 60)))")
  echo "=== check-debian13: $phase_name: $((s / 60)) min $((s % 60)) s"
}
report() {
  local rc=$?
  echo
  echo "=== check-debian13: wall times"
  for t in "${timings[@]}"; do echo "  $t"; done
  if ((rc != 0)); then
    echo "=== check-debian13: FAILED (exit $rc) during: ${phase_name:-start}, after $(( $(date +%s) - phase_start )) s"
  fi
}

# --- the root ------------------------------------------------------------------------------------
if [[ ! -e "$root/.eqt-debootstrap-done" ]]; then
  phase "debootstrap trixie"
  if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  fi
  rm -rf "$root.partial"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase trixie "$root.partial" "$mirror"
  rm -rf "$root" && mv "$root.partial" "$root"
  touch "$root/.eqt-debootstrap-done"
  phase_end
else
  echo "check-debian13: reusing the Debian 13 root $root"
fi

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  mounted=()
}
cleanup() {
  report
  unmount_all
}
trap cleanup EXIT
mount_bind() {  # source target [ro]
  mkdir -p "$2"
  if mountpoint -q "$2"; then umount "$2"; fi  # a left-over from an interrupted run
  mount --bind "$1" "$2"
  mounted+=("$2")
  if [[ "${3:-}" == ro ]]; then mount -o remount,bind,ro "$2"; fi
}
# /proc, /sys, /dev (+ pts, shm: MPI's shared-memory transport), ../shared read-only, DNS.
mount_root() {
  local r="$1"
  mkdir -p "$r/proc"
  if mountpoint -q "$r/proc"; then umount "$r/proc"; fi
  mount -t proc proc "$r/proc" && mounted+=("$r/proc")
  mount_bind /sys "$r/sys"
  mount_bind /dev "$r/dev"
  mount_bind /dev/pts "$r/dev/pts"
  mount_bind /dev/shm "$r/dev/shm"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  mkdir -p "$r/work"
  if [[ -d "$shared" ]]; then
    mount_bind "$shared" "$r/work/shared" ro
  else
    echo "check-debian13: warning: $shared not found; tests that read it fail under CI=true" >&2
  fi
  # The checkout: tracked and untracked (not ignored) files, with their modification times.
  rm -rf "$r/work/eqt" && mkdir -p "$r/work/eqt"
  (cd "$checkout" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$r/work/eqt"
  current_root="$r"
}

in_root() {
  env -i HOME=/root USER=root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI=true \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    chroot "$current_root" /bin/bash -euo pipefail -c "$1"
}

# --- CPU: the project's own set-up, build and tests ----------------------------------------------
if ((cpu)); then
mount_root "$root"
phase "install-deps (trixie)"
in_root 'cd /work/eqt && scripts/install-deps.sh'
phase_end

phase "configure (LibTorch $(in_root "dpkg-query -W -f='\${Version}' libtorch-dev"))"
in_root 'cmake -S /work/eqt -B /work/build -DCMAKE_BUILD_TYPE=Release'
phase_end

phase "build (cmake --build -j2)"
in_root "nice -n 19 cmake --build /work/build -j2 $keep_going"
phase_end

phase "tests (CI=true ctest -j2)"
in_root 'CI=true ctest --test-dir /work/build -j2 --output-on-failure'
phase_end
fi

# --- CUDA: compile and link only ------------------------------------------------------------------
# libtorch-cuda-dev conflicts with libtorch-dev (same files), so the CUDA build gets its own root:
# a copy of the CPU one (made once, reused), ${root}-cuda, with contrib and non-free enabled.
if ((cuda)); then
  unmount_all
  cuda_root="$root-cuda"
  if [[ ! -e "$cuda_root/.eqt-cuda-root-done" ]]; then
    phase "copy the root for CUDA"
    rm -rf "$cuda_root.partial" && mkdir -p "$cuda_root.partial"
    # (not /work: its build directory and checkout copy are the CPU run's)
    tar -C "$root" --exclude=./dev --exclude=./proc --exclude=./sys --exclude=./work -cf - . |
      tar -C "$cuda_root.partial" -xf -
    mkdir -p "$cuda_root.partial"/{dev,proc,sys,work}
    rm -rf "$cuda_root" && mv "$cuda_root.partial" "$cuda_root"
    touch "$cuda_root/.eqt-cuda-root-done"
    phase_end
  fi
  mount_root "$cuda_root"

  phase "install libtorch-cuda-dev + nvidia-cuda-toolkit"
  # libtorch-cuda-2.6 depends on nvidia-cudnn (contrib), an installer whose postinst downloads cuDNN
  # from developer.download.nvidia.com. Where that host is unreachable the postinst fails and
  # dpkg leaves libtorch-cuda-2.6/-dev unpacked but unconfigured: headers, libtorch_cuda.so and the
  # CMake files are all there, only libcudnn.so.9 is missing. That is enough to compile; linking
  # then needs --allow-shlib-undefined (below), so it checks eqt's own references only.
  in_root '
    if [[ -e /etc/apt/sources.list.d/debian.sources ]]; then
      sed -i -E "s/^Components: main$/Components: main contrib non-free non-free-firmware/" /etc/apt/sources.list.d/debian.sources
    fi
    if [[ -e /etc/apt/sources.list ]]; then
      sed -i -E "s/^(deb .* trixie) main$/\1 main contrib non-free non-free-firmware/" /etc/apt/sources.list
    fi
    unpacked() { dpkg-query -W -f="\${Status}" "$1" 2>/dev/null | grep -Eq "^install ok (installed|unpacked|half-configured)$"; }
    missing=()
    for p in libtorch-cuda-dev nvidia-cuda-toolkit; do unpacked "$p" || missing+=("$p"); done
    if ((${#missing[@]})); then
      apt-get update -q
      if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        unpacked libtorch-cuda-dev && unpacked nvidia-cuda-toolkit || exit 1
        echo "check-debian13: apt-get failed (nvidia-cudnn cannot download cuDNN?); libtorch-cuda-dev is unpacked, going on"
      fi
    fi
    # Installing libtorch-cuda-dev removes libgloo-dev (it conflicts with the CUDA build of Gloo,
    # libgloo-cuda-0, and trixie has no libgloo-cuda-dev), but c10d'"'"'s ProcessGroupGloo.hpp includes
    # Gloo'"'"'s headers: unpack libgloo-dev'"'"'s headers (the same Gloo version and API) without
    # installing the package.
    if [[ ! -e /usr/include/gloo/algorithm.h ]]; then
      (cd /tmp && apt-get download -q libgloo-dev && dpkg -x libgloo-dev_*.deb /tmp/gloo-dev &&
       cp -r /tmp/gloo-dev/usr/include/gloo /usr/include/ && rm -rf /tmp/gloo-dev libgloo-dev_*.deb)
    fi
    dpkg-query -W -f="\${Package} \${Version} \${Status}\n" libtorch-cuda-dev nvidia-cuda-toolkit nvidia-cudnn libgloo-cuda-0'
  phase_end

  phase "configure CUDA (libtorch-cuda-dev)"
  link_flags=""
  if [[ ! -e "$current_root/usr/lib/x86_64-linux-gnu/libcudnn.so.9" ]]; then
    echo "check-debian13: no libcudnn.so.9 (nvidia-cudnn not configured): linking with --allow-shlib-undefined"
    link_flags="-Wl,--allow-shlib-undefined"
  fi
  # Test executables are listed when ctest runs (PRE_TEST), not right after linking: without
  # libcudnn.so.9 they link but cannot start, and this phase compiles and links only.
  in_root "cmake -S /work/eqt -B /work/build-cuda -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
    -DCMAKE_EXE_LINKER_FLAGS='$link_flags' -DCMAKE_SHARED_LINKER_FLAGS='$link_flags'"
  phase_end

  phase "build CUDA (cmake --build -j2)"
  in_root "nice -n 19 cmake --build /work/build-cuda -j2 $keep_going"
  phase_end
fi
