"""Tonight's chart under the targets table: a Qt widget showing the picture the helper
process drew (``planner.ui.chart_render`` / ``planner.plot.render``) of the Qt-free plot
(``planner.plot.night.draw_night``), with a hover read-out and a clock for the "now" line.
It follows the window's ``NightState``.

The window's process never loads matplotlib for it: the hover read-out works from a
snapshot (``planner.plot.hover``), and until the first picture arrives the widget paints a
placeholder, so the window is on screen before the helper has even started. The placeholder
is painted in the theme's background, and it stands in for a picture drawn in another theme
while the new one is drawn: after a switch to the light theme no black night-mode chart
stays on screen, and after a switch to night mode no bright one.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import replace
from datetime import tzinfo
from typing import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from planner import timeline
from planner.plot.hover import HoverSnapshot
from planner.plot.palette import Theme
from planner.plot.palette import theme as get_theme
from planner.plot.picture import ChartState
from planner.sky.types import Observability
from planner.ui.chart_render import ChartRenderer, RenderResult
from planner.ui.listen import listen

NOW_INTERVAL_MS = 60_000
RESIZE_DEBOUNCE_MS = 50
PLACEHOLDER_TEXT = "Drawing the chart…"


class ChartView(QWidget):
    """Paints the newest picture of the chart (scaled while a new size is being rendered) and
    reports the mouse position in the picture's pixels."""

    def __init__(self, chart: "TonightChart") -> None:
        super().__init__(chart)
        self._chart = chart
        self.image: QImage | None = None
        self.image_theme = ""  # the theme the image was drawn in
        self.theme_name = "light"
        self.background = QColor(get_theme("light").figure_bg)
        self.foreground = QColor(get_theme("light").text)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def set_image(self, image: QImage, theme_name: str) -> None:
        self.image, self.image_theme = image, theme_name
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme_name = theme.name
        self.background = QColor(theme.figure_bg)
        self.foreground = QColor(theme.text)
        self.update()

    @property
    def showing_picture(self) -> bool:
        """Whether the picture is painted (not the placeholder): one drawn in the current theme."""
        return self.image is not None and not self.image.isNull() and self.image_theme == self.theme_name

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if not self.showing_picture:  # the first picture, or the first in this theme, is on its way
            painter.fillRect(self.rect(), self.background)
            painter.setPen(self.foreground)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, PLACEHOLDER_TEXT)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(self.rect()), self.image)
        painter.end()

    def picture_point(self, x: float, y: float) -> tuple[float, float] | None:
        """Widget coordinates to the shown picture's pixels, origin at the bottom left."""
        if self.image is None or self.width() <= 0 or self.height() <= 0:
            return None
        return (x / self.width() * self.image.width(),
                (1.0 - y / self.height()) * self.image.height())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        self._chart._hover(self.picture_point(pos.x(), pos.y()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._chart._hover(None)
        super().leaveEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._chart._view_resized()


class TonightChart(QWidget):
    """The chart under the targets table: altitude against time for the selected targets.

    Every ``set_*`` returns at once: the picture is drawn in the drawing process and shown
    when ready (``rendered`` is emitted then). ``flush()`` waits for it, for tests and
    screenshots; ``curve_lines()`` flushes first. A chart made ``held`` draws nothing until
    ``release()`` (the window releases it once it is on screen and the helper is starting).
    """

    rendered = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] | None = time.time,
                 state=None, held: bool = False) -> None:
        super().__init__(parent)
        self._renderer = ChartRenderer(held=held)
        self._state = ChartState(now=clock() if clock is not None else None)
        self._submitted: ChartState | None = None
        self._shown: RenderResult | None = None
        self._snapshot = HoverSnapshot()
        self._hover_at: tuple[float, float] | None = None
        self.view = ChartView(self)
        self.readout = QLabel(" ")
        self.readout.setObjectName("chartReadout")
        self.readout.setToolTip("Time, altitude and airmass of the curve under the mouse")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)
        # every set_* in one turn of the event loop makes one request
        self._kick = QTimer(self)
        self._kick.setSingleShot(True)
        self._kick.setInterval(0)
        self._kick.timeout.connect(self._submit)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DEBOUNCE_MS)
        self._resize_timer.timeout.connect(self._submit)
        self._renderer.bridge.rendered.connect(self._take_result, Qt.ConnectionType.QueuedConnection)
        renderer = self._renderer
        # closing the window mid-render: the thread finishes quietly, its picture goes nowhere,
        # and the drawing process is told to leave
        self.destroyed.connect(lambda *_: renderer.stop())
        app = QCoreApplication.instance()
        if app is not None:
            ref = weakref.ref(renderer)
            app.aboutToQuit.connect(lambda: (r := ref()) is not None and r.stop())  # never waits
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setInterval(NOW_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        if clock is not None:
            self._timer.start()
        self._request()
        if state is not None:
            self._listen(state)

    def _listen(self, state) -> None:
        """Follow the window's night: its visibility, selection, time zone and plan."""
        def names() -> list[str]:
            return [t.star_name for t in state.targets]

        listen(self, state.targets_changed, lambda _tl: (self.set_data(None, names()), self.set_events(())))
        listen(self, state.observability_changed, lambda obs: (self.set_data(obs, names()),
                                                               self.set_selection(state.selection)))
        listen(self, state.selection_changed, self.set_selection)
        listen(self, state.time_zone_changed, lambda: self.set_time_zone(state.display_tz(), state.tz_label()))
        listen(self, state.plan_changed, lambda plan: self.set_plan_blocks(plan.blocks() if plan is not None else []))
        listen(self, state.plan_changed, lambda plan: self.set_flips(plan.flips() if plan is not None else []))
        listen(self, state.events_changed, lambda events: self.set_events(events.chart_events() if events else ()))
        self.set_time_zone(state.display_tz(), state.tz_label())

    # -- contract ------------------------------------------------------------------------

    def set_data(self, obs: Observability | None, names: Sequence[str]) -> None:
        """A new night (or site, or target list); ``None`` shows the empty-state message.
        The selection is kept as far as the new night has those targets."""
        self._request(obs=obs, names=tuple(str(n) for n in names),
                      selection=self._valid_selection(self._state.selection, obs))
        self.readout.setText(" ")

    def set_selection(self, indices: Sequence[int]) -> None:
        self._request(selection=self._valid_selection(indices, self._state.obs))

    def set_time_zone(self, tz: tzinfo, label: str) -> None:
        self._request(tz=tz, tz_label=str(label))

    def set_theme(self, theme: Theme | str) -> None:
        t = get_theme(theme)
        self.view.set_theme(t)
        self._request(theme=t)

    def set_now(self, unix: float | None) -> None:
        """Move the "now" line (hidden when ``None`` or outside the night); the minute timer
        calls this with the clock's time."""
        self._request(now=None if unix is None else float(unix))

    def set_plan_blocks(self, blocks: Sequence[tuple[float, float, str]]) -> None:
        self._request(plan_blocks=tuple((float(a), float(b), str(label)) for a, b, label in blocks))

    def set_flips(self, flips: Sequence[tuple[float, str]]) -> None:
        """Mark the meridian flips inside the plan's blocks: (unix, label) pairs."""
        self._request(flips=tuple((float(when), str(label)) for when, label in flips))
    def set_events(self, events: Sequence[tuple[int, float, float, float, str]]) -> None:
        """The night's events as (target index, start, middle, end, label); the selected
        targets' are drawn on their curves."""
        self._request(events=tuple((int(i), float(a), float(m), float(b), str(label))
                                   for i, a, m, b, label in events))

    # -- reading -------------------------------------------------------------------------

    @property
    def selection(self) -> list[int]:
        """The selection asked for (indices into the night's targets, valid ones only)."""
        return list(self._state.selection)

    @property
    def state(self) -> ChartState:
        return self._state

    def curve_lines(self) -> list:
        """The target curves of the latest state as drawn (waits for the picture): unattached
        copies of the drawing process's Line2D objects, with their data, label, gid, colour and style."""
        from matplotlib.lines import Line2D  # for tests and scripts only: not at the window's start

        self.flush()
        result = self._shown
        if result is None:
            return []
        return [Line2D(c.xdata, c.ydata, color=c.color, linestyle=c.linestyle, label=c.label, gid=c.gid)
                for c in result.curves]

    def readout_for(self, x_px: float, y_px: float) -> str:
        """The read-out for a point of the shown picture (display pixels, origin bottom left)."""
        return self._snapshot.readout(x_px, y_px)

    @property
    def theme(self) -> Theme:
        return self._state.theme

    @property
    def snapshot(self) -> HoverSnapshot:
        return self._snapshot

    @property
    def image(self) -> QImage | None:
        """The picture shown (``None`` before the first one is ready)."""
        return self.view.image

    @property
    def shown(self) -> RenderResult | None:
        """The render on screen: its picture, snapshot, curves and the state it shows."""
        return self._shown

    @property
    def renderer(self) -> ChartRenderer:
        return self._renderer

    def is_idle(self) -> bool:
        """Whether the picture shown is of the latest state (nothing asked for is pending)."""
        return (not self._kick.isActive() and not self._resize_timer.isActive()
                and self._state_for_render().same(self._submitted) and self._renderer.idle
                and (self._renderer.result is None or self._renderer.result is self._shown))

    def release(self) -> None:
        self._renderer.release()

    def flush(self, timeout_ms: int = 120_000) -> bool:
        """Render what was asked for now and wait until it is shown. Blocks the GUI thread:
        for tests, screenshots and exports, not for interactive paths. True when done in time
        (the first picture starts the drawing process: on a loaded 2-core machine, seconds)."""
        self._kick.stop()
        self._resize_timer.stop()
        self._submit()
        done = self._renderer.wait_idle(timeout_ms / 1000.0)
        self._take_result()
        return done

    @property
    def last_render_error(self) -> BaseException | None:
        return self._renderer.last_error

    # -- internals -----------------------------------------------------------------------

    def _valid_selection(self, indices: Sequence[int], obs: Observability | None) -> tuple[int, ...]:
        n = 0 if obs is None else len(obs.altitude)
        seen: set[int] = set()
        return tuple(i for i in (int(s) for s in indices) if 0 <= i < n and not (i in seen or seen.add(i)))

    def _request(self, **changes) -> None:
        self._state = replace(self._state, **changes)
        if not self._kick.isActive():
            self._kick.start()

    def _state_for_render(self) -> ChartState:
        dpr = float(self.view.devicePixelRatioF()) or 1.0
        return replace(self._state, width=int(self.view.width()), height=int(self.view.height()), dpr=dpr)

    def _submit(self) -> None:
        state = self._state_for_render()
        if state.same(self._submitted):
            return
        self._submitted = state
        self._renderer.submit(state)

    def _view_resized(self) -> None:
        if self.view.image is None:
            if not self._kick.isActive():
                self._kick.start()
        else:  # paint the old picture scaled until the new size is drawn
            self._resize_timer.start()

    def _take_result(self) -> None:
        result = self._renderer.result
        if result is None or result is self._shown:
            return
        self._shown = result
        if result.state.obs is not None and timeline.first("chart drawn") is None:
            timeline.mark("chart drawn")
        self._snapshot = result.snapshot  # the read-out describes the picture on screen
        self.view.set_image(result.image, result.state.theme.name)
        if self._hover_at is not None:
            self._hover(self._hover_at)
        self.rendered.emit()

    def _hover(self, point: tuple[float, float] | None) -> None:
        # Reads the snapshot published with the picture, never the figure: no waiting.
        self._hover_at = point
        text = (self._snapshot.readout(*point) if point is not None else "") or " "
        if text != self.readout.text():  # most mouse moves stay within the same minute and curve
            self.readout.setText(text)

    def _tick(self) -> None:
        if self._clock is not None:
            self.set_now(self._clock())
