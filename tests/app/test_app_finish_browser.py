"""The running app in headless Chromium, issue 12's app points: small defects (13), a complete 中文 mode (12),
the Evaluate tab (10), upload progress (11), the live documents table (9) and the phone width (14).

One served app of the module's own (it uploads and removes documents) and one laptop page (1440×900) are shared by the module;
the phone checks open their own 390×844 page. Screenshots go to test-artifacts/app/.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Iterator

import pytest
from tests.support.app_page import ask as _ask
from tests.support.app_page import open_page

pytestmark = pytest.mark.browser

MINI_GOLD = Path(__file__).parent / "data" / "mini-gold.jsonl"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app_server(own_app_server):
    """This module uploads and removes documents: it gets an app of its own (tests/app/conftest.py)."""
    return own_app_server


@pytest.fixture(scope="module")
def page(browser, app_server) -> Iterator[object]:
    page = open_page(browser, app_server.url, LAPTOP)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def phone(browser, app_server) -> Iterator[object]:
    page = open_page(browser, app_server.url, PHONE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()




def _choose(page, elem_id: str, option) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).click()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(f"^{name}")).click()


def _language(page, lang: str) -> None:
    from playwright.sync_api import expect

    page.locator("#pk-lang").get_by_text("中文" if lang == "zh" else "English").click()
    expect(page.locator("#pk-send")).to_have_text("发送" if lang == "zh" else "Send")


def _shots(page, browser, url: str, name: str, shot, prepare=None) -> None:
    """Save ``name`` at 1440×900 from ``page`` and at 390×844 from a fresh phone page prepared by ``prepare``."""
    shot(page, f"{name}-1440", full_page=False)
    if prepare is not None:
        phone = open_page(browser, url, PHONE, is_mobile=True, has_touch=True)
        try:
            prepare(phone)
            shot(phone, f"{name}-390", full_page=False)
        finally:
            phone.context.close()


# -- 13: errors and small defects ---------------------------------------------------------------------------

def test_empty_question_gets_a_light_localized_hint_not_error_pills(page, browser, app_server, shot):
    from playwright.sync_api import expect

    page.fill("#pk-chat-input textarea", "   ")
    page.click("#pk-send")
    hint = page.locator("#pk-chat-hint .pk-hint")
    expect(hint).to_have_text("Type a question first.")
    assert page.locator(".toast-body").count() == 0
    assert page.get_by_text("Error", exact=True).count() == 0
    assert page.locator("#pk-chatbot .message-row, #pk-chatbot .pk-question").count() == 0
    _language(page, "zh")
    page.click("#pk-send")
    expect(hint).to_have_text("请先输入问题。")
    assert page.locator(".toast-body").count() == 0 and page.get_by_text("错误", exact=True).count() == 0

    def prepare(phone):
        _language(phone, "zh")
        phone.click("#pk-send")
        expect(phone.locator("#pk-chat-hint .pk-hint")).to_have_text("请先输入问题。")

    _shots(page, browser, app_server.url, "13-empty-question-hint", shot, prepare)
    _language(page, "en")
    page.click("#pk-send")
    expect(hint).to_have_text("Type a question first.")
    _ask(page, "第十三条讲了什么？")  # a real question clears the hint
    expect(page.locator("#pk-chat-hint .pk-hint")).to_have_count(0)


def test_abstention_names_the_document_once(page):
    for question in ("What is the best recipe for apple pie?", "苹果派怎么做最好吃？"):
        answer = _ask(page, question)
        assert "pk-abstain" in (answer.get_attribute("class") or "")
        text = answer.locator(".pk-answer-text").inner_text()
        assert len(answer.locator(".pk-related a.pk-chip").all()) >= 2, text
        assert text.count("60 [2022]") == 1, text


def test_one_feedback_mechanism_thumbs_then_the_right_clause(page, browser, app_server, shot):
    from playwright.sync_api import expect

    from policykb.app.feedback import FeedbackStore

    assert page.get_by_text("Rate the last answer").count() == 0  # the second mechanism is gone
    assert page.locator("#pk-feedback, #pk-up, #pk-down").count() == 0
    store = FeedbackStore(app_server.kb_dir / "feedback.sqlite")
    before = len(store.list(limit=None))
    question = "Which clause is about charitable trusts?"
    _ask(page, question)
    page.locator("#pk-chatbot button[aria-label='Dislike']").last.click()
    correction = page.locator("#pk-correction")
    expect(correction).to_be_visible()
    page.locator("#pk-right-clause input").click()
    page.get_by_role("option", name=re.compile(r"^\(13\)")).first.click()
    page.fill("#pk-comment textarea", "the trust clause")
    shot(page, "13-feedback-correction-1440", full_page=False)
    page.click("#pk-correct")
    expect(page.locator("#pk-feedback-status .pk-msg-ok")).to_be_visible()
    expect(correction).to_be_hidden()
    rows = store.list(limit=None)
    assert len(rows) == before + 1  # the 👎 and its correction are one rating
    assert rows[0]["question"] == question and rows[0]["rating"] == -1
    assert rows[0]["right_clause"] == "pbc-2022-60:13" and rows[0]["comment"] == "the trust clause"
    page.locator("#pk-chatbot button[aria-label='Like']").last.click()
    expect(page.locator("#pk-feedback-status .pk-msg-ok")).to_have_text("Thank you, your rating was saved.")
    assert store.list(limit=1)[0]["rating"] == 1


def test_browse_clause_low_in_the_outline_scrolls_its_panel_into_view(page, browser, app_server, shot):
    from playwright.sync_api import expect

    _tab(page, "Browse")
    _choose(page, "pk-browse-doc", re.compile("^Opinions"))
    last = page.locator("#pk-outline li", has=page.locator("a.pk-chip", has_text="(31)")).first
    last.scroll_into_view_if_needed()
    assert page.evaluate("() => document.getElementById('pk-clause-browse').getBoundingClientRect().bottom") < 0
    last.click()
    panel = page.locator("#pk-clause-browse")
    expect(panel.locator("article.pk-clause")).to_have_attribute("data-clause", "pbc-2022-60:31")
    expect(panel.locator(".pk-clause-head")).to_be_in_viewport()

    def prepare(phone):
        _tab(phone, "Browse")
        _choose(phone, "pk-browse-doc", re.compile("^Opinions"))
        item = phone.locator("#pk-outline li", has=phone.locator("a.pk-chip", has_text="(31)")).first
        item.scroll_into_view_if_needed()
        item.click()
        expect(phone.locator("#pk-clause-browse .pk-clause-head")).to_be_in_viewport()

    _shots(page, browser, app_server.url, "13-browse-low-clause", shot, prepare)


def test_parse_preview_counts_one_section_in_the_singular(page, tmp_path, shot):
    from playwright.sync_api import expect

    rule = tmp_path / "one-chapter-rule.txt"
    rule.write_text("测试办法\n\n第一章　总则\n\n第一条　为了测试，制定本办法。\n\n第二条　本办法自公布之日起施行。\n", encoding="utf-8")
    _tab(page, "Documents")
    page.set_input_files("#pk-upload input[type=file]", str(rule))
    page.click("#pk-preview")
    preview = page.locator("#pk-preview-out .pk-preview-doc")
    expect(preview).to_contain_text("1 section, 2 clauses")
    assert "1 sections" not in preview.inner_text()
    shot(page, "13-preview-one-section-1440", full_page=False)
    page.locator("#pk-upload button[aria-label='Clear']").first.click()


# -- 12: 中文 mode complete ------------------------------------------------------------------------------------

def test_chinese_mode_localizes_examples_filters_upload_prompt_and_toasts(browser, app_server, shot):
    from playwright.sync_api import expect

    for viewport, name in ((LAPTOP, "1440"), (PHONE, "390")):
        zh = open_page(browser, app_server.url, viewport, **({"is_mobile": True, "has_touch": True} if viewport is PHONE else {}))
        try:
            _language(zh, "zh")
            expect(zh.locator("#pk-tab-chat")).to_contain_text("示例")
            assert zh.get_by_text("Examples", exact=True).count() == 0
            zh.click("#pk-copy-md")  # nothing to copy yet: an error toast, titled in Chinese
            toast = zh.locator(".toast-body").first
            expect(toast.locator(".toast-title")).to_be_visible()
            title = zh.evaluate("() => [getComputedStyle(document.querySelector('.toast-title'), '::before').content,"
                                " getComputedStyle(document.querySelector('.toast-title')).fontSize]")
            assert title == ['"错误"', "0px"], title  # shown "错误"; Gradio's fixed English "Error" hidden
            expect(toast).to_contain_text("请先提问")
            shot(zh, f"12-chinese-chat-toast-{name}", full_page=False)
            zh.locator(".toast-close").first.click()
            _tab(zh, "检索")
            expect(zh.locator("#pk-filter-section input")).to_have_value("全部")
            expect(zh.locator("#pk-filter-doc")).to_contain_text("不选即全部文件")  # the documents multi-select, none = all
            expect(zh.locator("#pk-filter-lang input")).to_have_value("全部")
            shot(zh, f"12-chinese-search-filters-{name}", full_page=False)
            _tab(zh, "文档")
            prompt = zh.locator("#pk-upload [data-testid='upload-text']")
            expect(prompt).to_be_visible()
            after = zh.evaluate("() => getComputedStyle(document.querySelector('#pk-upload [data-testid=\"upload-text\"]'), '::after').content")
            assert "拖放" in after, after
            size = zh.evaluate("() => getComputedStyle(document.querySelector('#pk-upload [data-testid=\"upload-text\"]')).fontSize")
            assert size == "0px", size  # Gradio's English prompt is not shown
            prompt.scroll_into_view_if_needed()
            shot(zh, f"12-chinese-upload-prompt-{name}", full_page=False)
            assert zh.page_errors == []  # type: ignore[attr-defined]
        finally:
            zh.context.close()


# -- 10: Evaluate ---------------------------------------------------------------------------------------------

def test_evaluate_estimate_single_progress_metric_help_readable_plots_and_failing_filter(page, browser, app_server, shot):
    from playwright.sync_api import expect

    _tab(page, "Evaluate")
    _choose(page, "pk-gold-pick", "opinions.jsonl")
    hint = page.locator("#pk-eval-hint")
    expect(hint).to_contain_text("176 questions")
    expect(hint).to_contain_text("about 35 s")
    page.fill("#pk-gold-limit input", "12")
    page.locator("#pk-gold-limit input").press("Enter")
    expect(hint).to_contain_text("12 questions")
    page.click("#pk-eval-run")
    trackers = "[data-testid='status-tracker']:not(.hide)"
    page.wait_for_function(f"document.querySelectorAll({trackers!r}).length > 0 || document.querySelector('#pk-eval-summary .pk-msg')")
    busy = page.evaluate(f"() => [...document.querySelectorAll({trackers!r})].filter(n => n.offsetParent !== null).length")
    assert busy <= 1, busy
    metrics = page.locator("#pk-eval-metrics")
    expect(metrics).to_contain_text("recall@1", timeout=300_000)
    expect(metrics).to_contain_text("What it measures")
    expect(metrics).to_contain_text("share of questions whose first search result is a gold clause")
    image = page.locator("#pk-eval-plots img").first
    expect(image).to_be_visible()
    assert image.bounding_box()["width"] >= 600
    rows = page.locator("#pk-eval-questions tbody tr")
    expect(rows).to_have_count(12)
    bad = page.locator("#pk-eval-questions tbody tr.pk-row-bad").count()
    page.locator("#pk-eval-failing input").check()
    expect(rows).to_have_count(bad)
    assert page.locator("#pk-eval-questions tbody tr.pk-row-ok").count() == 0
    _language(page, "zh")
    expect(page.locator("#pk-eval-hint")).to_contain_text("12 题")
    _language(page, "en")
    page.locator("#pk-eval-failing input").uncheck()
    expect(rows).to_have_count(12)
    shot(page, "10-evaluate-1440", full_page=True)

    def prepare(phone):
        _tab(phone, "Evaluate")
        expect(phone.locator("#pk-eval-hint")).to_contain_text("questions")

    _shots(page, browser, app_server.url, "10-evaluate-top", shot, prepare)


# -- 11 and 9: one upload progress bar with clause counts; a live documents table in every session ----------

def test_upload_shows_one_progress_bar_and_every_open_documents_table_follows(page, browser, app_server, shot):
    from playwright.sync_api import expect

    from policykb.ingest import load_document
    from policykb.settings import Settings

    rule = FIXTURES / "en-article-rules.txt"
    expected = load_document(rule, Settings.from_env(env={}))
    other = open_page(browser, app_server.url, LAPTOP)  # another user's session, Documents tab open
    try:
        _tab(other, "Documents")
        table = other.locator("#pk-documents table.pk-docs-table")
        expect(table).to_be_visible()
        assert [h.strip() for h in table.locator("th").all_inner_texts()] == ["Title", "Kind", "Clauses", "Status", "Added"]
        expect(table.locator("tr[data-doc='pbc-2022-60'] td.pk-state")).to_have_text("ready")
        _tab(page, "Documents")
        page.set_input_files("#pk-upload input[type=file]", str(rule))
        page.click("#pk-add")
        trackers = "[data-testid='status-tracker']:not(.hide)"
        visible = f"[...document.querySelectorAll({trackers!r})].filter(n => n.offsetParent !== null)"
        # The bars are read in the same instant the wait sees one (read afterwards, the ingest may have finished
        # in between: no bar and no result row yet); "done" when the result came before any bar was seen.
        seen = page.wait_for_function(
            f"() => {{ const bars = {visible}; if (bars.some(n => /clauses/.test(n.innerText))) return bars.map(n => n.innerText);"
            " return document.querySelector('#pk-ingest-result tr[data-status]') ? 'done' : null; }").json_value()
        if seen != "done":
            bars = seen
            assert len(bars) == 1, bars
            assert re.search(rf"\d+/{len(expected.clauses)} clauses", bars[0]), bars
            shot(page, "11-upload-progress-1440", full_page=False)
        expect(page.locator("#pk-ingest-result tr[data-status]").first).to_have_attribute("data-status", "added", timeout=300_000)
        row = table.locator(f"tr[data-doc='{expected.doc_id}']")  # the other session, without Refresh
        expect(row).to_be_visible(timeout=30_000)
        expect(row.locator("td.pk-state")).to_have_text("ready")
        assert row.locator("td.pk-clause-count").inner_text().strip() == str(len(expected.clauses))
        assert row.locator("td").nth(1).inner_text().strip() == "TXT"
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", row.locator("td").nth(4).inner_text().strip())
        shot(other, "09-documents-live-1440", full_page=False)
        broken = Path(app_server.kb_dir).parent / "broken-rules.pdf"
        broken.write_bytes(b"not a pdf at all")
        page.set_input_files("#pk-upload input[type=file]", str(broken))
        page.click("#pk-add")
        failed = table.locator("tr[data-state='failed'][data-name='broken-rules.pdf']")
        expect(failed).to_be_visible(timeout=30_000)
        expect(failed.locator(".pk-reason")).to_contain_text("not a PDF")
        _choose(page, "pk-remove-doc", re.compile(expected.title[:20]))
        page.click("#pk-remove")
        page.click("#pk-remove-confirm")
        expect(row).to_have_count(0, timeout=30_000)
    finally:
        other.context.close()


# -- 14: phone width --------------------------------------------------------------------------------------------

def test_phone_reaches_every_tab_sees_the_input_and_reads_the_documents_table(phone, shot):
    from playwright.sync_api import expect

    assert not phone.locator("#pk-tabs .overflow-menu button").is_visible()  # no hidden "⋯" menu
    tabs = phone.locator("#pk-tabs [role=tab]")
    expect(tabs).to_have_count(5)
    for i in range(5):
        box = tabs.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (i, box)
    box = phone.locator("#pk-chat-input textarea").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # the input of an empty chat, without scrolling
    shot(phone, "14-phone-chat-empty-390", full_page=False)
    for name in ("Search", "Browse", "Evaluate", "Documents"):
        tabs.filter(has_text=name).click()
        expect(phone.locator(f"#pk-tab-{name.lower()}")).to_be_visible()
    cells = phone.locator("#pk-documents td")
    expect(cells.first).to_be_visible()
    widths = phone.evaluate("() => [...document.querySelectorAll('#pk-documents td')].map(td => td.getBoundingClientRect().width)")
    assert widths and min(widths) >= 200, widths  # each value on a readable line, never a one-character column
    scroll = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1] + 1, scroll
    phone.locator("#pk-documents").scroll_into_view_if_needed()
    shot(phone, "14-phone-documents-390", full_page=False)


# -- 6: conversation history ---------------------------------------------------------------------------------

def test_conversations_survive_reload_reopen_rename_export_delete_and_each_answer_copies(browser, app_server, shot):
    from playwright.sync_api import expect

    question = "How will savings bonds reach the countryside?"
    user = open_page(browser, app_server.url, LAPTOP)
    try:
        _ask(user, question)
        _ask(user, "Which clause is about charitable trusts?")
        first, second = user.locator("#pk-chatbot .pk-answer").nth(0), user.locator("#pk-chatbot .pk-answer").nth(1)
        first.locator("a.pk-copy-answer").click()  # "Copy answer" on an earlier answer, not only the last
        copied = user.wait_for_function("() => window.pkCopied").json_value()
        assert "(18)" in copied and "pbc-2022-60:18" in copied and "“" in copied, copied
        assert "charitable" not in copied.lower()
        assert second.locator("a.pk-copy-answer").count() == 1
        folder = app_server.kb_dir / "conversations" / "local"

        def mine() -> list[Path]:
            return [p for p in folder.glob("*.json")
                    if [t["question"] for t in json.loads(p.read_text(encoding="utf-8"))["turns"]][:1] == [question]]

        def turns_saved() -> int:
            return sum(len(json.loads(p.read_text(encoding="utf-8"))["turns"]) for p in mine())

        deadline = time.monotonic() + 60  # the save runs just after the answer is shown
        while turns_saved() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        saved = mine()
        assert len(saved) == 1 and turns_saved() == 2
        user.reload()
        user.wait_for_selector("#pk-chat-input textarea")
        assert user.locator("#pk-chatbot .pk-answer").count() == 0
        user.click("#pk-conversations")
        _choose(user, "pk-conv-pick", re.compile("^" + re.escape(question)))
        user.click("#pk-conv-open")
        expect(user.locator("#pk-chatbot .pk-answer")).to_have_count(2)
        user.locator("#pk-chatbot .pk-answer").first.locator(".pk-sources a.pk-chip", has_text="(18)").first.click()
        expect(user.locator("#pk-clause-chat mark.pk-quote")).to_be_visible()  # a reopened answer keeps its quotes
        user.fill("#pk-conv-title textarea", "Bonds and trusts")
        user.click("#pk-conv-rename")
        expect(user.locator("#pk-conv-pick input")).to_have_value(re.compile("^Bonds and trusts"))
        for button, needle, suffix in (("#pk-conv-md", "**Q:** " + question, "md"), ("#pk-conv-json", '"quote"', "json")):
            user.click(button)
            link = user.locator("#pk-conv-file a[download]").first
            expect(link).to_have_attribute("download", re.compile(rf"\.{suffix}$"))
            body = user.request.get(link.get_attribute("href")).text()
            assert needle in body and "pbc-2022-60:18" in body and "pbc-2022-60:13" in body, body[:400]
        shot(user, "06-conversations-1440", full_page=False)
        phone = open_page(browser, app_server.url, PHONE, is_mobile=True, has_touch=True)
        try:
            phone.click("#pk-conversations")
            _choose(phone, "pk-conv-pick", re.compile("^Bonds and trusts"))
            phone.click("#pk-conv-open")
            expect(phone.locator("#pk-chatbot .pk-answer")).to_have_count(2)
            shot(phone, "06-conversations-390", full_page=False)
        finally:
            phone.context.close()
        user.click("#pk-conv-delete")
        expect(user.locator("#pk-conv-status .pk-msg-ok")).to_be_visible()
        assert mine() == []
    finally:
        user.context.close()


def test_no_script_errors_on_the_page(page):
    assert page.page_errors == []  # type: ignore[attr-defined]
