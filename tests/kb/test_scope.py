"""Document scope: `search`/`ask` limited to chosen documents, through the KB, the CLI and the shared input check.

The mixed KB holds the Opinions (English) and the Chinese test rule: a question whose best clause is in one,
scoped to the other, answers from the other or abstains; follow-ups stay in the scope; an unknown id is refused
in one line naming it and the KB's ids.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policykb.app.contracts import check_docs
from policykb.errors import ConfigError, NotFoundError
from policykb.kb.model import Turn

from kb_helpers import OPINIONS, ZH_RULE, op, run_cli

BONDS = "How will savings bonds reach the countryside?"  # the Opinions' (18)
COMPLAINTS = "客户投诉以后银行最晚几天要给答复？"  # an article of the Chinese rule


def _docs(answer) -> set[str]:
    return {c.doc_id for c in (*answer.citations, *answer.related)}


def test_a_question_about_one_document_scoped_to_another_answers_from_it_or_abstains(mixed_kb) -> None:
    everywhere = mixed_kb.ask(BONDS)
    assert everywhere.citations[0].id == op(18) and everywhere.scope == ()
    scoped = mixed_kb.ask(BONDS, doc=[ZH_RULE])
    assert scoped.scope == (ZH_RULE,)
    assert _docs(scoped) <= {ZH_RULE} and op(18) not in {c.id for c in scoped.citations}
    assert scoped.abstained or scoped.confidence == "unsure" or scoped.citations

    assert any(c.doc_id == ZH_RULE for c in mixed_kb.ask(COMPLAINTS).citations)
    other = mixed_kb.ask(COMPLAINTS, doc=OPINIONS)  # one id as a string works too
    assert other.scope == (OPINIONS,) and _docs(other) <= {OPINIONS}

    both = mixed_kb.ask(BONDS, doc=[ZH_RULE, OPINIONS])
    assert both.scope == (ZH_RULE, OPINIONS) and both.citations[0].id == op(18)


def test_scoped_search_ranks_only_the_chosen_documents(mixed_kb) -> None:
    result = mixed_kb.search(BONDS, 10, doc=[ZH_RULE])
    assert result.hits and {h.clause.doc_id for h in result.hits} == {ZH_RULE}
    assert result.scope == (ZH_RULE,) and result.to_json()["scope"] == [ZH_RULE]
    assert "scope" not in mixed_kb.search(BONDS, 3).to_json()  # the unscoped JSON keeps its documented keys
    # every document in scope that the query matches is found, as many as asked for
    assert len(mixed_kb.search("银行", 20, doc=[ZH_RULE]).hits) == 20
    lookup = mixed_kb.search("第十八条", 5, doc=[OPINIONS, ZH_RULE])
    assert {h.clause.doc_id for h in lookup.hits} <= {OPINIONS, ZH_RULE}


def test_follow_ups_stay_in_the_scope(mixed_kb) -> None:
    first = mixed_kb.ask(COMPLAINTS, doc=[ZH_RULE])
    assert first.citations and _docs(first) == {ZH_RULE}
    history = (Turn(COMPLAINTS, first),)
    for follow_up in ("那宁波呢？", "下一条呢？", "What about savings bonds?"):
        answer = mixed_kb.ask(follow_up, history=history, doc=[ZH_RULE])
        assert answer.scope == (ZH_RULE,) and _docs(answer) <= {ZH_RULE}, (follow_up, answer)
    # a "next clause" follow-up of a turn in another document than the scope stays in the scope
    opinions = mixed_kb.ask(BONDS)
    answer = mixed_kb.ask("And the next one?", history=(Turn(BONDS, opinions),), doc=[ZH_RULE])
    assert _docs(answer) <= {ZH_RULE}


def test_an_unknown_document_id_is_refused_in_one_line(mixed_kb) -> None:
    for call in (lambda: mixed_kb.search(BONDS, 3, doc=["nope"]), lambda: mixed_kb.ask(BONDS, doc=[OPINIONS, "nope"])):
        with pytest.raises(NotFoundError) as caught:
            call()
        message = str(caught.value)
        assert "'nope'" in message and OPINIONS in message and ZH_RULE in message and "\n" not in message


@pytest.mark.parametrize("value,expected", [(None, ()), ("", ()), ([], ()), ("a", ("a",)), (["a", " b ", "a"], ("a", "b"))])
def test_check_docs_accepts_one_id_or_a_list(value, expected) -> None:
    assert check_docs(value) == expected


@pytest.mark.parametrize("value,fragment", [(5, "5 is not a document id"), ([1], "[1] is not"), (["a", " "], "empty document id"),
                                            ({"a": 1}, "not a document id")])
def test_check_docs_refuses_other_shapes(value, fragment) -> None:
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        check_docs(value)


def test_cli_doc_is_repeatable_and_checked(mixed_kb_dir: Path) -> None:
    kb = ["--kb", str(mixed_kb_dir)]
    answer = run_cli(["ask", BONDS, "--doc", ZH_RULE, *kb, "--json"]).json()
    assert answer["scope"] == [ZH_RULE] and {c["doc_id"] for c in answer["citations"] + answer["related"]} <= {ZH_RULE}
    result = run_cli(["search", BONDS, "--doc", ZH_RULE, "--doc", OPINIONS, "-k", "5", *kb, "--json"]).json()
    assert result["scope"] == [ZH_RULE, OPINIONS] and result["results"][0]["id"] == op(18)
    text = run_cli(["ask", COMPLAINTS, "--doc", OPINIONS, *kb])
    assert text.code == 0 and f"searched in: {OPINIONS}" in text.err
    for args, code, fragment in ((["search", BONDS, "--doc", "nope"], 1, "no document 'nope' in the KB"),
                                 (["ask", BONDS, "--doc", OPINIONS, "--doc", "nope"], 1, "no document 'nope' in the KB"),
                                 (["ask", BONDS, "--doc", " "], 2, "--doc ' ' is empty")):
        run = run_cli([*args, *kb])
        assert run.code == code and fragment in run.err and "Traceback" not in run.err, run.err
        assert [line for line in run.err.splitlines() if "error" in line] == [run.err.strip().splitlines()[-1]]  # one line
