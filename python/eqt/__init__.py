"""eqt: Equiformer, PET and ECSE models evaluated by eqt's C++/LibTorch code.

``eqt.ase.EqtCalculator`` is the ASE calculator; ``eqt.Potential`` the lower-level evaluator it
uses (numpy in, numpy out; torch is never imported).
"""
from ._eqt import EqtError, Potential, __version__, get_num_threads, set_num_threads

__all__ = ["EqtError", "Potential", "get_num_threads", "set_num_threads", "__version__"]
