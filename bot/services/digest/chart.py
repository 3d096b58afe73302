"""The digest's chart: each team's hours of the week against its weekly quotas, per category.

Rendered headless with matplotlib's object-oriented API on the Agg canvas: no pyplot, no GUI
backend and no global state, so a chart can be drawn in a worker thread while the bot goes
on. matplotlib is imported on first use only (about 0.5 s and 50 MB), so start-up and
instances that never send a chart do not pay for it. Labels come translated from the caller.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported on first use only
    from matplotlib.figure import Figure

# Colour-blind-safe (Okabe–Ito); the earlier weeks' average is a black mark.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
WIDTH_INCHES = 8.0
DPI = 100
MAX_TEAMS = 120  # Telegram wants width + height of a photo within 10,000 pixels


@dataclass(frozen=True)
class Series:
    label: str  # a category, in the reader's language
    percent: tuple[float | None, ...]  # per team: the week's hours in % of the quota
    average: tuple[float | None, ...]  # per team: the earlier weeks' average in %
    notes: tuple[str, ...]  # per team, written at the bar's end: "12,5/18"


@dataclass(frozen=True)
class Chart:
    title: str
    axis_label: str  # "% of the weekly quota"
    average_label: str  # "Ø of the 4 weeks before"
    teams: tuple[str, ...]
    series: tuple[Series, ...]


def render_png(chart: Chart) -> bytes:
    """The chart as a PNG image."""
    buffer = io.BytesIO()
    build_figure(chart).savefig(buffer, format="png")
    return buffer.getvalue()


def build_figure(chart: Chart) -> Figure:
    """The chart as a matplotlib figure on an Agg canvas, ready to be saved."""
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    teams = chart.teams[:MAX_TEAMS]
    count = max(1, len(chart.series))
    group = 0.8
    bar = group / count
    height = 1.4 + len(teams) * (0.28 * count + 0.22)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    highest = 100.0
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        for row in range(len(teams)):
            y = row + (index - (count - 1) / 2) * bar
            percent = series.percent[row]
            if percent is not None:
                axes.barh(y, percent, height=bar * 0.9, color=colour)
                axes.annotate(series.notes[row], (percent, y), xytext=(3, 0),
                              textcoords="offset points", va="center", fontsize=7)
                highest = max(highest, percent)
            average = series.average[row]
            if average is not None:
                axes.plot([average], [y], marker="|", markersize=9, markeredgewidth=2,
                          color="black")
                highest = max(highest, average)
    axes.axvline(100, color="grey", linestyle="--", linewidth=1)
    axes.set_yticks(range(len(teams)), labels=list(teams), fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, highest * 1.15)
    axes.set_xlabel(chart.axis_label)
    axes.set_title(chart.title, fontsize=10)
    axes.grid(axis="x", alpha=0.3)
    handles: list[Artist] = [Patch(color=COLOURS[i % len(COLOURS)], label=s.label)
                             for i, s in enumerate(chart.series)]
    handles.append(Line2D([], [], color="black", marker="|", linestyle="None", markersize=9,
                          markeredgewidth=2, label=chart.average_label))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.6 / height),
                ncols=min(len(handles), 3), fontsize=8, frameon=False)
    return figure
