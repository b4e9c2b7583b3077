"""Chinese labels shared by the application's exports (application/workbooks.py) and the
web console (api/console/labels.py): roles, verbs, components, unit categories. Plain
data: no rule lives here."""

from __future__ import annotations

ROLES = {
    "org_dept": "组织部（考核办）",
    "leading_group": "考核工作领导小组",
    "assessor": "考核评分单位",
    "rater": "评议人",
    "unit": "被考核单位",
    "auditor": "审计监督",
}

VERBS = {
    "create_cycle": "建立考核",
    "add_unit": "增加单位",
    "add_actor": "增加人员",
    "retire_actor": "停用人员",
    "define_item": "设定考核项目",
    "publish_items": "发布考核项目",
    "declare_item": "申报特色项目",
    "record_supervision": "记录督查情况",
    "declare_innovation": "申报创新项目",
    "claim_commendation": "申报表彰加分",
    "confirm_commendation": "确认表彰加分",
    "record_criticism": "记录通报批评",
    "open_assessment": "开始年终考核",
    "submit_score": "提交分数",
    "submit_sheet": "提交评分表",
    "submit_ballots": "提交测评票",
    "record_award": "记录评比结果",
    "recognize_innovation": "认定创新项目",
    "apply_cap": "限定等次",
    "apply_veto": "一票否决",
    "revoke_veto": "撤销否决",
    "close_scoring": "结束评分",
    "correct_score": "更正分数",
    "propose_adjustment": "提出调整",
    "approve_adjustment": "批准调整",
    "reject_adjustment": "驳回调整",
    "approve_results": "审定结果",
    "publish_results": "公示结果",
    "file_appeal": "提出申诉",
    "resolve_appeal": "答复申诉",
    "close_cycle": "归档",
}

COMPONENTS = {
    "research_h1": "上半年调研",
    "research_h2": "下半年调研",
    "daily": "日常考核",
    "year_end": "年终考核",
    "debrief": "述职评议",
    "annual": "年度考核",
    "performance": "实绩考核",
    "democratic_self": "民主测评（班子自评）",
    "democratic_staff": "民主测评（干部职工）",
    "democratic": "民主测评",
    "self": "自我评价",
    "org": "组织评价",
    "social": "社会评价",
}

CATEGORIES = {"town": "镇（街道）", "municipal": "市直单位"}

# group-party-org's negative list (负面清单), in the regulation's words (document 1).
DEDUCTION_AREAS = {
    "political": "政治建设",
    "ideology_culture": "思想文化建设",
    "organization": "组织建设",
    "cadres_talent": "干部人才队伍建设",
    "conduct": "作风建设",
    "discipline_integrity": "纪律建设及反腐倡廉建设",
    "mass_organizations": "群团工作",
    "petitions": "信访工作",
    "stability": "稳定工作",
    "confidentiality": "保密工作",
    "public_security": "综治工作",
    "responsibility_system": "党建工作责任制",
}
