"""The targets table widget and the target details pane.

``TargetsView`` is a ``QTableView`` over ``TargetsProxy``: sortable headers, a header menu to
show or hide columns, Ctrl+C copying the selected rows as tab-separated text with a
header, and selection reported as target indices. ``TargetDetails`` shows one target's
fields and its ``other_info`` with clickable links.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QAccessible, QAction, QFont, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QTableView,
    QWidget,
)

from planner.catalog.target import Target
from planner.ui.html_view import HtmlView
from planner.ui.listen import listen
from planner.ui.columns import COLUMN_INDEX, DEFAULT_ORDER, OBSERVER_FIRST
from planner.ui.targets_model import COLUMNS, ROW_ROLE, TargetsModel, TargetsProxy


class TargetsView(QTableView):
    """The table. ``selection_changed(list[int])`` carries indices into ``model.targets``."""

    selection_changed = Signal(list)

    def __init__(self, proxy: TargetsProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fitted: tuple | None = None  # the first start's layout while it is one (fit_default_columns)
        self._proxy = proxy
        self.setModel(proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # always there: a scroll bar appearing with the list narrowed the view and the last,
        # stretched column with it (issue 17 item 13)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setSortingEnabled(True)
        self.setDragEnabled(True)  # rows drag onto the plan
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setObjectName("targetsTable")
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        # Qt's default indicator is descending; a first start sorts by name, A to Z
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.apply_default_columns()

        copy = QAction("Copy rows", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)
        self.copy_action = copy
        self.selectionModel().selectionChanged.connect(self._emit_selection)
        proxy.layoutChanged.connect(self._emit_selection)
        proxy.modelReset.connect(self._emit_selection)
        self._last_selection: list[int] = []

    @property
    def proxy(self) -> TargetsProxy:
        return self._proxy

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:  # noqa: N802 (Qt name)
        """Repaint only the columns that changed. Qt repaints the whole viewport when a
        changed range reaches rows off screen, and the model announces a column (the sky
        results, the night's events) for every row: one full repaint of ~600 cells (25-70 ms
        on a loaded 2-core machine) instead of a strip of them."""
        first, last = top_left.column(), bottom_right.column()
        if (top_left.row() == bottom_right.row() or not top_left.isValid() or first > last
                or QAccessible.isActive()):  # a screen reader hears of the change from Qt's own
            super().dataChanged(top_left, bottom_right, roles)
            return
        header = self.horizontalHeader()
        left, right = None, None
        for column in range(first, last + 1):
            if header.isSectionHidden(column):
                continue
            x = header.sectionViewportPosition(column)
            left = x if left is None else min(left, x)
            right = x + header.sectionSize(column) if right is None else max(right, x + header.sectionSize(column))
        viewport = self.viewport()
        if left is not None and right > 0 and left < viewport.width():
            viewport.update(QRect(left, 0, right - left, viewport.height()))

    @property
    def source(self) -> TargetsModel:
        return self._proxy.source

    def apply_default_columns(self) -> None:
        """The columns of a first start (before saved header state exists, and Reset columns):
        ``columns.DEFAULT_ORDER`` left to right, the others hidden, each as wide as its title
        (with the sort mark) or its ``sample`` text in the table's fonts, whichever is wider."""
        header = self.horizontalHeader()
        order = [COLUMN_INDEX[key] for key in DEFAULT_ORDER]
        order += [i for i in range(len(COLUMNS)) if i not in order]
        for visual, logical in enumerate(order):
            header.moveSection(header.visualIndex(logical), visual)
        for i, column in enumerate(COLUMNS):
            self.setColumnHidden(i, not column.visible)
            self.setColumnWidth(i, column.width or self.content_width(i))
        self._fitted = self._layout_signature()
        self.fit_default_columns()

    def _layout_signature(self) -> tuple:
        """The order, the shown columns and their widths (the stretched last one aside)."""
        header = self.horizontalHeader()
        visual = tuple(header.logicalIndex(v) for v in range(header.count()))
        shown = tuple(i for i in visual if not header.isSectionHidden(i))
        return visual, shown, tuple(header.sectionSize(i) for i in shown[:-1])

    def fit_default_columns(self) -> None:
        """While the columns are still a first start's (nobody moved, hid, showed or resized
        one, and no saved layout was restored): the observer's first six always, then the rest
        of ``DEFAULT_ORDER`` as long as they fit the table's width, so a larger font or a
        narrower window drops them from the right (to View > Columns) instead of scrolling."""
        if self._fitted is None:
            return
        if self._layout_signature() != self._fitted:
            self._fitted = None  # the user's layout, or a saved one: left as it is
            return
        available = self.viewport().width()
        used = 0
        fits = True
        for n, key in enumerate(DEFAULT_ORDER):
            i = COLUMN_INDEX[key]
            width = COLUMNS[i].width or self.content_width(i)
            used += width
            fits = fits and (n < len(OBSERVER_FIRST) or used <= available)
            self.setColumnHidden(i, not fits)
        self._fitted = self._layout_signature()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.fit_default_columns()

    def content_width(self, logical: int) -> int:
        """Pixels column ``logical`` needs for its title and its ``sample`` (bold for the name
        and Due, which are bold when it matters), with the cell's text margins."""
        column = COLUMNS[logical]
        font = QFont(self.font())
        font.setBold(column.key in ("name", "due"))
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
        cell = QFontMetrics(font).horizontalAdvance(column.sample) + margin + 6 if column.sample else 0
        return max(self.horizontalHeader().sectionSizeHint(logical), cell)

    # -- selection -------------------------------------------------------------------------

    def selected_target_indices(self) -> list[int]:
        """Indices into ``source.targets`` of the selected rows, in display order."""
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        return [self._proxy.index(r, 0).data(ROW_ROLE) for r in rows]

    def selected_targets(self) -> list[Target]:
        targets = self.source.targets
        return [targets[i] for i in self.selected_target_indices()]

    def select_target_indices(self, indices) -> None:
        """Select the rows of these targets (those not filtered out) and show the first."""
        selection = self.selectionModel()
        selection.clearSelection()
        first = None
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        block = QItemSelection()
        for index in indices:
            row = self._proxy.proxy_row_of_target(int(index))
            if row < 0:
                continue
            block.select(self._proxy.index(row, 0), self._proxy.index(row, self._proxy.columnCount() - 1))
            first = row if first is None else min(first, row)
        selection.select(block, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        if first is not None:
            self.scrollTo(self._proxy.index(first, 0))

    def _emit_selection(self, *args) -> None:
        indices = self.selected_target_indices()
        if indices != self._last_selection:
            self._last_selection = indices
            self.selection_changed.emit(indices)

    # -- copy ------------------------------------------------------------------------------

    def selection_as_tsv(self) -> str:
        """Selected rows as tab-separated text: a header line, then one line per row, visible
        columns in their on-screen order."""
        header = self.horizontalHeader()
        columns = [header.logicalIndex(v) for v in range(header.count())]
        columns = [c for c in columns if not header.isSectionHidden(c)]
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        if not rows:
            return ""

        def clean(text) -> str:
            return " ".join(str(text or "").split())  # no tabs or newlines inside a cell

        lines = ["\t".join(clean(self._proxy.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
        for r in rows:
            lines.append("\t".join(clean(self._proxy.index(r, c).data()) for c in columns))
        return "\n".join(lines) + "\n"

    def copy_selection(self) -> None:
        text = self.selection_as_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)

    # -- columns ---------------------------------------------------------------------------

    def columns_menu(self, parent: QWidget | None = None) -> QMenu:
        """A menu of checkable column names (used by the header and View > Columns)."""
        menu = QMenu("&Columns", parent or self)
        menu.aboutToShow.connect(lambda: self._fill_columns_menu(menu))
        self._fill_columns_menu(menu)
        return menu

    def _fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        for i, column in enumerate(COLUMNS):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(i))
            action.setToolTip(column.tooltip)
            action.setEnabled(column.key != "name")  # the name always stays
            action.toggled.connect(lambda on, i=i: self.setColumnHidden(i, not on))
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        reset.triggered.connect(self.reset_columns)

    def reset_columns(self) -> None:
        self.apply_default_columns()

    def _header_menu(self, pos: QPoint) -> None:
        menu = self.columns_menu(self)
        menu.exec(self.horizontalHeader().mapToGlobal(pos))


def events_html(row, tz=timezone.utc, *, vsx_note: str = "", night=None) -> str:
    """A target's minima, transits or maxima of the night (a ``TargetEvents``) as HTML: each
    event's time, window, altitude and whether it can be watched; the next one, the phase,
    the elements and their source; or why there are none. ``night``: the ``NightEvents``
    the row belongs to (times outside its night get their day)."""
    if row is None:
        return ""
    from planner.app.events import KIND_LABELS
    from planner.formatting import format_clock

    e = html.escape

    def clock(t: float, date: bool = False) -> str:
        if night is not None and not date:
            return night.clock(t, tz)
        return format_clock(t, tz, date=date)

    parts = ["<h4>Minima, transits and maxima</h4>"]
    if row.events:
        items = []
        for ev in row.events:
            window = f"{clock(ev.start)}–{clock(ev.end)}" if ev.end > ev.start else "no duration"
            sigma = "" if ev.uncertainty_s is None else f" ± {ev.uncertainty_s / 60:.0f} min"
            circular = "; at phase 0.5, assuming a circular orbit" if ev.assumes_circular_orbit else ""
            items.append(f"<li><b>{e(ev.label)} {clock(ev.time)}</b> ({window}), altitude {ev.altitude:.0f}°, "
                         f"<b>{e(ev.observable)}</b>; E = {ev.cycles_from_epoch:g}{sigma}{circular}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    elif row.reason:
        parts.append(f"<p>None tonight: {e(row.reason)}.</p>")
    if row.next_event is not None and not row.events:
        nxt = row.next_event
        parts.append(f"<p>Next: {e(KIND_LABELS.get(nxt.kind, nxt.kind))} {clock(nxt.time, date=True)}.</p>")
    if row.phase is not None:
        parts.append(f"<p>Phase now: {row.phase:.2f}</p>")
    el = row.elements
    if el is not None:
        durations = []
        if el.eclipse_duration is not None:
            durations.append(f"eclipse {el.eclipse_duration:g} % of the period")
        if el.rise_duration is not None:
            durations.append(f"rise {el.rise_duration:g} %")
        text = f"epoch {el.time_scale} {el.epoch}, period {el.period:g} d" + "".join(f", {d}" for d in durations)
        parts.append(f"<p>Elements: {e(text)}" + (f" ({e(el.source)})" if el.source else "") + "</p>")
    elif vsx_note:
        parts.append(f"<p>{e(vsx_note)}</p>")
    return "".join(parts)


def target_details_html(target: Target | None, *, now: float | None = None, tz=timezone.utc,
                        events: str = "") -> str:
    """One target's fields and notes as HTML, links clickable (for a ``QTextBrowser``);
    ``events``: its events section (``events_html``)."""
    if target is None:
        return "<p><i>Select a target to see its details and links.</i></p>"
    e = html.escape
    rows = [
        ("Type", target.var_type),
        ("Constellation", target.constellation),
        ("Sections", ", ".join(target.obs_section)),
        ("Magnitudes", " – ".join(
            f"{m:.2f} {b}".strip() for m, b in ((target.max_mag, target.max_mag_band),
                                                 (target.min_mag, target.min_mag_band)) if m is not None)),
        ("Period", "" if target.period is None else f"{target.period:g} d"),
        ("Cadence", "" if target.obs_cadence is None else f"{target.obs_cadence:g} d"),
        ("Mode / filters", " / ".join(x for x in (target.obs_mode, target.filter) if x)),
    ]
    if target.last_data_point is not None:
        when = datetime.fromtimestamp(target.last_data_point, tz).strftime("%Y-%m-%d %H:%M")
        rows.append(("Last data", when))
    if now is not None and target.is_due(now):
        over = target.overdue_days(now)
        rows.append(("Due", "never observed" if over is None else f"{over:.1f} days past the cadence"))
    body = "".join(f"<tr><td><b>{e(k)}</b>&nbsp;</td><td>{e(v)}</td></tr>" for k, v in rows if v)
    info = target.info
    text = e(info.text)
    # each link's label becomes the link, where the label appears in the text (else listed below)
    listed = []
    for n, link in enumerate(info.links):
        label = e(link.label)
        if label and label in text:
            text = text.replace(label, f"\x00{n}\x00", 1)
        else:
            listed.append(link)
    for n, link in enumerate(info.links):
        text = text.replace(f"\x00{n}\x00", f'<a href="{e(link.url, quote=True)}">{e(link.label)}</a>')
    text = text.replace("\n", "<br>")
    links = "".join(f'<li><a href="{e(link.url, quote=True)}">{e(link.label)}</a></li>' for link in listed)
    title = e(target.star_name) + (" ★" if target.priority else "")
    star_url = f"https://www.aavso.org/vsx/index.php?view=results.get&ident={e(target.star_name, quote=True)}"
    return (f"<h3>{title}</h3><table>{body}</table>"
            + (f"<p>{text}</p>" if text else "")
            + events
            + (f"<ul>{links}</ul>" if links else "")
            + f'<p><a href="{star_url}">Look up in VSX</a></p>')


class TargetDetails(HtmlView):
    """Read-only details of the current target; links open in the web browser, and follow a
    theme change (``HtmlView``)."""

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.setObjectName("targetDetails")
        self.show_target(None)
        if state is not None:  # the window's night: its current target, due at the shown night
            def follow(*_args) -> None:
                target, tz = state.current_target(), state.display_tz()
                events = ""
                if target is not None and state.events is not None and state.selection:
                    events = events_html(state.events.targets[state.selection[0]], tz, vsx_note=state.vsx_note,
                                         night=state.events)
                self.show_target(target, now=state.reference_time(), tz=tz, events=events)

            for signal in (state.selection_changed, state.targets_changed, state.time_zone_changed,
                           state.events_changed):
                listen(self, signal, follow)

    def show_target(self, target: Target | None, *, now: float | None = None, tz=timezone.utc,
                    events: str = "") -> None:
        self.setHtml(target_details_html(target, now=now, tz=tz, events=events))
