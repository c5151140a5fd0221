"""Copy a KB's committed vectors into another Chroma store (embedded → server, or server → server).

A team that outgrows one machine moves its KB to a Chroma server without embedding anything
again: the manifest and lexical index stay in the KB folder, the vectors are copied as they are.
"""
from __future__ import annotations

import time
from typing import Callable

from policykb.kb.index.manifest import Manifest
from policykb.kb.index.vectors import KINDS, VectorStore

__all__ = ["copy_vectors"]


def copy_vectors(manifest: Manifest, source: VectorStore, target: VectorStore,
                 progress: Callable[[str, float], None] | None = None) -> dict[str, float]:
    """Upsert every vector the manifest names (clauses and their sentences) from ``source`` into ``target``.

    Vectors of uncommitted or superseded clause versions stay behind. Idempotent: a copy that was
    interrupted is simply run again.
    """
    started = time.perf_counter()
    committed = set(manifest.vec_ids().values())
    copied = {kind: 0 for kind in KINDS}
    totals = {kind: source.count(kind) for kind in KINDS}
    seen = 0
    for kind in KINDS:
        for ids, vectors, metadatas in source.export(kind):
            keep = [i for i, vid in enumerate(ids) if vid.split("#", 1)[0] in committed]
            if keep:
                target.upsert(kind, [ids[i] for i in keep], vectors[keep], [metadatas[i] for i in keep])
            copied[kind] += len(keep)
            seen += len(ids)
            if progress:
                progress(f"copying {kind} vectors", seen / max(sum(totals.values()), 1))
    return {"clauses": copied["clauses"], "sentences": copied["sentences"],
            "seconds": round(time.perf_counter() - started, 1)}
