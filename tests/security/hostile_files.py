"""Builders of hostile files for the security tests: zip archives, .docx files and PDFs, in memory."""
from __future__ import annotations

import io
import zipfile
import zlib
from typing import Mapping, Sequence

__all__ = ["zip_bytes", "docx_bytes", "docx_with", "pdf_bytes", "MB"]

MB = 1024 * 1024


def zip_bytes(members: Mapping[str, bytes | int], level: int = 9) -> bytes:
    """A zip archive; an int member is that many zero bytes, streamed (never held in memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            if isinstance(data, int):
                chunk = b"\0" * MB
                with archive.open(name, "w", force_zip64=True) as member:
                    left = data
                    while left > 0:
                        member.write(chunk[: min(left, MB)])
                        left -= MB
            else:
                archive.writestr(name, data)
    return buf.getvalue()


def docx_bytes(paragraphs: Sequence[str]) -> bytes:
    """A real Word document (python-docx) with these paragraphs."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with(base: bytes, replace: Mapping[str, bytes | int] | None = None, add: Mapping[str, bytes | int] | None = None) -> bytes:
    """``base`` (a .docx) rewritten with some members replaced and others added."""
    replace = dict(replace or {})
    members: dict[str, bytes | int] = {}
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        for info in archive.infolist():
            members[info.filename] = replace.pop(info.filename) if info.filename in replace else archive.read(info)
    members.update(replace)
    members.update(add or {})
    return zip_bytes(members)


def pdf_bytes(pages: Sequence[bytes], forms: Mapping[str, bytes] | None = None) -> bytes:
    """A PDF whose pages draw the given content streams (Flate-compressed, Helvetica as /F1).

    ``forms`` are Form XObjects every page may draw by name (``/X0 Do``).
    """
    forms = dict(forms or {})
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(content: bytes, extra: str = "") -> bytes:
        packed = zlib.compress(content, 9)
        return f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode() + packed + b"\nendstream"

    catalog = add(b"")
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    form_refs = {
        name: add(stream(content, f"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >> "))
        for name, content in forms.items()
    }
    xobjects = " ".join(f"/{name} {ref} 0 R" for name, ref in form_refs.items())
    kids = []
    for content in pages:
        contents = add(stream(content))
        kids.append(add(
            f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Contents {contents} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> /XObject << {xobjects} >> >> >>".encode()
        ))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    objects[tree - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
