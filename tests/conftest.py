"""Shared fixtures: the shipped policy, a CLI runner that keeps stdout and stderr apart,
and a switch to refresh golden files deliberately (`pytest --update-golden`)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forcecheck.cli.app import app
from forcecheck.policy.load import load_policy

ROOT = Path(__file__).resolve().parents[1]
collect_ignore_glob = ["cases/*"]  # golden inputs, some broken on purpose: not scenario tests
SCENARIOS = ROOT / "scenarios"
POLICY_DIR = ROOT / "policy" / "dhs"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/cases/*/expected.* from current output")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Keep the tests' parser and policy caches (and the cache's key) out of the user's home."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def compiled(_private_cache):
    return load_policy()


@pytest.fixture(scope="session")
def policy(compiled):
    return compiled.policy


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli():
    return run_cli


def policy_tree(tmp_path: Path) -> Path:
    """A copy of the shipped policies (with their shared vocabulary) under `tmp_path`; returns
    the copy of the DHS policy's folder."""
    import shutil

    shutil.copytree(POLICY_DIR.parent, tmp_path / "policy")
    return tmp_path / "policy" / "dhs"


def split(cmd: str) -> list[str]:
    return shlex.split(cmd)
