"""Typed result models: the single source of the output shape.

These follow ``CONTRACT.md`` field for field (names and values are what the
evaluation and integrators read); extra fields are additions, never renames.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

TOPIC_LABELS: tuple[str, ...] = (
    "complaints_misconduct", "sexual_misconduct", "sexual_offences", "domestic_abuse_vawg",
    "violent_crime_weapons", "drugs", "hate_crime", "crime_statistics", "stop_search_force",
    "custody", "roads_vehicles", "workforce_hr", "finance_procurement_it",
    "technology_surveillance", "calls_operations", "safeguarding_vulnerability",
    "information_governance", "counter_terrorism_security", "fraud_cyber", "other",
)

BREAKDOWN_DIMENSIONS: tuple[str, ...] = (
    "year", "month", "quarter", "week", "day", "gender", "ethnicity", "age", "nationality",
    "religion", "disability", "sexual_orientation", "rank_role", "department_unit", "location",
    "offence_type", "outcome", "individual_record",
)

EXEMPTION_SECTIONS: tuple[str, ...] = (
    "s12", "s14", "s21", "s22", "s23", "s24", "s26", "s27", "s30", "s31", "s32", "s36",
    "s38", "s40", "s41", "s42", "s43", "s44",
)

Dimension = Literal[BREAKDOWN_DIMENSIONS]  # type: ignore[valid-type]
TopicLabel = Literal[TOPIC_LABELS]  # type: ignore[valid-type]

MAX_TEXT_CHARS = 100_000


class DateSpan(BaseModel):
    """A period asked about, normalised to an interval (``None`` = open end)."""

    text: str = Field(description="The span as written in the request.")
    start: Optional[date] = Field(description="First day of the period; null when open.")
    end: Optional[date] = Field(description="Last day of the period; null when open (to the date of the request).")
    start_char: int = Field(ge=0, description="Offset of the span in the original text.")
    end_char: int = Field(ge=0, description="End offset (exclusive) in the original text.")
    kind: str = Field("", description="How the period was written: range, since, before, year, financial_year, relative ...")


class Breakdown(BaseModel):
    """A dimension the requester wants the figures split by."""

    dimension: Dimension
    text: str = Field(description="The words that asked for it.")
    start_char: int = Field(ge=0)
    end_char: int = Field(ge=0)
    reason: str = Field("", description="Why this phrasing was read as this dimension.")


class TopicScore(BaseModel):
    label: TopicLabel
    score: float = Field(ge=0.0, le=1.0)


class Exemption(BaseModel):
    section: str = Field(pattern=r"^s\d+$", description="Base section, e.g. s40.")
    subsection: Optional[str] = Field(None, description="As written in responses, e.g. s40(5).")
    ncnd: bool = Field(False, description="Neither confirm nor deny.")
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    cited_as: Optional[str] = Field(None, description="How to cite it under the request's regime when that is not "
                                                      "FOIA, e.g. FOISA s35(1) or EIR reg 12(5)(b).")


class SimilarDisclosure(BaseModel):
    """A prior disclosure from the authority's log (``triage/disclosures.py``), best first."""

    reference: str
    title: str = ""
    score: float = Field(ge=0.0, le=1.0)
    url: Optional[str] = None
    published: Optional[date] = None
    snippet: str = Field("", description="The sentence of the earlier request (or response) sharing most with this one.")
    exemptions: list[str] = Field(default_factory=list, description="Sections the earlier response cited, e.g. s40(5).")
    ncnd: bool = Field(False, description="The earlier response neither confirmed nor denied.")
    similarity: float = Field(0.0, ge=0.0, le=1.0, description="TF-IDF cosine over title and request: the near-duplicate measure.")
    repeat_flag: Optional[Literal["s14(2)", "s21"]] = Field(
        None, description="A near-duplicate: s14(2) a possible repeat request (published recently), "
                          "s21 already answered and published.")
    repeat_reason: Optional[str] = None


class Question(BaseModel):
    number: int = Field(ge=1)
    text: str
    start: int = Field(ge=0, description="Offset into the original text.")
    end: int = Field(ge=0, description="End offset (exclusive) into the original text.")
    topics: list[TopicLabel] = Field(default_factory=list)
    dates: list[DateSpan] = Field(default_factory=list)
    breakdowns: list[Dimension] = Field(default_factory=list)
    inherited_dates: list[DateSpan] = Field(
        default_factory=list,
        description="Periods stated in the sentence introducing this question's list, which apply to it.")
    similar: list["SimilarDisclosure"] = Field(
        default_factory=list, description="Prior disclosures like this question (only when asked for per question).")


class TriageResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: Optional[str] = None
    received: Optional[date] = Field(None, description="The anchor used for relative periods.")
    questions: list[Question] = Field(default_factory=list)
    topics: list[TopicScore] = Field(default_factory=list)
    dates: list[DateSpan] = Field(default_factory=list)
    breakdowns: list[Breakdown] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    similar: list[SimilarDisclosure] = Field(default_factory=list)
    deadline: Optional[date] = None
    # case-officer signals (triage/deadline.py, request_type.py, cost.py, clarify.py, roundrobin.py)
    deadline_pit: Optional[date] = Field(None, description="The deadline if the public interest test extension "
                                                           "(a further 20 working days) is used; null when the regime has none.")
    deadline_basis: Optional["DeadlineBasis"] = None
    regime: str = Field("foia", description="foia, foisa, eir or eisr: the rules the deadline and cost limit follow.")
    request_type: Optional["RequestType"] = None
    cost_risk: Optional["CostRisk"] = None
    clarification: list["ClarificationQuestion"] = Field(default_factory=list)
    cluster: Optional[str] = Field(None, description="Batch only: the round-robin group of near-identical requests.")
    warnings: list[str] = Field(default_factory=list)
    model_version: str = ""


class TriageRequest(BaseModel):
    """One request to triage."""

    model_config = ConfigDict(extra="ignore")

    id: Optional[str] = Field(None, max_length=200)
    text: str = Field(description=f"The request as received, up to {MAX_TEXT_CHARS:,} characters.")
    received: Optional[date] = Field(None, description="Day the request arrived (ISO); defaults to today.")
    clarified: Optional[date] = Field(None, description="Day the answer to a clarification (s1(3)) arrived; "
                                                        "restarts the 20 working days.")
    regime: Optional[str] = Field(None, description="foia (default), foisa, eir or eisr.")
    # strict: the API's schema says boolean, and 0 or "yes" read as a flag would be a guess
    similar_per_question: StrictBool = Field(False, description="Also list similar past disclosures for each question.")

    @field_validator("received", "clarified", mode="before")
    @classmethod
    def _date_not_number(cls, value: object) -> object:
        # JSON has no date type: pydantic would read a number as a Unix timestamp, which no one means
        if value is not None and not isinstance(value, (str, date)):
            kind = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}
            raise ValueError(f"must be a date written YYYY-MM-DD, not {kind.get(type(value), 'that')}")
        return value


class DisclosureSearch(BaseModel):
    """``GET /v1/disclosures/search``: the prior disclosures most like ``query``, best first."""

    query: str
    k: int
    ranker: str
    results: list[SimilarDisclosure] = Field(default_factory=list)


class ErrorLine(BaseModel):
    """A batch line that could not be triaged."""

    id: Optional[str] = None
    line: int
    error: str


# ------------------------------------------------------------------ case-officer signals

RequestTypeLabel = Literal["foi", "eir", "subject_access", "not_a_request"]
CostLevel = Literal["none", "possible", "likely"]
# the only activities that count towards the cost limit (Fees Regulations 2004, reg 4(3))
CostActivity = Literal["determining", "locating", "retrieving", "extracting"]


class SkippedDay(BaseModel):
    day: date
    name: str


class DeadlineBasis(BaseModel):
    """How ``deadline`` was counted."""

    regime: str
    clock_start: date = Field(description="Received, or the day a clarification answer arrived.")
    restarted_by_clarification: bool = False
    working_days: int
    extension: Optional[str] = Field(None, description="public_interest_test (FOIA) or complex_and_voluminous (EIR).")
    extended_deadline: Optional[date] = None
    holidays_skipped: list[SkippedDay] = Field(default_factory=list)
    reason: str


class RequestPart(BaseModel):
    question: int = Field(ge=1, description="Question number.")
    type: RequestTypeLabel
    rule: str = ""
    reason: str


class RequestType(BaseModel):
    """What kind of request this is, overall and per question."""

    type: Literal["foi", "eir", "subject_access", "not_a_request", "mixed"]
    types: list[RequestTypeLabel] = Field(default_factory=list, description="The distinct types of the parts.")
    parts: list[RequestPart] = Field(default_factory=list)
    reason: str


class CostReason(BaseModel):
    rule: str
    level: Literal["weak", "possible", "likely"] = Field(
        description="How strong the sign is on its own: weak ones count only in company.")
    activity: CostActivity
    question: Optional[int] = None
    text: str = Field("", description="The words that triggered the rule.")
    reason: str


class CostRisk(BaseModel):
    """Risk that answering exceeds the cost limit (FOIA s12 / FOISA s12 / EIR manifestly unreasonable)."""

    level: CostLevel
    reasons: list[CostReason] = Field(default_factory=list)
    drivers: list[CostActivity] = Field(default_factory=list, description="Activities driving the risk, biggest first.")
    hours_estimate: Optional[float] = None
    limit_gbp: int = 450
    limit_hours: float = 18
    aggregated_with: list[str] = Field(default_factory=list,
                                       description="Batch only: ids of the same requester's requests for similar "
                                                   "information within 60 working days.")


class ClarificationQuestion(BaseModel):
    question: Optional[int] = Field(None, description="The question it is about; null for the whole request.")
    kind: Literal["no_period", "vague_scope", "undefined_term", "not_recorded_information"]
    ask: str = Field(description="What to ask the requester.")
    text: str = Field("", description="The words that prompted it.")
    rule: str = ""
    reason: str


TriageResult.model_rebuild()


# ------------------------------------------------------------------ HTTP API (triage/api.py)

MAX_BATCH_ITEMS = 100

# The values DateSpan.kind takes (written by triage/dates.py); GET /v1/labels lists them.
PERIOD_KINDS: tuple[str, ...] = (
    "day", "month", "quarter", "year", "financial_year", "academic_year", "range", "since", "after",
    "before", "snapshot", "relative",
)


class TriageBatchRequest(BaseModel):
    """``POST /v1/triage/batch``: several requests in one call."""

    requests: list[TriageRequest] = Field(
        max_length=MAX_BATCH_ITEMS,
        description=f"Up to {MAX_BATCH_ITEMS} requests, triaged in order (the whole body is still limited in bytes).")


class BatchItem(BaseModel):
    """The outcome for one request of a batch: a result, or why it could not be triaged."""

    index: int = Field(ge=0, description="Position of the request in `requests` (0-based).")
    id: Optional[str] = None
    ok: bool
    result: Optional[TriageResult] = None
    error: Optional[str] = Field(None, description="Why this request could not be triaged (when ok is false).")


class TriageBatchResult(BaseModel):
    results: list[BatchItem] = Field(default_factory=list, description="One entry per request, in order.")
    ok: int = Field(0, ge=0)
    errors: int = Field(0, ge=0)


class RegimeInfo(BaseModel):
    key: str
    name: str
    short: str


class Labels(BaseModel):
    """``GET /v1/labels``: every vocabulary a result draws its values from."""

    topics: list[str]
    breakdown_dimensions: list[str]
    period_kinds: list[str]
    exemption_sections: list[str]
    ncnd_forms: list[str] = Field(default_factory=list, description="Subsections cited to neither confirm nor deny.")
    request_types: list[str]
    cost_risk_levels: list[str]
    cost_activities: list[str]
    clarification_kinds: list[str]
    repeat_flags: list[str]
    regimes: list[RegimeInfo]
    disclosure_rankers: list[str]
    trained_labels: dict[str, list[str]] = Field(
        default_factory=dict, description="The labels each trained model predicts (from its manifest).")
