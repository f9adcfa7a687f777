#!/usr/bin/env python3
"""Generate eqt's own example dataset: distorted Cu-Al fcc cells labelled by ASE's EMT potential.

EMT (effective medium theory, ships with Debian's python3-ase) is a cheap classical potential; it
gives consistent energies (eV), forces (eV/A) and stress (eV/A^3) for periodic cells, which is all a
demonstration of training needs. Deterministic for a given --seed.
"""
import argparse

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write


def make_frame(rng, size, aluminium_fraction, rattle, strain):
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((size, size, size))
    symbols = np.where(rng.random(len(atoms)) < aluminium_fraction, "Al", "Cu")
    atoms.set_chemical_symbols(symbols.tolist())
    deformation = np.eye(3) + rng.uniform(-strain, strain, (3, 3))
    atoms.set_cell(atoms.cell[:] @ deformation, scale_atoms=True)
    atoms.positions += rng.normal(0.0, rattle, atoms.positions.shape)
    atoms.calc = EMT()
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    stress = atoms.get_stress()  # Voigt order xx yy zz yz xz xy, as ASE stores it
    atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
    return atoms


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", required=True, help="extxyz file to write")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", type=int, default=2, help="cubic fcc cells per edge (4 atoms each)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    frames = [make_frame(rng, args.size, 0.3, rng.uniform(0.02, 0.15), 0.03)
              for _ in range(args.frames)]
    write(args.output, frames, format="extxyz")
    print(f"wrote {len(frames)} frames of {len(frames[0])} atoms to {args.output}")


if __name__ == "__main__":
    main()
