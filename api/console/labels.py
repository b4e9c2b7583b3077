"""Chinese labels of the console: schemes, stages, roles, verbs, components (names from
the regulations in ../shared/seeds where they give one). Plain data: no rule lives here."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from assess.application.labels import (  # DEDUCTION_AREAS: read by the entry page
    CATEGORIES,
    COMPONENTS,
    DEDUCTION_AREAS,  # noqa: F401
    ROLES,
    VERBS,
)
from assess.domain.attachments import MEDIA_TYPES

SCHEMES = {
    "group-party-org": "集团公司基层党组织党建工作考核",
    "leadership-team": "镇街及市直单位领导班子抓基层党建工作考核",
    "performance-evaluation": "党建工作绩效考评",
}

# The stage banner: the steps of a season, and the stage each one covers.
STEPS = (
    ("年初定项", ("draft",)),
    ("年中督查", ("in_progress",)),
    ("年终考核", ("assessment",)),
    ("审定", ("review", "approved")),
    ("反馈", ("published",)),
    ("申诉", ("published",)),
    ("归档", ("closed",)),
)
STAGES = {
    "draft": "年初定项（草拟）",
    "in_progress": "年中督查",
    "assessment": "年终考核（评分中）",
    "review": "审核",
    "approved": "已审定",
    "published": "已公示",
    "closed": "已归档",
    "corrupt": "数据损坏",
}

# Scoring bodies of leadership-team (the regulations' 考核主体) and unit categories.
BODIES = {
    "org_dept": "市委组织部",
    "municipal_work_committee": "市直工委",
    "enterprise_work_committee": "市企业工委",
    "social_org_committee": "市社会组织工委",
}

# ---- score entry (entry.py) ---------------------------------------------------------------

# leadership-team's annual evaluation award (年度工作考评综合奖, document 2).
AWARDS = {"first": "一等奖", "second": "二等奖", "other": "其他等次奖"}

ERROR_TITLES = {
    "permission_denied": "无权查看或操作",
    "not_found": "未找到",
    "wrong_stage": "当前阶段不允许此操作",
    "conflict": "操作冲突",
    "duplicate": "已存在",
    "invalid_value": "填写有误",
    "unknown_unit": "单位不存在",
    "unknown_item": "项目不存在",
    "incomplete": "尚未完成",
    "integrity": "数据校验未通过",
}


def _label(table: dict[str, str]) -> Any:
    def label(code: Any) -> str:
        return table.get(code, code) if isinstance(code, str) else "—" if code is None else code

    return label


FILTERS = {
    "scheme_label": _label(SCHEMES),
    "stage_label": _label(STAGES),
    "role_label": _label(ROLES),
    "verb_label": _label(VERBS),
    "component_label": _label(COMPONENTS),
    "category_label": _label(CATEGORIES),
    "body_label": _label({**COMPONENTS, **BODIES}),
}
category_label = FILTERS["category_label"]
body_label = FILTERS["body_label"]


def steps(stage: str) -> list[dict[str, Any]]:
    """The banner's steps: each done, current or to come."""
    order = [step for step, _ in STEPS]
    current = next((i for i, (_, stages) in enumerate(STEPS) if stage in stages), None)
    return [
        {
            "name": name,
            "state": "unknown"
            if current is None
            else "done"
            if i < current
            else "current"
            if i == current
            else "todo",
        }
        for i, name in enumerate(order)
    ]


# ---- review, approval and appeals (results.py, appeals.py) ------------------------------

VETO_BASES = {
    "criticized_by_superior": "受到上级通报批评",
    "serious_dereliction": "严重失职失责",
    "other": "其他情形",
}
CAP_CONDITIONS = {
    "legal_status": "组织设置不规范（法定地位）",
    "standardization": "规范化建设不达标",
    "core_indicators": "核心指标未完成",
    "accountability": "被追责问责",
}
METHODS = {"self": "自评", "org": "组织评价", "social": "社会评价"}
OUTCOMES = {"upheld": "申诉成立（予以更正）", "dismissed": "申诉不成立（维持原结果）"}
APPEAL_STATUSES = {"pending": "待答复", "upheld": "已支持", "dismissed": "已驳回"}
ADJUSTMENT_STATUSES = {"proposed": "待审批", "approved": "已批准", "rejected": "已驳回"}
CORRECTION_KINDS = {
    "score": "更正分数",
    "ballots": "更正测评票",
    "revoke_veto": "撤销否决",
    "remove_cap": "取消等次限定",
}
CHANGED_FIELDS = {
    "score": "得分",
    "extra": "附加分",
    "final": "最终得分",
    "rank": "综合排名",
    "category_rank": "类别排名",
    "grade": "等次",
    "vetoed": "一票否决",
    "capped": "限定等次",
    "new": "新增",
}


def changed_field_label(key: Any) -> str:
    """`components.year_end` → 年终考核; `rank` → 综合排名."""
    if isinstance(key, str) and key.startswith("components."):
        return COMPONENTS.get(key.split(".", 1)[1], key)
    return CHANGED_FIELDS.get(key, key) if isinstance(key, str) else str(key)


FILTERS.update(
    {
        "veto_basis_label": _label(VETO_BASES),
        "cap_condition_label": _label(CAP_CONDITIONS),
        "method_label": _label(METHODS),
        "outcome_label": _label(OUTCOMES),
        "appeal_status_label": _label(APPEAL_STATUSES),
        "adjustment_status_label": _label(ADJUSTMENT_STATUSES),
        "correction_kind_label": _label(CORRECTION_KINDS),
        "changed_field_label": changed_field_label,
    }
)


# ---- the cycle page and the home page (cycle.py, home.py) --------------------------------

SCORING_BODIES = {  # leadership-team's bodies that score items (regulation 2: 考评主体)
    "org_dept": "市委组织部",
    "municipal_work_committee": "市直工委",
    "enterprise_work_committee": "市企业工委",
    "social_org_committee": "市社会组织工委",
}
ITEM_KIND_LABELS = {
    "basic": "基础工作",
    "key": "重点工作",
    "mandatory": "规定指标",
    "elective": "自选指标",
    "instant": "即时指标",
}
UNIT_CATEGORIES = {"town": "镇街", "municipal": "市直单位", "all": "全部"}
FIELD_LABELS = {
    "id": "单位编号",
    "name": "单位名称",
    "category": "类别",
    "parent": "上级组织编号",
    "item": "项目编号",
    "title": "项目名称",
    "kind": "项目类型",
    "body": "考评主体",
    "applies_to": "适用范围",
    "weight": "权重",
    "actor": "人员编号",
    "role": "角色",
    "unit": "所属单位编号",
    "reason": "原因",
}
FIELD_HINTS = {
    "parent": "可不填",
    "body": "考核评分单位可不填",
    "unit": "仅被考核单位填写",
    "applies_to": "填 all（全部），或以逗号分隔的单位编号",
}
# The mid-year forms (年中督查): group-party-org's levels of a commendation or criticism
# (document 1: 中央和国家机关、省委省政府 2 分; 省直机关 1 分; 集团公司), and the ways an
# assessor supervises (座谈汇报、实地考察、查阅台账).
COMMENDATION_LEVELS = {
    "national": "中央和国家机关、省委省政府",
    "provincial": "省直机关",
    "group": "集团公司",
}
SUPERVISION_METHODS = {"meeting": "座谈汇报", "site_visit": "实地考察", "ledger_review": "查阅台账"}
VERB_FIELD_LABELS = {
    ("claim_commendation", "claim"): "申报编号",
    ("claim_commendation", "level"): "表彰级别",
    ("claim_commendation", "title"): "表彰名称（文件或荣誉称号）",
    ("claim_commendation", "evidence"): "证明材料说明",
    ("record_supervision", "unit"): "被督查单位",
    ("record_supervision", "method"): "督查方式",
    ("record_supervision", "findings"): "督查发现",
    ("record_supervision", "item"): "涉及的考核项目",
    ("record_criticism", "unit"): "被通报单位",
    ("record_criticism", "level"): "通报级别",
    ("record_criticism", "title"): "通报批评名称",
}


def field_label_of(verb: str, name: str) -> str:
    """A form field's label: the verb's own where the generic one would mislead."""
    return VERB_FIELD_LABELS.get((verb, name)) or FIELD_LABELS.get(name, name)


# ---- evidence files (佐证材料, evidence.py) ------------------------------------------------

FILE_KINDS = MEDIA_TYPES  # the type shown beside a document's link: PDF, JPEG, … OFD
IMAGE_TYPES = ("image/jpeg", "image/png")


def file_size(size: Any) -> str:
    """Bytes as an office reads them: 812 B, 15.2 KB, 3.4 MB."""
    if not isinstance(size, int):
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{Decimal(size) / 1024:.1f} KB"
    return f"{Decimal(size) / (1024 * 1024):.1f} MB"


NO_ITEM_GROUP = "未适用任何考核项目的单位（须由组织部设定项目）"


def group_label(group: dict[str, Any]) -> str:
    """A progress group (application/progress.py): an item body, or the roles entering."""
    if group.get("body"):
        return SCORING_BODIES.get(group["body"], group["body"]) + "（考评主体）"
    if not group.get("roles"):
        return NO_ITEM_GROUP
    return "、".join(ROLES.get(role, role) for role in group["roles"])


def choice_label(field: str, value: Any) -> str:
    """A form choice, in Chinese where a label is known."""
    table = {
        "role": ROLES,
        "kind": ITEM_KIND_LABELS,
        "body": SCORING_BODIES,
        "category": UNIT_CATEGORIES,
        "applies_to": UNIT_CATEGORIES,
        "level": COMMENDATION_LEVELS,
        "method": SUPERVISION_METHODS,
    }.get(field, {})
    return f"{table[value]}（{value}）" if value in table else str(value)


FILTERS.update(
    {
        "body_label": _label(SCORING_BODIES),
        "item_kind_label": _label(ITEM_KIND_LABELS),
        "category_label": _label(UNIT_CATEGORIES),
        "field_label": _label(FIELD_LABELS),
        "group_label": group_label,
        "file_kind": _label(FILE_KINDS),
        "file_size": file_size,
    }
)

NEXT_STEP_HINTS = {  # what a season waits for in each stage (the cycle page's 下一步)
    "draft": "年初定项：增加单位和人员，设定考核项目，然后发布考核项目。",
    "in_progress": "年中督查：各单位申报、督查记录；准备就绪后开始年终考核。",
    "assessment": "年终考核：各考评主体录入评分；全部录入后结束评分，生成第 1 版结果。",
    "review": "审核：更正、调整后，由考核工作领导小组审定结果。",
    "approved": "已审定：由组织部公示结果。",
    "published": "已公示：受理并答复申诉，全部答复后归档。",
    "closed": "已归档：本年度考核结束，结果与记录可供查阅。",
}


# ---- the domain's refusals, in Chinese ---------------------------------------------------

# The domain states its refusals in English (the API's and the CLI's words). The console
# shows the frequent ones in Chinese, names and values kept as the domain gave them; any
# other message is shown as it is, after the Chinese title of its code.
REFUSALS: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"^(.+?) must be between (\S+) and (\S+), got (.+)$",
            r"\1 须在 \2 至 \3 之间（填写的是 \4）",
        ),
        (
            r"^(.+?) must be more than (\S+) and at most (\S+), got (.+)$",
            r"\1 须大于 \2、不超过 \3（填写的是 \4）",
        ),
        (r"^(.+?) has more than 2 decimals: (.+)$", r"\1 最多两位小数（填写的是 \2）"),
        (r"^(.+?) must be a number, got (.+)$", r"\1 须为数字（填写的是 \2）"),
        (r"^(.+?) (\S+) is not one of (.+)$", r"\1 \2 不是 \3 之一"),
        (r"^(\w+) needs the field '(\w+)'$", r"缺少必填项 \2"),
        (
            r"^(\w+) is allowed in (\S+), the cycle is (\w+)$",
            lambda m: (
                f"当前阶段（{STAGES.get(m[3], m[3])}）不能进行此操作，可进行的阶段："
                + "、".join(STAGES.get(stage, stage) for stage in m[2].split("/"))
            ),
        ),
        (
            r"^(\S+) \((\w+)\) may not (\w+)$",
            lambda m: f"{m[1]}（{ROLES.get(m[2], m[2])}）无权{VERBS.get(m[3], m[3])}",
        ),
        (r"^appeals pending: (.+)$", r"尚有申诉未答复：\1"),
        (r"^unit (\S+) lacks (.+)$", r"单位 \1 尚缺：\2"),
        (r"^unit (\S+) is vetoed already$", r"单位 \1 已被一票否决"),
        (r"^unit (\S+) is not vetoed$", r"单位 \1 未被否决"),
        (r"^(.+?) '(.+)' exists already$", r"\1 \2 已存在"),
        (r"^no (\w+) '(.+)' in this cycle$", r"本考核中没有 \1 \2"),
        (r"^at (\S+) lies in the future$", r"日期 \1 晚于今天"),
        (r"^item (\S+) does not apply to unit (\S+)$", r"项目 \1 不适用于单位 \2"),
    )
)


def in_chinese(message: str) -> str:
    for pattern, template in REFUSALS:
        if pattern.match(message):
            return pattern.sub(template, message)
    return message
