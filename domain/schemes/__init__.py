"""The three schemes (SPEC §2), one module each, keyed by scheme id."""

from types import ModuleType

from assess.domain.schemes import group_party_org, leadership_team, performance_evaluation

GROUP_PARTY_ORG = group_party_org.SCHEME
LEADERSHIP_TEAM = leadership_team.SCHEME
PERFORMANCE_EVALUATION = performance_evaluation.SCHEME

SCHEME_MODULES: dict[str, ModuleType] = {
    module.SCHEME: module for module in (group_party_org, leadership_team, performance_evaluation)
}
SCHEME_IDS = tuple(SCHEME_MODULES)
