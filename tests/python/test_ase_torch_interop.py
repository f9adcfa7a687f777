"""eqt's module and PyTorch (Debian's python3-torch, the same LibTorch) live in one process in either
import order, and give the same numbers as without torch."""
import importlib.util
import os
import subprocess
import sys
import unittest

from ase.build import molecule

import eqt_testing
from eqt.ase import EqtCalculator

SCRIPT = """
import {first}, {second}
from ase.build import molecule
from eqt.ase import EqtCalculator
atoms = molecule("CH3OH")
atoms.calc = EqtCalculator({model!r})
print(repr(atoms.get_potential_energy()))
x = torch.ones(3, dtype=torch.float64, requires_grad=True)
(x * x).sum().backward()
assert x.grad.tolist() == [2.0, 2.0, 2.0]
"""


class TorchInterop(eqt_testing.TestCase):
    def test_either_import_order(self):
        model = eqt_testing.pet_dir(eqt_testing.require_shared(self))
        if importlib.util.find_spec("torch") is None:
            eqt_testing.skip_or_fail(self, "python3-torch is not installed")
        atoms = molecule("CH3OH")
        atoms.calc = EqtCalculator(model)
        expected = atoms.get_potential_energy()
        for first, second in (("torch", "eqt.ase"), ("eqt.ase", "torch")):
            run = subprocess.run([sys.executable, "-c", SCRIPT.format(first=first, second=second, model=model)],
                                 capture_output=True, text=True, env=dict(os.environ))
            self.assertEqual(run.returncode, 0, "import {}, {}:\n{}".format(first, second, run.stderr))
            self.assertEqual(float(run.stdout.strip().splitlines()[-1]), expected, "import {}, {}".format(first, second))


if __name__ == "__main__":
    unittest.main()
