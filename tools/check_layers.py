#!/usr/bin/env python3
"""Fails when a source file includes a header of a higher layer (run by ctest as layers.includes).

The layers of src/eqt, lowest first. A layer may include headers of its own layer and of every
layer on a lower level; layers on the same level are independent and may not include each other.

  level 0  core        errors, dtypes, threads, units
  level 1  io          JSON, safetensors, file digests, atomic files
           so3         irreps, spherical harmonics, Wigner matrices
           kernels     hand-written CPU kernels (small matrix products, oneDNN linears, SiLU, layer norm)
           parallel    the processes of a parallel run (launch environment, c10d collectives)
  level 2  data        structures, extxyz, neighbour lists, batched graphs (io for atomic writes)
           nn          e3nn primitives and plain layers (so3 + kernels)
  level 3  models      the Model interface, the registry, Equiformer, PET, ECSE, model directories
  level 4  train       training (configs, losses, trainer, checkpoints)
           md          molecular dynamics (integrators, thermostats, trajectories)
  level 5  check       model diagnostics (uses md's integrators)
  level 6  inference   the one way front ends load a model and predict with it
  level 7  cli         the eqt command line

Front ends outside src/eqt may include inference and below, never cli:
  python/src  (the Python module), src/lammps (pair style eqt), bench/ (benchmarks).

Usage: check_layers.py [SOURCE_DIR]   (default: the checkout this script is in)
"""
import pathlib
import re
import sys

LEVELS = [
    ["core"],
    ["io", "so3", "kernels", "parallel"],
    ["data", "nn"],
    ["models"],
    ["train", "md"],
    ["check"],
    ["inference"],
    ["cli"],
]
LEVEL = {layer: level for level, layers in enumerate(LEVELS) for layer in layers}

# Directories outside src/eqt and the highest level their files may include.
FRONT_ENDS = {
    "python/src": LEVEL["inference"],
    "src/lammps": LEVEL["inference"],
    "bench": LEVEL["inference"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"eqt/([^/"]+)/[^"]*"')
SOURCES = (".h", ".hpp", ".cpp", ".cc")


def allowed(own_layer, own_level, target):
    """Whether a file of own_layer (level own_level) may include a header of layer `target`."""
    if target not in LEVEL:
        return False
    if target == own_layer:
        return True
    return LEVEL[target] < own_level


def check_file(path, root, own_layer, own_level):
    problems = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            if allowed(own_layer, own_level, target):
                continue
            where = path.relative_to(root)
            include = line.strip()
            if target not in LEVEL:
                why = f"'{target}' is not a known layer (add it to tools/check_layers.py)"
            elif own_layer is None:
                why = f"a front end may include inference and below, not {target}"
            elif LEVEL[target] == own_level:
                why = f"{own_layer} and {target} are independent layers on the same level"
            else:
                why = f"{target} is a higher layer than {own_layer}"
            problems.append(f"{where}:{number}: {include}: {why}")
    return problems


def main(argv):
    root = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    src = root / "src" / "eqt"
    if not src.is_dir():
        print(f"check_layers: {src} not found", file=sys.stderr)
        return 2
    problems = []
    checked = 0
    for layer_dir in sorted(p for p in src.iterdir() if p.is_dir()):
        layer = layer_dir.name
        if layer not in LEVEL:
            problems.append(f"{layer_dir.relative_to(root)}: '{layer}' is not a known layer "
                            "(add it to tools/check_layers.py)")
            continue
        for path in sorted(layer_dir.rglob("*")):
            if path.suffix in SOURCES:
                checked += 1
                problems += check_file(path, root, layer, LEVEL[layer])
    for front_end, highest in FRONT_ENDS.items():
        directory = root / front_end
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix in SOURCES:
                checked += 1
                # A front end sits above `highest`: it may include that level and below.
                problems += check_file(path, root, None, highest + 1)
    if problems:
        print(f"{len(problems)} include(s) go up the layers:")
        for problem in problems:
            print("  " + problem)
        print("Layers, lowest first: " + " -> ".join("(" + ", ".join(l) + ")" if len(l) > 1 else l[0]
                                                     for l in LEVELS))
        return 1
    print(f"check_layers: {checked} files, every include goes down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
