"""Request and response bodies: the JSON of SPEC §5 and §6, documented for OpenAPI."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model

from assess.domain.fields import Doc, declared_fields, union_options
from assess.domain.passwords import LONGEST_PASSWORD
from assess.domain.policy import ROLES, STAGES
from assess.domain.schemes import SCHEME_IDS
from assess.domain.season_header import MAX_YEAR, MIN_YEAR
from assess.domain.texts import FREE, ID, LONGEST, NAME
from assess.domain.verbs import VERBS, Action
from assess.infrastructure.accounts import NAME_PATTERN

CYCLE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
# Bounds of what a query or path may give (SPEC §5): no text holds a control character,
# and every whole number stays within PostgreSQL's `integer`, far beyond any real
# offset, version or position (10**29 would otherwise reach the application).
PLAIN_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"
ID_TEXT = r"^[^\s\x00-\x1f\x7f-\x9f]+$"  # an id (SPEC §5): no control character, no space
LARGEST_NUMBER = 2**31 - 1
SCORE: dict[str, Any] = {
    "do": "submit_score",
    "unit": "P0003",
    "component": "year_end",
    "value": 87.5,
}
SHEET: dict[str, Any] = {
    "do": "submit_sheet",
    "unit": "O0002",
    "method": "self",
    "scores": {"G1": 100, "G2": 85},
    "at": "2025-12-01",
}
ROW: dict[str, Any] = {
    "unit": "T01",
    "name": "城关镇",
    "category": "town",
    "components": {"debrief": "86.67", "annual": "90.00", "performance": "88.25"},
    "score": "88.28",
    "extra": "5.00",
    "final": "93.28",
    "rank": 1,
    "category_rank": 1,
    "grade": "excellent",
    "grade_label": "优秀",
    "vetoed": False,
    "capped": False,
}


class ErrorOut(BaseModel):
    error: str = Field(examples=["wrong_stage"])
    message: str = Field(examples=["submit_score is allowed in assessment, the cycle is review"])
    action_index: int | None = Field(None, examples=[0])


# ---- accounts and tokens ---------------------------------------------------------


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.", examples=[28800])
    expires_at: datetime


class AccountOut(BaseModel):
    name: str = Field(examples=["od"])
    admin: bool = False
    actors: dict[str, str] = Field(
        default_factory=dict,
        description="Actor id held in each cycle (cycle id → actor id).",
        examples=[{"2025-group-party-org": "od"}],
    )
    disabled: bool = Field(False, description="Cannot sign in; its tokens are refused.")


ACCOUNT_NAME = NAME_PATTERN.pattern
Password = Annotated[
    str,
    Field(
        min_length=1,
        max_length=LONGEST_PASSWORD,
        description="At least 10 characters, not the account name (SPEC §4.1).",
    ),
]
Reason = Annotated[
    str | None,
    Field(max_length=LONGEST[FREE], description="Why: recorded in the account directory."),
]


class AccountIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    name: str = Field(pattern=ACCOUNT_NAME, examples=["u-P0003"])
    password: Password
    admin: bool = False
    actors: dict[str, str] = Field(
        default_factory=dict, examples=[{"2025-group-party-org": "u-P0003"}]
    )
    reason: Reason = None


class PasswordIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    password: Password
    current_password: str | None = Field(
        None,
        max_length=LONGEST_PASSWORD,
        description="Required to change your own password (an admin too); an admin resets "
        "another account's without it.",
    )
    reason: Reason = None


class AdminIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    admin: bool = Field(description="true grants admin, false revokes it.")
    reason: Reason = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    reason: Reason = None


class BindingIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    actor: str = Field(min_length=1, max_length=LONGEST[ID], examples=["u-P0003"])
    reason: Reason = None


# ---- cycles ------------------------------------------------------------------------


class CycleHeaderIn(BaseModel):
    model_config = ConfigDict(strict=True)

    id: str = Field(pattern=CYCLE_ID, examples=["2026-town"])
    scheme: Literal[SCHEME_IDS]  # type: ignore[valid-type]
    year: int = Field(0, ge=MIN_YEAR, le=MAX_YEAR, examples=[2026])
    title: str = Field(
        "", max_length=LONGEST[NAME], examples=["2026年度镇街领导班子抓基层党建工作考核"]
    )
    run_by: str | None = Field(
        None,
        min_length=1,
        max_length=LONGEST[ID],
        description="The id of the organisation that runs the cycle (SPEC §9), optional.",
        examples=["SW"],
    )


class ActorIn(BaseModel):
    model_config = ConfigDict(strict=True)

    id: str = Field(min_length=1, max_length=LONGEST[ID])
    role: Literal[ROLES]  # type: ignore[valid-type]
    unit: str | None = Field(None, description="For role `unit`: the unit it is bound to.")
    body: str | None = Field(
        None, description="For role `assessor` (leadership-team): the body whose items it scores."
    )


class UnitIn(BaseModel):
    model_config = ConfigDict(strict=True)

    id: str = Field(min_length=1, max_length=LONGEST[ID])
    name: str | None = None
    category: str | None = None
    parent: str | None = Field(
        None,
        min_length=1,
        max_length=LONGEST[ID],
        description="The id of its superior organisation (SPEC §9), optional.",
    )


class SeasonHeaderIn(BaseModel):
    """A season file (SPEC §5) without actions: actions come through `/actions`,
    each by the actor the caller's account holds."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "format": "assess-season/1",
                    "cycle": {"id": "2026-town", "scheme": "leadership-team", "year": 2026},
                    "rules": {"quotas": {"town": {"top": 1, "bottom": 1}}},
                    "actors": [
                        {"id": "od", "role": "org_dept"},
                        {"id": "u-T01", "role": "unit", "unit": "T01"},
                    ],
                    "units": [{"id": "T01", "name": "城关镇", "category": "town"}],
                }
            ]
        },
    )

    format: Literal["assess-season/1"]
    cycle: CycleHeaderIn
    rules: dict[str, Any] = Field(default_factory=dict)
    actors: list[ActorIn] = Field(default_factory=list, max_length=100_000)
    units: list[UnitIn] = Field(default_factory=list, max_length=100_000)

    def as_season(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CycleSummary(BaseModel):
    """A cycle in a listing. One whose stored events cannot be read is listed with stage
    `corrupt`, the reason in `error`, and what its first event says (if readable)."""

    cycle: str = Field(examples=["2025-group-party-org"])
    scheme: str | None = Field(examples=["group-party-org"])
    year: int | None
    title: str
    stage: Literal[(*STAGES, "corrupt")]  # type: ignore[valid-type]
    version: int | None = Field(description="Latest results version; null while scoring is open.")
    events: int | None = Field(description="Events stored for the cycle (null: corrupt).")
    error: str | None = Field(None, description="Why a `corrupt` cycle cannot be read.")


class VersionOut(BaseModel):
    version: int
    position: int = Field(description="Event position that created the version.")
    recorded: str
    digest: str


class CountsOut(BaseModel):
    """Counted over what the caller may read (SPEC §4); null: not the caller's to count."""

    units: int
    actors: int | None = Field(description="Null unless the caller reads everything.")
    items: int
    vetoes: int | None = Field(
        description="Null for a unit or rater account before results are published."
    )
    appeals: dict[str, int] | None = Field(
        description="A unit account counts its own unit's appeals; null for a rater.",
        examples=[{"pending": 0, "upheld": 1, "dismissed": 1}],
    )


class ViewerOut(BaseModel):
    account: str
    actor: str | None = Field(description="The actor the account holds in this cycle.")
    role: str | None
    unit: str | None


class CycleDetail(BaseModel):
    """A cycle that reads (a corrupt one is refused as `integrity`), in full."""

    cycle: str = Field(examples=["2025-group-party-org"])
    scheme: str = Field(examples=["group-party-org"])
    year: int
    title: str
    stage: Literal[STAGES]  # type: ignore[valid-type]
    version: int | None = Field(description="Latest results version; null while scoring is open.")
    events: int = Field(description="Events stored for the cycle.")
    versions: list[VersionOut]
    counts: CountsOut
    viewer: ViewerOut


# ---- actions -----------------------------------------------------------------------


SCALAR_SCHEMAS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    Decimal: {"type": "number"},
}


def _schema_of(kind: Any, doc: Doc) -> dict[str, Any]:
    """The JSON schema of a declared type; the Doc's choices and bounds apply to its leaves."""
    options = union_options(kind)
    if len(options) > 1:
        return {"anyOf": [_schema_of(option, doc) for option in options]}
    if get_origin(kind) is list:
        return {"type": "array", "items": _schema_of(get_args(kind)[0], doc)}
    if get_origin(kind) is dict:
        return {"type": "object", "additionalProperties": _schema_of(get_args(kind)[1], doc)}
    if dataclasses.is_dataclass(kind):
        assert isinstance(kind, type)
        return _object_schema(kind)
    schema = dict(SCALAR_SCHEMAS[kind])
    choices = [choice for choice in doc.choices if type(choice) is kind]
    if choices:
        schema["enum"] = choices
    if kind is Decimal:
        bounds = {"minimum": doc.minimum, "maximum": doc.maximum}
        schema.update({key: bound for key, bound in bounds.items() if bound is not None})
    return schema


def _object_schema(shape: type) -> dict[str, Any]:
    declared = declared_fields(shape)
    return {
        "type": "object",
        "description": (shape.__doc__ or "").strip(),
        "properties": {
            name: {"description": field.doc.text, **_schema_of(field.kind, field.doc)}
            for name, field in declared.items()
        },
        "required": [name for name, field in declared.items() if field.required],
    }


def _example_of(shape: type[Action]) -> dict[str, Any]:
    shown = set(shape.example_fields)
    return {
        "do": shape.do,
        **{
            name: field.doc.example
            for name, field in declared_fields(shape).items()
            if field.required or name in shown
        },
    }


def _document_verb(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A verb's schema lists the fields the domain requires, and one example."""
    if "do" not in model.model_fields:
        return
    (verb,) = get_args(model.model_fields["do"].annotation)
    shape = VERBS[verb]
    required = [name for name, field in declared_fields(shape).items() if field.required]
    schema["required"] = ["do", *required]
    schema["examples"] = [_example_of(shape)]


class ActionBase(BaseModel):
    """One action (SPEC §5) without `by`: the actor is the one your account holds in
    the cycle. A `by` that names another actor is refused (422)."""

    # The verb's fields are documented, not validated here: the domain reads them (exact
    # numbers, SPEC §3's order of checks), so what it refuses gets the same status as in
    # a season file. Fields a verb does not take still pass through.
    model_config = ConfigDict(strict=True, extra="allow", json_schema_extra=_document_verb)

    do: str = Field(description="The verb.")
    by: str | None = Field(None, description="Optional; must equal your actor if given.")
    at: str | None = Field(None, description="ISO date or date-time of the act.")

    def as_action(self, actor: str) -> dict[str, Any]:
        # Every field as sent, nulls too: a misspelt field is refused even when null.
        return {**self.model_dump(exclude_unset=True), "by": actor}


def _verb_model(verb: str, shape: type[Action]) -> type[ActionBase]:
    """The request model of one verb, generated from its declaration in the domain."""
    fields: dict[str, Any] = {
        name: (
            Any,
            Field(
                None,
                description=field.doc.text,
                examples=[field.doc.example],
                json_schema_extra=_schema_of(field.kind, field.doc),
            ),
        )
        for name, field in declared_fields(shape).items()
        if name not in ActionBase.model_fields
    }
    return create_model(
        f"{shape.__name__}Action",
        __base__=ActionBase,
        __doc__=shape.__doc__,
        do=(Literal[verb], Field(description="The verb.")),  # type: ignore[arg-type]
        **fields,
    )


VERB_MODELS: dict[str, type[ActionBase]] = {
    verb: _verb_model(verb, shape) for verb, shape in VERBS.items()
}
if TYPE_CHECKING:
    ActionIn = ActionBase
else:  # one model per verb, chosen by `do`
    ActionIn = Annotated[Union[tuple(VERB_MODELS.values())], Field(discriminator="do")]  # noqa: UP007


class ActionBatchIn(BaseModel):
    """Several actions, applied atomically: all are stored, or none."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"actions": [SCORE, {**SCORE, "unit": "P0004"}]}]},
    )

    actions: list[ActionIn] = Field(min_length=1, max_length=10_000)


def _batch_or_one(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "actions" in value else "action"


ActionsIn = Annotated[
    Annotated[ActionIn, Tag("action")] | Annotated[ActionBatchIn, Tag("batch")],
    Discriminator(_batch_or_one),
]


class AppliedOut(BaseModel):
    cycle: str
    events: int = Field(description="Events stored by this request.")
    stage: str
    version: int | None = Field(description="Latest results version after the batch.")
    position: int = Field(description="Position of the cycle's last event.")


# ---- results -------------------------------------------------------------------------


class ResultRow(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ROW]})

    unit: str
    name: str
    category: str
    components: dict[str, str]
    score: str
    extra: str
    final: str
    rank: int
    category_rank: int
    grade: str
    grade_label: str
    vetoed: bool
    capped: bool


class ResultsPage(BaseModel):
    """SPEC §6 results of one version; `results` is one page of the rows the caller may
    see, `total` counts them all; `digest` is that of the whole version."""

    cycle: str
    scheme: str
    version: int
    digest: str
    total: int
    offset: int
    limit: int
    results: list[ResultRow]


# ---- audit and appeals -------------------------------------------------------------------


class AttachmentOut(BaseModel):
    sha256: str = Field(description="SHA-256 of the file's bytes: the event's hash covers it.")
    name: str
    media_type: str
    size: int


class AuditRowOut(BaseModel):
    position: int
    recorded: str
    at: str | None
    actor: str
    role: str
    account: str | None = Field(
        description="The account that submitted it (None: recorded before accounts were)."
    )
    request: str | None = Field(
        None,
        description="The `Idempotency-Key` of the request that stored it, if it named one: "
        "a retry answered from the store adds no event.",
    )
    verb: str
    summary: str
    reason: str
    chain: str
    attachments: list[AttachmentOut] = Field(
        default_factory=list,
        description="The evidence files the event attaches (GET /cycles/{id}/files/{sha256}).",
    )


class AuditPage(BaseModel):
    cycle: str
    total: int
    offset: int
    limit: int
    rows: list[AuditRowOut]


class AppealOut(BaseModel):
    appeal: str
    unit: str
    status: Literal["pending", "upheld", "dismissed"]
    reason: str
    filed_by: str
    filed_at: str | None
    recorded: str
    position: int


class ResolutionOut(BaseModel):
    outcome: Literal["upheld", "dismissed"]
    answer: str
    corrections: list[dict[str, Any]]
    version: int | None = Field(description="Results version created by the corrections.")
    resolved_by: str
    resolved_at: str | None
    recorded: str
    position: int


class UnitResultOut(BaseModel):
    version: int
    digest: str
    row: ResultRow | None


class CauseOut(BaseModel):
    position: int
    verb: str
    actor: str
    account: str | None = Field(description="The account that submitted it.")
    at: str | None
    summary: str
    reason: str


class InputOut(CauseOut):
    role: str
    data: dict[str, Any]


class FindingOut(CauseOut):
    findings: str


class CaseFileAttachmentOut(AttachmentOut):
    position: int = Field(description="The first event of the case file that attaches it.")


class CaseFileOut(BaseModel):
    """Everything an appeal review needs, in one document."""

    cycle: str
    appeal: AppealOut
    results_at_publication: UnitResultOut = Field(description="The unit's published figures.")
    results_after_resolution: UnitResultOut | None
    current: UnitResultOut = Field(description="The unit's figures in the latest version.")
    inputs: list[InputOut] = Field(
        description="The events behind the published figures, with who and when."
    )
    supervision: list[FindingOut] = Field(description="Supervision findings on the unit.")
    events: list[AuditRowOut] = Field(description="Every event that touched the unit.")
    files: list[CaseFileAttachmentOut] = Field(
        description="Every evidence file those events attach, once, with the first position."
    )
    resolution: ResolutionOut | None


class VerificationOut(BaseModel):
    cycle: str
    ok: bool
    events: int
    versions: int
    digests_matched: int
    snapshots_checked: int
    files_checked: int = Field(
        description="Attached evidence files found and hashing to their recorded digests."
    )
    head: str = Field(description="The chain of the last event verified.")
    failure: str | None
    position: int | None
    expected_head_at: int | None = Field(
        None, description="With `expect_head`: the event whose chain it is (null: none)."
    )


class UnitChangeOut(BaseModel):
    unit: str
    name: str
    changes: dict[str, list[Any]] = Field(
        description="field -> [before, after]; components as `components.<name>`."
    )
    events: list[CauseOut] = Field(
        default_factory=list, description="The events between the versions that touched it."
    )
    knock_on: bool = Field(
        default=False, description="True when no event touched the unit: others moved it."
    )


class VersionPointOut(BaseModel):
    version: int
    digest: str
    position: int


class DiffOut(BaseModel):
    """Per unit, what changed between two results versions and which events caused it."""

    cycle: str
    from_: VersionPointOut = Field(alias="from")
    to: VersionPointOut
    changes: list[UnitChangeOut]


class PreviewIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "corrections": [{"kind": "score", "item": "K02", "value": 99}],
                    "outcome": "upheld",
                }
            ]
        }
    )

    corrections: list[dict[str, Any]] = Field(
        default_factory=list,
        description="As in resolve_appeal; the unit defaults to the appellant.",
    )
    outcome: Literal["upheld", "dismissed"] = "upheld"


class PreviewOut(BaseModel):
    """A dry run of resolve_appeal: nothing is stored."""

    cycle: str
    appeal: str
    unit: str
    from_version: int
    before: ResultRow
    after: ResultRow
    changes: list[UnitChangeOut] = Field(description="The appellant and every knock-on change.")
    stored: Literal[False] = False


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"


# ---- structure and to-do (SPEC §6.1) ---------------------------------------------------


class StructureUnitOut(BaseModel):
    unit: str
    name: str
    category: str
    parent: str | None = Field(description="Superior organisation (SPEC §9); null if none.")


class StructureItemOut(BaseModel):
    item: str
    title: str | None
    kind: str | None
    weight: int | None = Field(description="performance-evaluation only.")
    body: str | None = Field(description="leadership-team only: the body that scores it.")
    applies_to: str | list[str] | None
    declared_by: str | None = Field(description="The unit that declared an elective item.")


class StructureActorOut(BaseModel):
    actor: str
    role: str
    unit: str | None
    body: str | None
    retired: bool


class StructureOut(BaseModel):
    """SPEC §6.1: what the cycle asks for; lists ordered by id, absent values null."""

    cycle: str
    scheme: str
    year: int | None
    title: str | None
    run_by: str | None
    stage: str
    units: list[StructureUnitOut]
    items: list[StructureItemOut]
    actors: list[StructureActorOut] | None = Field(
        description="Only for the roles that read everything (and admins); else null."
    )


class TodoEntryOut(BaseModel):
    unit: str
    component: str | None = None
    item: str | None = None
    method: str | None = None


class TodoOut(BaseModel):
    """SPEC §6.1: what close_scoring would miss that this actor may submit now."""

    cycle: str
    actor: str
    stage: str
    missing: list[TodoEntryOut]


# ---- organisation tree and history (SPEC §9) ------------------------------------------


class TreeCycleOut(BaseModel):
    cycle: str = Field(examples=["2025-city"])
    scheme: str = Field(examples=["leadership-team"])
    title: str | None
    run_by: str | None = Field(description="The organisation that runs the cycle; null if none.")
    stage: str
    version: int | None = Field(description="Latest results version; null before results.")
    units: int = Field(description="The number of units.")
    grades: dict[str, int] = Field(
        description="Units per grade (tier) code in the latest version, best first; {} "
        "before results.",
        examples=[{"excellent": 1, "good": 2, "average": 1}],
    )
    below: list[str] = Field(
        description="That year's cycles run by one of this cycle's units, ordered by id "
        "(those you may read).",
        examples=[["2025-ZJ01", "2025-ZJ02"]],
    )


class TreeOut(BaseModel):
    """SPEC §9: a year's cycles you may read, ordered by id, and which runs which."""

    year: int
    cycles: list[TreeCycleOut]


class HistoryEntryOut(BaseModel):
    year: int = Field(description="The cycle's year (0: not given).")
    cycle: str
    scheme: str
    name: str = Field(description="The unit's name in that cycle.")
    category: str
    version: int = Field(description="The cycle's latest results version.")
    stage: str
    final: str = Field(examples=["93.28"])
    rank: int
    category_rank: int
    grade: str = Field(examples=["excellent"])
    grade_label: str = Field(examples=["优秀"])
    vetoed: bool


class HistoryOut(BaseModel):
    """SPEC §9: a unit across cycles and years: one entry per cycle that holds it and has
    results (and whose row for it you may read), ordered by year, then cycle."""

    unit: str
    entries: list[HistoryEntryOut]


class DirectoryEventOut(BaseModel):
    """SPEC §4.1: one event of the account directory, with its hash-chain link."""

    position: int
    recorded: str
    event: str
    by: str
    reason: str | None
    data: dict[str, Any]
    chain: str


class StatsFiguresOut(BaseModel):
    """Over the units not vetoed; all null when there is none."""

    min: str | None
    max: str | None
    mean: str | None
    median: str | None
    stdev: str | None


class StatsQuotaOut(BaseModel):
    top: int
    bottom: int
    top_given: int
    bottom_given: int


class StatsCategoryOut(BaseModel):
    category: str = Field(description="`*` for all units, then each category.")
    units: int
    grades: dict[str, int]
    final: StatsFiguresOut
    quota: StatsQuotaOut | None = Field(
        default=None, description="leadership-team only: quota and units given 优秀/一般."
    )


class StatsSubmitterOut(BaseModel):
    actor: str
    role: str
    key: str
    count: int
    mean: str
    overall_mean: str
    lean: str


class StatsGapOut(BaseModel):
    unit: str
    self: str
    others: str
    gap: str


class StatsOut(BaseModel):
    """SPEC §10: statistics of a results version."""

    cycle: str
    version: int
    digest: str
    categories: list[StatsCategoryOut]
    submitters: list[StatsSubmitterOut]
    self_gaps: list[StatsGapOut]
