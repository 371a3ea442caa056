"""XLSX files made the way an attacker makes them (issue 15, point 1).

Both start from a real workbook of good rows (openpyxl's), so a reader that trusted them would
open them and start reading, as the web worker did before:

- ``dimension_bomb``: 6 KB; the sheet declares ``A1:XFD1048576`` and has a cell in that far
  corner. openpyxl pads each row to the declared 16,384 columns and yields every row up to
  1,048,576: the worker went from 225 MB to 3.7 GB and was SIGKILLed.
- ``unpack_bomb``: about 1 MB that unpacks to 1 GB: one cell whose text is a gigabyte of "x".
  The deflate stream is written by hand: one megabyte compressed once and repeated (each block ends with a
  full flush, so the copies are independent), the zip's headers packed with ``struct``.
"""

import io
import re
import struct
import zipfile
import zlib

from tests.program_admin.journey import good_rows, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
BOMB_TEXT = b"x" * (1 << 20)
FAR_CELL = b'<row r="4"><c r="A4" t="inlineStr"><is><t>'


def good_workbook() -> bytes:
    return xlsx_bytes(good_rows())


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def dimension_bomb() -> bytes:
    members = members_of(good_workbook())
    sheet = members[SHEET].decode()
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    members[SHEET] = sheet.replace("</sheetData>", corner + "</sheetData>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _deflate(data: bytes, *, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members: (name, deflated bytes, crc32, unpacked size)."""
    out = io.BytesIO()
    directory = []
    for name, deflated, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(encoded), 0))
        out.write(encoded + deflated)
        directory.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                *(0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(encoded)),
                *(0, 0, 0, 0, 0, offset),
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), out.tell() - start, start, 0))
    return out.getvalue()


def unpack_bomb(unpacked: int = 1 << 30) -> bytes:
    members = members_of(good_workbook())
    entries = []
    for name, content in members.items():
        if name != SHEET:
            entries.append((name, _deflate(content, final=True), zlib.crc32(content), len(content)))
            continue
        head, tail = content.split(b"</sheetData>")
        head, tail = head + FAR_CELL, b"</t></is></c></row></sheetData>" + tail
        copies = unpacked // len(BOMB_TEXT)
        crc = zlib.crc32(head)
        for _ in range(copies):
            crc = zlib.crc32(BOMB_TEXT, crc)
        crc = zlib.crc32(tail, crc)
        deflated = _deflate(head, final=False) + _deflate(BOMB_TEXT, final=False) * copies + _deflate(tail, final=True)
        entries.append((name, deflated, crc, len(head) + copies * len(BOMB_TEXT) + len(tail)))
    return _zip(entries)
