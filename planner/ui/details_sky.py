"""The Details dock's "tonight" block for the selected target: its J2000 position, tonight's
observable window in the window's time zone, the transit and its altitude (the words come
from ``planner.app.target_sky``, which ``planner tonight --star`` prints too) and a small
altitude sparkline (``AltitudeSparkline``: the curve over the night, the limit and the dark
time marked faintly, every colour from the theme, so red on black in night mode).
"""

from __future__ import annotations

import html
import re

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from planner.app.target_sky import TargetSky, describe_target_sky, position_text, target_sky
from planner.ui.listen import listen
from planner.ui.themes import THEME_EVENTS, current_theme

TOP_ALTITUDE = 90.0
# A change is shown this long after it: the turn of the event loop that repaints the table
# for a new night, list or selection does not also lay out and paint this block (the two
# together were the stall benchmark's longest turns of the GUI thread)
REFRESH_AFTER_MS = 20


class AltitudeSparkline(QWidget):
    """One target's altitude through the night: 0° at the bottom, 90° at the top, the grid's
    span left to right; the dark time is the darker band, the limit a dashed line, the hours
    above it drawn thicker, the transit a short tick, and "now" a line in a night in progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("altitudeSparkline")
        self.sky: TargetSky | None = None
        self.shown: tuple[str, ...] = ()  # the stars on the chart, this one first: its colour there
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(max(44, self.fontMetrics().height() * 3))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(240, self.height())

    def set_sky(self, sky: TargetSky | None, shown: tuple[str, ...] = ()) -> None:
        """``shown``: the names of the stars the chart draws with this one (this one first),
        so the curve takes the colour the chart gives it among them. None draws nothing: its
        panel hides it only when no target is selected, not while the night is computed (a
        strip shown and hidden again at each new night made the dock lay out its text
        again: 10 ms of the GUI thread's turn)."""
        self.sky = sky
        self.shown = tuple(shown)
        self.update()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self.update()

    def x_of(self, t: float) -> float:
        grid = self.sky.grid
        span = float(grid[-1] - grid[0]) or 1.0
        return 1.0 + (float(t) - float(grid[0])) / span * (self.width() - 2.0)

    def y_of(self, altitude: float) -> float:
        clipped = min(max(float(altitude), 0.0), TOP_ALTITUDE)
        return 1.0 + (1.0 - clipped / TOP_ALTITUDE) * (self.height() - 2.0)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        sky = self.sky
        if sky is None or len(sky.grid) < 2:
            return
        t = current_theme()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = float(self.height())
        p.fillRect(self.rect(), QColor(t.day))
        sunset, sunrise = sky.sun
        left, right = float(sky.grid[0]), float(sky.grid[-1])
        night = QRectF(QPointF(self.x_of(sunset if sunset is not None else left), 0.0),
                       QPointF(self.x_of(sunrise if sunrise is not None else right), h))
        p.fillRect(night, QColor(t.astronomical))
        dusk, dawn = sky.dark
        if dusk is not None and dawn is not None:
            p.fillRect(QRectF(QPointF(self.x_of(dusk), 0.0), QPointF(self.x_of(dawn), h)), QColor(t.darkness))
        limit = QPen(QColor(t.limit), 1.0, Qt.PenStyle.DashLine)
        p.setPen(limit)
        p.drawPolyline([QPointF(self.x_of(x), self.y_of(y)) for x, y in zip(sky.grid[::3], sky.limit[::3])])
        shown = self.shown or ((sky.name,) if sky.name else ())
        curve = QColor(t.curve_colors(shown)[0] if shown else t.curves[0])  # the colour the chart gives it
        path = QPainterPath()
        for k, (x, y) in enumerate(zip(sky.grid, sky.altitude)):
            point = QPointF(self.x_of(x), self.y_of(y))
            path.moveTo(point) if k == 0 else path.lineTo(point)
        p.setPen(QPen(curve, 1.0))
        p.drawPath(path)
        thick = QPen(curve, 2.5)
        thick.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setPen(thick)
        for a, b in sky.windows:  # the hours above the limit, thicker
            inside = (sky.grid >= a) & (sky.grid <= b)
            times = np.concatenate([[a], sky.grid[inside], [b]])
            alts = np.interp(times, sky.grid, sky.altitude)
            p.drawPolyline([QPointF(self.x_of(x), self.y_of(y)) for x, y in zip(times, alts)])
        if sky.now is not None and left <= sky.now <= right:  # a night in progress: where it stands
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(QPen(QColor(t.now), 1.0))
            x = round(self.x_of(sky.now))
            p.drawLine(x, 0, x, int(h))
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if left <= sky.transit <= right and sky.transit_altitude > 0:
            x = self.x_of(sky.transit)
            p.setPen(QPen(QColor(t.foreground), 1.0))
            p.drawLine(QPointF(x, h - 1.0), QPointF(x, h - 6.0))
        p.end()


class TargetSkyPanel(QWidget):
    """The selected target's position and tonight, from the ``NightState``'s observability;
    follows the selection, the night, the site and the time zone, ``REFRESH_AFTER_MS``
    after each change (``pending`` until then)."""

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.setObjectName("targetSky")
        self.state = state
        self.sky: TargetSky | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("targetSkySummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sparkline = AltitudeSparkline(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.sparkline)
        self._waiting = False  # the night or the site changed: the shown numbers are the old ones
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(REFRESH_AFTER_MS)
        self._later.timeout.connect(self.refresh)
        if state is not None:
            for signal in (state.selection_changed, state.targets_changed, state.time_zone_changed):
                listen(self, signal, lambda *_: self._later.start())
            listen(self, state.observability_changed, self._on_observability)
            listen(self, state.night_changed, self._on_recomputing)
            listen(self, state.site_changed, self._on_recomputing)
        self.refresh()

    @property
    def pending(self) -> bool:
        """A change not shown yet (it is, ``REFRESH_AFTER_MS`` after it)."""
        return self._later.isActive()

    def _on_observability(self, _obs) -> None:
        self._waiting = False
        self._later.start()

    def _on_recomputing(self, *_args) -> None:
        self._waiting = True
        self._later.start()

    def refresh(self) -> None:
        self._later.stop()
        state = self.state
        target = state.current_target() if state is not None else None
        obs = state.observability if state is not None else None
        self.sky = None
        self.setToolTip("")
        if target is None:
            self.summary.setText("<i>Select a target to see where it is and when it can be observed tonight.</i>")
        elif obs is None or self._waiting or obs.site != state.site:
            self.summary.setText(_rows_html([("Position", position_text(target.ra, target.dec, target.constellation)),
                                             ("Tonight", "computing the night's visibility…")]))
        else:
            index = state.selection[0]
            self.sky = target_sky(obs, index, target)
            rows = describe_target_sky(self.sky, state.display_tz(), state.tz_label(short=True))
            self.summary.setText(_rows_html(rows))
            self.setToolTip(f"{target.star_name}: altitude through the {state.describe_night()} "
                            f"(dark band: astronomical darkness; dashed: your limit)")
        self.sparkline.setVisible(target is not None)
        self.sparkline.set_sky(self.sky, self._shown_names())

    def _shown_names(self) -> tuple[str, ...]:
        """The names the chart draws (``planner.ui.chart``: the selected targets' star names),
        the current target's first."""
        state = self.state
        if self.sky is None or state is None:
            return ()
        targets = state.targets
        return tuple(targets[i].star_name for i in dict.fromkeys(state.selection) if 0 <= i < len(targets))

    def text(self) -> str:
        """The summary as plain text (for tests and copying)."""
        doc = self.summary.text().replace("&nbsp;", "").replace("</tr>", "\n").replace("</td><td>", " ")
        return html.unescape(re.sub(r"<[^>]+>", "", doc)).strip()


def _rows_html(rows) -> str:
    e = html.escape
    body = "".join(f"<tr><td><b>{e(k)}</b>&nbsp;</td><td>{e(v)}</td></tr>" for k, v in rows)
    return f"<table cellspacing='0' cellpadding='1'>{body}</table>"


__all__ = ["AltitudeSparkline", "TargetSkyPanel"]
