"""EqtCalculator gives exactly what `eqt predict` writes (float64, 1e-10), for an official
Equiformer export and the PET reference, on molecules and on periodic carbon cells with stress."""
import os
import tempfile
import unittest

import numpy as np
from ase.build import molecule

import eqt
import eqt_testing
from eqt.ase import EqtCalculator

TOLERANCE = 1e-10


def rattled(name, seed, amplitude=0.05):
    atoms = molecule(name)
    atoms.positions += np.random.default_rng(seed).normal(0.0, amplitude, atoms.positions.shape)
    return atoms


def molecules(shared):
    ethanol = eqt_testing.read_frames(os.path.join(shared, "data", "rmd17", "rmd17_ethanol_test.xyz"), "0:2")
    return ethanol + [rattled("CH4", 0), rattled("H2O", 1), rattled("CH3CH2OH", 2)]


def carbon_cells(shared):
    """Two 4-atom periodic carbon cells (GAP-20), much smaller than the cutoff: many images."""
    return eqt_testing.read_frames(os.path.join(shared, "data", "solids", "carbon_gap20.xyz"), "0:2")


class PredictParity(eqt_testing.TestCase):
    def check(self, model_dir, frames, extra=(), **calculator_options):
        inputs, outputs = eqt_testing.predict(model_dir, frames, *extra)
        calc = EqtCalculator(model_dir, dtype="float64", **calculator_options)
        self.assertEqual(len(inputs), len(outputs))
        for k, (atoms, expected) in enumerate(zip(inputs, outputs)):
            what = "{} frame {}".format(os.path.basename(model_dir), k)
            atoms.calc = calc
            self.assertClose(atoms.get_potential_energy(), expected.get_potential_energy(), TOLERANCE, what + " energy")
            self.assertEqual(atoms.get_potential_energy(), calc.results["free_energy"])
            self.assertClose(atoms.get_forces(), expected.get_forces(), TOLERANCE, what + " forces")
            if "atomic_energies" in expected.arrays:
                self.assertClose(atoms.get_potential_energies(), expected.arrays["atomic_energies"], TOLERANCE,
                                 what + " atomic energies")
            if atoms.pbc.all():
                self.assertClose(atoms.get_stress(), expected.get_stress(), TOLERANCE, what + " stress")
        return inputs

    def test_equiformer_molecules(self):
        shared = eqt_testing.require_shared(self)
        self.check(eqt_testing.equiformer_dir(shared), molecules(shared))

    def test_equiformer_dot_product_molecules(self):
        shared = eqt_testing.require_shared(self)
        self.check(eqt_testing.equiformer_dir(shared, "small_dp_exp"), molecules(shared)[:3])

    def test_equiformer_periodic_with_stress(self):
        shared = eqt_testing.require_shared(self)
        for atoms in self.check(eqt_testing.equiformer_dir(shared), carbon_cells(shared)):
            self.assertGreater(np.abs(atoms.get_stress()).max(), 0.0)

    def test_pet_molecules(self):
        shared = eqt_testing.require_shared(self)
        self.check(eqt_testing.pet_dir(shared), molecules(shared))

    def test_pet_periodic_with_stress(self):
        shared = eqt_testing.require_shared(self)
        self.check(eqt_testing.pet_dir(shared), carbon_cells(shared))

    def test_ecse_pet_small_molecules(self):
        shared = eqt_testing.require_shared(self)
        frames = [rattled("CH4", 3), rattled("H2O", 4), rattled("NH3", 5)]
        self.check(eqt_testing.pet_dir(shared), frames, extra=("--ecse",), ecse=True)

    def test_ecse_pet_model_directory(self):
        """An ECSE(PET) model directory in eqt's format (kind "ecse(pet)"), written by
        Potential.save, evaluates as `eqt predict` evaluates it."""
        shared = eqt_testing.require_shared(self)
        with tempfile.TemporaryDirectory(prefix="eqt_python_ecse_") as tmp:
            model = os.path.join(tmp, "ecse_pet")
            eqt.Potential(eqt_testing.pet_dir(shared), ecse=True).save(model)
            self.assertEqual(eqt.Potential(model).kind, "ecse(pet)")
            self.check(model, [rattled("CH4", 7), rattled("H2O", 8)])

    def test_float32_is_close_to_float64(self):
        shared = eqt_testing.require_shared(self)
        atoms = rattled("CH3CH2OH", 6)
        atoms.calc = EqtCalculator(eqt_testing.pet_dir(shared), dtype="float32")
        energy32, forces32 = atoms.get_potential_energy(), atoms.get_forces()
        atoms.calc = EqtCalculator(eqt_testing.pet_dir(shared), dtype="float64")
        self.assertClose(energy32, atoms.get_potential_energy(), 1e-4, "float32 energy")
        self.assertClose(forces32, atoms.get_forces(), 1e-4, "float32 forces")


if __name__ == "__main__":
    unittest.main()
