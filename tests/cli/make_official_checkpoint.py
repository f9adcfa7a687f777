#!/usr/bin/env python3
"""Test helper: an official-style checkpoint from a reference export.

Reads REF/weights.safetensors (with a minimal reader, independent of eqt and of the converter),
adds what real checkpoints carry and the reference exports omit (e3nn output_mask / _w3j buffers,
an empty weight, DataParallel's "module." prefix when --data-parallel), and saves
{"state_dict": OrderedDict} with torch.save, as main_md17.py does.
"""
import collections
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    tensors = collections.OrderedDict()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def main():
    reference, output = sys.argv[1], sys.argv[2]
    data_parallel = "--data-parallel" in sys.argv[3:]
    state = collections.OrderedDict()
    for name, tensor in read_safetensors(reference + "/weights.safetensors").items():
        state[name] = tensor
    first = next(iter(state)).rsplit(".", 1)[0]
    state[first + ".output_mask"] = torch.ones(4)
    state["blocks.0._compiled_main_left_right._w3j_1_1_0"] = torch.randn(3, 3, 1, dtype=torch.float64)
    state["blocks.0.empty.weight"] = torch.zeros(0, dtype=torch.float64)
    if data_parallel:
        state = collections.OrderedDict(("module." + k, v) for k, v in state.items())
    torch.save({"state_dict": state, "epoch": 7}, output)


if __name__ == "__main__":
    main()
