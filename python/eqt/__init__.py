"""eqt: Equiformer, PET and ECSE models evaluated by eqt's C++/LibTorch code.

``eqt.ase.EqtCalculator`` is the ASE calculator; ``eqt.Potential`` the lower-level evaluator it
uses (numpy in, numpy out; torch is never imported).
"""
import os as _os

# OpenMP threads that sleep instead of spinning at barriers, unless the user chose a policy: on a
# machine where other processes compete for the cores, spinning made training up to 15x slower
# (docs/reliability.md, "Shared machines"). libgomp reads this once, when it is first loaded, so it
# takes effect only if nothing (e.g. ``import torch``) loaded it before ``import eqt``.
if not ({"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"} & set(_os.environ)) and _os.environ.get("EQT_OMP_WAIT") != "default":
    _os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

from ._eqt import EqtError, Potential, __version__, get_num_threads, set_num_threads

__all__ = ["EqtError", "Potential", "get_num_threads", "set_num_threads", "__version__"]
