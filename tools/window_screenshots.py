"""Screenshots of the main window and its chart for docs/screenshots (README, docs/window.md,
docs/chart-themes-settings.md): the bundled sample at 52°N 4°E on a fixed night, four stars
selected (CH Cyg peaks at the chart's top-left corner, SS Cyg near the zenith: their names
must land inside), offscreen, in the light, dark and night themes; and nine stars at once
(the legend lists the curves).

    QT_QPA_PLATFORM=offscreen python -m tools.window_screenshots docs/screenshots

Writes main-light.png, main-night.png, chart-light.png, chart-dark.png, chart-night.png and
chart-legend-light.png (nine stars: the legend lists the curves); then main-1280x820.png (the
first-start columns in a 1280x820 window) and details-light.png, details-night.png (the
Details dock on SS Cyg).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from tools._offscreen import private_folders, wait

NIGHT = dt.date(2026, 11, 23)
CHART_TARGETS = ("SS Cyg", "CH Cyg", "omi Cet", "R Leo")
LEGEND_TARGETS = CHART_TARGETS + ("chi Cyg", "T CrB", "R Cas", "U Gem", "Z Cam")
THEMES = ("light", "dark", "night")
DETAILS_TARGET = "SS Cyg"
SMALL = (1280, 820)
WINDOW_THEMES = ("light", "night")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    private_folders()

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from planner.config import Settings, save_settings

    save_settings(Settings(site_name="Leiden", latitude=52.0, longitude=4.0, elevation=0.0,
                           target_altitude=20.0, timezone="Europe/Amsterdam"))
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    from planner.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    wait(lambda: window.is_ready and not window.sky_runner.busy)
    window.set_night_date(NIGHT)
    wait(lambda: not window.sky_runner.busy and window.observability is not None
         and window.observability.night.start > 0)
    names = [t.star_name for t in window.night_state.targets]
    window.night_state.set_selection([names.index(n) for n in CHART_TARGETS if n in names])
    args.folder.mkdir(parents=True, exist_ok=True)
    for theme in THEMES:
        window.apply_theme(theme, save=False)
        window.chart.flush(60_000)
        QCoreApplication.processEvents()
        window.chart.grab().save(str(args.folder / f"chart-{theme}.png"))
        if theme in WINDOW_THEMES:
            window.grab().save(str(args.folder / f"main-{theme}.png"))
    window.apply_theme("light", save=False)
    window.night_state.set_selection([names.index(n) for n in LEGEND_TARGETS if n in names])
    window.chart.flush(60_000)
    QCoreApplication.processEvents()
    window.chart.grab().save(str(args.folder / "chart-legend-light.png"))
    # a 1280x820 window's first-start columns, and the Details dock on one target (docs/window.md)
    window.night_state.set_selection([names.index(DETAILS_TARGET)])
    window.resize(*SMALL)
    wait(lambda: (window.width(), window.height()) == SMALL)
    for theme in WINDOW_THEMES:
        window.apply_theme(theme, save=False)
        window.chart.flush(60_000)
        QCoreApplication.processEvents()
        if theme == "light":
            window.grab().save(str(args.folder / "main-1280x820.png"))
        window.details_dock.grab().save(str(args.folder / f"details-{theme}.png"))
    window.close()
    from planner.app.helper import stop_helper_process

    stop_helper_process()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
