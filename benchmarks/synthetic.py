"""A synthetic bilingual policy corpus of any size, for scale benchmarks (deterministic for a seed).

Clauses recombine policy vocabulary — who acts, what they do, for whom, where, with a
number — into short clauses of one to three sentences, so texts differ and embed quickly.
Documents alternate English ("(12)" clauses under "1." sections) and Chinese ("第十二条"
under "第一章"), the numbering the ingest parser reads in real documents.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from policykb.ingest import int_to_chinese

__all__ = ["SyntheticCorpus", "write_corpus", "queries"]

_EN_ACTORS = [
    "Banks", "Rural commercial banks", "Insurance institutions", "Securities firms", "Policy banks",
    "Village banks", "Trust companies", "Financial leasing companies", "Consumer finance companies",
    "Guarantee institutions", "Payment institutions", "Wealth management subsidiaries", "Futures companies",
    "Local financial regulators", "Credit cooperatives",
]
_EN_ACTIONS = [
    "shall expand", "are encouraged to develop", "shall improve", "may pilot", "shall strengthen",
    "are supported to innovate", "shall simplify", "shall report on", "may explore", "shall increase",
    "shall standardise", "are guided to extend",
]
_EN_OBJECTS = [
    "green credit", "supply chain finance", "first loans", "credit loans without collateral", "agricultural insurance",
    "catastrophe insurance", "pension finance products", "housing rental loans", "cross-border settlement",
    "foreign exchange hedging", "digital renminbi payments", "mobile payment services", "carbon emission accounts",
    "intellectual property pledge financing", "inventory financing", "accounts receivable financing",
    "technology loans", "savings bond sales", "charitable trusts", "wealth management advice",
    "financial literacy education", "complaint handling", "personal information protection", "anti-fraud checks",
    "loan renewal without repayment of principal", "credit ratings of farmers", "transition finance",
    "environmental information disclosure", "climate risk stress tests", "equity financing",
    "bond issuance", "venture capital funds", "medical insurance claims", "employment insurance",
    "infant care insurance", "elderly care services", "cash services in villages", "rural credit files",
    "export credit insurance", "trade finance documents",
]
_EN_FOR = [
    "small and micro enterprises", "individual businesses", "farmers", "new urban residents", "low-income households",
    "older people", "people with disabilities", "foreign trade firms", "technology start-ups", "manufacturers",
    "family farms", "cooperatives", "flexible workers", "students", "migrant workers",
]
_EN_PLACES = [
    "Hangzhou", "Ningbo", "Wenzhou", "Jiaxing", "Huzhou", "Shaoxing", "Jinhua", "Quzhou", "Zhoushan", "Taizhou",
    "Lishui", "Yiwu", "the mountain counties", "the island counties", "the pilot zones", "county towns",
    "the free trade zone", "industrial parks", "rural areas", "the whole province",
]
_EN_DETAILS = [
    "Approval shall take no more than {n} working days.",
    "The share of such loans shall reach at least {n} percent.",
    "Fees shall not exceed {n} basis points.",
    "Results shall be reported every {n} months.",
    "A single loan may reach {n} hundred thousand yuan.",
    "Staff who acted with due diligence are exempt from liability for losses below {n} percent.",
    "At least {n} service points shall be set up in each county.",
    "The pilot runs for {n} years and is then evaluated.",
]
_EN_SECTIONS = [
    "General requirements", "Credit services", "Insurance protection", "Payment services", "Green finance",
    "Cross-border finance", "Consumer protection", "Rural finance", "Capital markets", "Supervision",
]

_ZH_ACTORS = [
    "银行机构", "农村商业银行", "保险机构", "证券公司", "政策性银行", "村镇银行", "信托公司", "金融租赁公司",
    "消费金融公司", "融资担保机构", "支付机构", "理财子公司", "期货公司", "地方金融管理部门", "农村信用社",
]
_ZH_ACTIONS = ["应当扩大", "鼓励发展", "应当改进", "可以试点", "应当加强", "支持创新", "应当简化", "应当报告", "可以探索", "应当增加", "应当规范", "引导拓展"]
_ZH_OBJECTS = [
    "绿色信贷", "供应链金融", "首贷", "信用贷款", "农业保险", "巨灾保险", "养老金融产品", "住房租赁贷款", "跨境结算",
    "外汇套期保值", "数字人民币支付", "移动支付服务", "碳账户", "知识产权质押融资", "存货融资", "应收账款融资",
    "科技贷款", "储蓄国债销售", "慈善信托", "财富管理顾问", "金融知识教育", "投诉处理", "个人信息保护", "反诈骗核查",
    "无还本续贷", "农户信用评级", "转型金融", "环境信息披露", "气候风险压力测试", "股权融资", "债券发行",
    "创业投资基金", "医疗保险理赔", "就业保险", "托育保险", "养老服务", "乡村现金服务", "农村信用档案",
    "出口信用保险", "贸易融资单据",
]
_ZH_FOR = ["小微企业", "个体工商户", "农户", "新市民", "低收入家庭", "老年人", "残疾人", "外贸企业", "科技初创企业", "制造企业", "家庭农场", "农民合作社", "灵活就业人员", "学生", "进城务工人员"]
_ZH_PLACES = [
    "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "义乌", "山区县", "海岛县",
    "试点地区", "县城", "自由贸易试验区", "产业园区", "农村地区", "全省",
]
_ZH_DETAILS = [
    "审批时限不超过{n}个工作日。", "此类贷款占比不低于百分之{n}。", "收费不得超过{n}个基点。", "每{n}个月报告一次结果。",
    "单户贷款最高{n}十万元。", "尽职的工作人员对百分之{n}以下的损失免于追责。", "每个县至少设立{n}个服务点。", "试点期限{n}年，期满后评估。",
]
_ZH_SECTIONS = ["总体要求", "信贷服务", "保险保障", "支付服务", "绿色金融", "跨境金融", "消费者保护", "农村金融", "资本市场", "监督管理"]

_PER_SECTION = 10


@dataclass(frozen=True)
class SyntheticCorpus:
    folder: Path
    files: tuple[Path, ...]
    clauses: int


def write_corpus(folder: Path, n_clauses: int, *, seed: int = 0, per_doc: int = 100) -> SyntheticCorpus:
    """Write ``n_clauses`` clauses as documents of ``per_doc`` clauses (the last may be shorter) into ``folder``.

    Documents alternate English and Chinese; file names give stable doc ids (``syn-en-00001``).
    """
    if n_clauses < 1 or per_doc < 1:
        raise ValueError(f"n_clauses {n_clauses!r} and per_doc {per_doc!r} must be at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files: list[Path] = []
    remaining, index = n_clauses, 0
    while remaining > 0:
        count = min(per_doc, remaining)
        lang = "en" if index % 2 == 0 else "zh"
        path = folder / f"syn-{lang}-{index:05d}.txt"
        path.write_text(_document(rng, lang, index, count), encoding="utf-8")
        files.append(path)
        remaining -= count
        index += 1
    return SyntheticCorpus(folder=folder, files=tuple(files), clauses=n_clauses)


def queries(n: int, *, seed: int = 1) -> list[str]:
    """``n`` search queries over the same vocabulary, alternating English and Chinese."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(f"{rng.choice(_EN_OBJECTS)} for {rng.choice(_EN_FOR)} in {rng.choice(_EN_PLACES)}")
        else:
            out.append(f"{rng.choice(_ZH_PLACES)}{rng.choice(_ZH_FOR)}的{rng.choice(_ZH_OBJECTS)}")
    return out


def _document(rng: random.Random, lang: str, index: int, count: int) -> str:
    if lang == "en":
        lines = [f"Synthetic Measures on Financial Services No. {index + 1} (Sample)", ""]
    else:
        lines = [f"合成金融服务管理办法第{index + 1}号（样例）", ""]
    for number in range(1, count + 1):
        if (number - 1) % _PER_SECTION == 0:
            section = (number - 1) // _PER_SECTION + 1
            if lang == "en":
                lines += [f"{section}. {_EN_SECTIONS[(section - 1) % len(_EN_SECTIONS)]}", ""]
            else:
                lines += [f"第{int_to_chinese(section)}章　{_ZH_SECTIONS[(section - 1) % len(_ZH_SECTIONS)]}", ""]
        text = _en_clause(rng) if lang == "en" else _zh_clause(rng)
        marker = f"({number})" if lang == "en" else f"第{int_to_chinese(number)}条　"
        lines += [f"{marker} {text}" if lang == "en" else f"{marker}{text}", ""]
    return "\n".join(lines)


def _en_clause(rng: random.Random) -> str:
    sentences = [
        f"{rng.choice(_EN_ACTORS)} {rng.choice(_EN_ACTIONS)} {rng.choice(_EN_OBJECTS)} "
        f"for {rng.choice(_EN_FOR)} in {rng.choice(_EN_PLACES)}."
    ]
    for _ in range(rng.randint(0, 2)):
        sentences.append(rng.choice(_EN_DETAILS).format(n=rng.randint(2, 60)))
    return " ".join(sentences)


def _zh_clause(rng: random.Random) -> str:
    sentences = [f"{rng.choice(_ZH_ACTORS)}{rng.choice(_ZH_ACTIONS)}{rng.choice(_ZH_PLACES)}{rng.choice(_ZH_FOR)}的{rng.choice(_ZH_OBJECTS)}。"]
    for _ in range(rng.randint(0, 2)):
        sentences.append(rng.choice(_ZH_DETAILS).format(n=int_to_chinese(rng.randint(2, 60))))
    return "".join(sentences)
