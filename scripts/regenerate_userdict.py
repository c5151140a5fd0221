"""Regenerate the jieba user dictionary ``kb/data/userdict.txt`` after editing ``kb/data/glossary.tsv``.

Run from the repository root: ``.venv/bin/python scripts/regenerate_userdict.py``. The hand-kept extra terms of the
dictionary stay; the glossary section is rewritten from the glossary's Chinese terms. A maintenance step, outside the
package: the tokenizer (``kb.index``) may not import the glossary (``kb.retrieval``), so the terms are passed in here.
"""
from __future__ import annotations

import sys

from policykb.kb.index.tokenize import USERDICT_PATH, write_userdict
from policykb.kb.retrieval.glossary import Glossary


def main() -> int:
    written = write_userdict(USERDICT_PATH, Glossary.load().zh_terms)
    print(f"wrote {written} words to {USERDICT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
