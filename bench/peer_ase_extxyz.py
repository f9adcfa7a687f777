#!/usr/bin/env python3
"""Peer for bench_extxyz: seconds ASE 3.22 takes to read every frame of FILE (median of N runs)."""
import statistics
import sys
import time

from ase.io import read

path, repeats = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
times = []
for _ in range(repeats):
    start = time.perf_counter()
    read(path, index=":", format="extxyz")
    times.append(time.perf_counter() - start)
print(statistics.median(times))
