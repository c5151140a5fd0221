"""Document metadata: the optional ``<stem>.meta.json`` sidecar, and what the text's header says.

The header is the text before the first section or clause. Its first line that is not a note about
the copy ("来源：…", "Source: …", a web address, a bare date) is the title when it reads like one (no
closing sentence punctuation); a short line stating a document number
("No. 60 [2022]", "银发〔2022〕60号") gives ``doc_number``; the remaining lines are the preamble.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykb.errors import CorruptFileError

from .lang import CJK

__all__ = ["SIDECAR_SUFFIX", "MAX_SIDECAR_BYTES", "Header", "sidecar_path", "read_sidecar", "split_header", "find_doc_number", "looks_like_title", "is_note_line", "DOC_ID_PATTERN"]

SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 1024 * 1024
DOC_ID_PATTERN = re.compile(r"^[\w][\w.\-]*$")
_KNOWN_KEYS = {"doc_id": str, "title": str, "doc_number": str, "issuers": list, "lang": str}

_DOC_NUMBERS = (
    re.compile(r"\bNo\.\s*(\d+)\s*[\[［〔(（](\d{4})[\]］〕)）]"),
    re.compile(r"[\[［〔](\d{4})[\]］〕]\s*No\.\s*(\d+)\b"),
    re.compile(rf"[{CJK}]{{1,12}}\s*[〔\[［(（]\s*\d{{4}}\s*[〕\]］)）]\s*第?\s*\d+\s*号"),
)
_ISSUERS = re.compile(r"^(?:发布机关|发文机关|发布单位|发文单位|Issued by|Issuers?)\s*[:：]\s*(.+)$", re.IGNORECASE)
_NOTE = re.compile(
    r"^[【\[（(]?(?:来源|出处|转载|原文|原文链接|链接|网址|发布时间|发布日期|发文日期|时间|日期|作者|编辑|责任编辑|浏览次数|字号"
    r"|Source|From|Retrieved|Downloaded|URL|Link|Posted|Published|Updated|Author|Editor|Note)\s*[:：]",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_BARE_DATE = re.compile(r"[\d\s年月日./\-:：]+")
_TITLE_SEARCH = 3  # header lines looked at for a title, notes skipped
_MAX_DOC_NUMBER_LINE = 100
_MAX_TITLE = 500


@dataclass(frozen=True)
class Header:
    """What the header of a text says."""

    title: str
    doc_number: str
    issuers: tuple[str, ...]
    preamble: str


def sidecar_path(path: Path) -> Path:
    """``dir/name.txt`` → ``dir/name.meta.json``."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar metadata of ``path`` ({} when there is none), checked for types.

    Raises:
        CorruptFileError: the sidecar is not a JSON object of the expected field types, is larger than
            :data:`MAX_SIDECAR_BYTES`, or is a symbolic link to a file outside the document's folder.
    """
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    if side.is_symlink() and side.resolve().parent != path.parent.resolve():
        raise CorruptFileError(
            f"{path.name}: its metadata file {side.name} is a symbolic link to {str(side.resolve())!r}, "
            "not a file beside the document; copy the metadata file beside the document instead"
        )
    if side.stat().st_size > MAX_SIDECAR_BYTES:
        raise CorruptFileError(
            f"{path.name}: its metadata file {side.name} is {side.stat().st_size:,} bytes, over {MAX_SIDECAR_BYTES:,} "
            "(it holds a few fields); check that it is the right file"
        )
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = str(exc).replace("\n", " ")
        raise CorruptFileError(f"{path.name}: its metadata file {side.name} is not valid UTF-8 JSON ({reason}); fix or delete it") from None
    if not isinstance(data, dict):
        raise CorruptFileError(f"{path.name}: its metadata file {side.name} must hold a JSON object, not {type(data).__name__}; fix or delete it")
    for key, kind in _KNOWN_KEYS.items():
        if key in data and not isinstance(data[key], kind):
            raise CorruptFileError(
                f"{path.name}: in {side.name}, {key!r} is {data[key]!r} but must be a {kind.__name__}; fix or delete it"
            )
    if "issuers" in data and not all(isinstance(i, str) for i in data["issuers"]):
        raise CorruptFileError(f"{path.name}: in {side.name}, 'issuers' must be a list of strings; fix or delete it")
    if "lang" in data and data["lang"] not in ("zh", "en"):
        raise CorruptFileError(f"{path.name}: in {side.name}, 'lang' is {data['lang']!r} but must be 'zh' or 'en'; fix or delete it")
    if "doc_id" in data and not DOC_ID_PATTERN.match(data["doc_id"]):
        raise CorruptFileError(
            f"{path.name}: in {side.name}, 'doc_id' {data['doc_id']!r} may only hold letters, digits, '-', '_' and '.'; fix it"
        )
    return data


def find_doc_number(text: str) -> str:
    """The first document number stated in ``text``, normalised ("No. 60 [2022]", "银发〔2022〕60号"), or ""."""
    for i, pattern in enumerate(_DOC_NUMBERS):
        m = pattern.search(text)
        if m:
            if i == 0:
                return f"No. {m.group(1)} [{m.group(2)}]"
            if i == 1:
                return f"[{m.group(1)}] No. {m.group(2)}"
            return re.sub(r"\s+", "", m.group(0)).replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
    return ""


def is_note_line(line: str) -> bool:
    """A line about the copy rather than the document: "来源：…", "Source: …", a web address, a bare date."""
    line = line.strip()
    return bool(_NOTE.match(line) or _URL.search(line) or _BARE_DATE.fullmatch(line))


def looks_like_title(line: str) -> bool:
    """A first line that can be the title: not too long, no closing sentence punctuation."""
    line = line.strip()
    return bool(line) and len(line) <= _MAX_TITLE and line[-1] not in "。.；;：:，,！!？?"


def split_header(lines: list[str]) -> Header:
    """Title, document number, issuers and preamble from the header lines (before the first clause)."""
    rest = list(lines)
    title = ""
    doc_number = ""
    doc_number_line: int | None = None
    for i, line in enumerate(rest[:4]):
        number = find_doc_number(line)
        if not number or len(line) > _MAX_DOC_NUMBER_LINE:
            continue
        if i == 0 and len(_strip_number(line)) > 10:
            continue  # a title that states its number: keep it as the title
        doc_number, doc_number_line = number, i
        break
    if doc_number_line is not None:
        del rest[doc_number_line]
    for i, line in enumerate(rest[:_TITLE_SEARCH]):
        if is_note_line(line):
            continue
        if looks_like_title(line):
            title = rest.pop(i).strip()
        break
    if not doc_number:
        doc_number = find_doc_number("\n".join(lines[:6]))
    issuers: tuple[str, ...] = ()
    for line in rest:
        m = _ISSUERS.match(line.strip())
        if m:
            issuers = tuple(p.strip() for p in re.split(r"[、;；]", m.group(1)) if p.strip())
            break
    return Header(title, doc_number, issuers, "\n".join(rest).strip())


def _strip_number(line: str) -> str:
    for pattern in _DOC_NUMBERS:
        line = pattern.sub("", line)
    return re.sub(r"[\s()（）\[\]［］〔〕]", "", line)
