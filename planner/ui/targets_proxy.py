"""The targets table's filter: ``TargetsProxy`` over a ``TargetsModel`` (``planner.ui.targets_model``).

It filters on text, section, "observable", "due" and "events" through a row mask
recomputed in bulk (numpy, and a comprehension over precomputed lowercase strings)
whenever a filter or the data changes; ``filterAcceptsRow`` only looks it up. Sorting is
handed to the model (one vectorised permutation), so re-filtering costs one lookup per
row and no comparisons. A change of what only some columns read (visibility arriving,
the night's events, the "now" of "due") re-filters only when a filter reads it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QSortFilterProxyModel, Qt

class TargetsProxy(QSortFilterProxyModel):
    """Filters through a row mask and hands sorting to ``TargetsModel.sort``.

    The mask is recomputed in bulk (numpy and a list comprehension over precomputed
    lowercase strings) whenever a filter or the data changes; ``filterAcceptsRow`` only
    looks it up. The proxy itself never sorts (its sort column stays -1), so re-filtering
    costs one lookup per row and no comparisons.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text_terms: tuple[str, ...] = ()
        self._sections: frozenset[str] | None = None  # None: every section
        self._observable_only = False
        self._due_only = False
        self._events_only = False
        self._mask: list[bool] = []
        self.setDynamicSortFilter(False)  # the mask is recomputed explicitly when the data changes

    # -- filters ---------------------------------------------------------------------------

    def setSourceModel(self, model) -> None:  # noqa: N802 (Qt name)
        old = self.sourceModel()
        if old is not None:
            old.modelReset.disconnect(self._source_changed)
            old.layoutChanged.disconnect(self._source_changed)
            old.inputs_changed.disconnect(self._inputs_changed)
        super().setSourceModel(model)
        model.modelReset.connect(self._source_changed)
        model.layoutChanged.connect(self._source_changed)
        model.inputs_changed.connect(self._inputs_changed)
        self._recompute_mask()

    @property
    def source(self):
        """The ``TargetsModel`` filtered."""
        return self.sourceModel()

    def set_text(self, text: str) -> None:
        terms = tuple(text.lower().split())
        if terms != self._text_terms:
            self._text_terms = terms
            self._refilter()

    def set_sections(self, codes: Sequence[str] | None) -> None:
        """Only targets in one of these section codes (``"cv"``, ``"lpv"``...); None for all."""
        value = None if codes is None else frozenset(codes)
        if value != self._sections:
            self._sections = value
            self._refilter()

    def set_observable_only(self, on: bool) -> None:
        if bool(on) != self._observable_only:
            self._observable_only = bool(on)
            self._refilter()

    def set_due_only(self, on: bool) -> None:
        if bool(on) != self._due_only:
            self._due_only = bool(on)
            self._refilter()

    def set_events_only(self, on: bool) -> None:
        """Only targets with an event tonight that can be watched (full or partial)."""
        if bool(on) != self._events_only:
            self._events_only = bool(on)
            self._refilter()

    @property
    def events_only(self) -> bool:
        return self._events_only

    @property
    def text_terms(self) -> tuple[str, ...]:
        return self._text_terms

    @property
    def sections(self) -> frozenset[str] | None:
        return self._sections

    @property
    def observable_only(self) -> bool:
        return self._observable_only

    @property
    def due_only(self) -> bool:
        return self._due_only

    def _source_changed(self, *args) -> None:
        self._refilter()

    def _inputs_changed(self, reads: str) -> None:
        """The model's sky results, events or "now" changed without a new order: only a
        filter that reads them needs the mask again."""
        if ((reads == "sky" and self._observable_only) or (reads == "events" and self._events_only)
                or (reads == "now" and self._due_only)):
            self._refilter()

    def _refilter(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9; invalidateRowsFilter is deprecated there
            self.beginFilterChange()
            self._recompute_mask()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._recompute_mask()
            self.invalidateRowsFilter()

    def _recompute_mask(self) -> None:
        model = self.source
        if model is None:
            self._mask = []
            return
        n = model.rowCount()
        mask = np.ones(n, dtype=bool)
        if self._text_terms:
            terms = self._text_terms
            strings = model.search_strings()
            mask &= np.fromiter((all(term in s for term in terms) for s in strings), dtype=bool, count=n)
        if self._sections is not None:
            wanted = self._sections
            codes = model.section_codes()
            mask &= np.fromiter((not wanted.isdisjoint(c) for c in codes), dtype=bool, count=n)
        if self._observable_only:
            observable = model.observable_mask()
            if observable is not None:  # before visibility is known, nothing is hidden for it
                mask &= observable
        if self._due_only:
            mask &= model.due_mask()
        if self._events_only:
            events = model.event_mask()
            mask &= events if events is not None else np.zeros(n, dtype=bool)  # none known yet
        # per target -> per display row of the source
        self._mask = mask[np.asarray(model.display_order(), dtype=np.int64)].tolist() if n else []

    def multiData(self, index, span) -> None:  # noqa: N802 (Qt name)
        """Handed to the source's ``multiData`` in one call (the base class asks ``data``
        role by role, each mapped to the source and answered in Python). An invalid index
        maps to an invalid one, for which the source clears the span."""
        self.sourceModel().multiData(self.mapToSource(index), span)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802 (Qt name)
        try:
            return self._mask[source_row]
        except IndexError:  # the source grew and the mask is about to be rebuilt
            return True

    # -- sorting ---------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's job (one vectorised permutation); the proxy keeps source order."""
        model = self.source
        if model is not None:
            model.sort(column, order)

    # -- helpers ---------------------------------------------------------------------------

    def target_indices(self, proxy_rows: Sequence[int]) -> list[int]:
        """Indices into ``source.targets`` of the given proxy rows."""
        model = self.source
        return [model.target_index(self.mapToSource(self.index(r, 0)).row()) for r in proxy_rows]

    def visible_target_indices(self) -> list[int]:
        """Target indices of every visible row, in display order."""
        return self.target_indices(range(self.rowCount()))

    def proxy_row_of_target(self, target_index: int) -> int:
        """Proxy row showing target ``target_index``, -1 when filtered out."""
        model = self.source
        try:
            source_row = model.row_of_target(target_index)
        except ValueError:
            return -1
        return self.mapFromSource(model.index(source_row, 0)).row()
