"""Printable PDF of the plan (matplotlib, no GUI backend): page 1 is the night's altitude
chart, the window's own plot (``planner.plot.night``) with the plan's blocks, twilight,
the Moon and airmass, the following pages the table of entries with
times, coordinates, magnitudes, filters and notes, laid out by ``pdf_table`` so every cell
fits its box."""

from __future__ import annotations

import io

from planner.plan.export import ordered_entries
from planner.plan.export.pdf_table import A4_LANDSCAPE
from planner.plan.model import Plan


def _night(plan: Plan, entries):
    """The night of the plan for its entries' targets (the sky engine, at the plan's site and
    altitude limit), or None when the plan says nothing about its night or it cannot be
    computed (the chart then says so; the table still comes out)."""
    starts = [e.start for e in entries if e.start is not None]
    if plan.night_start is None and not starts:
        return None
    try:
        import numpy as np

        from planner.sky import compute_observability

        ref = plan.night_start if plan.night_start is not None else min(starts)
        site = plan.site.with_limits(target_altitude=plan.limits.min_altitude)
        return compute_observability(np.array([e.target.ra for e in entries], dtype=float),
                                     np.array([e.target.dec for e in entries], dtype=float), site, ref - 3600.0)
    except Exception:  # noqa: BLE001 - the curves are a nicety; the printout must still come out
        return None


def _chart_page(pdf, plan: Plan, entries) -> None:
    """The night chart of the window (``planner.plot.night``: twilight, the Moon, the limit,
    airmass, the plan's blocks and the events its fixed blocks are for), in the print look:
    every curve has its own dash pattern and its name at its peak, so the curves stay apart
    in grey-scale print."""
    from matplotlib.figure import Figure

    from planner.plot.night import draw_night

    fig = Figure(figsize=A4_LANDSCAPE)
    ax = fig.add_subplot(1, 1, 1)
    title = plan.title or "Observing plan"
    if plan.date and plan.date not in title:
        title += f", night of {plan.date}"
    fig.suptitle(f"{title}\n{plan.site.describe()} — times in {plan.site.timezone}", fontsize=11)
    obs = _night(plan, entries) if entries or plan.night_start is not None else None
    plot = draw_night(ax, obs, list(range(len(entries))) if obs is not None else (),
                      names=[e.target.name for e in entries], theme="print", tz=plan.site.tz,
                      tz_label=plan.site.timezone, plan_blocks=plan.blocks(),
                      flips=plan.flips(),
                      events=[(k, e.event.start, e.event.time, e.event.end, e.event.label)
                              for k, e in enumerate(entries) if e.event is not None])
    if plot.hint is not None:  # "select targets in the table" is the window's hint, not paper's
        plot.hint.remove()
        plot.hint = None
    fig.subplots_adjust(left=0.07, right=0.93, bottom=0.09, top=0.86)
    pdf.savefig(fig)


def _table_pages(pdf, plan: Plan, entries) -> None:
    from planner.plan.export.pdf_table import table_figures

    for fig in table_figures(plan, entries):
        pdf.savefig(fig)


def render(plan: Plan, *_context) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    entries = ordered_entries(plan)
    buffer = io.BytesIO()
    # Fixed metadata: no user name, host or path ends up in the file.
    metadata = {"Title": plan.title or "Observing plan", "Creator": "planner", "Author": ""}
    with PdfPages(buffer, metadata=metadata) as pdf:
        _chart_page(pdf, plan, entries)
        _table_pages(pdf, plan, entries)
    return buffer.getvalue()
