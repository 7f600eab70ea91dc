"""Geometry of the coverage bar chart; templates/coverage/_chart.html draws it as inline SVG."""
from dataclasses import dataclass

from gfp_portal.coverage.services import CellState

ORDER = (CellState.covered, CellState.no_alternate, CellState.no_focal_point, CellState.vacant)
BAR_WIDTH = 480
ROW_HEIGHT = 34
LABEL_WIDTH = 240
FIGURE_WIDTH = 70


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
    y: int
    label_x: float
    figure_x: float
    segments: list


@dataclass
class Chart:
    width: int
    height: int
    label_anchor: str
    figure_anchor: str
    bars: list


def region_chart(rows, *, rtl=False):
    """rows: [(label, figure, Summary)] → stacked bars of the share of cells in each state.

    Right-to-left pages get the mirror image: labels on the right, bars growing leftwards.
    """
    width = LABEL_WIDTH + BAR_WIDTH + FIGURE_WIDTH

    def x(pos):
        return width - pos if rtl else pos

    bars = []
    for index, (label, figure, summary) in enumerate(rows):
        total = summary.total or 1
        segments, offset = [], 0.0
        for state in ORDER:
            count = summary.counts[state]
            if not count:
                continue
            size = count / total * BAR_WIDTH
            left = LABEL_WIDTH + offset + (size if rtl else 0)
            segments.append(Segment(state, count, round(x(left), 1), round(size, 1)))
            offset += size
        bars.append(Bar(label, figure, index * ROW_HEIGHT + 5, x(LABEL_WIDTH - 8),
                        x(LABEL_WIDTH + BAR_WIDTH + 8), segments))
    return Chart(width=width, height=ROW_HEIGHT * len(rows) + 10,
                 label_anchor="start" if rtl else "end",
                 figure_anchor="end" if rtl else "start", bars=bars)
