"""What a ``Plan`` announces when it changes: a psygnal ``SignalGroup``, Qt-free.

Every edit of a plan goes through one of ``Plan``'s methods, and each announces itself
here, in pairs for the changes a list view must hear about before they happen (as napari's
evented lists do, so that a Qt model can call ``beginInsertRows`` before the row exists and
``endInsertRows`` after): ``inserting``/``inserted``, ``removing``/``removed``,
``moving``/``moved``; ``changed`` when an entry was replaced by an edited version, and
``details_changed`` for the plan's own fields (site, night, date, limits). Indices are the
entry's position in ``Plan.entries``: before the change for ``removing``/``moving``'s
source, after it for the rest. psygnal's ``all`` relay repeats every one of them.
"""

from __future__ import annotations

from psygnal import Signal, SignalGroup


class PlanEvents(SignalGroup):
    inserting = Signal(int, int)  # index the first new entry will have, how many
    inserted = Signal(int, tuple)  # index of the first, the entries
    removing = Signal(int)  # index of the entry about to go
    removed = Signal(int, object)  # index it had, the entry
    moving = Signal(int, int)  # source index, the index it will have
    moved = Signal(int, int, object)  # source, destination, the entry
    changed = Signal(int, object)  # index, the entry's new version
    details_changed = Signal()  # the site, night, date or limits
