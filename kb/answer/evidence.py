"""Lexical evidence shared by sentence selection and abstention: the question's terms and corpus statistics.

No embedding happens here: the question's tokens, its glossary terms rendered in every
language of the KB, and per-KB document frequencies computed once from the clause texts.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from policykb.ingest.model import Clause
from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.index.tokenize import tokenize

__all__ = ["QueryTerms", "CorpusStats", "query_terms", "corpus_stats", "term_pattern", "tokens_of", "group_in"]

_LATIN_NAME = re.compile(r"(?<![\w-])(?:[A-Z]{2,}[A-Z0-9]*|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)(?![\w-])")
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are does do can could should would will may must "
    "and or the a an in on of for to tell show give list read compare please".split()
)


@dataclass(frozen=True)
class QueryTerms:
    """What a question asks about, lexically.

    ``tokens``: index tokens of the question and of its glossary terms in the KB's other languages.
    ``groups``: the question's specific terms, each with its renderings (any one found = present);
    glossary terms (with every rendering) plus capitalised names and acronyms the glossary does not know.
    """

    lang: str
    tokens: frozenset[str]
    own_tokens: frozenset[str]
    groups: tuple[tuple[str, ...], ...]
    names: frozenset[tuple[str, ...]] = frozenset()  # the groups that are proper names (places, institutions, acronyms)
    # each content word of the question → its weighted lexical renderings (glossary, dictionary), the word itself
    # among them at 1.0: :meth:`policykb.kb.retrieval.retriever.Retriever.word_renderings`; () when not computed
    renderings: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    # each specific content word of an English question → the weight it counts as found at and the Chinese clauses whose
    # English gloss holds it (kb/retrieval/gloss.py; AbstainConfig.gloss_credit, gloss_share); () when not computed
    glossed: tuple[tuple[str, float, frozenset[str]], ...] = ()


@lru_cache(maxsize=4096)
def tokens_of(text: str) -> frozenset[str]:
    """The index tokens of a text (cached: clause sentences recur across questions)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive, plural-tolerant pattern for a Latin term ("low-carbon" names carbon); substring for Chinese."""
    escaped = re.escape(term.strip())
    if term.isascii():
        return re.compile(rf"(?<!\w){escaped}(?:s|es)?(?![\w-])", re.I)
    return re.compile(escaped)


def query_terms(question: str, lang: str, glossary: Glossary, kb_langs: Iterable[str]) -> QueryTerms:
    """The question's tokens and specific terms, bridged into the KB's languages through the glossary."""
    own = tokens_of(question)
    tokens = set(own)
    groups: dict[tuple[str, ...], None] = {}
    names: set[tuple[str, ...]] = set()
    by_term: dict[str, set[str]] = {}
    is_name: dict[str, bool] = {}
    for entry in glossary.terms_in(question, lang):
        key = entry.zh if lang == "zh" else entry.en
        variants = by_term.setdefault(key, {key})
        variants.add(entry.zh)
        variants.update(glossary.to_en(entry.zh))
        is_name[key] = is_name.get(key, False) or _is_proper(entry.en)
    langs = set(kb_langs) - {lang}
    for key, variants in by_term.items():
        group = tuple(sorted(variants, key=len, reverse=True))
        groups[group] = None
        if is_name[key]:
            names.add(group)
        if langs:
            for variant in variants:
                tokens.update(tokens_of(variant))
    if lang == "en":
        covered = " ".join(v for g in groups for v in g).lower()
        for match in _LATIN_NAME.finditer(question):
            name = match.group(0)
            if match.start() == question.find(question.lstrip()[:1]) and " " not in name and not name.isupper():
                continue  # the capital of the question's first word
            words = [w for w in name.split() if w.lower() not in _QUESTION_WORDS]
            name = " ".join(words)
            if len(name) >= 3 and name.lower() not in covered:
                groups[(name,)] = None
                names.add((name,))
    return QueryTerms(lang=lang, tokens=frozenset(tokens), own_tokens=own, groups=tuple(groups), names=frozenset(names))


def _is_proper(en: str) -> bool:
    """True for a name (Ningbo, Yangtze River Delta, QFLP) rather than a common policy term."""
    return en[:1].isupper()


def group_in(group: Sequence[str], text: str) -> bool:
    """True when any rendering of a term occurs in ``text``."""
    return any(term_pattern(v).search(text) for v in group)


class CorpusStats:
    """Document frequencies of tokens and terms over the KB's clauses (built once per clause set)."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self.n = len(clauses)
        self.texts = {c.id: c.text for c in clauses}
        self.df: dict[str, int] = {}
        for clause in clauses:
            for token in tokens_of(f"{clause.section_title}\n{clause.text}"):
                self.df[token] = self.df.get(token, 0) + 1
        self._group_df: dict[tuple[str, ...], int] = {}
        self._finder: _Finder | None = None

    def group_df(self, group: tuple[str, ...]) -> int:
        """How many clauses contain the term (any rendering)."""
        if group not in self._group_df:
            if self._finder is None:
                self._finder = _Finder(list(self.texts.values()))
            self._group_df[group] = self._finder.count(group)
        return self._group_df[group]

    def known(self, token: str) -> bool:
        return token in self.df


# Characters that re.IGNORECASE matches to an ASCII letter while str.lower() does not lower them to it
# (dotted and dotless i, long s; the Kelvin sign lowers to "k" but is listed to be safe).
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
_SEP = "\x00"


class _Finder:
    """:func:`group_in` counted over many texts without running its patterns on every text.

    A text can only match a rendering that occurs in it as a substring (lower-cased, for a Latin rendering, which
    :func:`term_pattern` matches ignoring case): one ``str.find`` pass over all texts joined finds those texts, and
    the patterns run on them alone. Texts holding a character that case-folds to ASCII differently under ``re.I``
    are always checked; the count is exactly ``sum(group_in(group, t) for t in texts)`` (at 50,000 clauses the
    pattern-per-text count took ~0.15 s per new term of a question).
    """

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.exact = any(_SEP in t for t in texts)  # a text holding the separator: count the plain way
        self.joined, self.starts = _joined(texts)
        self.lowered, self.lowered_starts = _joined([t.lower() for t in texts])
        self.always = {i for i, t in enumerate(texts) if not t.isascii() and not _FOLDS_TO_ASCII.isdisjoint(t)}

    def count(self, group: Sequence[str]) -> int:
        if self.exact or any(not v.strip() for v in group):
            return sum(1 for text in self.texts if group_in(group, text))
        candidates = set(self.always)
        for variant in group:
            if variant.isascii():
                self._occurrences(self.lowered, self.lowered_starts, variant.strip().lower(), candidates)
            else:
                self._occurrences(self.joined, self.starts, variant.strip(), candidates)
        return sum(1 for i in candidates if group_in(group, self.texts[i]))

    @staticmethod
    def _occurrences(haystack: str, starts: list[int], needle: str, found: set[int]) -> None:
        """Add the index of every text holding ``needle`` (each text searched once)."""
        pos = haystack.find(needle)
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            found.add(i)
            pos = haystack.find(needle, starts[i + 1]) if i + 1 < len(starts) else -1


def _joined(texts: list[str]) -> tuple[str, list[int]]:
    """The texts joined by the separator, and where each starts."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return _SEP.join(texts), starts


_stats_lock = threading.Lock()
_stats_cache: dict[int, CorpusStats] = {}


_stats_last: list[tuple[Sequence[Clause], CorpusStats]] = []  # the clause sequence last asked about (a snapshot's)


def corpus_stats(clauses: Sequence[Clause]) -> CorpusStats:
    """The (cached) statistics of a clause set; a changed KB gets new ones."""
    with _stats_lock:
        # The same sequence object as last time (a snapshot's clause tuple): no need to hash 10,000 clauses again.
        if _stats_last and _stats_last[0][0] is clauses:
            return _stats_last[0][1]
    key = hash(tuple((c.id, c.sha256 or c.text) for c in clauses))
    with _stats_lock:
        stats = _stats_cache.get(key)
        if stats is None:
            if len(_stats_cache) > 8:
                _stats_cache.clear()
            stats = _stats_cache[key] = CorpusStats(clauses)
        if isinstance(clauses, tuple):
            _stats_last[:] = [(clauses, stats)]
        return stats
