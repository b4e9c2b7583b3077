"""Every verb's fields, declared once (SPEC §2, §3, §5): one frozen dataclass per verb.

`VERBS` maps each verb to its declaration. The domain reads an action's fields only
through `Act` (domain/actions.py), which refuses to read a field the verb does not
declare; the HTTP API derives its request models and OpenAPI from the same classes.
A field that only some schemes take is optional here, and its text says which scheme
requires it. (No annotations import: `Annotated` stays a live object for `fields.py`.)
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from assess.domain.attachments import MEDIA_TYPES, MOST_PER_ACTION
from assess.domain.fields import Doc
from assess.domain.policy import ROLES
from assess.domain.rules import DEFAULTS
from assess.domain.schemes import LEADERSHIP_TEAM, PERFORMANCE_EVALUATION
from assess.domain.schemes import group_party_org as gpo
from assess.domain.schemes import leadership_team as lt
from assess.domain.schemes import performance_evaluation as pe
from assess.domain.texts import FREE, ID, NAME

SUPERVISION_METHODS = ("meeting", "site_visit", "ledger_review")
VETO_BASES = ("criticized_by_superior", "serious_dereliction", "other")
OUTCOMES = ("upheld", "dismissed")
CORRECTION_KINDS = ("score", "ballots", "revoke_veto", "remove_cap")
FIXED_POINT_LABELS = tuple(DEFAULTS[PERFORMANCE_EVALUATION]["score_points"])
DEBRIEF_RATINGS = tuple(DEFAULTS[LEADERSHIP_TEAM]["debrief_points"])
AWARD_KEYS = tuple(DEFAULTS[LEADERSHIP_TEAM]["award_points"])

VERBS: dict[str, type["Action"]] = {}


# ---- fields that several verbs take ------------------------------------------------------

Unit = Annotated[str, Doc("The unit acted on.", "P0003", text_kind=ID)]
OwnUnit = Annotated[
    str | None,
    Doc("The unit acted on; a unit actor's own unit when absent.", "P0003", text_kind=ID),
]
Title = Annotated[str, Doc("A title.", "党建工作责任制落实情况", text_kind=NAME)]
Reason = Annotated[str, Doc("Why, in words.", "材料补交后复核", text_kind=FREE)]
OptionalReason = Annotated[
    str | None, Doc("Why, in words (optional).", "材料补交后复核", text_kind=FREE)
]
Weight = Annotated[int, Doc("The item's weight.", 5, choices=pe.WEIGHTS)]
Level = Annotated[str, Doc("The level of the commendation or criticism.", "provincial", gpo.LEVELS)]
Adjustment = Annotated[str, Doc("The adjustment's id.", "ADJ-1", text_kind=ID)]
Score = Decimal | str
Ballot = Decimal | str
ScoreValue = Annotated[
    Score | None,
    Doc(
        "The score 0–100 (group-party-org: or give `deductions`); in performance-evaluation"
        " one of the fixed points 100/85/70/40 or its label 优/良/中/差.",
        87.5,
        FIXED_POINT_LABELS,
        minimum=0,
        maximum=100,
    ),
]
Component = Annotated[
    str | None,
    Doc("group-party-org: the component scored.", "year_end", gpo.COMPONENTS),
]
ScoredItem = Annotated[
    str | None, Doc("leadership-team, performance-evaluation: the item.", "K01", text_kind=ID)
]
Method = Annotated[
    str | None,
    Doc("performance-evaluation: the method, one per role.", "org", pe.METHODS),
]
BALLOTS = Doc(
    "leadership-team: ballots 0–100 (democratic_self, democratic_staff) or debrief"
    " ratings 好/较好/一般/差 (debrief).",
    [90, 85.5],
    DEBRIEF_RATINGS,
    minimum=0,
    maximum=100,
)
BallotComponent = Annotated[
    str,
    Doc(
        "The ballot set: democratic_self or democratic_staff (municipal), debrief (town).",
        "democratic_staff",
        ("democratic_self", "democratic_staff", "debrief"),
    ),
]
Condition = Annotated[str, Doc("The cap condition.", "core_indicators", gpo.CAP_CONDITIONS)]


@dataclass(frozen=True, kw_only=True)
class Deduction:
    """One entry of the negative list (负面清单): value = max(0, 100 − Σ points)."""

    area: Annotated[str, Doc("The area of the negative list.", "conduct", gpo.DEDUCTION_AREAS)]
    points: Annotated[
        Decimal, Doc("Points deducted: more than 0, at most 100.", 2.5, minimum=0, maximum=100)
    ]
    reason: Reason


Deductions = Annotated[
    list[Deduction] | None,
    Doc(
        "group-party-org: instead of `value`, deductions on the negative list.",
        [{"area": "conduct", "points": 2.5, "reason": "台账不全"}],
    ),
]


@dataclass(frozen=True, kw_only=True)
class Correction:
    """One correction of an upheld appeal: a score, a ballot set, a veto or a cap."""

    kind: Annotated[str, Doc("What is corrected.", "score", CORRECTION_KINDS)]
    unit: Annotated[
        str | None,
        Doc("The appellant's unit (the default; no other may be given).", "P0003", text_kind=ID),
    ] = None
    component: Component = None
    item: ScoredItem = None
    method: Method = None
    value: ScoreValue = None
    deductions: Deductions = None
    ballots: Annotated[list[Ballot] | None, BALLOTS] = None
    condition: Annotated[str | None, Doc("remove_cap: the condition.", "core_indicators")] = None


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """An evidence file (佐证材料) uploaded before the action names it (`assess attach`,
    `POST /cycles/{id}/files`): its digest, name, type and size as the upload told them."""

    sha256: Annotated[
        str, Doc("SHA-256 of the file's bytes, in hex.", "9f86d081884c7d65" + "0" * 48)
    ]
    name: Annotated[
        str, Doc("The file's name, shown and downloaded.", "表彰通报.pdf", text_kind=NAME)
    ]
    media_type: Annotated[
        str, Doc("The file's type, as found in its content.", "application/pdf", tuple(MEDIA_TYPES))
    ]
    size: Annotated[int, Doc("The file's size in bytes.", 183204, minimum=1)]


Attachments = Annotated[
    list[Attachment] | None,
    Doc(
        f"Evidence files uploaded before (at most {MOST_PER_ACTION}); the event records them.",
        [
            {
                "sha256": "9f86d081884c7d65" + "0" * 48,
                "name": "表彰通报.pdf",
                "media_type": "application/pdf",
                "size": 183204,
            }
        ],
    ),
]


# ---- the verbs (SPEC §3, in the table's order) -------------------------------------------
# A verb that creates something names its id first; a unit's own unit, optional, comes last.


@dataclass(frozen=True, kw_only=True)
class Action:
    """What every action carries besides its verb (`do`)."""

    do: ClassVar[str]
    # Optional fields shown in the verb's example besides the required ones.
    example_fields: ClassVar[tuple[str, ...]] = ()
    by: Annotated[str | None, Doc("The acting actor's id.", "od")] = None
    at: Annotated[str | None, Doc("ISO date or date-time of the act.", "2025-12-01")] = None

    def __init_subclass__(cls, verb: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        assert verb and verb not in VERBS, f"{cls.__name__} needs its own verb"
        cls.do = verb
        VERBS[verb] = cls


def _fieldless(verb: str, doc: str) -> type[Action]:
    """A verb that takes no field besides `by` and `at`."""
    name = "".join(part.title() for part in verb.split("_"))
    return dataclass(frozen=True, kw_only=True)(type(name, (Action,), {"__doc__": doc}, verb=verb))


@dataclass(frozen=True, kw_only=True)
class AddUnit(Action, verb="add_unit"):
    """A unit joins the cycle while it is a draft."""

    example_fields = ("id", "name", "category")

    id: Annotated[
        str | None, Doc("The new unit's id (or give it as `unit`).", "P0017", text_kind=ID)
    ] = None
    unit: Annotated[
        str | None, Doc("The new unit's id, when `id` is absent.", "P0017", text_kind=ID)
    ] = None
    name: Annotated[
        str | None, Doc("Its name; its id when absent.", "第十七党委", text_kind=NAME)
    ] = None
    category: Annotated[
        str | None,
        Doc("Its category; leadership-team: town or municipal.", "town", lt.CATEGORIES),
    ] = None
    parent: Annotated[
        str | None,
        Doc(
            "The id of its superior organisation (SPEC §9), optional; not the unit itself.",
            "JT01",
            text_kind=ID,
        ),
    ] = None


@dataclass(frozen=True, kw_only=True)
class AddActor(Action, verb="add_actor"):
    """An actor joins the cycle (until it closes): a new id, a role, and for a unit its unit."""

    example_fields = ("unit",)

    actor: Annotated[str, Doc("The new actor's id.", "u-P0017", text_kind=ID)]
    role: Annotated[str, Doc("Its role.", "unit", ROLES)]
    unit: Annotated[
        str | None,
        Doc("role unit (required): the existing unit it acts for.", "P0017", text_kind=ID),
    ] = None
    body: Annotated[
        str | None,
        Doc("role assessor (optional): its body; leadership-team: one of the bodies.", "org_dept"),
    ] = None


@dataclass(frozen=True, kw_only=True)
class RetireActor(Action, verb="retire_actor"):
    """An actor leaves: its later actions are refused, its earlier events stand."""

    actor: Annotated[str, Doc("The actor's id.", "u-P0017", text_kind=ID)]
    reason: Reason


@dataclass(frozen=True, kw_only=True)
class DefineItem(Action, verb="define_item"):
    """An item (indicator) of leadership-team or performance-evaluation."""

    example_fields = ("body", "applies_to")

    item: Annotated[str, Doc("The new item's id.", "K01", text_kind=ID)]
    title: Title
    kind: Annotated[
        str,
        Doc(
            "leadership-team: basic or key; performance-evaluation: mandatory or instant"
            " (instant items may be defined until scoring).",
            "key",
            (*lt.ITEM_KINDS, *pe.DEFINED_KINDS),
        ),
    ]
    body: Annotated[
        str | None,
        Doc("leadership-team (required): the body that scores it.", "org_dept", lt.BODIES),
    ] = None
    applies_to: Annotated[
        str | list[str] | None,
        Doc(
            "leadership-team (required): town, municipal or all; performance-evaluation:"
            " all (the default) or a list of unit ids.",
            "all",
        ),
    ] = None
    weight: Annotated[
        int | None, Doc("performance-evaluation (required): the weight.", 5, pe.WEIGHTS)
    ] = None


PublishItems = _fieldless(
    "publish_items", "年初定项: the items are fixed and the cycle is in progress."
)


@dataclass(frozen=True, kw_only=True)
class DeclareItem(Action, verb="declare_item"):
    """performance-evaluation: a unit declares an elective item for itself."""

    item: Annotated[str, Doc("The new item's id.", "E01", text_kind=ID)]
    title: Title
    weight: Weight
    unit: OwnUnit = None


@dataclass(frozen=True, kw_only=True)
class RecordSupervision(Action, verb="record_supervision"):
    """年中督查: an assessor's findings on a unit."""

    unit: Unit
    method: Annotated[str, Doc("How it was supervised.", "site_visit", SUPERVISION_METHODS)]
    findings: Annotated[str, Doc("What was found.", "台账完整", text_kind=FREE)]
    item: Annotated[str | None, Doc("The item concerned (optional).", "K01", text_kind=ID)] = None

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class DeclareInnovation(Action, verb="declare_innovation"):
    """leadership-team: a unit declares innovation work."""

    innovation: Annotated[str, Doc("The new innovation's id.", "INN-1", text_kind=ID)]
    title: Title
    unit: OwnUnit = None


@dataclass(frozen=True, kw_only=True)
class ClaimCommendation(Action, verb="claim_commendation"):
    """group-party-org: a unit claims a commendation, with evidence."""

    claim: Annotated[str, Doc("The new claim's id.", "CL-1", text_kind=ID)]
    level: Level
    title: Title
    evidence: Annotated[
        str, Doc("Where the commendation is documented.", "省委组织部通报", text_kind=FREE)
    ]
    unit: OwnUnit = None

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class ConfirmCommendation(Action, verb="confirm_commendation"):
    """group-party-org: an assessor confirms a claimed commendation."""

    claim: Annotated[str, Doc("The claim's id.", "CL-1", text_kind=ID)]


@dataclass(frozen=True, kw_only=True)
class RecordCriticism(Action, verb="record_criticism"):
    """group-party-org: an assessor records a criticism."""

    unit: Unit
    level: Level
    title: Title

    attachments: Attachments = None


OpenAssessment = _fieldless("open_assessment", "年终考核: scoring opens.")


@dataclass(frozen=True, kw_only=True)
class SubmitScore(Action, verb="submit_score"):
    """One score; a later one for the same unit, component or item, and method replaces it."""

    example_fields = ("unit", "component", "value")

    unit: OwnUnit = None
    component: Component = None
    item: ScoredItem = None
    method: Method = None
    value: ScoreValue = None
    deductions: Deductions = None


@dataclass(frozen=True, kw_only=True)
class SubmitSheet(Action, verb="submit_sheet"):
    """leadership-team, performance-evaluation: one unit's scores, item by item."""

    example_fields = ("unit", "method")

    unit: OwnUnit = None
    method: Method = None
    scores: Annotated[
        dict[str, Score],
        Doc(
            "Item id → score, as `value` of submit_score.",
            {"G1": 100, "G2": 85},
            FIXED_POINT_LABELS,
            minimum=0,
            maximum=100,
        ),
    ]


@dataclass(frozen=True, kw_only=True)
class SubmitBallots(Action, verb="submit_ballots"):
    """leadership-team: a set of ballots; it replaces the submitter's earlier set."""

    unit: OwnUnit = None
    component: BallotComponent
    ballots: Annotated[list[Ballot], BALLOTS]


@dataclass(frozen=True, kw_only=True)
class RecordAward(Action, verb="record_award"):
    """leadership-team: the unit's annual evaluation award."""

    unit: Unit
    award: Annotated[str, Doc("The award (a key of rules.award_points).", "first", AWARD_KEYS)]


@dataclass(frozen=True, kw_only=True)
class RecognizeInnovation(Action, verb="recognize_innovation"):
    """leadership-team: an assessor recognises declared innovation work."""

    innovation: Annotated[str, Doc("The innovation's id.", "INN-1", text_kind=ID)]
    basis: Annotated[
        str, Doc("What the recognition rests on.", "commendation", lt.INNOVATION_BASES)
    ]


@dataclass(frozen=True, kw_only=True)
class ApplyCap(Action, verb="apply_cap"):
    """group-party-org: a cap condition; the unit cannot be `good`."""

    unit: Unit
    condition: Condition
    reason: OptionalReason = None


@dataclass(frozen=True, kw_only=True)
class ApplyVeto(Action, verb="apply_veto"):
    """一票否决: the unit's final is 0.00 and it ranks last."""

    unit: Unit
    basis: Annotated[str, Doc("The ground of the veto.", "serious_dereliction", VETO_BASES)]
    reason: Reason

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class RevokeVeto(Action, verb="revoke_veto"):
    """The veto is undone."""

    unit: Unit
    reason: Reason


CloseScoring = _fieldless("close_scoring", "Scoring closes: results version 1.")


@dataclass(frozen=True, kw_only=True)
class CorrectScore(Action, verb="correct_score"):
    """A correction in review: the payload of submit_score or submit_ballots, and a reason."""

    example_fields = ("component", "value")

    reason: Reason
    unit: Unit
    component: Annotated[
        str | None,
        Doc("group-party-org: the component; leadership-team: the ballot set.", "year_end"),
    ] = None
    item: ScoredItem = None
    method: Method = None
    value: ScoreValue = None
    deductions: Deductions = None
    ballots: Annotated[list[Ballot] | None, BALLOTS] = None

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class ProposeAdjustment(Action, verb="propose_adjustment"):
    """performance-evaluation: 实绩分析, a signed delta to the unit's final."""

    unit: Unit
    adjustment: Annotated[str, Doc("The new adjustment's id.", "ADJ-1", text_kind=ID)]
    delta: Annotated[
        Decimal,
        Doc("Points added (negative: taken off), −100…100.", -2.5, minimum=-100, maximum=100),
    ]
    reason: Reason

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class ApproveAdjustment(Action, verb="approve_adjustment"):
    """performance-evaluation: the leading group approves an adjustment."""

    adjustment: Adjustment


@dataclass(frozen=True, kw_only=True)
class RejectAdjustment(Action, verb="reject_adjustment"):
    """performance-evaluation: the leading group rejects an adjustment."""

    adjustment: Adjustment
    reason: OptionalReason = None


ApproveResults = _fieldless(
    "approve_results", "审定: the leading group approves the latest results version."
)

PublishResults = _fieldless("publish_results", "反馈: the results are published and appeals open.")


@dataclass(frozen=True, kw_only=True)
class FileAppeal(Action, verb="file_appeal"):
    """A unit appeals its published results, within the appeal window."""

    example_fields = ("unit",)

    unit: OwnUnit = None
    appeal: Annotated[str, Doc("The new appeal's id.", "AP-1", text_kind=ID)]
    reason: Reason

    attachments: Attachments = None


@dataclass(frozen=True, kw_only=True)
class ResolveAppeal(Action, verb="resolve_appeal"):
    """An appeal is upheld (with corrections, if any) or dismissed."""

    example_fields = ("corrections",)

    appeal: Annotated[str, Doc("The appeal's id.", "AP-1", text_kind=ID)]
    outcome: Annotated[str, Doc("The decision.", "upheld", OUTCOMES)]
    answer: Annotated[str, Doc("The answer to the unit.", "复核后更正", text_kind=FREE)]
    corrections: Annotated[
        list[Correction] | None,
        Doc(
            "Upheld only: corrections for the appellant's unit.",
            [{"kind": "score", "component": "year_end", "value": 90}],
        ),
    ] = None

    attachments: Attachments = None


CloseCycle = _fieldless("close_cycle", "The cycle closes; no appeal may be pending.")
