#!/usr/bin/env bash
# LAMMPS with eqt across MPI ranks: periodic water (the first frame of ../shared/data/water/
# water_deepmd_train.xyz, 192 atoms, replicated by LAMMPS's `replicate` to 1,536 and 12,288 atoms),
# a smooth Equiformer (the main job's architecture, examples/train/emt_cual_equiformer.yaml) in
# mode exchange and mode local, and PET (examples/train/water_pet.yaml) in mode exchange and mode
# local, on 1 and 2 ranks, side by side in one run. The models are trained for one step on the water
# data: the speed does not depend on the weights.
#
#   [MODELS="equiformer pet"] bench/bench_lammps.sh [BUILD_DIR (build)] [SIZES ("2 4": replicas per box edge)] [STEPS (3)]
#
# MODELS picks the models (e.g. MODELS=pet bench/bench_lammps.sh build 2 for PET's 1,536-atom cases).
#
# mode local recomputes a ghost shell as deep as the receptive field: at 12,288 atoms it would hold
# ~35,000-50,000 atoms per rank, more memory than a 24 GiB machine has (docs/lammps.md gives the
# measured memory per evaluated atom), so mode local runs only up to LOCAL_MAX_REPLICAS (2) per edge.
#
# Prints, per case: atom-steps per second (atoms x steps / LAMMPS's loop time, so set-up and the
# first force call are not counted), the local and ghost atoms of rank 0 (from the pair style's
# log), and the peak resident memory of each rank (/usr/bin/time). float32, neighbor skin 1 A.
# Needs mpirun (openmpi-bin), /usr/bin/time, python3-ase (to write the LAMMPS data file).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
sizes=${2:-"2 4"}
steps=${3:-3}
local_max=${LOCAL_MAX_REPLICAS:-2}
models=${MODELS:-"equiformer pet"}
eqt="$(realpath "$build/eqt")"
lmp="$(realpath "$build/eqt-lammps")"
water="$(realpath ../shared/data/water/water_deepmd_train.xyz)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

train_one_step() {  # preset run_dir
  "$eqt" --threads 2 train "$1" --run-dir "$2" --quiet --set data.train="$water" --set training.max_steps=1 \
    --set training.max_minutes=0 "${@:3}" > "$work/train.log" 2>&1 || { cat "$work/train.log" >&2; exit 1; }
}
case " $models " in *" equiformer "*)
  train_one_step examples/train/emt_cual_equiformer.yaml "$work/equiformer" --set targets.stress.weight=0 ;;
esac
case " $models " in *" pet "*) train_one_step examples/train/water_pet.yaml "$work/pet" ;; esac

/usr/bin/python3 - "$water" "$work/water.data" <<'PY'
import sys
import ase.io
atoms = ase.io.read(sys.argv[1], index=0)
ase.io.write(sys.argv[2], atoms, format="lammps-data", specorder=["H", "O"], atom_style="atomic")
PY

cat > "$work/in.bench" <<'LMP'
units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data ${data}
replicate ${r} ${r} ${r}
mass 1 1.008
mass 2 15.999
pair_style eqt ${model} float32 mode ${mode}
pair_coeff * * H O
neighbor 1.0 bin
velocity all create 300 4928459 mom yes rot no dist gaussian
fix nve all nve
timestep 0.0005
thermo_style custom step temp pe etotal
run 0
run ${steps}
LMP

# model mode ranks r -> one table row
measure() {
  local model=$1 mode=$2 ranks=$3 r=$4 log="$work/run.log"
  local prefix=()
  [ "$ranks" -gt 1 ] && prefix=(mpirun -np "$ranks" --allow-run-as-root --oversubscribe --bind-to none)
  (cd "$work" && OMP_NUM_THREADS=1 "${prefix[@]}" /usr/bin/time -f "EQT_MAXRSS %M" "$lmp" -in in.bench -log none \
     -var data water.data -var r "$r" -var model "$work/$model" -var mode "$mode" -var steps "$steps") > "$log" 2>&1 ||
    { tail -20 "$log" >&2; printf '%-10s %-8s %5s %6s  failed (above)\n' "$model" "$mode" "$ranks" "?"; return 0; }
  local loop atoms evaluated rss
  loop=$(grep "^Loop time" "$log" | tail -1 | awk '{print $4}')
  atoms=$(grep "^Loop time" "$log" | tail -1 | awk '{print $(NF-1)}')
  evaluated=$(grep -o "evaluates the model on .*" "$log" | head -1 | sed 's/evaluates the model on //')
  rss=$(grep "^EQT_MAXRSS" "$log" | awk '{printf "%s%.2f", (NR > 1 ? " / " : ""), $2 / 1048576}')
  printf '%-10s %-8s %5d %7d %12.1f   %-44s %s GiB\n' "$model" "$mode" "$ranks" "$atoms" \
    "$(echo "$atoms * $steps / $loop" | bc -l)" "$evaluated" "$rss"
}

echo "bench_lammps: $(nproc) cores, $steps MD steps per case, float32, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-10s %-8s %5s %7s %12s   %-44s %s\n' model mode ranks atoms atom-steps/s "rank 0 evaluates" "peak RSS per rank"
for r in $sizes; do
  for ranks in 1 2; do
    for model in $models; do
      measure "$model" exchange "$ranks" "$r"
      if [ "$r" -le "$local_max" ]; then
        measure "$model" local "$ranks" "$r"
      else
        printf '%-10s %-8s %5d %7d  not run: the deep ghost shell does not fit in memory (LOCAL_MAX_REPLICAS)\n' \
          "$model" local "$ranks" $((192 * r * r * r))
      fi
    done
  done
done
