"""EqtCalculator drives ASE's own algorithms: VelocityVerlet conserves energy, BFGS lowers the
energy and converges, and forces / stress agree with ASE's finite differences of the energy."""
import os
import threading
import time
import unittest

import numpy as np
from ase import units
from ase.build import molecule
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet
from ase.optimize import BFGS

import eqt_testing
from eqt.ase import EqtCalculator


def water_box(shared):
    frames = eqt_testing.read_frames(os.path.join(shared, "data", "water", "water_rpbe_d3_n2p2.xyz"))
    return next(atoms for atoms in frames if len(atoms) == 48)


class Dynamics(eqt_testing.TestCase):
    def pet(self):
        return EqtCalculator(eqt_testing.pet_dir(eqt_testing.require_shared(self)))

    def test_velocity_verlet_conserves_energy(self):
        atoms = molecule("CH3CH2OH")
        atoms.calc = self.pet()
        MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(0))
        totals, kinetic = [], []

        def record():
            totals.append(atoms.get_total_energy())
            kinetic.append(atoms.get_kinetic_energy())

        dynamics = VelocityVerlet(atoms, timestep=0.25 * units.fs)
        dynamics.attach(record, interval=1)
        dynamics.run(40)
        self.assertEqual(len(totals), 41)
        # Velocity Verlet's error is O(dt^2) and bounded: the total energy fluctuates by far less than
        # the kinetic energy it exchanges with the potential.
        drift = max(totals) - min(totals)
        self.assertLess(drift, 0.02 * np.mean(kinetic), "total energies {}".format(totals))
        self.assertGreater(max(kinetic) - min(kinetic), 10 * drift, "the molecule must actually move")

    def test_bfgs_lowers_the_energy_and_converges(self):
        # The reference models have random weights: this one (unlike the PET reference, whose atoms
        # drift apart beyond its cutoff) holds a distorted CH4 together in a minimum.
        atoms = molecule("CH4")
        atoms.positions += np.random.default_rng(1).normal(0.0, 0.1, atoms.positions.shape)
        atoms.calc = EqtCalculator(eqt_testing.equiformer_dir(eqt_testing.require_shared(self), "small_dp_exp"))
        start = atoms.get_potential_energy()
        optimiser = BFGS(atoms, logfile=None)
        optimiser.run(fmax=0.01, steps=100)
        self.assertLess(np.linalg.norm(atoms.get_forces(), axis=1).max(), 0.01)
        self.assertLess(optimiser.get_number_of_steps(), 100)
        self.assertLess(atoms.get_potential_energy(), start - 0.01)
        self.assertLess(atoms.get_all_distances().max(), 3.0, "the molecule must stay together")

    def test_forces_are_minus_the_energy_gradient(self):
        atoms = molecule("CH3OH")
        atoms.calc = self.pet()
        numerical = atoms.calc.calculate_numerical_forces(atoms, d=1e-4)
        self.assertClose(atoms.get_forces(), numerical, 1e-6, "forces vs central differences")

    def test_stress_is_the_strain_derivative(self):
        shared = eqt_testing.require_shared(self)
        atoms = eqt_testing.read_frames(os.path.join(shared, "data", "solids", "carbon_gap20.xyz"), "0:1")[0]
        atoms.calc = self.pet()
        numerical = atoms.calc.calculate_numerical_stress(atoms, d=1e-5)
        self.assertClose(atoms.get_stress(), numerical, 1e-6, "stress vs central differences")

    def test_other_python_threads_run_during_an_evaluation(self):
        atoms = water_box(eqt_testing.require_shared(self))
        atoms.calc = self.pet()
        ticks, done = [], threading.Event()

        def ticker():
            while not done.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.001)

        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            time.sleep(0.01)
            begin = time.monotonic()
            atoms.calc.potential.compute(atoms.numbers, atoms.positions, atoms.cell.array, (True,) * 3, stress=True)
            end = time.monotonic()
        finally:
            done.set()
            thread.join()
        # With the GIL held for the whole evaluation the ticker could not append anything inside it.
        margin = 0.2 * (end - begin)
        inside = [t for t in ticks if begin + margin < t < end - margin]
        self.assertGreater(len(inside), 0, "no Python thread ran during {:.3f} s of evaluation".format(end - begin))


if __name__ == "__main__":
    unittest.main()
