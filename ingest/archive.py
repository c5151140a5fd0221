"""Safety checks on a .docx (zip) archive before anything unpacks it.

Only zip directories are read: declared sizes bound what ``zipfile`` will ever inflate. What is
refused, as a zip bomb: more than :data:`MAX_MEMBERS` members, a total declared size over the
limit, a member or the whole archive compressing more than :data:`MAX_RATIO` : 1, and archives
nested inside the document more than :data:`MAX_NESTING` deep. An archive nested inside (an
embedded workbook, another .docx) is opened only to read its directory, its sizes count towards
the same limit, and nothing ever unpacks it further.
"""
from __future__ import annotations

import io
import lzma
import zipfile
import zlib

from policykb.errors import CorruptFileError, FileTooLargeError

__all__ = ["check_docx_archive", "MAX_MEMBERS", "MAX_RATIO", "MAX_NESTING"]

MAX_MEMBERS = 5000
MAX_RATIO = 200  # real .docx parts compress about 5–30 : 1
MAX_NESTING = 2  # an embedded document may itself embed one more; deeper nesting is a bomb's shape
_RATIO_FLOOR = 10 * 1024 * 1024  # small members may compress well without harm
_MB = 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError,
               zlib.error, lzma.LZMAError)


class _Budget:
    """What the archive and the archives inside it may still declare, across all levels."""

    def __init__(self, name: str, max_bytes: int) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self.members = 0
        self.bytes = 0

    def add(self, infos: list[zipfile.ZipInfo], where: str) -> None:
        self.members += len(infos)
        self.bytes += sum(i.file_size for i in infos)
        if self.members > MAX_MEMBERS:
            raise FileTooLargeError(
                f"{self.name}: holds {self.members} archive members{where} (a Word document has a few dozen); "
                "it looks like a zip bomb, not a document — check where it came from"
            )
        if self.bytes > self.max_bytes:
            raise FileTooLargeError(
                f"{self.name}: would unpack to {self.bytes / _MB:.0f} MB{where}, over the {self.max_bytes / _MB:.0f} MB limit; "
                "it looks like a zip bomb — if it is a genuine document, raise POLICYKB_MAX_UNPACKED_MB"
            )


def check_docx_archive(data: bytes, name: str, max_unpacked_bytes: int) -> None:
    """Refuse an archive that is not a Word document or would unpack to too much.

    Raises:
        CorruptFileError: not a zip archive, or no ``word/document.xml`` in it.
        FileTooLargeError: too many members, total unpacked size over ``max_unpacked_bytes``
            (nested archives included), a suspicious compression ratio, or archives nested
            deeper than :data:`MAX_NESTING` (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise CorruptFileError(
            f"{name}: is not a valid .docx (not a readable zip archive: {_one_line(exc)}); "
            "if it is an old .doc or another format, open it in Word and save it as .docx"
        ) from None
    budget = _Budget(name, max_unpacked_bytes)
    budget.add(infos, "")
    _check_ratios(infos, len(data), name, "")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise CorruptFileError(
            f"{name}: is a zip archive without word/document.xml, so not a Word document; "
            "open it in Word and save it as .docx"
        )
    _check_nested(archive, infos, budget, depth=1, where="")


def _check_ratios(infos: list[zipfile.ZipInfo], packed: int, name: str, where: str) -> None:
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise FileTooLargeError(
                f"{name}: member {where}{info.filename!r} compresses {ratio:.0f}:1 ({info.file_size / _MB:.0f} MB unpacked); "
                "it looks like a zip bomb, not a Word document — check where it came from"
            )
    total = sum(i.file_size for i in infos)
    ratio = total / max(packed, 1)
    if total > _RATIO_FLOOR and ratio > MAX_RATIO:
        raise FileTooLargeError(
            f"{name}: {'archive ' + where.rstrip(' ›') + ' ' if where else ''}compresses {ratio:.0f}:1 as a whole "
            f"({total / _MB:.0f} MB unpacked from {packed / _MB:.1f} MB); "
            "it looks like a zip bomb, not a Word document — check where it came from"
        )


def _check_nested(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: _Budget, depth: int, where: str) -> None:
    """Read the directory of every zip archive stored inside ``archive`` and account for it."""
    for info in infos:
        if info.is_dir() or info.file_size < 22 or info.flag_bits & 0x1:  # 22 bytes: the smallest zip; 0x1: encrypted
            continue
        try:
            with archive.open(info) as member:
                if member.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
                    continue
            inner_data = archive.read(info)  # at most its declared size, already within the budget
            inner = zipfile.ZipFile(io.BytesIO(inner_data))
            inner_infos = inner.infolist()
        except _ZIP_ERRORS:
            continue  # unreadable data: python-docx never opens it, so it cannot expand
        here = f"{where}{info.filename} › "
        if depth > MAX_NESTING:
            raise FileTooLargeError(
                f"{budget.name}: holds archives nested {depth} deep ({here.rstrip(' ›')}); "
                f"a Word document embeds at most {MAX_NESTING} levels — it looks like a zip bomb, check where it came from"
            )
        budget.add(inner_infos, " (with the archives inside it)")
        _check_ratios(inner_infos, len(inner_data), budget.name, here)
        _check_nested(inner, inner_infos, budget, depth + 1, here)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
