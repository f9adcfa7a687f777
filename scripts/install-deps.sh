#!/usr/bin/env bash
# Installs what eqt needs on Debian 12 (bookworm) and Debian 13 (trixie: scripts/check-debian13.sh).
# Safe to run again: it only installs what is missing.
set -euo pipefail

packages=(
  cmake g++ ccache make           # build
  libtorch-dev                    # tensors + autograd (LibTorch 1.13)
  libgloo-dev                     # Gloo headers for LibTorch's c10d (data-parallel training, docs/distributed.md)
  libopenblas0-openmp             # ~6x faster matrix work than the reference BLAS LibTorch links by default
  libdnnl-dev                     # oneDNN sgemm for float32 linears (AVX-512 where OpenBLAS 0.3.21 runs AVX2)
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev zlib1g-dev
  gnuplot-nox                     # `eqt eval` draws its parity plots and learning curves with it (pngcairo)
  libgtest-dev googletest         # tests
  python3 python3-ase python3-numpy  # ASE cross-checks, example data labelled by ASE's EMT potential
  pybind11-dev python3-dev        # the Python module (ASE calculator)
  python3-torch python3-yaml python3-scipy  # checkpoint converter (tools/), official-code peers in bench/
  lammps liblammps-dev libopenmpi-dev openmpi-bin  # LAMMPS pair style eqt (eqt-lammps)
  dpkg-dev xz-utils               # apt-get source: LAMMPS headers liblammps-dev lacks
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# LAMMPS headers. liblammps-dev ships only the library-interface headers; a pair style needs
# pair.h and everything it includes (fmt among them), at exactly the version of liblammps. They
# come from Debian's own `lammps` source package, of which only src/*.h and src/fmt/ are kept, in
# a cache outside the git tree: ${XDG_CACHE_HOME:-$HOME/.cache}/eqt/lammps-src/<version>/src.
# CMake (EQT_BUILD_LAMMPS) looks there.
lammps_version=$(dpkg-query -W -f='${source:Version}' liblammps-dev)
lammps_cache="${XDG_CACHE_HOME:-$HOME/.cache}/eqt/lammps-src"
lammps_headers="$lammps_cache/$lammps_version/src"
if [[ -e "$lammps_headers/pair.h" && -e "$lammps_headers/fmt/format.h" ]]; then
  echo "install-deps: LAMMPS headers present in $lammps_headers"
else
  if ! apt-get source --print-uris lammps="$lammps_version" >/dev/null 2>&1; then
    # No deb-src entry yet: add one for the suite the binary packages come from.
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    echo "install-deps: adding a deb-src entry for Debian $suite (for the lammps source package)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$suite" | $sudo tee /etc/apt/sources.list.d/eqt-deb-src.sources >/dev/null
    $sudo apt-get update -q
  fi
  download="$lammps_cache/download"
  mkdir -p "$download"
  echo "install-deps: fetching the lammps $lammps_version source package into $download"
  if ! (cd "$download" && apt-get source --download-only -q lammps="$lammps_version"); then
    # Only the upstream tarball is needed (apt checks it against the Sources index's hashes); some
    # mirrors answer 404 for the .dsc alone (seen for trixie's lammps), so go on if it arrived.
    if compgen -G "$download/lammps_*.orig.tar.xz" >/dev/null; then
      echo "install-deps: apt-get source reported errors, but the lammps upstream tarball arrived; using it"
    else
      echo "install-deps: could not download the lammps $lammps_version source package" >&2
      exit 1
    fi
  fi
  staging="$lammps_cache/$lammps_version.partial"
  rm -rf "$staging" && mkdir -p "$staging"
  # Top-level src/*.h and the bundled fmt only (the whole tree is ~0.5 GB).
  tar -xJf "$download"/lammps_*.orig.tar.xz -C "$staging" --strip-components=1 \
    --wildcards --no-wildcards-match-slash '*/src/*.h' '*/src/fmt/*'
  rm -rf "${lammps_cache:?}/$lammps_version" && mv "$staging" "$lammps_cache/$lammps_version"
  rm -rf "$download"
  echo "install-deps: LAMMPS headers in $lammps_headers"
fi
