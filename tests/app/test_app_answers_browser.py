"""The running app in headless Chromium, issue 12's answer points as a user sees them in the Chat tab:
follow-ups that name another clause take it (1), enumerations cite every matching clause (2), quotes carry
content, never a bare heading (3), and a phrase the text does not hold is named as such (4).

Each test runs at 1440×900 and at 390×844 on a fresh page of the package's ``app_server`` (the Opinions
corpus KB), asserts on the cited clause chips, the quotes and the answer text shown, and saves a screenshot
of the answer as test-artifacts/app/12-<point>-<case>-<width>.png.
"""
from __future__ import annotations

import re
from typing import Iterator

import pytest
from tests.support.app_page import ask as _ask
from tests.support.app_page import click_until_shown, open_page

pytestmark = pytest.mark.browser

SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
OPINIONS = "pbc-2022-60"


@pytest.fixture(params=sorted(SIZES, reverse=True))
def view(request, browser, app_server) -> Iterator[tuple[object, str]]:
    """A fresh chat page at one of the two sizes (a new session: no earlier conversation) and that width's name."""
    size = request.param
    options = {"is_mobile": True, "has_touch": True} if size == "390" else {}
    page = open_page(browser, app_server.url, SIZES[size], **options)
    yield page, size
    page.context.close()
    assert page.page_errors == [], page.page_errors




def _language(page, lang: str) -> None:
    from playwright.sync_api import expect

    page.locator("#pk-lang").get_by_text("中文" if lang == "zh" else "English").click()
    expect(page.locator("#pk-send")).to_have_text("发送" if lang == "zh" else "Send")


def _sources(answer) -> list[str]:
    """The clause chips of the answer's sources list, in order."""
    return [label.strip() for label in answer.locator(".pk-sources a.pk-chip").all_inner_texts()]


def _quote(answer, label: str) -> str:
    """The quote shown beside the source chip ``label``."""
    item = answer.locator(".pk-sources li", has=answer.page.locator("a.pk-chip", has_text=label)).first
    return item.locator("q.pk-src-quote").inner_text().strip()


def _opens(page, answer, label: str, number: int) -> str:
    """Click the source chip ``label`` (again if the click met a redraw): the chat's clause panel shows clause
    ``number``; returns its highlighted quote."""
    from playwright.sync_api import expect

    panel = page.locator("#pk-clause-chat")
    chip = answer.locator(".pk-sources a.pk-chip", has_text=label).first
    click_until_shown(chip, panel.locator(f'article.pk-clause[data-clause="{OPINIONS}:{number}"]'))
    mark = panel.locator("mark.pk-quote")
    expect(mark).to_be_visible()
    return mark.inner_text().strip()


def _readable(page, size: str) -> None:
    """At phone width nothing of the answers is cut off sideways: no horizontal scroll, each bubble inside the screen."""
    if size != "390":
        return
    scroll = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1] + 1, scroll
    for box in page.locator("#pk-chatbot .pk-answer").evaluate_all(
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [r.left, r.right]; })"):
        assert box[0] >= -1 and box[1] <= SIZES["390"]["width"] + 1, box


def _shot(page, shot, name: str, size: str) -> None:
    """Save the screen with the last question at the top of the chat box (its answer below it), the chat box at the
    top of the screen; then again with the last answer's sources in view (``NAME-sources-SIZE``)."""
    chat = "document.querySelector('#pk-chatbot').scrollIntoView({block: 'start'})"
    page.locator("#pk-chatbot .pk-question").last.evaluate(f"node => {{ node.scrollIntoView({{block: 'start'}}); {chat}; }}")
    shot(page, f"{name}-{size}", full_page=False)
    page.locator("#pk-chatbot .pk-answer").last.locator(".pk-sources").evaluate(
        f"node => {{ node.scrollIntoView({{block: 'end'}}); {chat}; }}")
    shot(page, f"{name}-sources-{size}", full_page=False)


# -- 1: follow-ups that name another clause take it -------------------------------------------------------

@pytest.mark.parametrize("lang, questions, numbers", [
    ("zh", ["第十三条讲了什么？", "那第十五条呢？", "那第十八条呢？"], [13, 15, 18]),
    ("en", ["What does clause 13 say?", "And clause 15?"], [13, 15]),
])
def test_12_1_a_follow_up_naming_another_clause_cites_that_clause(view, shot, lang, questions, numbers):
    page, size = view
    _language(page, lang)
    for question, number in zip(questions, numbers):
        answer = _ask(page, question)
        assert "pk-abstain" not in (answer.get_attribute("class") or ""), answer.inner_text()
        assert _sources(answer) == [f"({number})"], (question, answer.inner_text())
    earlier = page.locator("#pk-chatbot .pk-answer")
    assert [_sources(earlier.nth(i)) for i in range(len(numbers))] == [[f"({n})"] for n in numbers]
    _readable(page, size)
    _shot(page, shot, f"12-1-followup-{lang}", size)
    last = earlier.last
    assert _opens(page, last, f"({numbers[-1]})", numbers[-1])  # the chip opens the clause taken, quote highlighted


# -- 2: an enumeration cites every matching clause -------------------------------------------------------

@pytest.mark.parametrize("lang, question", [("zh", "宁波有哪些政策？"), ("en", "What does the text say about Ningbo?")])
def test_12_2_an_enumeration_cites_every_clause_naming_ningbo(view, shot, lang, question):
    page, size = view
    _language(page, lang)
    answer = _ask(page, question)
    assert "pk-abstain" not in (answer.get_attribute("class") or ""), answer.inner_text()
    assert _sources(answer) == ["(12)", "(20)"], answer.inner_text()
    for label in ("(12)", "(20)"):
        assert "Ningbo" in _quote(answer, label), (label, _quote(answer, label))
    inline = answer.locator(".pk-answer-text a.pk-chip").evaluate_all("nodes => nodes.map(n => n.title)")
    assert list(dict.fromkeys(inline)) == [f"{OPINIONS}:12", f"{OPINIONS}:20"], inline  # both in the text, in order
    _readable(page, size)
    _shot(page, shot, f"12-2-enumeration-ningbo-{lang}", size)
    assert "Ningbo" in _opens(page, answer, "(20)", 20)


# -- 3: a quote carries content, never a bare heading -----------------------------------------------------

HEADING = "Assisting 26 mountainous counties."


@pytest.mark.parametrize("lang, question", [("zh", "对26个山区县有什么支持？"),
                                            ("en", "What assistance goes to the 26 mountainous counties?")])
def test_12_3_the_quote_is_more_than_the_bare_heading(view, shot, lang, question):
    page, size = view
    _language(page, lang)
    answer = _ask(page, question)
    assert "pk-abstain" not in (answer.get_attribute("class") or ""), answer.inner_text()
    assert _sources(answer)[:1] == ["(17)"], answer.inner_text()
    quote = _quote(answer, "(17)")
    assert quote != HEADING and len(re.findall(r"[A-Za-z]+", quote)) > 12, quote  # a content sentence is shown
    text = answer.locator(".pk-answer-text").inner_text()
    assert text.strip() != HEADING and len(re.findall(r"[A-Za-z]+", text)) > 12, text
    _readable(page, size)
    _shot(page, shot, f"12-3-quote-content-{lang}", size)
    marked = _opens(page, answer, "(17)", 17)
    assert marked != HEADING and len(re.findall(r"[A-Za-z]+", marked)) > 12, marked
    page.locator("#pk-clause-chat mark.pk-quote").scroll_into_view_if_needed()
    shot(page, f"12-3-quote-content-{lang}-clause-{size}", full_page=False)


# -- 4: a phrase the text does not hold is named -------------------------------------------------------------

@pytest.mark.parametrize("lang, question, opening", [
    ("en", "What does the document say about carbon emission rights?", "The text does not mention “carbon emission rights”"),
    ("zh", "银行如何将碳排放权纳入信贷管理？", "文件中没有提到“碳排放权”"),
])
def test_12_4_a_partial_match_says_the_phrase_is_not_in_the_text(view, shot, lang, question, opening):
    page, size = view
    _language(page, lang)
    answer = _ask(page, question)
    assert "pk-abstain" not in (answer.get_attribute("class") or ""), answer.inner_text()
    text = answer.locator(".pk-answer-text").inner_text().strip()
    assert text.startswith(opening), text[:160]
    assert "carbon emission rights" in text.split("\n")[0], text[:160]  # the English phrase named in both languages
    sources = _sources(answer)
    assert sources, answer.inner_text()  # the closest clause is still quoted, after the note
    quote = _quote(answer, sources[0])
    assert quote and "carbon emission rights" not in quote.lower(), quote
    _readable(page, size)
    _shot(page, shot, f"12-4-partial-carbon-{lang}", size)
