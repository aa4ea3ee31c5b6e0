"""CSV import of items, organizations and staff: a preview that writes nothing, a report of
every bad row and column, all or nothing, and the same role rules as the forms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from support import dump
from support.world import World

from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import audit, catalog, imports, item_reads, items, staff
from roadmap.store.engine import make_engine

ITEMS_OK = (
    "title,summary,subcommunity,kind,theme,effort_low,effort_high,skills,depends_on,links\n"
    "Faster start-up,Cut the kernel start time.,jupyter-frontends,feature,ux,4,8,python,,"
    "https://example.org/1\n"
    '"Title, with a comma","Line one\nline two",jupyter-frontends,docs,,1,2,python;react,,\n'
)


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_items_preview_writes_nothing_and_import_writes_every_row_as_a_draft(world: World):
    ctx, lead = world.ctx, world.actors["lead"]
    before = dump(ctx.engine)
    checked = imports.preview(ctx, lead, "items", _csv(ITEMS_OK))
    assert checked.ok, checked.problems
    assert [r["title"] for r in imports.display_rows(checked)] == [
        "Faster start-up",
        "Title, with a comma",
    ]
    assert dump(ctx.engine) == before, "a preview must not write"

    done = imports.import_csv(ctx, lead, "items", _csv(ITEMS_OK))
    assert done.count == 2
    made = [item_reads.get_item(ctx, lead, int(i)) for i in done.ids]
    assert [m.title for m in made] == ["Faster start-up", "Title, with a comma"]
    assert made[0].theme == "ux" and made[0].links[0]["url"] == "https://example.org/1"
    assert made[1].summary == "Line one\nline two" and made[1].skills == ["python", "react"]
    assert all(m.status == "draft" for m in made)
    events = audit.list_events(ctx, world.actors["exec"], entity="item")
    assert sorted(e.entity_id for e in events if e.action == "import") == sorted(done.ids)


def test_a_bad_items_file_reports_every_bad_row_and_column_and_imports_nothing(world: World):
    ctx, lead = world.ctx, world.actors["lead"]
    text = (
        "title,subcommunity,effort_low,effort_high,skills,depends_on,links\n"
        "Good row,jupyter-frontends,1,2,,,\n"  # line 2: fine
        "x,nowhere,1,2,,,\n"  # line 3: short title, unknown sub-community
        "Estimate,jupyter-frontends,5,2,,,\n"  # line 4: high below low
        "Skills,jupyter-frontends,1,2,cobol,999,\n"  # line 5: unknown skill and dependency
        "Links,jupyter-frontends,one,2,,,javascript:alert(1)\n"  # line 6: not a number, bad link
        "Other sub,voila,1,2,,,\n"  # line 7: this lead does not lead voila
        "Dependencies,jupyter-frontends,1,2,,first,\n"  # line 8: not item numbers
    )
    before = dump(ctx.engine)
    checked = imports.preview(ctx, lead, "items", _csv(text))
    found = {(p.line, p.column) for p in checked.problems}
    assert found == {
        (3, "title"),
        (3, "subcommunity"),
        (4, "effort_high"),  # low above high: named on the later column
        (5, "skills"),
        (5, "depends_on"),
        (6, "effort_low"),
        (6, "links"),
        (7, "subcommunity"),
        (8, "depends_on"),
    }, checked.problems
    assert not checked.ok
    with pytest.raises(imports.ImportRejected) as refused:
        imports.import_csv(ctx, lead, "items", _csv(text))
    assert "Nothing was imported" in str(refused.value)
    assert {(p.line, p.column) for p in refused.value.preview.problems} == found
    assert dump(ctx.engine) == before, "a rejected file must leave the database unchanged"


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "The first line must name the columns"),
        ("title,effort_low\nA title,1\n", "Missing column(s): subcommunity, effort_high."),
        (
            "title,subcommunity,effort_low,effort_high,colour\nAbc,voila,1,2,red\n",
            "Unknown column(s): colour",
        ),
        ("title,subcommunity,effort_low,effort_high\nAbc,voila,1\n", "This line has 3 cells"),
        ('title,subcommunity,effort_low,effort_high\n"Abc,voila,1,2\n', "cannot be read"),
    ],
)
def test_file_shape_problems_get_a_sentence(world: World, text: str, sentence: str):
    checked = imports.preview(world.ctx, world.actors["admin"], "items", _csv(text))
    assert not checked.ok
    assert any(sentence in p.problem for p in checked.problems), checked.problems


def test_files_that_are_not_utf8_text_or_too_large_are_refused_with_a_sentence(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    admin = world.actors["admin"]
    with pytest.raises(ValidationError, match="not UTF-8 text"):
        imports.preview(world.ctx, admin, "items", b"title\n\xff\xfe\x00")
    monkeypatch.setenv("ROADMAP_MAX_UPLOAD_MB", "0.001")
    before = dump(world.ctx.engine)
    with pytest.raises(
        ValidationError, match=r"The file is \d+(\.\d+)? KB; imports are limited to 1\.02 KB\."
    ):
        imports.import_csv(world.ctx, admin, "items", _csv(ITEMS_OK) * 10)
    assert dump(world.ctx.engine) == before


def test_organizations_import_checks_keys_in_the_file_and_in_the_registry(world: World):
    ctx, admin = world.ctx, world.actors["admin"]
    header = "key,name,kind,tier,annual_commitment,term_start,term_end,basis,exception_reason\n"
    bad = header + (
        "new-co,New Co,company,general,1000,2027-01-01,2027-12-31,paid,\n"
        "new-co,Again,company,general,1000,2027-01-01,2027-12-31,paid,\n"
        "acme-notebooks,Taken,company,general,1000,2027-01-01,2027-12-31,paid,\n"
        "gift,Gift,non_profit,associate,0,2027-01-01,2026-12-31,exception,\n"
    )
    checked = imports.preview(ctx, admin, "organizations", _csv(bad))
    # Line 5 breaks two rules across columns: both are reported, each on its later column.
    assert {(p.line, p.column) for p in checked.problems} == {
        (3, "key"),
        (4, "key"),
        (5, "term_end"),
        (5, "exception_reason"),
    }
    assert any("already on line 2" in p.problem for p in checked.problems)
    good = header + "new-co,New Co,company,general,1000,2027-01-01,2027-12-31,paid,\n"
    assert imports.import_csv(ctx, admin, "organizations", _csv(good)).ids == ["new-co"]
    assert "New Co" in [o.name for o in catalog.list_organizations(ctx)]


def test_staff_import_reads_skill_levels_and_references(world: World):
    ctx, execu = world.ctx, world.actors["exec"]
    text = (
        "key,name,username,skills,capacity_weeks,paid_by,active\n"
        "ada,Ada,staff,python:3;react:1,20,acme-notebooks,yes\n"
        "bob,Bob,nobody,cobol:2,10,nowhere,maybe\n"
        "cy,Cy,,python3,10,,\n"
    )
    checked = imports.preview(ctx, execu, "staff", _csv(text))
    assert {(p.line, p.column) for p in checked.problems} == {
        (3, "skills"),
        (3, "username"),
        (3, "paid_by"),
        (3, "active"),
        (4, "skills"),
    }
    good = "key,name,skills,capacity_weeks\nada,Ada,python:3;react:1,20\n"
    assert imports.import_csv(ctx, execu, "staff", _csv(good)).count == 1
    (ada,) = staff.list_staff(ctx, execu)
    assert ada.member.skills == {"python": 3, "react": 1} and ada.member.capacity_weeks == 20


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("member", "items"),
        ("orgrep", "items"),
        ("lead", "organizations"),
        ("exec", "organizations"),
        ("lead", "staff"),
        ("staff", "staff"),
    ],
)
def test_only_the_roles_of_the_forms_may_import(world: World, who: str, kind: str):
    before = dump(world.ctx.engine)
    for use in (imports.preview, imports.import_csv):
        with pytest.raises(PermissionDenied):
            use(world.ctx, world.actors[who], kind, _csv(imports.KINDS[kind].template()))
    assert dump(world.ctx.engine) == before


def test_every_template_imports_for_its_role(world: World):
    ctx = world.ctx
    for kind, who in (("items", "admin"), ("organizations", "admin"), ("staff", "exec")):
        template = imports.KINDS[kind].template().replace("python:3;docs:2", "python:3")
        done = imports.import_csv(ctx, world.actors[who], kind, _csv(template))
        assert done.count == 1, kind


def test_sql_looking_text_is_stored_and_read_back_verbatim(world: World):
    ctx, lead = world.ctx, world.actors["lead"]
    title = "Robert'); DROP TABLE items;--"
    summary = "1' OR '1'='1 \" ; SELECT * FROM users WHERE 'a'='a"
    made = items.create_item(
        ctx,
        lead,
        {
            "title": title,
            "summary": summary,
            "subcommunity": "jupyter-frontends",
            "effort_low": 1,
            "effort_high": 2,
        },
    )
    again = item_reads.get_item(ctx, lead, made.id)
    assert (again.title, again.summary) == (title, summary)
    quoted = summary.replace('"', '""')
    csv_text = (
        "title,summary,subcommunity,effort_low,effort_high\n"
        f'"{title}","{quoted}",jupyter-frontends,1,2\n'
    )
    done = imports.import_csv(ctx, lead, "items", _csv(csv_text))
    imported = item_reads.get_item(ctx, lead, int(done.ids[0]))
    assert (imported.title, imported.summary) == (title, summary)
    assert len(item_reads.list_items(ctx, lead)) == 2, "every row is still there"


def test_the_cli_checks_reports_each_problem_with_its_line_and_imports_all_or_nothing(
    tmp_path: Path,
):
    env = {
        **os.environ,
        "ROADMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "ROADMAP_SECRET_KEY": "cli-test",
    }

    def roadmap(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).parent / "roadmap"), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert roadmap("init-db", "--demo-if-empty").returncode == 0
    template = roadmap("import-csv", "items", "--template").stdout
    good = tmp_path / "items.csv"
    good.write_text(template, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(template + "x,,nowhere,feature,,1,2,,,\n", encoding="utf-8")

    refused = roadmap("import-csv", "items", str(bad))
    assert refused.returncode == 2
    assert f"{bad}: line 3, title: The title must have at least 3 characters." in refused.stderr
    assert f"{bad}: line 3, subcommunity: There is no sub-community 'nowhere'." in refused.stderr
    assert "Nothing was imported" in refused.stderr

    checked = roadmap("import-csv", "items", str(good), "--dry-run")
    assert checked.returncode == 0 and "nothing written" in checked.stdout
    done = roadmap("import-csv", "items", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 1 roadmap items: ")
    engine = make_engine(env["ROADMAP_DATABASE_URL"])
    with engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM items WHERE title LIKE 'Faster%'")).all()
    engine.dispose()
    assert titles == [("Faster notebook start-up",)], "the refused file added nothing"
