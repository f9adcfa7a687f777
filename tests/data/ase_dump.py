#!/usr/bin/python3
"""What ASE 3.22 reads from extxyz files, dumped for test_extxyz_ase.cpp.

    ase_dump.py read OUT_DIR FILE...      # OUT_DIR/<i>.json (per-frame metadata) + OUT_DIR/<i>.bin
    ase_dump.py write-samples FILE        # ASE writes a few varied structures to FILE

Per-atom arrays and cells go to the flat little-endian .bin file (fast for big datasets); the
JSON refers to them as {"off": byte offset, "dtype": "f8"|"i8"|"b1", "shape": [...]}. Info
values are JSON with floats as repr() strings, so NaN / inf and every bit survive.
"""
import gzip
import io
import json
import sys

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms
from ase.io import read, write

DTYPES = {"f": "f8", "i": "i8", "b": "b1"}


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
        json.dump({"file": path, "frames": frames}, out)


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
