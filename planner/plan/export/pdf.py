"""Printable PDF of the plan (matplotlib, no GUI backend): page 1 is the night's altitude
chart with the plan's blocks shaded, the following pages the table of entries with
times, coordinates, magnitudes, filters and notes."""

from __future__ import annotations

import io
import textwrap

from planner.plan.export import dec_dms, ordered_entries, ra_hms, utc
from planner.plan.model import Plan

ROWS_PER_PAGE = 22
A4_LANDSCAPE = (11.69, 8.27)


def _altitudes(plan: Plan, entries):
    """(grid, altitude[N, T]) from the sky engine, or None when it cannot say (then the
    chart shows the blocks without curves)."""
    if plan.night_start is None and not any(e.start is not None for e in entries):
        return None
    try:
        import numpy as np

        from planner.sky import compute_observability

        ref = plan.night_start if plan.night_start is not None else min(e.start for e in entries if e.start is not None)
        obs = compute_observability(
            np.array([e.target.ra for e in entries]),
            np.array([e.target.dec for e in entries]),
            plan.site,
            ref - 3600.0,
        )
        return obs.grid, obs.altitude
    except Exception:  # noqa: BLE001 - the curves are a nicety; the printout must still come out
        return None


def _chart_page(pdf, plan: Plan, entries) -> None:
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4_LANDSCAPE)
    ax = fig.add_subplot(1, 1, 1)
    title = plan.title or "Observing plan"
    if plan.date and plan.date not in title:
        title += f", night of {plan.date}"
    ax.set_title(f"{title}\n{plan.site.describe()} — times in {plan.site.timezone}", fontsize=11)
    tz = plan.site.tz
    curves = _altitudes(plan, entries) if entries else None
    if curves is not None:
        grid, altitude = curves
        x = [utc(t).astimezone(tz) for t in grid]
        for i, e in enumerate(entries):
            ax.plot(x, altitude[i], lw=1.0, label=e.target.name)
    for n, e in enumerate(sorted((e for e in entries if e.start is not None), key=lambda e: e.start)):
        a, b = utc(e.start).astimezone(tz), utc(e.end).astimezone(tz)
        ax.axvspan(a, b, color=f"C{n % 10}", alpha=0.25)
        ax.text(a, 88 - (n % 6) * 6, e.target.name, fontsize=7, va="top")
    if plan.night_start is not None and plan.night_end is not None:
        ax.set_xlim(utc(plan.night_start - 1800).astimezone(tz), utc(plan.night_end + 1800).astimezone(tz))
        for edge in (plan.night_start, plan.night_end):
            ax.axvline(utc(edge).astimezone(tz), color="0.3", ls="--", lw=0.8)
    ax.axhline(plan.limits.min_altitude, color="red", ls=":", lw=1.0)
    ax.set_ylim(0, 90)
    ax.set_ylabel("Altitude (°)")
    ax.set_xlabel(f"Local time ({plan.site.timezone})")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))
    ax.grid(alpha=0.3)
    if curves is not None and 0 < len(entries) <= 20:
        ax.legend(fontsize=7, loc="upper right", ncols=2)
    fig.tight_layout()
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
