"""The ``roadmap`` command: database set-up, demo data, accounts, allocation runs.

Imports are made inside each command, so ``roadmap pb`` starts without loading the
database layer.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import NoReturn


def cmd_init_db(args: argparse.Namespace) -> int:
    from roadmap import config
    from roadmap.domain.access import Actor
    from roadmap.services import demo
    from roadmap.services.context import default_context
    from roadmap.store.migrate import upgrade

    ctx = default_context()
    upgrade(ctx.engine)
    config.secret_key(create=True)
    print(f"Schema is up to date on {ctx.engine.url.render_as_string(hide_password=True)}.")
    if args.demo_if_empty and demo.is_empty(ctx):
        counts = demo.load_demo(ctx, Actor.system(), config.demo_dir())
        print("Loaded the demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from roadmap import config
    from roadmap.domain.access import Actor
    from roadmap.services import demo
    from roadmap.services.context import default_context
    from roadmap.store.migrate import upgrade

    ctx = default_context()
    upgrade(ctx.engine)
    if not demo.is_empty(ctx):
        print(
            "The database already has data; the demo loads only into an empty one.", file=sys.stderr
        )
        return 1
    counts = demo.load_demo(ctx, Actor.system(), config.demo_dir())
    print("Loaded the demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import accounts
    from roadmap.services.context import default_context

    password = args.password_stdin and sys.stdin.readline().rstrip("\n")
    if not password:
        password = getpass.getpass("Password (at least 8 characters): ")
    user = accounts.create_user(
        default_context(),
        Actor.system(),
        args.username,
        args.display_name or args.username,
        password,
        email=args.email or None,
    )
    print(f"Created the account {user.username}.")
    return 0


def cmd_notify_due(args: argparse.Namespace) -> int:
    from roadmap.services import reminders
    from roadmap.services.context import default_context

    told = reminders.notify_due(default_context())
    print(f"Told {told} reminder(s) that fell due.")
    return 0


def cmd_send_mail(args: argparse.Namespace) -> int:
    from roadmap.services import mail
    from roadmap.services.context import default_context

    if mail.settings() is None:
        print("Email is off: ROADMAP_SMTP_URL is not set.")
        return 0
    result = mail.send_pending(default_context())
    print(f"Sent {result.sent} message(s); {result.failed} failed and will be retried.")
    return 1 if result.failed else 0


def cmd_grant(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import accounts
    from roadmap.services.context import default_context

    user = accounts.grant_role(
        default_context(), Actor.system(), args.username, args.role, args.scope
    )
    held = ", ".join(f"{r}{f' ({s})' if s else ''}" for r, s in user.grants)
    print(f"{user.username} now holds: {held}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from roadmap.domain.access import Actor
    from roadmap.domain.errors import ValidationError
    from roadmap.services import backup
    from roadmap.services.context import default_context

    text = backup.dumps(backup.export_backup(default_context(), Actor.system()))
    try:
        Path(args.file).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot write {args.file}: {exc.strerror or exc}.") from None
    print(f"Wrote the backup to {args.file}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from roadmap.domain.access import Actor
    from roadmap.services import backup
    from roadmap.services.context import default_context
    from roadmap.store.migrate import upgrade

    data = backup.read_backup(Path(args.file), args.max_mb)
    ctx = default_context()
    upgrade(ctx.engine)
    counts = backup.import_backup(ctx, Actor.system(), data)
    print(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")
    return 0


def cmd_import_csv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from roadmap.domain.access import Actor
    from roadmap.domain.errors import ValidationError
    from roadmap.services import imports
    from roadmap.services.context import default_context

    if args.template:
        sys.stdout.write(imports.kind_of(args.kind).template())
        return 0
    if not args.file:
        raise ValidationError("Name the CSV file to import (or ask for --template).")
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise ValidationError(f"Cannot read {args.file}: {exc.strerror}.") from None
    ctx, actor = default_context(), Actor.system()
    try:
        if args.dry_run:
            checked = imports.preview(ctx, actor, args.kind, data)
            if not checked.ok:
                raise imports.ImportRejected(checked)
            print(checked.summary().replace("ready to import", "checked; nothing written"))
            return 0
        done = imports.import_csv(ctx, actor, args.kind, data)
    except imports.ImportRejected as exc:
        for problem in exc.preview.problems:
            where = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
            print(f"{args.file}: {where}: {problem.problem}", file=sys.stderr)
        raise
    print(f"Imported {done.count} {imports.KINDS[args.kind].label}: {', '.join(done.ids)}.")
    return 0


SUBJECTS = {"subcommunity": "sub-community", "theme": "theme", "skill": "skill"}


def cmd_create_named(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import catalog, catalog_edits
    from roadmap.services.context import default_context

    ctx, actor = default_context(), Actor.system()
    if args.subject == "subcommunity":
        catalog.create_subcommunity(ctx, actor, args.slug, args.name, args.description)
    elif args.subject == "theme":
        catalog.create_theme(ctx, actor, args.slug, args.name, args.description)
    else:
        catalog_edits.create_skill(ctx, actor, args.slug, args.name)
    print(f"Created the {SUBJECTS[args.subject]} {args.name} ({args.slug}).")
    return 0


def cmd_rename_named(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import catalog_edits
    from roadmap.services.context import default_context

    catalog_edits.rename(
        default_context(), Actor.system(), args.subject, args.slug, args.name, args.description
    )
    print(f"Renamed the {SUBJECTS[args.subject]} {args.slug} to {args.name}.")
    return 0


def cmd_archive_named(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import catalog_edits
    from roadmap.services.context import default_context

    catalog_edits.archive(default_context(), Actor.system(), args.subject, args.slug)
    print(f"Archived the {SUBJECTS[args.subject]} {args.slug}.")
    return 0


def cmd_period(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import period_setup
    from roadmap.services.context import default_context

    ctx, actor = default_context(), Actor.system()
    if args.command == "create-period":
        period_setup.create_period(ctx, actor, args.key, args.name, args.start, args.end)
        print(f"Created the planning period {args.name} ({args.key}), in draft.")
    elif args.command == "new-period":
        period_setup.new_period_from(
            ctx, actor, args.source, args.key, args.name, args.start, args.end
        )
        from roadmap.services import sequence

        print(f"Started the planning period {args.name} ({args.key}) from {args.source}, in draft.")
        carried = sequence.period_sequence(ctx, args.key).unspent_sentence()
        if carried:
            print(carried)
    elif args.command == "edit-period":
        version = next(p.version for p in period_setup.list_periods(ctx) if p.key == args.key)
        period_setup.edit_period(ctx, actor, args.key, args.name, args.start, args.end, version)
        print(f"Saved the planning period {args.key}.")
    elif args.command == "open-signalling":
        period_setup.open_signalling(ctx, actor, args.key, args.closes)
        until = f" until {args.closes:%Y-%m-%d}" if args.closes else ""
        print(f"Signalling for {args.key} is open{until}.")
    elif args.command == "close-period":
        period_setup.close_period(ctx, actor, args.key)
        print(f"Closed the planning period {args.key}.")
    else:
        period_setup.archive_period(ctx, actor, args.key)
        print(f"Archived the planning period {args.key}.")
    return 0


def cmd_setup_status(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.services import setup
    from roadmap.services.context import default_context

    steps = setup.checklist(default_context(), Actor.system())
    for step in steps:
        print(f"[{'x' if step.done else ' '}] {step.title}: {step.detail}")
    return 0 if all(step.done for step in steps) else 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _add_structure_commands(commands: argparse._SubParsersAction) -> None:
    for subject, word in SUBJECTS.items():
        create = commands.add_parser(f"create-{subject}", help=f"create a {word}")
        create.add_argument("slug", help="short name: lower-case letters, digits, dashes")
        create.add_argument("name")
        if subject != "skill":
            create.add_argument("--description", default="")
        create.set_defaults(func=cmd_create_named, subject=subject, description="")
        rename = commands.add_parser(f"rename-{subject}", help=f"give a {word} a new name")
        rename.add_argument("slug")
        rename.add_argument("name")
        if subject != "skill":
            rename.add_argument("--description", default="")
        rename.set_defaults(func=cmd_rename_named, subject=subject, description="")
        archive = commands.add_parser(
            f"archive-{subject}", help=f"stop offering a {word} for new records (kept)"
        )
        archive.add_argument("slug")
        archive.set_defaults(func=cmd_archive_named, subject=subject)
    for name, help_text in (
        ("create-period", "create a planning period (in draft)"),
        ("edit-period", "change a planning period's name and dates"),
    ):
        period = commands.add_parser(name, help=help_text)
        period.add_argument("key", help="e.g. 2027-H1")
        period.add_argument("name", help="e.g. '2027, first half'")
        period.add_argument("start", type=_date, help="first day, YYYY-MM-DD")
        period.add_argument("end", type=_date, help="last day, YYYY-MM-DD")
        period.set_defaults(func=cmd_period)
    following = commands.add_parser(
        "new-period",
        help="start a planning period (in draft) from an earlier one: its settings copied, "
        "its unspent effort carried as its policy says",
    )
    following.add_argument(
        "--from", dest="source", required=True, help="the period it follows, e.g. 2027-H1"
    )
    following.add_argument("key", help="e.g. 2027-H2")
    following.add_argument("name", help="e.g. '2027, second half'")
    following.add_argument("start", type=_date, help="first day, YYYY-MM-DD")
    following.add_argument("end", type=_date, help="last day, YYYY-MM-DD")
    following.set_defaults(func=cmd_period)
    opening = commands.add_parser("open-signalling", help="open a period for signals from today")
    opening.add_argument("key")
    opening.add_argument("--closes", type=_date, default=None, help="last day, YYYY-MM-DD")
    opening.set_defaults(func=cmd_period)
    for name, help_text in (
        ("close-period", "close a planning period"),
        ("archive-period", "archive a draft or closed planning period (kept)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("key")
        command.set_defaults(func=cmd_period)
    commands.add_parser(
        "setup-status", help="the set-up checklist; exit 1 while a step is open"
    ).set_defaults(func=cmd_setup_status)


def cmd_bundle(args: argparse.Namespace) -> int:
    from roadmap.domain.access import Actor
    from roadmap.domain.enums import Role
    from roadmap.services import bundles
    from roadmap.services.context import default_context

    # Whoever runs the command reads the database itself: the executive's view, with every
    # organization's name, unless --public asks for what a reader who is not signed in gets.
    reader = (
        Actor.public()
        if args.public
        else Actor(None, "system", "command line", frozenset({(Role.EXECUTIVE, None)}))
    )
    sys.stdout.write(bundles.bundle_json(default_context(), reader, args.period, args.version))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from roadmap.services import bundles

    try:
        with open(args.bundle, "rb") as fh:
            bundle = bundles.read_bundle(fh.read())
    except OSError as exc:
        print(f"Cannot read {args.bundle}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    except bundles.Unreadable as exc:
        print(f"{args.bundle} cannot be checked: {exc}.", file=sys.stderr)
        return 2
    print(f"Checking the {bundle.period} plan, version {bundle.version} ({bundle.election.rule}).")
    checks = bundles.verify(bundle, recompute=not args.skip_recompute)
    for check in checks:
        print(check.sentence())
    failed = next((c for c in checks if not c.holds), None)
    if failed is not None:
        print(f"The bundle does not check out: {failed.name} fails.")
        return 1
    print("Everything checks out: the outcome is the rule's on this election.")
    return 0


def cmd_pb(args: argparse.Namespace) -> int:
    from roadmap.allocation import pb_command

    return pb_command.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roadmap", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init-db", help="create or upgrade the schema")
    init.add_argument(
        "--demo-if-empty", action="store_true", help="load the demo data into an empty database"
    )
    init.set_defaults(func=cmd_init_db)

    commands.add_parser("demo", help="load the demo data into an empty database").set_defaults(
        func=cmd_demo
    )

    create = commands.add_parser("create-user", help="create a local account")
    create.add_argument("username")
    create.add_argument("--display-name", default="")
    create.add_argument("--email", default="", help="where the account's email goes")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(func=cmd_create_user)

    grant = commands.add_parser("grant", help="grant a role to an account")
    grant.add_argument("username")
    grant.add_argument("role", choices=["admin", "executive", "lead", "representative", "staff"])
    grant.add_argument(
        "scope",
        nargs="?",
        default=None,
        help="sub-community (lead) or organization (representative)",
    )
    grant.set_defaults(func=cmd_grant)

    commands.add_parser(
        "notify-due",
        help="tell the reminders that fell due (signalling closes in 3 days, reports due); "
        "for cron",
    ).set_defaults(func=cmd_notify_due)
    commands.add_parser(
        "send-mail", help="send the mail outbox now (retries included); for cron"
    ).set_defaults(func=cmd_send_mail)

    export = commands.add_parser("export", help="write a complete backup of the database")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("file")
    export.set_defaults(func=cmd_export)

    restore = commands.add_parser("import", help="restore a backup into an empty database")
    restore.add_argument("file")
    restore.add_argument(
        "--max-mb",
        type=float,
        default=100,
        help="the largest file to read, in megabytes (default 100)",
    )
    restore.set_defaults(func=cmd_import)

    _add_structure_commands(commands)

    csv_import = commands.add_parser(
        "import-csv",
        help="import sub-communities, items, organizations or staff from a CSV file "
        "(all or nothing)",
    )
    csv_import.add_argument("kind", choices=["subcommunities", "items", "organizations", "staff"])
    csv_import.add_argument("file", nargs="?")
    csv_import.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    csv_import.add_argument(
        "--template", action="store_true", help="print the columns and an example row"
    )
    csv_import.set_defaults(func=cmd_import_csv)

    bundle = commands.add_parser(
        "bundle", help="print a published plan's reproducible bundle (JSON) to standard output"
    )
    bundle.add_argument("period", help="the period's key, e.g. 2027-H1")
    bundle.add_argument("version", type=int, help="the plan version")
    bundle.add_argument(
        "--public",
        action="store_true",
        help="the public's view: organizations whose signals are private under pseudonyms",
    )
    bundle.set_defaults(func=cmd_bundle)

    verify = commands.add_parser(
        "verify",
        help="check a plan bundle: recompute the outcome and check its certificate "
        "(exit 0 when all holds, 1 when a check fails, 2 for an unreadable file)",
    )
    verify.add_argument("bundle", help="the bundle's JSON file")
    verify.add_argument(
        "--skip-recompute",
        action="store_true",
        help="check the certificate only, without running the rule again",
    )
    verify.set_defaults(func=cmd_verify)

    pb = commands.add_parser("pb", help="run an allocation rule on a pabulib .pb election")
    from roadmap.allocation import pb_command

    pb_command.add_arguments(pb)
    pb.set_defaults(func=cmd_pb, exit_quickly=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (2 for a user error, said in one sentence)."""
    return _run(build_parser().parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    from roadmap.domain.errors import RoadmapError

    try:
        return int(args.func(args))
    except RoadmapError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # a fault of ours or of the setup: a sentence, the trace in a log
        print(_incident(args, exc), file=sys.stderr)
        return 1


def _incident(args: argparse.Namespace, exc: Exception) -> str:
    """Write ``exc``'s traceback to ``incidents.log`` in the data folder under a new id, and
    return the sentence that names the id (no person sees a traceback, on a page or here)."""
    import secrets
    import traceback
    from datetime import UTC, datetime

    from roadmap import config

    incident = secrets.token_hex(3)
    log = config.data_dir() / "incidents.log"
    with log.open("a", encoding="utf-8") as out:
        out.write(f"{datetime.now(UTC).isoformat()} incident {incident}: roadmap {args.command}\n")
        traceback.print_exception(exc, file=out)
    hint = " Has `roadmap init-db` been run on this database?" if _no_schema(exc) else ""
    return f"roadmap {args.command} failed (incident {incident}; the details are in {log}).{hint}"


def _no_schema(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def console() -> NoReturn:
    """The ``roadmap`` console script: :func:`main` in a process of its own, which ``roadmap
    pb`` ends without the interpreter's teardown (:func:`pb_command.exit_quickly`).

    No command does linear algebra, so OpenBLAS (loaded with NumPy) starts one thread instead
    of one per CPU, unless the environment says otherwise: its idle threads spinning at start
    cost ~70 ms of CPU, which on a busy machine is ~80 ms of wall time of ``roadmap pb``."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = build_parser().parse_args()
    status = _run(args)
    if getattr(args, "exit_quickly", False):
        from roadmap.allocation.pb_command import exit_quickly

        exit_quickly(status)
    raise SystemExit(status)


if __name__ == "__main__":
    console()
