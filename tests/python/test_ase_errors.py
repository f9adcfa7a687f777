"""Clear Python errors instead of crashes: missing or corrupt model directories, elements the
model does not know, stress of a molecule, arrays of the wrong shape."""
import os
import shutil
import tempfile
import unittest

import numpy as np
from ase import Atoms
from ase.build import molecule
from ase.calculators.calculator import PropertyNotImplementedError

import eqt
import eqt_testing
from eqt.ase import EqtCalculator


class Errors(eqt_testing.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="eqt_python_errors_")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_missing_model_directory(self):
        missing = os.path.join(self.tmp, "no_such_model")
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(missing)
        self.assertIn("no_such_model", str(caught.exception))
        self.assertIsInstance(caught.exception, RuntimeError)

    def test_directory_without_a_model(self):
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(self.tmp)
        self.assertIn(self.tmp, str(caught.exception))

    def copy_of_pet(self):
        model = os.path.join(self.tmp, "pet")
        shutil.copytree(eqt_testing.pet_dir(eqt_testing.require_shared(self)), model)
        return model

    def test_corrupt_config_json(self):
        model = self.copy_of_pet()
        with open(os.path.join(model, "config.json"), "w") as f:
            f.write('{"class": "src.pet.PET", "architectural_hypers": ')
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(model)
        self.assertIn("config.json", str(caught.exception))

    def test_truncated_weights(self):
        model = self.copy_of_pet()
        weights = os.path.join(model, "weights.safetensors")
        size = os.path.getsize(weights)
        with open(weights, "r+b") as f:
            f.truncate(size // 2)
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(model)
        self.assertIn("weights.safetensors", str(caught.exception))

    def test_device_this_build_cannot_use(self):
        pet = eqt_testing.pet_dir(eqt_testing.require_shared(self))
        calc = EqtCalculator(pet, device="cpu")
        self.assertEqual(calc.potential.kind, "pet")
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(pet, device="tpu")
        self.assertIn("give cpu, cuda or cuda:N", str(caught.exception))
        if "without CUDA" in eqt_testing.libtorch_description():
            with self.assertRaises(eqt.EqtError) as caught:
                EqtCalculator(pet, device="cuda")
            self.assertIn("this eqt cannot use CUDA", str(caught.exception))

    def test_unknown_dtype(self):
        with self.assertRaises(eqt.EqtError) as caught:
            EqtCalculator(self.copy_of_pet(), dtype="float16")
        self.assertIn("float16", str(caught.exception))

    def test_element_the_model_was_not_trained_on(self):
        atoms = Atoms("FeH", positions=[[0, 0, 0], [0, 0, 1.6]])
        atoms.calc = EqtCalculator(self.copy_of_pet())
        with self.assertRaises(eqt.EqtError) as caught:
            atoms.get_potential_energy()
        self.assertIn("26", str(caught.exception))  # PET names the atomic number

    def test_stress_of_a_molecule(self):
        atoms = molecule("H2O")
        atoms.calc = EqtCalculator(self.copy_of_pet())
        with self.assertRaises(PropertyNotImplementedError):
            atoms.get_stress()
        self.assertTrue(np.isfinite(atoms.get_potential_energy()))

    def test_arrays_of_the_wrong_shape(self):
        potential = eqt.Potential(self.copy_of_pet())
        with self.assertRaises(eqt.EqtError) as caught:
            potential.compute(np.array([1, 8]), np.zeros((3, 3)), np.zeros((3, 3)), (False,) * 3)
        self.assertIn("positions", str(caught.exception))

    def test_threads_option_sets_the_thread_count(self):
        EqtCalculator(self.copy_of_pet(), threads=1)
        self.assertEqual(eqt.get_num_threads(), 1)


if __name__ == "__main__":
    unittest.main()
