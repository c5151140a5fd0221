"""The running app in headless Chromium: issue 6's acceptance list, plus escaping, language and phone width.

The tests of this module share one app process and one page, and run in file order
(chat → search → browse → documents → evaluate); screenshots go to test-artifacts/app/.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from policykb.settings import Settings, repo_root
from tests.support.app_page import ask as _ask
from tests.support.app_page import click_until_shown, open_page

pytestmark = pytest.mark.browser

FIXTURES = repo_root() / "tests" / "fixtures"
MINI_GOLD = Path(__file__).parent / "data" / "mini-gold.jsonl"


@pytest.fixture(scope="module")
def app_server(own_app_server):
    """This module uploads and removes documents: it gets an app of its own (tests/app/conftest.py)."""
    return own_app_server


@pytest.fixture(scope="module")
def page(browser, app_server) -> Iterator[object]:
    page = open_page(browser, app_server.url, {"width": 1366, "height": 900})
    yield page
    page.context.close()




def _scope_name(kb_dir, doc_id: str) -> str:
    """The short name the documents multi-selects show for ``doc_id`` (the app's own helper, over the served KB)."""
    from types import SimpleNamespace

    from policykb.app.scope import scope_choices
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir))
    try:
        return next(name for name, value in scope_choices(SimpleNamespace(kb=kb), "en") if value == doc_id)  # type: ignore[arg-type]
    finally:
        kb.close()


def _choose(page, elem_id: str, option: str | re.Pattern[str]) -> None:
    """Pick ``option`` in the Gradio dropdown ``#elem_id``."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).click()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(f"^{name}")).click()


def test_chat_cites_clause_18_and_the_chip_opens_it_with_the_quote_highlighted(page, shot):
    from playwright.sync_api import expect

    answer = _ask(page, "How can savings bonds get to the countryside?")
    assert "pk-abstain" not in (answer.get_attribute("class") or "")
    chips = answer.locator("a.pk-chip")
    assert "(18)" in chips.all_inner_texts()
    quote = answer.locator(".pk-sources li", has=page.locator("a.pk-chip", has_text="(18)")).locator("q.pk-src-quote").inner_text()
    panel = page.locator("#pk-clause-chat")
    click_until_shown(answer.locator(".pk-sources a.pk-chip", has_text="(18)").first,
                      panel.locator('article.pk-clause[data-clause="pbc-2022-60:18"]'))
    mark = panel.locator("mark.pk-quote")
    expect(mark).to_be_visible()
    assert mark.inner_text().strip()[:40] == quote.strip()[:40]
    crumb = panel.locator(".pk-crumb").inner_text()
    assert crumb.count("›") == 2 and crumb.strip().endswith("(18)") and "Opinions" in crumb
    shot(page, "chat-savings-bonds-clause-18")


def test_chat_inline_chip_in_the_answer_text_opens_the_clause(page):
    from playwright.sync_api import expect

    answer = _ask(page, "Which clause is about charitable trusts?")
    inline = answer.locator(".pk-answer-text a.pk-chip", has_text="(13)")
    assert inline.count() >= 1, answer.inner_html()
    inline.first.click()
    expect(page.locator("#pk-clause-chat article.pk-clause")).to_have_attribute("data-clause", "pbc-2022-60:13")


def test_chat_chinese_question_gets_a_cited_answer(page, shot):
    answer = _ask(page, "怎样把储蓄国债推广到农村地区？")
    assert "pk-abstain" not in (answer.get_attribute("class") or "")
    cited = answer.locator(".pk-sources a.pk-chip").all_inner_texts()
    assert cited, answer.inner_text()
    assert "(18)" in cited
    shot(page, "chat-chinese-question")


def test_chat_off_topic_question_shows_the_abstention_with_related_clauses(page, shot):
    answer = _ask(page, "What is the best recipe for apple pie?")
    assert "pk-abstain" in (answer.get_attribute("class") or "")
    assert answer.locator(".pk-abstain-head").inner_text().strip().endswith("Not covered by the documents")
    assert answer.locator(".pk-sources").count() == 0
    assert answer.locator(".pk-related a.pk-chip").count() >= 1
    shot(page, "chat-off-topic-abstention")


def test_copy_as_markdown_and_rating_are_saved(page, app_server):
    from playwright.sync_api import expect

    from policykb.app.feedback import FeedbackStore

    answer = _ask(page, "Which clause is about charitable trusts?")
    assert answer.locator(".pk-sources a.pk-chip").count() >= 1
    page.click("#pk-copy-md")
    expect(page.locator("#pk-markdown textarea")).to_have_value(re.compile(r"^\*\*Q:\*\* Which clause is about charitable trusts\?"))
    markdown = page.input_value("#pk-markdown textarea")
    assert "**Sources**" in markdown and "`pbc-2022-60:" in markdown
    page.locator("#pk-chatbot button[aria-label='Dislike']").last.click()
    expect(page.locator("#pk-correction")).to_be_visible()
    page.click("#pk-correction-skip")
    expect(page.locator("#pk-feedback-status .pk-msg-ok")).to_be_visible()
    rows = FeedbackStore(app_server.kb_dir / "feedback.sqlite").list()
    assert rows[0]["question"] == "Which clause is about charitable trusts?" and rows[0]["rating"] == -1


def test_search_finds_charitable_trusts_in_clause_13(page, shot):
    from playwright.sync_api import expect

    _tab(page, "Search")
    page.fill("#pk-search-input textarea", "charitable trusts")
    page.click("#pk-search-go")
    first = page.locator("#pk-search-results li.pk-result").first
    expect(first).to_be_visible()
    assert first.locator("a.pk-chip").inner_text() == "(13)"
    assert "charitable" in first.locator("mark.pk-term").first.inner_text().lower()
    assert re.search(r"score \d\.\d{3}", first.inner_text())
    page.locator("#pk-search-results li.pk-result").nth(1).click()
    page.locator("#pk-search-results li.pk-result").first.click()
    panel = page.locator("#pk-clause-search article.pk-clause")
    expect(panel).to_have_attribute("data-clause", "pbc-2022-60:13")
    assert "charitable trusts" in panel.inner_text()
    assert panel.locator("mark.pk-term").count() >= 1
    shot(page, "search-charitable-trusts")


def test_search_filters_by_language(page):
    from playwright.sync_api import expect

    _choose(page, "pk-filter-lang", "Chinese")
    page.click("#pk-search-go")
    expect(page.locator("#pk-search-results .pk-placeholder")).to_be_visible()
    _choose(page, "pk-filter-lang", "All")


def test_search_for_a_missing_clause_says_so_and_a_clause_shows_related_ones_apart(page, shot):
    from playwright.sync_api import expect

    _tab(page, "Search")
    page.fill("#pk-search-input textarea", "第九十九条")
    page.click("#pk-search-go")
    notice = page.locator("#pk-search-results .pk-no-such-clause")
    expect(notice).to_be_visible()
    assert "No clause is numbered 99" in notice.inner_text()
    assert page.locator("#pk-search-results li.pk-result").count() == 0  # no unrelated clauses
    shot(page, "search-missing-clause")
    page.fill("#pk-search-input textarea", "(18)")
    page.click("#pk-search-go")
    expect(page.locator("#pk-search-results .pk-related-head")).to_be_visible()
    first = page.locator("#pk-search-results ol.pk-results").first.locator("li.pk-result")
    assert first.count() == 1 and first.locator("a.pk-chip").inner_text() == "(18)"
    related = page.locator("#pk-search-results ol.pk-results-related li.pk-result")
    assert related.count() == 4
    scores = [float(m) for m in re.findall(r"score (\d+\.\d{3})", page.locator("#pk-search-results").inner_text())]
    assert len(scores) == 5 and max(scores) < 2, scores  # one scale: no lookup bonus beside fused scores
    shot(page, "search-clause-18-related-apart")


def _inside_the_phone(phone, selector: str) -> None:
    """No horizontal scroll, and every element matching ``selector`` lies within the 390 px screen."""
    scroll = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1] + 1, scroll
    boxes = phone.locator(selector).evaluate_all(
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [r.left, r.right, n.scrollWidth, n.clientWidth]; })")
    assert boxes, selector
    for left, right, scroll_width, client_width in boxes:
        assert left >= -1 and right <= 391, (selector, left, right)
        assert scroll_width <= client_width + 1, (selector, scroll_width, client_width)  # no text cut off inside it


@pytest.mark.parametrize("lang, missing, clause, tab, notice_text, related_head", [
    ("zh", "第九十九条", "（十八）", "检索", "没有编号为99的条款", "相关条款"),
    ("en", "clause 99", "(18)", "Search", "No clause is numbered 99", "Related clauses"),
])
def test_phone_search_for_a_missing_clause_says_so_and_a_clause_shows_related_ones_apart(
        browser, app_server, shot, lang, missing, clause, tab, notice_text, related_head):
    """Issue 12 point 5 at 390×844, in the Chinese and the English UI: the notice and the cards fit the screen."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(90_000)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        phone.goto(app_server.url)
        phone.wait_for_selector("#pk-chat-input textarea")
        phone.locator("#pk-lang").get_by_text("中文" if lang == "zh" else "English").click()
        expect(phone.locator("#pk-send")).to_have_text("发送" if lang == "zh" else "Send")
        _tab(phone, tab)
        phone.fill("#pk-search-input textarea", missing)
        phone.click("#pk-search-go")
        notice = phone.locator("#pk-search-results .pk-no-such-clause")
        expect(notice).to_be_visible()
        assert notice_text in notice.inner_text()
        assert phone.locator("#pk-search-results li.pk-result").count() == 0  # no unrelated clauses
        _inside_the_phone(phone, "#pk-search-results .pk-no-such-clause")
        notice.scroll_into_view_if_needed()
        shot(phone, f"12-5-search-missing-clause-{lang}-390", full_page=False)

        phone.fill("#pk-search-input textarea", clause)
        phone.click("#pk-search-go")
        head = phone.locator("#pk-search-results .pk-related-head")
        expect(head).to_have_text(related_head)
        first = phone.locator("#pk-search-results ol.pk-results").first.locator("li.pk-result")
        assert first.count() == 1 and first.locator("a.pk-chip").inner_text() == "(18)"
        assert phone.locator("#pk-search-results ol.pk-results-related li.pk-result").count() == 4
        word = "得分" if lang == "zh" else "score"
        scores = [float(m) for m in re.findall(rf"{word} (\d+\.\d{{3}})", phone.locator("#pk-search-results").inner_text())]
        assert len(scores) == 5 and max(scores) < 2, scores  # one scale
        _inside_the_phone(phone, "#pk-search-results li.pk-result")
        _inside_the_phone(phone, "#pk-search-results .pk-result-snippet")
        phone.locator("#pk-search-results ol.pk-results-related li.pk-result").nth(1).hover()  # where the last tap was
        marked = phone.locator("#pk-search-results li.pk-result").evaluate_all(
            "nodes => nodes.filter(n => getComputedStyle(n).boxShadow !== 'none').map(n => n.className)")
        assert all("pk-active" in c for c in marked), marked  # no card outlined by a hover a touch screen keeps
        phone.locator("#pk-search-results").scroll_into_view_if_needed()
        phone.locator("#pk-search-results .pk-results-head").first.evaluate("n => n.scrollIntoView({block: 'start'})")
        shot(phone, f"12-5-search-clause-18-{lang}-390", full_page=False)
        head.evaluate("n => n.scrollIntoView({block: 'start'})")
        shot(phone, f"12-5-search-clause-18-related-{lang}-390", full_page=False)
    finally:
        context.close()
    assert errors == [], errors


def test_browse_outline_clause_and_glossary(page, shot):
    from playwright.sync_api import expect

    _tab(page, "Browse")
    sections = page.locator("#pk-outline section.pk-outline-section")
    expect(sections.first).to_be_visible()
    assert sections.count() == 9
    page.locator("#pk-outline li", has=page.locator("a.pk-chip", has_text="(5)")).first.click()
    expect(page.locator("#pk-clause-browse article.pk-clause")).to_have_attribute("data-clause", "pbc-2022-60:5")
    page.fill("#pk-glossary-search textarea", "普惠金融")
    expect(page.locator("#pk-glossary")).to_contain_text("inclusive finance")
    shot(page, "browse-outline-glossary")


def test_upload_shows_preview_then_the_chinese_rule_appears_with_its_article_count(page, app_server, shot):
    from playwright.sync_api import expect

    from policykb.ingest import load_document

    rule = FIXTURES / "zj-inclusive-finance-rules.txt"
    expected = load_document(rule, Settings.from_env(env={}))
    _tab(page, "Documents")
    page.set_input_files("#pk-upload input[type=file]", str(rule))
    page.click("#pk-preview")
    preview = page.locator("#pk-preview-out .pk-preview-doc")
    expect(preview).to_contain_text(f"{len(expected.clauses)} clauses")
    expect(preview).to_contain_text("第一条")
    page.click("#pk-add")
    row = page.locator("#pk-ingest-result tr[data-status]").first
    expect(row).to_have_attribute("data-status", "added", timeout=300_000)
    doc_row = page.locator(f"#pk-documents tr[data-doc='{expected.doc_id}']")
    expect(doc_row).to_be_visible()
    assert doc_row.locator("td.pk-clause-count").inner_text().strip() == str(len(expected.clauses))
    shot(page, "documents-chinese-rule-added")


def test_bad_file_shows_its_one_line_message_and_document_html_is_never_rendered(page, app_server, tmp_path, shot):
    from playwright.sync_api import expect

    bad = tmp_path / "notes.xyz"
    bad.write_bytes(b"\x00\x01 not a document")
    hostile = tmp_path / "hostile-rule.txt"
    hostile.write_text(
        "测试规则（含标记的样例）\n\n第一条　本条文本包含 <img src=x onerror=\"window.pkPwned=1\"> 与 "
        "<script>window.pkPwned=2</script> 字样，应原样显示。\n\n第二条　本办法自公布之日起施行。\n",
        encoding="utf-8",
    )
    _tab(page, "Documents")
    page.set_input_files("#pk-upload input[type=file]", [str(bad), str(hostile)])
    page.click("#pk-add")
    failed = page.locator("#pk-ingest-result tr[data-status='failed'], #pk-ingest-result tr[data-status='skipped']")
    expect(failed).to_have_count(1, timeout=300_000)
    message = failed.locator("td").last.inner_text()
    assert "notes.xyz" in message and "unsupported" in message and "\n" not in message.strip()
    assert "Traceback" not in page.content()
    expect(page.locator("#pk-ingest-result tr[data-status='added']")).to_have_count(1)
    shot(page, "documents-bad-file")
    _tab(page, "Browse")
    _choose(page, "pk-browse-doc", re.compile("测试规则"))
    first_article = page.locator("#pk-outline li", has_text="第一条").first  # the new outline, not the previous one
    expect(first_article).to_be_visible()
    first_article.click()
    text = page.locator("#pk-clause-browse .pk-clause-text")
    expect(text).to_contain_text("<img src=x onerror=")
    expect(text).to_contain_text("<script>window.pkPwned=2</script>")
    assert page.evaluate("() => window.pkPwned") is None
    assert page.locator("#pk-clause-browse img, #pk-clause-browse script").count() == 0
    _tab(page, "Search")  # the same text in search results and their clause panel
    _choose(page, "pk-filter-doc", _scope_name(app_server.kb_dir, "hostile-rule"))  # the documents multi-select
    page.fill("#pk-search-input textarea", "本条文本包含的标记字样")
    page.click("#pk-search-go")
    result = page.locator("#pk-search-results li.pk-result", has_text="onerror").first
    expect(result).to_contain_text("<img src=x onerror=")
    result.click()
    expect(page.locator("#pk-clause-search .pk-clause-text")).to_contain_text("<script>window.pkPwned=2</script>")
    assert page.locator("#pk-search-results img, #pk-search-results script, #pk-clause-search img, #pk-clause-search script").count() == 0
    assert page.evaluate("() => window.pkPwned") is None
    shot(page, "search-hostile-text-shown-as-text")
    page.keyboard.press("Escape")
    page.locator("#pk-filter-doc .remove-all").click()  # back to every document


def test_evaluate_runs_a_small_gold_file_and_shows_the_table(page, shot):
    from playwright.sync_api import expect

    _tab(page, "Evaluate")
    page.set_input_files("#pk-gold-upload input[type=file]", str(MINI_GOLD))
    page.click("#pk-eval-run")
    metrics = page.locator("#pk-eval-metrics")
    expect(metrics).to_contain_text("recall@1", timeout=180_000)
    expect(metrics).to_contain_text("citation_hit")
    rows = page.locator("#pk-eval-questions tbody tr")
    expect(rows).to_have_count(3)
    assert page.locator("#pk-eval-summary").inner_text().startswith("3 questions")
    expect(page.locator("#pk-eval-plots img").first).to_be_visible()
    link = page.locator("#pk-eval-report a[download]").first
    expect(link).to_have_attribute("download", re.compile(r"mini-gold.*\.zip$"))
    archive = page.request.get(link.get_attribute("href"))
    assert archive.ok
    with zipfile.ZipFile(io.BytesIO(archive.body())) as zipped:
        assert {"report.md", "report.json", "metrics_by_mode.png", "clause_coverage.png"} <= set(zipped.namelist())
    rows.first.locator("a.pk-chip").first.click()
    expect(page.locator("#pk-clause-eval article.pk-clause")).to_be_visible()
    shot(page, "evaluate-mini-gold")


def test_language_toggle_switches_the_chrome(page, shot):
    from playwright.sync_api import expect

    _tab(page, "Chat")
    page.locator("#pk-lang").get_by_text("中文").click()
    expect(page.locator("#pk-send")).to_have_text("发送")
    expect(page.locator("#pk-chat-input textarea")).to_have_attribute("placeholder", re.compile("中文或英文"))
    shot(page, "chat-chinese-chrome", full_page=False)
    page.locator("#pk-lang").get_by_text("English").click()
    expect(page.locator("#pk-send")).to_have_text("Send")


def test_phone_width_has_no_horizontal_scroll(browser, app_server, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(90_000)
    phone.goto(app_server.url)
    phone.wait_for_selector("#pk-chat-input textarea")
    answer = _ask(phone, "第十八条讲了什么？")
    click_until_shown(answer.locator(".pk-sources a.pk-chip").first, phone.locator("#pk-clause-chat article.pk-clause"))
    width = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] + 1, width
    shot(phone, "phone-chat")
    context.close()


def test_no_script_errors_on_the_page(page):
    assert page.page_errors == []  # type: ignore[attr-defined]
