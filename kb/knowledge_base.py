"""The KB's public face: ingest, browse, search and ask over one knowledge base folder."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from policykb.errors import ConfigError, IndexMismatchError, NotFoundError, PolicyKBError
from policykb.kinds import SEARCH_MODES, AnswerMode, SearchMode
from policykb.ingest import PARSER_VERSION
from policykb.ingest.model import Clause
from policykb.kb.config import TUNING_FILE, TuningConfig, load_tuning
from policykb.kb.index.embed import Embedder, load_embedder
from policykb.kb.index.fill import BackgroundFill, FillProgress
from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.index.indexer import Indexer, writer_lock, writer_lock_if_free
from policykb.kb.index.manifest import Manifest
from policykb.kb.model import Answer, CheckReport, CopyReport, DocumentInfo, IngestReport, SearchResult, Turn
from policykb.kb.retrieval.lookup import ClauseLookup, clause_lookup, parse_lookup
from policykb.kb.retrieval.retriever import Retriever
from policykb.kb.index.snapshot import Snapshot, load_snapshot, restamp_lexical, save_lexical, with_vectors_of
from policykb.kb.index.vectors import VectorStore, drop_collections
from policykb.settings import Settings

if TYPE_CHECKING:
    from policykb.kb.answer.replay import Replay

__all__ = ["KnowledgeBase"]

_TITLE_FIELDS = ("short_title", "title_zh", "title_en", "short_title_zh")
_FILL_BATCH = 16  # clauses embedded per turn of the writer lock (an ingest or upload waits at most one batch)
_PUBLISH_S = 2.0  # the fill publishes what it stored at most this often (each publication is a new generation)


def _lookup_message(found: ClauseLookup, doc: str | None) -> str:
    """What a clause lookup's results need said: that no clause has the number (English; the app translates)."""
    if found.hits:
        return ""
    where = f"document {doc!r}" if doc else "the KB"
    return f"no clause numbered {found.number} in {where}"


class KnowledgeBase:
    """One knowledge base: a manifest and lexical index under ``settings.kb_dir``, vectors in Chroma.

    Cheap to construct; the embedder and stores open on first use. Safe to share
    between threads: readers always see one committed generation.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._fill = BackgroundFill(self._run_fill)
        self.kb_dir = Path(settings.kb_dir)
        self._lock = threading.RLock()
        self._manifest: Manifest | None = None
        self._embedder: Embedder | None = None
        self._vectors: VectorStore | None = None
        self._glossary: Glossary | None = None
        self._retriever: Retriever | None = None
        self._retriever_titles: dict[str, tuple[str, ...]] | None = None  # the document titles it was built with
        self._tuning: TuningConfig | None = None
        self._tuning_stamp: tuple[int, int] | None = None  # (mtime_ns, size) of the tuning.json read
        self._vectors_generation = -1  # the manifest generation the open vector store is known to hold
        self._writes = 0  # > 0 while this process holds the writer lock: generation changes are its own

    # -- lazily opened parts -----------------------------------------------------------
    @property
    def manifest(self) -> Manifest:
        with self._lock:
            if self._manifest is None:
                self._manifest = Manifest(self.kb_dir)
                self._check_embedder_spec(self._manifest)
            return self._manifest

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings.embed_model)
            return self._embedder

    @property
    def vectors(self) -> VectorStore:
        with self._lock:
            if self._vectors is None:
                embedder = self.embedder
                self._vectors_generation = self.manifest.generation()
                self._vectors = VectorStore(
                    kb_dir=self.kb_dir, chroma_url=self.settings.chroma_url, kb_id=self.manifest.kb_id,
                    embedder_name=embedder.name, dim=embedder.dim,
                )
            return self._vectors

    def glossary(self) -> Glossary:
        with self._lock:
            if self._glossary is None:
                self._glossary = Glossary.load()
            return self._glossary

    def _titles(self) -> dict[str, tuple[str, ...]]:
        """Each document's titles (its title, and short or translated titles when its metadata gives them)."""
        return {
            d.doc_id: tuple(t for t in (d.title, *(d.extra.get(name, "") for name in _TITLE_FIELDS)) if isinstance(t, str) and t)
            for d in self.manifest.documents()
        }

    @property
    def tuning(self) -> TuningConfig:
        """The KB's tuning config: ``tuning.json`` (written by ``policykb calibrate``) over the defaults.

        Re-read when the file changes, so a calibration takes effect without reopening the KB.

        Raises:
            ConfigError: the file is malformed (the message names it and the fix).
        """
        path = self.kb_dir / TUNING_FILE
        try:
            info = path.stat()
            stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._tuning is None or stamp != self._tuning_stamp:
                self._tuning = load_tuning(self.kb_dir)
                self._tuning_stamp = stamp
            return self._tuning

    def _snapshot(self) -> Snapshot:
        return self._current_retriever().snapshot

    def _current_retriever(self) -> Retriever:
        """The retriever over the newest committed generation (reloaded when another writer committed)."""
        generation = self.manifest.generation()
        tuning = self.tuning
        with self._lock:
            self._sync_vectors(generation)
            if self._retriever is None or self._retriever.snapshot.generation != generation:
                self._retriever = self._refreshed_retriever(tuning)
            elif self._retriever.config is not tuning.retrieval:
                self._retriever = self._retriever.with_config(tuning.retrieval)
            return self._retriever

    def _refreshed_retriever(self, tuning: TuningConfig) -> Retriever:
        """A retriever over the newest generation; when only vectors were published since (the background fill),
        the current one carries over with the new vector map instead of rebuilding indexes and priors."""
        old = self._retriever
        titles = self._titles()
        if old is not None and titles == self._retriever_titles:
            generation, rows = self.manifest.committed()
            moved = with_vectors_of(old.snapshot, generation, tuple(rows))
            if moved is not None:
                return old.with_snapshot(moved)
        snapshot = load_snapshot(self.manifest, self.kb_dir)
        if snapshot.lexical_rebuilt:
            self._save_rebuilt_lexical(snapshot)
        self._retriever_titles = titles
        return Retriever(snapshot, self.embedder, self.vectors, self.glossary(), titles=titles, config=tuning.retrieval)

    def _save_rebuilt_lexical(self, snapshot: Snapshot) -> None:
        """Save a lexical index the snapshot had to rebuild from the manifest (an upgrade changed the tokenizer's
        dictionary, or the saved one was damaged), so later processes read it rather than rebuild it again.
        Skipped, at no cost to the reader, while a writer works (it saves its own), when another generation was
        committed meanwhile, or when the folder is not writable."""
        with writer_lock_if_free(self.kb_dir) as held:
            if not held or self.manifest.generation() != snapshot.generation:
                return
            try:
                save_lexical(snapshot, self.kb_dir)
            except OSError:
                return  # read-only or full disk: this process keeps the index it rebuilt in memory

    def _sync_vectors(self, generation: int | None = None) -> None:
        """Reopen an embedded vector store after another process committed: embedded Chroma keeps its
        index in memory per process, so it would neither find nor keep the other process's vectors."""
        with self._lock:
            if self._vectors is None or self.settings.chroma_url or self._writes:
                return
            if (self.manifest.generation() if generation is None else generation) != self._vectors_generation:
                self._vectors.close()
                self._vectors = None
                self._retriever = None

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the KB's writer lock, on a vector store that holds every committed vector."""
        with writer_lock(self.kb_dir):
            self._sync_vectors()
            with self._lock:
                self._writes += 1
            try:
                yield
            finally:
                with self._lock:
                    self._writes -= 1

    def _check_embedder_spec(self, manifest: Manifest) -> None:
        built_with = manifest.get_meta("embed_model")
        if built_with and built_with != self.settings.embed_model and manifest.documents():
            raise IndexMismatchError(
                f"the KB at {str(self.kb_dir)!r} was built with embedder {built_with!r}, not {self.settings.embed_model!r}; "
                f"set POLICYKB_EMBED_MODEL={built_with}, or rebuild it with `policykb ingest --rebuild PATH...`"
            )

    # -- writing -----------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], *, rebuild: bool = False, progress: Callable[[str, float], None] | None = None,
               defer_vectors: bool = False) -> IngestReport:
        """Add or update documents from files and folders (see :mod:`policykb.kb.index.indexer`).

        ``defer_vectors``: commit every document at once, its new clauses found by lookups and lexically, and leave
        their vectors to :meth:`start_fill` (a background thread; :meth:`fill_progress` says how far it is) or
        :meth:`fill_vectors`; answers become hybrid as the vectors come in. Otherwise the call returns with every
        vector in (and completes the vectors an interrupted fill left for the documents it reads).
        """
        defer = defer_vectors
        with self._writing():
            if rebuild:
                self._reset()
            report = self._indexer(defer_vectors=defer).ingest([Path(p) for p in paths], progress)
            self._after_write()
        if not defer:  # documents left pending by an interrupted background fill are completed by their next ingest
            touched = {d.doc_id for d in report.documents if d.doc_id and d.status != "failed"}
            if touched and self.manifest.pending_rows(limit=1, doc_ids=touched):
                filled = self.fill_vectors(doc_ids=touched)
                report = replace(report, embedded=report.embedded + filled)
        return report

    # -- the semantic index, filled in the background -----------------------------------
    def start_fill(self) -> None:
        """Embed, in a background thread, every committed clause whose vectors are not in yet (no-op when none)."""
        if self.manifest.pending_rows(limit=1):
            self._fill.request()

    def fill_progress(self) -> FillProgress:
        """Clauses with vectors (published, plus stored by a running fill) of all committed clauses."""
        embedded, total = self.manifest.vector_counts()
        return FillProgress(embedded=min(total, embedded + self._fill.stored_unpublished()), total=total,
                            running=self._fill.running, error=self._fill.error)

    def follow_fill(self, doc_ids: set[str], progress: Callable[[int, int], None] | None = None,
                    poll_s: float = 0.5) -> tuple[int, int]:
        """Wait until these documents' vectors are in (the background fill publishes them), calling
        ``progress(embedded, total)`` as they come; returns the last (embedded, total). Stops early, with what is
        in, when the fill failed (:meth:`fill_progress` then says why)."""
        shown = (-1, -1)
        self.start_fill()
        while True:
            counts = self.manifest.vector_counts(doc_ids)
            if progress is not None and counts != shown:
                progress(*counts)
                shown = counts
            if counts[0] >= counts[1]:
                return counts
            if not self._fill.running:
                if self._fill.error:
                    return counts
                self.start_fill()  # the fill ended just before these documents' rows were read
            time.sleep(poll_s)

    def wait_for_fill(self, timeout: float | None = None) -> bool:
        """Block until the background fill is idle; False on timeout (for tests, benchmarks and scripts)."""
        return self._fill.wait(timeout)

    def _run_fill(self, on_stored: Callable[[int], None], stop: threading.Event) -> int:
        return self.fill_vectors(stop=stop, on_stored=on_stored)

    def fill_vectors(self, *, doc_ids: set[str] | None = None, stop: threading.Event | None = None,
                     on_stored: Callable[[int], None] | None = None, batch: int = _FILL_BATCH) -> int:
        """Embed the committed clauses whose vectors are not in yet (of ``doc_ids``, or all); returns how many.

        A batch at a time under the writer lock, through the indexer's own embedding path; what was stored is
        published (one manifest transaction and a new generation) at most every ``_PUBLISH_S`` seconds and at the
        end, so readers move from lexical to hybrid answers on consistent snapshots. Vectors stored before a kill
        are found and published without embedding them again.
        """
        filled = 0
        stored: list[str] = []
        last = time.monotonic()
        try:
            while stop is None or not stop.is_set():
                with self._writing():
                    waiting = set(stored)
                    rows = [r for r in self.manifest.pending_rows(limit=batch + len(stored), doc_ids=doc_ids)
                            if r.vec_id not in waiting][:batch]
                    if rows:
                        indexer = self._indexer()
                        present = self.vectors.existing("clauses", [r.vec_id for r in rows])
                        todo = [r for r in rows if r.vec_id not in present]
                        if todo:
                            indexer.embed_rows(todo)
                        filled += len(todo)
                        stored += [r.vec_id for r in rows]
                        if on_stored:
                            on_stored(len(rows))
                    if stored and (not rows or time.monotonic() - last >= _PUBLISH_S):
                        self._publish_vectors(stored, on_stored)
                        stored, last = [], time.monotonic()
                if not rows:
                    break
        finally:
            if stored:  # stopped between batches: what is stored is published
                with self._writing():
                    self._publish_vectors(stored, on_stored)
        return filled

    def _publish_vectors(self, stored: list[str], on_stored: Callable[[int], None] | None) -> None:
        """Mark stored vectors in the manifest (one transaction, a new generation); the lexical index carries over.
        Call it holding the writer lock."""
        old = self.manifest.generation()
        changed = self.manifest.mark_embedded(stored)
        if on_stored:
            on_stored(-len(stored))
        if not changed:
            return
        new = self.manifest.generation()
        with self._lock:
            if self._vectors is not None:
                self._vectors_generation = new  # this process's own commit
        if not restamp_lexical(self.kb_dir, old, new):
            self._after_write()

    def remove(self, doc_id: str) -> int:
        """Remove a document and its clauses; returns how many clauses went."""
        with self._writing():
            if doc_id not in {d.doc_id for d in self.manifest.documents()}:
                raise NotFoundError(f"no document {doc_id!r} in the KB; `policykb documents` lists the ids")
            removed = self._indexer().remove(doc_id)
            self._after_write()
        return removed

    def _indexer(self, *, defer_vectors: bool = False) -> Indexer:
        manifest = self.manifest
        for key, value in (("embed_model", self.settings.embed_model), ("embedder", self.embedder.name),
                           ("parser_version", PARSER_VERSION)):
            if manifest.get_meta(key) != value:
                manifest.set_meta(key, value)
        return Indexer(self.settings, manifest, self.vectors, self.embedder, defer_vectors=defer_vectors)

    def _after_write(self) -> None:
        with self._lock:
            if self._vectors is not None:
                self._vectors_generation = self.manifest.generation()  # this process's own commits
        snapshot = self._snapshot()
        save_lexical(snapshot, self.kb_dir)
        config = {
            "embed_model": self.settings.embed_model, "embedder": self.embedder.name, "dim": self.embedder.dim,
            "parser_version": PARSER_VERSION, "generation": snapshot.generation, "kb_id": self.manifest.kb_id,
            "chroma": self.settings.chroma_url or "embedded",
        }
        (self.kb_dir / "index.json").write_text(json.dumps(config, indent=2) + "\n")

    def _reset(self) -> None:
        """Forget every document and vector (for --rebuild, e.g. after changing the embedder)."""
        with self._lock:
            manifest = self.manifest if self._manifest else Manifest(self.kb_dir)
            self._manifest = manifest
            manifest.clear()
            manifest.set_meta("embed_model", self.settings.embed_model)
            if self._vectors is not None:
                self._vectors.close()
                self._vectors = None
            drop_collections(kb_dir=self.kb_dir, chroma_url=self.settings.chroma_url, kb_id=manifest.kb_id)
            self._retriever = None

    # -- reading -----------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.manifest.documents()

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        rows = self._snapshot().rows
        if doc_id is not None and not any(r.clause.doc_id == doc_id for r in rows):
            raise NotFoundError(f"no document {doc_id!r} in the KB; `policykb documents` lists the ids")
        return [r.clause for r in rows if doc_id is None or r.clause.doc_id == doc_id]

    def clause(self, clause_id: str) -> Clause:
        try:
            return self._snapshot().by_id[clause_id]
        except KeyError:
            raise NotFoundError(f"no clause {clause_id!r} in the KB; ids look like 'DOC_ID:NUMBER' (`policykb clauses`)") from None

    def search(self, query: str, k: int | None = None, *, doc: str | Sequence[str] | None = None, section: str | None = None,
               lang: str | None = None, mode: SearchMode = "fused") -> SearchResult:
        """Rank clauses for a query (see :class:`policykb.kb.retrieval.retriever.Retriever`).

        ``doc``: one document id or several (the search's scope); None or empty = every document.

        Raises:
            NotFoundError: a document id of ``doc`` is not in the KB.
        """
        if mode not in SEARCH_MODES:
            raise PolicyKBError(f"search mode {mode!r} is not one of {', '.join(SEARCH_MODES)}")
        if not query.strip():
            raise PolicyKBError("the query is empty; type a question or a clause number such as (12) or 第十二条")
        self._check_length(query, "query")
        k = k or self.settings.top_k
        retriever = self._current_retriever()
        scope = self._check_scope(doc, retriever)
        started = time.perf_counter()
        numbered = clause_lookup(retriever, query, k, doc=scope or self._named_for_lookup(query), section=section,
                                 lang=lang, mode=mode)
        if numbered is not None:
            return SearchResult(query=query, hits=numbered.hits, latency_ms=(time.perf_counter() - started) * 1000,
                                lookup="clause", related=numbered.related, lookup_value=numbered.number,
                                message=_lookup_message(numbered, scope[0] if len(scope) == 1 else None), signals=retriever.signals_used(mode),
                                missing_vectors=retriever.snapshot.missing_vectors, scope=scope)
        hits, lookup = retriever.search(query, k, doc=scope or None, section=section, lang=lang, mode=mode)
        return SearchResult(query=query, hits=tuple(hits), latency_ms=(time.perf_counter() - started) * 1000, lookup=lookup,
                            signals=retriever.signals_used(mode), missing_vectors=retriever.snapshot.missing_vectors,
                            scope=scope)

    def _named_for_lookup(self, query: str) -> str | None:
        """The one document a clause lookup names ("意见第（十八）条"), whose clause a search then finds (as ``ask`` does)."""
        lookup = parse_lookup(query)
        if lookup is None or lookup.kind != "clause":
            return None
        from policykb.kb.answer.naming import doc_names, named_for_lookup

        return named_for_lookup(query, doc_names(self.documents()))

    def ask(self, question: str, *, history: Sequence[Turn] = (), mode: AnswerMode | None = None,
            doc: str | Sequence[str] | None = None) -> Answer:
        """Answer a question with cited clauses, or abstain (see :mod:`policykb.kb.answer.respond`).

        ``doc``: one document id or several to answer from (the conversation's scope; follow-ups stay in it);
        None or empty = every document.

        Raises:
            NotFoundError: a document id of ``doc`` is not in the KB.
        """
        from policykb.kb.answer.respond import answer_question

        if not question.strip():
            raise PolicyKBError("the question is empty; ask about the documents, or give a clause number such as (12) or 第十二条")
        self._check_length(question, "question")
        retriever = self._current_retriever()
        scope = self._check_scope(doc, retriever)
        answer = answer_question(question, retriever=retriever, documents=self.documents(),
                                 settings=self.settings, history=history, mode=mode, tuning=self.tuning, scope=scope)
        return replace(answer, signals=retriever.signals_used(), missing_vectors=retriever.snapshot.missing_vectors)

    def ask_stream(self, question: str, *, history: Sequence[Turn] = (), mode: AnswerMode | None = None,
                   doc: str | Sequence[str] | None = None) -> Iterator[str | Answer]:
        """Like :meth:`ask`, yielding the LLM's text as it arrives (str pieces), then the checked Answer last.

        Without an LLM (extractive mode, or an abstention) only the Answer comes, at once.
        """
        from policykb.kb.answer.respond import answer_question_stream

        if not question.strip():
            raise PolicyKBError("the question is empty; ask about the documents, or give a clause number such as (12) or 第十二条")
        self._check_length(question, "question")
        retriever = self._current_retriever()
        scope = self._check_scope(doc, retriever)
        for item in answer_question_stream(question, retriever=retriever, documents=self.documents(),
                                           settings=self.settings, history=history, mode=mode, tuning=self.tuning, scope=scope):
            yield item if isinstance(item, str) else replace(item, signals=retriever.signals_used(),
                                                             missing_vectors=retriever.snapshot.missing_vectors)

    @staticmethod
    def _check_scope(doc: str | Sequence[str] | None, retriever: Retriever) -> tuple[str, ...]:
        """The scope's document ids (in the order given, each once; () = every document).

        Raises:
            NotFoundError: one names no document of the KB (the message lists the KB's ids).
        """
        if doc is None:
            return ()
        ids = tuple(dict.fromkeys(d.strip() for d in ([doc] if isinstance(doc, str) else doc) if d and d.strip()))
        present = {r.clause.doc_id for r in retriever.snapshot.rows}
        unknown = [d for d in ids if d not in present]
        if unknown:
            known = sorted(present)
            listed = ", ".join(known[:8]) + (", …" if len(known) > 8 else "") if known else "none: the KB is empty"
            raise NotFoundError(f"no document {unknown[0]!r} in the KB; give document ids from `policykb documents` "
                                f"(here: {listed})")
        return ids

    def replay(self) -> "Replay":
        """Searches and answer verdicts under any tuning, each question retrieved once (for calibration)."""
        from policykb.kb.answer.replay import Replay

        return Replay(self._current_retriever(), self.documents())

    def _check_length(self, text: str, what: str) -> None:
        """Refuse a question longer than ``settings.max_question_chars`` before any work is done on it."""
        limit = self.settings.max_question_chars
        if len(text) > limit:
            raise ConfigError(
                f"the {what} is {len(text):,} characters long, over the limit of {limit:,}; "
                "shorten it to the point you want answered (the limit is POLICYKB_MAX_QUESTION_CHARS)"
            )

    def check(self, *, repair: bool = False) -> CheckReport:
        """Integrity check of manifest, vectors and lexical index (see :mod:`policykb.kb.index.integrity`)."""
        from policykb.kb.index.integrity import check_kb

        with self._writing():
            indexer = self._indexer()
            result = check_kb(self.kb_dir, self.manifest, self.vectors, indexer, repair=repair)
            self._retriever = None
        if repair and result.pending:  # vectors a background fill did not finish (e.g. `serve` was stopped)
            started = time.perf_counter()
            filled = self.fill_vectors()
            done = result.repaired
            with self._writing():
                result = check_kb(self.kb_dir, self.manifest, self.vectors, self._indexer(), repair=False)
            result = replace(result, repaired=(*done, f"embedded {filled} clauses the background fill had not reached"),
                             repair_seconds=round(time.perf_counter() - started, 3))
        return result

    def copy_vectors_to(self, chroma_url: str, progress: Callable[[str, float], None] | None = None) -> CopyReport:
        """Copy the committed vectors into the Chroma server at ``chroma_url`` (see :mod:`policykb.kb.index.transfer`).

        Afterwards the KB folder answers with ``--chroma-url`` set to that server; nothing is re-embedded.
        """
        from policykb.kb.index.transfer import copy_vectors

        if chroma_url == self.settings.chroma_url:
            raise PolicyKBError(f"the KB's vectors already live at {chroma_url!r}; give another server with --to")
        with self._writing():
            embedder = self.embedder
            target = VectorStore(kb_dir=self.kb_dir, chroma_url=chroma_url, kb_id=self.manifest.kb_id,
                                 embedder_name=embedder.name, dim=embedder.dim)
            try:
                result = copy_vectors(self.manifest, self.vectors, target, progress)
            finally:
                target.close()
        return CopyReport(clauses=int(result["clauses"]), sentences=int(result["sentences"]), seconds=result["seconds"],
                          source=self.settings.chroma_url or "embedded", target=chroma_url)

    def warm_up(self) -> None:
        """Load the model, the committed snapshot and the tokenizer now, so the next calls are warm."""
        from policykb.kb.index.tokenize import tokenize

        retriever = self._current_retriever()
        retriever.vocabulary_bridge()  # the dictionary, weighed against the KB's words
        retriever.gloss_index()  # the Chinese clauses' English glosses
        self.embedder.embed_queries(["warm up"])
        tokenize("预热 warm up")

    def embed_query_ms(self, text: str = "How are savings bonds distributed in rural areas?", repeats: int = 5) -> float:
        """Median time to embed one query alone, in ms (the yardstick of the latency budgets)."""
        embedder = self.embedder
        embedder.embed_queries([text])
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            embedder.embed_queries([text])
            times.append((time.perf_counter() - started) * 1000)
        return sorted(times)[len(times) // 2]

    def close(self) -> None:
        self._fill.stop()
        with self._lock:
            if self._manifest is not None:
                self._manifest.close()
            if self._vectors is not None:
                self._vectors.close()
            self._manifest = self._vectors = self._retriever = None
