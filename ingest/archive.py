"""Safety checks on a .docx (zip) archive before anything unpacks it."""
from __future__ import annotations

import io
import zipfile

from policykb.errors import CorruptFileError, FileTooLargeError

__all__ = ["check_docx_archive", "MAX_MEMBERS", "MAX_RATIO"]

MAX_MEMBERS = 5000
MAX_RATIO = 200  # real .docx parts compress about 5–30 : 1
_RATIO_FLOOR = 10 * 1024 * 1024  # small members may compress well without harm
_MB = 1024 * 1024


def check_docx_archive(data: bytes, name: str, max_unpacked_bytes: int) -> None:
    """Refuse an archive that is not a Word document or would unpack to too much.

    Only the zip directory is read: declared sizes bound what ``zipfile`` will ever inflate.

    Raises:
        CorruptFileError: not a zip archive, or no ``word/document.xml`` in it.
        FileTooLargeError: too many members, total unpacked size over ``max_unpacked_bytes``,
            or a member with a suspicious compression ratio (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(
            f"{name}: is not a valid .docx (not a readable zip archive: {_one_line(exc)}); "
            "if it is an old .doc or another format, open it in Word and save it as .docx"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise FileTooLargeError(
            f"{name}: holds {len(infos)} archive members (a Word document has a few dozen); "
            "it looks like a zip bomb, not a document — check where it came from"
        )
    total = sum(i.file_size for i in infos)
    if total > max_unpacked_bytes:
        raise FileTooLargeError(
            f"{name}: would unpack to {total / _MB:.0f} MB, over the {max_unpacked_bytes / _MB:.0f} MB limit; "
            "it looks like a zip bomb — if it is a genuine document, raise POLICYKB_MAX_UNPACKED_MB"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise FileTooLargeError(
                f"{name}: member {info.filename!r} compresses {ratio:.0f}:1 ({info.file_size / _MB:.0f} MB unpacked); "
                "it looks like a zip bomb, not a Word document — check where it came from"
            )
    if "word/document.xml" not in {i.filename for i in infos}:
        raise CorruptFileError(
            f"{name}: is a zip archive without word/document.xml, so not a Word document; "
            "open it in Word and save it as .docx"
        )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
