#!/usr/bin/env bash
# Installs what eqt needs on Debian 12 (bookworm). Safe to run again: it only installs what is missing.
set -euo pipefail

packages=(
  cmake g++ ccache make           # build
  libtorch-dev                    # tensors + autograd (LibTorch 1.13)
  libopenblas0-openmp             # ~6x faster matrix work than the reference BLAS LibTorch links by default
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev zlib1g-dev
  gnuplot-nox                     # `eqt eval` draws its parity plots and learning curves with it (pngcairo)
  libgtest-dev googletest         # tests
  python3 python3-ase python3-numpy  # ASE cross-checks, example data labelled by ASE's EMT potential
  pybind11-dev python3-dev        # the Python module (ASE calculator)
  python3-torch python3-yaml python3-scipy  # checkpoint converter (tools/), official-code peers in bench/
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
