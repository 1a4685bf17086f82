"""The same trainer on JAX: one device and two simulated devices give the same losses."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")


def _run(devices: int, arch: str = "cgan-strong", module: str = "ml.train.devices_check") -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3",
           "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    done = subprocess.run([sys.executable, "-m", module, arch], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_data_parallel_over_two_devices_matches_one_device():
    one, two = _run(1), _run(2)
    assert (one["devices"], two["devices"]) == (1, 2)
    assert one["status"] == two["status"] == "succeeded"
    losses_one, losses_two = np.array(one["losses"]), np.array(two["losses"])
    assert losses_one.shape == (6, 2) and np.isfinite(losses_one).all()
    np.testing.assert_allclose(losses_two, losses_one, rtol=2e-3, atol=2e-4)


def test_simultaneous_update_matches_alternating_on_jax():
    result = _run(1, module="ml.train.update_check")
    assert result["backend"] == "jax"
    assert result["discriminator_moved"] > 1e-3 and result["generator_moved"] > 1e-3
    assert result["discriminator_diff"] <= 1e-6 and result["generator_diff"] <= 1e-6
