"""Chroma collections for clause and sentence vectors, embedded or on a Chroma server."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TypeVar
from urllib.parse import urlparse

import numpy as np

from policykb.errors import IndexMismatchError, StoreUnavailableError

__all__ = ["VectorStore", "KINDS", "drop_collections"]

KINDS = ("clauses", "sentences")
_BATCH = 1000
# How many candidates Chroma's HNSW search keeps while walking the graph (its default is 100). A collection below
# Chroma's sync threshold (1,000 vectors) has its graph rebuilt, with random levels, in every process that opens it,
# and at 100 the search missed a true neighbour now and then (5-11 of the 111,070 places in the exact first half of
# the retriever's candidate lists over the five bundled documents, in different places from one process to the
# next), so the same question could rank differently after a restart. At 512 none was missed in any run, and a
# search took no longer: p50 51-59 ms at either setting on a synthetic KB of 10,000 clauses (two rounds each).
_EF_SEARCH = 512
# The embedded store is one SQLite file; a call that meets another client's write (another process ingesting, or a
# client of the same process still closing) fails at once with "database is locked". Such a call is tried again after
# these pauses (seconds, about 3 in all): every call the store makes is a read or an idempotent write.
_LOCKED_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)

T = TypeVar("T")


class VectorStore:
    """Chroma collections for clause vectors and sentence vectors of one KB, one pair per clause language.

    Vector ids are ``"{clause_id}@{sha}"`` (and ``"…#s{i}"`` for sentences): a new
    version of a clause gets a new id, so the old and new vectors can coexist until
    the manifest commits; the KB ignores ids its manifest does not name.

    Retrieval asks each language separately (a Chinese question scores every Chinese text
    above every English one). A ``where={"lang": …}`` filter on one shared collection made
    Chroma filter through its metadata store first: 70 ms per query at 10,000 clauses,
    where an unfiltered query of a language's own collection takes a few.
    """

    def __init__(self, *, kb_dir: Path, chroma_url: str | None, kb_id: str, embedder_name: str, dim: int) -> None:
        self._url = chroma_url
        self._embedder_name = embedder_name
        self._dim = dim
        self._prefix = f"pkb-{kb_id}-"
        self._client = _connect(kb_dir, chroma_url)
        self._collections: dict[tuple[str, str], Any] = {}
        names = self._refresh()
        for kind in KINDS:
            if self._prefix + kind in names:
                self._split_by_language(kind)

    def _refresh(self) -> list[str]:
        """Open collections other processes created since (a first document in a new language)."""
        names = [c if isinstance(c, str) else c.name for c in self._call(self._client.list_collections)]
        for name in names:
            kind, _, lang = name[len(self._prefix):].partition("-")
            if name.startswith(self._prefix) and kind in KINDS and lang and (kind, lang) not in self._collections:
                self._collections[(kind, lang)] = self._open(name)
        return names

    def _open(self, name: str) -> Any:
        meta = {"hnsw:space": "cosine", "embedder": self._embedder_name, "dim": self._dim}
        col = self._call(lambda: self._client.get_or_create_collection(name, metadata=meta, embedding_function=None))
        built_with = (col.metadata or {}).get("embedder")
        if built_with and built_with != self._embedder_name:
            raise IndexMismatchError(
                f"Chroma collection {name!r} was built with embedder {built_with!r}, not {self._embedder_name!r}; "
                "rebuild with `policykb ingest --rebuild PATH...` or set POLICYKB_EMBED_MODEL back"
            )
        if _ef_search(col) < _EF_SEARCH:  # a collection created by an earlier version, or just now
            self._call(lambda: col.modify(configuration={"hnsw": {"ef_search": _EF_SEARCH}}))
        return col

    def _collection(self, kind: str, lang: str) -> Any:
        key = (kind, _safe_lang(lang))
        if key not in self._collections:
            self._collections[key] = self._open(f"{self._prefix}{kind}-{key[1]}")
        return self._collections[key]

    def _of_kind(self, kind: str) -> list[Any]:
        self._refresh()
        return [col for (k, _), col in sorted(self._collections.items()) if k == kind]

    def _split_by_language(self, kind: str) -> None:
        """Move a KB stored before collections were per language (one ``pkb-ID-KIND`` collection) to the
        per-language layout; copying is idempotent and the old collection goes last, so an interrupted
        move is completed by the next open."""
        old = self._open(self._prefix + kind)
        for ids, embeddings, metadatas in self._collection_pages(old, ["embeddings", "metadatas"]):
            self.upsert(kind, ids, np.asarray(embeddings, dtype=np.float32), [m or {} for m in metadatas])
        try:
            self._call(lambda: self._client.delete_collection(old.name))
        except StoreUnavailableError:
            raise
        except Exception:
            pass  # another process finished the same move first

    def _call(self, fn: Any) -> Any:
        """Run a Chroma call; a server that cannot be reached becomes one clear error, and an embedded store's
        momentarily locked file is waited for (:func:`retry_locked`)."""
        try:
            return fn() if self._url else retry_locked(fn)
        except (IndexMismatchError, StoreUnavailableError):
            raise
        except Exception as exc:  # chromadb raises several transport error types
            if self._url and _looks_like_connection_error(exc):
                raise StoreUnavailableError(_unreachable(self._url, exc)) from None
            raise

    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        """Which of these vector ids are already stored."""
        found: set[str] = set()
        for col in self._of_kind(kind):
            for chunk in _chunks([i for i in ids if i not in found]):
                got = self._call(lambda: col.get(ids=chunk, include=[]))
                found.update(got["ids"])
        return found

    def upsert(self, kind: str, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        """Store vectors; each goes to the collection of its metadata's ``lang``."""
        by_lang: dict[str, list[int]] = {}
        for i, meta in enumerate(metadatas):
            by_lang.setdefault(str(meta.get("lang") or "und"), []).append(i)
        for lang, rows in by_lang.items():
            col = self._collection(kind, lang)
            for start in range(0, len(rows), _BATCH):
                part = rows[start : start + _BATCH]
                self._call(
                    lambda: col.upsert(
                        ids=[ids[i] for i in part],
                        embeddings=vectors[part].tolist(),
                        metadatas=[metadatas[i] for i in part],
                    )
                )

    def query(self, kind: str, vector: np.ndarray, n: int, lang: str | None = None,
              where: dict[str, Any] | None = None, metadata: bool = True) -> list[tuple[str, float, dict[str, Any]]]:
        """The ``n`` nearest vectors (of one clause language, or of all) as (vector id, cosine, metadata), best first;
        ``where`` filters on the vectors' metadata first (e.g. ``{"doc_id": {"$in": [...]}}``).

        ``metadata=False`` leaves the metadata out (each is then ``{}``): Chroma reads it row by row from its
        metadata store, which cost more than the nearest-neighbour search itself (5 documents: 12 ms for 320
        rows against 1 ms without); :meth:`texts` reads the sentence texts of the few hits a search shows."""
        cols = self._of_kind(kind) if lang is None else [self._collection(kind, lang)]
        include = ["distances", "metadatas"] if metadata else ["distances"]
        out: list[tuple[str, float, dict[str, Any]]] = []
        for col in cols:
            res = self._call(
                lambda: col.query(query_embeddings=[vector.tolist()], n_results=n, where=where, include=include)
            )
            if res["ids"]:
                metas = res["metadatas"][0] if metadata else [None] * len(res["ids"][0])
                out.extend((i, 1.0 - float(d), m or {}) for i, d, m in zip(res["ids"][0], res["distances"][0], metas))
        return sorted(out, key=lambda item: -item[1])[:n] if lang is None else out

    def texts(self, kind: str, ids_by_lang: dict[str, list[str]]) -> dict[str, str]:
        """The ``"text"`` metadata of these vector ids (grouped by their clause language), for those that have one."""
        out: dict[str, str] = {}
        for lang, ids in ids_by_lang.items():
            col = self._collection(kind, lang)
            for chunk in _chunks(list(dict.fromkeys(ids))):
                got = self._call(lambda: col.get(ids=chunk, include=["metadatas"]))
                for i, meta in zip(got["ids"], got.get("metadatas") or []):
                    if meta and "text" in meta:
                        out[i] = str(meta["text"])
        return out

    def delete(self, kind: str, ids: Sequence[str]) -> None:
        for col in self._of_kind(kind):
            for chunk in _chunks(list(ids)):
                self._call(lambda: col.delete(ids=chunk))

    def count(self, kind: str) -> int:
        return sum(int(self._call(col.count)) for col in self._of_kind(kind))

    def all_ids(self, kind: str) -> list[str]:
        """Every vector id of a kind (paged)."""
        return [i for ids, _, _ in self._pages(kind, include=[]) for i in ids]

    def export(self, kind: str) -> Iterator[tuple[list[str], np.ndarray, list[dict[str, Any]]]]:
        """Every stored (ids, vectors, metadatas) of a kind, a page at a time."""
        for ids, embeddings, metadatas in self._pages(kind, include=["embeddings", "metadatas"]):
            yield ids, np.asarray(embeddings, dtype=np.float32), [m or {} for m in metadatas]

    def _pages(self, kind: str, include: list[str]) -> Iterator[tuple[list[str], Any, list[Any]]]:
        for col in self._of_kind(kind):
            yield from self._collection_pages(col, include)

    def _collection_pages(self, col: Any, include: list[str]) -> Iterator[tuple[list[str], Any, list[Any]]]:
        """(ids, embeddings, metadatas) of one collection, ``_BATCH`` at a time."""
        offset = 0
        while True:
            got = self._call(lambda: col.get(include=include, limit=_BATCH, offset=offset))
            if got["ids"]:
                yield list(got["ids"]), got.get("embeddings"), list(got.get("metadatas") or [])
            if len(got["ids"]) < _BATCH:
                return
            offset += _BATCH

    def close(self) -> None:
        """Release the Chroma client. An embedded store is shared per folder within a process and keeps
        its index in memory; once the last client closes, the next open reads what other processes wrote."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()


def drop_collections(*, kb_dir: Path, chroma_url: str | None, kb_id: str) -> None:
    """Delete a KB's collections whichever embedder built them (a rebuild with another embedder)."""
    client = _connect(kb_dir, chroma_url)
    try:
        prefixes = tuple(f"pkb-{kb_id}-{kind}" for kind in KINDS)
        for col in client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name in prefixes or name.startswith(tuple(p + "-" for p in prefixes)):
                client.delete_collection(name)
    except Exception as exc:
        if chroma_url and _looks_like_connection_error(exc):
            raise StoreUnavailableError(_unreachable(chroma_url, exc)) from None
        raise
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()


def _connect(kb_dir: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=chroma_settings)
    parts = urlparse(url)
    host, ssl = parts.hostname or "localhost", parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        client.heartbeat()
    except Exception as exc:
        raise StoreUnavailableError(_unreachable(url, exc)) from None
    return client


def _unreachable(url: str, exc: BaseException) -> str:
    return (
        f"Chroma server at {url!r} is not reachable ({type(exc).__name__}); "
        "start it with `chroma run --path DIR --host 127.0.0.1 --port PORT`, or drop --chroma-url to use the embedded store"
    )


def retry_locked(fn: Callable[[], T], pauses: Sequence[float] = _LOCKED_PAUSES) -> T:
    """``fn()``, tried again after each pause while it fails because the embedded store's SQLite file is locked."""
    for pause in pauses:
        try:
            return fn()
        except Exception as exc:  # chromadb.errors.InternalError; other errors are not retried
            if "database is locked" not in str(exc):
                raise
        time.sleep(pause)
    return fn()


def _looks_like_connection_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "connection", "timeout", "refused", "unreachable", "network"))


def _safe_lang(lang: str) -> str:
    """A language code as it may appear in a collection name."""
    return "".join(ch for ch in lang.lower() if ch.isalnum())[:16] or "und"


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _ef_search(col: Any) -> int:
    """The HNSW search breadth a Chroma collection is configured with (Chroma's default when it states none)."""
    config = getattr(col, "configuration_json", None) or {}
    hnsw = config.get("hnsw") or {}
    return int(hnsw.get("ef_search") or 100)
