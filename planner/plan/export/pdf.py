"""Printable PDF of the plan (matplotlib, no GUI backend): page 1 is the night's altitude
chart, the window's own plot (``planner.plot.night``) with the plan's blocks, twilight,
the Moon and airmass, the following pages the table of entries with
times, coordinates, magnitudes, filters and notes."""

from __future__ import annotations

import io
import textwrap

from planner.plan.export import dec_dms, ordered_entries, ra_hms, utc
from planner.plan.model import Plan

ROWS_PER_PAGE = 22
A4_LANDSCAPE = (11.69, 8.27)


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
    airmass, the plan's blocks), in the print look: every curve has its own dash pattern and
    its name at its peak, so the curves stay apart in grey-scale print."""
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
                      tz_label=plan.site.timezone, plan_blocks=plan.blocks())
    if plot.hint is not None:  # "select targets in the table" is the window's hint, not paper's
        plot.hint.remove()
        plot.hint = None
    fig.subplots_adjust(left=0.07, right=0.93, bottom=0.09, top=0.86)
    pdf.savefig(fig)


def _cell(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3]) if text else ""


def _table_pages(pdf, plan: Plan, entries) -> None:
    from matplotlib.figure import Figure

    tz = plan.site.tz
    header = ["#", "Target", "Start", "End", "RA (J2000)", "Dec (J2000)", "Mag", "Type", "Filters", "Status", "Notes"]
    rows = []
    for n, e in enumerate(entries, 1):
        t = e.target
        start = utc(e.start).astimezone(tz).strftime("%H:%M") if e.start is not None else "—"
        end = utc(e.end).astimezone(tz).strftime("%H:%M") if e.end is not None else "—"
        filters = " ".join(e.filters)
        if filters:
            filters += f" {e.count}×{e.exposure:g}s"
        rows.append(
            [str(n), _cell(t.name, 18), start, end, ra_hms(t.ra, decimals=1), dec_dms(t.dec, decimals=0),
             t.magnitude_text(), _cell(t.var_type, 10), _cell(filters, 16), e.status, _cell(e.notes, 40)]
        )
    pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    for number, chunk in enumerate(pages, 1):
        fig = Figure(figsize=A4_LANDSCAPE)
        ax = fig.add_subplot(1, 1, 1)
        ax.axis("off")
        ax.set_title(f"Plan entries ({number}/{len(pages)}) — times in {plan.site.timezone}", fontsize=11)
        if chunk:
            table = ax.table(
                cellText=chunk,
                colLabels=header,
                loc="upper center",
                cellLoc="left",
                colWidths=[0.03, 0.13, 0.05, 0.05, 0.09, 0.08, 0.09, 0.07, 0.11, 0.07, 0.23],
            )
            table.auto_set_font_size(False)
            table.set_fontsize(7)
            table.scale(1.0, 1.6)
        else:
            ax.text(0.5, 0.5, "The plan has no entries yet.", ha="center")
        if number == len(pages) and plan.notes:
            fig.text(0.05, 0.03, _cell(plan.notes, 160), fontsize=8, va="bottom")
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
