"""In an aggregate-only period, no page a representative can open shows another
organization's individual signal: not in a table, not in a chart."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy, Role
from roadmap.services import catalog, periods, signals
from roadmap.services.context import default_context
from roadmap.ui.registry import pages_for

ROOT = Path(__file__).resolve().parents[2]
EXEC = Actor(None, "setup", "setup", frozenset({(Role.EXECUTIVE, None)}))


@pytest.fixture
def aggregate_period() -> Iterator[None]:
    ctx = default_context()
    period = periods.get_period(ctx)
    periods.update_period(ctx, EXEC, period.key, {"privacy": Privacy.AGGREGATE}, period.version)
    yield
    period = periods.get_period(ctx)
    periods.update_period(ctx, EXEC, period.key, {"privacy": Privacy.ATTRIBUTED}, period.version)


def test_every_page_of_a_representative_hides_other_organizations_signals(
    aggregate_period: None, as_user: Callable[[str | None], Actor]
) -> None:
    rep = as_user("orgrep")
    ctx = default_context()
    own = {
        o.name for o in catalog.list_organizations(ctx) if o.key in rep.scopes(Role.REPRESENTATIVE)
    }
    others = {o.name for o in catalog.list_organizations(ctx)} - own
    # The other organizations did signal: the check below would find them if they leaked.
    attributed = signals.signal_board(ctx, EXEC)
    assert {attributed.names[s.organization] for s in attributed.signals} & others
    checked_tables = 0
    for spec in pages_for(rep):
        at = AppTest.from_file(str(ROOT / "pages" / f"{spec.key}.py"), default_timeout=30).run()
        assert not at.exception, spec.key
        for table in at.dataframe:
            frame = table.value
            if "Item" in frame.columns and "Organization" in frame.columns:
                checked_tables += 1
                assert set(frame["Organization"]) <= own, f"{spec.key} shows others' signals"
        for chart in at.get("plotly_chart"):
            figure = json.loads(chart.proto.spec)
            for trace in figure["data"]:
                if trace.get("type") == "heatmap" and "Who asked" in json.dumps(figure["layout"]):
                    assert set(trace.get("y", [])) <= own, f"{spec.key} charts others' signals"
    assert checked_tables >= 1, "the representative's own signals should be shown somewhere"
