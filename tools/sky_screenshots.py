"""Screenshots of the observer's-sky pieces for docs/screenshots: the chart with a horizon
mask, the Outlook dock, and Settings > Horizon, Moon & mount, from the bundled sample at a
site with tests/data/horizon/backyard.hrz, offscreen.

    QT_QPA_PLATFORM=offscreen python -m tools.sky_screenshots docs/screenshots [--theme night]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from tools._offscreen import private_folders, wait

ROOT = Path(__file__).resolve().parents[1]
MASK = ROOT / "tests" / "data" / "horizon" / "backyard.hrz"
NIGHT = dt.date(2026, 11, 23)
CHART_TARGETS = ("SS Cyg", "omi Cet", "R Leo")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--theme", default="light")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    private_folders()

    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from planner.config import Settings, save_settings
    from planner.sky.horizon import read_horizon
    from planner.sky.mount import Mount

    settings = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, elevation=0.0, target_altitude=15.0,
                        timezone="Europe/Amsterdam", theme=args.theme)
    settings.horizon = read_horizon(MASK).to_json()
    settings.mount = Mount(german=True, flip_minutes=10.0).to_json()
    save_settings(settings)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from planner.ui.main_window import MainWindow
    from planner.ui.settings.dialog import SettingsDialog

    window = MainWindow()
    window.apply_theme(args.theme, save=False)
    window.resize(1500, 1000)
    window.show()
    wait(lambda: window.is_ready and not window.sky_runner.busy)
    window.set_night_date(NIGHT)
    wait(lambda: not window.sky_runner.busy and window.observability is not None
         and window.observability.night.start > 0)
    names = [t.star_name for t in window.night_state.targets]
    window.night_state.set_selection([names.index(n) for n in CHART_TARGETS if n in names])
    window.chart.flush(60_000)
    args.folder.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.theme == "light" else f"-{args.theme}"
    window.chart.grab().save(str(args.folder / f"chart-horizon-mask{suffix}.png"))

    dock = window.panel("outlook_dock")  # lazy: built when first asked for
    dock.show()
    dock.raise_()
    window.resizeDocks([dock], [380], Qt.Orientation.Vertical)
    panel = dock.widget()
    wait(lambda: panel.model.outlook is not None and not panel.runner.busy)
    QCoreApplication.processEvents()
    window.grab().save(str(args.folder / f"main-outlook{suffix}.png"))
    dock.grab().save(str(args.folder / f"outlook-dock{suffix}.png"))

    dialog = SettingsDialog(window.settings, window)
    dialog.tabs.setCurrentIndex([p.KEY for p in dialog.pages].index("sky"))
    dialog.resize(760, 900)
    dialog.show()
    QCoreApplication.processEvents()
    dialog.grab().save(str(args.folder / f"settings-horizon{suffix}.png"))
    dialog.reject()
    window.close()
    from planner.app.helper import stop_helper_process

    stop_helper_process()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
