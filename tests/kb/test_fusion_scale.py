"""The dictionary bridge's share of the lexical signal follows RetrievalConfig.dictionary_scale."""
from __future__ import annotations

from policykb.kb.config import FusionWeights
from policykb.kb.retrieval.fusion import fuse, merge_dictionary

_RAW = {"lexical": {"a": 2.0}, "dictionary": {"b": 3.0}, "dense_clause": {}, "dense_sentence": {}, "bridge": {}}
_LANGS = {"a": "en", "b": "zh"}
_TABLE = {"same": FusionWeights(0.0, 0.0, 1.0, 0.0), "cross": FusionWeights(0.0, 0.0, 1.0, 0.0)}


def test_scale_zero_leaves_the_dictionary_out_and_a_larger_scale_weighs_it_more() -> None:
    assert merge_dictionary(_RAW, 0.0)["lexical"] == {"a": 2.0}
    assert merge_dictionary(_RAW, 0.5)["lexical"] == {"a": 2.0, "b": 1.5}
    off = fuse(_RAW, _LANGS, "en", _TABLE, 1.0, dictionary_scale=0.0)
    half = fuse(_RAW, _LANGS, "en", _TABLE, 1.0, dictionary_scale=0.5)
    full = fuse(_RAW, _LANGS, "en", _TABLE, 1.0, dictionary_scale=1.0)
    assert off.get("b", 0.0) == 0.0 and off["a"] == 1.0
    assert half["b"] < half["a"] and full["b"] > full["a"]
