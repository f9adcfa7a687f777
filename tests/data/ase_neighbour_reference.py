"""ASE neighbour lists as the independent reference for eqt's neighbour_list tests.

Writes, for every structure and cutoff, a binary record (little-endian):
  int64 name_length, name bytes (utf-8)
  int64[5] num_atoms, num_edges, pbc_x, pbc_y, pbc_z
  float64 cutoff, float64[9] cell (rows), float64[3N] positions, int64[N] numbers
  int64[E] i, int64[E] j, int64[3E] S, float64[E] d
from ase.neighborlist.neighbor_list('ijSd', atoms, cutoff).

Usage:
  ase_neighbour_reference.py files --cutoffs=5,3 --stride=50 OUT FILE...
      every frame of periodic files, every stride-th frame of non-periodic (molecular) ones
  ase_neighbour_reference.py generated CASE --cutoffs=5,3 OUT
      deterministic hard cases (tiny / skewed cells, mixed pbc, atoms outside the cell, ...)
"""
import argparse
import gzip
import io
import sys

import numpy as np
import ase.io
from ase import Atoms
from ase.neighborlist import neighbor_list


def write_record(out, name, atoms, cutoff):
    i, j, S, d = neighbor_list('ijSd', atoms, cutoff)
    n = len(atoms)
    encoded = name.encode()
    out.write(np.array([len(encoded)], '<i8').tobytes())
    out.write(encoded)
    out.write(np.array([n, len(i), *[int(p) for p in atoms.pbc]], '<i8').tobytes())
    out.write(np.array([cutoff], '<f8').tobytes())
    out.write(np.asarray(atoms.cell.array, '<f8').reshape(9).tobytes())
    out.write(np.asarray(atoms.positions, '<f8').reshape(3 * n).tobytes())
    out.write(np.asarray(atoms.numbers, '<i8').tobytes())
    for array, dtype in ((i, '<i8'), (j, '<i8'), (S, '<i8'), (d, '<f8')):
        out.write(np.ascontiguousarray(array, dtype).tobytes())


def read_frames(path, index):
    # ASE re-reads gzip streams from the start for every frame; decompress once instead.
    if path.endswith('.gz'):
        with gzip.open(path, 'rt') as f:
            return ase.io.read(io.StringIO(f.read()), index=index, format='extxyz')
    return ase.io.read(path, index=index)


def file_records(path, stride):
    first = read_frames(path, 0)
    index = ':' if first.pbc.any() else f'::{stride}'
    frames = read_frames(path, index)
    step = 1 if first.pbc.any() else stride
    return [(f'{path}#{k * step}', atoms) for k, atoms in enumerate(frames)]


def random_atoms(rng, n, cell, pbc, low=0.0, high=1.0):
    cell = np.asarray(cell, float)
    frac = rng.uniform(low, high, size=(n, 3))
    return Atoms(numbers=rng.integers(1, 9, size=n), positions=frac @ cell, cell=cell, pbc=pbc)


def triclinic(a, b, c, alpha, beta, gamma):
    return Atoms(cell=[a, b, c, alpha, beta, gamma]).cell.array


def case_tiny_cells(rng):
    yield 'cubic 1.0, 1 atom', random_atoms(rng, 1, np.eye(3) * 1.0, True)
    yield 'cubic 1.5, 2 atoms', random_atoms(rng, 2, np.eye(3) * 1.5, True)
    yield 'cubic 2.0, 3 atoms', random_atoms(rng, 3, np.eye(3) * 2.0, True)
    yield 'triclinic 1.3/1.7/2.1', random_atoms(rng, 4, triclinic(1.3, 1.7, 2.1, 70, 80, 100), True)
    yield 'thin slab 8x8x1.2', random_atoms(rng, 6, np.diag([8.0, 8.0, 1.2]), True)
    yield 'needle 1.1x1.4x9', random_atoms(rng, 5, np.diag([1.1, 1.4, 9.0]), True)


def case_skewed_cells(rng):
    yield 'shear 0.98', random_atoms(rng, 12, [[5, 0, 0], [4.9, 1.1, 0], [4.8, 0.9, 1.3]], True)
    yield 'shear negative', random_atoms(rng, 15, [[10, 0, 0], [9.5, 2.2, 0], [-9.1, 1.5, 3.1]], True)
    yield 'left-handed', random_atoms(rng, 10, [[0, 6.1, 0.3], [5.7, 0, 0], [1.9, 2.3, 7.2]], True)
    yield 'acute 20 deg', random_atoms(rng, 20, triclinic(7.3, 6.9, 8.1, 20, 25, 22), True)
    yield 'obtuse 140 deg', random_atoms(rng, 20, triclinic(6.3, 7.9, 7.1, 140, 75, 70), True)
    yield 'rotated generic', random_atoms(rng, 30, rng.normal(size=(3, 3)) * 4 + np.eye(3) * 7, True)
    yield 'dense 3 bins', random_atoms(rng, 400, triclinic(16.1, 17.3, 15.7, 80, 95, 110), True)


def case_mixed_pbc(rng):
    skew = [[6.1, 0, 0], [1.7, 5.9, 0], [0.9, -1.2, 6.6]]
    yield 'TFT', random_atoms(rng, 20, skew, [True, False, True], -0.4, 1.5)
    yield 'TTF', random_atoms(rng, 20, skew, [True, True, False], -0.6, 1.3)
    yield 'TFF', random_atoms(rng, 15, skew, [True, False, False], -0.5, 1.5)
    yield 'FFT tiny', random_atoms(rng, 6, [[4, 0, 0], [0, 4, 0], [0.3, 0.2, 1.4]],
                                   [False, False, True])
    slab = random_atoms(rng, 16, [[5.3, 0, 0], [2.1, 5.0, 0], [0, 0, 1]], [True, True, False])
    slab.positions[:, 2] = rng.uniform(-3, 9, size=16)
    slab.cell[2] = [0, 0, 0]  # a 2D slab without a third vector (ASE completes it)
    yield 'TTF slab, zero c', slab
    yield 'FTF large', random_atoms(rng, 200, np.diag([11.0, 13.0, 12.0]), [False, True, False])


def case_outside_cell(rng):
    skew = [[6.4, 0, 0], [1.3, 6.0, 0], [-0.7, 0.8, 5.9]]
    yield 'fractional -3..4', random_atoms(rng, 25, skew, True, -3.0, 4.0)
    yield 'far away 1000 cells', random_atoms(rng, 8, np.eye(3) * 4.4, True, 1000.0, 1001.0)
    yield 'tiny cell outside', random_atoms(rng, 3, np.eye(3) * 1.7, True, -5.0, 5.0)
    yield 'molecule with cell', random_atoms(rng, 12, np.eye(3) * 3.0, False, -1.0, 2.0)


def case_single_atom(rng):
    yield 'periodic cubic 3.1', random_atoms(rng, 1, np.eye(3) * 3.1, True)
    yield 'periodic triclinic', random_atoms(rng, 1, triclinic(2.9, 3.4, 4.2, 75, 85, 115), True)
    yield 'open', random_atoms(rng, 1, np.eye(3) * 3.0, False)
    yield 'sparse gas', random_atoms(rng, 30, np.eye(3) * 400.0, False)


def case_empty(rng):
    yield 'empty periodic', Atoms(cell=np.eye(3) * 5.0, pbc=True)
    yield 'empty molecule', Atoms()


CASES = {
    'tiny_cells': case_tiny_cells,
    'skewed_cells': case_skewed_cells,
    'mixed_pbc': case_mixed_pbc,
    'outside_cell': case_outside_cell,
    'single_atom': case_single_atom,
    'empty': case_empty,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['files', 'generated'])
    parser.add_argument('rest', nargs='+')
    parser.add_argument('--cutoffs', required=True, help='comma-separated, e.g. 5,3')
    parser.add_argument('--stride', type=int, default=50)
    args = parser.parse_intermixed_args()
    if args.mode == 'files':
        out_path, paths = args.rest[0], args.rest[1:]
        records = [r for path in sorted(paths) for r in file_records(path, args.stride)]
    else:
        name, out_path = args.rest
        records = list(CASES[name](np.random.default_rng(sorted(CASES).index(name))))
    with open(out_path, 'wb') as out:
        for label, atoms in records:
            for cutoff in [float(c) for c in args.cutoffs.split(',')]:
                write_record(out, label, atoms, cutoff)
    return 0


if __name__ == '__main__':
    sys.exit(main())
