"""ASE peer of bench_neighbour_list: times ase.neighborlist.neighbor_list('ijS') on the box the
C++ benchmark wrote (int64 N, float64 cell[9], float64 positions[3N]; periodic in x, y, z).

Prints 'edges <E>', 'median_s <seconds>' and 'runs_s <each run>' lines for the benchmark to parse.
Run with /usr/bin/python3 (Debian's, which has ASE 3.22.1).
"""
import argparse
import time

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list


def load_box(path):
    raw = np.fromfile(path, dtype='<f8')
    n = int(raw[:1].view('<i8')[0])
    cell = raw[1:10].reshape(3, 3)
    positions = raw[10:10 + 3 * n].reshape(n, 3)
    return Atoms(numbers=np.tile([8, 1, 1], n // 3), positions=positions, cell=cell, pbc=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('box')
    parser.add_argument('--cutoff', type=float, required=True)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    atoms = load_box(args.box)
    runs, edges = [], None
    for _ in range(args.repeats):
        start = time.perf_counter()
        i, j, S = neighbor_list('ijS', atoms, args.cutoff)
        runs.append(time.perf_counter() - start)
        edges = len(i)
        del i, j, S
    print('edges', edges)
    print('median_s', float(np.median(runs)))
    print('runs_s', ' '.join(f'{t:.4f}' for t in runs), flush=True)


if __name__ == '__main__':
    main()
