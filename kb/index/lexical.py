"""BM25 over clause tokens (bm25s), saved together with the tokenizer settings it was built with.

llama-index's ``BM25Retriever`` ignores a custom tokenizer (a Chinese clause collapses into
one token), and bm25s's own tokenizer splits on a Latin word pattern, so this module gives
bm25s the token lists of :func:`policykb.kb.index.tokenize.tokenize` directly.

On disk (``save``/``load``) a folder holds ``CURRENT`` (the name of the live version) and
one or two version folders ``v-<hex>/`` with ``ids.json``, ``params.json`` (format,
BM25 parameters, :func:`tokenizer_config`) and the bm25s index in ``bm25s/``. A version is
written under a temporary name, renamed into place, then ``CURRENT`` is replaced with
``os.replace``: a reader sees the old index or the new one, never half of one.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from policykb.errors import IndexMismatchError
from policykb.kb.index.tokenize import tokenize, tokenizer_config

if TYPE_CHECKING:
    import bm25s
    import numpy as np

__all__ = ["LexicalIndex", "FORMAT_VERSION", "positive_scores", "lucene_idf"]

FORMAT_VERSION = 1
K1 = 1.5
B = 0.75
METHOD = "lucene"
_CURRENT = "CURRENT"
_MAX_LEAST_COUNT = 8  # postings: a document's least token count is looked for up to this
_REBUILD_HINT = "rebuild with: policykb ingest --rebuild PATH... (the documents you ingested)"


class LexicalIndex:
    """A BM25 index of documents (clauses) by id, over :func:`tokenize` tokens."""

    def __init__(self, ids: Sequence[str], bm25: "bm25s.BM25 | None") -> None:
        self._ids: tuple[str, ...] = tuple(ids)
        self._bm25 = bm25
        self._vocab: dict[str, int] = dict(bm25.vocab_dict) if bm25 is not None else {}
        self._vocab.pop("", None)  # bm25s's filler token for empty queries, never a real term

    # -- building -------------------------------------------------------------------
    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        """Index ``texts`` (any mix of Chinese and English) under ``ids``.

        Raises:
            ValueError: ``ids`` and ``texts`` differ in length, or an id repeats.
        """
        if len(ids) != len(texts):
            raise ValueError(f"got {len(ids)} ids for {len(texts)} texts; give one id per text")
        return cls.from_tokens(ids, [tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, ids: Sequence[str], token_lists: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index documents already tokenized (with :func:`tokenize`, or the index will not match queries)."""
        if len(ids) != len(token_lists):
            raise ValueError(f"got {len(ids)} ids for {len(token_lists)} token lists; give one id per document")
        seen: set[str] = set()
        for doc_id in ids:
            if doc_id in seen:
                raise ValueError(f"id {doc_id!r} occurs twice; every indexed document needs its own id")
            seen.add(doc_id)
        corpus = [list(tokens) for tokens in token_lists]
        if not any(corpus):
            return cls(ids, None)  # bm25s cannot index a corpus without a single token
        import bm25s

        model = bm25s.BM25(k1=K1, b=B, method=METHOD)
        model.index(corpus, show_progress=False)
        return cls(ids, model)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> tuple[str, ...]:
        """The indexed ids, in build order."""
        return self._ids

    # -- querying -------------------------------------------------------------------
    def scores(self, query_tokens: Sequence[str], top: int | None = None) -> dict[str, float]:
        """Positive BM25 scores for the tokens by id (what rank fusion needs): all, or the ``top`` best."""
        scores = self._score_array(query_tokens)
        return {} if scores is None else positive_scores(scores, self._ids, top)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Indexed token → its id in the index (read-only use)."""
        return self._vocab

    def doc_freq(self, token: str) -> int:
        """How many indexed documents hold ``token`` (0 when it is not in the vocabulary)."""
        tid = self._vocab.get(token)
        if tid is None or self._bm25 is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    def doc_freqs(self) -> dict[str, int]:
        """Every indexed token with the number of documents that hold it."""
        if self._bm25 is None:
            return {}
        import numpy as np

        counts = np.diff(self._bm25.scores["indptr"])
        return {token: int(counts[tid]) for token, tid in self._vocab.items() if tid < len(counts)}

    def holders(self, token: str) -> tuple[str, ...]:
        """Ids of the indexed documents that hold ``token`` (empty when it is not in the vocabulary)."""
        tid = self._vocab.get(token)
        if tid is None or self._bm25 is None:
            return ()
        indices, indptr = self._bm25.scores["indices"], self._bm25.scores["indptr"]
        return tuple(self._ids[i] for i in indices[int(indptr[tid]) : int(indptr[tid + 1])])

    def held_among(self, token: str, positions: "np.ndarray") -> "np.ndarray":
        """For documents given by their positions in :attr:`ids`, whether each holds ``token`` (a boolean array);
        cheaper than :meth:`holders` when only a few documents are asked about."""
        import numpy as np

        tid = self._vocab.get(token)
        if tid is None or self._bm25 is None:
            return np.zeros(len(positions), dtype=bool)
        indices, indptr = self._bm25.scores["indices"], self._bm25.scores["indptr"]
        return np.isin(positions, indices[int(indptr[tid]) : int(indptr[tid + 1])])

    def postings(self) -> Iterator[tuple[str, "np.ndarray", "np.ndarray"]]:
        """Every indexed token with the positions (in :attr:`ids`) of the documents that hold it and how often each does.

        bm25s keeps only each (token, document) BM25 score, idf × tf / (tf + k1 × (1 − b + b × length / average)).
        The counts are read back from it: within a document the scores fix every count as a multiple of its least
        count, which is the least whole number making them all whole (almost always 1). A document whose scores read
        back as no whole counts (another scoring) counts each token once.
        """
        if self._bm25 is None:
            return
        import numpy as np

        data, indices, indptr = (np.asarray(self._bm25.scores[k]) for k in ("data", "indices", "indptr"))
        n_tokens = len(indptr) - 1
        df = np.diff(indptr)
        idf = lucene_idf(len(self._ids), df)
        share = data / np.repeat(idf, df)  # tf / (tf + length term), in (0, 1)
        least = np.full(len(self._ids), np.inf)
        np.minimum.at(least, indices, share)
        ratio = share * (1 / least[indices] - 1) / (1 - share)  # each count over the document's least count
        least_count = np.ones(len(self._ids))
        whole = np.zeros(len(self._ids), dtype=bool)
        for candidate in range(1, _MAX_LEAST_COUNT + 1):
            trial = ratio * candidate
            off = np.zeros(len(self._ids))
            np.maximum.at(off, indices, np.abs(trial - np.rint(trial)))
            fits = ~whole & (off < 1e-3)
            least_count[fits] = candidate
            whole |= fits
        counts = np.where(whole[indices], np.rint(ratio * least_count[indices]), 1.0)
        for token, tid in self._vocab.items():
            if tid < n_tokens:
                lo, hi = int(indptr[tid]), int(indptr[tid + 1])
                yield token, indices[lo:hi], counts[lo:hi]

    def weighted_scores(self, token_weights: Mapping[str, float], top: int | None = None) -> dict[str, float]:
        """Like :meth:`scores`, each token's BM25 contribution multiplied by its weight (dictionary bridging)."""
        if self._bm25 is None:
            return {}
        import numpy as np

        data, indices, indptr = (self._bm25.scores[k] for k in ("data", "indices", "indptr"))
        total = np.zeros(len(self._ids), dtype=np.float32)
        for token, weight in token_weights.items():
            tid = self._vocab.get(token)
            if tid is None or weight <= 0:
                continue
            lo, hi = int(indptr[tid]), int(indptr[tid + 1])
            total[indices[lo:hi]] += weight * data[lo:hi]
        return positive_scores(total, self._ids, top)

    def _score_array(self, tokens: Sequence[str]) -> "np.ndarray | None":
        """BM25 of every document; each distinct known token counts once. None if nothing can match."""
        if self._bm25 is None:
            return None
        token_ids = [self._vocab[t] for t in dict.fromkeys(tokens) if t in self._vocab]
        if not token_ids:
            return None
        return self._bm25.get_scores_from_ids(token_ids)

    # -- persistence ----------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the index under ``folder`` atomically (see the module docstring); one writer at a time."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"v-{uuid.uuid4().hex[:16]}"
        tmp = folder / f".{name}.tmp"
        tmp.mkdir()
        try:
            params = {
                "format": FORMAT_VERSION,
                "tokenizer": tokenizer_config(),
                "bm25": {"k1": K1, "b": B, "method": METHOD},
                "n_docs": len(self._ids),
                "empty": self._bm25 is None,
            }
            _write_json(tmp / "ids.json", list(self._ids))
            _write_json(tmp / "params.json", params)
            if self._bm25 is not None:
                self._bm25.save(str(tmp / "bm25s"), show_progress=False)
            for path in sorted(tmp.rglob("*"), reverse=True):
                (_fsync_file if path.is_file() else _fsync_dir)(path)
            _fsync_dir(tmp)
            os.replace(tmp, folder / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        previous = _read_current(folder)
        pointer = folder / f".{_CURRENT}.{name}.tmp"
        pointer.write_text(name + "\n", encoding="utf-8")
        _fsync_file(pointer)
        os.replace(pointer, folder / _CURRENT)
        _fsync_dir(folder)
        _remove_stale(folder, keep={name, previous})

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index saved by :meth:`save`.

        Raises:
            FileNotFoundError: there is no saved index in ``folder``.
            IndexMismatchError: it was saved by another tokenizer or format version, or is
                damaged; the message says how to rebuild.
        """
        folder = Path(folder)
        name = _read_current(folder)
        if name is None:
            raise FileNotFoundError(f"no lexical index in {str(folder)!r} (no {_CURRENT} file); build one with: policykb ingest PATH...")
        version = folder / name
        try:
            params = json.loads((version / "params.json").read_text(encoding="utf-8"))
            ids = json.loads((version / "ids.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"lexical index {str(version)!r} cannot be read ({exc}); {_REBUILD_HINT}") from None
        if not isinstance(params, dict) or params.get("format") != FORMAT_VERSION:
            found = params.get("format") if isinstance(params, dict) else None
            raise IndexMismatchError(
                f"lexical index {str(version)!r} has format {found!r}, this version reads format {FORMAT_VERSION}; {_REBUILD_HINT}"
            )
        saved, current = params.get("tokenizer") or {}, tokenizer_config()
        if saved != current:
            changed = sorted(k for k in set(saved) | set(current) if saved.get(k) != current.get(k))
            detail = ", ".join(f"{k}: {saved.get(k)!r} → {current.get(k)!r}" for k in changed)
            raise IndexMismatchError(
                f"lexical index {str(version)!r} was built with other tokenizer settings ({detail}); {_REBUILD_HINT}"
            )
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(ids) != params.get("n_docs"):
            raise IndexMismatchError(f"lexical index {str(version)!r} lists {len(ids)} ids for {params.get('n_docs')!r} documents; {_REBUILD_HINT}")
        if params.get("empty"):
            return cls(ids, None)
        import bm25s

        try:
            model = bm25s.BM25.load(str(version / "bm25s"), show_progress=False)
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"lexical index {str(version)!r} cannot be read ({exc}); {_REBUILD_HINT}") from None
        if int(model.scores["num_docs"]) != len(ids):
            raise IndexMismatchError(
                f"lexical index {str(version)!r} scores {model.scores['num_docs']} documents but lists {len(ids)} ids; {_REBUILD_HINT}"
            )
        return cls(ids, model)


def positive_scores(scores: "np.ndarray", ids: Sequence[str], top: int | None = None) -> dict[str, float]:
    """The positive entries of a score array by id (``ids[i]`` scores ``scores[i]``): all, or the ``top`` best."""
    import numpy as np

    positive = np.flatnonzero(scores > 0)
    if top is not None and len(positive) > top:
        positive = positive[np.argpartition(-scores[positive], top - 1)[:top]]
    return {ids[int(i)]: float(scores[i]) for i in positive}


def lucene_idf(n_docs: int, df: Any) -> Any:
    """BM25 IDF as bm25s's "lucene" method computes it, log(1 + (N − df + 0.5) / (df + 0.5)), of a count or an array."""
    import numpy as np

    return np.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def _read_current(folder: Path) -> str | None:
    try:
        name = (folder / _CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name or None


def _remove_stale(folder: Path, keep: set[str | None]) -> None:
    """Delete versions other than the live and the previous one (a reader may still use it) and leftovers."""
    for child in folder.iterdir():
        stale_version = child.is_dir() and child.name.startswith("v-") and child.name not in keep
        leftover = child.name.startswith(".") and child.name.endswith(".tmp")
        if stale_version or leftover:
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_file(path)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # platforms without directory handles
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
