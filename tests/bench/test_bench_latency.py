"""The latency benchmark's table and its cheap synthetic vectors (no model, no KB)."""
from __future__ import annotations

import numpy as np

from benchmarks.bench_latency import WordFill, table

_RUN = {"kb": "/tmp/x", "store": "embedded", "clauses": 10000, "documents": 100, "sentences": 19704, "question_source": "synthetic",
        "questions": 60, "embed_p50_ms": 40.0, "search_p50_ms": 80.0, "search_p95_ms": 190.0, "ask_p50_ms": 100.0,
        "cpu_search_p50_x": 1.9, "cpu_search_p95_x": 3.0, "cpu_ask_p50_x": 2.4, "search_p50_x": 2.0, "search_p95_x": 4.75,
        "ask_p50_x": 2.5, "load": [3.0, 2.5, 2.0]}


def test_the_table_has_one_row_per_kb_and_store_with_ratios_and_memory() -> None:
    server = {**_RUN, "store": "http://127.0.0.1:8000", "serve": {"rss_mb": 371.4, "rss_started_mb": 300.2}}
    lines = table([_RUN, server]).splitlines()
    assert len(lines) == 4
    assert "| 100 documents, 10,000 clauses, 19,704 sentence vectors | embedded |" in lines[2]
    assert "80 ms (2.0×)" in lines[2] and "190 ms (4.8×)" in lines[2] and "100 ms (2.5×)" in lines[2]
    assert "| – |" in lines[2]
    assert "| server |" in lines[3] and "371 MB (300 MB)" in lines[3]


def test_word_fill_is_deterministic_and_near_for_texts_sharing_words() -> None:
    fill = WordFill(16)
    a, b, c = fill(["green credit for farmers", "green credit for villages", "第十二条 存款保险"])
    assert np.allclose(WordFill(16)(["green credit for farmers"])[0], a)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-5)
    assert float(a @ b) > float(a @ c)
