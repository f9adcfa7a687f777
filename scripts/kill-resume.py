#!/usr/bin/env python3
"""SIGKILL eqt at random moments and check that resuming reaches the uninterrupted result bit for bit.

For `eqt train` and for `eqt md` (with its restart file) in turn: one uninterrupted reference run,
then --kills runs of the same command, each SIGKILLed after a random delay (uniform over the
reference run's wall time), continued (`eqt train --resume`, `eqt md ... --resume`; a fresh start
where the killed run had not yet written a checkpoint / restart file), possibly killed again
(probability 1/2 each time, at most 3 kills a run), and finally run to the end. Then:

  train: the exported model's weights.safetensors is equal, byte for byte, to the reference run's,
         and so is metrics.csv without its wall-time column (checkpoint.pt is not compared as bytes:
         LibTorch's archive names the optimiser's entries by memory address, which differs from
         run to run even without a kill);
  md:    the trajectory (every step, positions and velocities in round-trip decimal, so equal bytes
         are equal float64 numbers) and the thermo log are equal, byte for byte.

Everything is generated here: a small labelled data set (random H/C/O clusters with a pair
potential, as tests/support/train_data.cpp), a tiny Equiformer config; md runs the model the
reference training run exported. Only the standard library is used.

  scripts/kill-resume.py --eqt build/eqt [--kills 20] [--seed 0] [--work DIR] [--only train|md]

Exit status 0 when every resumed run matched, 1 otherwise (each mismatch is printed).
"""
import argparse
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

E0 = {1: -13.6, 6: -1029.0, 8: -2041.0}
SYMBOL = {1: "H", 6: "C", 8: "O"}


def write_dataset(path, frames, seed):
    """Random clusters of 3-5 atoms labelled with E = sum e0 + sum (Z_i + Z_j)/10 exp(-r_ij)."""
    rng = random.Random(seed)
    with open(path, "w") as out:
        for _ in range(frames):
            n = rng.randint(3, 5)
            z, r = [], []
            while len(z) < n:
                p = [rng.uniform(-1.6, 1.6) for _ in range(3)]
                if all(math.dist(p, q) >= 0.8 for q in r):
                    z.append(rng.choice([1, 6, 8]))
                    r.append(p)
            energy = sum(E0[a] for a in z)
            forces = [[0.0] * 3 for _ in range(n)]
            for i in range(n):
                for j in range(i + 1, n):
                    d = [r[j][k] - r[i][k] for k in range(3)]
                    dist = math.sqrt(sum(x * x for x in d))
                    a = (z[i] + z[j]) / 10.0
                    energy += a * math.exp(-dist)
                    # dE/dr_j = -a exp(-d) d/|d|; F = -dE/dr
                    for k in range(3):
                        g = a * math.exp(-dist) * d[k] / dist
                        forces[j][k] += g
                        forces[i][k] -= g
            out.write(f"{n}\n")
            out.write(f'Properties=species:S:1:pos:R:3:forces:R:3 energy={energy!r} pbc="F F F"\n')
            for a, p, f in zip(z, r, forces):
                out.write(f"{SYMBOL[a]} {p[0]!r} {p[1]!r} {p[2]!r} {f[0]!r} {f[1]!r} {f[2]!r}\n")


def write_periodic_box(path, atoms, edge, seed):
    """`atoms` random H/C/O atoms at least 0.9 A apart in a periodic cube of `edge` A."""
    rng = random.Random(seed)
    z, r = [], []
    while len(z) < atoms:
        p = [rng.uniform(0.0, edge) for _ in range(3)]
        if all(math.dist([0, 0, 0], [(a - b + edge / 2) % edge - edge / 2 for a, b in zip(p, q)]) >= 0.9 for q in r):
            z.append(rng.choice([1, 6, 8]))
            r.append(p)
    with open(path, "w") as out:
        out.write(f"{atoms}\n")
        out.write(f'Lattice="{edge} 0 0 0 {edge} 0 0 0 {edge}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for a, p in zip(z, r):
            out.write(f"{SYMBOL[a]} {p[0]!r} {p[1]!r} {p[2]!r}\n")


CONFIG = """model:
  kind: equiformer
  dtype: float64
  equiformer:
    irreps_node_embedding: 8x0e+4x1e
    num_layers: 1
    irreps_sh: 1x0e+1x1e
    max_radius: 4.0
    number_of_basis: 8
    fc_neurons: [8]
    irreps_feature: 8x0e
    irreps_head: 4x0e+2x1e
    num_heads: 2
    irreps_mlp_mid: 8x0e+4x1e
    alpha_drop: 0.0
    avg_num_nodes: 4.0
    avg_degree: 3.0
data:
  train: {train}
  val: {val}
  batch_size: 4
targets:
  energy: {{weight: 1.0}}
  forces: {{weight: 10.0}}
optimiser: {{lr: 0.005}}
schedule: {{kind: cosine, warmup_epochs: 0.5}}
training: {{epochs: {epochs}, log_every: 1000}}
"""


def read(path):
    with open(path, "rb") as f:
        return f.read()


def metrics_without_time(path):
    """metrics.csv without its time_s column (wall time differs from run to run)."""
    rows = [line.split(",") for line in read(path).decode().splitlines()]
    column = rows[0].index("time_s")
    return "\n".join(",".join(r[:column] + r[column + 1:]) for r in rows)


class Runner:
    def __init__(self, eqt, rng, log):
        self.eqt = eqt
        self.rng = rng
        self.log = log

    def run(self, args, kill_after=None):
        """Runs eqt with `args`; SIGKILLs it after kill_after seconds. Returns (exit status, seconds)."""
        start = time.monotonic()
        with open(self.log, "ab") as log:
            proc = subprocess.Popen([self.eqt, "--threads", "1"] + args, stdout=log, stderr=log)
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        return proc.returncode, time.monotonic() - start

    def until_done(self, first, resume, can_resume, reset, duration):
        """Kills `first` at a random moment, then resumes (killing again with probability 1/2, at
        most 3 kills in all) until a run completes. A first run that ends before its kill (the
        machine was faster than during the reference run) is wiped by reset() and started again,
        with delays drawn from its own duration, so that every run is killed at least once.
        Returns the numbers of kills and of resumes (kills after the first checkpoint / restart
        point; the others start again from scratch)."""
        kills = resumes = 0
        args = first
        while True:
            kill_after = self.rng.uniform(0.05, 0.95) * duration if kills < 3 and (kills == 0 or self.rng.random() < 0.5) else None
            status, seconds = self.run(args, kill_after)
            if status == -signal.SIGKILL:
                kills += 1
            elif status == 0 and kills == 0:
                reset()
                duration = seconds
                continue
            elif status == 0:
                return kills, resumes
            else:
                raise RuntimeError(f"eqt {' '.join(args)} failed with status {status}; see {self.log}")
            resumes += can_resume()
            args = resume if can_resume() else first


def check_train(runner, work, kills, epochs):
    os.makedirs(work, exist_ok=True)
    write_dataset(os.path.join(work, "train.xyz"), 24, 0)
    write_dataset(os.path.join(work, "val.xyz"), 8, 1)
    config = os.path.join(work, "cfg.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(train=os.path.join(work, "train.xyz"), val=os.path.join(work, "val.xyz"), epochs=epochs))
    reference = os.path.join(work, "reference")
    status, duration = runner.run(["train", config, "--run-dir", reference, "--quiet"])
    if status != 0:
        raise RuntimeError(f"the reference training run failed ({status}); see {runner.log}")
    compared = {"model/weights.safetensors": read, "metrics.csv": metrics_without_time}
    expected = {name: get(os.path.join(reference, name)) for name, get in compared.items()}
    failures = total_kills = total_resumes = 0
    for k in range(kills):
        run_dir = os.path.join(work, f"killed{k}")
        first = ["train", config, "--run-dir", run_dir, "--quiet"]
        resume = ["train", "--resume", run_dir, "--quiet"]
        last = os.path.join(run_dir, "checkpoints", "last", "checkpoint.pt")
        n, resumed = runner.until_done(first, resume, lambda: os.path.exists(last),
                                       lambda: shutil.rmtree(run_dir, ignore_errors=True), duration)
        different = [name for name, get in compared.items() if get(os.path.join(run_dir, name)) != expected[name]]
        failures += bool(different)
        total_kills += n
        total_resumes += resumed
        if different:
            shutil.copytree(run_dir, run_dir + "-different")
        print(f"train {k}: killed {n} time(s), resumed {resumed}: " + ("SAME" if not different else f"DIFFERENT: {', '.join(different)}"),
              flush=True)
        shutil.rmtree(run_dir)
    return failures, duration, total_kills, total_resumes


def check_md(runner, work, kills, steps, model):
    os.makedirs(work, exist_ok=True)
    # Periodic: atoms cross the cell's faces (wrapping, image counts in the restart file) and
    # pairs reach across them (shift vectors).
    structure = os.path.join(work, "box.xyz")
    write_periodic_box(structure, 40, 8.0, 2)
    common = ["md", "--model", model, "--input", structure, "--frame", "0", "--steps", str(steps), "--dt", "0.25",
              "--thermostat", "langevin", "--temperature", "300", "--init-temperature", "300", "--seed", "7",
              "--skin", "0.3", "--traj-every", "1", "--log-every", "1", "--restart-every", "25"]

    def outputs(d):
        return ["--traj", os.path.join(d, "traj.xyz"), "--log", os.path.join(d, "thermo.csv")]

    reference = os.path.join(work, "reference")
    os.makedirs(reference)
    status, duration = runner.run(common + outputs(reference))
    if status != 0:
        raise RuntimeError(f"the reference md run failed ({status}); see {runner.log}")
    compared = ["traj.xyz", "thermo.csv"]
    expected = {name: read(os.path.join(reference, name)) for name in compared}
    failures = total_kills = total_resumes = 0
    for k in range(kills):
        d = os.path.join(work, f"killed{k}")
        os.makedirs(d)
        first = common + outputs(d)
        restart = os.path.join(d, "traj.xyz.restart")
        def reset():
            shutil.rmtree(d)
            os.makedirs(d)

        n, resumed = runner.until_done(first, first + ["--resume"], lambda: os.path.exists(restart), reset, duration)
        different = [name for name in compared if read(os.path.join(d, name)) != expected[name]]
        failures += bool(different)
        total_kills += n
        total_resumes += resumed
        if different:
            shutil.copytree(d, d + "-different")
        print(f"md {k}: killed {n} time(s), resumed {resumed}: " + ("SAME" if not different else f"DIFFERENT: {', '.join(different)}"),
              flush=True)
        shutil.rmtree(d)
    return failures, duration, total_kills, total_resumes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eqt", required=True, help="the eqt executable")
    parser.add_argument("--kills", type=int, default=20, help="killed runs per command (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    parser.add_argument("--work", help="working directory (default: a new temporary one, removed at the end)")
    parser.add_argument("--only", choices=["train", "md"], help="check only this command")
    parser.add_argument("--epochs", type=int, default=6, help="training epochs (24 structures, 6 steps each)")
    parser.add_argument("--md-steps", type=int, default=300, help="md steps")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="eqt-kill-resume-")
    os.makedirs(work, exist_ok=True)
    runner = Runner(os.path.abspath(args.eqt), random.Random(args.seed), os.path.join(work, "eqt.log"))
    start = time.monotonic()
    failures = 0
    try:
        train_dir = os.path.join(work, "train")
        # md needs a model: the reference training run exports one (trained even with --only md).
        if args.only == "md":
            f, *_ = check_train(runner, train_dir, 0, args.epochs)
        else:
            f, seconds, n, r = check_train(runner, train_dir, args.kills, args.epochs)
            print(f"train: {args.kills} killed runs ({n} kills, {r} resumes), {f} different; "
                  f"uninterrupted run {seconds:.2f} s", flush=True)
        failures += f
        if args.only != "train":
            f, seconds, n, r = check_md(runner, os.path.join(work, "md"), args.kills, args.md_steps,
                                        os.path.join(train_dir, "reference", "model"))
            print(f"md: {args.kills} killed runs ({n} kills, {r} resumes), {f} different; "
                  f"uninterrupted run {seconds:.2f} s", flush=True)
            failures += f
    finally:
        print(f"wall time {time.monotonic() - start:.1f} s", flush=True)
        if not args.work and failures == 0:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"FAILED: {failures} resumed run(s) differ from the uninterrupted one (files kept in {work})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
