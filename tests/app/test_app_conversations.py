"""Conversations kept per user in the KB folder: save, list, reopen, rename, delete, export."""
from __future__ import annotations

import json

import pytest

from policykb.app.conversations import ConversationStore, conversation_json, conversation_markdown
from policykb.errors import NotFoundError
from policykb.kb.model import Answer, Citation


def _answer(text: str = "Savings bonds reach the countryside through bank outlets (18).") -> Answer:
    cite = Citation(id="pbc-2022-60:18", doc_id="pbc-2022-60", number="18", label="(18)", quote="savings bonds go to the countryside",
                    section_title="Rural finance", doc_title="Opinions")
    return Answer(answer=text, citations=(cite,), abstained=False, reason="", mode="extractive", latency_ms=12.5)


def test_a_conversation_round_trips_and_is_listed_renamed_and_deleted(tmp_path):
    store = ConversationStore(tmp_path, "alice")
    conv = store.new_id()
    store.save(conv, [("How do savings bonds reach the countryside?", _answer()), ("unanswered", None)])
    listed = store.list()
    assert [c["id"] for c in listed] == [conv] and listed[0]["title"].startswith("How do savings bonds") and listed[0]["turns"] == 1
    data, turns = ConversationStore(tmp_path, "alice").load(conv)  # a new store object: as after a restart
    assert turns[0][1] == _answer() and data["turns"][0]["answer"]["citations"][0]["quote"] == "savings bonds go to the countryside"
    store.rename(conv, "  Bonds   in the countryside ")
    assert store.list()[0]["title"] == "Bonds in the countryside"
    assert ConversationStore(tmp_path, "bob").list() == []  # per user
    store.delete(conv)
    assert store.list() == []
    with pytest.raises(NotFoundError):
        store.load(conv)


def test_ids_never_leave_the_users_folder(tmp_path):
    store = ConversationStore(tmp_path, "../../etc")
    assert store.folder.parent == tmp_path
    with pytest.raises(NotFoundError):
        store.load("../../secret")


def test_exports_carry_citations_and_quotes(tmp_path):
    store = ConversationStore(tmp_path, "alice")
    conv = store.new_id()
    data = store.save(conv, [("Q1?", _answer()), ("第十八条讲了什么？", _answer("第（18）条：储蓄国债下乡。"))], title="Bonds")
    markdown = conversation_markdown("Bonds", store.load(conv)[1])
    assert markdown.startswith("# Bonds") and markdown.count("**Q:**") == 2
    assert "`pbc-2022-60:18`" in markdown and "savings bonds go to the countryside" in markdown and "第十八条讲了什么" in markdown
    exported = json.loads(conversation_json(data))
    assert exported["title"] == "Bonds" and exported["turns"][1]["answer"]["citations"][0]["id"] == "pbc-2022-60:18"
