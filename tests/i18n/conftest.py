import importlib.util
from pathlib import Path

import pytest
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """`make test` compiles the .mo files; a bare `pytest` run gets them here (only if stale)."""
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    # Catalogues loaded before the compile would be stale: let Django load them afresh.
    trans_real._translations = {}
    trans_real._default = None
