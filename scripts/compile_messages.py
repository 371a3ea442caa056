"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib: no GNU gettext needed."""

import os
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    compiled = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # Written aside then renamed: test processes running side by side (pytest-xdist) may compile
        # at the same moment, and none may read a half-written catalogue.
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        polib.pofile(str(po_path)).save_as_mofile(str(partial))
        os.replace(partial, mo_path)
        compiled += 1
    print(f"compiled {compiled} message catalogue(s)")


if __name__ == "__main__":
    main()
