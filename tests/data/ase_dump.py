#!/usr/bin/python3
"""What ASE (3.22 on Debian 12, 3.24 on Debian 13) reads from extxyz files, dumped for
test_extxyz_ase.cpp.

    ase_dump.py read OUT_DIR FILE...      # OUT_DIR/<i>.json (per-frame metadata) + OUT_DIR/<i>.bin
    ase_dump.py write-samples FILE        # ASE writes a few varied structures to FILE

Per-atom arrays and cells go to the flat little-endian .bin file (fast for big datasets); the
JSON refers to them as {"off": byte offset, "dtype": "f8"|"i8"|"b1", "shape": [...]}. Info
values are JSON with floats as repr() strings, so NaN / inf and every bit survive. The JSON also
holds "ase_version": the comparison knows the one difference in meaning between ASE versions
(3.23+ reads True/False/true/... as booleans, 3.22 only T/F; docs/data.md, "ASE versions").

ASE 3.23 also changed where it *stores* what it read; the dump maps that back to 3.22's storage
(see keep_322_storage), so the test compares what the file says, not where ASE puts it.
"""
import gzip
import io
import json
import sys

import numpy as np
import ase
import ase.io.extxyz
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms
from ase.io import read, write

DTYPES = {"f": "f8", "i": "i8", "b": "b1"}

# ASE 3.22's SinglePointCalculator results from extxyz: these info keys and these per-atom arrays,
# which it also left in place in atoms.info / atoms.arrays.
RESULTS_322_INFO = ("energy", "stress", "dipole", "magmom", "free_energy")
RESULTS_322_ARRAYS = ("forces", "stresses", "magmoms", "energies")


def ase_before_323():
    return tuple(int(p) for p in ase.__version__.split(".")[:2]) < (3, 23)


def keep_322_storage(set_calc_and_arrays):
    """ASE 3.23.0 (ase/io/extxyz.py, set_calc_and_arrays) moves every info key and
    per-atom column named like a calculator output (energy, forces, stress, charges, natoms, ...)
    out of atoms.info / atoms.arrays into a SinglePointCalculator, and a 'charge' column into
    calc.results['charges'] instead of atoms.arrays['initial_charges']. The values are the same
    objects its parser made; only their place differs. This wraps ASE's own function and puts
    them back where 3.22 kept them: info as parsed (keys in file order), arrays as parsed
    ('charges' as initial_charges, float, as 3.22's Atoms(charges=...) did), and calculator
    results for 3.22's keys only (stress in Voigt form, from ASE's own conversion)."""
    def wrapped(atoms, arrays):
        info = dict(atoms.info)
        set_calc_and_arrays(atoms, arrays)
        results = atoms.calc.results if atoms.calc is not None else {}
        atoms.info.clear()
        atoms.info.update(info)
        for name, array in arrays.items():
            if name == "charges":
                atoms.set_initial_charges(array)
            elif name not in atoms.arrays:
                atoms.new_array(name, array)
        kept = {key: value for key, value in results.items()
                if (key in RESULTS_322_INFO and key in info)
                or (key in RESULTS_322_ARRAYS and key in arrays)}
        atoms.calc = SinglePointCalculator(atoms, **kept) if kept else None
    return wrapped


if not ase_before_323():
    ase.io.extxyz.set_calc_and_arrays = keep_322_storage(ase.io.extxyz.set_calc_and_arrays)


class Blob:
    def __init__(self):
        self.parts = []
        self.size = 0

    def add(self, array):
        array = np.asarray(array)
        dtype = DTYPES[array.dtype.kind]
        data = np.ascontiguousarray(array, dtype="<" + dtype if dtype != "b1" else "?").tobytes()
        ref = {"off": self.size, "dtype": dtype, "shape": list(array.shape)}
        self.parts.append(data)
        self.size += len(data)
        return ref


def scalar_text(x):
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    return repr(float(x))


def encode_info(value):
    if isinstance(value, str):
        return {"type": "str", "value": value}
    if isinstance(value, (bool, np.bool_)):
        return {"type": "b1", "shape": [], "data": [bool(value)]}
    if isinstance(value, (int, np.integer)):
        return {"type": "i8", "shape": [], "data": [int(value)]}
    if isinstance(value, (float, np.floating)):
        return {"type": "f8", "shape": [], "data": [repr(float(value))]}
    if isinstance(value, list) and all(isinstance(v, bool) for v in value):
        value = np.array(value, dtype=bool)
    if isinstance(value, np.ndarray) and value.dtype.kind in DTYPES:
        return {"type": DTYPES[value.dtype.kind], "shape": list(value.shape),
                "data": [scalar_text(x) for x in value.ravel()]}
    return {"type": "object", "json": json.dumps(value)}


def dump_frame(atoms, blob):
    arrays = {}
    strings = {}
    for name, array in atoms.arrays.items():
        if name in ("numbers", "positions"):
            continue
        if array.dtype.kind in DTYPES:
            arrays[name] = blob.add(array)
        else:
            strings[name] = [str(s) for s in array]
    calc = {}
    if atoms.calc is not None:
        for key, value in atoms.calc.results.items():
            calc[key] = blob.add(np.asarray(value, dtype=float)) if np.ndim(value) else repr(float(value))
    return {
        "numbers": blob.add(atoms.numbers.astype(np.int64)),
        "positions": blob.add(atoms.positions),
        "cell": blob.add(np.array(atoms.cell[:], dtype=float)),
        "pbc": [bool(p) for p in atoms.pbc],
        "info": {key: encode_info(value) for key, value in atoms.info.items()},
        "info_order": list(atoms.info.keys()),
        "arrays": arrays,
        "string_arrays": strings,
        "calc": calc,
    }


def read_all(path):
    """ase.io.read(path, ":"), but .gz files are decompressed into memory first: ASE opens them
    with gzip.open, whose backward seeks (ASE seeks back after every frame) restart the
    decompression, which makes reading quadratic (12 s for 1000 benzene frames). Same text,
    same parser, same result."""
    if path.endswith(".gz"):
        with gzip.open(path, "rt") as f:
            return read(io.StringIO(f.read()), index=":", format="extxyz")
    return read(path, index=":", format="extxyz")


def dump(prefix, path):
    blob = Blob()
    frames = [dump_frame(atoms, blob) for atoms in read_all(path)]
    with open(prefix + ".bin", "wb") as out:
        for part in blob.parts:
            out.write(part)
    with open(prefix + ".json", "w") as out:
        json.dump({"file": path, "ase_version": ase.__version__, "frames": frames}, out)


def write_samples(path):
    """Structures as ASE users make them: calculator results, info of many types, arrays."""
    rng = np.random.default_rng(7)
    bulk = Atoms("Cu2AuO", positions=rng.uniform(0, 3, (4, 3)),
                 cell=[[3.6, 0.1, 0.0], [0.0, 3.5, 0.2], [0.3, 0.0, 3.7]], pbc=True)
    bulk.calc = SinglePointCalculator(bulk, energy=-12.3456789, free_energy=-12.4,
                                      forces=rng.normal(size=(4, 3)),
                                      stress=rng.normal(size=6) * 0.01)
    bulk.info.update({"config_type": "bulk fcc", "step": 17, "temperature": 300.0,
                      "converged": True, "kpts": np.array([4, 4, 4]),
                      "weights": rng.normal(size=3), "flags": [True, False],
                      "matrix": rng.normal(size=(2, 2)), "meta": {"code": "vasp", "n": 3}})
    bulk.set_tags([0, 1, 1, 2])
    bulk.set_initial_charges(rng.normal(size=4))
    molecule = Atoms("CH4", positions=rng.normal(size=(5, 3)))
    molecule.calc = SinglePointCalculator(molecule, energy=-24.0, forces=rng.normal(size=(5, 3)))
    molecule.info["name"] = "methane"
    molecule.new_array("labels", np.array(["a", "b", "c", "d", "e"]))
    molecule.set_momenta(rng.normal(size=(5, 3)))
    slab = Atoms("Pt3", positions=rng.uniform(0, 2, (3, 3)), cell=[2.8, 2.8, 20.0],
                 pbc=[True, True, False])
    slab.set_constraint(FixAtoms(indices=[0]))
    write(path, [bulk, molecule, slab], format="extxyz")


if __name__ == "__main__":
    if sys.argv[1] == "read":
        for i, path in enumerate(sys.argv[3:]):
            dump("%s/%d" % (sys.argv[2], i), path)
    elif sys.argv[1] == "write-samples":
        write_samples(sys.argv[2])
    else:
        sys.exit("usage: ase_dump.py read OUT_DIR FILE... | write-samples FILE")
