"""Geometry of the coverage bar chart; templates/coverage/_chart.html draws it as inline SVG.

As wide as the charts over time (core.charts), so that a phone draws it at their scale and
gives it their larger type (static/css/portal.css): each region's name and figure stand on a
line above its bar, where the longest name has the chart's whole width.
"""
from dataclasses import dataclass

from gfp_portal.core.charts import WIDTH
from gfp_portal.coverage.services import CellState

ORDER = (CellState.covered, CellState.no_alternate, CellState.no_focal_point, CellState.vacant)
TEXT_LINE = 17    # from the top of a row to the baseline of its words
BAR_TOP = 24      # from the top of a row to its bar
BAR_HEIGHT = 20
ROW_HEIGHT = 54


@dataclass
class Segment:
    state: CellState
    count: int
    x: float
    width: float


@dataclass
class Bar:
    label: str
    figure: str
    y: int            # the top of the bar
    text_y: int       # the baseline of the label and the figure, above the bar
    label_x: float
    figure_x: float
    segments: list


@dataclass
class Chart:
    width: int
    height: int
    bar_height: int
    label_anchor: str
    figure_anchor: str
    bars: list


def region_chart(rows, *, rtl=False):
    """rows: [(label, figure, Summary)] → stacked bars of the share of cells in each state.

    Right-to-left pages get the mirror image: labels on the right, bars growing leftwards.
    """
    def x(pos):
        return WIDTH - pos if rtl else pos

    bars = []
    for index, (label, figure, summary) in enumerate(rows):
        total = summary.total or 1
        segments, offset = [], 0.0
        for state in ORDER:
            count = summary.counts[state]
            if not count:
                continue
            size = count / total * WIDTH
            left = offset + (size if rtl else 0)
            segments.append(Segment(state, count, round(x(left), 1), round(size, 1)))
            offset += size
        top = index * ROW_HEIGHT
        bars.append(Bar(label, figure, top + BAR_TOP, top + TEXT_LINE, x(0), x(WIDTH),
                        segments))
    height = ROW_HEIGHT * (len(rows) - 1) + BAR_TOP + BAR_HEIGHT if rows else 0
    return Chart(width=WIDTH, height=height, bar_height=BAR_HEIGHT,
                 label_anchor="end" if rtl else "start",
                 figure_anchor="start" if rtl else "end", bars=bars)
