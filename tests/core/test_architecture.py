"""The house's rules, run by the test command: imports only go down and never in a circle
(``.importlinter``), and ruff's checks pass, small functions included (``pyproject.toml``)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    executable = shutil.which(tool, path=str(BIN)) or shutil.which(tool)
    if executable is None:
        pytest.fail(f"{tool} is not installed: it is in the test dependencies (pip install -e '.[test]')")
    return subprocess.run([executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_imports_only_go_down_and_never_in_a_circle():
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_ruff_finds_nothing_and_the_code_is_formatted():
    check = run("ruff", "check", "--no-cache", ".")
    assert check.returncode == 0, check.stdout[-4000:]
    formatted = run("ruff", "format", "--check", "--no-cache", ".")
    assert formatted.returncode == 0, formatted.stdout[-4000:]
