"""HTML → plain text with the standard library: block elements become line breaks; scripts,
styles, navigation and the document head are dropped.

Hostile markup is defused before parsing: a "<" that cannot open a tag (another "<" comes before
any ">") is text, written as "&lt;" so the parser does not rescan the rest of the page from
every such "<"; declarations the standard parser rejects are dropped.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "declared_charset"]

_SKIP = {"script", "style", "nav", "head", "noscript", "template", "svg", "iframe", "object"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
    "ul", "ol", "dl", "dd", "dt", "blockquote", "pre", "hr", "header", "footer", "main", "aside", "form",
    "figure", "figcaption", "address", "caption", "thead", "tbody", "tfoot", "body", "html", "center",
}
_CELL = {"td", "th"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr", "param"}
_LONE_LT = re.compile(r"<(?=[^<>]*(?:<|$))")
_DECLARATION = re.compile(r"<!(?!--)[^<>]*>?")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if tag == "pre":
            self.pre_depth += 1
        if tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        self.parts.append(data if self.pre_depth else re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one block element per line."""
    html = _LONE_LT.sub("&lt;", html)
    try:
        return _extract(html)
    except AssertionError:  # html.parser refuses some malformed <!...> declarations
        return _extract(_DECLARATION.sub("", html))


def _extract(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 4 KB, if any."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None
