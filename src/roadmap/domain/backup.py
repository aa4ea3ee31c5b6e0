"""The rows of a backup, checked by the domain's own records before anything is restored.

One model per table (``ROW_MODELS``), named ``<Thing>Record``: where the domain has a record
of the thing (an item's fields, an organization, a period and its envelope, a signal, a
staff member, a plan snapshot, ...) the row model *is* that record plus the columns only a
row has (its id, version, timestamps, the ids it refers to), so a backup row passes the
same rules as a form or a service write: statuses, roles and kinds from the enums, efforts
above 0 with low <= high, short names, signal contents, plan snapshots through
:class:`PlanSnapshot`. Fields a record has but its row does not (an item's sub-community
short name: the row has ``subcommunity_id``) are listed in ``NOT_COLUMNS``.

A row is validated from its JSON text in pydantic's strict mode (:func:`validate_row`): a
whole number must be a JSON integer, a flag ``true``/``false``, text a string; dates and
times are ISO 8601 text, times with their zone. A refusal is a :class:`ValidationError`
whose sentence names the table, the row (its primary key) and the field.

Whole documents are checked by :func:`check_document` without recursion: at most
``MAX_DEPTH`` nested arrays and objects, finite numbers only, text keys only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar

import pydantic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from roadmap.domain.accounts import USERNAME, NewUser, RoleGrant
from roadmap.domain.bundle import PlanEvidence
from roadmap.domain.enums import ItemStatus, UnspentPolicy
from roadmap.domain.errors import ValidationError
from roadmap.domain.governance import Comment, ScopeDecision
from roadmap.domain.items import ItemFields
from roadmap.domain.notifications import ALL_MAIL, EventKind, check_email
from roadmap.domain.organizations import Organization, Skill, SubCommunity, Theme
from roadmap.domain.periods import Envelope, PlanningPeriod
from roadmap.domain.plans import PlanSnapshot
from roadmap.domain.records import Weeks
from roadmap.domain.signals import Signal
from roadmap.domain.staff import StaffMember
from roadmap.domain.validation import field_label

# The deepest nesting of arrays and objects a backup may have. A roadmap writes at most 10
# (a kept scenario's snapshot: document > tables > table > row > scenarios > scenario >
# snapshot > funded > line > payments); the margin is for the audit log's free-form values.
MAX_DEPTH = 64
INT32 = 2**31 - 1  # PostgreSQL's ``integer``: what a backup must fit to move between databases

Id = Annotated[int, Field(ge=1, le=INT32)]
Version = Annotated[int, Field(ge=1, le=INT32)]
Count = Annotated[int, Field(ge=0, le=INT32)]
Stamp = AwareDatetime


class Row(BaseModel):
    """What every row model shares: its table's primary key, and the record fields that are
    not columns of the table."""

    model_config = ConfigDict(extra="forbid")

    KEY: ClassVar[tuple[str, ...]] = ("id",)
    NOT_COLUMNS: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def columns(cls) -> frozenset[str]:
        return frozenset(cls.model_fields) - cls.NOT_COLUMNS


# -- accounts ---------------------------------------------------------------------------


class UserRecord(Row):
    id: Id
    username: str = Field(title="username")
    display_name: Annotated[str, NewUser.model_fields["display_name"]]
    password_hash: str = Field(min_length=1, max_length=255, title="password hash")
    active: bool
    created_at: Stamp
    version: Version
    email: str | None = Field(default=None, max_length=254, title="email")  # migration 0010
    last_seen_at: Stamp | None = None  # migration 0011
    previous_visit_at: Stamp | None = None  # migration 0011
    password_reset_at: Stamp | None = None  # migration 0012

    @field_validator("email")
    @classmethod
    def _check_email(cls, v: str | None) -> str | None:
        return None if v is None else check_email(v)

    @field_validator("username")
    @classmethod
    def _check_username(cls, v: str) -> str:
        if not USERNAME.match(v):
            raise ValueError(
                "The username must be 2 to 40 lower-case letters, digits, dots, dashes "
                "or underscores."
            )
        return v


class RoleGrantRecord(Row, RoleGrant):
    id: Id
    user_id: Id
    granted_at: Stamp


class AuthSessionRecord(Row):
    id: Id
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$", title="token hash")
    user_id: Id
    created_at: Stamp
    expires_at: Stamp
    revoked_at: Stamp | None


class SignInFailureRecord(Row):
    KEY = ("key",)
    key: str = Field(min_length=1, title="key")
    failures: Count
    last_failure: Stamp
    locked_until: Stamp | None


# -- the bodies items belong to ---------------------------------------------------------


class SubCommunityRecord(Row, SubCommunity):
    id: Id
    version: Version
    archived_at: Stamp | None  # migration 0006


class ThemeRecord(Row, Theme):
    id: Id
    version: Version
    archived_at: Stamp | None  # migration 0006


class SkillRecord(Row, Skill):
    KEY = ("slug",)
    archived_at: Stamp | None  # migration 0006


class OrganizationRecord(Row, Organization):
    NOT_COLUMNS = frozenset({"representative"})
    id: Id
    representative_id: Id | None
    version: Version


# -- items and their governance ---------------------------------------------------------


class ItemRecord(Row, ItemFields):
    NOT_COLUMNS = frozenset({"subcommunity", "theme", "depends_on"})
    subcommunity: str = ""  # the row names its sub-community and theme by id
    id: Id
    subcommunity_id: Id
    theme_id: Id | None
    status: ItemStatus = Field(title="status")
    created_by: Id | None
    created_at: Stamp
    updated_at: Stamp
    version: Version


class ItemDependencyRecord(Row):
    KEY = ("item_id", "depends_on_id")
    item_id: Id
    depends_on_id: Id

    @model_validator(mode="after")
    def _not_itself(self) -> ItemDependencyRecord:
        if self.item_id == self.depends_on_id:
            raise ValueError("An item cannot depend on itself.")
        return self


class CommentPeriodRecord(Row):
    id: Id
    item_id: Id
    opened_by: Id | None
    opens_at: Stamp
    closes_at: Stamp
    closed_at: Stamp | None


class CommentRecord(Row, Comment):
    NOT_COLUMNS = frozenset({"author"})
    author: str = ""  # the row names its author by id
    id: Id  # a stored comment has one
    author_id: Id | None


class ScopeDecisionRecord(Row, ScopeDecision):
    id: Id
    decided_by: Id | None  # type: ignore[assignment]  # the row names the executive by id
    amends_id: Id | None = None


# -- periods, signals, staff, plans ------------------------------------------------------


class PeriodRecord(Row, PlanningPeriod):
    id: Id
    version: Version
    archived_at: Stamp | None  # migration 0006
    # migration 0008: null reads as the default
    review_days: int | None = Field(default=None, ge=0, le=60, title="objection window (days)")  # type: ignore[assignment]
    report_every_weeks: int | None = Field(default=None, ge=1, le=52, title="report every")  # type: ignore[assignment]
    unspent_policy: UnspentPolicy | None = None  # type: ignore[assignment]
    source_id: Id | None = None
    carried_weeks: Weeks | None = None  # type: ignore[assignment]


class SignalRecord(Row, Signal):
    NOT_COLUMNS = frozenset({"pledges"})
    id: Id
    organization_id: Id
    period_id: Id
    submitted_by: Id | None
    submitted_at: Stamp
    approvals: list[Id] = Field(title="approved items")
    points: dict[Id, Count] = Field(title="points")
    ranking: list[Id] = Field(title="ranking")

    @field_validator("ranking")
    @classmethod
    def _no_repeats(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("An item may appear only once in a ranking.")
        return v


class PledgeRecord(Row):
    id: Id
    signal_id: Id
    item_id: Id
    weeks: float = Field(ge=0, title="pledged person-weeks")  # rounded to 3 decimals: 0 fits
    note: str = Field(title="note")


class StaffRecord(Row, StaffMember):
    NOT_COLUMNS = frozenset({"username", "paid_by"})
    id: Id
    user_id: Id | None
    paid_by_id: Id | None
    capacity_by_subperiod: list[Weeks] | None = Field(title="capacity per month")
    version: Version


class PlanRecord(Row):
    id: Id
    period_id: Id
    version: Version
    published_by: Id | None
    published_at: Stamp
    snapshot: PlanSnapshot = Field(title="plan snapshot")
    review_until: Stamp | None = None  # migration 0008
    evidence: PlanEvidence | None = None  # migration 0009
    snapshot_digest: str | None = Field(  # migration 0013
        default=None, pattern="^[0-9a-f]{64}$", title="plan snapshot digest"
    )


class PlanObjectionRecord(Row):
    id: Id
    plan_id: Id
    organization_id: Id
    submitted_by: Id | None
    submitted_at: Stamp
    reason: str = Field(min_length=1, max_length=4000, title="reason")


class PlanFinalizationRecord(Row):
    KEY = ("plan_id",)
    plan_id: Id
    finalized_by: Id | None
    finalized_at: Stamp


class KeptScenario(BaseModel):
    """One scenario of a kept comparison, as ``services.comparisons`` stores it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    envelope: Envelope
    snapshot: PlanSnapshot


class ScenarioComparisonRecord(Row):
    id: Id
    period_id: Id
    run_by: Id | None
    run_at: Stamp
    scenarios: list[KeptScenario] = Field(title="scenarios")


class AssignmentRecord(Row):
    id: Id
    plan_id: Id
    staff_id: Id
    item_id: Id
    weeks: Weeks = Field(title="person-weeks")
    subperiod: Count


class AuditEventRecord(Row):
    id: Id
    actor_id: Id | None
    actor_name: str | None
    at: Stamp
    action: str = Field(min_length=1, title="action")
    entity: str = Field(min_length=1, title="entity")
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class ProgressReportRecord(Row):
    id: Id
    plan_id: Id
    item_id: Id
    reported_by: Id | None
    staff_id: Id | None  # migration 0014; None on reports written before
    reported_at: Stamp
    percent_done: int = Field(ge=0, le=100, title="percent done")
    note: str = Field(max_length=4000, title="note")


# -- notifications (migration 0010) -------------------------------------------------------


class NotificationRecord(Row):
    id: Id
    user_id: Id
    kind: EventKind = Field(title="kind")
    title: str = Field(min_length=1, max_length=300, title="title")
    body: str = Field(title="body")
    link: str = Field(pattern=r"^/", max_length=300, title="link")
    created_at: Stamp
    read_at: Stamp | None
    dedupe_key: str | None = Field(max_length=120, title="dedupe key")


class EmailOptOutRecord(Row):
    KEY = ("user_id", "kind")
    user_id: Id
    kind: str = Field(title="kind")
    at: Stamp

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        if v != ALL_MAIL and v not in {k.value for k in EventKind}:
            raise ValueError(f"The kind must be {ALL_MAIL!r} or one of the event kinds.")
        return v


class MailOutboxRecord(Row):
    id: Id
    user_id: Id | None
    kind: EventKind = Field(title="kind")
    to_address: str = Field(max_length=254, title="address")
    subject: str = Field(max_length=300, title="subject")
    body: str = Field(title="body")
    unsubscribe_url: str = Field(max_length=1000, title="unsubscribe link")
    created_at: Stamp
    attempts: Count
    next_attempt_at: Stamp | None
    sent_at: Stamp | None
    last_error: str | None


ROW_MODELS: dict[str, type[Row]] = {
    "users": UserRecord,
    "role_grants": RoleGrantRecord,
    "auth_sessions": AuthSessionRecord,
    "sign_in_failures": SignInFailureRecord,
    "subcommunities": SubCommunityRecord,
    "themes": ThemeRecord,
    "skills": SkillRecord,
    "items": ItemRecord,
    "item_dependencies": ItemDependencyRecord,
    "comment_periods": CommentPeriodRecord,
    "comments": CommentRecord,
    "scope_decisions": ScopeDecisionRecord,
    "periods": PeriodRecord,
    "organizations": OrganizationRecord,
    "signals": SignalRecord,
    "pledges": PledgeRecord,
    "staff": StaffRecord,
    "plans": PlanRecord,
    "plan_objections": PlanObjectionRecord,
    "plan_finalizations": PlanFinalizationRecord,
    "scenario_comparisons": ScenarioComparisonRecord,
    "assignments": AssignmentRecord,
    "audit_events": AuditEventRecord,
    "progress_reports": ProgressReportRecord,
    "notifications": NotificationRecord,
    "email_opt_outs": EmailOptOutRecord,
    "mail_outbox": MailOutboxRecord,
}

# -- refusals as sentences -----------------------------------------------------------------

_PHRASES = {
    "missing": "is missing",
    "extra_forbidden": "is not a column of this table",
    "enum": "must be one of: {expected}",
    "literal_error": "must be one of: {expected}",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "list_type": "must be a list",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "too_short": "needs at least {min_length} entries",
    "too_long": "may have at most {max_length} entries",
    "string_pattern_mismatch": "is not in the expected format",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "datetime_type": "must be a date and time (ISO 8601)",
    "datetime_parsing": "must be a date and time (ISO 8601)",
    "datetime_from_date_parsing": "must be a date and time (ISO 8601)",
    "timezone_aware": "must give its time zone (for example +00:00)",
}


def row_name(key: tuple[str, ...], position: int, row: Any) -> str:
    """How a sentence names a row: by its primary key, else by its place in the file."""
    if isinstance(row, dict) and all(k in row for k in key):
        return ", ".join(f"{k}={_short(row[k])}" for k in key)
    return f"number {position + 1}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def refusal(table: str, row: str, field: str | None, sentence: str) -> ValidationError:
    """The error for a refused row: ``In the backup, <table> row <key>, field <field>: ...``."""
    where = f"In the backup, {table} row {row}" + (f", field {field}" if field else "")
    message = f"{where}: {sentence} Nothing was imported."
    return ValidationError(message, {field or "row": sentence})


def _sentence(model: type[BaseModel], error: Any) -> tuple[str | None, str]:
    loc = tuple(str(part) for part in error.get("loc", ()) if part != "[key]")
    field = ".".join(loc) or None
    kind = str(error.get("type", ""))
    if kind == "value_error":  # our validators write whole sentences that name the field
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return field, message if message.endswith(".") else message + "."
    if not loc:
        label = "row"
    elif len(loc) == 1:
        info = model.model_fields.get(loc[0])
        label = field_label(model, loc[0]) if info is not None and info.title else "value"
    else:
        label = loc[-1].replace("_", " ") if not loc[-1].isdigit() else f"entry {loc[-1]}"
    phrase = _PHRASES.get(kind)
    if phrase is not None:
        try:
            return field, f"The {label} {phrase.format(**error.get('ctx', {}))}."
        except (KeyError, IndexError):
            pass
    message = str(error.get("msg", "is not valid"))
    return field, f"The {label} is not valid: {message[:1].lower()}{message[1:]}."


def validate_row(
    table: str, position: int, row: Any, lengths: Mapping[str, int] | None = None
) -> Row:
    """``row`` of ``table`` as its record, or :class:`ValidationError` naming the table, the
    row and the field. ``lengths`` caps text columns (the database's ``VARCHAR(n)``)."""
    model = ROW_MODELS[table]
    name = row_name(model.KEY, position, row)
    if not isinstance(row, dict):
        raise refusal(table, name, None, "A row must be an object of columns.")
    columns = model.columns()
    for column in sorted(columns - set(row)):
        raise refusal(table, name, column, "The column is missing.")
    for column in sorted(set(row) - columns, key=str):
        raise refusal(table, name, _short(column), "This table has no such column.")
    for column, limit in (lengths or {}).items():
        value = row.get(column)
        if isinstance(value, str) and len(value) > limit:
            label = field_label(model, column)
            raise refusal(table, name, column, f"The {label} may have at most {limit} characters.")
    try:
        text = json.dumps(row, allow_nan=False)
        return model.model_validate_json(text, strict=True)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        if not isinstance(exc, pydantic.ValidationError):
            raise refusal(table, name, None, "It holds a number that is not finite.") from None
        field, sentence = _sentence(model, exc.errors()[0])
        raise refusal(table, name, field, sentence) from None


# -- whole documents ----------------------------------------------------------------------


def where(doc: Any, path: tuple[Any, ...]) -> tuple[str, str, str | None] | None:
    """The table, row name and field ``path`` points into in a backup document ``doc``, or
    ``None`` when it is not inside a row."""
    if len(path) < 3 or path[0] != "tables" or not isinstance(path[2], int):
        return None
    table, position, rest = str(path[1]), path[2], path[3:]
    model = ROW_MODELS.get(table)
    name = row_name(model.KEY if model else ("id",), position, doc["tables"][path[1]][position])
    return table, name, ".".join(str(p) for p in rest) or None


def _refuse_at(doc: Any, path: tuple[Any, ...], sentence: str) -> ValidationError:
    """A refusal naming where ``path`` points: a table's row and field when it is in one."""
    found = where(doc, path)
    if found is not None:
        return refusal(*found, sentence)
    place = ".".join(str(p) for p in path) or "the top level"
    return ValidationError(f"In the backup, at {place}: {sentence} Nothing was imported.")


def _walk(doc: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value of ``doc`` with its path, without recursion (depth first, in order)."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict) and len(path) < MAX_DEPTH:
            stack.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list) and len(path) < MAX_DEPTH:
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))


def non_finite(doc: Any) -> tuple[tuple[Any, ...], float] | None:
    """The first number in ``doc`` that is not finite (NaN or an infinity), with its path."""
    for path, value in _walk(doc):
        if isinstance(value, float) and not math.isfinite(value):
            return path, value
    return None


def check_document(doc: Any) -> None:
    """Refuse, with a sentence naming where, a document nested deeper than ``MAX_DEPTH``,
    holding a number that is not finite, a key that is not text or a value JSON has not."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), {"": doc})]  # a box, so doc is checked
    while stack:
        path, container = stack.pop()
        if len(path) > MAX_DEPTH:
            raise _refuse_at(
                doc,
                path[1:5],
                f"It nests arrays and objects more than {MAX_DEPTH} deep; "
                "a roadmap backup never does.",
            )
        if isinstance(container, dict):
            if not all(isinstance(k, str) for k in container):
                raise _refuse_at(doc, path[1:], "An object has a key that is not text.")
            entries: Any = container.items()
        else:
            entries = enumerate(container)
        for key, value in entries:
            if isinstance(value, dict | list):
                stack.append(((*path, key), value))
            elif isinstance(value, float):
                if not math.isfinite(value):
                    raise _refuse_at(
                        doc,
                        (*path, key)[1:],
                        f"The number {value} is not finite: a backup holds finite numbers only.",
                    )
            elif not (value is None or isinstance(value, str | int)):  # bool is an int
                raise _refuse_at(
                    doc, (*path, key)[1:], f"A {type(value).__name__} is not a JSON value."
                )
