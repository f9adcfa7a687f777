#!/usr/bin/env bash
# Configures the clang ASan + UBSan + libFuzzer build used by scripts/sanitize.sh and scripts/fuzz.sh.
#   scripts/sanitizers/configure.sh BUILD_DIR
# OpenMP: LibTorch uses GCC's libgomp, so clang is told to emit libgomp calls too (its default is
# LLVM's libomp; two OpenMP runtimes in one process each start their own threads).
set -euo pipefail
export CC=clang CXX=clang++
cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEQT_SANITIZE=address,undefined -DEQT_FUZZ=ON \
      -DEQT_BUILD_PYTHON=OFF -DEQT_BUILD_BENCH=OFF \
      -DOpenMP_CXX_FLAGS=-fopenmp=libgomp -DOpenMP_CXX_LIB_NAMES=gomp \
      -DOpenMP_gomp_LIBRARY="$(gcc -print-file-name=libgomp.so)" >/dev/null
