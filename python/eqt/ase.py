"""ASE calculator for eqt model directories.

    from eqt.ase import EqtCalculator
    atoms.calc = EqtCalculator("model_dir")
    atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()

Units are ASE's: eV, eV/A, eV/A^3 (stress positive under tension, Voigt order xx yy zz yz xz xy).
"""
import os

import numpy as np
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes

from . import _eqt

# ASE's Voigt order of a symmetric 3x3 tensor.
_VOIGT = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))


def _tags(atoms, kind):
    """The atoms' OC20 tags (atoms.get_tags()) when they have any; OC20 models need them."""
    if atoms.has("tags"):
        return np.asarray(atoms.get_tags(), dtype=np.int64)
    if kind.startswith("equiformer_oc20"):
        raise ValueError(
            "the {} model needs per-atom OC20 tags (0 fixed sub-surface, 1 surface, 2 adsorbate): "
            "call atoms.set_tags(...) first".format(kind))
    return None


def _has_volume(atoms):
    return bool(atoms.pbc.any()) and abs(atoms.cell.volume) > 0


class EqtCalculator(Calculator):
    """Energy, forces and (periodic cells) stress of an eqt model directory.

    model_dir: eqt's model directory (model.json), an official export (config.json) or a training
        run directory (RUN_DIR/model), as `eqt predict --model` takes it.
    dtype: "float64" (default) or "float32" precision of the computation.
    threads: LibTorch threads for the whole process (None: leave LibTorch's setting, which follows
        OMP_NUM_THREADS).
    ecse: wrap the model in ECSE (exact rotational invariance by averaging over local frames);
        ecse_fallback: model directory ECSE uses where an environment has no frame;
        ecse_pruning: "single" (default, smooth energies for MD) or "official" (upstream's repeated
        passes), as `eqt predict --ecse-pruning`.
    device: where the model computes: "cpu" (default), "cuda" or "cuda:N", as `eqt predict --device`
        (needs an eqt built against a LibTorch with CUDA; otherwise a RuntimeError says so).

    The model's other outputs (e.g. per-structure targets, atomic_energies) are put in
    ``calc.results`` under their own names, atomic_energies also as ASE's "energies". Models
    trained on dipoles give ASE's "dipole" (e*Angstrom, atoms.get_dipole_moment()) and "charges"
    (e, atoms.get_charges()); for other models ASE reports them as not present. Raises
    eqt.EqtError (a RuntimeError) for a missing or corrupt model directory and for elements the
    model was not trained on.
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress", "dipole", "charges"]

    def __init__(self, model_dir, dtype="float64", threads=None, ecse=False, ecse_fallback=None,
                 ecse_pruning="single", device="cpu", **kwargs):
        Calculator.__init__(self, **kwargs)
        self.model_dir = os.fspath(model_dir)
        if threads is not None:
            _eqt.set_num_threads(int(threads))
        fallback = None if ecse_fallback is None else os.fspath(ecse_fallback)
        self.potential = _eqt.Potential(self.model_dir, dtype=dtype, ecse=bool(ecse), ecse_fallback=fallback,
                                        ecse_pruning=ecse_pruning, device=str(device))

    def check_state(self, atoms, tol=1e-15):
        # ASE's state check ignores tags, which OC20 models read: retagged atoms must be recomputed.
        changes = Calculator.check_state(self, atoms, tol)
        if self.atoms is not None and not np.array_equal(self.atoms.get_tags(), atoms.get_tags()):
            changes.append("tags")
        return changes

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        atoms = self.atoms
        periodic = _has_volume(atoms)
        if "stress" in properties and not periodic:
            raise PropertyNotImplementedError(
                "stress needs a periodic cell with a non-zero volume (pbc={}, cell volume {:g} A^3)".format(
                    atoms.pbc.tolist(), abs(atoms.cell.volume)))
        # Forces always (ASE asks for them right after the energy, and they cost one backward
        # pass); stress whenever there is a cell volume, as `eqt predict` does.
        out = self.potential.compute(
            np.asarray(atoms.numbers, dtype=np.int64),
            np.asarray(atoms.positions, dtype=np.float64),
            np.asarray(atoms.cell.array, dtype=np.float64),
            tuple(bool(p) for p in atoms.pbc),
            forces=True,
            stress=periodic,
            tags=_tags(atoms, self.potential.kind),
        )
        energy = out.pop("energy")
        self.results["energy"] = energy
        self.results["free_energy"] = energy
        self.results["forces"] = out.pop("forces")
        stress = out.pop("stress", None)
        if stress is not None:
            self.results["stress"] = np.array([stress[i, j] for i, j in _VOIGT])
        if "atomic_energies" in out:  # ASE's name for per-atom energies (atoms.get_potential_energies())
            self.results["energies"] = out["atomic_energies"]
        self.results.update(out)

    def __repr__(self):
        return "EqtCalculator({!r}, kind={!r}, dtype={!r})".format(
            self.model_dir, self.potential.kind, self.potential.dtype)
