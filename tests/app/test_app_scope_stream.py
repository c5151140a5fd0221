"""Issue 12, points 7 and 8, in the running app: the document scope (Chat and Search multi-selects, the API's
``doc`` list, kept with the conversation, following uploads and removals) and LLM answers streamed for real.

Two served apps: one over a KB of two documents (the Opinions and the English sample rule) without an LLM, and
one over the Opinions with the loopback OpenAI double as its LLM. The streaming test holds the double back after
its first pieces and waits for the page to show them before releasing the rest: no fixed sleeps.
Screenshots go to test-artifacts/app/.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest

from policykb.settings import Settings, repo_root
from tests.doubles.openai_double import OpenAIChatDouble, ScriptedReply
from tests.support.serve import Served, cli_env, start_serve, stop_serve
from tests.support.app_page import ask as _ask
from tests.support.app_page import open_page

FIXTURES = repo_root() / "tests" / "fixtures"
OPINIONS, RULE = "pbc-2022-60", "en-article-rules"
BONDS = "How will savings bonds reach the countryside?"
BOND = "Promote the distribution of savings bonds to the countryside"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _settings(kb_dir: Path) -> Settings:
    return Settings.from_env(env={}, kb_dir=kb_dir)


@pytest.fixture(scope="module")
def two_docs_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over the Opinions plus the English sample rule (no LLM)."""
    from policykb.kb import KnowledgeBase

    work = tmp_path_factory.mktemp("scope-app")
    kb_dir = work / "kb"
    shutil.copytree(corpus_kb_dir, kb_dir)
    kb = KnowledgeBase(_settings(kb_dir))
    assert kb.ingest([FIXTURES / "en-article-rules.txt"]).added == 1
    kb.close()
    app = start_serve(kb_dir, work, env=cli_env(POLICYKB_CORPUS=str(FIXTURES / "opinions-corpus")))
    yield app
    stop_serve(app)


@pytest.fixture(scope="module")
def double() -> Iterator[OpenAIChatDouble]:
    with OpenAIChatDouble() as server:
        yield server


@pytest.fixture(scope="module")
def llm_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory, double: OpenAIChatDouble) -> Iterator[Served]:
    """The app over the Opinions, answering through the loopback OpenAI double."""
    work = tmp_path_factory.mktemp("llm-app")
    kb_dir = work / "kb"
    shutil.copytree(corpus_kb_dir, kb_dir)
    env = cli_env(POLICYKB_CORPUS=str(FIXTURES / "opinions-corpus"), POLICYKB_LLM_BASE_URL=double.base_url,
                  POLICYKB_LLM_MODEL="test-double", POLICYKB_LLM_TIMEOUT="60")
    app = start_serve(kb_dir, work, env=env)
    yield app
    stop_serve(app)


def _names(kb_dir: Path, lang: str = "en") -> dict[str, str]:
    """Document id → the short name the scope multi-selects show (the app's own helper, over the served KB)."""
    from policykb.app.scope import scope_choices
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(_settings(kb_dir))
    try:
        return {doc_id: name for name, doc_id in scope_choices(SimpleNamespace(kb=kb), lang)}  # type: ignore[arg-type]
    finally:
        kb.close()


def _open(browser, url: str, viewport: dict = LAPTOP, **options) -> object:
    page = open_page(browser, url, viewport, **options)
    page.wait_for_selector("body[data-pk-lists=ready]", state="attached")  # the page's own list refreshes are done
    return page


def _pick(page, elem_id: str, name: str) -> None:
    """Add ``name`` to the multi-select ``elem_id`` by clicking its option, as a user does, and close the list.

    The input is left first: Gradio's multi-select opens its list (and makes its first option the active one, which
    Enter takes) when the input gains focus. An input still focused after an earlier look at the list and Escape
    showed the typed name's option for a moment and closed it, under load: Enter then took nothing and a click
    found no option (5 of 9 runs beside two busy loops)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    box = page.locator(f"#{elem_id} input")
    token = page.locator(f"#{elem_id} .token").filter(has_text=name)
    for _attempt in range(3):  # a list refresh (another session's upload) may redraw the list under the pointer
        if token.count():
            break
        box.blur()  # a fresh focus opens the list and makes its first option the active one
        box.click()
        box.fill(name)  # the list filters to the name
        option = page.get_by_role("option", name=name, exact=True)
        try:
            option.click(timeout=15_000)
            token.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            continue
        finally:
            page.keyboard.press("Escape")
    expect(token).to_have_count(1)


def _options(page, elem_id: str) -> list[str]:
    page.locator(f"#{elem_id} input").click()
    page.wait_for_selector("[role=option]")
    names = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    page.locator(f"#{elem_id} input").blur()  # as a user moving on: the list closed, its input left
    return names




def _cited_ids(bubble) -> set[str]:
    return {str(t) for t in bubble.locator(".pk-chip").evaluate_all("nodes => nodes.map(n => n.title)")}


# -- the API ----------------------------------------------------------------------------------------------------

def test_api_ask_and_search_take_a_list_of_document_ids(two_docs_server) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(two_docs_server.url, verbose=False)
    params = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in params["/ask"]["parameters"]] == ["question", "mode", "history", "doc"]
    assert client.predict(BONDS, api_name="/ask")["citations"][0]["id"] == f"{OPINIONS}:18"
    scoped = client.predict(question=BONDS, doc=[RULE], api_name="/ask")
    assert scoped["scope"] == [RULE]
    assert {c["doc_id"] for c in scoped["citations"] + scoped["related"]} <= {RULE}
    found = client.predict(query=BONDS, k=5, doc=[RULE, OPINIONS], api_name="/search")
    assert found["scope"] == [RULE, OPINIONS] and found["results"][0]["id"] == f"{OPINIONS}:18"
    only = client.predict(query=BONDS, k=5, doc=[RULE], api_name="/search")
    assert {r["doc_id"] for r in only["results"]} == {RULE}
    assert client.predict(query=BONDS, k=3, doc=OPINIONS, api_name="/search")["scope"] == [OPINIONS]  # one id as text
    for call in (lambda: client.predict(question=BONDS, doc=[RULE, "nope"], api_name="/ask"),
                 lambda: client.predict(query=BONDS, k=3, doc=["nope"], api_name="/search")):
        with pytest.raises(AppError) as caught:
            call()
        message = str(caught.value)
        assert "'nope'" in message and RULE in message and "\n" not in message and "Traceback" not in message


# -- 7: scope in the UI -----------------------------------------------------------------------------------------

@pytest.mark.browser
def test_chat_scope_multi_select_limits_answers_follow_ups_and_is_kept_with_the_conversation(browser, two_docs_server, shot):
    from playwright.sync_api import expect

    names = _names(two_docs_server.kb_dir)
    page = _open(browser, two_docs_server.url)
    try:
        assert sorted(_options(page, "pk-chat-scope")) == sorted(names.values())
        unscoped = _ask(page, BONDS)
        assert f"{OPINIONS}:18" in _cited_ids(unscoped) and unscoped.locator(".pk-scope-note").count() == 0
        page.click("#pk-clear")
        _pick(page, "pk-chat-scope", names[RULE])
        scoped = _ask(page, BONDS)
        expect(scoped.locator(".pk-scope-note")).to_have_text(f"Searched in: {names[RULE]}")
        assert all(i.startswith(f"{RULE}:") for i in _cited_ids(scoped)), _cited_ids(scoped)
        follow = _ask(page, "And the next one?")
        expect(follow.locator(".pk-scope-note")).to_have_text(f"Searched in: {names[RULE]}")
        assert all(i.startswith(f"{RULE}:") for i in _cited_ids(follow)), _cited_ids(follow)
        shot(page, "07-chat-scope-1440", full_page=False)

        page.reload()  # the conversation comes back with its scope
        page.wait_for_selector("body[data-pk-lists=ready]", state="attached")
        expect(page.locator("#pk-chat-scope")).not_to_contain_text(names[RULE])
        page.locator("#pk-conversations").get_by_text(re.compile("Conversations|对话")).first.click()
        page.locator("#pk-conv-pick input").click()
        page.get_by_role("option").first.click()
        page.click("#pk-conv-open")
        expect(page.locator("#pk-chat-scope")).to_contain_text(names[RULE])
        expect(page.locator("#pk-chatbot .pk-scope-note").first).to_have_text(f"Searched in: {names[RULE]}")
        again = _ask(page, "What about village banks?")
        assert all(i.startswith(f"{RULE}:") for i in _cited_ids(again)), _cited_ids(again)
        assert page.page_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    phone = _open(browser, two_docs_server.url, PHONE, is_mobile=True, has_touch=True)
    try:
        _pick(phone, "pk-chat-scope", names[RULE])
        bubble = _ask(phone, BONDS)
        expect(bubble.locator(".pk-scope-note")).to_be_visible()
        shot(phone, "07-chat-scope-390", full_page=False)
    finally:
        phone.context.close()


@pytest.mark.browser
def test_search_scope_multi_select_and_both_lists_follow_uploads_removals_and_language(browser, two_docs_server, shot):
    from playwright.sync_api import expect

    from policykb.kb import KnowledgeBase

    names = _names(two_docs_server.kb_dir)
    page = _open(browser, two_docs_server.url)
    try:
        page.get_by_role("tab", name=re.compile("^Search")).click()
        assert sorted(_options(page, "pk-filter-doc")) == sorted(names.values())
        _pick(page, "pk-filter-doc", names[RULE])
        page.fill("#pk-search-input textarea", "savings bonds")
        page.click("#pk-search-go")
        expect(page.locator("#pk-search-scope")).to_have_text(f"Searched in: {names[RULE]}")
        ids = page.locator("#pk-search-results li.pk-result").evaluate_all("n => n.map(x => x.dataset.pk)")
        assert ids and all(RULE in i for i in ids), ids
        shot(page, "07-search-scope-1440", full_page=False)

        # a document added or removed by anyone shows up in (and goes from) both multi-selects, without Refresh
        kb = KnowledgeBase(_settings(two_docs_server.kb_dir))
        try:
            report = kb.ingest([FIXTURES / "md-shaped-rule.txt"])
            added = report.documents[0].doc_id
            new_name = _names(two_docs_server.kb_dir)[added]
            _expect_option(page, "pk-filter-doc", new_name, present=True)
            expect(page.locator("#pk-filter-doc")).to_contain_text(names[RULE])  # the choice made is kept
            page.get_by_role("tab", name=re.compile("^Chat")).click()
            _expect_option(page, "pk-chat-scope", new_name, present=True)
            kb.remove(added)
            _expect_option(page, "pk-chat-scope", new_name, present=False)
        finally:
            kb.close()

        page.locator("#pk-lang").get_by_text("中文").click()  # labels and names follow the interface language
        zh_names = _names(two_docs_server.kb_dir, "zh")
        expect(page.locator("#pk-chat-scope")).to_contain_text("文件范围")
        assert sorted(_options(page, "pk-chat-scope")) == sorted(zh_names.values())
        _pick(page, "pk-chat-scope", zh_names[RULE])
        bubble = _ask(page, "储蓄国债下乡有什么安排？")
        expect(bubble.locator(".pk-scope-note")).to_have_text(f"检索范围：{zh_names[RULE]}")
        shot(page, "07-chat-scope-zh-1440", full_page=False)
        assert page.page_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    phone = _open(browser, two_docs_server.url, PHONE, is_mobile=True, has_touch=True)
    try:
        phone.get_by_role("tab", name=re.compile("^Search")).click()
        _pick(phone, "pk-filter-doc", names[RULE])
        phone.fill("#pk-search-input textarea", "savings bonds")
        phone.click("#pk-search-go")
        expect(phone.locator("#pk-search-scope")).to_be_visible()
        shot(phone, "07-search-scope-390", full_page=False)
    finally:
        phone.context.close()


def _expect_option(page, elem_id: str, name: str, *, present: bool) -> None:
    """Wait until the multi-select ``elem_id`` offers (or no longer offers) ``name`` (the page polls the KB)."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill("")  # no filter left from an earlier choice
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for(state="attached" if present else "detached", timeout=60_000)
    page.keyboard.press("Escape")


# -- 8: streaming ------------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_extractive_answers_appear_at_once_without_a_simulated_reveal(browser, two_docs_server) -> None:
    page = _open(browser, two_docs_server.url)
    try:
        page.evaluate("""() => { window.pkStreamed = 0;
            new MutationObserver(() => { if (document.querySelector('#pk-chatbot .pk-streaming')) window.pkStreamed++; })
              .observe(document.body, {subtree: true, childList: true, characterData: true}); }""")
        bubble = _ask(page, BONDS)
        assert bubble.locator(".pk-chip").count() and page.evaluate("() => window.pkStreamed") == 0
        assert bubble.locator(".pk-check").count() == 0  # no LLM, no citation check line
    finally:
        page.context.close()


@pytest.mark.browser
def test_llm_tokens_stream_into_the_chat_then_the_citation_check_shows(browser, llm_server, double: OpenAIChatDouble, shot):
    from playwright.sync_api import expect

    first = ("Savings bonds ", "will be sold ", "in the countryside ")
    rest = ("through online and mobile banking ", f"[(18)]. The text: “{BOND}” [(18)].")
    reply = "".join(first + rest)
    double.script(ScriptedReply(reply, pieces=first + rest, hold_after=len(first)))
    page = _open(browser, llm_server.url)
    try:
        page.fill("#pk-chat-input textarea", BONDS)
        page.click("#pk-send")
        assert double.held.wait(120), "the app did not ask the LLM for a streamed reply"
        streaming = page.locator("#pk-chatbot .pk-streaming")
        expect(streaming).to_contain_text("Savings bonds will be sold in the countryside")  # before the last chunk
        assert "online and mobile banking" not in streaming.inner_text() and double.chunks_sent == len(first)
        expect(streaming).to_contain_text("Checking the citations")
        shot(page, "08-llm-streaming-partial-1440", full_page=False)
        double.release()
        answer = page.locator("#pk-chatbot .pk-answer").last
        expect(answer.locator(".pk-check-ok")).to_have_text("✓ Citations checked against the clauses: (18)")
        expect(streaming).to_have_count(0)
        expect(answer.locator(".pk-answer-text")).to_contain_text("online and mobile banking")
        assert double.requests[-1]["stream"] is True
        shot(page, "08-llm-citation-check-1440", full_page=False)

        double.script("Every bank must open a savings bond kiosk in each village [(99)].")
        bad = _ask(page, "What about the next clause?")
        expect(bad.locator(".pk-check-warn")).to_contain_text("did not pass the citation check")
        assert "kiosk" not in bad.locator(".pk-answer-text").inner_text() and bad.locator(".pk-chip").count()
        shot(page, "08-llm-citation-fallback-1440", full_page=False)
        assert page.page_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    phone = _open(browser, llm_server.url, PHONE, is_mobile=True, has_touch=True)
    try:
        double.script(ScriptedReply(reply, pieces=first + rest, hold_after=len(first)))
        phone.fill("#pk-chat-input textarea", BONDS)
        phone.click("#pk-send")
        assert double.held.wait(120)
        expect(phone.locator("#pk-chatbot .pk-streaming")).to_contain_text("in the countryside")
        shot(phone, "08-llm-streaming-partial-390", full_page=False)
        double.release()
        expect(phone.locator("#pk-chatbot .pk-check-ok")).to_be_visible()
        shot(phone, "08-llm-citation-check-390", full_page=False)
    finally:
        phone.context.close()
