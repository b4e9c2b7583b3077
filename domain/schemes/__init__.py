"""The three schemes, one module each, keyed by scheme id."""

from types import ModuleType

from assess.domain.schemes import group_party_org, leadership_team, performance_evaluation

SCHEMES: dict[str, ModuleType] = {
    module.SCHEME: module for module in (group_party_org, leadership_team, performance_evaluation)
}
