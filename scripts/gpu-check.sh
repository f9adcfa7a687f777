#!/usr/bin/env bash
# GPU verification (issue #14), for a machine with an NVIDIA GPU and a PyTorch 2.x with CUDA:
#   1. builds eqt against PyTorch's LibTorch (torch.utils.cmake_prefix_path) in BUILD_DIR, with the
#      other build dependencies from .gpu-bundle/ when the machine has none (below);
#   2. runs the model, training and MD test directories of the suite with that build (CPU paths of
#      the CUDA build);
#   3. float64 parity on the GPU, through the command line: `eqt predict --device cuda` against
#      --device cpu for the official Equiformer (small and paper-size) and PET exports and for ECSE
#      (eqt eval of the CPU model against the GPU predictions as labels: max |difference|),
#      `eqt train --device cuda` against --device cpu (final weights), and `eqt md --device cuda`
#      against --device cpu (the thermo log's energies over 50 steps);
#   4. times `eqt predict` on the GPU against the CPU on the paper-size Equiformer;
#   5. bench_equiformer / bench_pet on the GPU against the official code on the same GPU.
# Prints PASS / FAIL per check and exits 1 when one fails. Meant to finish in under 10 minutes on
# the project's device machine (16 cores).
#
#   scripts/gpu-check.sh [BUILD_DIR (build-gpu)]      # ../shared, ./shared or $EQT_SHARED_DIR
#
# A machine with a PyTorch but none of eqt's other dependencies and no network (the project's
# device machine) gets them from .gpu-bundle/, which scripts/gpu-bundle.sh fills here:
#   scripts/gpu-bundle.sh   then   run(command="scripts/gpu-check.sh", carry=[".gpu-bundle"])
# Its Debian packages are unpacked into BUILD_DIR/bundle-deps; its shared/ and peer-src/ stand in
# for ../shared and $EQT_PEER_SRC (the official sources the benchmarks' peer side imports).
#
# EQT_CHECK_DEVICE=cpu scripts/gpu-check.sh  runs the same steps on the CPU (a dry run of this
# script on a machine without a GPU); EQT_SKIP_BUILD=1 reuses BUILD_DIR as it is, EQT_SKIP_TESTS=1
# leaves out step 2 and EQT_SKIP_BENCH=1 step 5.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-gpu}
python=${PYTHON:-python3}
jobs=$(nproc)
bundle=${EQT_GPU_BUNDLE:-.gpu-bundle}
shared=${EQT_SHARED_DIR:-}
for candidate in ../shared ./shared "$bundle/shared"; do
  if [[ -z "$shared" && -d "$candidate/reference" ]]; then shared=$(realpath "$candidate"); fi
done
[[ -n "$shared" ]] || { echo "gpu-check: no shared/ directory (set EQT_SHARED_DIR)"; exit 1; }
export EQT_SHARED_DIR=$shared
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
device=${EQT_CHECK_DEVICE:-cuda}
check() {  # name, command...
  local name=$1
  shift
  if "$@" > "$work/check.log" 2>&1; then
    echo "PASS  $name"
    grep '^  ' "$work/check.log" || true  # the measured differences
  else
    echo "FAIL  $name"
    tail -n 20 "$work/check.log" | sed 's/^/      /'
    failures=$((failures + 1))
  fi
}
seconds() { date +%s.%N; }
elapsed() { awk -v start="$1" -v now="$(seconds)" 'BEGIN { printf "%.1f", now - start }'; }  # no bc on every machine

if [[ "$device" != cpu ]]; then
  echo "== PyTorch and the GPU"
  "$python" - <<'PY'
import torch
assert torch.cuda.is_available(), "PyTorch sees no CUDA GPU"
print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.get_device_name(0))
PY
fi
# The bundle's Debian packages (headers, CMake configs, libraries; ASE for the official PET code).
prefix_extra=()
if [[ -d "$bundle/debs" ]]; then
  deps=$(realpath -m "$build/bundle-deps")
  if [[ ! -e "$deps/.unpacked" ]]; then
    rm -rf "$deps" && mkdir -p "$deps"
    for deb in "$bundle"/debs/*.deb; do
      if command -v dpkg-deb > /dev/null; then
        dpkg-deb -x "$deb" "$deps"
      else  # a .deb is an ar archive holding data.tar.*
        (cd "$work" && ar x "$(realpath "$deb")" && tar -xf data.tar.* -C "$deps" && rm -f data.tar.* control.tar.* debian-binary)
      fi
    done
    touch "$deps/.unpacked"
  fi
  prefix_extra=("$deps/usr")
  # zlib1g-dev's libz.so points at Debian 12's /lib/x86_64-linux-gnu/libz.so.1.2.13; every system
  # has some libz.so.1, which is what the link needs.
  libz=$( (ldconfig -p 2> /dev/null || /sbin/ldconfig -p 2> /dev/null || true) | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')
  [[ -n "$libz" ]] && prefix_extra+=("-DZLIB_LIBRARY=$libz")
  export PYTHONPATH="$deps/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
  [[ -z "${EQT_PEER_SRC:-}" && -d "$bundle/peer-src" ]] && export EQT_PEER_SRC=$(realpath "$bundle/peer-src")
  echo "== dependencies from $bundle: $(ls "$bundle/debs" | wc -l) packages unpacked in $deps"
fi
if [[ -z "${EQT_SKIP_BUILD:-}" ]]; then
  prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  echo "== build against $prefix ($jobs jobs)"
  start=$(seconds)
  zlib_option=()
  prefix_path=$prefix
  for extra in "${prefix_extra[@]}"; do
    case "$extra" in -D*) zlib_option+=("$extra") ;; *) prefix_path+=";$extra" ;; esac
  done
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix_path" -DEQT_BUILD_LAMMPS=OFF \
    -DEQT_BUILD_PYTHON=OFF "${zlib_option[@]}" > "$work/cmake.log" 2>&1 || { tail -n 30 "$work/cmake.log"; exit 1; }
  # Only what the checks below run (not the CLI, data or LAMMPS test executables, nor the fuzzers).
  cmake --build "$build" -j"$jobs" --target eqt bench_equiformer bench_pet test_models test_nn test_kernels \
    test_train test_md test_so3 > "$work/build.log" 2>&1 || { grep -E "error" "$work/build.log" | head -n 30; exit 1; }
  echo "built in $(elapsed "$start") s"
fi
eqt="$build/eqt"
"$eqt" --version
"$eqt" predict --help > /dev/null

echo "== test suite (models, training, MD) with this build"
if [[ -z "${EQT_SKIP_TESTS:-}" ]]; then
  check "ctest models, nn, kernels, train, md" ctest --test-dir "$build" -j"$jobs" -R '^(models|nn|kernels|train|md|so3)\.'
fi

echo "== float64 parity with the official code's outputs, models on $device (support/test_device.h)"
check "ctest official parity on $device: Equiformer, PET, ECSE" env EQT_TEST_DEVICE="$device" \
  ctest --test-dir "$build" -j"$jobs" -R '^models\.(Configs/EquiformerReference|PetReference|EcseReference)\.'

echo "== float64 parity, $device against cpu"
"$python" - "$shared/data/rmd17/rmd17_ethanol_test.xyz" "$work/ethanol.xyz" 24 <<'PY'
import sys
source, target, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source) as f, open(target, "w") as out:
    for _ in range(frames):
        n = int(f.readline())
        out.write(f"{n}\n" + f.readline() + "".join(f.readline() for _ in range(n)))
PY
parity() {  # model directory, tolerance on max |cpu - cuda| relative to the force scale, extra predict options
  local model=$1 tolerance=$2
  shift 2
  "$eqt" predict --model "$model" --input "$work/ethanol.xyz" --output "$work/cuda.xyz" --dtype float64 \
    --device "$device" --prefix cuda_ "$@" &&
    "$eqt" eval --model "$model" --input "$work/cuda.xyz" --dtype float64 --device cpu --no-plots \
      --energy-key cuda_energy --forces-key cuda_forces --output-dir "$work/eval" "$@" &&
    "$python" - "$work/eval/metrics.json" "$tolerance" "$work/cuda.xyz" <<'PY'
import json, re, sys
metrics, tolerance = json.load(open(sys.argv[1])), float(sys.argv[2])
# Scales of the GPU predictions (extxyz written by eqt predict --prefix cuda_): the tolerance is
# relative to the largest |energy| and the largest |force component|.
scale = {"energy": 0.0, "forces": 0.0}
lines = open(sys.argv[3]).read().splitlines()
i = 0
while i < len(lines):
    n, comment = int(lines[i]), lines[i + 1]
    scale["energy"] = max(scale["energy"], abs(float(re.search(r"cuda_energy=([^ ]+)", comment).group(1))))
    columns, column = [], 0
    for name, kind, count in re.findall(r"(\w+):([SRIL]):(\d+)", re.search(r"Properties=([^ ]+)", comment).group(1)):
        columns.append((name, column, int(count)))
        column += int(count)
    begin = next(c for name, c, _ in columns if name == "cuda_forces")
    for row in lines[i + 2:i + 2 + n]:
        scale["forces"] = max(scale["forces"], *(abs(float(v)) for v in row.split()[begin:begin + 3]))
    i += n + 2
worst = 0.0
for name, target in metrics["metrics"].items():
    reference = scale["forces"] if name == "forces" else scale["energy"]
    relative = target["max_abs"] / max(reference, 1e-300)
    worst = max(worst, relative)
    print(f"  {name}: max |cpu - cuda| = {target['max_abs']:.3e} ({relative:.1e} of the largest value)")
sys.exit(0 if worst <= tolerance else 1)
PY
}
for config in small_gat_nonlinear_exp small_dp_exp paper_public_gat_nonlinear_exp_l2; do
  check "predict parity, Equiformer $config" parity "$shared/reference/equiformer/$config" 1e-10
done
check "predict parity, PET" parity "$shared/reference/pet/pet_small" 1e-10
check "predict parity, ECSE(PET)" parity "$shared/reference/pet/pet_small" 1e-10 --ecse

train_parity() {
  "$python" - "$work/ethanol.xyz" "$work/train.xyz" "$work/val.xyz" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
frames, i = [], 0
while i < len(lines):
    n = int(lines[i]); frames.append("".join(lines[i:i + n + 2])); i += n + 2
open(sys.argv[2], "w").write("".join(frames[:16])); open(sys.argv[3], "w").write("".join(frames[16:]))
PY
  for run in "ref cpu" "test $device"; do
    set -- $run
    "$eqt" train examples/train/rmd17_ethanol_equiformer_fast.yaml --device "$2" --quiet \
      --run-dir "$work/train_$1" --set model.dtype=float64 --set data.train="$work/train.xyz" \
      --set data.val="$work/val.xyz" --set data.test= --set data.val_fraction=0 --set training.max_steps=6 \
      --set training.max_minutes=0 || return 1
  done
  "$python" - "$work/train_ref/model/weights.safetensors" "$work/train_test/model/weights.safetensors" <<'PY'
import json, struct, sys
import torch
def read(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n]); body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__": continue
        begin, end = info["data_offsets"]
        dtype = {"F64": torch.float64, "F32": torch.float32}[info["dtype"]]
        out[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype)
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
worst = max(((a[k] - b[k]).abs().max() / a[k].abs().max().clamp_min(1e-300)).item() for k in a if a[k].numel())
print(f"  6 training steps, float64: max relative weight difference {worst:.3e}")
sys.exit(0 if worst <= 1e-10 else 1)
PY
}
check "train parity (6 steps, rMD17 ethanol fast preset, float64)" train_parity

md_parity() {
  for run in "ref cpu" "test $device"; do
    set -- $run
    "$eqt" md --model "$shared/reference/pet/pet_small" --input "$work/ethanol.xyz" --frame 0 --steps 50 --dt 0.5 \
      --init-temperature 300 --seed 1 --dtype float64 --device "$2" --log "$work/thermo_$1.csv" || return 1
  done
  "$python" - "$work/thermo_ref.csv" "$work/thermo_test.csv" <<'PY'
import csv, sys
a, b = list(csv.DictReader(open(sys.argv[1]))), list(csv.DictReader(open(sys.argv[2])))
key = next(k for k in a[0] if "total" in k or "etot" in k.lower())
worst = max(abs(float(x[key]) - float(y[key])) for x, y in zip(a, b))
print(f"  50 NVE steps of PET: max |E_cpu - E_cuda| = {worst:.3e} eV")
sys.exit(0 if worst <= 1e-8 and len(a) == len(b) else 1)
PY
}
check "md parity (50 NVE steps, PET, float64)" md_parity

echo "== speed: eqt predict, paper-size Equiformer, rMD17 ethanol x 24, float32, batches of 8"
for run in cpu "$device"; do
  start=$(seconds)
  "$eqt" --threads "$jobs" predict --model "$shared/reference/equiformer/paper_public_gat_nonlinear_exp_l2" \
    --input "$work/ethanol.xyz" --output "$work/speed.xyz" --dtype float32 --device "$run" > /dev/null 2>&1
  echo "  $run: $(elapsed "$start") s (whole process, model loading included)"
done

# Copies to the CPU hidden in GPU work: LibTorch throws at the first host synchronisation inside a
# forward, backward or optimiser step (core/cuda_sync_check.h); the results' one copy per batch or
# step, outside those scopes, is allowed. (On the CPU: nothing to find; the run must still pass.)
sync_check() {  # verb and its options
  EQT_CUDA_SYNC_CHECK=error "$eqt" "$@" --device "$device"
}
check "no copy to the CPU inside predict (Equiformer, paper size)" sync_check predict --dtype float32 \
  --model "$shared/reference/equiformer/paper_public_gat_nonlinear_exp_l2" --input "$work/ethanol.xyz" --output "$work/sync.xyz"
check "no copy to the CPU inside predict (PET)" sync_check predict --dtype float32 \
  --model "$shared/reference/pet/pet_small" --input "$work/ethanol.xyz" --output "$work/sync.xyz"
check "no copy to the CPU inside 50 MD steps (PET)" sync_check md --model "$shared/reference/pet/pet_small" \
  --input "$work/ethanol.xyz" --frame 0 --steps 50 --dt 0.5 --log "$work/sync.csv"
check "no copy to the CPU inside training steps (forward, backward, AdamW)" sync_check train \
  examples/train/rmd17_ethanol_equiformer_fast.yaml --quiet --run-dir "$work/train_sync" \
  --set data.train="$work/train.xyz" --set data.val="$work/val.xyz" --set data.test= --set data.val_fraction=0 \
  --set training.max_steps=4 --set training.max_minutes=0

echo "== speed: bench_equiformer / bench_pet, eqt on $device against the official code on the same $device"
# The official code runs through bench/official_on_device.py (on the CPU too, so that the dry run
# exercises it); its sources come from $EQT_PEER_SRC (the bundle's peer-src/). --quick: 2-3 timed
# batches per side and mode, eqt / official / eqt interleaved.
bench() {  # executable, data files...
  local executable=$1
  shift
  local data=()
  for file in "$@"; do data+=(--data "$shared/data/$file"); done
  "$build/bench/$executable" --quick --device "$device" --peer-harness device --python "$python" --threads 4 \
    --harness "$shared/peers/time_official.py" "${data[@]}" > "$work/$executable.log" 2>&1
  local status=$?
  cat "$work/$executable.log"
  return $status
}
if [[ -z "${EQT_SKIP_BENCH:-}" ]]; then
  if [[ -z "${EQT_PEER_SRC:-}" ]]; then
    echo "FAIL  benchmarks: no official sources (set EQT_PEER_SRC, or carry .gpu-bundle with peer-src/)"
    failures=$((failures + 1))
  else
    for run in "bench_equiformer rmd17/rmd17_aspirin_test.xyz" \
               "bench_pet methane/methane_val.xyz rmd17/rmd17_aspirin_test.xyz"; do
      set -- $run
      if bench "$@"; then echo "PASS  $1 (output above)"; else echo "FAIL  $1 (output above)"; failures=$((failures + 1)); fi
    done
  fi
fi

if ((failures > 0)); then
  echo "gpu-check: $failures check(s) failed"
  exit 1
fi
echo "gpu-check: all checks passed"
