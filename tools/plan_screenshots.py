"""Screenshot of the Plan dock for docs/screenshots (docs/plans.md): ten stars of the bundled
sample scheduled for the night of 2026-11-23 at 52°N 4°E, then one Start typed by hand onto
another block, so the picture shows the air mass column, a pinned (bold) time and the
conflict warning on its row. Offscreen, in private folders.

    QT_QPA_PLATFORM=offscreen python -m tools.plan_screenshots docs/screenshots

Writes plan-scheduled.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from tools._offscreen import private_folders, wait

NIGHT = dt.date(2026, 11, 23)
STARS = ("SS Cyg", "omi Cet", "chi Cyg", "T CrB", "RS Oph", "U Gem", "Z Cam", "AM Her", "R CrB", "eta Car")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    private_folders()

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from planner.app.state import NightState
    from planner.catalog import load_sample
    from planner.config import Settings, save_settings
    from planner.sky import night_for_date

    settings = Settings(site_name="Leiden", latitude=52.0, longitude=4.0, elevation=0.0, target_altitude=20.0,
                        timezone="Europe/Amsterdam")
    save_settings(settings)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    from planner.ui.plan_dock import PlanDock
    from planner.ui.plan_table import COLUMNS

    state = NightState(settings)
    dock = PlanDock(state=state)
    dock.resize(1000, 560)
    dock.show()
    time = night_for_date(state.site, NIGHT)
    context = type("Obs", (), {"night": type("N", (), {"time": time})()})()
    by_name = {t.star_name: t for t in load_sample().targets}
    dock.set_context(state.site, context, [by_name[n] for n in STARS])
    dock.add_targets([by_name[n] for n in STARS])
    finished = []
    dock.schedule_finished.connect(finished.append)
    dock.schedule()
    wait(lambda: bool(finished))
    # the user types a Start for the third block onto the second: pinned, and warned about
    timed = [i for i, e in enumerate(dock.plan.entries) if e.start is not None]
    second = dock.plan.entries[timed[1]]
    clock = dt.datetime.fromtimestamp(second.start + 600, state.site.tz)
    start_column = next(i for i, (key, _) in enumerate(COLUMNS) if key == "start")
    dock.model.setData(dock.model.index(timed[2], start_column), f"{clock:%H:%M}")  # what the time editor does
    airmass_column = next(i for i, (key, _) in enumerate(COLUMNS) if key == "airmass")
    wait(lambda: dock.model.index(timed[2], airmass_column).data() != "")  # checked in the sky helper
    dock.select_entry(timed[2])
    QCoreApplication.processEvents()
    args.folder.mkdir(parents=True, exist_ok=True)
    dock.grab().save(str(args.folder / "plan-scheduled.png"))
    dock.close()
    from planner.app.helper import stop_helper_process

    stop_helper_process()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
