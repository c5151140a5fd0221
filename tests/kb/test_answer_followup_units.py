"""Follow-ups across the five bundled documents, resolved without an index: the documents' names come from
corpus/'s metadata sidecars, each document numbers its articles 1-60; and the quote and partial-match helpers."""
from __future__ import annotations

import json

import pytest

from policykb.kb.answer.followup import resolve_followup
from policykb.kb.answer.naming import doc_names, named_documents
from policykb.kb.answer.partial import _held, _parts_in
from policykb.kb.answer.quotes import is_heading, with_content
from policykb.kb.model import Answer, Citation, DocumentInfo, Turn
from policykb.kb.retrieval.glossary import bundled_glossary
from policykb.kb.retrieval.lookup import clause_reference, strip_references
from policykb.settings import repo_root

BANKS, DEPOSITS, OPINIONS, PBC_LAW = "commercial-bank-law-2015", "deposit-insurance-regs-2015", "pbc-2022-60", "pbc-law-2003"


@pytest.fixture(scope="module")
def names():
    docs = []
    for path in sorted((repo_root() / "corpus").glob("*.meta.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        extra = {k: v for k, v in meta.items() if isinstance(v, str)}
        docs.append(DocumentInfo(doc_id=meta["doc_id"], title=meta["title"], doc_number=meta.get("doc_number", ""),
                                 issuers=tuple(meta.get("issuers", ())), lang=meta.get("lang", ""), source_path=str(path),
                                 sha256="", clauses=60, sections=1, extra=extra))
    return doc_names(docs)


@pytest.fixture(scope="module")
def numbers(names):
    return {doc: frozenset(str(n) for n in range(1, 61)) for doc in names}


def _turn(question: str, *cited: tuple[str, str]) -> Turn:
    cites = tuple(Citation(id=f"{d}:{n}", doc_id=d, number=n, label=f"第{n}条", quote="q", section_title="", doc_title="")
                  for d, n in cited)
    return Turn(question, Answer(answer="a", citations=cites, abstained=not cites, reason="", mode="extractive", latency_ms=1.0))


def _resolve(question, history, names, numbers):
    return resolve_followup(question, history, bundled_glossary(), names=names, numbers=numbers)


@pytest.mark.parametrize("text, doc", [
    ("商业银行法第十三条是怎么规定的？", BANKS),
    ("《中华人民共和国商业银行法》第十三条", BANKS),
    ("人民银行法第五条", PBC_LAW),
    ("What does article 13 of the Commercial Bank Law say?", BANKS),
    ("And the Deposit Insurance Regulations?", DEPOSITS),
    ("What do the Opinions say about Ningbo?", OPINIONS),
    ("那《意见》呢？", OPINIONS),
    ("意见第（十八）条讲什么？", OPINIONS),  # a short name right before a clause number names its document
    ("意见（十八）", OPINIONS),
])
def test_a_question_names_its_document(names, text, doc) -> None:
    assert [d for d, _s, _e in named_documents(text, names)] == [doc]


@pytest.mark.parametrize("text", ["银行法第十三条", "有什么办法？", "What does the law say about banks?", "第十三条讲了什么？",
                                  "我对银行有意见，第一步该找谁？", "有意见（比如投诉）怎么办？"])
def test_a_name_shared_or_generic_names_no_document(names, text) -> None:
    assert named_documents(text, names) == []


def test_a_bare_number_keeps_the_conversations_document(names, numbers) -> None:
    earlier = _turn("商业银行法第十三条是怎么规定的？", (BANKS, "13"))
    follow = _resolve("那第十五条呢？", [earlier], names, numbers)
    assert (follow.question, follow.doc, follow.how) == ("商业银行法第十五条是怎么规定的？", BANKS, "clause")
    english = _resolve("And article 15?", [_turn("What does article 13 of the Commercial Bank Law say?", (BANKS, "13"))],
                       names, numbers)
    assert (english.question, english.doc) == ("What does article 15 of the Commercial Bank Law say?", BANKS)


def test_a_follow_up_naming_another_document_takes_it(names, numbers) -> None:
    earlier = _turn("商业银行法第十三条是怎么规定的？", (BANKS, "13"))
    other = _resolve("那人民银行法呢？", [earlier], names, numbers)
    assert (other.question, other.doc, other.how) == ("人民银行法第十三条是怎么规定的？", PBC_LAW, "document")
    both = _resolve("那存款保险条例第五条呢？", [earlier], names, numbers)
    assert (both.doc, both.how) == (DEPOSITS, "clause") and "第五条" in both.question


def test_a_bare_number_without_a_document_in_the_conversation_is_asked_back(names, numbers) -> None:
    off_topic = _turn("Who won the 2022 World Cup final?")
    for question, text in (("那第十五条呢？", "多份文件都有第十五条"), ("And clause 15?", "Several documents have clause 15")):
        asked = _resolve(question, [off_topic], names, numbers)
        assert asked.clarify and asked.doc is None
        assert (asked.clarify_zh if question.startswith("那") else asked.clarify).startswith(text)
    alone = _resolve("那第十五条呢？", [off_topic], {OPINIONS: names[OPINIONS]}, {OPINIONS: numbers[OPINIONS]})
    assert not alone.clarify and alone.question == "第15条讲了什么？"


def test_that_document_needs_a_document_in_the_conversation(names, numbers) -> None:
    assert _resolve("那份文件的第三条讲了什么？", [], names, numbers).clarify
    assert _resolve("What does that document say about deposits?", [_turn("Who won?")], names, numbers).clarify
    known = _resolve("What does that document say about deposits?", [_turn("第三条", (DEPOSITS, "3"))], names, numbers)
    assert not known.clarify and known.doc == DEPOSITS and known.question == "What does that document say about deposits?"


@pytest.mark.parametrize("question", [
    "这个条例什么时候施行？", "这部法律讲了什么？", "那份文件的第三条讲了什么？", "What does this document say about deposits?",
])
def test_a_first_question_asks_back_when_that_document_is_all_it_says(names, numbers, question) -> None:
    assert _resolve(question, [], names, numbers).clarify


@pytest.mark.parametrize("question", [
    "存款保险制度出台之前就已经被接管的银行，储户能按这个条例赔付吗？",
    "What does this law say about the deposit insurance premium rates?",
])
def test_a_first_question_that_says_what_it_is_about_is_searched(names, numbers, question) -> None:
    asked = _resolve(question, [], names, numbers)
    assert not asked.clarify and asked.question == question and asked.doc is None


def test_a_lookup_in_every_document_keeps_that_scope(names, numbers) -> None:
    every = _turn("第十三条讲了什么？", (BANKS, "13"), (DEPOSITS, "13"), (OPINIONS, "13"))
    follow = _resolve("那第十五条呢？", [every], names, numbers)
    assert not follow.clarify and follow.doc is None and follow.question == "第十五条讲了什么？"


def test_clause_references_are_found_and_stripped() -> None:
    text = "商业银行法第十三条是怎么规定的？"
    start, end, number = clause_reference(text)
    assert (text[start:end], number) == ("第十三条", "13")
    start, end, number = clause_reference("What does clause 15 say?")
    assert ("What does clause 15 say?"[start:end], number) == ("clause 15", "15")
    assert strip_references("第九十九条 储蓄国债") == "储蓄国债" and strip_references("(18)") == ""


def test_a_heading_brings_the_sentence_that_carries_its_content() -> None:
    text = ("Support the mountain counties. Encourage banks to set up specialised teams for the hills. "
            "Assisting 26 mountainous counties. Carry out one county, one policy.")
    assert is_heading("Assisting 26 mountainous counties.") and not is_heading("Encourage banks to set up teams and lend to farmers in the hills.")
    assert with_content(text, "Assisting 26 mountainous counties.") == "Assisting 26 mountainous counties. Carry out one county, one policy."
    content = "Encourage banks to set up specialised teams for the hills."
    assert with_content(text, content) == content
    assert is_heading("深化小微金融服务。") and not is_heading("鼓励银行机构结合地方特色产业开展区域差异化服务，推广信用贷款。")


def test_a_phrase_is_held_whole_or_with_its_parts_close_together() -> None:
    clause = ("Guide banks to incorporate indicators such as carbon emission reduction benefits and carbon prices into the credit "
              "management process, and develop environmental rights such as pollution discharge rights as collateral.")
    assert not _held("carbon emission rights", clause) and _parts_in("carbon emission rights", [clause])
    assert _held("classification and grading of bank accounts", "Strictly manage bank accounts by classification and grading.")
    assert _held("one county, one policy", 'Carry out "one county, one policy" assistance.')
    assert _held("inclusive finance", "inclusive financial services")
    assert not _parts_in("specialized and sophisticated", ["specialized, refined, characteristic and innovative firms"])
