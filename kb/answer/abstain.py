"""When to say "the documents do not address this": a few interpretable signals and calibrated thresholds.

e5 cosines are compressed (DESIGN.md §5): off-topic questions about banking reach the same
cosines as paraphrased answerable ones. So the cosine only settles the clear cases, and in
between, lexical evidence decides (no embedding beyond the search's own):

- ``sent_cos`` — the best question–sentence cosine among the hits: at least ``sure`` answers,
  below ``floor`` abstains;
- a question about the present moment (today, tonight, current rates, 现在 …): documents do not state it;
- a question asking for a figure (rate, limit, 多少 …) whose best sentences state no number;
- a question asking for a kind of figure (a duration, a sum, a share or rate, an age: :mod:`figures`) that
  none of the top clauses states;
- never a question asking when a rule takes effect or what it is for whose top clause states it
  (:mod:`policykb.kb.retrieval.intents`), whatever its cosine and words;
- a proper name of the question (Greater Bay Area, CET1) that no clause of the KB contains;
- no policy term of the question (glossary terms, in any of their renderings) in the top
  clauses, when one of them occurs nowhere in the KB (or, without word renderings, when the
  question is in the other language);
- only a place name matches while most of the question's words occur nowhere in the KB
  (weather in Ningbo);
- too small a share (``min_support``) of the question's topic words found in the top clauses
  (its own tokens for a clause in its language; for one in the other language, its content words
  through their glossary and dictionary renderings, each weighted by the rendering found; a Chinese
  question over English clauses counts its glossary terms, and its words' renderings only decide
  whether the answer is sure: ``confidence.word_support``); an English question over Chinese clauses whose top clause
  ``abstain.agree`` of the four retrieval signals rank first among the Chinese clauses is answered unsure instead
  (translation loses words; independent signals agreeing on one article rarely do so by chance).

Beside these, :func:`gather` measures the top clause's **anchor** (:func:`anchor_share`): the share of the
question's content words known to the KB that it holds. It never abstains; an answer whose top clause
holds none of them is unsure (:func:`policykb.kb.answer.respond.unsure_why`, ``confidence.min_anchor``).

A question asking whether something is mentioned ("Is the e-CNY trial mentioned?",
"有提到个人信息保护吗？") is answered when a top clause contains it. Cosine scales differ per
language pair, so the hits of each clause language are judged apart with that pair's
thresholds (:func:`judge`); the question is declined only when every group is.
Thresholds: :class:`policykb.kb.config.AbstainConfig` (defaults with how they were obtained; a KB
calibrated with ``policykb calibrate`` carries its own). Words that only name a document or the act
of asking are not topic words: a general list (``kb/data/question_words.txt``) plus the words of the
KB's own document titles that run through those documents (:func:`document_name_words`).
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from policykb.ingest.model import Clause
from policykb.kb.answer.evidence import CorpusStats, QueryTerms, group_in, tokens_of
from policykb.kb.retrieval.figures import asked_kinds, kinds_text, states_kind
from policykb.kb.config import DEFAULT_TUNING, PairThresholds
from policykb.kb.retrieval.intents import INTENT_NAMES
from policykb.kb.model import DocumentInfo, Hit

__all__ = [
    "Evidence", "Thresholds", "THRESHOLDS", "gather", "decide", "judge", "by_language",
    "asks_quantity", "asks_live", "states_number", "mention_subject", "QUESTION_WORDS", "document_name_words", "anchor_share",
]

QUESTION_WORDS_PATH = Path(__file__).resolve().parent.parent / "data" / "question_words.txt"
_NAME_SHARE = 0.25  # a title word runs through its document when at least this share of its clauses holds it
_QUANTITY_EN = re.compile(
    r"\b(?:how\s+(?:much|many|long|high|low|often)|what\s+time|when\s+does|above\s+what|below\s+what|(?:minimum|maximum|max|min)\b"
    r"|what(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:current\s+|usual\s+|typical\s+)?(?:[\w-]+\s+){0,4}"
    r"(?:rate|rates|ratio|limit|threshold|amount|percentage|level|cap|ceiling|dose|fee|price|number|interest))\b",
    re.I,
)
_QUANTITY_ZH = re.compile(r"多少|多久|多长时间|几(?:点|个|成|倍|年|天|月|次|家|种|岁)|(?:税率|利率|比率|比例|限额|上限|下限|门槛|金额)(?:是|为)")
_LIVE_EN = re.compile(
    r"\b(?:today|tonight|tomorrow|yesterday|right\s+now|this\s+(?:weekend|week|morning|afternoon|evening)|current(?!\s+accounts?\b))\b", re.I
)
_LIVE_ZH = re.compile(r"今天|明天|昨天|今晚|现在|本周|这周|周末")
_MENTION_QUESTIONS = [
    re.compile(r"^(?:is|are|was|were)\s+(?:there\s+)?(.+?)\s+(?:mentioned|covered|addressed|discussed|referred\s+to|named)\b", re.I),
    re.compile(r"^(?:does|do)\s+(?:the\s+)?(?:document|documents|paper|text|opinions?)\s+(?:mention|cover|address|discuss|refer\s+to|name)\s+(.+?)\s*[?.]*$", re.I),
    re.compile(r"^(?:有没有|是否|有)(?:提到|提及|涉及|说到|讲到)(?:了)?(.+?)(?:吗|呢)?\s*[？?]?$"),
    re.compile(r"^(.+?)(?:有|是否有|有没有)?(?:被)?(?:提到|提及|涉及|说到|讲到)(?:了)?(?:吗|没有|呢)\s*[？?]?$"),
]
_NUMBER = re.compile(
    r"\d|%|percent|\b(?:half|double|twice|one-third|quarter)\b|一半|翻番|[零一二三四五六七八九十百千万亿两]{1,12}"
    r"(?:个|次|天|日|周|月|年|倍|成|%|％|亿|万|元|家|项|笔|户|人|名|岁|小时|基点|分之)"
    # a number written out in English, before what it counts ("three years", "ten working days", "a dozen")
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
    r"ninety|hundred|thousand|million|billion|dozen)\s+(?:\w+\s+)?(?:years?|months?|weeks?|days?|hours?|times|"
    r"per\s*cent|percent|yuan|dollars?|people|persons?|members?)\b",
    re.I,
)


def _load_question_words(path: Path = QUESTION_WORDS_PATH) -> frozenset[str]:
    from policykb.kb.index.tokenize import tokenize

    words = " ".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return frozenset(w.lower() for w in words.split()) | frozenset(tokenize(words))


QUESTION_WORDS = _load_question_words()
_names_lock = threading.Lock()
_names_cache: dict[int, frozenset[str]] = {}


def _in_share(token: str, token_sets: Sequence[frozenset[str]]) -> bool:
    return sum(1 for t in token_sets if token in t) >= _NAME_SHARE * len(token_sets)


def _written_as_name(token: str, title: str, members: Sequence[Clause]) -> bool:
    """True when the title word behind ``token`` is written capitalised in the document's text (a proper name)."""
    for word in re.findall(r"[A-Za-z][A-Za-z'-]+", title):
        if token not in tokens_of(word):
            continue
        found = [m.group(0) for c in members for m in re.finditer(rf"(?<![A-Za-z]){re.escape(word)}(?![a-z])", c.text, re.I)]
        if found and sum(1 for w in found if w[0].isupper()) >= 0.8 * len(found):
            return True
    return False


def document_name_words(documents: Iterable[DocumentInfo], clauses: Sequence[Clause]) -> frozenset[str]:
    """The general question words plus the title words of the KB's documents that run through them.

    A word of a document's title (its place, issuer or subject, "Zhejiang", "商业银行") that at least a
    quarter of that document's clauses hold names the document rather than a topic of one clause; an
    English word counts only when the text writes it as a name (capitalised), so "support" stays a topic.
    """
    docs = tuple(documents)
    key = hash((tuple((d.doc_id, d.title) for d in docs), len(clauses), clauses[0].id if clauses else ""))
    with _names_lock:
        if key in _names_cache:
            return _names_cache[key]
    by_doc: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_doc.setdefault(clause.doc_id, []).append(clause)
    words: set[str] = set()
    for doc in docs:
        members = by_doc.get(doc.doc_id, [])
        if not members:
            continue
        token_sets = [tokens_of(f"{c.section_title}\n{c.text}") for c in members]
        for token in tokens_of(doc.title):
            if token.isdigit() or not _in_share(token, token_sets):
                continue
            if token.isascii() and not _written_as_name(token, doc.title, members):
                continue  # a common English word of the title ("support"), not a name ("Zhejiang")
            words.add(token)
    found = QUESTION_WORDS | frozenset(words)
    with _names_lock:
        if len(_names_cache) > 8:
            _names_cache.clear()
        _names_cache[key] = found
    return found


@dataclass(frozen=True)
class Evidence:
    """The signals the abstention rule reads."""

    sent_cos: float  # best dense_sentence cosine among the hits
    cross: bool  # the top clause is in the other language than the question
    # the question's topic words: tokens (same language); across languages its content words read through their
    # renderings (``rendered``), else its glossary terms
    topic_words: int
    supported: float  # of those, found in the top clauses (across languages: weighted by the rendering found)
    unknown: int  # of those, found in no clause of the KB
    concepts_found: int = 0  # the question's glossary terms and names found in the top clauses
    concepts_unknown: int = 0  # the question's glossary terms and names found in no clause of the KB
    unknown_names: tuple[str, ...] = ()  # proper names of the question no clause contains
    names_only: bool = False  # every term found in the top clauses is a proper name (a place, an institution)
    asks_quantity: bool = False  # the question asks for a number (rate, limit, 多少 …)
    asks_live: bool = False  # the question asks about today / now (weather, timetables, current rates)
    states_number: bool = True  # the best sentences of the top clause state one
    mentioned: str = ""  # for "is X mentioned?": X, when a top clause contains it
    pair: str = "en-en"  # "{question language}-{top clause language}": which thresholds apply
    rendered: bool = False  # across languages, support was read through the words' renderings (not glossary terms only)
    # same language only: the question's content words (two characters or more, not generic) that some clause of the KB
    # holds, and the IDF-weighted share of them the top clause holds (:func:`anchor_share`); 0 words = not measured
    anchor_words: int = 0
    anchor: float = 0.0
    # a Chinese question over English clauses (whose support counts glossary terms only): its content words read through
    # their renderings, as for the other direction; how many, and the weighted share found (confidence only)
    word_topics: int = 0
    word_supported: float = 0.0
    # the kinds of figure the question asks for (a duration, a sum, a share, an age: :mod:`figures`), and whether
    # some top clause states a figure of one of them
    asked_kinds: tuple[str, ...] = ()
    states_asked: bool = True
    # the question asks when a rule takes effect or what it is for (:mod:`policykb.kb.retrieval.intents`) and the top
    # clause states it: that intent, else ""
    intent_met: str = ""
    # how many retrieval signals rank the top clause first among the clauses of its language (``Hit.firsts``)
    agreed: int = 0

    @property
    def support(self) -> float:
        return self.supported / self.topic_words if self.topic_words else 0.0

    @property
    def word_support(self) -> float:
        return self.word_supported / self.word_topics if self.word_topics else 0.0

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.topic_words if self.topic_words else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "sent_cos": round(self.sent_cos, 4), "pair": self.pair, "cross": self.cross, "rendered": self.rendered,
            "topic_words": self.topic_words,
            "supported": self.supported, "unknown": self.unknown, "support": round(self.support, 3),
            "concepts_found": self.concepts_found, "concepts_unknown": self.concepts_unknown,
            "unknown_names": list(self.unknown_names), "names_only": self.names_only,
            "asks_quantity": self.asks_quantity, "asks_live": self.asks_live, "states_number": self.states_number, "mentioned": self.mentioned,
            "anchor_words": self.anchor_words, "anchor": round(self.anchor, 3),
            "word_topics": self.word_topics, "word_supported": self.word_supported,
            "asked_kinds": list(self.asked_kinds), "states_asked": self.states_asked, "intent_met": self.intent_met,
            "agreed": self.agreed,
        }


Thresholds = PairThresholds
THRESHOLDS: Mapping[str, PairThresholds] = DEFAULT_TUNING.abstain.pairs  # see policykb.kb.config.AbstainConfig


def asks_quantity(question: str) -> bool:
    """True when the question asks for a number: a rate, ratio, limit, amount, time or dose."""
    return bool(_QUANTITY_EN.search(question) or _QUANTITY_ZH.search(question))


def asks_live(question: str) -> bool:
    """True when the question asks about the present moment (today, tonight, now, current …), which policy texts do not state."""
    return bool(_LIVE_EN.search(question) or _LIVE_ZH.search(question))


def states_number(text: str) -> bool:
    """True when a text states a figure (digits, a percentage, "half", 一半 …)."""
    return bool(_NUMBER.search(text))


def mention_subject(question: str) -> str:
    """X in "Is X mentioned?" / "Does the document mention X?" / "有提到X吗？" / "X有提到吗？", else ""."""
    for pattern in _MENTION_QUESTIONS:
        m = pattern.search(question.strip())
        if m:
            subject = re.sub(r"^(?:the|a|an|any)\s+", "", m.group(1).strip(), flags=re.I).strip(" “”\"'《》")
            if subject:
                return subject
    return ""


def _topic_tokens(terms: QueryTerms, generic: frozenset[str]) -> set[str]:
    return {t for t in terms.own_tokens if t not in generic and not t.isdigit()}


def _concepts(terms: QueryTerms, generic: frozenset[str]) -> list[tuple[str, ...]]:
    return [g for g in terms.groups if not any(v.lower() in generic for v in g)]


def gather(hits: Sequence[Hit], terms: QueryTerms, stats: CorpusStats, question_lang: str, question: str = "",
           generic: frozenset[str] = QUESTION_WORDS, top_n: int = DEFAULT_TUNING.abstain.top) -> Evidence:
    """The abstention signals of a ranked search's hits (see the module docstring).

    ``generic``: words that name a document or the act of asking (:func:`document_name_words`).
    """
    if not hits:
        return Evidence(0.0, False, 0, 0, 0)
    top = hits[:top_n]
    texts = [f"{h.clause.section_title}\n{h.clause.text}" for h in top]
    clause_lang = hits[0].clause.lang
    cross = clause_lang != question_lang
    sent_cos = max(h.signals.get("dense_sentence", 0.0) for h in hits if h.clause.lang == clause_lang)
    concepts = _concepts(terms, generic)
    found = [g for g in concepts if any(group_in(g, t) for t in texts)]
    # English questions over Chinese clauses: the glossary knows few of their words, the dictionary most of them.
    # Chinese questions over English clauses keep glossary terms for abstaining (their renderings cost the Opinions
    # abstentions); their words' renderings only decide whether the answer is sure (``word_topics``).
    rendered = cross and question_lang == "en" and bool(terms.renderings)
    anchor_words, anchor = 0, 0.0  # measured for clauses in the question's language only
    word_topics, word_supported = 0, 0.0
    if rendered:
        supported, unknown, total = _word_support(terms, generic, texts, stats, top[0].clause.id)
        anchor_words, anchor = _rendered_anchor(terms, generic, tokens_of(texts[0]), stats)
    elif cross:
        supported, unknown, total = len(found), sum(1 for g in concepts if stats.group_df(g) == 0), len(concepts)
        if terms.renderings:
            word_supported, _unknown, word_topics = _word_support(terms, generic, texts, stats, top[0].clause.id)
    else:
        words = _topic_tokens(terms, generic)
        top_tokens = frozenset().union(*(tokens_of(t) for t in texts))
        supported = sum(1 for w in words if w in top_tokens)
        unknown = sum(1 for w in words if not stats.known(w))
        total = len(words)
        anchor_words, anchor = anchor_share(words, tokens_of(texts[0]), stats)
    subject = mention_subject(question)
    mentioned = ""
    if subject:
        groups = [g for g in terms.groups if any(v in subject for v in g)] or [(subject,)]
        if all(any(group_in(g, t) for t in texts) for g in groups):
            mentioned = subject
    best = " ".join(text for text, _cos in hits[0].sentences[:2]) or hits[0].best_sentence
    kinds = asked_kinds(question)
    return Evidence(
        sent_cos=sent_cos, cross=cross, pair=f"{question_lang}-{clause_lang}", rendered=rendered,
        topic_words=total, supported=supported, unknown=unknown,
        concepts_found=len(found), concepts_unknown=sum(1 for g in concepts if stats.group_df(g) == 0),
        unknown_names=tuple(g[0] for g in concepts if g in terms.names and stats.group_df(g) == 0),
        names_only=bool(found) and all(g in terms.names for g in found),
        asks_quantity=asks_quantity(question), asks_live=asks_live(question), states_number=states_number(best), mentioned=mentioned,
        anchor_words=anchor_words, anchor=anchor, word_topics=word_topics, word_supported=word_supported,
        asked_kinds=tuple(sorted(kinds)), states_asked=any(states_kind(t, kinds) for t in texts),
        intent_met=hits[0].intent,
        agreed=len(hits[0].firsts),
    )


def anchor_share(words: Iterable[str], top_tokens: frozenset[str], stats: CorpusStats) -> tuple[int, float]:
    """(how many, IDF-weighted share found in the top clause) of the topic words some clause of the KB holds.

    Only words of two characters or more count (a single Chinese character such as 会 or 没 says little). A top
    clause that holds none of the question's known words matched by meaning alone: the dense signals may have
    found a neighbouring provision (the accounting year for "how long is maternity leave").
    """
    known = [w for w in words if len(w) >= 2 and stats.known(w)]
    if not known:
        return 0, 0.0
    weights = {w: math.log((stats.n + 1) / (stats.df[w] + 0.5)) for w in known}
    total = sum(weights.values())
    found = sum(weight for w, weight in weights.items() if w in top_tokens)
    return len(known), (found / total if total > 0 else 0.0)


def _word_support(terms: QueryTerms, generic: frozenset[str], texts: Sequence[str], stats: CorpusStats,
                  top_id: str = "") -> tuple[float, int, int]:
    """(supported, unknown, total) over the question's content words for clauses in the other language.

    Each word counts as found to the weight of its best rendering the top clauses hold (glossary terms
    1.0, dictionary renderings their sense weight, the word itself 1.0): a word found only through an
    ambiguous sense is weaker evidence. A specific word the top clause's (``top_id``) English gloss holds
    counts at least ``QueryTerms.glossed``'s weight: the gloss holds every sense of every word, so it is
    read for the top clause only. A word none of whose renderings any clause holds is unknown.
    Words that name a document or the act of asking, directly or through their main rendering
    (bank → 银行 in a KB of banking laws), are not topic words.
    """
    top_tokens = frozenset().union(*(tokens_of(t) for t in texts))
    glossed = {word: (credit, holders) for word, credit, holders in terms.glossed}
    supported, unknown, total = 0.0, 0, 0
    for word, pairs in terms.renderings:
        rendered = dict(pairs)
        if word.isdigit() or word in generic:
            continue
        others = {t: w for t, w in rendered.items() if t != word}
        main = max(others.values(), default=0.0)
        if main > 0 and any(t in generic for t, w in others.items() if w >= main):
            continue
        total += 1
        found = min(1.0, max((w for t, w in rendered.items() if t in top_tokens), default=0.0))
        credit, holders = glossed.get(word, (0.0, frozenset()))
        supported += max(found, credit if top_id in holders else 0.0)
        if not any(stats.known(t) for t in rendered):
            unknown += 1
    return round(supported, 3), unknown, total


def _rendered_anchor(terms: QueryTerms, generic: frozenset[str], top_tokens: frozenset[str],
                     stats: CorpusStats) -> tuple[int, float]:
    """:func:`anchor_share` for a question in the other language: a content word is known when a rendering of it
    (of two characters or more) occurs in the KB, and found, to that rendering's weight, when the top clause holds
    it; each word weighs the IDF of its rarest known rendering."""
    weights: dict[str, float] = {}
    found: dict[str, float] = {}
    for word, pairs in terms.renderings:
        if word.isdigit() or word in generic:
            continue
        known = [(t, w) for t, w in pairs if t != word and len(t) >= 2 and t not in generic and stats.known(t)]
        if not known:
            continue
        weights[word] = max(math.log((stats.n + 1) / (stats.df[t] + 0.5)) for t, _w in known)
        found[word] = min(1.0, max((w for t, w in known if t in top_tokens), default=0.0))
    total = sum(weights.values())
    if not weights or total <= 0:
        return 0, 0.0
    return len(weights), sum(weights[w] * found[w] for w in weights) / total


def by_language(hits: Sequence[Hit]) -> list[list[Hit]]:
    """The hits split by clause language, each group in rank order, the top hit's language first."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.clause.lang, []).append(hit)
    return list(groups.values())


def judge(hits: Sequence[Hit], terms: QueryTerms, stats: CorpusStats, question_lang: str, question: str,
          thresholds: Mapping[str, PairThresholds] | None = None, generic: frozenset[str] = QUESTION_WORDS,
          top_n: int = DEFAULT_TUNING.abstain.top, agree: int = DEFAULT_TUNING.abstain.agree) -> tuple[list[list[Hit]], str]:
    """The language groups of hits that address the question ([] = abstain), and why.

    Cosine scales differ per language pair (zh–zh runs higher than en–en, cross-language lower),
    so the hits of each clause language are judged apart, by that pair's thresholds, the top
    hit's language first. Every passing group is returned, in that order; the reason is the
    first passing group's (or, when all abstain, the top hit's group's).
    """
    passing: list[list[Hit]] = []
    reasons: list[str] = []
    for group in by_language(hits):
        abstain, why = decide(gather(group, terms, stats, question_lang, question, generic, top_n), thresholds, agree)
        if not abstain:
            passing.append(group)
        reasons.append(why)
    if passing:
        first = by_language(hits).index(passing[0])
        return passing, reasons[first]
    return [], reasons[0] if reasons else "nothing was retrieved"


def decide(ev: Evidence, thresholds: Mapping[str, PairThresholds] | None = None,
           agree: int = DEFAULT_TUNING.abstain.agree) -> tuple[bool, str]:
    """(abstain?, why) for the evidence of one question.

    For an English question over Chinese clauses, whose words are found only through their renderings, ``agree``
    retrieval signals ranking the top clause first outweigh too few of its words found (there are four signals:
    5 = never); the answer is then unsure (:func:`policykb.kb.answer.respond.unsure_why`)."""
    table = thresholds or THRESHOLDS
    t = table.get(ev.pair) or table["cross" if ev.cross else "same"]
    facts = f"best sentence cosine {ev.sent_cos:.3f}; {ev.supported:g}/{ev.topic_words} topic words found"
    if ev.mentioned:
        return False, f"a top clause mentions {ev.mentioned!r} ({facts})"
    if ev.intent_met:
        return False, f"the top clause states {INTENT_NAMES.get(ev.intent_met, ev.intent_met)} ({facts})"
    if ev.asks_live and ev.asks_quantity and not ev.states_number:
        return True, f"the question asks for today's figure, which the nearest clauses do not state ({facts})"
    if ev.sent_cos >= t.sure:
        return False, f"close match ({facts})"
    if ev.asked_kinds and not ev.states_asked:
        return True, f"the question asks for {kinds_text(ev.asked_kinds)}, which none of the nearest clauses states ({facts})"
    if ev.sent_cos < t.floor:
        return True, f"no clause is close to the question ({facts})"
    if ev.asks_live:
        return True, f"the question asks about the present moment, which the documents do not state ({facts})"
    if ev.asks_quantity and not ev.states_number:
        return True, f"the question asks for a figure the nearest clauses do not state ({facts})"
    if ev.unknown_names:
        return True, f"no clause mentions {', '.join(ev.unknown_names)} ({facts})"
    if ev.concepts_found == 0 and (ev.concepts_unknown or (ev.cross and not ev.rendered)):
        return True, f"none of the question's policy terms occurs in the nearest clauses ({facts})"
    if not ev.cross and ev.names_only and ev.unknown_share > 0.5:
        return True, f"only a place name matches; most of the question's words occur in no clause ({facts})"
    if ev.support < t.min_support:
        if ev.rendered and ev.topic_words and ev.agreed >= agree:
            return False, f"{ev.agreed} retrieval signals rank the top clause first, though few of the question's words occur in it ({facts})"
        return True, f"too few of the question's words occur in the nearest clauses ({facts})"
    return False, f"matching clause ({facts})"
