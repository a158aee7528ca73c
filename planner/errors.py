"""The root of the program's own exceptions: anything the user can act on derives from ``PlannerError``.

The CLI turns a ``PlannerError`` into one line on stderr, the GUI into a message box or a
status-bar message; neither shows a traceback for it.
"""


class PlannerError(Exception):
    """An error whose message tells the user what happened and what to do."""
