"""Independent figures for the `eqt inspect` test, computed with ASE and numpy."""
import json
import sys

import numpy as np
from ase.io import read
from ase.neighborlist import neighbor_list

path, cutoff = sys.argv[1], float(sys.argv[2])
frames = read(path, index=":")
species = {}
neighbours = []
energies = []
for atoms in frames:
    for s in atoms.get_chemical_symbols():
        species[s] = species.get(s, 0) + 1
    i = neighbor_list("i", atoms, cutoff)
    neighbours.extend(np.bincount(i, minlength=len(atoms)).tolist())
    energies.append(atoms.get_potential_energy())
symbols = sorted(species)
counts = np.array([[a.get_chemical_symbols().count(s) for s in symbols] for a in frames], float)
refs = np.linalg.lstsq(counts, np.array(energies), rcond=None)[0]
forces = np.concatenate([a.get_forces() for a in frames])
print(json.dumps({
    "frames": len(frames),
    "species_counts": species,
    "neighbours_mean": float(np.mean(neighbours)),
    "energy_mean": float(np.mean(energies)),
    "force_rms": float(np.sqrt(np.mean(forces ** 2))),
    "reference_energies": dict(zip(symbols, refs.tolist())),
}))
