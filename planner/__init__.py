"""planner: an observing-night planner for variable-star observers."""

__version__ = "0.1.0"
APP_NAME = "planner"
APP_DISPLAY_NAME = "Night Planner"
