"""Property tests: generated documents with N clauses parse back into exactly those N clauses."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policykb.ingest import int_to_chinese, parse_text


def _examples(wanted: int) -> int:
    """``wanted`` examples, or fewer when the loaded Hypothesis profile asks for fewer (`make test-fast`)."""
    return min(wanted, settings.default.max_examples)

ZH_SENTENCES = [
    "银行机构应当加强普惠金融服务。",
    "支持小微企业融资，降低综合融资成本。",
    "金融管理部门负责监督检查，并按季度通报。",
    "鼓励在宁波、温州开展供应链金融试点。",
    "对符合条件的农户，可以发放信用贷款（含续贷）。",
    "数字人民币试点应当保障老年人的现金支付渠道。",
]
EN_SENTENCES = [
    "Banks shall strengthen inclusive finance services.",
    "Support small and micro enterprises (including sole traders) in obtaining credit.",
    "The regulator shall publish the results every quarter, and may issue notices.",
    "Pilot supply chain finance in Ningbo and Wenzhou.",
    "Expand the first (set) of major equipment insurance.",
]


@st.composite
def zh_rules(draw):
    """A 第X章/第X条 rule with items, mid-sentence references and line-start references."""
    n = draw(st.integers(min_value=1, max_value=35))
    starts = {1} | draw(st.sets(st.integers(min_value=2, max_value=max(2, n)), max_size=5))
    lines = ["样例管理办法", ""]
    chapter = 0
    refs: dict[int, set[int]] = {}
    items: dict[int, int] = {}
    for i in range(1, n + 1):
        if i in starts:
            chapter += 1
            lines += [f"第{int_to_chinese(chapter)}章　标题{chapter}", ""]
        body = "".join(draw(st.lists(st.sampled_from(ZH_SENTENCES), min_size=1, max_size=3)))
        cited = set()
        ref = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=n)))
        if ref is not None:
            body += f"依照本办法第{int_to_chinese(ref)}条的规定执行。"
            cited.add(ref)
        other_law = draw(st.integers(min_value=1, max_value=n))
        if draw(st.booleans()):
            body += f"违反《中华人民共和国商业银行法》第{int_to_chinese(other_law)}条的，依法处理。"
        lines.append(f"第{int_to_chinese(i)}条　{body}")
        k = draw(st.integers(min_value=0, max_value=4))
        for j in range(1, k + 1):
            lines.append(f"（{int_to_chinese(j)}）第{j}项事项的具体要求；")
        items[i] = k
        if draw(st.booleans()):
            wrapped = draw(st.integers(min_value=1, max_value=n))
            lines.append(f"第{int_to_chinese(wrapped)}条规定的情形除外。")  # a reference that starts a line
            cited.add(wrapped)
        refs[i] = cited - {i}
        lines.append("")
    return "\n".join(lines), n, refs, items, chapter


@settings(max_examples=_examples(60), deadline=None)
@given(zh_rules())
def test_generated_chinese_rules_parse_back(case) -> None:
    text, n, refs, items, chapters = case
    doc = parse_text(text, doc_id="gen")
    assert [c.number for c in doc.clauses] == [str(i) for i in range(1, n + 1)]
    assert [c.label for c in doc.clauses] == [f"第{int_to_chinese(i)}条" for i in range(1, n + 1)]
    assert len(doc.sections) == chapters
    for c in doc.clauses:
        i = int(c.number)
        assert set(c.refs) == {f"gen:{r}" for r in refs[i]}, c.id
        assert len(c.items) == items[i], c.id
    assert doc.warnings == ()


@st.composite
def en_opinions(draw):
    """An Opinions-style text: "k. Section" headings and "(n) Heading. Body" clauses numbered through."""
    n = draw(st.integers(min_value=1, max_value=40))
    starts = {1} | draw(st.sets(st.integers(min_value=2, max_value=max(2, n)), max_size=8))
    lines = ["Opinions on Something in Zhejiang", "", "For the purposes of testing, these opinions are offered.", ""]
    section = 0
    refs: dict[int, set[int]] = {}
    for i in range(1, n + 1):
        if i in starts:
            section += 1
            lines += [f"{section}. Section heading number {section}", ""]
        body = " ".join(draw(st.lists(st.sampled_from(EN_SENTENCES), min_size=1, max_size=3)))
        ref = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=n)))
        if ref is not None:
            body += f" Follow the arrangements under clause ({ref})."
        refs[i] = {ref} - {i} if ref is not None else set()
        lines += [f"({i}) Heading words of clause {i}. {body}", ""]
    return "\n".join(lines), n, refs, section


@settings(max_examples=_examples(60), deadline=None)
@given(en_opinions())
def test_generated_english_opinions_parse_back(case) -> None:
    text, n, refs, sections = case
    doc = parse_text(text, doc_id="op")
    assert [c.number for c in doc.clauses] == [str(i) for i in range(1, n + 1)]
    assert [s.number for s in doc.sections] == [str(i) for i in range(1, sections + 1)]
    assert doc.preamble == "For the purposes of testing, these opinions are offered."
    for c in doc.clauses:
        assert c.title == f"Heading words of clause {c.number}."
        assert c.text.startswith(c.title)
        assert set(c.refs) == {f"op:{r}" for r in refs[int(c.number)]}


@settings(max_examples=_examples(40), deadline=None)
@given(st.lists(st.sampled_from(EN_SENTENCES + ZH_SENTENCES), min_size=1, max_size=12))
def test_unnumbered_text_becomes_paragraphs(paragraphs: list[str]) -> None:
    doc = parse_text("\n\n".join(paragraphs), doc_id="plain")
    n = len(doc.clauses)
    assert [c.text for c in doc.clauses] == paragraphs[len(paragraphs) - n:]
    assert [c.label for c in doc.clauses] == [f"¶{i}" for i in range(1, n + 1)]
    assert doc.warnings == (f"no clause numbering found; split into {n} paragraph{'s' if n != 1 else ''}",)


@st.composite
def markdown_rules(draw):
    """A rule saved from the web: # title, adoption lines, a comment, ## chapters / ### sections / ## 二、 parts."""
    n = draw(st.integers(min_value=1, max_value=30))
    heads = sorted({1} | draw(st.sets(st.integers(min_value=2, max_value=max(2, n)), max_size=5)))
    style = draw(st.sampled_from(["chapter", "part"]))
    lines = ["来源：样例网站", "", "# 样例管理条例", "", "2020年1月2日 样例会议通过", "",
             "2021年3月4日 样例会议《关于修改<样例管理条例>的决定》修正", "", "<!-- INFO END -->", ""]
    expected_sections: list[str] = []
    for i in range(1, n + 1):
        if i in heads:
            k = len(expected_sections) + 1
            title = f"标题{int_to_chinese(k)}"
            if style == "chapter":
                lines += [f"## 第{int_to_chinese(k)}章 {' '.join(title)}", ""]
            else:
                lines += [f"## {int_to_chinese(k)}、关于{title}", ""]
            expected_sections.append(title if style == "chapter" else f"关于{title}")
            if draw(st.booleans()):
                lines += [f"### 第一节 小节{int_to_chinese(k)}", ""]
        body = "".join(draw(st.lists(st.sampled_from(ZH_SENTENCES), min_size=1, max_size=2)))
        lines += [f"第{int_to_chinese(i)}条 {body}", ""]
        for j in range(1, draw(st.integers(min_value=0, max_value=3)) + 1):
            lines += [f"（{int_to_chinese(j)}）第{j}项；", ""]
    return "\n".join(lines), n, expected_sections


@settings(max_examples=_examples(60), deadline=None)
@given(markdown_rules())
def test_generated_markdown_rules_keep_headings_out_of_articles(case) -> None:
    text, n, sections = case
    doc = parse_text(text, doc_id="md")
    assert doc.title == "样例管理条例"
    assert [c.number for c in doc.clauses] == [str(i) for i in range(1, n + 1)]
    assert [s.title for s in doc.sections] == sections
    assert len(doc.extra["history"]) == 2
    for c in doc.clauses:
        assert "#" not in c.text and "<!--" not in c.text and "章" not in c.text and "小节" not in c.text
        assert "关于标题" not in c.text and "通过" not in c.text and "修正" not in c.text
    assert doc.warnings == ()


@settings(max_examples=_examples(60), deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50_000), min_size=2, max_size=40, unique=True).map(sorted),
       st.sampled_from(["article", "dot"]))
def test_any_increasing_numbering_parses_and_every_gap_is_named(numbers: list[int], style: str) -> None:
    if style == "article":
        text = "\n".join(f"第{int_to_chinese(n)}条 银行应当报告。" for n in numbers)
    else:
        text = "\n".join(f"{n}. Banks shall report." for n in numbers)
    doc = parse_text(text, doc_id="num")
    assert [c.number for c in doc.clauses] == [str(n) for n in numbers]
    missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
    if not missing:
        assert doc.warnings == ()
    else:
        (warning,) = doc.warnings
        gaps = warning.count(" missing (")
        runs = sum(1 for k, m in enumerate(missing) if k == 0 or missing[k - 1] != m - 1)
        assert gaps == min(runs, 10)
        first = missing[0]
        assert warning.startswith(f"clause numbering has gaps: {first}")
