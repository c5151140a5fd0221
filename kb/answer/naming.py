"""How answers name documents and clauses: "Clause (18) of the Opinions (No. 60 [2022])" / "《意见》第（18）条".

Names come from the document's metadata first (sidecar ``short_title`` / ``short_title_zh`` /
``title_zh`` / ``doc_number_zh``), then from its title by general rules: a Chinese title's document
type ("…管理办法" → 《办法》), the national prefix a Chinese statute drops when cited
("中华人民共和国商业银行法" → 《商业银行法》), an English title's head noun ("Opinions on …" → "the Opinions").
Labels are shown as printed (第三十九条, (18)).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from policykb.ingest.lang import CJK_CHAR as _CJK
from policykb.ingest.model import Clause
from policykb.kb.retrieval.lookup import ZH_NUMERALS, parse_lookup

__all__ = ["DocName", "doc_names", "clause_ref", "unknown_doc", "named_documents", "named_for_lookup"]

# Document types as English titles name them, and their usual Chinese names.
_TYPES_EN_ZH: dict[str, str] = {
    "opinions": "意见", "guiding opinions": "指导意见", "implementation opinions": "实施意见",
    "measures": "办法", "administrative measures": "管理办法", "provisions": "规定", "rules": "规则",
    "detailed rules": "细则", "implementing rules": "实施细则", "regulations": "条例", "notice": "通知",
    "circular": "通知", "guidelines": "指引", "decision": "决定", "plan": "方案", "announcement": "公告",
}
_TYPES_ZH_EN: dict[str, str] = {
    "实施细则": "Implementing Rules", "管理办法": "Measures", "指导意见": "Opinions", "实施意见": "Opinions",
    "意见": "Opinions", "办法": "Measures", "规定": "Provisions", "规则": "Rules", "细则": "Rules", "条例": "Regulations",
    "通知": "Notice", "指引": "Guidelines", "决定": "Decision", "方案": "Plan", "公告": "Announcement", "通告": "Notice",
}
_ZH_SHORT = {"管理办法": "办法", "实施细则": "细则", "指导意见": "意见", "实施意见": "意见"}  # how Chinese texts abbreviate
_NATIONAL_PREFIX = "中华人民共和国"  # statutes are cited without it: 《商业银行法》
_EN_HEAD = re.compile(r"^(.*?)\s+(?:on|of|for|concerning|regarding|about)\s+", re.I)


@dataclass(frozen=True)
class DocName:
    """Short names of one document for answers in either language."""

    doc_id: str
    title: str
    short_en: str  # "the Opinions"
    short_zh: str  # "《意见》"
    number_en: str  # "No. 60 [2022]" (may be empty)
    number_zh: str  # "银发〔2022〕60号" when known, else number_en
    aliases: tuple[str, ...] = ()  # further titles from the metadata (title_zh, title_en)

    def cite(self, lang: str) -> str:
        """"the Opinions (No. 60 [2022])" / "《意见》（No. 60 [2022]）"."""
        if lang == "zh":
            number = self.number_en or self.number_zh
            return f"{self.short_zh}（{number}）" if number else self.short_zh
        return f"{self.short_en} ({self.number_en})" if self.number_en else self.short_en


def _attr(info: Any, name: str) -> str:
    value = getattr(info, name, "") or (getattr(info, "extra", None) or {}).get(name, "")
    return str(value).strip()


def _bare(title: str) -> str:
    """The title without a trailing parenthetical such as "（测试样例）" or "(Sample)"."""
    return re.sub(r"\s*[（(][^（()）]*[)）]\s*$", "", title.strip()) or title.strip()


def _book(name: str) -> str:
    """A Chinese name in title marks: "商业银行法" → "《商业银行法》" (kept as is when it has them)."""
    name = name.strip()
    return name if name.startswith("《") and name.endswith("》") else f"《{name}》"


def _statute_short(title: str) -> str:
    """"中华人民共和国商业银行法" → "商业银行法"; "" when the title does not start with the national prefix."""
    if title.startswith(_NATIONAL_PREFIX) and len(title) > len(_NATIONAL_PREFIX) + 1:
        return title[len(_NATIONAL_PREFIX):]
    return ""


@lru_cache(maxsize=4096)  # names are derived on every ask, for every document
def _short_en(title: str) -> str:
    title = _bare(title)
    if _CJK.search(title):
        statute = _statute_short(title)
        if statute:
            return _book(statute)
        for suffix, en in _TYPES_ZH_EN.items():
            if title.endswith(suffix):
                return f"the {en}"
        return f"《{title}》"
    match = _EN_HEAD.match(title)
    head = (match.group(1) if match else title).strip()
    words = head.split()
    return f"the {words[-1]}" if words else "the document"


@lru_cache(maxsize=4096)
def _short_zh(title: str, short_en: str) -> str:
    title = _bare(title)
    if _CJK.search(short_en):
        return _book(short_en)  # a Chinese short title serves both languages: 《商业银行法》
    if _CJK.search(title):
        statute = _statute_short(title)
        if statute:
            return _book(statute)
        for suffix in _TYPES_ZH_EN:
            if title.endswith(suffix):
                return f"《{_ZH_SHORT.get(suffix, suffix)}》"
        return f"《{title}》"
    key = re.sub(r"^the\s+", "", short_en, flags=re.I).lower()
    return f"《{_TYPES_EN_ZH[key]}》" if key in _TYPES_EN_ZH else f"《{title}》"


def doc_names(documents: Iterable[Any]) -> dict[str, DocName]:
    """Names per doc_id from :class:`DocumentInfo` rows (metadata ``short_title``, ``short_title_zh``,
    ``title_zh``, ``doc_number_zh`` first, else names derived from the title)."""
    out: dict[str, DocName] = {}
    for info in documents:
        title = info.title or info.doc_id
        short_en = _attr(info, "short_title") or _short_en(title)
        title_zh = _attr(info, "title_zh")
        short_zh = _attr(info, "short_title_zh")
        short_zh = _book(short_zh) if short_zh else _short_zh(title_zh or title, short_en)
        number = info.doc_number or ""
        aliases = tuple(a for a in (title_zh, _attr(info, "title_en")) if a)
        out[info.doc_id] = DocName(info.doc_id, title, short_en, short_zh, number, _attr(info, "doc_number_zh") or number, aliases)
    return out


def clause_ref(clause: Clause, lang: str) -> str:
    """The clause as the framing language names it: "Clause (18)" / "第（18）条", "Article 12 (第十二条)" / "第十二条"."""
    label = clause.label.strip() or f"({clause.number})"
    if lang == "zh":
        if label.startswith("第"):
            return label
        inner = re.fullmatch(r"[（(]\s*(.+?)\s*[)）]", label)
        if inner:
            return f"第（{inner.group(1)}）条"
        return f"第{clause.number}条"
    if label.isascii():
        return label if re.match(r"(?i)(article|clause|item|section)\b", label) else f"Clause {label}"
    return f"Article {clause.number} ({label})"


def unknown_doc(doc_id: str) -> DocName:
    """A name for a document the KB lists no metadata for (its id)."""
    return DocName(doc_id, doc_id, doc_id, f"《{doc_id}》", "", "")


_MIN_SUFFIX = 4  # a Chinese title cited by its tail ("人民银行法" for 中国人民银行法) needs at least this many characters


# "Law of the People's Republic of China on Commercial Banks" is cited "the Commercial Banks Law";
# "Regulations on Deposit Insurance", "the Deposit Insurance Regulations".
_EN_TYPE_ON = re.compile(r"^(?P<type>[A-Z][\w ]*?)\s+(?:of the People's Republic of China\s+)?(?:on|for|concerning)\s+(?:the\s+)?(?P<subject>.+)$")


def _surfaces(name: DocName) -> set[str]:
    """How a question may name the document: its titles and short names, bare (no 《》, no leading "the"),
    and an English title's "SUBJECT TYPE" form."""
    out: set[str] = set()
    for raw in (name.title, name.short_en, name.short_zh, *name.aliases):
        bare = re.sub(r"^the\s+", "", _bare(raw.strip().strip("《》")), flags=re.I).strip()
        if len(bare) >= 2 and bare != name.doc_id:
            out.add(bare)
            statute = _statute_short(bare)
            if statute:
                out.add(statute)
            m = _EN_TYPE_ON.match(bare) if bare.isascii() else None
            if m and len(m.group("subject").split()) <= 6:
                out.add(f"{m.group('subject')} {m.group('type')}")
    return out


def _en_pattern(surface: str) -> re.Pattern[str]:
    """An English name, each word with its inflections ("Commercial Bank Law" for "Commercial Banks Law")."""
    words = re.findall(r"[A-Za-z0-9']+", surface)
    stems = [w[:-1] if len(w) > 3 and w.lower().endswith("s") else w for w in words]
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) + r"[\w']*" for w in stems) + r"(?!\w)", re.I)


def named_documents(text: str, names: dict[str, DocName]) -> list[tuple[str, int, int]]:
    """The documents a text names, as (doc_id, start, end) of the name, in order of appearance.

    A name is any of the document's titles or short names; a Chinese one may be cited by its
    tail ("人民银行法" for 《中国人民银行法》) when that tail names no other document.
    """
    spans: list[tuple[int, int, str]] = []
    tails: dict[str, set[str]] = {}
    for doc_id, name in names.items():
        for surface in _surfaces(name):
            if _CJK.search(surface) and len(surface) < _MIN_SUFFIX:  # "意见", "办法": in title marks or before a clause
                start = text.find(f"《{surface}》")
                if start >= 0:
                    spans.append((start, start + len(surface) + 2, doc_id))
                for m in re.finditer(rf"{re.escape(surface)}(?=的?\s*(?:第|[（(]\s*[\d{ZH_NUMERALS}]))", text):
                    spans.append((m.start(), m.end(), doc_id))  # 意见第（十八）条, 意见（十八）
            elif _CJK.search(surface):
                for i in range(0, len(surface) - _MIN_SUFFIX + 1):
                    tails.setdefault(surface[i:], set()).add(doc_id)
            else:
                for m in _en_pattern(surface).finditer(text):
                    spans.append((m.start(), m.end(), doc_id))
    for tail, docs in tails.items():
        if len(docs) == 1:
            start = text.find(tail)
            if start >= 0:
                spans.append((start, start + len(tail), next(iter(docs))))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[str, int, int]] = []
    end = -1
    for start, stop, doc_id in spans:
        if start >= end:
            out.append((doc_id, start, stop))
            end = stop
    return out


def named_for_lookup(asked: str, names: dict[str, DocName]) -> str | None:
    """The one document a clause lookup names ("商业银行法第十三条…", "意见第（十八）条"): the lookup is of its clause only."""
    lookup = parse_lookup(asked)
    if lookup is None or lookup.kind != "clause" or len(names) < 2:
        return None
    named = {doc for doc, _s, _e in named_documents(asked, names)}
    return next(iter(named)) if len(named) == 1 else None
