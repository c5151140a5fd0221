"""HTML rendering: escaping, quote and term highlighting, chips, answers, results, tables."""
from __future__ import annotations

import re

import pytest

from policykb.app import render
from policykb.app.doc_status import DocRow
from policykb.ingest.model import Clause
from policykb.kb.model import Answer, Citation, DocumentInfo, Hit, SearchResult

TEXT = "Support rural finance. Promote the distribution of savings bonds to the countryside, and expand sales channels."


def _clause(text: str = TEXT, **changes) -> Clause:
    values = dict(id="doc-1:18", doc_id="doc-1", section="5", section_title="Rural finance", number="18", label="(18)",
                  title="Support rural finance.", text=text, refs=("doc-1:8",), lang="en")
    values.update(changes)
    return Clause(**values)


def _citation(cid: str = "doc-1:18", label: str = "(18)", quote: str = "Promote the distribution of savings bonds") -> Citation:
    return Citation(id=cid, doc_id="doc-1", number=cid.split(":")[1], label=label, quote=quote,
                    section_title="Rural finance", doc_title="The Opinions")


def _answer(**changes) -> Answer:
    values = dict(answer="Clause (18) provides: “Promote the distribution of savings bonds”.", citations=(_citation(),),
                  abstained=False, reason="close match", mode="extractive", latency_ms=12.3)
    values.update(changes)
    return Answer(**values)


HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "${alert(1)} {{value}} `x` $$x^2$$ \\(y\\)",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_document_text_never_becomes_markup(payload):
    clause = _clause(text=f"Article text {payload} ends.", title=payload, section_title=payload)
    html = render.clause_html(clause, doc_title=payload, scope="chat", lang="en", quote=payload, terms=[payload])
    for dangerous in ("<script", "<img", "<svg", "onerror=\"", "${", "{{", "`", "$$"):
        assert dangerous not in html
    assert "&lt;" in html or "&#36;" in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_answers_results_and_tables_escape_too(payload):
    answer = _answer(answer=f"{payload} (18)", citations=(_citation(quote=payload),))
    hit = Hit(clause=_clause(text=payload, title=payload), score=0.5, matched_terms=(payload,), best_sentence=payload)
    doc = DocumentInfo(doc_id="doc-1", title=payload, doc_number=payload, issuers=(payload,), lang="en", source_path=payload,
                       sha256="", clauses=1, sections=1, preamble=payload)
    pieces = [
        render.answer_html(answer, turn=0, lang="en"),
        render.user_html(payload),
        render.search_html(SearchResult(query=payload, hits=(hit,), latency_ms=1.0), doc_titles={"doc-1": payload}, lang="en"),
        render.outline_html(doc, [_clause(text=payload, title=payload)], lang="en"),
        render.documents_html([DocRow("doc-1", payload, payload, 1, "failed", payload, payload, payload)], lang="en"),
        render.eval_questions_html([{"id": payload, "question": payload, "gold": ["doc-1:18"], "ranked": [], "cited": [],
                                     "problems": [payload]}], labels={}, lang="en"),
        render.ingest_results_html([{"name": payload, "status": "failed", "error": payload}], payload, lang="en"),
        render.message_html(payload),
    ]
    for html in pieces:
        assert "<script" not in html and "<img" not in html and "<svg" not in html and "${" not in html


def test_quote_is_marked_and_title_moves_to_the_heading():
    html = render.clause_html(_clause(), doc_title="The Opinions", scope="chat", lang="en",
                              quote="Promote the distribution of savings bonds")
    assert '<mark class="pk-quote">Promote the distribution of savings bonds</mark>' in html
    assert '<h3 class="pk-clause-head">(18) <span class="pk-clause-title">Support rural finance.</span></h3>' in html
    assert '<div class="pk-clause-text">Support rural finance.' not in html
    assert "The Opinions › 5. Rural finance › (18)" in html


def test_quote_at_the_start_keeps_the_title_in_the_text():
    html = render.clause_html(_clause(), doc_title="D", scope="chat", lang="en", quote="Support rural finance. Promote")
    assert '<mark class="pk-quote">Support rural finance. Promote</mark>' in html


def test_find_quote_tolerates_whitespace_and_an_ellipsis():
    text = "Promote the\n distribution of  savings bonds to the countryside."
    start, end = render.find_quote(text, "the distribution of savings bonds…")
    assert text[start:end] == "the\n distribution of  savings bonds"
    assert render.find_quote(text, "nowhere to be found") is None
    assert render.find_quote(text, "") is None


def test_terms_match_case_insensitively_from_word_starts_longest_first():
    text = "Charitable trusts and charitable giving; untrusted entrusts."
    spans = render.term_spans(text, ["charitable trusts", "charitable", "trusts", "t"])
    html = render.highlight(text, None, spans)
    assert html.startswith('<mark class="pk-term">Charitable trusts</mark> and <mark class="pk-term">charitable</mark> giving')
    assert "en<mark" not in html and "un<mark" not in html


def test_chinese_terms_match_anywhere():
    spans = render.term_spans("发展普惠金融和普惠小微贷款", ["普惠"])
    assert spans == [(2, 4), (7, 9)]


def test_answer_chips_link_labels_in_the_text_and_the_sources():
    html = render.answer_html(_answer(), turn=3, lang="en")
    chips = re.findall(r'<a class="pk-chip[^"]*" href="#pk:([^"]+)"[^>]*>([^<]+)</a>', html)
    assert chips == [("chat|3|doc-1:18", "(18)"), ("chat|3|doc-1:18", "(18)")]
    assert "pk-abstain" not in html and "Sources" in html and "extractive answer · 12 ms" in html


def test_full_width_labels_in_a_chinese_answer_become_chips():
    answer = _answer(answer="根据第（18）条：“Promote …”", lang="zh")
    html = render.answer_html(answer, turn=0, lang="zh")
    assert '第<a class="pk-chip" href="#pk:chat|0|doc-1:18" data-pk="chat|0|doc-1:18" title="doc-1:18">（18）</a>条' in html
    assert "出处" in html


def test_abstention_is_marked_and_lists_related_clauses():
    related = (_citation("doc-1:12", "(12)", ""), _citation("doc-1:21", "(21)", ""))
    answer = _answer(answer="The documents do not address this. Possibly related: (12), (21).", citations=(), abstained=True,
                     related=related)
    html = render.answer_html(answer, turn=1, lang="en")
    assert 'class="pk-answer pk-abstain"' in html and "Not covered by the documents" in html
    assert "pk-sources" not in html and html.count("pk-chip-related") == 2
    assert 'href="#pk:chat|1|doc-1:12"' in html


def test_markdown_copy_has_question_answer_and_sources():
    md = render.answer_markdown("  Savings bonds? ", _answer())
    assert md.startswith("**Q:** Savings bonds?\n\nClause (18) provides")
    assert "- (18) `doc-1:18` (The Opinions › Rural finance › (18)): “Promote the distribution of savings bonds”" in md


def test_search_results_show_label_section_score_and_terms():
    hit = Hit(clause=_clause(), score=0.9321, signals={"dense": 0.8}, matched_terms=("savings bonds",),
              best_sentence="Promote the distribution of savings bonds to the countryside.")
    html = render.search_html(SearchResult(query="savings bonds", hits=(hit,), latency_ms=4.2, lookup="clause"),
                              doc_titles={"doc-1": "The Opinions"}, lang="en")
    assert 'data-pk="search|0|doc-1:18"' in html and ">(18)</a>" in html and "score 0.932" in html
    assert '<mark class="pk-term">savings bonds</mark>' in html and "The Opinions › Rural finance" in html
    assert "Direct lookup" in html
    empty = render.search_html(SearchResult(query="x", hits=(), latency_ms=1.0), doc_titles={}, lang="zh")
    assert "未找到条款" in empty


def test_a_clause_lookup_shows_the_clause_then_related_ones_apart_and_a_missing_number_says_so():
    hit = Hit(clause=_clause(), score=0.93, best_sentence="Promote the distribution of savings bonds.")
    other = Hit(clause=_clause(), score=0.41, best_sentence="Another clause.")
    html = render.search_html(SearchResult(query="(18)", hits=(hit,), latency_ms=3.0, lookup="clause", related=(other,),
                                           lookup_value="18"), doc_titles={"doc-1": "The Opinions"}, lang="en")
    assert html.index("score 0.930") < html.index("Related clauses") < html.index("score 0.410")
    assert 'data-pk="search|1|doc-1:18"' in html  # the related card opens like any result
    missing = SearchResult(query="第九十九条", hits=(), latency_ms=1.0, lookup="clause", lookup_value="99",
                           message="no clause numbered 99 in the KB")
    for lang, words in (("en", "No clause is numbered 99 in the knowledge base"), ("zh", "知识库中没有编号为99的条款")):
        html = render.search_html(missing, doc_titles={}, lang=lang)
        assert words in html and "pk-result" not in html
    scoped = render.search_html(missing, doc_titles={"doc-1": "The Opinions"}, lang="en", doc="doc-1")
    assert "No clause is numbered 99 in The Opinions" in scoped


def test_placeholders_carry_both_languages_unless_one_is_asked():
    both = render.placeholder_html("clause_hint")
    assert 'class="pk-l-en"' in both and 'class="pk-l-zh"' in both and "点击引用" in both
    assert "点击引用" in render.placeholder_html("clause_hint", "zh") and "pk-l-en" not in render.placeholder_html("clause_hint", "zh")


def test_eval_table_links_every_clause_id():
    html = render.eval_questions_html(
        [{"id": "q1", "lang": "en", "question": "Q?", "gold": ["doc-1:18"], "ranked": ["doc-1:18", "doc-1:2"],
          "cited": ["doc-1:18"], "abstained": False, "problems": []},
         {"id": "q2", "lang": "zh", "question": "问？", "gold": [], "ranked": ["doc-1:3"], "cited": [], "abstained": True,
          "problems": ["answered off-topic question"]}],
        labels={"doc-1:18": "(18)"}, lang="en")
    assert html.count('href="#pk:eval||doc-1:18"') == 3 and "pk-chip-gold" in html
    assert 'class="pk-row-bad"' in html and "abstained" in html and "answered off-topic question" in html


def test_outline_shows_the_adoption_history() -> None:
    doc = DocumentInfo(doc_id="law", title="某某法", doc_number="", issuers=(), lang="zh", source_path="x", sha256="",
                       clauses=1, sections=1, extra={"history": ["2021年8月20日 某会议通过", "2022年1月1日 修正"]})
    html = render.outline_html(doc, [], lang="zh")
    assert "2021年8月20日 某会议通过<br>2022年1月1日 修正" in html
