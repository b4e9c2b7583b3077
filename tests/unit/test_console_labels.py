"""The console shows the domain's frequent refusals in Chinese, names and values kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assess.api.console.labels import in_chinese
from assess.domain.errors import DomainError
from assess.domain.numbers import parse_in_range


@pytest.mark.parametrize(
    "message,shown",
    [
        (
            "value must be between 0 and 100, got 100.5",
            "value 须在 0 至 100 之间（填写的是 100.5）",
        ),
        (
            "submit_sheet is allowed in assessment/review, the cycle is closed",
            "当前阶段（已归档）不能进行此操作，可进行的阶段：年终考核（评分中）、审核",
        ),
        ("od (org_dept) may not submit_score", "od（组织部（考核办））无权提交分数"),
        ("apply_veto needs the field 'reason'", "缺少必填项 reason"),
        ("scores.G1 125 is not one of 100/85/70/40", "scores.G1 125 不是 100/85/70/40 之一"),
        ("appeals pending: AP1, AP2", "尚有申诉未答复：AP1, AP2"),
        ("a message the console does not know", "a message the console does not know"),
    ],
)
def test_refusals_in_chinese(message: str, shown: str) -> None:
    assert in_chinese(message) == shown


def test_the_domain_still_says_what_the_patterns_expect() -> None:
    """If the domain rewords a refusal, its Chinese form must follow."""
    with pytest.raises(DomainError) as refused:
        parse_in_range(Decimal("100.5"), "value", Decimal(0), Decimal(100))
    assert "须在 0 至 100 之间" in in_chinese(refused.value.message)
