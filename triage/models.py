"""Typed result models: the single source of the output shape.

These follow ``CONTRACT.md`` field for field (names and values are what the
evaluation and integrators read); extra fields are additions, never renames.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

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


class SimilarDisclosure(BaseModel):
    reference: str
    title: str = ""
    score: float = Field(ge=0.0, le=1.0)
    url: Optional[str] = None
    published: Optional[date] = None


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
    warnings: list[str] = Field(default_factory=list)
    model_version: str = ""


class TriageRequest(BaseModel):
    """One request to triage."""

    model_config = ConfigDict(extra="ignore")

    id: Optional[str] = Field(None, max_length=200)
    text: str = Field(description=f"The request as received, up to {MAX_TEXT_CHARS:,} characters.")
    received: Optional[date] = Field(None, description="Day the request arrived (ISO); defaults to today.")


class ErrorLine(BaseModel):
    """A batch line that could not be triaged."""

    id: Optional[str] = None
    line: int
    error: str
