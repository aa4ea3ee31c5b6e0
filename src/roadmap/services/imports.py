"""CSV import of roadmap items, member organizations and staff: preview, then all or nothing.

A file is read whole and every row checked (the same rules as the forms, plus the references
against the database) before anything is written. :func:`preview` reports every bad row and
column; :func:`import_csv` checks again inside the one transaction that writes, so a file is
either imported whole or not at all. Each kind of file is one :class:`Kind` in :data:`KINDS`:
its columns (each with the reader of its cells), template, model, reference check and
writer. List cells hold values separated by ``;``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pydantic
from sqlalchemy.orm import Session

from roadmap import config
from roadmap.domain import boundary
from roadmap.domain.access import Actor, require_any
from roadmap.domain.enums import Role
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import ItemFields
from roadmap.domain.organizations import Organization, SubCommunity
from roadmap.domain.staff import StaffMember
from roadmap.domain.validation import parse
from roadmap.services import catalog, csv_export, items, staff
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import SubCommunityRow

MAX_ROWS = 20_000


def _same(cell: str) -> Any:
    return cell


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str
    read: Callable[[str], Any] = _same  # a non-empty cell to the model's value; ValueError


@dataclass(frozen=True)
class Kind:
    """Everything about one kind of file: its columns and template, the model each row is
    checked as, the references checked against the database, and how a row is written."""

    key: str
    label: str  # plural noun: "items"
    model: type[pydantic.BaseModel]
    columns: tuple[Column, ...]
    roles: tuple[Role, ...]  # any of these may import this kind
    id_column: str  # what must be unique within the file ("" when nothing is)
    # Raises ValidationError naming each unknown reference of a row's model.
    references: Callable[[Session, Actor, Any], None]
    # Writes a checked row's model and returns the new record's id or key.
    insert: Callable[[Session, Actor, datetime, Any], str]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def template(self) -> str:
        """A CSV with the header and one example row, to fill in."""
        out = io.StringIO()
        writer = csv_export.writer(out, lineterminator="\n")
        writer.writerow(self.names)
        writer.writerow([c.example for c in self.columns])
        return out.getvalue()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: ``line`` 1 is the header; ``column`` "" means the row."""

    line: int
    column: str
    problem: str


@dataclass
class Preview:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per data line, as read
    lines: list[int] = field(default_factory=list)  # the file line of each row
    problems: list[Problem] = field(default_factory=list)
    models: list[Any] = field(default_factory=list)  # each row validated (when all are good)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def summary(self) -> str:
        label = KINDS[self.kind].label
        if self.ok:
            return f"{len(self.rows)} {label} ready to import."
        if not self.problems:
            return f"The file holds no {label}."
        bad = len({p.line for p in self.problems})
        return (
            f"Nothing was imported: {len(self.problems)} problem(s) on {bad} line(s) "
            f"of {len(self.rows) + 1}. Fix them and upload the file again."
        )


class ImportRejected(ValidationError):
    """The file has problems; nothing was written. ``problems`` lists every one."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(preview.summary())
        self.preview = preview


@dataclass(frozen=True)
class Imported:
    kind: str
    count: int
    ids: list[str]


def kind_of(key: str) -> Kind:
    if key not in KINDS:
        raise ValidationError(f"Unknown import kind {key!r}: choose one of {', '.join(KINDS)}.")
    return KINDS[key]


def allowed_kinds(actor: Actor) -> list[str]:
    return [k.key for k in KINDS.values() if any(actor.has(r) for r in k.roles)]


def preview(ctx: Context, actor: Actor, kind_key: str, data: bytes) -> Preview:
    """Read and check a whole file without writing anything."""
    kind = kind_of(kind_key)
    require_any(actor, list(kind.roles), to=f"import {kind.label}")
    with reading(ctx.engine) as session:
        return _check(session, actor, kind, data)


def import_csv(ctx: Context, actor: Actor, kind_key: str, data: bytes) -> Imported:
    """Import a whole file in one transaction, or nothing (:class:`ImportRejected`)."""
    kind = kind_of(kind_key)
    require_any(actor, list(kind.roles), to=f"import {kind.label}")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        checked = _check(session, actor, kind, data)
        if not checked.ok:
            raise ImportRejected(checked)
        ids = [kind.insert(session, actor, now, model) for model in checked.models]
        return Imported(kind.key, len(ids), ids)


# -- reading -----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    limit = config.max_upload_bytes()
    if len(data) > limit:
        raise ValidationError(
            f"The file is {size_text(len(data))}; imports are limited to {size_text(limit)}. "
            "Split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"The file is not UTF-8 text (byte {exc.start + 1} is not valid); "
            "save it as “CSV UTF-8” and upload it again."
        ) from None
    if "\x00" in text:
        raise ValidationError("The file holds NUL characters: it is not a CSV text file.")
    return text


def size_text(n: int) -> str:
    """A byte count as people write it: "740 KB", "5 MB", "7.3 MB"."""
    if n >= 1048576:
        return f"{n / 1048576:.3g} MB"
    return f"{max(n / 1024, 0.1):.3g} KB"


def _table(kind: Kind, text: str) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The data rows with their file line, and the file-level problems."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            return [], [Problem(1, "", "The first line must name the columns: " + _list(kind))]
        names = [h.strip().lower() for h in header]
        missing = [c.name for c in kind.columns if c.required and c.name not in names]
        unknown = [n for n in names if n and n not in kind.names]
        doubled = sorted({n for n in names if n and names.count(n) > 1})
        if missing:
            problems.append(Problem(1, "", f"Missing column(s): {', '.join(missing)}."))
        if unknown:
            problems.append(
                Problem(1, "", f"Unknown column(s): {', '.join(unknown)}; expected {_list(kind)}")
            )
        if doubled:
            problems.append(Problem(1, "", f"Column(s) named twice: {', '.join(doubled)}."))
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(line, "", f"A file may hold at most {MAX_ROWS} rows."))
                break
            if len(cells) != len(names):
                problems.append(
                    Problem(
                        line, "", f"This line has {len(cells)} cells; the header has {len(names)}."
                    )
                )
                cells = (cells + [""] * len(names))[: len(names)]
            rows.append((line, {n: c.strip() for n, c in zip(names, cells, strict=True) if n}))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, "", f"The CSV cannot be read here: {exc}."))
        return [], problems
    return rows, problems


def _list(kind: Kind) -> str:
    return ", ".join(kind.names) + "."


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _cell_values(kind: Kind, row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields for the model from one row's cells, and the cells that cannot be read."""
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for name, cell in row.items():
        if name not in kind.names or cell == "":
            continue
        try:
            values[name] = kind.column(name).read(cell)
        except ValueError as exc:
            bad[name] = str(exc)
    return values, bad


def _ids(cell: str) -> list[int]:
    try:
        return [boundary.parse_id(part) for part in _split(cell)]
    except ValidationError:
        raise ValueError("Dependencies must be item numbers separated by ;.") from None


def _links(cell: str) -> list[dict[str, str]]:
    return [{"url": url} for url in _split(cell)]


def _levels(cell: str) -> dict[str, int]:
    levels: dict[str, int] = {}
    for part in _split(cell):
        skill, sep, level = part.partition(":")
        if not sep or not level.strip().isdigit():
            raise ValueError(f"Write each skill as skill:level (1-3), not {part!r}.")
        levels[skill.strip()] = int(level)
    return levels


def _yes_no(cell: str) -> bool:
    lowered = cell.lower()
    if lowered in ("yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise ValueError("Write yes or no.")


# -- checking ----------------------------------------------------------------------------


def _check(session: Session, actor: Actor, kind: Kind, data: bytes) -> Preview:
    rows, problems = _table(kind, _decode(data))
    out = Preview(kind.key, problems=problems)
    seen: dict[str, int] = {}
    for line, row in rows:
        out.rows.append(row)
        out.lines.append(line)
        values, fields = _cell_values(kind, row)
        model: Any = None
        try:
            model = parse(kind.model, values)
        except ValidationError as exc:
            for name, sentence in (exc.fields or {"": str(exc)}).items():
                fields.setdefault(name, sentence)
        # The references of the well-formed cells are checked even on a bad row, so that
        # one round of fixes is enough.
        rough = model if model is not None else kind.model.model_construct(**values)
        for name, sentence in _reference_problems(session, actor, kind, rough).items():
            fields.setdefault(name, sentence)
        if fields:
            out.problems.extend(_problems(kind, line, fields))
            continue
        if kind.id_column:
            key = str(values.get(kind.id_column, ""))
            if key in seen:
                out.problems.append(
                    Problem(line, kind.id_column, f"{key!r} is already on line {seen[key]}.")
                )
            seen.setdefault(key, line)
        out.models.append(model)
    out.problems.sort(key=lambda p: (p.line, kind.names.index(p.column) if p.column else -1))
    return out


def _reference_problems(session: Session, actor: Actor, kind: Kind, model: Any) -> dict[str, str]:
    try:
        kind.references(session, actor, model)
    except ValidationError as exc:
        return dict(exc.fields or {"": str(exc)})
    except (AttributeError, TypeError):
        return {}  # a field the check needs is missing or malformed: reported already
    return {}


def _problems(kind: Kind, line: int, fields: dict[str, str]) -> list[Problem]:
    return [
        Problem(line, name if name in kind.names else "", sentence)
        for name, sentence in fields.items()
    ]


def _item_refs(session: Session, actor: Actor, model: Any) -> None:
    if not actor.has(Role.ADMIN) and not actor.has(Role.LEAD, model.subcommunity):
        sentence = f"You are not a lead of {model.subcommunity!r}."
        raise ValidationError(sentence, {"subcommunity": sentence})
    items.check_item_references(session, model)


def _organization_refs(session: Session, actor: Actor, model: Any) -> None:
    catalog.check_organization_key(session, model.key)


def _subcommunity_refs(session: Session, actor: Actor, model: Any) -> None:
    catalog.check_unique(session, SubCommunityRow, model.slug, model.name)


def _staff_refs(session: Session, actor: Actor, model: Any) -> None:
    staff.staff_references(session, model)
    staff.check_staff_key(session, model.key)


# -- writing -----------------------------------------------------------------------------


def _insert_item(session: Session, actor: Actor, now: datetime, model: Any) -> str:
    return str(items.insert_item(session, actor, now, model, action="import").id)


def _insert_organization(session: Session, actor: Actor, now: datetime, model: Any) -> str:
    catalog.insert_organization(session, actor, now, model, action="import")
    return str(model.key)


def _insert_subcommunity(session: Session, actor: Actor, now: datetime, model: Any) -> str:
    return catalog.insert_subcommunity(session, actor, now, model, action="import")


def _insert_staff(session: Session, actor: Actor, now: datetime, model: Any) -> str:
    staff.insert_staff(session, actor, now, model)
    return str(model.key)


# -- the kinds ---------------------------------------------------------------------------

KINDS: dict[str, Kind] = {
    "subcommunities": Kind(
        "subcommunities",
        "sub-communities",
        SubCommunity,
        (
            Column("slug", True, "short name: lower-case letters, digits, -", "jupyter-frontends"),
            Column("name", True, "display name, unique", "Jupyter Frontends"),
            Column("description", False, "free text", "JupyterLab, Notebook and JupyterLite"),
        ),
        (Role.ADMIN,),
        "slug",
        _subcommunity_refs,
        _insert_subcommunity,
    ),
    "items": Kind(
        "items",
        "roadmap items",
        ItemFields,
        (
            Column("title", True, "3 to 120 characters", "Faster notebook start-up"),
            Column("summary", False, "free text (Markdown)", "Cut the kernel start time."),
            Column("subcommunity", True, "a sub-community's short name", "jupyter-frontends"),
            Column("kind", False, "feature, maintenance, security, docs, …", "feature"),
            Column("theme", False, "a theme's short name", ""),
            Column("effort_low", True, "person-weeks", "4"),
            Column("effort_high", True, "person-weeks, at least effort_low", "8"),
            Column("skills", False, "skill short names separated by ;", "python;react", _split),
            Column("depends_on", False, "existing item numbers separated by ;", "", _ids),
            Column(
                "links", False, "http(s) addresses separated by ;", "https://example.org/1", _links
            ),
        ),
        (Role.ADMIN, Role.LEAD),
        "",
        _item_refs,
        _insert_item,
    ),
    "organizations": Kind(
        "organizations",
        "member organizations",
        Organization,
        (
            Column("key", True, "short name: lower-case letters, digits, -", "acme-labs"),
            Column("name", True, "display name", "Acme Labs"),
            Column("kind", True, "company, non_profit or university", "company"),
            Column("tier", True, "premier, general or associate", "general"),
            Column("annual_commitment", True, "amount per year", "50000"),
            Column("currency", False, "ISO code, default USD", "USD"),
            Column("term_start", True, "YYYY-MM-DD", "2027-01-01"),
            Column("term_end", True, "YYYY-MM-DD, after term_start", "2027-12-31"),
            Column("basis", False, "paid or exception", "paid"),
            Column("exception_reason", False, "required when basis is exception", ""),
            Column("status", False, "active, lapsed or ended", "active"),
        ),
        (Role.ADMIN,),
        "key",
        _organization_refs,
        _insert_organization,
    ),
    "staff": Kind(
        "staff",
        "staff members",
        StaffMember,
        (
            Column("key", True, "short name", "ada-lovelace"),
            Column("name", True, "display name", "Ada Lovelace"),
            Column("username", False, "an existing account", ""),
            Column("skills", False, "skill:level (1-3) separated by ;", "python:3;docs:2", _levels),
            Column("capacity_weeks", True, "person-weeks in the period", "20"),
            Column("paid_by", False, "the paying organization's short name", ""),
            Column("active", False, "yes or no, default yes", "yes", _yes_no),
        ),
        (Role.ADMIN, Role.EXECUTIVE),
        "key",
        _staff_refs,
        _insert_staff,
    ),
}


def display_rows(checked: Preview) -> list[dict[str, Any]]:
    """The rows as read, with their file line, for a preview table."""
    return [{"line": line, **row} for line, row in zip(checked.lines, checked.rows, strict=True)]
