"""eqt: Equiformer, PET and ECSE models evaluated by eqt's C++/LibTorch code.

``eqt.ase.EqtCalculator`` is the ASE calculator; ``eqt.Potential`` the lower-level evaluator it
uses (numpy in, numpy out; torch is never imported).
"""
import os as _os

# OpenMP threads sleep instead of spinning at barriers when the machine's cores are busy with other
# work (as the eqt command decides, docs/reliability.md "Shared machines"), unless the user chose a
# policy. libgomp reads this once, when it is first loaded, so it takes effect only if nothing
# (e.g. ``import torch``) loaded it before ``import eqt``.
def _cores_look_busy():
    import time

    try:
        others = []
        for _ in range(5):  # the fewest runnable tasks over 10 ms, as src/eqt/core/omp_wait_policy.cpp
            with open("/proc/loadavg") as f:
                others.append(int(f.read().split()[3].split("/")[0]) - 1)
            time.sleep(0.002)
        elsewhere = max(0, _os.cpu_count() - len(_os.sched_getaffinity(0)))
        return min(others) > elsewhere
    except (OSError, ValueError, IndexError):
        return False


if not ({"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"} & set(_os.environ)):
    _mode = _os.environ.get("EQT_OMP_WAIT", "auto")
    if _mode == "passive" or (_mode == "auto" and _cores_look_busy()):
        _os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

from ._eqt import EqtError, Potential, __version__, get_num_threads, set_num_threads

__all__ = ["EqtError", "Potential", "get_num_threads", "set_num_threads", "__version__"]
