"""Independent reference for eqt's velocity Verlet: ASE's VelocityVerlet with ASE's
LennardJones calculator from the same start. Reads a JSON file (argv[1]) and writes a JSON file
(argv[2]) with the potential and kinetic energy at every step and the final positions and
velocities. Velocities in the files are in Angstrom/fs; ASE's own unit is Angstrom/(ASE time)."""
import json
import sys

import numpy as np
from ase import Atoms, units
from ase.calculators.lj import LennardJones
from ase.md.verlet import VelocityVerlet

with open(sys.argv[1]) as f:
    start = json.load(f)
atoms = Atoms(numbers=start["numbers"], positions=start["positions"], cell=start["cell"], pbc=start["pbc"])
# Angstrom/fs -> Angstrom per ASE time unit (1 fs = units.fs ASE time units).
atoms.set_velocities(np.array(start["velocities"]) / units.fs)
atoms.calc = LennardJones(sigma=start["sigma"], epsilon=start["epsilon"], rc=start["rc"], smooth=False)
dynamics = VelocityVerlet(atoms, timestep=start["dt_fs"] * units.fs)
potential, kinetic = [], []


def record():
    potential.append(atoms.get_potential_energy())
    kinetic.append(atoms.get_kinetic_energy())


record()
for _ in range(start["steps"]):
    dynamics.run(1)
    record()
with open(sys.argv[2], "w") as f:
    json.dump({"potential": potential, "kinetic": kinetic, "positions": atoms.get_positions().tolist(),
               "velocities": (atoms.get_velocities() * units.fs).tolist()}, f)
