"""The UI chrome in English and Chinese: one table of strings and a lookup.

Clause text and answers are never translated here; only labels, buttons, hints and
messages of the app itself follow the 中文/English toggle.
"""
from __future__ import annotations

__all__ = ["LANGS", "LANG_CHOICES", "STRINGS", "PLURALS", "METRIC_HELP", "t", "tn", "metric_help", "lang_code"]

LANGS: tuple[str, ...] = ("en", "zh")
LANG_CHOICES: list[tuple[str, str]] = [("English", "en"), ("中文", "zh")]

# key -> (English, 中文)
STRINGS: dict[str, tuple[str, str]] = {
    # header
    "subtitle": ("Ask about the policy documents, read the clauses they rest on.", "查询政策文件，直达所依据的条款。"),
    "ui_language": ("Interface language", "界面语言"),
    "signed_in": ("Signed in as", "当前用户"),
    "semantic_filling": ("Semantic index: {done} / {total} clauses. Clause lookups and word search answer now; answers "
                         "use meaning too as the index fills.",
                         "语义索引：{done} / {total} 条。条款查询和关键词检索现已可用；索引建立后，答案也将按语义检索。"),
    "semantic_failed": ("Semantic index: {done} / {total} clauses; building it stopped ({error}). Word search still answers; "
                        "restart the app to resume.",
                        "语义索引：{done} / {total} 条；建立中断（{error}）。关键词检索仍可用；重启应用即可继续。"),
    "signals_lexical_only": ("Lexical only: found by clause lookup and word matching; the semantic index is still being "
                             "built ({n} clauses to go).",
                             "仅词汇匹配：依据条款查询与关键词匹配；语义索引仍在建立（尚余 {n} 条）。"),
    "signals_partial": ("Semantic search did not cover {n} clauses yet (still being indexed); those were matched by words only.",
                        "语义检索尚未覆盖 {n} 条条款（仍在建立索引），这些条款仅按关键词匹配。"),
    "tab_chat": ("Chat", "问答"),
    "tab_search": ("Search", "检索"),
    "tab_browse": ("Browse", "浏览"),
    "tab_documents": ("Documents", "文档"),
    "tab_evaluate": ("Evaluate", "评测"),
    # chat
    "chat_empty": ("Ask about the policy documents; every answer cites the clauses it rests on.", "就政策文件提问，每个答案都标明所依据的条款。"),
    "chat_input": ("Your question", "您的问题"),
    "chat_placeholder": ("Ask in English or 中文, e.g. How will savings bonds reach the countryside?", "可用中文或英文提问，例如：储蓄国债如何下乡？"),
    "send": ("Send", "发送"),
    "clear": ("New conversation", "新对话"),
    "copy_md": ("Copy answer as Markdown", "复制答案（Markdown）"),
    "markdown": ("Answer as Markdown", "答案 Markdown"),
    "copied": ("Copied to the clipboard.", "已复制到剪贴板。"),
    "nothing_to_copy": ("Ask a question first; there is no answer to copy yet.", "请先提问，目前没有可复制的答案。"),
    "thinking": ("Looking through the clauses…", "正在检索条款……"),
    "clause_hint": ("Click a citation such as (18) to read the clause here.", "点击引用（如 (18)）在此查看条款原文。"),
    "sources": ("Sources", "出处"),
    "not_covered": ("Not covered by the documents", "文件未涉及此问题"),
    "possibly_related": ("Possibly related clauses", "可能相关的条款"),
    "scope_label": ("Documents", "文件范围"),
    "scope_info": ("Search only these documents; none chosen = all documents", "只在所选文件中检索；不选即全部文件"),
    "searched_in": ("Searched in: {docs}", "检索范围：{docs}"),
    "check_running": ("Checking the citations against the clauses…", "正在核对引用的条款……"),
    "check_verified": ("✓ Citations checked against the clauses: {labels}", "✓ 引用已与条款原文核对：{labels}"),
    "check_corrected": ("⚠ The citation check corrected the LLM's answer: {note}", "⚠ 引用核对修正了大模型的答案：{note}"),
    "check_fallback": ("⚠ The LLM's answer did not pass the citation check ({note}); the extractive answer is shown.",
                       "⚠ 大模型的答案未通过引用核对（{note}），以下为摘录式答案。"),
    "answer_meta": ("{mode} answer · {ms} ms", "{mode}答案 · {ms} 毫秒"),
    "mode_extractive": ("extractive", "摘录式"),
    "mode_llm": ("LLM", "大模型"),
    "conversations": ("Conversations · history", "历史对话"),
    "conv_pick": ("Your saved conversations", "已保存的对话"),
    "conv_open": ("Open", "打开"),
    "conv_delete": ("Delete", "删除"),
    "conv_title": ("Title", "标题"),
    "conv_rename": ("Rename", "重命名"),
    "conv_export_md": ("Export Markdown", "导出 Markdown"),
    "conv_export_json": ("Export JSON", "导出 JSON"),
    "conv_pick_first": ("Choose a conversation first (and a title to rename it).", "请先选择对话（重命名时请填写标题）。"),
    "conv_renamed": ("Renamed.", "已重命名。"),
    "conv_deleted": ("Deleted.", "已删除。"),
    "copy_answer": ("Copy answer", "复制答案"),
    "correction_head": ("Not helpful: saved. Which clause would have been right? (optional)", "没帮助：已记录。正确的条款是哪一条？（可选）"),
    "correction_skip": ("Skip", "跳过"),
    "right_clause": ("Wrong clause → the right one is …", "引用有误 → 正确的条款是……"),
    "comment": ("Comment (optional)", "备注（可选）"),
    "send_correction": ("Send correction", "提交更正"),
    "thanks": ("Thank you, your rating was saved.", "谢谢，评价已保存。"),
    "pick_right_clause": ("Choose the right clause first.", "请先选择正确的条款。"),
    "no_answer_to_rate": ("There is no answer to rate yet.", "目前还没有可评价的答案。"),
    "correction_saved": ("Thank you, the correction was saved.", "谢谢，更正已保存。"),
    "empty_question": ("Type a question first.", "请先输入问题。"),
    "empty_query": ("Type words or a clause number to search for.", "请输入要检索的关键词或条款编号。"),
    "question_too_long": ("Your question is {n} characters long; questions are limited to {limit}. Shorten it to the point you want answered.",
                          "问题长度为 {n} 个字符，超过上限 {limit} 个字符。请精简为您想问的要点。"),
    # clause panel
    "refers_to": ("Refers to", "引用"),
    "clause_gone": ("This clause is no longer in the knowledge base.", "该条款已不在知识库中。"),
    # search
    "query": ("Search clauses", "检索条款"),
    "query_placeholder": ("Words, a question, or a clause number such as (12) or 第十二条", "关键词、问题，或条款编号，如 (12)、第十二条"),
    "search": ("Search", "检索"),
    "filter_doc": ("Document", "文件"),
    "filter_section": ("Section", "章节"),
    "filter_lang": ("Language", "语言"),
    "results_k": ("Results", "结果数"),
    "all": ("All", "全部"),
    "lang_en": ("English", "英文"),
    "lang_zh": ("Chinese", "中文"),
    "score": ("score", "得分"),
    "matched": ("matched", "命中"),
    "no_results": ("No clauses found. Try other words or remove a filter.", "未找到条款，请换个说法或去掉筛选条件。"),
    "lookup_clause": ("Direct lookup of the clause you named.", "按编号直接定位的条款。"),
    "no_such_clause": ("No clause is numbered {n} {where}. Browse lists the clauses; or search with words.",
                       "{where}没有编号为{n}的条款。可在“浏览”中查看全部条款，或用关键词搜索。"),
    "in_the_kb": ("in the knowledge base", "知识库中"),
    "in_the_doc": ("in {doc}", "{doc}中"),
    "related_clauses": ("Related clauses", "相关条款"),
    "lookup_mentions": ("Every clause that mentions it.", "提及该内容的全部条款。"),
    "n_results": ("{n} · {ms} ms", "{n} · {ms} 毫秒"),
    "search_hint": ("Select a result to read the whole clause.", "点击结果查看完整条款。"),
    # browse
    "outline": ("Outline", "目录"),
    "browse_hint": ("Choose a clause in the outline to read it.", "在目录中选择条款查看原文。"),
    "glossary": ("Glossary 中英术语", "中英术语表 Glossary"),
    "glossary_search": ("Find a term (中文 or English)", "查找术语（中文或英文）"),
    "glossary_zh": ("中文", "中文"),
    "glossary_en": ("English", "英文"),
    "glossary_count": ("{n} of {total} terms", "共 {total} 条，显示 {n} 条"),
    "no_documents": ("The knowledge base holds no documents yet; add some in the Documents tab.", "知识库中还没有文件，请在“文档”页添加。"),
    "preamble": ("Preamble", "序言"),
    # documents
    "documents": ("Documents in the knowledge base", "知识库中的文件"),
    "col_doc_id": ("Document id", "文件编号"),
    "col_title": ("Title", "标题"),
    "col_number": ("Number", "文号"),
    "col_issuers": ("Issued by", "发文机关"),
    "col_lang": ("Language", "语言"),
    "col_sections": ("Sections", "章节数"),
    "col_clauses": ("Clauses", "条款数"),
    "col_source": ("Source file", "来源文件"),
    "col_kind": ("Kind", "类型"),
    "col_state": ("Status", "状态"),
    "col_added": ("Added", "添加时间"),
    "state_ingesting": ("ingesting…", "正在导入……"),
    "state_ready": ("ready", "可用"),
    "state_failed": ("failed", "失败"),
    "ingest_progress": ("{name}: {done} of {total} clauses", "{name}：第 {done}/{total} 个条款"),
    "upload": ("Add documents (.txt .md .html .docx .pdf, optional .meta.json sidecar)", "添加文件（.txt .md .html .docx .pdf，可附 .meta.json）"),
    "preview": ("Preview parse", "预览解析"),
    "add_docs": ("Add to knowledge base", "加入知识库"),
    "refresh": ("Refresh", "刷新"),
    "no_files": ("Choose one or more files first.", "请先选择文件。"),
    "preview_counts": ("{sections}, {clauses}", "{sections}，{clauses}"),
    "preview_more": ("… and {n} more clauses", "……另有 {n} 个条款"),
    "preview_note": ("Nothing was added yet. Check the clauses, then add the files.", "尚未写入知识库。核对条款后再加入。"),
    "warning": ("warning", "提示"),
    "col_file": ("File", "文件"),
    "col_status": ("Result", "结果"),
    "col_message": ("Message", "说明"),
    "ingest_summary": ("{added} added, {updated} updated, {unchanged} unchanged, {failed} failed; {embedded} clauses embedded in {seconds} s",
                       "新增 {added}，更新 {updated}，未变 {unchanged}，失败 {failed}；嵌入 {embedded} 个条款，用时 {seconds} 秒"),
    "status_added": ("added", "已添加"),
    "status_updated": ("updated", "已更新"),
    "status_unchanged": ("unchanged", "未变化"),
    "status_failed": ("failed", "失败"),
    "status_removed": ("removed", "已删除"),
    "status_skipped": ("skipped", "已跳过"),
    "remove_doc": ("Remove a document", "删除文件"),
    "remove": ("Remove", "删除"),
    "removed": ("Removed {doc} ({n}).", "已删除 {doc}（{n}）。"),
    "pick_doc": ("Choose a document first.", "请先选择文件。"),
    "confirm_remove": ("Yes, remove {doc} and its {n}", "确认删除 {doc} 及其 {n}"),
    # evaluate
    "gold_bundled": ("Bundled gold set", "内置标准问题集"),
    "gold_upload": ("…or upload a gold file (JSONL)", "……或上传标准问题集（JSONL）"),
    "gold_limit": ("Questions to run (0 = all)", "运行题数（0 = 全部）"),
    "run_eval": ("Run evaluation", "开始评测"),
    "eval_hint": ("{questions}: each is searched three ways and answered, about {seconds} s in all once the models are loaded "
                  "(~{per} s per question; the first run of a session adds the model loading).",
                  "{questions}：每题分别以三种方式检索并作答，模型加载后共约 {seconds} 秒（每题约 {per} 秒；本次会话首次运行另需加载模型）。"),
    "eval_hint_none": ("Choose a gold set to see how long it takes.", "选择问题集后显示预计用时。"),
    "only_failing": ("Show only questions with problems", "只显示有问题的题目"),
    "col_meaning": ("What it measures", "含义"),
    "metrics": ("Metrics", "指标"),
    "col_metric": ("Metric", "指标"),
    "col_all": ("All", "全部"),
    "plots": ("Plots", "图表"),
    "per_question": ("Per question", "逐题结果"),
    "report": ("Report (zip: report.md, report.json, plots)", "报告（zip：report.md、report.json、图表）"),
    "eval_done": ("{n} questions ({answerable} answerable, {off} off-topic) · {problems} with problems",
                  "{n} 题（可回答 {answerable}，无关 {off}）· 有问题 {problems} 题"),
    "no_gold": ("Choose a bundled gold set or upload a gold file.", "请选择内置问题集或上传问题文件。"),
    "run_calibrate": ("Calibrate the KB on this gold set", "用此问题集校准知识库"),
    "calibrate_hint": ("Fits fusion weights and abstention/confidence thresholds to the gold set (cross-validated) and "
                       "stores them with the KB; needs at least 30 answerable and 5 off-topic questions.",
                       "按问题集拟合融合权重与拒答/置信阈值（交叉验证），并保存到知识库；至少需要 30 道可回答题和 5 道无关题。"),
    "col_id": ("Id", "编号"),
    "col_question": ("Question", "问题"),
    "col_gold": ("Gold", "标准条款"),
    "col_ranked": ("Retrieved", "检索结果"),
    "col_cited": ("Cited", "引用"),
    "col_problems": ("Problems", "问题"),
    "abstained": ("abstained", "拒答"),
    "eval_clause_hint": ("Click a clause id in the table to read it here.", "点击表中的条款编号在此查看。"),
    # errors
    "error": ("Error", "错误"),
    "examples": ("Examples", "示例"),
    "toast_error": ("Error", "错误"),
    "toast_warning": ("Warning", "注意"),
    "toast_info": ("Info", "提示"),
    "toast_success": ("Done", "完成"),
    "drop_files": ("Drop files here · or click to choose", "将文件拖放到此处 · 或点击选择"),
}

# metric key -> (English, 中文): one line saying what the metric measures
METRIC_HELP: dict[str, tuple[str, str]] = {
    "n": ("questions in the gold set", "问题集中的题数"),
    "recall@1": ("share of questions whose first search result is a gold clause", "首个检索结果即为标准条款的题目比例"),
    "recall@3": ("share of questions with a gold clause in the top 3 results", "前 3 个检索结果中含标准条款的题目比例"),
    "recall@5": ("share of questions with a gold clause in the top 5 results", "前 5 个检索结果中含标准条款的题目比例"),
    "mrr": ("mean of 1 / rank of the first gold clause (1 = always first)", "首个标准条款排名倒数的平均值（1 = 总在第一）"),
    "ndcg@5": ("ranking quality of the top 5, gold clauses higher is better (0–1)", "前 5 个结果的排序质量，标准条款越靠前越高（0–1）"),
    "all_gold_recall@5": ("share of questions with every gold clause in the top 5", "前 5 个结果包含全部标准条款的题目比例"),
    "citation_hit": ("share of answerable questions whose answer cites a gold clause", "可回答题目中答案引用了标准条款的比例"),
    "citation_precision": ("share of cited clauses that are gold clauses", "答案所引条款中属于标准条款的比例"),
    "fact_coverage": ("share of the required facts the answers state", "答案写出的应含要点所占比例"),
    "abstain_precision": ("of the answers that abstained, the share that should have (off-topic)", "拒答的题目中确属无关问题的比例"),
    "abstain_recall": ("of the off-topic questions, the share the app declined to answer", "无关问题中被正确拒答的比例"),
    "false_abstain_rate": ("share of answerable questions the app wrongly declined (lower is better)", "可回答题目被错误拒答的比例（越低越好）"),
    "invalid_citations": ("cited ids that do not exist or were not retrieved (should be 0)", "引用了不存在或未检索到的条款编号的次数（应为 0）"),
    "confidently_wrong": ("share of answerable questions answered as sure without citing a gold clause (lower is better)",
                          "可回答题目中答案自称确定却未引用标准条款的比例（越低越好）"),
    "wrong_answered": ("share of answerable questions answered, sure or unsure, without citing a gold clause",
                       "可回答题目中作答（确定或不确定）却未引用标准条款的比例"),
    "unsure_rate": ("share of questions answered as unsure, listing candidate clauses", "以“不确定”作答并列出候选条款的题目比例"),
    "offtopic_sure": ("of the off-topic questions, the share answered as sure (lower is better)", "无关问题中被自称确定地作答的比例（越低越好）"),
    "search_p50": ("median search time, warm", "检索耗时中位数（模型已加载）"),
    "ask_p50": ("median answer time, warm", "作答耗时中位数（模型已加载）"),
    "ask_p95": ("95th-percentile answer time, warm", "作答耗时第 95 百分位（模型已加载）"),
}

# key -> (English singular, English plural, 中文): a count with its noun, "{n}" filled in
PLURALS: dict[str, tuple[str, str, str]] = {
    "n_sections": ("{n} section", "{n} sections", "{n} 个章节"),
    "n_clauses": ("{n} clause", "{n} clauses", "{n} 个条款"),
    "n_clauses_short": ("{n} clause", "{n} clauses", "{n} 条"),
    "n_questions": ("{n} question", "{n} questions", "{n} 题"),
}


def lang_code(value: str | None) -> str:
    """The chrome language for a toggle value ("en"/"zh"/"English"/"中文"); English when unknown."""
    if value in LANGS:
        return str(value)
    return "zh" if value in ("中文", "zh-CN", "zh_CN", "zh-Hans") else "en"


def t(key: str, lang: str | None = "en", **values: object) -> str:
    """The chrome string ``key`` in ``lang``, with ``{name}`` fields filled from ``values``.

    Raises:
        KeyError: ``key`` is not in :data:`STRINGS` (a programming error, caught by the tests).
    """
    en, zh = STRINGS[key]
    text = zh if lang_code(lang) == "zh" else en
    return text.format(**values) if values else text


def tn(key: str, n: int, lang: str | None = "en") -> str:
    """A count with its noun in ``lang``: "1 section", "2 sections", "2 个章节" (:data:`PLURALS`)."""
    one, many, zh = PLURALS[key]
    if lang_code(lang) == "zh":
        return zh.format(n=n)
    return (one if n == 1 else many).format(n=n)


def metric_help(key: str, lang: str | None = "en") -> str:
    """What the evaluation metric ``key`` measures, in one line ("" for an unknown metric)."""
    en, zh = METRIC_HELP.get(key, ("", ""))
    return zh if lang_code(lang) == "zh" else en
