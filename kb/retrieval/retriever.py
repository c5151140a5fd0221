"""Hybrid clause retrieval: dense (clause + sentence vectors), lexical, glossary and dictionary bridges,
a title prior over documents, direct lookups (docs/cross-lingual.md)."""
from __future__ import annotations

import copy
import heapq
import re
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np

from policykb.ingest import detect_lang
from policykb.ingest.model import Clause
from policykb.kinds import LookupKind, SearchMode
from policykb.kb.index.embed import Embedder
from policykb.kb.config import DEFAULT_TUNING, RetrievalConfig
from policykb.kb.retrieval.doc_coverage import CoveragePrior
from policykb.kb.retrieval.fusion import Weights, first_places, fuse, merge_dictionary, weights_table
from policykb.kb.retrieval.doc_prior import TitlePrior
from policykb.kb.retrieval.figures import FigureClauses
from policykb.kb.retrieval.dictionary import Dictionary, VocabularyBridge, english_tokens, load_dictionary
from policykb.kb.retrieval.gloss import GlossIndex, either_translation
from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.retrieval.intents import IntentClauses, question_intent
from policykb.kb.retrieval.language_gap import language_penalty
from policykb.kb.retrieval.language_idf import LanguageIdf
from policykb.kb.retrieval.lookup import ZH_NUMERALS, Lookup, mention_pattern, parse_lookup
from policykb.kb.retrieval.word_coverage import WordCoverage
from policykb.kb.model import Hit
from policykb.kb.retrieval.query_text import strip_question
from policykb.kb.index.snapshot import Snapshot
from policykb.kb.index.tokenize import tokenize
from policykb.kb.index.vectors import VectorStore

__all__ = ["Retriever", "scope_of"]

# Candidate depths and lookup bonuses: policykb.kb.config.RetrievalConfig. BM25 matches every clause sharing
# one common word; fusion only needs the best ones (normalisation divides by the top score, so the tail adds
# at most a few hundredths to clauses no other signal found).
# The dictionary synonyms, dense hints and document priors are tuned in RetrievalConfig too (with how each
# value was obtained; docs/cross-lingual.md has the grids).


_RENDERINGS_KEPT = 64  # questions whose word renderings are kept (Retriever.word_renderings)
_FETCH_MARGIN = 16  # at least this many vectors (else a quarter more) fetched beyond the n kept (see Retriever._dense)


def scope_of(doc: str | Sequence[str] | None) -> frozenset[str] | None:
    """The documents a search is limited to: None for all, else their ids (one id or several)."""
    if doc is None or doc == "":
        return None
    ids = frozenset([doc] if isinstance(doc, str) else (d for d in doc if d))
    return ids or None


@dataclass(frozen=True)
class Filters:
    docs: frozenset[str] | None = None
    section: str | None = None
    lang: str | None = None

    def keep(self, clause: Clause) -> bool:
        return (
            (self.docs is None or clause.doc_id in self.docs)
            and (self.section is None or clause.section == self.section)
            and (self.lang is None or clause.lang == self.lang)
        )


class Retriever:
    """Ranks the clauses of one snapshot for a query."""

    def __init__(self, snapshot: Snapshot, embedder: Embedder, vectors: VectorStore, glossary: Glossary | None,
                 weights: Mapping[str, Weights] | None = None, dictionary: Dictionary | None | bool = True,
                 titles: Mapping[str, Sequence[str]] | None = None, config: RetrievalConfig | None = None) -> None:
        """``glossary=None`` turns the curated glossary bridge off; ``dictionary`` is a loaded
        dictionary, True for the bundled CC-CEDICT (loaded on first use) or False/None for none;
        ``titles`` (doc id → its titles) gives the document prior of a KB of several documents."""
        self.snapshot = snapshot
        self.embedder = embedder
        self.vectors = vectors
        self.glossary = glossary if glossary is not None else Glossary(())
        self.config = config or DEFAULT_TUNING.retrieval
        self.weights = weights if weights is not None else weights_table(self.config)
        # query → raw signals, when set (calibration re-fuses one question's signals under many configs)
        self.signal_cache: dict[tuple[str, ...], tuple[dict, dict, dict]] | None = None
        self._dictionary_source = dictionary
        self._vocab_bridge: VocabularyBridge | None = None
        self._gloss_index: GlossIndex | None = None
        self.title_prior = TitlePrior(titles or {})
        self.coverage_prior = CoveragePrior(snapshot.lexical, {cid: c.doc_id for cid, c in snapshot.by_id.items()})
        self._clause_langs = {cid: c.lang for cid, c in snapshot.by_id.items()}
        self.language_idf = LanguageIdf(snapshot.lexical, self._clause_langs)
        self._clause_order = {r.clause.id: i for i, r in enumerate(snapshot.rows)}
        self.intent_clauses = IntentClauses(snapshot.by_id)
        self.figure_clauses = FigureClauses(snapshot.by_id)
        self.word_coverage = WordCoverage(snapshot.lexical)
        self._renderings: dict[tuple[str, str], dict[str, dict[str, float]]] = {}

    def with_snapshot(self, snapshot: Snapshot) -> "Retriever":
        """This retriever over a snapshot of the same clauses whose vectors changed (a fill published more):
        the priors and dictionary bridge built from the clause texts are kept."""
        other = copy.copy(self)
        other.snapshot = snapshot
        other.signal_cache = None if self.signal_cache is None else {}
        return other

    def with_config(self, config: RetrievalConfig) -> "Retriever":
        """This retriever (same snapshot, stores and signal cache) ranking with another config."""
        other = copy.copy(self)
        other.config = config
        other.weights = weights_table(config)
        return other

    def search(self, query: str, k: int, *, doc: str | Sequence[str] | None = None, section: str | None = None,
               lang: str | None = None, mode: SearchMode = "fused") -> tuple[list[Hit], LookupKind | Literal[""]]:
        """Top hits (all of them for a "mentions" lookup) and which lookup path ran ("" for ranked search).

        ``doc`` limits the search to one document id or several: the candidates of every signal are then
        drawn from those documents only, so a small document is not crowded out by the others."""
        filters = Filters(scope_of(doc), section, lang)
        named = False  # whether the question names a document by its subject (the title prior)
        ordering: dict[str, float] = {}  # added for the order only: the hits' scores leave it out
        query_lang = detect_lang(query)
        raw, sentences, expanded = self._cached_signals(query, query_lang, mode, filters.docs)
        if mode == "fused":
            scores, named = self._fused_scores(query, query_lang, raw, expanded, filters)
        else:
            signal_names = ("dense_clause", "dense_sentence") if mode == "dense" else ("lexical", "bridge")
            merged = merge_dictionary(raw, self.config.dictionary_scale)
            scores = _sum_normalised({s: merged[s] for s in signal_names})
        scores = {cid: s for cid, s in scores.items() if cid in self.snapshot.by_id and filters.keep(self.snapshot.by_id[cid])}
        if mode == "fused":
            ordering = self._coverage_bonus(query, query_lang, scores)
            for cid, bonus in ordering.items():  # at most word_coverage_depth clauses; ``scores`` is this search's own
                scores[cid] += bonus
        intent = question_intent(query, named) if mode == "fused" and self.config.intent_margin else ""
        if intent:
            lifted = self.intent_clauses.lift(intent, scores, self.config.intent_margin)
            scores = {cid: v for cid, v in lifted.items() if cid in scores or filters.keep(self.snapshot.by_id[cid])}

        lookup = parse_lookup(query)
        lookup_ids = self._lookup_ids(lookup, filters) if lookup else []
        kind: LookupKind | Literal[""] = lookup.kind if lookup and lookup_ids else ""
        for cid in lookup_ids:
            style = self.config.style_bonus if kind == "clause" and _same_numbering(query, self.snapshot.by_id[cid].label) else 0.0
            scores[cid] = scores.get(cid, 0.0) + self.config.lookup_bonus + style
        limit = max(k, len(lookup_ids)) if kind == "mentions" else k
        # The first ``limit`` of the order sorted() gives (nsmallest is documented equal to sorted(...)[:n]), without
        # sorting every candidate (thousands at 10k clauses).
        ranked = heapq.nsmallest(limit, scores, key=lambda cid: (-scores[cid], self._order(cid)))
        terms = self._query_terms(query, query_lang)
        sentences = self._sentence_texts(ranked, sentences)
        firsts = first_places(raw, self._clause_langs, self.config.dictionary_scale) if mode == "fused" else {}
        stating = self.intent_clauses.of(intent) if intent else frozenset()
        hits = [
            Hit(
                clause=self.snapshot.by_id[cid],
                score=scores[cid] - ordering.get(cid, 0.0),
                signals={s: raw[s].get(cid, 0.0) for s in raw},
                matched_terms=_matched(terms, self.snapshot.by_id[cid].text),
                best_sentence=sentences[cid][0][0] if sentences.get(cid) else "",
                sentences=tuple(sentences.get(cid, ())[:3]),
                firsts=firsts.get(cid, ()),
                intent=intent if cid in stating else "",
            )
            for cid in ranked
        ]
        return hits, kind

    def _fused_scores(self, query: str, query_lang: str, raw: Mapping[str, Mapping[str, float]],
                      expanded: Mapping[str, float], filters: Filters) -> tuple[dict[str, float], bool]:
        """The fused score per clause with the document priors, the language gap and the lift of clauses stating the kind
        of figure the question asks for, and whether the question names
        a document by its subject (a title prior of at least ``config.intent_named_prior``)."""
        scores = fuse(raw, self._clause_langs, query_lang, self.weights, self._bridge_coverage(query, query_lang),
                      self.config.dictionary_scale)
        by_id = self.snapshot.by_id
        priors = self.title_prior.scores(self._prior_tokens(query, query_lang, expanded)) if self.title_prior else {}
        if priors and self.config.title_prior_weight:
            scores = self._plus_document_prior(scores, priors, self.config.title_prior_weight)
        if self.coverage_prior and self.config.coverage_prior_weight:
            gaps = self.coverage_prior.scores(self.word_renderings(query, query_lang))
            if gaps:
                scores = self._plus_document_prior(scores, gaps, self.config.coverage_prior_weight)
        if query_lang == "zh":
            # over the clauses the filters keep: a search limited to one language is left as it is
            kept = {cid: v for cid, v in raw["dense_sentence"].items() if cid in by_id and filters.keep(by_id[cid])}
            loser, penalty = language_penalty(kept, self._clause_langs, self.config.language_gap_offset,
                                              self.config.language_gap_weight)
            if penalty:
                scores = {cid: v - penalty if self._clause_langs.get(cid) == loser else v for cid, v in scores.items()}
        scores = self.figure_clauses.lift(query, scores, self.config.figure_prior)
        return scores, max(priors.values(), default=0.0) >= self.config.intent_named_prior

    def _coverage_bonus(self, query: str, query_lang: str, scores: Mapping[str, float]) -> dict[str, float]:
        """For a Chinese question, ``config.word_coverage`` times the share of the question's words each of the fused top
        clauses holds (:mod:`word_coverage`), to be added for ordering only: the confidence margins were set on fused
        scores, and this reads the same lexical evidence again (with it in the scores, unsure answers turned sure)."""
        weight, depth = self.config.word_coverage, self.config.word_coverage_depth
        if query_lang != "zh" or weight <= 0 or not scores:
            return {}
        top = heapq.nsmallest(depth, scores, key=lambda cid: (-scores[cid], self._order(cid)))
        shares = self.word_coverage.shares(self.word_renderings(query, query_lang), top)
        return {cid: weight * share for cid, share in shares.items() if share > 0}

    def _plus_document_prior(self, scores: Mapping[str, float], prior: Mapping[str, float], weight: float) -> dict[str, float]:
        """``scores`` with each clause's document's ``prior`` (doc id → value; absent: 0) times ``weight`` added."""
        by_id = self.snapshot.by_id
        return {cid: v + weight * prior.get(by_id[cid].doc_id, 0.0) if cid in by_id else v for cid, v in scores.items()}

    # -- signals ---------------------------------------------------------------------
    def _cached_signals(self, query: str, query_lang: str, mode: str, scope: frozenset[str] | None = None
                        ) -> tuple[dict[str, dict[str, float]], dict[str, list[tuple[str, float]]], dict[str, float]]:
        if self.signal_cache is None:
            return self._signals(query, query_lang, mode, scope)
        key = (query, mode) if scope is None else (query, mode, *sorted(scope))
        if key not in self.signal_cache:
            self.signal_cache[key] = self._signals(query, query_lang, mode, scope)
        return self.signal_cache[key]

    def _signals(self, query: str, query_lang: str, mode: str, scope: frozenset[str] | None = None
                 ) -> tuple[dict[str, dict[str, float]], dict[str, list[tuple[str, float]]], dict[str, float]]:
        """Raw scores per signal, the sentence hits per clause (vector id, cosine; best first), and the dictionary's
        weighted renderings (candidates drawn from the ``scope`` documents only, when given)."""
        raw: dict[str, dict[str, float]] = {"dense_clause": {}, "dense_sentence": {}, "lexical": {}, "bridge": {}, "dictionary": {}}
        sentences: dict[str, list[tuple[str, float]]] = {}
        if not self.snapshot.rows:
            return raw, sentences, {}
        expanded = self.dictionary_terms(query, query_lang)
        gate_scores: Mapping[str, Mapping[str, float]] = raw
        if mode in ("fused", "lexical"):
            lexical = self.snapshot.lexical
            # A scoped search scores every clause lexically (no top-n a larger document could fill) and keeps the
            # whole KB's scores, so each signal is normalised by the KB's best as in an unscoped search; the
            # scope's filter then keeps its documents' clauses (dense candidates are drawn from the scope itself).
            top = self.config.lexical_candidates if scope is None else None
            bridged = self._bridge_tokens(query, query_lang)
            tokens = tokenize(query)
            raw["bridge"] = lexical.scores(bridged, top=top) if bridged else {}
            rescale = self.config.language_idf and self.language_idf.active
            if not rescale or query_lang == "en":
                # BM25 over the whole KB: the fusion's, or with within-language IDF the dense hints' gate's (English
                # questions only), whose threshold was tuned on it
                whole_kb = {"lexical": lexical.scores(tokens, top=top),
                            "dictionary": lexical.weighted_scores(expanded, top=top) if expanded else {}}
                gate_scores = whole_kb
            if rescale:
                # the question's words and their dictionary renderings weigh their IDF within their language
                raw["lexical"] = lexical.weighted_scores(self.language_idf.weights(tokens), top=top)
                weighted = {t: w * self.language_idf.factor(t) for t, w in expanded.items()}
                raw["dictionary"] = lexical.weighted_scores(weighted, top=top) if weighted else {}
            else:
                raw.update(whole_kb)
            if query_lang == "en" and self.config.gloss_scale:
                glosses = self.gloss_index()
                if glosses is not None:
                    raw["dictionary"] = either_translation(raw["dictionary"], glosses.scores(query, top=top), self.config.gloss_scale)
        if "dense" in self.signals_used(mode):
            text = strip_question(query) if query_lang == "en" else query
            hints = self._dense_hints(expanded, gate_scores) if query_lang == "en" else []
            if hints:
                text = f"{text} {' '.join(hints)}"
            vector = self.embedder.embed_queries([text])[0]
            raw["dense_clause"] = self._dense("clauses", vector, self.config.clause_candidates, None, scope)
            raw["dense_sentence"] = self._dense("sentences", vector, self.config.sentence_candidates, sentences, scope)
        return raw, sentences, expanded

    def signals_used(self, mode: str = "fused") -> tuple[str, ...]:
        """The signal families a search in ``mode`` uses on this snapshot: "lexical" (BM25 with the glossary and
        dictionary bridges) and "dense" (clause and sentence vectors; only once some clause's vectors are in)."""
        out = []
        if mode in ("fused", "lexical"):
            out.append("lexical")
        if mode in ("fused", "dense") and self.snapshot.embedded:
            out.append("dense")
        return tuple(out)

    def _dense_hints(self, expanded: Mapping[str, float], raw: Mapping[str, Mapping[str, float]]) -> list[str]:
        """Chinese renderings to append to an English question's one query embedding, or [].

        Only when the dictionary's lexical evidence in Chinese clauses is at least ``config.dense_hint_gate`` times the
        question's own words' evidence in English clauses: then the question is likely about a Chinese text,
        and its best renderings make the clauses that use them stand out among their peers. Otherwise the
        embedding stays the question's own (hints would pull an English document's question off course).
        """
        if not self.config.dense_hints or not expanded:
            return []
        langs = self._clause_langs
        zh_best = max((v for cid, v in raw.get("dictionary", {}).items() if langs.get(cid) == "zh"), default=0.0)
        en_best = max((v for cid, v in raw.get("lexical", {}).items() if langs.get(cid) == "en"), default=0.0)
        if zh_best <= 0 or zh_best < self.config.dense_hint_gate * en_best:
            return []
        ranked = sorted(expanded.items(), key=lambda kv: (-kv[1], kv[0]))
        return [t for t, w in ranked if w >= self.config.dense_hint_min and not t.isascii()][:self.config.dense_hints]

    def _dense(self, kind: str, vector: np.ndarray, n: int, found_ids: dict[str, list[tuple[str, float]]] | None,
               scope: frozenset[str] | None = None) -> dict[str, float]:
        """Best cosine per committed clause (of the ``scope`` documents, when given); with ``found_ids``, the vector
        ids found are collected per clause, best first (their texts are read for the hits shown only)."""
        out: dict[str, float] = {}
        # One query per clause language: a Chinese question scores every Chinese text above every
        # English one, so a shared top-n would hold no candidates of the other language at all.
        found: list[tuple[str, float, dict]] = []
        langs = sorted(self.snapshot.langs if scope is None else {c.lang for c in self.snapshot.by_id.values() if c.doc_id in scope})
        where = None if scope is None else {"doc_id": {"$in": sorted(scope)}}
        for lang in langs:
            got = self.vectors.query(kind, vector, n + max(_FETCH_MARGIN, n // 4), lang=lang, where=where, metadata=False)
            # The nearest n by (cosine, id), from a deeper fetch: the approximate index's last places (and its order
            # among equal cosines) may differ between processes, which would change the candidate set, its
            # normalisation and so the scores; the store keeps the index's search broad enough
            # (kb/index/vectors.py, _EF_SEARCH) that the places kept come back the same in every process.
            got.sort(key=lambda item: (-round(item[1], 6), item[0]))
            found.extend(got[:n])
        for vector_id, sim, _meta in sorted(found, key=lambda item: (-round(item[1], 6), item[0])):
            cid = self.snapshot.clause_of_vector(vector_id)
            if cid is None:
                continue  # an uncommitted or superseded version: not visible
            out[cid] = max(sim, out.get(cid, -2.0))
            if found_ids is not None:
                found_ids.setdefault(cid, []).append((vector_id, sim))
        return out

    def _sentence_texts(self, cids: Sequence[str], found_ids: Mapping[str, list[tuple[str, float]]]
                        ) -> dict[str, list[tuple[str, float]]]:
        """The texts of these clauses' sentence hits (text, cosine; best first), read from the store in one go."""
        wanted: dict[str, list[str]] = {}
        for cid in cids:
            for vector_id, _sim in found_ids.get(cid, ()):
                wanted.setdefault(self.snapshot.by_id[cid].lang or "und", []).append(vector_id)
        if not wanted:
            return {}
        texts = self.vectors.texts("sentences", wanted)
        return {cid: [(texts[v], sim) for v, sim in found_ids[cid] if v in texts] for cid in cids if cid in found_ids}

    def _bridge_coverage(self, query: str, query_lang: str) -> float:
        """Share of the query's content tokens that lie inside glossary terms."""
        query_tokens = set(tokenize(query))
        if not query_tokens:
            return 0.0
        found = self.glossary.terms_in(query, query_lang)
        side = {e.zh if query_lang == "zh" else e.en for e in found}
        term_tokens = {t for term in side for t in tokenize(term)}
        return len(query_tokens & term_tokens) / len(query_tokens)

    def _bridge_tokens(self, query: str, query_lang: str) -> list[str]:
        """Glossary renderings of the query's terms: in the other language, and (via a round trip
        through it) the synonyms the glossary lists in the query's own language ("e-CNY" → "digital renminbi")."""
        terms: list[str] = []
        for target in sorted(self.snapshot.langs):
            if target != query_lang:
                terms.extend(self.glossary.bridge_query(query, query_lang, target))
            else:
                pivot = "en" if query_lang == "zh" else "zh"
                for term in self.glossary.bridge_query(query, query_lang, pivot):
                    terms.extend(self.glossary.to_en(term) if pivot == "zh" else self.glossary.to_zh(term))
        return [t for term in dict.fromkeys(terms) for t in tokenize(term)]

    def _prior_tokens(self, query: str, query_lang: str, expanded: Mapping[str, float]) -> dict[str, float]:
        """The question's tokens with their glossary and dictionary renderings, for title matching."""
        weights = {t: 1.0 for t in tokenize(query)}
        for target in ("zh", "en"):
            if target != query_lang:
                for term in self.glossary.bridge_query(query, query_lang, target):
                    for t in tokenize(term):
                        weights[t] = 1.0
        for t, w in expanded.items():
            weights[t] = max(weights.get(t, 0.0), w)
        return weights

    def word_renderings(self, query: str, query_lang: str) -> Mapping[str, Mapping[str, float]]:
        """Each content word of the question (in its own language) → its weighted lexical tokens: the word
        itself, its glossary renderings, and its dictionary renderings and synonyms (the coverage prior, word
        coverage and the cross-language support that abstention read: one search and its answer ask three
        times, so the last few questions' are kept; read-only)."""
        key = (query, query_lang)
        cached = self._renderings.get(key)
        if cached is None:
            if len(self._renderings) >= _RENDERINGS_KEPT:
                self._renderings.clear()
            cached = self._renderings[key] = self._render_words(query, query_lang)
        return cached

    def _render_words(self, query: str, query_lang: str) -> dict[str, dict[str, float]]:
        found = self.glossary.terms_in(query, query_lang)
        bridge = self.vocabulary_bridge()
        out: dict[str, dict[str, float]] = {}
        for word in dict.fromkeys(tokenize(query)):
            if word.isascii() != (query_lang == "en"):
                continue
            rendered = {word: 1.0}
            if bridge is not None:
                if query_lang == "en":
                    extra = bridge.en_to_zh([word])
                else:
                    extra = bridge.zh_to_en([word])
                    for term, w in bridge.zh_synonyms([word]).items():
                        extra[term] = max(extra.get(term, 0.0), w)
                for term, w in extra.items():
                    rendered[term] = max(rendered.get(term, 0.0), w)
            for entry in found:
                own, other = (entry.en, entry.zh) if query_lang == "en" else (entry.zh, entry.en)
                if word in tokenize(own):
                    rendered.update(dict.fromkeys(tokenize(other), 1.0))
            out[word] = rendered
        return out

    def vocabulary_bridge(self) -> VocabularyBridge | None:
        """The dictionary restricted to this snapshot's vocabulary (built on first use), or None without one."""
        if self._vocab_bridge is None and self._dictionary_source:
            lexical = self.snapshot.lexical
            self._vocab_bridge = self._dictionary().for_vocabulary(lexical.vocabulary, lexical.doc_freqs(), len(lexical))
        return self._vocab_bridge

    def gloss_index(self) -> GlossIndex | None:
        """English glosses of this snapshot's Chinese clauses (built on first use), or None without a dictionary or
        Chinese clauses."""
        if self._gloss_index is None and self._dictionary_source and "zh" in self.snapshot.langs:
            self._gloss_index = GlossIndex.build(self.snapshot.lexical, self._clause_langs, self._dictionary())
        return self._gloss_index

    def _dictionary(self) -> Dictionary:
        """The dictionary given, or the bundled CC-CEDICT (loaded once per process) for ``dictionary=True``."""
        source = self._dictionary_source
        return source if isinstance(source, Dictionary) else load_dictionary()

    def gloss_holders(self, query: str, query_lang: str, max_share: float) -> dict[str, frozenset[str]]:
        """For an English question, its specific content words with the Chinese clauses whose gloss holds each
        (:meth:`GlossIndex.specific_holders`); {} for a Chinese question or a KB without glosses."""
        glosses = self.gloss_index() if query_lang == "en" else None
        return glosses.specific_holders(query, max_share) if glosses is not None else {}

    def dictionary_terms(self, query: str, query_lang: str) -> dict[str, float]:
        """Weighted lexical tokens the dictionary gives a query: Chinese KB words for an English question;
        English tokens and Chinese synonyms (through an English sense) for a Chinese one. Words inside
        curated glossary terms are left to the glossary."""
        bridge = self.vocabulary_bridge()
        if bridge is None:
            return {}
        found = self.glossary.terms_in(query, query_lang)
        tokens = tokenize(query)
        if query_lang == "en":
            if "zh" not in self.snapshot.langs:
                return {}
            skip = frozenset(t for e in found for t in tokenize(e.en))
            return bridge.en_to_zh([t for t in tokens if t.isascii()], skip)
        skip = frozenset(t for e in found for t in tokenize(e.zh))
        words = [t for t in tokens if not t.isascii()]
        out: dict[str, float] = {}
        if "en" in self.snapshot.langs:
            out.update(bridge.zh_to_en(words, skip))
        if "zh" in self.snapshot.langs and self.config.dictionary_synonyms:
            for term, w in bridge.zh_synonyms(words, skip).items():
                out[term] = max(out.get(term, 0.0), w)
        return out

    # -- lookups ---------------------------------------------------------------------
    def _lookup_ids(self, lookup: Lookup, filters: Filters) -> list[str]:
        clauses = [r.clause for r in self.snapshot.rows if filters.keep(r.clause)]
        if lookup.kind == "clause":
            return [c.id for c in clauses if c.number == lookup.value]
        if lookup.kind == "section":
            return [c.id for c in clauses if c.section == lookup.value]
        patterns = [mention_pattern(v) for v in self._variants(lookup.value)]
        counts = {c.id: sum(len(p.findall(c.text)) for p in patterns) for c in clauses}
        return sorted((cid for cid, n in counts.items() if n), key=lambda cid: (-counts[cid], self._order(cid)))

    def _variants(self, entity: str) -> list[str]:
        """The entity, its glossary translations (e.g. 宁波 → Ningbo) and dictionary renderings, and the glossary
        terms inside it."""
        variants = {entity, *self.mention_renderings(entity)}
        lang = detect_lang(entity)
        for entry in self.glossary.terms_in(entity, lang):
            variants.update((entry.zh, entry.en))
        return sorted(v for v in variants if v.strip())

    def mention_renderings(self, entity: str) -> tuple[str, ...]:
        """What a "which clauses mention X" lookup also finds X as: its glossary translations, or, when the glossary
        has none, the Chinese KB words the dictionary renders an English X with as a whole ("depositors" → 存款人;
        see :meth:`VocabularyBridge.phrase_words`), heaviest first."""
        lang = detect_lang(entity)
        curated = self.glossary.to_en(entity) if lang == "zh" else self.glossary.to_zh(entity)
        if curated or lang != "en" or "zh" not in self.snapshot.langs:
            return tuple(curated)
        bridge = self.vocabulary_bridge()
        if bridge is None:
            return ()
        words = bridge.phrase_words(list(english_tokens(entity)))
        return tuple(sorted(words, key=lambda w: (-words[w], w)))

    def _order(self, cid: str) -> int:
        return self._clause_order.get(cid, 1 << 30)

    def _query_terms(self, query: str, query_lang: str) -> list[str]:
        terms = {e.zh if query_lang == "zh" else e.en for e in self.glossary.terms_in(query, query_lang)}
        for target in self.snapshot.langs - {query_lang}:
            terms.update(self.glossary.bridge_query(query, query_lang, target))
        terms.update(t for t in re.findall(r"[A-Za-z][A-Za-z-]{3,}", query) if t.lower() not in _EN_STOP)
        return sorted(terms, key=len, reverse=True)


_EN_STOP = frozenset("what which does about that this with from into have been there their they them when where should would could clause clauses article document say says".split())


def _same_numbering(query: str, label: str) -> bool:
    """Whether a clause is printed the way the query names it (第X条 / (N) / Article N)."""
    if re.search(r"第.{1,6}[条條]", query):
        return label.startswith("第")
    if re.search(r"\barticle\b", query, re.I):
        return label.lower().startswith("article")
    if re.search(rf"[(（]\s*(?:\d{{1,3}}|[{ZH_NUMERALS}]{{1,4}})\s*[)）]|\b(?:clause|item|point)\b", query, re.I):
        return label.startswith(("(", "（"))
    return False


def _matched(terms: Sequence[str], text: str) -> tuple[str, ...]:
    lowered = text.lower()
    return tuple(t for t in terms if t and t.lower() in lowered)


def _sum_normalised(raw: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    from policykb.kb.retrieval.fusion import normalise

    out: dict[str, float] = {}
    for signal, scores in raw.items():
        for cid, v in normalise(scores, dense=signal.startswith("dense")).items():
            out[cid] = out.get(cid, 0.0) + v
    return out
