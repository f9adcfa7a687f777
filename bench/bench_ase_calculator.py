"""Speed of eqt.ase.EqtCalculator inside ASE's VelocityVerlet, beside `eqt predict` on the same
frames (per-structure time, start-up subtracted) and the bare eqt.Potential, in one run so that both see the same machine load.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_ase_calculator.py [--threads N] [--steps N]
"""
import argparse
import os
import subprocess
import tempfile
import time

import ase.io
import numpy as np
from ase import units
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet

import eqt
from eqt.ase import EqtCalculator

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED = os.path.join(ROOT, "..", "shared")
CASES = [  # (name, model directory, frames, repetitions as a fraction of --steps)
    ("PET small, ethanol (9 atoms)", "reference/pet/pet_small", "data/rmd17/rmd17_ethanol_test.xyz", 1.0),
    ("Equiformer small, ethanol (9 atoms)", "reference/equiformer/small_gat_nonlinear_exp",
     "data/rmd17/rmd17_ethanol_test.xyz", 1.0),
    ("PET small, water box (192 atoms, stress)", "reference/pet/pet_small", "data/water/water_deepmd_train.xyz",
     0.25),
    ("Equiformer small, water box (192 atoms, stress)", "reference/equiformer/small_gat_nonlinear_exp",
     "data/water/water_deepmd_train.xyz", 0.1),
]


def compute_seconds(model, frames, dtype):
    """eqt.Potential.compute alone (no ASE), per structure."""
    potential = eqt.Potential(model, dtype=dtype)
    evaluate = [lambda atoms=atoms: potential.compute(atoms.numbers, atoms.positions, atoms.cell.array,
                                                       tuple(atoms.pbc), stress=bool(atoms.pbc.all()))
                for atoms in frames]
    evaluate[0]()  # warm-up
    start = time.perf_counter()
    for call in evaluate[1:]:
        call()
    return (time.perf_counter() - start) / (len(frames) - 1)


def md_seconds_per_step(model, atoms, dtype, steps):
    atoms = atoms.copy()
    atoms.calc = EqtCalculator(model, dtype=dtype)
    MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(0))
    dynamics = VelocityVerlet(atoms, timestep=0.5 * units.fs)
    dynamics.run(1)  # warm-up (first evaluation builds constant caches)
    start = time.perf_counter()
    dynamics.run(steps)
    return (time.perf_counter() - start) / steps


def predict_seconds_per_structure(model, frames, dtype, threads):
    """`eqt predict` on all frames minus a run on one frame (start-up and model loading)."""
    with tempfile.TemporaryDirectory() as tmp:
        def seconds(frames_to_run):
            source = os.path.join(tmp, "in.xyz")
            ase.io.write(source, frames_to_run)
            command = [os.path.join(ROOT, "build", "eqt"), "--threads", str(threads), "predict", "--model", model,
                       "--input", source, "--output", os.path.join(tmp, "out.xyz"), "--dtype", dtype,
                       "--batch-size", "1"]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            return time.perf_counter() - start

        one = seconds(frames[:1])
        return (seconds(frames) - one) / (len(frames) - 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    eqt.set_num_threads(args.threads)
    print("threads {}, load average {:.1f}".format(args.threads, os.getloadavg()[0]))
    print("| case | dtype | eqt.Potential.compute, ms | ASE VelocityVerlet, ms/step | eqt predict, ms/structure |")
    print("|---|---|---|---|---|")
    for name, model, data, fraction in CASES:
        model = os.path.join(SHARED, model)
        steps = max(2, int(round(fraction * args.steps)))
        frames = ase.io.read(os.path.join(SHARED, data), index="0:{}".format(2 * steps + 1))
        for dtype in ("float64", "float32"):
            compute = compute_seconds(model, frames[:steps + 1], dtype)
            md = md_seconds_per_step(model, frames[0], dtype, steps)
            predict = predict_seconds_per_structure(model, frames, dtype, args.threads)
            print("| {} | {} | {:.1f} | {:.1f} | {:.1f} |".format(name, dtype, 1e3 * compute, 1e3 * md,
                                                                 1e3 * predict), flush=True)


if __name__ == "__main__":
    main()
