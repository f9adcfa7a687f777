"""Shared helpers of the Python tests: where ../shared, the eqt executable and the reference
models are, and `eqt predict` run on a list of ASE Atoms."""
import os
import subprocess
import tempfile
import unittest

import ase.io

SOURCE_DIR = os.environ.get("EQT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def shared_dir():
    """../shared next to the checkout, or $EQT_SHARED_DIR; None when absent."""
    candidate = os.environ.get("EQT_SHARED_DIR") or os.path.join(SOURCE_DIR, "..", "shared")
    return os.path.abspath(candidate) if os.path.isdir(candidate) else None


def strict_test_mode():
    """True where $CI is set and not empty (.ci/run sets CI=true): see tests/support/skip.h."""
    return bool(os.environ.get("CI"))


def skip_or_fail(test, message):
    """Skips `test` saying why a tool or file it needs is missing; in strict test mode (CI set)
    fails instead, so that a broken install cannot look green."""
    if strict_test_mode():
        test.fail("Missing prerequisite, and CI is set (strict test mode: would skip locally): " + message)
    test.skipTest(message)


def require_shared(test):
    """The shared directory, or skips (fails under CI) `test` saying why."""
    path = shared_dir()
    if path is None:
        skip_or_fail(test, "../shared not found next to the checkout (set EQT_SHARED_DIR): reference test skipped")
    return path


def equiformer_dir(shared, config="small_gat_nonlinear_exp"):
    return os.path.join(shared, "reference", "equiformer", config)


def pet_dir(shared):
    return os.path.join(shared, "reference", "pet", "pet_small")


def eqt_executable():
    return os.environ.get("EQT_EXECUTABLE") or os.path.join(SOURCE_DIR, "build", "eqt")


def libtorch_description():
    """`eqt --version`'s LibTorch line: says whether this build has CUDA."""
    run = subprocess.run([eqt_executable(), "--version"], capture_output=True, text=True, check=True)
    return run.stdout


def read_frames(path, index=":"):
    """Frames of an extxyz file without their labels (plain Atoms, no calculator)."""
    frames = ase.io.read(path, index=index)
    frames = frames if isinstance(frames, list) else [frames]
    for atoms in frames:
        atoms.calc = None
    return frames


def predict(model_dir, frames, *extra):
    """Runs `eqt predict` on `frames` (float64). Returns (inputs, outputs): the frames as ASE reads
    back the input file (its text positions, so both sides see the very same numbers) and the
    frames of eqt's output, whose energy / forces / stress ASE puts in a SinglePointCalculator."""
    with tempfile.TemporaryDirectory(prefix="eqt_python_test_") as tmp:
        source, target = os.path.join(tmp, "in.xyz"), os.path.join(tmp, "out.xyz")
        ase.io.write(source, frames, format="extxyz")
        # One thread, as ctest runs everything in parallel (eqt defaults to all cores).
        command = [eqt_executable(), "--threads", "1", "predict", "--model", model_dir, "--input", source,
                   "--output", target, "--dtype", "float64", *extra]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            raise AssertionError("eqt predict failed ({}):\n{}".format(run.returncode, run.stderr))
        return read_frames(source), ase.io.read(target, index=":")


class TestCase(unittest.TestCase):
    def assertClose(self, actual, expected, tolerance, what):
        import numpy as np

        actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
        self.assertEqual(actual.shape, expected.shape, what)
        difference = float(np.max(np.abs(actual - expected))) if actual.size else 0.0
        self.assertLessEqual(difference, tolerance, "{}: max |difference| {:.3g} > {:.3g}".format(
            what, difference, tolerance))
