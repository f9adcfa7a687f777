"""OC20 models through the ASE calculator: the atoms' tags (atoms.get_tags()) reach the model, so
the calculator gives what `eqt predict` gives on the same extxyz (whose "tags" column the model
reads); atoms without tags are a clear error rather than a silent all-zero tagging."""
import os
import unittest

import numpy as np

import eqt_testing
from eqt.ase import EqtCalculator


class Oc20Tags(eqt_testing.TestCase):
    def setUp(self):
        shared = eqt_testing.require_shared(self)
        self.model = os.path.join(shared, "reference", "equiformer_oc20", "small_gat_nonlinear_aux")
        self.data = os.path.join(shared, "data", "oc20_synthetic", "is2re_val.xyz")
        for path in (self.model, self.data):
            if not os.path.exists(path):
                eqt_testing.skip_or_fail(self, "{} not found: OC20 calculator test skipped".format(path))

    def test_tags_reach_the_model_as_in_eqt_predict(self):
        frames = eqt_testing.read_frames(self.data, "0:2")
        inputs, outputs = eqt_testing.predict(self.model, frames, "--no-forces")
        calculator = EqtCalculator(self.model, threads=1)
        for atoms, expected in zip(inputs, outputs):
            self.assertTrue(atoms.has("tags"))
            self.assertGreater(int(np.count_nonzero(atoms.get_tags())), 0)
            atoms.calc = calculator
            energy = atoms.get_potential_energy()
            self.assertClose(energy, expected.get_potential_energy(), 1e-9, "relaxed energy")
            self.assertClose(calculator.results["relaxed_positions"], expected.arrays["relaxed_positions"], 1e-9,
                             "relaxed positions")
            # Other tags give another energy: the calculator does pass them (not zeros).
            retagged = atoms.copy()
            retagged.set_tags(np.zeros(len(atoms), dtype=int))
            retagged.calc = calculator
            self.assertGreater(abs(retagged.get_potential_energy() - energy), 1e-6)

    def test_atoms_without_tags_are_refused_with_a_message(self):
        atoms = eqt_testing.read_frames(self.data, "0")[0]
        del atoms.arrays["tags"]
        atoms.calc = EqtCalculator(self.model, threads=1)
        with self.assertRaises(ValueError) as caught:
            atoms.get_potential_energy()
        self.assertIn("tags", str(caught.exception))
        self.assertIn("set_tags", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
