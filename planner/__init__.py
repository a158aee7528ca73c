"""planner: an observing-night planner for variable-star observers."""

import logging as _logging

__version__ = "0.1.0"
APP_NAME = "planner"
APP_DISPLAY_NAME = "Night Planner"

# Matplotlib logs "Matplotlib is building the font cache; this may take a moment." when a new
# account's first chart takes over 5 s to build it (a slow or busy laptop). With no logging set
# up (the helper process), Python's last-resort handler prints that on the terminal, and the
# window's own WARNING-level logging would too. It is not the user's problem: the font manager
# logs only errors unless `--debug` (planner.ui.app) asks for everything.
_logging.getLogger("matplotlib").addHandler(_logging.NullHandler())
_logging.getLogger("matplotlib.font_manager").setLevel(_logging.ERROR)
