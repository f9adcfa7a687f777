#!/usr/bin/env python3
"""NVE with ASE's own VelocityVerlet and eqt's EqtCalculator on a 13-atom Cu-Al icosahedron (the
check of docs/md.md, "Energy conservation"): prints the largest |E - E0| and the total-energy
change per step, for a model directory (e.g. the main job's runs/demo/run/model).

    PYTHONPATH=build/python /usr/bin/python3 tools/ase_nve_cluster.py runs/demo/run/model
"""
import argparse

import numpy as np
from ase import units
from ase.cluster import Icosahedron
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet

from eqt.ase import EqtCalculator


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="eqt model directory, official export or run directory")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--dt", type=float, default=0.25, help="time step in fs")
    parser.add_argument("--temperature", type=float, default=600.0, help="initial temperature in K")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    atoms = Icosahedron("Cu", 2, latticeconstant=3.7)  # 13 atoms: a centre and 12 around it
    atoms.symbols[[1, 4, 7, 10]] = "Al"
    atoms.positions += np.random.default_rng(args.seed).normal(0.0, 0.05, atoms.positions.shape)
    atoms.calc = EqtCalculator(args.model, dtype="float64")
    MaxwellBoltzmannDistribution(atoms, temperature_K=args.temperature, rng=np.random.default_rng(args.seed))
    totals = []
    dynamics = VelocityVerlet(atoms, timestep=args.dt * units.fs)
    dynamics.attach(lambda: totals.append(atoms.get_total_energy()), interval=1)
    dynamics.run(args.steps)
    totals = np.array(totals)
    steps = np.abs(np.diff(totals))
    print(f"{len(atoms)} atoms, {args.steps} steps of {args.dt} fs from {args.temperature} K: "
          f"max |E - E0| {np.abs(totals - totals[0]).max():.3g} eV, largest change in one step {steps.max():.3g} eV, "
          f"median {np.median(steps):.3g} eV")


if __name__ == "__main__":
    main()
