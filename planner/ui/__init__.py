"""The desktop window (PySide6): the main window, the targets table, the chart and the panels.

The only package that imports Qt. It adapts the core's plain objects (``Target``,
``Observability``, ``Plan``) and computes no astronomy itself.
"""
