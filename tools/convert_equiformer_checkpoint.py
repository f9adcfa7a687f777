#!/usr/bin/env python3
"""Convert an official Equiformer (v1) PyTorch checkpoint into a directory `eqt predict --model` loads.

The output is laid out exactly like eqt's reference exports:
    OUT/config.json          {"class", "constructor_kwargs", "module_constants", "converted_from", "tensors"}
    OUT/weights.safetensors  the state dict under the official names (dtype kept)

Input: a .pth / .pt / .pth.tar file holding either a state dict or a dict with "state_dict" (what
main_md17.py / main_qm9.py save, for the model and for its EMA) or "model"; plus the model's class
and constructor arguments, given either as
    --config CONFIG.json                      {"class": ..., "constructor_kwargs": {...}}
                                              (optionally "module_constants")
or  --model-name NAME [--radius R] [--num-basis K] [--task-mean M] [--task-std S] [--set key=JSON ...]
                                              an official registry name (as in main_md17.py's
                                              --model-name) and the arguments main_md17.py passes.

Dropped on the way (as in the reference exports): e3nn's internal buffers (output_mask,
_compiled_main_* / _w3j_* constants) and empty tensors, and the "module." prefix of DataParallel.
An "atomref" buffer moves into constructor_kwargs["atomref"]. Needs only Python 3 and torch.
"""
import argparse
import collections
import json
import os
import struct
import sys
import tempfile

GAT_MD17 = "nets.graph_attention_transformer_md17.GraphAttentionTransformerMD17"
DP_MD17 = "nets.dp_attention_transformer_md17.DotProductAttentionTransformerMD17"

# Module constants of the official MD17 files (_AVG_NUM_NODES etc.), recorded for eqt.
MD17_CONSTANTS = {"_AVG_NUM_NODES": 18.03065905448718, "_AVG_DEGREE": 15.57930850982666,
                  "_MAX_ATOM_TYPE": 64, "_RESCALE": True, "_USE_BIAS": True}


def _registry_entry(cls, l3=False, **overrides):
    kwargs = {
        "irreps_node_embedding": "128x0e+64x1e+32x2e", "num_layers": 6, "irreps_node_attr": "1x0e",
        "irreps_sh": "1x0e+1x1e+1x2e", "fc_neurons": [64, 64], "irreps_feature": "512x0e",
        "irreps_head": "32x0e+16x1e+8x2e", "num_heads": 4, "irreps_pre_attn": None, "rescale_degree": False,
        "nonlinear_message": False, "irreps_mlp_mid": "384x0e+192x1e+96x2e", "norm_layer": "layer",
        "alpha_drop": 0.0, "proj_drop": 0.0, "out_drop": 0.0, "drop_path_rate": 0.0, "scale": None,
    }
    if l3:
        kwargs.update({"irreps_node_embedding": "128x0e+64x1e+64x2e+32x3e", "irreps_sh": "1x0e+1x1e+1x2e+1x3e",
                       "irreps_head": "32x0e+16x1e+16x2e+8x3e", "irreps_mlp_mid": "384x0e+192x1e+192x2e+96x3e"})
    kwargs.update(overrides)
    return cls, kwargs


# The official registry functions (nets/graph_attention_transformer_md17.py and
# nets/dp_attention_transformer_md17.py, atomicarchitects/equiformer) that eqt can run.
REGISTRY = {
    "graph_attention_transformer_l2_md17": _registry_entry(GAT_MD17, alpha_drop=0.2),
    "graph_attention_transformer_nonlinear_l2_md17": _registry_entry(GAT_MD17, nonlinear_message=True, alpha_drop=0.2),
    "graph_attention_transformer_nonlinear_bessel_l2_md17":
        _registry_entry(GAT_MD17, nonlinear_message=True, basis_type="bessel"),
    "graph_attention_transformer_nonlinear_exp_l2_md17":
        _registry_entry(GAT_MD17, nonlinear_message=True, basis_type="exp"),
    "graph_attention_transformer_nonlinear_exp_l3_md17":
        _registry_entry(GAT_MD17, l3=True, nonlinear_message=True, basis_type="exp"),
    "graph_attention_transformer_nonlinear_bessel_l3_md17":
        _registry_entry(GAT_MD17, l3=True, nonlinear_message=True, basis_type="bessel"),
    "dot_product_attention_transformer_exp_l2_md17": _registry_entry(DP_MD17, basis_type="exp"),
    "dot_product_attention_transformer_exp_l3_md17": _registry_entry(DP_MD17, l3=True, basis_type="exp"),
}

SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16",
                      "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}


def fail(message):
    print("convert_equiformer_checkpoint: error: " + message, file=sys.stderr)
    sys.exit(1)


def load_checkpoint(path, use_ema):
    import torch
    try:
        checkpoint = torch.load(path, map_location="cpu")
    except Exception as error:  # noqa: BLE001 - any unreadable file is a user error here
        fail("{}: cannot read the checkpoint: {}".format(path, error))
    if not isinstance(checkpoint, dict):
        fail("{}: expected a state dict or a dict with 'state_dict', got {}".format(path, type(checkpoint).__name__))
    keys = ["state_dict_ema", "model_ema"] if use_ema else ["state_dict", "model"]
    for key in keys:
        if key in checkpoint and isinstance(checkpoint[key], dict):
            return checkpoint[key]
    if use_ema:
        fail("{}: no EMA weights ('state_dict_ema' / 'model_ema'); keys: {}".format(path, sorted(checkpoint)))
    if all(torch.is_tensor(v) for v in checkpoint.values()):
        return checkpoint
    fail("{}: no 'state_dict' or 'model' entry and not a state dict itself; keys: {}".format(path, sorted(checkpoint)))


def is_e3nn_internal(name, tensor):
    leaf = name.rsplit(".", 1)[-1]
    return (leaf == "output_mask" or "_compiled_main" in name or leaf.startswith("_w3j")
            or tensor.numel() == 0)


def clean_state_dict(state_dict):
    """Official names only; returns (tensors, atomref or None, dropped names)."""
    tensors, dropped, atomref = collections.OrderedDict(), [], None
    for name, tensor in state_dict.items():
        if name.startswith("module."):
            name = name[len("module."):]
        if name == "atomref":
            atomref = tensor.detach().reshape(-1).double().tolist()
        elif is_e3nn_internal(name, tensor):
            dropped.append(name)
        else:
            tensors[name] = tensor.detach().cpu().contiguous()
    return tensors, atomref, dropped


def serialize_safetensors(tensors, metadata):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, tensor in tensors.items():
        dtype = SAFETENSORS_DTYPES.get(str(tensor.dtype).replace("torch.", ""))
        if dtype is None:
            fail("tensor {} has dtype {}, which safetensors cannot hold".format(name, tensor.dtype))
        import torch
        # numpy has no bfloat16: write its bits through an int16 view.
        data = (tensor.view(torch.int16) if dtype == "BF16" else tensor).numpy().tobytes()
        if sys.byteorder != "little":
            fail("big-endian machines are not supported")
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # keep the data 8-byte aligned, as the reference writer does
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_atomically(path, data):
    directory = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def parse_value(text):
    """JSON when it parses (numbers, lists, null, true), otherwise the text itself (irreps strings)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def model_description(args):
    if args.config:
        with open(args.config) as f:
            try:
                config = json.load(f)
            except ValueError as error:
                fail("{}: not valid JSON: {}".format(args.config, error))
        if "class" not in config or not isinstance(config.get("constructor_kwargs"), dict):
            fail("{}: needs 'class' and a 'constructor_kwargs' object".format(args.config))
        cls, kwargs = config["class"], dict(config["constructor_kwargs"])
        constants = config.get("module_constants", MD17_CONSTANTS)
    else:
        if args.model_name not in REGISTRY:
            fail("unknown model name '{}'; known: {}".format(args.model_name, ", ".join(sorted(REGISTRY))))
        cls, kwargs = REGISTRY[args.model_name]
        kwargs = dict(kwargs, irreps_in="64x0e", max_radius=args.radius, number_of_basis=args.num_basis,
                      mean=args.task_mean, std=args.task_std, atomref=None)
        constants = MD17_CONSTANTS
        if args.task_mean is None or args.task_std is None:
            print("warning: no --task-mean / --task-std: energies will be the normalised network output "
                  "(main_md17.py logs the values as 'Training set mean / std')", file=sys.stderr)
    for item in args.set or []:
        if "=" not in item:
            fail("--set expects key=value, not '{}'".format(item))
        key, value = item.split("=", 1)
        kwargs[key] = parse_value(value)
    if cls not in (GAT_MD17, DP_MD17):
        print("warning: class {} is not one eqt registers; eqt predict will refuse it".format(cls), file=sys.stderr)
    return cls, kwargs, constants


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", help="official .pth / .pt / .pth.tar checkpoint")
    parser.add_argument("output", help="directory to write (created; must not exist unless --force)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="JSON with 'class' and 'constructor_kwargs'")
    source.add_argument("--model-name", help="official registry name, e.g. graph_attention_transformer_nonlinear_exp_l2_md17")
    parser.add_argument("--radius", type=float, default=5.0, help="cutoff, as main_md17.py --radius (default 5.0)")
    parser.add_argument("--num-basis", type=int, default=128, help="as main_md17.py --num-basis (default 128)")
    parser.add_argument("--task-mean", type=float, default=None, help="training energy mean (eV)")
    parser.add_argument("--task-std", type=float, default=None, help="training energy std (eV)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a constructor kwarg (JSON value)")
    parser.add_argument("--ema", action="store_true", help="take the EMA weights of a timm-style checkpoint")
    parser.add_argument("--force", action="store_true", help="replace the files of an existing output directory")
    args = parser.parse_args(argv)

    cls, kwargs, constants = model_description(args)
    tensors, atomref, dropped = clean_state_dict(load_checkpoint(args.checkpoint, args.ema))
    if atomref is not None:
        kwargs["atomref"] = atomref
    if os.path.exists(args.output) and not args.force:
        fail("{} exists (use --force to replace its files)".format(args.output))
    os.makedirs(args.output, exist_ok=True)
    config = collections.OrderedDict([
        ("class", cls), ("constructor_kwargs", kwargs), ("module_constants", constants),
        ("converted_from", os.path.abspath(args.checkpoint)),
        ("tensors", [{"name": n, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
                     for n, t in tensors.items()]),
    ])
    write_atomically(os.path.join(args.output, "weights.safetensors"),
                     serialize_safetensors(tensors, {"converted_from": os.path.basename(args.checkpoint)}))
    write_atomically(os.path.join(args.output, "config.json"), (json.dumps(config, indent=1) + "\n").encode("utf-8"))
    print("wrote {} tensors to {} (dropped {} e3nn internal buffers)".format(len(tensors), args.output, len(dropped)))


if __name__ == "__main__":
    main()
