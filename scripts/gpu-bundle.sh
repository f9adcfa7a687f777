#!/usr/bin/env bash
# Gathers, into .gpu-bundle/ (git-ignored), everything scripts/gpu-check.sh needs on a GPU machine
# that has a PyTorch with CUDA, a compiler and CMake but nothing else of eqt's, and that cannot
# download anything (the project's device machine: its `run` tool copies the checkout and the
# paths named in `carry`, and nothing beside the checkout, such as ../shared):
#
#   debs/      the build dependencies eqt finds with find_package, as Debian 12 packages
#              (headers, CMake configs, libraries; Debian 12's glibc 2.36 is old enough for any
#              current distribution), and ASE 3.24 (Debian 13's python3-ase: numpy 2) for the
#              official PET code's neighbour lists. gpu-check.sh unpacks them with dpkg-deb.
#   shared/    the part of ../shared that gpu-check.sh and the benchmarks read (reference models,
#              three data files, the peer harness shared/peers/ with its shims).
#   peer-src/  the official sources the peer harness imports (e3nn 0.5.1, opt_einsum 3.3.0,
#              opt_einsum_fx 0.1.4, equiformer 64cb786, pet ff66e8f), package folders only, copied
#              from $EQT_PEER_SRC (exported as docs/performance.md says). Never committed.
#
#   scripts/gpu-bundle.sh            # then: run(command="scripts/gpu-check.sh", carry=[".gpu-bundle"])
#
# Needs apt-get (Debian 12 host, network to deb.debian.org). About 25 MB; the device tool carries
# at most 64 MB with the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
bundle=$checkout/.gpu-bundle
shared=${EQT_SHARED_DIR:-$(cd .. && pwd)/shared}
peer_src=${EQT_PEER_SRC:-/work/peer-src}
[[ -d "$shared/reference" ]] || { echo "gpu-bundle: no $shared/reference (set EQT_SHARED_DIR)" >&2; exit 1; }

# Debian 12 packages: what CMakeLists.txt and tests/CMakeLists.txt find_package, beyond LibTorch.
bookworm_packages=(nlohmann-json3-dev libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 libcli11-dev
                   libgtest-dev libgmock-dev zlib1g-dev)
trixie_packages=(python3-ase)

rm -rf "$bundle.partial"
mkdir -p "$bundle.partial/debs"
download() {  # suite keyring packages...: apt-get download with a private package index
  local suite=$1 keyring=$2
  shift 2
  local apt=$bundle.partial/apt-$suite
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main" > "$apt/sources.list"
  local options=(-q -oDir::Etc::SourceList="$apt/sources.list" -oDir::Etc::SourceParts=/dev/null
                 -oDir::State::Lists="$apt/lists" -oDir::Cache="$apt/cache" -oAPT::Architecture=amd64
                 -oAPT::Sandbox::User=root)
  apt-get "${options[@]}" update > "$apt/update.log" 2>&1 || { cat "$apt/update.log"; exit 1; }
  (cd "$bundle.partial/debs" && apt-get "${options[@]}" download "$@" > /dev/null)
  rm -rf "$apt"
}
echo "gpu-bundle: Debian packages"
download bookworm /usr/share/keyrings/debian-archive-bookworm-stable.gpg "${bookworm_packages[@]}"
download trixie /usr/share/keyrings/debian-archive-trixie-stable.gpg "${trixie_packages[@]}"

echo "gpu-bundle: shared data from $shared"
copy_shared() {  # relative paths under shared/
  for path in "$@"; do
    mkdir -p "$bundle.partial/shared/$(dirname "$path")"
    cp -r "$shared/$path" "$bundle.partial/shared/$path"
  done
}
copy_shared reference/e3nn reference/equiformer/README.md reference/equiformer/structures.json \
  reference/equiformer/structures_paper_public.json reference/equiformer/small_gat_nonlinear_exp \
  reference/equiformer/small_dp_exp reference/equiformer/small_gat_linear_gaussian \
  reference/equiformer/paper_public_gat_nonlinear_exp_l2 reference/pet/README.md reference/pet/structures.json \
  reference/pet/pet_small reference/equiformer_oc20 data/README.md data/rmd17/rmd17_ethanol_test.xyz data/rmd17/rmd17_aspirin_test.xyz \
  data/methane/methane_val.xyz data/water/water_rpbe_d3_n2p2.xyz peers/time_official.py peers/README.md peers/shim

echo "gpu-bundle: official sources from $peer_src"
copy_source() {  # tree, folders kept
  local tree=$1
  shift
  [[ -d "$peer_src/$tree" ]] || { echo "gpu-bundle: $peer_src/$tree missing (docs/performance.md: export the official sources, set EQT_PEER_SRC)" >&2; exit 1; }
  for folder in "$@"; do
    mkdir -p "$bundle.partial/peer-src/$tree"
    cp -r "$peer_src/$tree/$folder" "$bundle.partial/peer-src/$tree/$folder"
  done
}
copy_source e3nn e3nn
copy_source opt_einsum opt_einsum
copy_source opt_einsum_fx opt_einsum_fx
copy_source equiformer nets
copy_source pet src default_hypers
find "$bundle.partial" -name __pycache__ -prune -exec rm -rf {} +

rm -rf "$bundle" && mv "$bundle.partial" "$bundle"
echo "gpu-bundle: $(du -sh "$bundle" | cut -f1) in $bundle ($(ls "$bundle/debs" | wc -l) packages)"
