"""Chroma collections for clause and sentence vectors, embedded or on a Chroma server."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlparse

import numpy as np

from policykb.errors import IndexMismatchError, StoreUnavailableError

__all__ = ["VectorStore", "KINDS", "drop_collections"]

KINDS = ("clauses", "sentences")
_BATCH = 1000


class VectorStore:
    """Two Chroma collections (clause vectors, sentence vectors) of one KB.

    Vector ids are ``"{clause_id}@{sha}"`` (and ``"…#s{i}"`` for sentences): a new
    version of a clause gets a new id, so the old and new vectors can coexist until
    the manifest commits; the KB ignores ids its manifest does not name.
    """

    def __init__(self, *, kb_dir: Path, chroma_url: str | None, kb_id: str, embedder_name: str, dim: int) -> None:
        self._url = chroma_url
        self._embedder_name = embedder_name
        self._client = _connect(kb_dir, chroma_url)
        self._collections = {kind: self._open(f"pkb-{kb_id}-{kind}", dim) for kind in KINDS}

    def _open(self, name: str, dim: int) -> Any:
        meta = {"hnsw:space": "cosine", "embedder": self._embedder_name, "dim": dim}
        col = self._call(lambda: self._client.get_or_create_collection(name, metadata=meta, embedding_function=None))
        built_with = (col.metadata or {}).get("embedder")
        if built_with and built_with != self._embedder_name:
            raise IndexMismatchError(
                f"Chroma collection {name!r} was built with embedder {built_with!r}, not {self._embedder_name!r}; "
                "rebuild with `policykb ingest --rebuild PATH...` or set POLICYKB_EMBED_MODEL back"
            )
        return col

    def _call(self, fn: Any) -> Any:
        """Run a Chroma call; a server that cannot be reached becomes one clear error."""
        try:
            return fn()
        except (IndexMismatchError, StoreUnavailableError):
            raise
        except Exception as exc:  # chromadb raises several transport error types
            if self._url and _looks_like_connection_error(exc):
                raise StoreUnavailableError(_unreachable(self._url, exc)) from None
            raise

    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        """Which of these vector ids are already stored."""
        found: set[str] = set()
        for chunk in _chunks(list(ids)):
            got = self._call(lambda: self._collections[kind].get(ids=chunk, include=[]))
            found.update(got["ids"])
        return found

    def upsert(self, kind: str, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        col = self._collections[kind]
        for start in range(0, len(ids), _BATCH):
            stop = start + _BATCH
            self._call(
                lambda: col.upsert(
                    ids=list(ids[start:stop]),
                    embeddings=vectors[start:stop].tolist(),
                    metadatas=list(metadatas[start:stop]),
                )
            )

    def query(self, kind: str, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float, dict[str, Any]]]:
        """The ``n`` nearest vectors (matching the metadata filter ``where``) as (vector id, cosine, metadata), best first."""
        col = self._collections[kind]
        res = self._call(
            lambda: col.query(query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances", "metadatas"])
        )
        if not res["ids"]:
            return []
        return [(i, 1.0 - float(d), m or {}) for i, d, m in zip(res["ids"][0], res["distances"][0], res["metadatas"][0])]

    def delete(self, kind: str, ids: Sequence[str]) -> None:
        for chunk in _chunks(list(ids)):
            self._call(lambda: self._collections[kind].delete(ids=chunk))

    def count(self, kind: str) -> int:
        return int(self._call(lambda: self._collections[kind].count()))

    def all_ids(self, kind: str) -> list[str]:
        """Every vector id in a collection (paged)."""
        col = self._collections[kind]
        out: list[str] = []
        offset = 0
        while True:
            got = self._call(lambda: col.get(include=[], limit=5000, offset=offset))
            out.extend(got["ids"])
            if len(got["ids"]) < 5000:
                return out
            offset += 5000

    def export(self, kind: str, page: int = _BATCH) -> Iterator[tuple[list[str], np.ndarray, list[dict[str, Any]]]]:
        """Every stored (ids, vectors, metadatas) of a collection, a page at a time."""
        col = self._collections[kind]
        offset = 0
        while True:
            got = self._call(lambda: col.get(include=["embeddings", "metadatas"], limit=page, offset=offset))
            if got["ids"]:
                yield list(got["ids"]), np.asarray(got["embeddings"], dtype=np.float32), [m or {} for m in got["metadatas"]]
            if len(got["ids"]) < page:
                return
            offset += page

    def close(self) -> None:
        """Release the Chroma client. An embedded store is shared per folder within a process and keeps
        its index in memory; once the last client closes, the next open reads what other processes wrote."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def drop(self) -> None:
        """Delete both collections (used by a rebuild)."""
        for col in self._collections.values():
            self._call(lambda: self._client.delete_collection(col.name))


def drop_collections(*, kb_dir: Path, chroma_url: str | None, kb_id: str) -> None:
    """Delete a KB's collections whichever embedder built them (a rebuild with another embedder)."""
    client = _connect(kb_dir, chroma_url)
    try:
        names = {f"pkb-{kb_id}-{kind}" for kind in KINDS}
        for col in client.list_collections():
            if col.name in names:
                client.delete_collection(col.name)
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


def _looks_like_connection_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "connection", "timeout", "refused", "unreachable", "network"))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
