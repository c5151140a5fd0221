"""policykb: a bilingual knowledge base over numbered policy clauses.

The code lives in the sub-packages ``policykb.ingest`` (files → clauses),
``policykb.kb`` (index, retrieval, answers), ``policykb.app`` (CLI, Gradio)
and ``policykb.eval`` (gold sets, metrics, evaluation reports).
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
