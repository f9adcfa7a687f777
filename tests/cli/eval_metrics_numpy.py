"""Independent metrics for the `eqt eval` tests: reads `eqt predict --prefix pred_` output with ASE
and computes MAE / RMSE / max with numpy. Usage: eval_metrics_numpy.py PREDICTED.xyz [OUTPUT=KEY ...]
Prints a JSON object {target: {count, mae, rmse, max_abs}}."""
import json
import sys

import ase.io
import numpy as np


def label(atoms, key):
    if key in atoms.info:
        return np.asarray(atoms.info[key], dtype=float)
    if key in atoms.arrays:
        return np.asarray(atoms.arrays[key], dtype=float)
    # ASE moves energy / forces / stress into a SinglePointCalculator when it reads a file.
    if atoms.calc is not None and key in atoms.calc.results:
        value = np.asarray(atoms.calc.results[key], dtype=float)
        if key == "stress" and value.shape == (6,):  # Voigt xx yy zz yz xz xy -> 3x3
            xx, yy, zz, yz, xz, xy = value
            value = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
        return value
    return None


def main():
    frames = ase.io.read(sys.argv[1], index=":")
    mapping = dict(arg.split("=", 1) for arg in sys.argv[2:])
    errors = {}

    def add(name, predicted, reference):
        if predicted is None or reference is None:
            return
        diff = (np.asarray(predicted, float) - np.asarray(reference, float)).ravel()
        errors.setdefault(name, []).append(diff)

    for atoms in frames:
        n = len(atoms)
        energy, pred_energy = label(atoms, "energy"), label(atoms, "pred_energy")
        add("energy", pred_energy, energy)
        if energy is not None:
            add("energy_per_atom", pred_energy / n, energy / n)
        add("forces", label(atoms, "pred_forces"), label(atoms, "forces"))
        add("stress", label(atoms, "pred_stress"), label(atoms, "stress"))
        for output, key in mapping.items():
            add(output, label(atoms, "pred_" + output), label(atoms, key))

    result = {}
    for name, parts in errors.items():
        d = np.concatenate(parts)
        result[name] = {"count": int(d.size), "mae": float(np.mean(np.abs(d))),
                        "rmse": float(np.sqrt(np.mean(d * d))), "max_abs": float(np.max(np.abs(d)))}
    print(json.dumps(result))


main()
