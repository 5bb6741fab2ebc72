"""Shared fixtures: the repository's sample network and the Rust `simulate` example."""

import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

import fpsnn

ROOT = pathlib.Path(__file__).resolve().parents[3]
DATA = ROOT / "examples" / "data"


@pytest.fixture
def xor_net():
    return fpsnn.Network.from_file(DATA / "xor_net.json")


@pytest.fixture
def xor_inputs():
    lines = [json.loads(l) for l in (DATA / "xor_inputs.jsonl").read_text().splitlines() if l.strip()]
    return [l["input_spikes"] for l in lines], [l["label"] for l in lines]


def _simulate_binary():
    """The Rust example `simulate`: $FPSNN_SIMULATE_BIN (what .ci/run builds), else
    built here with cargo, else None."""
    path = os.environ.get("FPSNN_SIMULATE_BIN")
    if path:
        return path
    built = ROOT / "target" / "release" / "examples" / "simulate"
    if shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "--example", "simulate"],
            cwd=ROOT,
            check=True,
        )
        return str(built)
    return str(built) if built.exists() else None


@pytest.fixture(scope="session")
def rust_simulate():
    binary = _simulate_binary()
    if binary is None:
        pytest.skip("the Rust example `simulate` is not built and cargo is not installed")

    def run(*args):
        out = subprocess.run([binary, *map(str, args)], cwd=ROOT, check=True, capture_output=True, text=True)
        return out.stdout

    return run


def bits(a):
    """The bits of a float64 array, for bit-for-bit comparisons."""
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.int64)
