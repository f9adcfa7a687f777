"""Reads an `eqt md` trajectory with ASE and prints what ASE makes of each frame as JSON: the
potential energy and forces (ASE's SinglePointCalculator), and the kinetic energy and temperature
from ASE's momenta, so the test can compare them with eqt's CSV log."""
import json
import sys

from ase.io import read

frames = read(sys.argv[1], index=":")
print(json.dumps([{
    "energy": atoms.get_potential_energy(),
    "forces_shape": list(atoms.get_forces().shape),
    "kinetic": atoms.get_kinetic_energy(),
    "temperature": atoms.get_temperature(),
    "step": int(atoms.info["step"]),
    "scaled_positions": atoms.get_scaled_positions(wrap=False).tolist() if atoms.pbc.any() else [],
} for atoms in frames]))
