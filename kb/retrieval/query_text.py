"""What of an English question the dense query embeds: the topic, without generic question frames.

"What does the document say about charitable trusts?" embeds as "Charitable trusts?": the frame
words carry no topic, yet they pull the question towards clauses that happen to share them.
The lexical index already drops them as stopwords. None of the frames names a topic.
"""
from __future__ import annotations

import re

__all__ = ["strip_question"]

_DOC = r"(?:the )?(?:document|documents|paper|text|opinions?|measures|policy|rules?)"
_FRAMES = [
    re.compile(rf"^what does {_DOC} (?:say|state|expect|require|ask)(?: anything)?(?: about| from| of| on)?\s*", re.I),
    re.compile(rf"^how does {_DOC} (?:treat|handle|address|deal with)\s*", re.I),
    re.compile(rf"^(?:does|do) {_DOC} (?:say|mention|state) (?:anything )?(?:about|on)\s*", re.I),
    re.compile(rf"^(?:does|do) {_DOC} (?:want|allow|ask|expect|require)\s*", re.I),
    re.compile(r"^(?:is|are) (?:there )?(?:anything|something|any \w+) (?:said |mentioned |written )?(?:about|on|regarding)\s*", re.I),
    re.compile(r"^what (?:is|are) (?:said|written|stated|mentioned) (?:about|on|regarding)\s*", re.I),
    re.compile(r"^what about\s*", re.I),
]
_IS_MENTIONED = re.compile(r"^(?:is|are) (?:the |an? |any )?(.+?) (?:mentioned|addressed|covered|discussed)(?=[?.]?$)", re.I)
_TAILS = [
    re.compile(rf",? according to {_DOC}", re.I),
    re.compile(r",? according to the [\w ]+(?=[?.]?$)", re.I),
    re.compile(r" (?:mentioned|addressed|covered|discussed)(?=[?.]?$)", re.I),
    re.compile(rf" in {_DOC}(?=[?.]?$)", re.I),
]


def strip_question(question: str) -> str:
    """The question minus one leading frame and any trailing frame; the question itself if nothing is left."""
    text = question.strip()
    for frame in _FRAMES:
        stripped = frame.sub("", text)
        if stripped != text:
            text = stripped
            break
    text = _IS_MENTIONED.sub(r"\1", text)
    for tail in _TAILS:
        text = tail.sub("", text)
    text = text.strip()
    return text[0].upper() + text[1:] if text else question
