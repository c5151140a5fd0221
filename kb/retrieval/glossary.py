"""The Chinese↔English policy-term glossary: loading, lookup, term spotting and query bridging.

The bundled file ``kb/data/glossary.tsv`` holds ``zh<TAB>en`` pairs; one Chinese term with
several English renderings takes several lines. The glossary lets a Chinese query match
English clauses lexically (and the reverse), and is shown to users as a reference.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from policykb.errors import ConfigError
from policykb.ingest.lang import CJK_CHAR as _CJK

__all__ = ["GlossaryEntry", "Glossary", "DEFAULT_GLOSSARY_PATH", "bundled_glossary"]

DEFAULT_GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "data" / "glossary.tsv"
LANGS = ("zh", "en")

_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[a-z0-9]+")
_LATIN_WORD = re.compile(r"(?<![a-z0-9])[a-z][a-z0-9]*(?:[-+][a-z0-9]+)*(?![a-z0-9])")
_SEP = r"[^a-z0-9]+"
_SPOTTED_MAX = 256  # queries whose spotted terms are remembered  # what may stand between the words of an English term in a text


@dataclass(frozen=True)
class GlossaryEntry:
    """One Chinese term and one of its English renderings."""

    zh: str
    en: str


def _normalize(text: str) -> str:
    """NFKC (full-width → half-width) with typographic apostrophes made plain."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def _singular(word: str) -> str:
    """The singular of an English word, by the few rules plural nouns in policy text follow."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _en_key(text: str) -> tuple[str, ...]:
    """The comparison key of an English term: lower-case words, the last one singular."""
    words = _WORD.findall(_normalize(text).casefold())
    if words:
        words[-1] = _singular(words[-1])
    return tuple(words)


def _plural_forms(base: str) -> list[str]:
    """Spellings a singular word may take in a text (itself, -s, -es, -y → -ies)."""
    forms = [base, base + "s", base + "es"]
    if base.endswith("y") and len(base) > 2:
        forms.append(base[:-1] + "ies")
    return forms


@dataclass(frozen=True)
class _EnPattern:
    """An English term's matcher: its key, a cheap prefilter string and its regex source.

    Compiling ~700 regexes costs half a second, so each is compiled on first use
    (only when its prefilter string occurs in a text).
    """

    key: tuple[str, ...]
    probe: str
    source: str
    flags: int

    def regex(self) -> re.Pattern[str]:
        return _compiled(self.source, self.flags)


@lru_cache(maxsize=None)
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags)


def _is_acronym(en: str) -> bool:
    """True for terms written wholly in capitals (SAFE, PBC, QFLP)."""
    words = re.findall(r"[A-Za-z0-9]+", en)
    return bool(words) and all(re.fullmatch(r"[A-Z][A-Z0-9]+", w) for w in words)


def _compile_en(en: str, key: tuple[str, ...]) -> _EnPattern:
    if _is_acronym(en):
        # Acronyms must be written in capitals, or "safe" would name an institution.
        words = re.findall(r"[A-Za-z0-9]+", _normalize(en))
        forms = [words[-1], words[-1] + "s"]
        sep, flags, edge = r"[^A-Za-z0-9]+", 0, "A-Za-z0-9"
    else:
        words = list(key)
        forms = _plural_forms(words[-1])
        sep, flags, edge = _SEP, re.IGNORECASE, "a-z0-9"
    last = "(?:" + "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True)) + ")"
    body = sep.join([re.escape(w) for w in words[:-1]] + [last])
    source = rf"(?<![{edge}])" + body + rf"(?![{edge}])"
    first = key[0]
    probe = first if len(key) > 1 else (first[:-1] if first.endswith("y") else first)
    return _EnPattern(key=key, probe=probe, source=source, flags=flags)


def _pick_longest(matches: list[tuple[int, int, Any]], length: int) -> list[tuple[int, int, Any]]:
    """The non-overlapping matches, chosen longest first, returned in text order."""
    taken = bytearray(length)
    kept: list[tuple[int, int, Any]] = []
    for start, end, key in sorted(matches, key=lambda m: (-(m[1] - m[0]), m[0])):
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append((start, end, key))
    kept.sort(key=lambda k: k[0])
    return kept


class Glossary:
    """Chinese↔English policy terms. Build it with :meth:`load`."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self._by_zh: dict[str, list[GlossaryEntry]] = {}
        self._by_en: dict[tuple[str, ...], list[GlossaryEntry]] = {}
        self._zh_norm: dict[str, str] = {}
        en_patterns: dict[tuple[str, ...], _EnPattern] = {}
        for entry in self.entries:
            self._by_zh.setdefault(entry.zh, []).append(entry)
            self._zh_norm.setdefault(entry.zh, _normalize(entry.zh).casefold())
            key = _en_key(entry.en)
            if not key:
                continue  # no English word to match (the loader never lets such a line through)
            self._by_en.setdefault(key, []).append(entry)
            if key not in en_patterns:
                en_patterns[key] = _compile_en(entry.en, key)
        self._en_patterns = tuple(en_patterns.values())
        self._folded = tuple((_normalize(e.zh).casefold(), _normalize(e.en).casefold()) for e in self.entries)
        # One search asks for a query's terms several times (signals, coverage, prior, matched terms).
        self._spotted: dict[tuple[str, str], tuple[GlossaryEntry, ...]] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        """Read a ``zh<TAB>en`` glossary file (default: the bundled one).

        Raises:
            ConfigError: the file is missing, not UTF-8, has no entries, or a line is malformed
                or repeats an earlier pair; the message names the file and line.
        """
        path = Path(path) if path is not None else DEFAULT_GLOSSARY_PATH
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise ConfigError(f"glossary file {str(path)!r} does not exist; give the path of a zh<TAB>en file") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"glossary file {str(path)!r} is not UTF-8 (byte {exc.start}); save it as UTF-8") from None
        entries: list[GlossaryEntry] = []
        seen: dict[tuple[str, tuple[str, ...]], int] = {}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            entry = _parse_line(raw, path, lineno)
            pair = (entry.zh, _en_key(entry.en))
            if pair in seen:
                raise ConfigError(
                    f"{path}:{lineno}: {raw.strip()!r} repeats line {seen[pair]} "
                    "(same Chinese term and the same English words up to case and plural); delete one of them"
                )
            seen[pair] = lineno
            entries.append(entry)
        if not entries:
            raise ConfigError(f"glossary file {str(path)!r} has no entries; add lines of the form zh<TAB>en")
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def zh_terms(self) -> tuple[str, ...]:
        """The distinct Chinese terms, in file order."""
        return tuple(self._by_zh)

    def to_en(self, zh_term: str) -> list[str]:
        """English renderings of a Chinese term (preferred first); [] if it is not in the glossary."""
        return [e.en for e in self._by_zh.get(zh_term.strip(), [])]

    def to_zh(self, en_term: str) -> list[str]:
        """Chinese terms for an English one (case and plural ignored); [] if it is not in the glossary."""
        return list(dict.fromkeys(e.zh for e in self._by_en.get(_en_key(en_term), [])))

    def terms_in(self, text: str, lang: str) -> list[GlossaryEntry]:
        """Glossary entries whose ``lang`` side occurs in ``text``, in text order.

        Chinese terms match as substrings; English terms as whole words, case-insensitive
        (acronyms in capitals only), tolerant of a plural ending. Overlapping matches are
        resolved longest first, so 普惠金融 wins over 金融 and "small and micro enterprises"
        over "micro enterprises".
        """
        _check_lang(lang, "lang")
        key = (text, lang)
        found = self._spotted.get(key)
        if found is None:
            found = tuple(self._terms_in(text, lang))
            if len(self._spotted) >= _SPOTTED_MAX:
                self._spotted.clear()
            self._spotted[key] = found
        return list(found)

    def _terms_in(self, text: str, lang: str) -> list[GlossaryEntry]:
        if lang == "zh":
            return [e for zh in dict.fromkeys(zh for _, _, zh in self._zh_spans(text)) for e in self._by_zh[zh]]
        norm = _normalize(text)
        lowered = norm.casefold()
        matches: list[tuple[int, int, Any]] = []
        for pattern in self._en_patterns:
            if pattern.probe not in lowered:
                continue
            matches.extend((m.start(), m.end(), pattern.key) for m in pattern.regex().finditer(norm))
        keys = list(dict.fromkeys(key for _, _, key in _pick_longest(matches, len(norm))))
        return [e for key in keys for e in self._by_en[key]]

    def _zh_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, zh term) of the Chinese terms in the NFKC-folded text, in text order."""
        folded = _normalize(text).casefold()
        matches: list[tuple[int, int, Any]] = []
        for zh, term in self._zh_norm.items():
            start = folded.find(term)
            while start != -1:
                matches.append((start, start + len(term), zh))
                start = folded.find(term, start + 1)
        return _pick_longest(matches, len(folded))

    def bridge_query(self, query: str, query_lang: str, target_lang: str) -> list[str]:
        """The query's glossary terms rendered in ``target_lang``, without repeats.

        "储蓄国债下乡" (zh → en) gives ["savings bonds", "countryside"]; Latin-script words
        of a Chinese query ("QFLP试点" → "qflp") pass through to English. With
        ``target_lang == query_lang`` the terms are returned as found.
        """
        _check_lang(query_lang, "query_lang")
        _check_lang(target_lang, "target_lang")
        side = "zh" if target_lang == "zh" else "en"
        if query_lang == "zh" and target_lang == "en":
            spans = self._zh_spans(query)
            terms = [e.en for zh in dict.fromkeys(zh for _, _, zh in spans) for e in self._by_zh[zh]]
            # Latin-script words in a Chinese query (QFLP, ESG, REITs) read the same in English text.
            folded = _normalize(query).casefold()
            covered = bytearray(len(folded))
            for start, end, _ in spans:
                covered[start:end] = b"\x01" * (end - start)
            terms += [m.group() for m in _LATIN_WORD.finditer(folded) if not any(covered[m.start() : m.end()])]
            return list(dict.fromkeys(terms))
        return list(dict.fromkeys(getattr(e, side) for e in self.terms_in(query, query_lang)))

    def search(self, text: str, limit: int | None = None) -> list[GlossaryEntry]:
        """Entries whose Chinese or English side contains ``text`` (case-insensitive), for browsing.

        Exact matches come first, then prefix matches, then the rest, each in file order;
        an empty ``text`` lists every entry.
        """
        needle = _normalize(text).strip().casefold()
        ranked: list[tuple[int, int, GlossaryEntry]] = []
        for i, (entry, sides) in enumerate(zip(self.entries, self._folded)):
            if not needle:
                rank = 2
            elif needle in sides:
                rank = 0
            elif any(s.startswith(needle) for s in sides):
                rank = 1
            elif any(needle in s for s in sides):
                rank = 2
            else:
                continue
            ranked.append((rank, i, entry))
        ranked.sort(key=lambda r: (r[0], r[1]))
        found = [entry for _, _, entry in ranked]
        return found if limit is None else found[: max(limit, 0)]


def _parse_line(raw: str, path: Path, lineno: int) -> GlossaryEntry:
    """One ``zh<TAB>en`` line, checked; a ConfigError names the file, line and fix."""
    where = f"{path}:{lineno}"
    fields = raw.rstrip("\r\n").split("\t")
    if len(fields) != 2:
        raise ConfigError(
            f"{where}: {raw.strip()!r} has {len(fields)} tab-separated field(s); "
            "expected exactly two, the Chinese term, one TAB, the English term"
        )
    zh, en = (f.strip() for f in fields)
    if not zh or not en:
        raise ConfigError(f"{where}: {raw.strip()!r} has an empty side; write zh<TAB>en with both terms")
    if not _CJK.search(zh):
        raise ConfigError(f"{where}: the Chinese side {zh!r} has no Chinese character; the Chinese term goes first")
    if _CJK.search(en) or not _LATIN.search(en):
        raise ConfigError(f"{where}: the English side {en!r} must be English words; the English term goes after the TAB")
    return GlossaryEntry(zh=zh, en=en)


def _check_lang(lang: str, name: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"{name} {lang!r} is not supported; expected one of {LANGS!r}")


@lru_cache(maxsize=1)
def bundled_glossary() -> Glossary:
    """The bundled glossary, loaded once per process."""
    return Glossary.load()
