"""Screenshots of the Chart tab and the Plan dock's estimate entry (docs/screenshots/).

Runs offscreen with its own settings and data folders, and no network: the chart shown is
the test chart of tests/data/vsp/chart_ss_cyg.json (made-up magnitudes) drawn as a VSP-like
picture here, kept in the chart store as "Prepare tonight's charts" would keep it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshot_reporting.py docs/screenshots
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def vsp_like_picture(chart, size: int = 900) -> bytes:
    """A chart picture in VSP's style: white page, black stars sized by magnitude, the
    comparison stars' labels (magnitude without the dot), the variable in the middle."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size / 150, size / 150), dpi=150)
    ax = fig.add_axes([0.02, 0.02, 0.96, 0.9])
    ax.set_facecolor("white")
    half = (chart.fov or 60.0) / 2.0
    rng = np.random.default_rng(7)
    n = 260
    x, y = rng.uniform(-half, half, n), rng.uniform(-half, half, n)
    mags = rng.uniform(9.0, chart.maglimit or 14.5, n)
    ax.scatter(x, y, s=(15.5 - mags) ** 2.2 * 0.9, c="black", linewidths=0)
    cosd = math.cos(math.radians(chart.dec or 0.0))
    for star in chart.photometry:
        v = star.magnitude("V")
        dx = -((star.ra - chart.ra + 540) % 360 - 180) * cosd * 60.0
        dy = (star.dec - chart.dec) * 60.0
        ax.scatter([dx], [dy], s=(15.5 - v.mag) ** 2.2 * 0.9, c="black", linewidths=0)
        ax.annotate(star.label, (dx, dy), xytext=(6, 4), textcoords="offset points", fontsize=7)
    ax.scatter([0], [0], s=140, facecolors="none", edgecolors="black", linewidths=0.8)
    ax.plot([-3, -1.2], [0, 0], "k-", lw=0.7)
    ax.plot([1.2, 3], [0, 0], "k-", lw=0.7)
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(-half * 0.97, half * 0.9, "N", fontsize=8)
    ax.text(half * 0.9, -half * 0.97, "E", fontsize=8)
    fig.suptitle(f"{chart.star}   {chart.fov:g}′   limit {chart.maglimit:g}   {chart.chart_id}", fontsize=8, y=0.97)
    fig.patch.set_facecolor("white")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def main(out_dir: str) -> int:
    folder = tempfile.mkdtemp(prefix="planner-shots-")
    for name in ("CONFIG", "CACHE", "DATA"):
        os.environ[f"PLANNER_{name}_DIR"] = str(Path(folder) / name.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PLANNER_VSP_URL"] = "http://127.0.0.1:9/vsp/api"  # nothing there: no network
    sys.path.insert(0, str(ROOT))

    import datetime as dt

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

    from planner.app.charts import ChartRequest, ChartStore
    from planner.app.state import NightState
    from planner.app.targets import SAMPLE, TargetList
    from planner.catalog.target import Target
    from planner.config import Settings
    from planner.services.vsp import parse_chart
    from planner.ui.details_pane import DetailsPane
    from planner.ui.plan_dock import PlanDock
    from planner.ui.themes import apply_theme

    raw = json.loads((ROOT / "tests" / "data" / "vsp" / "chart_ss_cyg.json").read_text())
    chart = parse_chart(raw)
    ChartStore().save(chart, vsp_like_picture(chart), ChartRequest("SS Cyg", 65.0, 13.5))
    evening = dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.timezone.utc).timestamp()
    settings = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, timezone="Europe/Amsterdam",
                        telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0,
                        eyepiece_field_deg=52.0)
    ss_cyg = Target(star_name="SS Cyg", ra=325.6787, dec=43.5861, min_mag=12.2, min_mag_band="V", max_mag=8.2,
                    var_type="UGSS", constellation="Cyg")
    app = QApplication.instance() or QApplication([])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def wait(condition, limit_s: float = 30.0) -> None:
        import time

        end = time.monotonic() + limit_s
        while not condition() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    from planner.plan import store as plan_store

    for theme in ("light", "night"):
        plan_store.clear_recovery()  # the last window's autosave would ask to be restored
        apply_theme(app, theme)
        state = NightState(settings, clock=lambda: evening)
        state.set_target_list(TargetList([ss_cyg], SAMPLE))
        window = QMainWindow()
        window.resize(1500, 820)
        plan_dock = PlanDock(window, state=state)
        plan_dock.plan.date = "2026-11-23"
        plan_dock.add_targets([ss_cyg])
        plan_dock.plan.update(0, chart_id=chart.chart_id)
        details = QDockWidget("Details", window)
        pane = DetailsPane(details, state=state)
        details.setWidget(pane)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, details)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, plan_dock)
        window.resizeDocks([details, plan_dock], [900, 600], Qt.Orientation.Horizontal)
        pane.show_chart_tab()
        window.show()
        plan_dock.select_entry(0)
        wait(lambda: pane.chart.shown is not None and pane.chart.shown.result is not None
             and plan_dock.estimate_box._chart is not None)
        wait(lambda: pane.chart.shown.look == ("red" if theme == "night" else "normal"))
        box = plan_dock.estimate_box
        box.set_time(evening)
        box.mag_edit.setText("11.6")
        box.comp_combos[0].setCurrentIndex(2)
        box.comp_combos[1].setCurrentIndex(3)
        box.code_buttons["B"].setChecked(True)
        box.notes_edit.setText("Moon 40° away")
        box.request_add()
        wait(lambda: plan_dock.plan.entries[0].observations != ())
        box.mag_edit.setText("11.7")
        box.comp_combos[0].setEditText("99")
        box.request_add()
        wait(lambda: "not on chart" in box.message.text())
        for _ in range(20):
            app.processEvents()
        if theme == "light":
            pane.grab().save(str(out / "chart-tab-light.png"))
        window.grab().save(str(out / f"estimate-entry-{theme}.png"))
        plan_dock._autosave_timer.stop()
        window.close()
        window.deleteLater()
        app.processEvents()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs" / "screenshots")))
