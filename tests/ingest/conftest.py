"""Builders for the ingest tests: settings, a hand-made PDF, .docx files and zip archives."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from policykb.settings import Settings


@pytest.fixture()
def settings() -> Settings:
    """Default limits, not influenced by the environment of the test run."""
    return Settings.from_env(env={})


def _minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF written object by object: Helvetica text, one line per entry (ASCII)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 14 TL 56 780 Td " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@pytest.fixture()
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    """Write a .docx with python-docx: paragraphs (strings) and tables (lists of rows)."""
    def make(name: str, blocks: list[str | list[list[str]]], heading: str | None = None) -> Path:
        import docx

        document = docx.Document()
        if heading:
            document.add_heading(heading, level=1)
        for block in blocks:
            if isinstance(block, str):
                document.add_paragraph(block)
            else:
                table = document.add_table(rows=len(block), cols=len(block[0]))
                for r, row in enumerate(block):
                    for c, cell in enumerate(row):
                        table.cell(r, c).text = cell
        path = tmp_path / name
        document.save(str(path))
        return path

    return make


def _zip_bytes(members: dict[str, bytes | int], level: int = 9) -> bytes:
    """A zip archive in memory; an int member is that many zero bytes, streamed (never held in memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            if isinstance(data, int):
                chunk = b"\0" * (1 << 20)
                with archive.open(name, "w", force_zip64=True) as member:
                    left = data
                    while left > 0:
                        member.write(chunk[: min(left, len(chunk))])
                        left -= len(chunk)
            else:
                archive.writestr(name, data)
    return buf.getvalue()


@pytest.fixture()
def minimal_pdf() -> Callable[[list[str]], bytes]:
    """The hand-made one-page PDF builder."""
    return _minimal_pdf


@pytest.fixture()
def zip_bytes() -> Callable[..., bytes]:
    """The in-memory zip builder (int members are streamed zeros)."""
    return _zip_bytes
