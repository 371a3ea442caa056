"""Write the LibreOffice files the import tests read: real `soffice --headless --convert-to` output.

Run by hand where LibreOffice is installed (Debian: ``apt-get install libreoffice-calc-nogui``):
``.venv/bin/python tests/program_admin/files/make_files.py``. Each locale's rows (tests/program_admin/
spreadsheets.py) become a workbook, which LibreOffice, started in that locale, saves as CSV with the
filter options its "Save as CSV" dialog writes: separator, quote, character set (34 Windows-1251,
38 Windows-1256, 76 UTF-8, 65535 Unicode = UTF-16 with a BOM).
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accelerators.settings.base")

import django  # noqa: E402

django.setup()

from tests.program_admin import spreadsheets  # noqa: E402

HERE = Path(__file__).parent
# name: (rows, LANG, filter options: separator, quote, character set). In ar_AE LibreOffice writes
# the Arabic decimal separator (٫), which Windows-1256 lacks: that file says "10?5", as it would.
CSV_FILES = {
    "libreoffice-ru-cp1251-semicolon.csv": (spreadsheets.RUSSIAN, "ru_RU.UTF-8", "59,34,34"),
    "libreoffice-ar-cp1256-comma.csv": (spreadsheets.ARABIC, "ar_AE.UTF-8", "44,34,38"),
    "libreoffice-ar-utf8-comma.csv": (spreadsheets.ARABIC, "ar_AE.UTF-8", "44,34,76"),
    "libreoffice-uz-utf8-comma.csv": (spreadsheets.UZBEK, "uz_UZ.UTF-8", "44,34,76"),
    "libreoffice-ru-utf16-tab.csv": (spreadsheets.RUSSIAN, "ru_RU.UTF-8", "9,34,65535"),
}


def convert(source: Path, target: Path, lang: str, spec: str) -> None:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "LANG": lang, "LC_ALL": lang, "HOME": out}
        subprocess.run(
            ["soffice", "--headless", "--convert-to", spec, "--outdir", out, str(source)],
            check=True,
            env=env,
            capture_output=True,
        )
        produced = next(Path(out).glob(f"{source.stem}.*"))
        shutil.copyfile(produced, target)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        for name, (rows, lang, options) in CSV_FILES.items():
            source = Path(work) / "challenges.xlsx"
            source.write_bytes(spreadsheets.workbook(rows, grouped=rows is not spreadsheets.ARABIC))
            convert(source, HERE / name, lang, f"csv:Text - txt - csv (StarCalc):{options}")
        source = Path(work) / "challenges.xlsx"
        source.write_bytes(spreadsheets.workbook(spreadsheets.RUSSIAN))
        convert(source, HERE / "libreoffice-ru.xlsx", "ru_RU.UTF-8", "xlsx:Calc MS Excel 2007 XML")
    for path in sorted(HERE.glob("libreoffice-*")):
        print(path.name, path.stat().st_size)


if __name__ == "__main__":
    main()
