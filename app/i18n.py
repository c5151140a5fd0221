"""The UI chrome in English and Chinese: one table of strings and a lookup.

Clause text and answers are never translated here; only labels, buttons, hints and
messages of the app itself follow the 中文/English toggle.
"""
from __future__ import annotations

__all__ = ["LANGS", "LANG_CHOICES", "STRINGS", "t", "lang_code"]

LANGS: tuple[str, ...] = ("en", "zh")
LANG_CHOICES: list[tuple[str, str]] = [("English", "en"), ("中文", "zh")]

# key -> (English, 中文)
STRINGS: dict[str, tuple[str, str]] = {
    # header
    "subtitle": ("Ask about the policy documents, read the clauses they rest on.", "查询政策文件，直达所依据的条款。"),
    "ui_language": ("Interface language", "界面语言"),
    "signed_in": ("Signed in as", "当前用户"),
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
    "examples": ("Examples", "示例"),
    "thinking": ("Looking through the clauses…", "正在检索条款……"),
    "clause_hint": ("Click a citation such as (18) to read the clause here.", "点击引用（如 (18)）在此查看条款原文。"),
    "sources": ("Sources", "出处"),
    "not_covered": ("Not covered by the documents", "文件未涉及此问题"),
    "possibly_related": ("Possibly related clauses", "可能相关的条款"),
    "answer_meta": ("{mode} answer · {ms} ms", "{mode}答案 · {ms} 毫秒"),
    "mode_extractive": ("extractive", "摘录式"),
    "mode_llm": ("LLM", "大模型"),
    "feedback": ("Rate the last answer", "评价最近的答案"),
    "helpful": ("👍 Helpful", "👍 有帮助"),
    "not_helpful": ("👎 Not helpful", "👎 没帮助"),
    "right_clause": ("Wrong clause → the right one is …", "引用有误 → 正确的条款是……"),
    "comment": ("Comment (optional)", "备注（可选）"),
    "send_correction": ("Send correction", "提交更正"),
    "thanks": ("Thank you, your rating was saved.", "谢谢，评价已保存。"),
    "pick_right_clause": ("Choose the right clause first.", "请先选择正确的条款。"),
    "no_answer_to_rate": ("There is no answer to rate yet.", "目前还没有可评价的答案。"),
    "empty_question": ("Type a question first.", "请先输入问题。"),
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
    "lookup_mentions": ("Every clause that mentions it.", "提及该内容的全部条款。"),
    "n_results": ("{n} clauses · {ms} ms", "{n} 条 · {ms} 毫秒"),
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
    "upload": ("Add documents (.txt .md .html .docx .pdf, optional .meta.json sidecar)", "添加文件（.txt .md .html .docx .pdf，可附 .meta.json）"),
    "preview": ("Preview parse", "预览解析"),
    "add_docs": ("Add to knowledge base", "加入知识库"),
    "refresh": ("Refresh", "刷新"),
    "no_files": ("Choose one or more files first.", "请先选择文件。"),
    "preview_counts": ("{sections} sections, {clauses} clauses", "{sections} 个章节，{clauses} 个条款"),
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
    "removed": ("Removed {doc} ({n} clauses).", "已删除 {doc}（{n} 个条款）。"),
    "pick_doc": ("Choose a document first.", "请先选择文件。"),
    "confirm_remove": ("Yes, remove {doc} and its {n} clauses", "确认删除 {doc} 及其 {n} 个条款"),
    # evaluate
    "gold_bundled": ("Bundled gold set", "内置标准问题集"),
    "gold_upload": ("…or upload a gold file (JSONL)", "……或上传标准问题集（JSONL）"),
    "gold_limit": ("Questions to run (0 = all)", "运行题数（0 = 全部）"),
    "run_eval": ("Run evaluation", "开始评测"),
    "eval_hint": ("Each question is searched three ways and answered; the whole Opinions set takes a few minutes.",
                  "每题分别以三种方式检索并作答；完整问题集约需数分钟。"),
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
