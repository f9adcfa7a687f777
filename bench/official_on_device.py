#!/usr/bin/env python3
"""Times the OFFICIAL Equiformer v1 / PET code on a device (cpu, cuda, cuda:N) for bench_equiformer / bench_pet.

Why it exists: the shared peer harness (shared/peers/time_official.py, not part of eqt and not edited here) has no
device option and reads its clock without synchronising, which on a GPU times the kernel launches instead of the
work. This script imports that harness as a module (its path is --harness) and uses from it only helpers:
read_structures (ASE), make_batches, load_weights_into (safetensors), summarize, torch_blas_info, ensure_src,
check_origin, and its shim/ folder (pure-torch torch_cluster / torch_scatter / torch_geometric stand-ins).

Its own parts: importing the official sources from --src-root, building the model from --config-json, moving the
model and every input to the device with explicit .to(device) (not torch.set_default_device, whose Python mode
slows every op of the official code; and not the shim's Data.to, which is a no-op), and the timing loops, which
call torch.cuda.synchronize() before each clock read on a CUDA device.

What is timed is what the shared harness times (batch k = frames k*B .. k*B+B-1, float32 by default):
  Equiformer infer: model(node_atom, pos, batch) under torch.no_grad() as the official evaluate(), radius graph
                    included (inputs already on the device; the shim's radius_graph then runs there);
  Equiformer train: the same forward, 1*L2MAE(E) + 80*L2MAE(F) on (y-mean)/std and dy/std, backward, AdamW
                    (lr 5e-4; weight decay 1e-6, 0 for biases, norm affines and mean shifts);
  PET: graphs built on the CPU by the official Python path (get_pyg_graphs) and collated (Batch.from_data_list),
       then moved to the device (timed on its own as h2d_sec_*); headline = the model call only:
       infer mlip(batch, augmentation=False, create_graph=False); train mlip(..., True, True), ENERGY_WEIGHT *
       MSE(E)/rmse_E^2 + MSE(F)/rmse_F^2, backward, AdamW (lr and weight decay of default_hypers.yaml).
Prints one JSON line on stdout with the keys bench/peer_harness.h reads (sec_per_batch_all, n_atoms_per_batch,
energy_first_structure_raw (Equiformer) / energy_first_structure (PET), torch_version, torch_blas_info) plus device,
gpu_name and the settings. Progress goes to stderr.

  official_on_device.py --harness shared/peers/time_official.py --model equiformer|pet --src-root DIR --data FILE
      --config-json FILE [--weights FILE] [--device cpu|cuda|cuda:N] [--threads N] [--batch-size B]
      [--repeats R] [--warmup W] [--mode infer|train] [--dtype float32|float64 (PET)] [--e3nn-jit on|off]
"""
import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import types

import numpy as np


def log(*a):
    print("[official_on_device]", *a, file=sys.stderr, flush=True)


def import_shared_harness(path):
    if not os.path.isfile(path):
        raise SystemExit(f"--harness: no such file {path}")
    spec = importlib.util.spec_from_file_location("time_official", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Clock:
    """perf_counter that first waits for the device's queued work (CUDA runs asynchronously)."""

    def __init__(self, torch, device):
        self.torch, self.device = torch, device

    def __call__(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)
        return time.perf_counter()


def resolve_device(torch, text):
    try:
        device = torch.device(text)
    except RuntimeError as e:
        raise SystemExit(f"--device {text}: {e}")
    if device.type not in ("cpu", "cuda"):
        raise SystemExit(f"--device {text}: only cpu, cuda and cuda:N are supported")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit(f"--device {text}: this torch ({torch.__version__}) sees no CUDA GPU")
        index = device.index if device.index is not None else torch.cuda.current_device()
        if index >= torch.cuda.device_count():
            raise SystemExit(f"--device {text}: only {torch.cuda.device_count()} GPU(s) visible")
        device = torch.device("cuda", index)
        torch.cuda.set_device(device)
    return device


def timed_summary(h, seconds, batch_size, atoms):
    s = h.summarize(seconds)
    return {"sec_per_batch_median": s["median"], "sec_per_batch_min": s["min"], "sec_per_batch_mean": s["mean"],
            "sec_per_batch_all": s["all"], "structures_per_s": batch_size / s["median"],
            "atom_steps_per_s": atoms / s["median"], "n_atoms_per_batch": atoms}


# ---------------------------------------------------------------------------------------------------------------
# Equiformer
# ---------------------------------------------------------------------------------------------------------------
def pinned_source_folders(args):
    """The pinned e3nn / opt_einsum / opt_einsum_fx. main() puts them on sys.path before it imports
    torch, which may import opt_einsum itself (torch.backends.opt_einsum): a machine's own copy (the
    device machine has one) must not be the one loaded, or check_origin refuses it. The shims go on
    sys.path only after torch is imported (torch.fx would take the shim's tqdm)."""
    return [os.path.join(args.src_root, name) for name in ("e3nn", "opt_einsum", "opt_einsum_fx")]


def import_equiformer(h, args, info):
    src = args.src_root
    h.ensure_src(src, ["e3nn", "opt_einsum", "opt_einsum_fx", "equiformer"])
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.harness)), "shim"))
    nets = types.ModuleType("nets")  # the official nets/__init__.py imports the OC20 models too: skip it
    nets.__path__ = [os.path.join(src, "equiformer", "nets")]
    sys.modules["nets"] = nets
    import e3nn
    import opt_einsum
    import opt_einsum_fx
    for module, name in ((e3nn, "e3nn"), (opt_einsum, "opt_einsum"), (opt_einsum_fx, "opt_einsum_fx")):
        h.check_origin(module, os.path.join(src, name))
    if args.e3nn_jit == "off":  # e3nn builds its TorchScript code when the model is built: switch it off first
        e3nn.set_optimization_defaults(jit_script_fx=False)
    info["e3nn_version"] = e3nn.__version__
    info["e3nn_opt_defaults"] = e3nn.get_optimization_defaults()
    import nets.graph_attention_transformer_md17 as gat
    import nets.dp_attention_transformer_md17 as dp
    return {"GraphAttentionTransformerMD17": gat.GraphAttentionTransformerMD17,
            "DotProductAttentionTransformerMD17": dp.DotProductAttentionTransformerMD17}


def equiformer_optimizer(torch, model):
    no_decay_names = model.no_weight_decay() if hasattr(model, "no_weight_decay") else set()
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        exempt = (name in no_decay_names or name.endswith(".bias") or "bias." in name or
                  name.endswith((".affine_weight", ".affine_bias", ".mean_shift")))
        (no_decay if exempt else decay).append(p)
    return torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": 1e-6}],
                             lr=5e-4, eps=1e-8)


def run_equiformer(h, torch, args, device, dtype, frames, energies, forces, info):
    if dtype != torch.float32:
        raise SystemExit("Equiformer: float32 only here (the official node embedding is float32; "
                         "the shared harness patches it for float64)")
    classes = import_equiformer(h, args, info)
    with open(args.config_json) as f:
        config = json.load(f)
    torch.manual_seed(args.seed)
    model = classes[config["class"].split(".")[-1]](**config["constructor_kwargs"]).to(dtype)
    info["weights"] = h.load_weights_into(model, args.weights, dtype) if args.weights else "official init"
    model = model.to(device)
    clock = Clock(torch, device)
    batches = h.make_batches(len(frames), args.batch_size, args.warmup + args.repeats)
    inputs = []  # moved to the device before any timing, as the shared harness prepares them before timing
    for idx in batches:
        z = torch.cat([torch.as_tensor(frames[i].get_atomic_numbers(), dtype=torch.long) for i in idx])
        pos = torch.cat([torch.as_tensor(frames[i].get_positions(), dtype=dtype) for i in idx])
        b = torch.cat([torch.full((len(frames[i]),), n, dtype=torch.long) for n, i in enumerate(idx)])
        y = torch.as_tensor(energies[idx], dtype=dtype).reshape(-1, 1)
        dy = torch.cat([torch.as_tensor(forces[i], dtype=dtype) for i in idx])
        inputs.append(tuple(t.to(device) for t in (z, pos, b, y, dy)))

    from torch_cluster import radius_graph  # the shim the model calls
    graph_seconds = []
    for z, pos, b, _, _ in inputs[args.warmup:]:  # its share of every model call below, on the device
        t0 = clock()
        radius_graph(pos, r=float(model.max_radius), batch=b, max_num_neighbors=1000)
        graph_seconds.append(clock() - t0)

    def l2mae(a, b):
        return torch.linalg.vector_norm(a - b, dim=-1).mean()

    seconds, last = [], {}
    train = args.mode == "train"
    model.train(train)
    opt = equiformer_optimizer(torch, model) if train else None
    for k, (z, pos, b, y, dy) in enumerate(inputs):
        pos = pos.clone()
        t0 = clock()
        if train:
            e, f = model(node_atom=z, pos=pos, batch=b)
            loss = (l2mae(e, (y - model.task_mean) / model.task_std) +
                    80.0 * l2mae(f, dy / model.task_std))
            opt.zero_grad()
            loss.backward()
            opt.step()
        else:
            with torch.no_grad():  # as the official evaluate(); the model turns grad on for its forces
                e, f = model(node_atom=z, pos=pos, batch=b)
        dt = clock() - t0
        if k >= args.warmup:
            seconds.append(dt)
        last = {"loss_last": float(loss.detach())} if train else {"energy_first_structure_raw": float(e.reshape(-1)[0])}
        log(f"batch {k} ({'warm-up' if k < args.warmup else 'timed'}): {dt:.4f} s")
    atoms = statistics.median(int(z.numel()) for z, *_ in inputs[args.warmup:])
    res = timed_summary(h, seconds, args.batch_size, atoms)
    res["radius_graph_sec_median"] = statistics.median(graph_seconds)
    res["radius_graph_note"] = "shim radius_graph on the device, timed on its own; INCLUDED in sec_per_batch"
    res.update(last)
    return res


# ---------------------------------------------------------------------------------------------------------------
# PET
# ---------------------------------------------------------------------------------------------------------------
def import_pet(h, args):
    h.ensure_src(args.src_root, ["pet"])
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.harness)), "shim"))
    pet_root = os.path.join(args.src_root, "pet")
    package = types.ModuleType("petsrc")  # src/__init__.py loads the compiled calculator extension: skip it
    package.__path__ = [os.path.join(pet_root, "src")]
    sys.modules["petsrc"] = package
    import torch_geometric
    import torch_geometric.data
    sys.modules["petsrc.torch_geometric"] = torch_geometric
    sys.modules["petsrc.torch_geometric.data"] = torch_geometric.data
    import petsrc.data_preparation
    import petsrc.hypers
    import petsrc.pet
    import petsrc.utilities
    return pet_root, petsrc


def batch_to(batch, device):
    """Every tensor attribute of a collated batch moved to device (the shim's Batch.to returns itself)."""
    for key, value in list(vars(batch).items()):
        if hasattr(value, "to") and hasattr(value, "device"):
            setattr(batch, key, value.to(device))
    return batch


def run_pet(h, torch, args, device, dtype, frames, energies, forces, info):
    pet_root, petsrc = import_pet(h, args)
    from torch_geometric.data import Batch
    prep = petsrc.data_preparation
    hypers = petsrc.hypers.load_hypers_from_file(os.path.join(pet_root, "default_hypers", "default_hypers.yaml"))
    arch, fitting = hypers.ARCHITECTURAL_HYPERS, hypers.FITTING_SCHEME
    with open(args.config_json) as f:
        config = json.load(f)
    for key, value in config["architectural_hypers"].items():
        setattr(arch, key, value)
    arch.D_OUTPUT, arch.TARGET_TYPE, arch.TARGET_AGGREGATION = 1, "structural", "sum"  # as train_model.py
    species = np.array(config["all_species"]) if "all_species" in config else prep.get_all_species(frames)
    for atoms, e, f in zip(frames, energies, forces):  # the official helpers read info / arrays
        atoms.info["energy"] = float(e)
        atoms.arrays["forces"] = np.asarray(f, dtype=np.float64)
    torch.manual_seed(args.seed)
    pet = petsrc.pet.PET(arch, 0.0, len(species)).to(dtype)
    info["weights"] = h.load_weights_into(pet, args.weights, dtype) if args.weights else "official init"
    mlip = petsrc.pet.PETMLIPWrapper(petsrc.pet.PETUtilityWrapper(pet, fitting.GLOBAL_AUG), True, True).to(device)

    train = args.mode == "train"
    baseline = prep.get_self_contributions("energy", frames, species)
    corrected = prep.get_corrected_energies("energy", frames, species, baseline)
    rmse_e = float(petsrc.utilities.get_rmse(corrected, np.mean(corrected))) or 1.0
    rmse_f = float(petsrc.utilities.get_rmse(np.concatenate(forces, 0), 0.0)) or 1.0
    mlip.train(train)
    opt = torch.optim.AdamW(mlip.parameters(), lr=fitting.INITIAL_LR, weight_decay=fitting.WEIGHT_DECAY) if train else None
    clock = Clock(torch, device)
    parts = {"neighbour_list": [], "collate": [], "h2d": [], "model": []}
    atoms, last = [], {}
    for k, idx in enumerate(h.make_batches(len(frames), args.batch_size, args.warmup + args.repeats)):
        t0 = clock()
        graphs = prep.get_pyg_graphs([frames[i] for i in idx], species, arch.R_CUT, arch.USE_ADDITIONAL_SCALAR_ATTRIBUTES,
                                     arch.USE_LONG_RANGE, arch.K_CUT, arch.N_TARGETS > 1, arch.TARGET_INDEX_KEY)
        t1 = clock()
        if train:  # targets: data, not timed (as the shared harness)
            prep.update_pyg_graphs(graphs, "y", [torch.tensor(corrected[i], dtype=dtype) for i in idx])
            prep.update_pyg_graphs(graphs, "forces", [torch.as_tensor(forces[i], dtype=dtype) for i in idx])
        t2 = clock()
        batch = Batch.from_data_list(graphs)
        t3 = clock()
        batch = batch_to(batch, device)
        t4 = clock()
        if train:
            e, f = mlip(batch, augmentation=True, create_graph=True)
            loss = (fitting.ENERGY_WEIGHT * petsrc.utilities.get_loss(e, batch.y, False, False) / rmse_e ** 2 +
                    petsrc.utilities.get_loss(f, batch.forces, False, False) / rmse_f ** 2)
            loss.backward()
            opt.step()
            opt.zero_grad()
        else:
            e, f = mlip(batch, augmentation=False, create_graph=False)
        t5 = clock()
        last = {"loss_last": float(loss.detach())} if train else {"energy_first_structure": float(e.reshape(-1)[0])}
        if k >= args.warmup:
            for key, dt in (("neighbour_list", t1 - t0), ("collate", t3 - t2), ("h2d", t4 - t3), ("model", t5 - t4)):
                parts[key].append(dt)
            atoms.append(int(batch.x.shape[0]))
        log(f"batch {k} ({'warm-up' if k < args.warmup else 'timed'}): neighbour lists {t1 - t0:.4f} s, "
            f"collate {t3 - t2:.4f} s, to {device} {t4 - t3:.4f} s, model {t5 - t4:.4f} s")
    res = timed_summary(h, parts["model"], args.batch_size, statistics.median(atoms))  # headline: the model call
    for key in ("neighbour_list", "collate", "h2d"):
        res[f"{key}_sec_median"] = statistics.median(parts[key])
    res.update(last)
    return res


# ---------------------------------------------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--harness", required=True, help="the shared harness time_official.py (helpers + shim/)")
    ap.add_argument("--model", required=True, choices=["equiformer", "pet"])
    ap.add_argument("--src-root", required=True, help="folder with the exported official source trees")
    ap.add_argument("--data", required=True, help="extxyz file (read with ASE)")
    ap.add_argument("--config-json", required=True, help="equiformer: class + constructor_kwargs; "
                    "pet: architectural_hypers [+ all_species] (as bench_equiformer / bench_pet write them)")
    ap.add_argument("--weights", default=None, help="safetensors state dict (else the official initialisation)")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--mode", default="infer", choices=["infer", "train"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--e3nn-jit", default="on", choices=["on", "off"],
                    help="off: e3nn.set_optimization_defaults(jit_script_fx=False), for a torch on which e3nn "
                         "0.5.1's TorchScript code generation fails")
    args = ap.parse_args()
    if args.batch_size < 1 or args.repeats < 1 or args.warmup < 0:
        raise SystemExit("need --batch-size >= 1, --repeats >= 1, --warmup >= 0")
    args.src_root = os.path.abspath(args.src_root)
    return args


def main():
    args = parse_args()
    h = import_shared_harness(args.harness)
    if args.model == "equiformer":
        sys.path[:0] = pinned_source_folders(args)
    import torch
    import torch.fx.interpreter  # noqa: F401  (now, while `tqdm` is still the real one: see pinned_source_folders)
    torch.set_num_threads(args.threads)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    torch.set_default_dtype(dtype)  # as the shared harness: e3nn builds its constants in it
    device = resolve_device(torch, args.device)
    frames, energies, forces = h.read_structures(args.data, args.batch_size * (args.warmup + args.repeats))
    info = {"harness": "official_on_device.py", "shared_harness_version": getattr(h, "HARNESS_VERSION", "?"),
            "model": args.model, "mode": args.mode, "dtype": args.dtype, "device": str(device),
            "gpu_name": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
            "batch_size": args.batch_size, "repeats": args.repeats, "warmup": args.warmup,
            "threads": torch.get_num_threads(), "torch_version": torch.__version__,
            "python_version": platform.python_version(), "numpy_version": np.__version__,
            "data": os.path.basename(args.data), "structures_used": len(frames)}
    run = run_equiformer if args.model == "equiformer" else run_pet
    info.update(run(h, torch, args, device, dtype, frames, energies, forces, info))
    info["torch_blas_info"] = h.torch_blas_info(torch)
    print(json.dumps(info, default=str), flush=True)


if __name__ == "__main__":
    main()
