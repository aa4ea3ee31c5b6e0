"""Two saves of one item racing: the one that loses is refused as a conflict, never with a
database error (found by the browser load test on PostgreSQL, tests/e2e/test_load.py)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update
from support.world import World

from roadmap.domain.errors import ConflictError
from roadmap.services import items
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow

ITEM = {
    "title": "Visual regression testing",
    "summary": "Screenshot tests for JupyterLab.",
    "subcommunity": "jupyter-frontends",
    "kind": "infrastructure",
    "effort_low": 3,
    "effort_high": 6,
    "skills": ["python"],
}


def test_a_save_that_starts_while_another_is_uncommitted_is_refused_as_a_conflict(
    world: World,
) -> None:
    lead = world.actors["lead"]
    item = items.create_item(world.ctx, lead, ITEM)
    outcome: list[BaseException | None] = []

    def second_save() -> None:
        try:
            items.update_item(
                world.ctx, lead, item.id, {**ITEM, "title": "Second save"}, item.version
            )
            outcome.append(None)
        except BaseException as exc:  # reported in the test's thread
            outcome.append(exc)

    # The first save has updated the row and not committed yet when the second one starts
    # from the same version.
    with transaction(world.ctx.engine) as first:
        first.execute(
            update(ItemRow)
            .where(ItemRow.id == item.id)
            .values(title="First save", version=ItemRow.version + 1)
        )
        racer = threading.Thread(target=second_save)
        racer.start()
        time.sleep(1.0)  # the second save is now waiting for the first's lock
    racer.join(timeout=60)
    assert not racer.is_alive()
    (error,) = outcome
    with pytest.raises(ConflictError, match="Someone else saved this item"):
        if error is not None:
            raise error
    with reading(world.ctx.engine) as session:
        row = session.scalars(select(ItemRow).where(ItemRow.id == item.id)).one()
        assert (row.title, row.version) == ("First save", item.version + 1)


def test_any_write_that_finds_its_row_changed_underneath_is_a_conflict_sentence(
    world: World,
) -> None:
    """The safety net under every use case (organizations, staff, periods, accounts): the
    version check failing at flush is a ConflictError with a sentence, and nothing is kept."""
    from roadmap.store.tables import OrganizationRow

    ctx = world.ctx
    with (
        pytest.raises(ConflictError, match="Someone else changed this record"),
        transaction(ctx.engine) as session,
    ):
        org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == "acme-notebooks"))
        assert org is not None
        # Another writer's update, committed between this one's read and its write:
        session.execute(
            update(OrganizationRow)
            .where(OrganizationRow.id == org.id)
            .values(version=OrganizationRow.version + 1, name="Changed elsewhere")
            .execution_options(synchronize_session=False)
        )
        org.name = "Mine"
        session.flush()
    with reading(ctx.engine) as session:
        names = session.scalars(select(OrganizationRow.name)).all()
    assert names == ["Acme Notebooks"], "the whole transaction was rolled back"
