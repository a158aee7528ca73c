"""Tonight's minima, transits and maxima in the window: the "Next event" and "Phase now"
columns (sortable, missing last), the "Events" filter, the details, the chart's bands and
the worker that keeps them current, with VSX's elements for targets lacking their own.

The events themselves are checked against published times in tests/sky and tests/app;
here the window only has to show what ``planner.app.events`` computed."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from planner.app.events import events_for_night
from planner.app.state import NightState
from planner.app.targets import SAMPLE, TargetList
from planner.catalog import load_sample
from planner.config import Settings
from planner.sky import Site, night_for_date
from planner.sky.elements import Elements
from planner.ui.targets_model import COLUMN_INDEX, SORT_ROLE, TargetsModel, TargetsProxy
from planner.ui.targets_view import TargetDetails, events_html

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
SITE = Site(latitude=52.0, longitude=4.0, elevation=0.0, timezone="Europe/Amsterdam")
NAMES = ("bet Per", "W UMa", "U Gem", "HD 189733", "del Cep", "omi Cet", "SS Cyg", "RR Lyr")


@pytest.fixture(scope="module")
def sample_targets():
    by_name = {t.star_name: t for t in load_sample().targets}
    return [by_name[n] for n in NAMES]


@pytest.fixture(scope="module")
def night_events(sample_targets):
    return events_for_night(sample_targets, SITE, night_for_date(SITE, dt.date(2026, 12, 1)))


@pytest.fixture
def proxy(qapp, sample_targets, night_events):
    model = TargetsModel()
    model.set_time_zone(SITE.tz)
    model.set_targets(sample_targets)
    model.set_events(night_events)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    return proxy


def cell(model, name, key):
    row = model.row_of_target([t.star_name for t in model.targets].index(name))
    return model.index(row, COLUMN_INDEX[key])


def test_next_event_and_phase_columns_show_the_use_cases_numbers(proxy, night_events):
    model = proxy.source
    for i, name in enumerate(NAMES):
        row = night_events.targets[i]
        text = cell(model, name, "next_event").data()
        phase = cell(model, name, "phase").data()
        if row.next_event_tonight is not None:
            event = row.next_event_tonight
            assert text == f"{event.label} {night_events.clock(event.time, SITE.tz)} {event.observable}"
        elif row.next_event is not None:
            assert text.split()[0] in ("Min", "Transit", "Max") and "Dec" in text  # a later night, with its day
        else:
            assert text == ""
        assert phase == ("" if row.phase is None else f"{row.phase:.2f}")
    # no elements, no type with events: empty cells whose tooltips say why
    assert cell(model, "SS Cyg", "next_event").data() == ""
    assert "no periodic events" in cell(model, "SS Cyg", "next_event").data(Qt.ItemDataRole.ToolTipRole)
    assert "no elements" in cell(model, "RR Lyr", "phase").data(Qt.ItemDataRole.ToolTipRole)
    assert cell(model, "omi Cet", "next_event").data() == ""  # an LPV: phase only
    assert cell(model, "omi Cet", "phase").data() != ""
    tip = cell(model, "bet Per", "next_event").data(Qt.ItemDataRole.ToolTipRole)
    assert "cycles from the epoch" in tip and "Elements:" in tip


@pytest.mark.parametrize("order", [ASC, DESC])
@pytest.mark.parametrize("key", ["next_event", "phase"])
def test_event_columns_sort_by_value_with_missing_last(proxy, key, order):
    proxy.sort(COLUMN_INDEX[key], order)
    values = [proxy.index(r, COLUMN_INDEX[key]).data(SORT_ROLE) for r in range(proxy.rowCount())]
    present = [v for v in values if v is not None]
    assert present and None in values
    assert values[: len(present)] == present
    assert present == sorted(present, reverse=order == DESC)


def test_events_filter_keeps_targets_with_a_watchable_event(proxy, night_events):
    assert proxy.rowCount() == len(NAMES)
    proxy.set_events_only(True)
    shown = {proxy.index(r, COLUMN_INDEX["name"]).data() for r in range(proxy.rowCount())}
    expected = {NAMES[i] for i, has in enumerate(night_events.has_event_mask()) if has}
    assert shown == expected and expected and "SS Cyg" not in shown
    proxy.source.set_events(None)  # a new night: unknown until computed, so nothing passes
    assert proxy.rowCount() == 0
    proxy.set_events_only(False)
    assert proxy.rowCount() == len(NAMES)


def test_events_of_another_list_are_ignored(qapp, sample_targets, night_events):
    model = TargetsModel()
    model.set_targets(sample_targets[:3])
    model.set_events(night_events)
    assert model.events is None


def test_details_list_the_nights_events_with_window_and_elements(qapp, night_events):
    index = NAMES.index("bet Per")
    html = events_html(night_events.targets[index], SITE.tz, night=night_events)
    row = night_events.targets[index]
    assert "Minima, transits and maxima" in html
    for event in row.events:
        assert f"{event.label} {night_events.clock(event.time, SITE.tz)}" in html
        assert event.observable in html
    assert "epoch HJD" in html and "period 2.86" in html
    none = events_html(night_events.targets[NAMES.index("RR Lyr")], SITE.tz,
                       vsx_note="AAVSO VSX could not be reached.", night=night_events)
    assert "no elements" in none and "AAVSO VSX could not be reached." in none


def test_details_follow_the_state_events(qtbot, sample_targets, night_events):
    state = NightState(Settings(latitude=52.0, longitude=4.0, timezone="Europe/Amsterdam"))
    details = TargetDetails(state=state)
    qtbot.addWidget(details)
    state.set_target_list(TargetList(list(sample_targets), SAMPLE))
    state.set_selection([0])
    assert "Minima, transits and maxima" not in details.toPlainText()
    state.set_events(night_events)
    assert "Minima, transits and maxima" in details.toPlainText()


# -- the window: computed in the helper process, shown in table, chart and filter ------------

_open: list = []


@pytest.fixture(autouse=True)
def close_windows():
    """Windows are deleted at once after each test (as in test_main_window)."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    while _open:
        window = _open.pop()
        window.close()
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def open_window(qtbot, **kw):
    from planner.ui.main_window import MainWindow

    window = MainWindow(**kw)
    _open.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready and not window.sky_runner.busy, timeout=60_000)
    return window


def test_window_computes_events_and_fills_elements_from_vsx(qtbot, monkeypatch):
    from planner.app import events as app_events

    asked: list[list[str]] = []
    rr = Elements(epoch=2457000.1, period=0.566793, time_scale="HJD", rise_duration=15.0, source="VSX (test)")

    def fake_vsx(targets, settings, *, cancelled=None):  # what VSX would answer, without a network
        asked.append([t.star_name for t in targets])
        return {"RR Lyr": rr}, "AAVSO VSX: 3 stars not found."

    monkeypatch.setattr(app_events, "vsx_elements_for", fake_vsx)
    import time

    from planner.app import targets as data_source

    # the last AAVSO list, as a window with a key would have saved it (here: the sample's stars)
    data_source.save_last_list(load_sample().targets, time.time(), sections=["all"])
    window = open_window(qtbot)
    state = window.night_state
    assert state.target_list.origin != SAMPLE
    qtbot.waitUntil(lambda: state.events is not None and not window.night_events.busy
                    and "RR Lyr" in state.vsx_elements, timeout=120_000)
    names = [t.star_name for t in state.targets]
    # only targets whose type has events and that carry no elements were looked up
    assert asked and "RR Lyr" in asked[0] and "bet Per" not in asked[0] and "SS Cyg" not in asked[0]
    qtbot.waitUntil(lambda: state.events is not None
                    and state.events.targets[names.index("RR Lyr")].elements == rr, timeout=120_000)
    assert window.model.events is state.events
    assert state.vsx_note == "AAVSO VSX: 3 stars not found."
    # the Events filter shows the targets with a watchable event tonight
    mask = state.events.has_event_mask()
    window.events_action.setChecked(True)
    assert window.proxy.rowCount() == sum(mask)
    window.events_action.setChecked(False)
    # the chart draws the selected targets' events
    with_event = [i for i, has in enumerate(mask) if has]
    if with_event:
        state.set_selection(with_event[:2])
        qtbot.waitUntil(lambda: window.chart.state.events == state.events.chart_events(), timeout=30_000)
        assert window.chart.flush()
        assert window.chart.shown is not None


def test_the_bundled_sample_asks_no_service(qtbot, monkeypatch):
    """The sample's elements are curated (SOURCES.md) and it must work with no network."""
    from planner.app import events as app_events

    asked = []
    monkeypatch.setattr(app_events, "vsx_elements_for", lambda targets, settings, cancelled=None: asked.append(1))
    window = open_window(qtbot)
    assert window.night_state.target_list.origin == SAMPLE
    qtbot.waitUntil(lambda: window.night_state.events is not None and not window.night_events.busy, timeout=120_000)
    assert asked == [] and window.model.events is window.night_state.events


def test_events_filter_is_remembered(qtbot, monkeypatch):
    from planner.app import events as app_events

    monkeypatch.setattr(app_events, "vsx_elements_for", lambda targets, settings, cancelled=None: ({}, ""))
    window = open_window(qtbot)
    window.events_action.setChecked(True)
    window.close()
    again = open_window(qtbot)
    assert again.events_action.isChecked() and again.proxy.events_only


def test_chart_state_carries_the_events_to_the_drawing():
    from planner.plot.render import ChartState, FigureRenderer
    from planner.sky import compute_observability

    rng = np.random.default_rng(1)
    when = 1_795_449_600.0
    obs = compute_observability(rng.uniform(0, 360, 2), rng.uniform(40, 80, 2), SITE, when)
    middle = float(obs.grid[len(obs.grid) // 2])
    renderer = FigureRenderer()
    state = ChartState(obs=obs, names=("A", "B"), selection=(0,), width=600, height=300)
    renderer.apply(state)
    assert renderer.plot.event_artists == []
    events = ((0, middle - 1800, middle, middle + 1800, "Min I"),)
    with_events = ChartState(obs=obs, names=("A", "B"), selection=(0,), width=600, height=300, events=events)
    assert not with_events.same(state)
    renderer.apply(with_events)  # in place: same night, names and theme
    assert renderer.plot.events == [events[0]] and renderer.plot.event_artists


def test_add_events_to_plan_makes_fixed_blocks_with_the_settings_margins(qtbot, monkeypatch):
    """The window's "Add selected targets' events to plan": each selected target's watchable
    event becomes a fixed block in the plan dock; a target without one is named with why."""
    from planner.app import events as app_events
    from planner.app.events import event_for_block

    monkeypatch.setattr(app_events, "vsx_elements_for", lambda targets, settings, cancelled=None: ({}, ""))
    # a fixed evening (2026-12-01 17:00 UTC), on which the sample has watchable events and
    # targets without one: the real clock's night may have none (it failed at 09:30 UTC)
    evening = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.timezone.utc).timestamp()
    window = open_window(qtbot, clock=lambda: evening)
    state = window.night_state
    qtbot.waitUntil(lambda: state.events is not None and not window.night_events.busy, timeout=120_000)
    names = [t.star_name for t in state.targets]
    with_event = [i for i, t in enumerate(state.events.targets) if event_for_block(t) is not None]
    without = [i for i, t in enumerate(state.events.targets) if event_for_block(t) is None]
    assert with_event and without
    plan = window.plan_dock.plan
    before = len(plan.entries)
    window.table.select_target_indices([with_event[0], without[0]])
    assert sorted(window.table.selected_target_indices()) == sorted([with_event[0], without[0]])
    window.add_events_to_plan_action.trigger()
    assert len(plan.entries) == before + 1
    entry = plan.entries[-1]
    event = event_for_block(state.events.targets[with_event[0]])
    margin_before, margin_after = app_events.event_margins(window.settings)
    assert entry.fixed and entry.target.name == names[with_event[0]]
    assert (entry.start, entry.end) == (math.floor((event.start - margin_before) / 60) * 60,
                                        math.ceil((event.end + margin_after) / 60) * 60)
    message = window.statusBar().currentMessage()
    assert "fixed block" in message and names[without[0]] in message
    # the plan now has unsaved changes: quitting asks, and this test's answer is Discard
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
