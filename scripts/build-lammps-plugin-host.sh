#!/usr/bin/env bash
# Builds a LAMMPS that can `plugin load` build/eqt_lammps_plugin.so: the same LAMMPS version as
# Debian's liblammps (whose headers the plugin is compiled against), from Debian's own source
# package, with the PLUGIN package that Debian's lmp lacks. Everything else that decides the
# plugin's ABI is Debian's: a shared liblammps.so.0 (so the plugin's own dependency on
# liblammps.so.0 resolves to the one this lmp already loaded), LAMMPS_SMALLBIG, Open MPI, OpenMP,
# no LAMMPS_EXCEPTIONS. Only the lmp executable and liblammps are built, with few packages.
#
#   scripts/build-lammps-plugin-host.sh      # prints the lmp path when done (reused when built)
#   PATH=$(dirname "$(scripts/build-lammps-plugin-host.sh | tail -n1)"):$PATH lmp -h
#
# Cache (outside the repository): ${XDG_CACHE_HOME:-$HOME/.cache}/eqt/lammps-plugin-host/<version>
# holding src/ (cmake/ and src/ of the tarball), build/ and bin/lmp. The upstream tarball comes
# from ${XDG_CACHE_HOME:-$HOME/.cache}/eqt/lammps-src/download when scripts/install-deps.sh left it
# there, else from the Debian archive (apt-get source, as install-deps.sh does).
# JOBS (default 2) sets the build's parallelism; it runs under `nice -n 10`.
set -euo pipefail

jobs="${JOBS:-2}"
# The source package's version (without a binNMU's +bN): the same as scripts/install-deps.sh's.
version=$(dpkg-query -W -f='${source:Version}' liblammps-dev 2>/dev/null) || {
  echo "build-lammps-plugin-host: liblammps-dev is not installed (scripts/install-deps.sh)" >&2
  exit 1
}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/eqt"
host="$cache/lammps-plugin-host/$version"
lmp="$host/bin/lmp"

# (The help text is read whole: grep -q would close the pipe early, and pipefail would call that a failure.)
has_plugin() { [[ "$("$1" -h 2>/dev/null)" == *PLUGIN* ]]; }

# The two compile-time choices in LAMMPS's headers that change what a pair style sees: the integer
# sizes (LAMMPS_SMALLBIG / BIGBIG / SMALLSMALL) and LAMMPS_EXCEPTIONS (Error's layout and whether
# error->all() throws). They must be the system lmp's, whose headers the plugin was compiled with.
abi_flags() { "$1" -h 2>/dev/null | grep -Eo -- '-DLAMMPS_(SMALLBIG|BIGBIG|SMALLSMALL|EXCEPTIONS)' | sort | tr '\n' ' '; }
check_abi() {
  local system=/usr/bin/lmp  # Debian's (lammps package)
  [[ -x "$system" ]] || return 0
  if [[ "$(abi_flags "$system")" != "$(abi_flags "$1")" ]]; then
    echo "build-lammps-plugin-host: $1 has compile flags '$(abi_flags "$1")', $system '$(abi_flags "$system")'" >&2
    exit 1
  fi
}

if [[ -x "$lmp" ]] && has_plugin "$lmp"; then
  check_abi "$lmp"
  echo "build-lammps-plugin-host: reusing $lmp"
  echo "$lmp"
  exit 0
fi

# The upstream tarball of exactly Debian's version.
upstream="${version%-*}"  # 20220106.git7586adbb6a+ds1-2 -> 20220106.git7586adbb6a+ds1
tarball="$cache/lammps-src/download/lammps_${upstream}.orig.tar.xz"
if [[ ! -e "$tarball" ]]; then
  tarball="$host/download/lammps_${upstream}.orig.tar.xz"
fi
if [[ ! -e "$tarball" ]]; then
  mkdir -p "$host/download"
  echo "build-lammps-plugin-host: fetching the lammps $version source package into $host/download"
  # apt-get source needs a deb-src entry: scripts/install-deps.sh adds one. Only the tarball matters
  # (apt checks it against the Sources index), so go on when it arrived despite other errors.
  (cd "$host/download" && apt-get source --download-only -q lammps="$version") || true
  if [[ ! -e "$tarball" ]]; then
    echo "build-lammps-plugin-host: could not download $tarball (is there a deb-src entry? run scripts/install-deps.sh)" >&2
    exit 1
  fi
fi

if [[ ! -e "$host/src/cmake/CMakeLists.txt" ]]; then
  echo "build-lammps-plugin-host: extracting cmake/ and src/ of $tarball"
  rm -rf "$host/src.partial" && mkdir -p "$host/src.partial"
  tar -xJf "$tarball" -C "$host/src.partial" --strip-components=1 --wildcards '*/cmake/*' '*/src/*'
  rm -rf "$host/src" && mv "$host/src.partial" "$host/src"
fi

# Debian's debian/rules: -DBUILD_SHARED_LIBS=ON and many packages, none of which changes the
# classes a pair style sees (the LAMMPS_SIZES default, smallbig, is Debian's too: `lmp -h`).
launcher=()
if command -v ccache >/dev/null; then launcher=(-D CMAKE_CXX_COMPILER_LAUNCHER=ccache -D CMAKE_C_COMPILER_LAUNCHER=ccache); fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$host/src/cmake" -B "$host/build" "${generator[@]}" "${launcher[@]}" \
  -D CMAKE_BUILD_TYPE=Release \
  -D BUILD_SHARED_LIBS=on -D BUILD_MPI=on -D BUILD_OMP=on -D LAMMPS_SIZES=smallbig \
  -D LAMMPS_EXCEPTIONS=off -D PKG_PLUGIN=on \
  -D WITH_JPEG=off -D WITH_PNG=off -D WITH_FFMPEG=off -D WITH_GZIP=on \
  -D BUILD_TOOLS=off -D BUILD_DOC=off -D ENABLE_TESTING=off
start=$(date +%s)
nice -n 10 cmake --build "$host/build" -j "$jobs" --target lmp
echo "build-lammps-plugin-host: built in $(($(date +%s) - start)) s"

# bin/lmp is a link to the build tree's lmp, whose RUNPATH finds the build tree's liblammps.so.0
# (not Debian's /usr/lib one, which has no PLUGIN package).
mkdir -p "$host/bin"
ln -sfn "$host/build/lmp" "$lmp"
if ! has_plugin "$lmp"; then
  echo "build-lammps-plugin-host: $lmp does not list the PLUGIN package" >&2
  exit 1
fi
check_abi "$lmp"
echo "$lmp"
