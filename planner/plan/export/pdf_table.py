"""The PDF night sheet's table of entries, laid out by measuring the text: every cell is
wrapped (at spaces, and inside variable-type codes after '/', '+', ',', so ``UGWZ+E+ZZ``
or ``LMXB/BHXB/XN`` break where they read well) and, when one piece alone is still wider
than its column, set in a smaller font. Rows grow to their tallest cell and pages hold as
many rows as fit. Nothing is cut and nothing crosses a border.

Widths come from matplotlib's own font metrics (``TextToPath``), the ones the PDF backend
draws with. Each cell's box and text carry a ``gid`` (``box:ROW:COL``, ``cell:ROW:COL``)
so tests can check every text lies inside its box.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from planner.plan.export import dec_dms, ra_hms, utc
from planner.plan.model import Plan, PlanEntry

# matplotlib is imported inside the functions that measure and draw: the exporters are
# loaded with the window and every command, matplotlib only when a PDF is made (start-up time).

A4_LANDSCAPE = (11.69, 8.27)  # inches
FONT_PT = 7.0
MIN_FONT_PT = 4.5
PAD_PT = 3.0
LINE_SPACING = 1.25
MARGIN_PT = 0.45 * 72
TITLE_PT = 11.0
MAX_ROWS_PER_PAGE = 22
BREAK_AFTER = "/+,;"

HEADER = ("#", "Target", "Start", "End", "RA (J2000)", "Dec (J2000)", "Mag", "Type", "Filters", "Status", "Notes")
# Fractions of the table's width.
COLUMN_WIDTHS = (0.03, 0.14, 0.05, 0.05, 0.085, 0.075, 0.09, 0.085, 0.11, 0.06, 0.225)


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of ``text`` in points at ``size`` points."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _height, _descent = _to_path().get_text_width_height_descent(text, prop, ismath=False)
    return width


@lru_cache(maxsize=1)
def _to_path():
    from matplotlib.textpath import TextToPath

    return TextToPath()


def _pieces(word: str) -> list[str]:
    """A word split after each break character ('UGWZ+E+ZZ' -> 'UGWZ+', 'E+', 'ZZ')."""
    out, piece = [], ""
    for ch in word:
        piece += ch
        if ch in BREAK_AFTER:
            out.append(piece)
            piece = ""
    return out + ([piece] if piece else [])


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str] | None:
    """Lines no wider than ``width`` points; None when one piece alone is wider."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for w, word in enumerate(paragraph.split()):
            for p, piece in enumerate(_pieces(word)):
                joiner = " " if (p == 0 and line) else ""
                candidate = line + joiner + piece
                if text_width(candidate, size, bold) <= width:
                    line = candidate
                    continue
                if text_width(piece, size, bold) > width:
                    return None
                if line:
                    lines.append(line)
                line = piece
        lines.append(line)
    return lines


def _break_characters(text: str, width: float, size: float, bold: bool) -> list[str]:
    """Last resort for a piece too wide even at the smallest size: break between characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if line and text_width(line + ch, size, bold) > width:
                lines.append(line)
                line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]
    size: float
    bold: bool = False

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LINE_SPACING + 2 * PAD_PT


def fit(text: str, width: float, *, size: float = FONT_PT, bold: bool = False) -> Cell:
    """``text`` wrapped to ``width`` points (padding included), in a smaller font if a
    piece does not fit at ``size``."""
    inner = width - 2 * PAD_PT
    s = size
    while s >= MIN_FONT_PT - 1e-9:
        lines = wrap(text, inner, s, bold)
        if lines is not None:
            return Cell(tuple(lines), s, bold)
        s = round(s - 0.5, 2)
    return Cell(tuple(_break_characters(text, inner, MIN_FONT_PT, bold)), MIN_FONT_PT, bold)


def _row(n: int, e: PlanEntry, plan: Plan) -> list[str]:
    t = e.target
    tz = plan.site.tz
    start = utc(e.start).astimezone(tz).strftime("%H:%M") if e.start is not None else "—"
    end = utc(e.end).astimezone(tz).strftime("%H:%M") if e.end is not None else "—"
    filters = " ".join(e.filters)
    if filters:
        filters += f" {e.count}×{e.exposure:g}s"
    return [str(n), t.name, start, end, ra_hms(t.ra, decimals=1), dec_dms(t.dec, decimals=0),
            t.magnitude_text(), t.var_type, filters, e.status, e.notes]


def table_figures(plan: Plan, entries: list[PlanEntry]):
    """One matplotlib Figure per table page."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    page_w, page_h = A4_LANDSCAPE[0] * 72, A4_LANDSCAPE[1] * 72
    table_w = page_w - 2 * MARGIN_PT
    widths = [f * table_w for f in COLUMN_WIDTHS]
    xs = [MARGIN_PT + sum(widths[:i]) for i in range(len(widths))]
    header = [fit(h, w, bold=True) for h, w in zip(HEADER, widths)]
    rows = [[fit(text, w) for text, w in zip(_row(n, e, plan), widths)] for n, e in enumerate(entries, 1)]
    notes = fit(plan.notes.strip(), table_w, size=8.0) if plan.notes.strip() else None

    top = MARGIN_PT + TITLE_PT * 2.2
    bottom_space = MARGIN_PT + (notes.height if notes else 0.0)
    header_h = max(c.height for c in header)
    pages: list[list[list[Cell]]] = [[]]
    used = header_h
    for row in rows:
        h = max(c.height for c in row)
        if pages[-1] and (top + used + h > page_h - bottom_space or len(pages[-1]) >= MAX_ROWS_PER_PAGE):
            pages.append([])
            used = header_h
        pages[-1].append(row)
        used += h

    figures = []
    for number, chunk in enumerate(pages, 1):
        fig = Figure(figsize=A4_LANDSCAPE)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, page_w)
        ax.set_ylim(page_h, 0)  # points from the top left
        ax.axis("off")
        ax.text(page_w / 2, MARGIN_PT, f"Plan entries ({number}/{len(pages)}) — {plan.site.label} — times in "
                f"{plan.site.timezone}", ha="center", va="top", fontsize=TITLE_PT)
        y = top
        for r, row in enumerate([header, *chunk]):
            h = max(c.height for c in row)
            for c, cell in enumerate(row):
                ax.add_patch(Rectangle((xs[c], y), widths[c], h, facecolor="0.9" if r == 0 else "none",
                                       edgecolor="0.2", linewidth=0.5, gid=f"box:{r}:{c}"))
                if any(cell.lines):
                    ax.text(xs[c] + PAD_PT, y + PAD_PT, "\n".join(cell.lines), ha="left", va="top",
                            fontsize=cell.size, fontweight="bold" if cell.bold else "normal",
                            linespacing=LINE_SPACING, gid=f"cell:{r}:{c}")
            y += h
        if not entries:
            ax.text(page_w / 2, y + 40, "The plan has no entries yet.", ha="center", va="top", fontsize=10)
        if notes and number == len(pages):
            ax.text(MARGIN_PT, page_h - MARGIN_PT - notes.height + PAD_PT, "\n".join(notes.lines), ha="left",
                    va="top", fontsize=notes.size, linespacing=LINE_SPACING, gid="notes")
        figures.append(fig)
    return figures
