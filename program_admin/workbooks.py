"""Reading an uploaded XLSX workbook without letting it exhaust the process that reads it.

An XLSX file is a zip of XML. Two kinds of file can take a worker's memory whatever the upload
limit says: a small zip that unpacks to a gigabyte, and a sheet that *declares* a huge dimension
(``A1:XFD1048576``: openpyxl pads every row it returns to the declared width, and fills the gaps
between rows up to the declared height). So, before openpyxl sees the file, ``inspect`` reads the
zip's directory (the sizes it declares are the most Python's zipfile will ever unpack) and each
sheet's declared dimension, and refuses what is too big; then the rows are read in a child
process (``read_rows``) whose address space is capped with ``RLIMIT_AS``, with explicit caps on
rows and columns, so a file that gets past the checks can only fail its own child.

Run as a script this module is that child: the workbook on stdin, the caps as arguments, the
rows as JSON on stdout. It imports nothing of Django, so the child starts quickly and small.
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field

# The column letters of a cell reference, e.g. "XFD" in "XFD1048576".
_REFERENCE = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]*)\"")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# The dimension element comes right after the sheet's properties; a few kilobytes always hold it.
DIMENSION_SCAN_BYTES = 16 * 1024
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Limits:
    max_unpacked: int  # bytes, all members together
    max_ratio: int  # unpacked / packed, for the file as a whole
    max_rows: int
    max_columns: int
    memory: int  # bytes of address space for the child that reads the rows
    seconds: int  # CPU seconds for that child


@dataclass(frozen=True)
class Refusal:
    """Why a workbook is not read: a code of ``program_admin.importing.MESSAGES`` and its parameters."""

    code: str
    params: dict = field(default_factory=dict)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def declared_size(ref: str) -> tuple[int, int] | None:
    """(rows, columns) a dimension such as ``A1:XFD1048576`` declares; None when it reads as none."""
    corners = [_REFERENCE.fullmatch(part.strip()) for part in ref.upper().split(":")]
    if not corners or not all(corners) or len(corners) > 2:  # noqa: PLR2004 (a cell or a range)
        return None
    last = corners[-1]
    return int(last.group(2)), column_number(last.group(1))


def inspect(data: bytes, limits: Limits) -> Refusal | None:
    """What is wrong with the workbook before anything is unpacked, or None. Reads only the zip's
    directory and the first kilobytes of each sheet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Refusal("unreadable")
    unpacked = sum(member.file_size for member in members)
    packed = max(1, sum(member.compress_size for member in members))
    if unpacked > limits.max_unpacked:
        return Refusal("unpacks_too_large", {"size": unpacked, "limit": limits.max_unpacked})
    if unpacked / packed > limits.max_ratio:
        return Refusal("compression_ratio", {"ratio": int(unpacked / packed), "limit": limits.max_ratio})
    for member in members:
        if not _SHEET.fullmatch(member.filename):
            continue
        try:
            with archive.open(member) as sheet:
                head = sheet.read(DIMENSION_SCAN_BYTES)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            return Refusal("unreadable")
        found = _DIMENSION.search(head)
        size = declared_size(found.group(1).decode("ascii", "replace")) if found else None
        if size and (size[0] > limits.max_rows + 1 or size[1] > limits.max_columns):
            return Refusal(
                "declared_too_large",
                {
                    "dimension": found.group(1).decode("ascii", "replace")[:40],
                    "rows": size[0],
                    "columns": size[1],
                    "max_rows": limits.max_rows,
                    "max_columns": limits.max_columns,
                },
            )
    return None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows_of(data: bytes, *, max_rows: int, max_columns: int) -> dict:
    """The non-blank rows of the workbook's "challenges" sheet (else its first), read with caps:
    never more than ``max_columns`` cells per row, and a refusal at the first non-blank row past
    ``max_rows`` data rows (the header is one more). Blank rows are skipped as they stream by."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook["challenges"] if "challenges" in workbook.sheetnames else workbook.worksheets[0]
    # The dimension the sheet declares is not trusted either way: too small would drop rows, too
    # large would pad them. Rows stream as the XML has them, at most ``max_columns`` cells wide.
    sheet.reset_dimensions()
    records = []
    rows = sheet.iter_rows(min_row=1, max_row=EXCEL_MAX_ROWS, min_col=1, max_col=max_columns, values_only=True)
    for number, values in enumerate(rows, start=1):
        if values.count(None) == len(values):  # a gap between rows, or a row of empty cells
            continue
        cells = [cell_text(value) for value in values]
        if not any(cell.strip() for cell in cells):
            continue
        if len(records) > max_rows:
            workbook.close()
            return {"refusal": {"code": "too_many_rows", "params": {"limit": max_rows}}}
        while cells and not cells[-1].strip():
            cells.pop()
        records.append([number, cells])
    title = sheet.title
    workbook.close()
    return {"sheet": title, "rows": records}


def _peak_kib() -> int:
    """This process's peak resident memory since its exec (``ru_maxrss`` would include the parent's
    before the exec)."""
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    """The child: caps its own address space and CPU time before openpyxl is even imported."""
    max_rows, max_columns, memory, seconds = (int(value) for value in argv)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    data = sys.stdin.buffer.read()
    try:
        result = rows_of(data, max_rows=max_rows, max_columns=max_columns)
    except MemoryError:
        result = {"refusal": {"code": "workbook_too_big", "params": {}}}
    except Exception:  # openpyxl raises many kinds of errors for a damaged workbook  # noqa: BLE001
        result = {"refusal": {"code": "unreadable", "params": {}}}
    result["peak_kib"] = _peak_kib()
    sys.stdout.write(json.dumps(result))
    return 0


@dataclass
class Outcome:
    """What the child said: the sheet and its rows, or a refusal; and how much memory it took."""

    sheet: str = ""
    rows: list = field(default_factory=list)
    refusal: Refusal | None = None
    peak_kib: int = 0


def read_rows(data: bytes, limits: Limits) -> Outcome:
    """The workbook's rows, read by a child process under ``limits``; a refusal instead when the
    file is too big in any way, including for the memory and the time the child may use."""
    refusal = inspect(data, limits)
    if refusal:
        return Outcome(refusal=refusal)
    return read_in_child(data, limits)


def read_in_child(data: bytes, limits: Limits) -> Outcome:
    """The rows as the child reads them under ``limits`` (no inspection first: ``read_rows`` does that)."""
    command = [sys.executable, "-I", __file__, *map(str, (limits.max_rows, limits.max_columns, limits.memory))]
    command.append(str(limits.seconds))
    try:
        child = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
            command, input=data, capture_output=True, timeout=limits.seconds * 2 + 10, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(refusal=Refusal("workbook_too_big"))
    try:
        result = json.loads(child.stdout)
    except ValueError:  # killed (CPU limit) or died for want of memory before it could answer
        return Outcome(refusal=Refusal("workbook_too_big"))
    peak = result.get("peak_kib", 0)
    if "refusal" in result:
        return Outcome(refusal=Refusal(result["refusal"]["code"], result["refusal"]["params"]), peak_kib=peak)
    return Outcome(sheet=result["sheet"], rows=result["rows"], peak_kib=peak)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
