"""The coverage chart's geometry (templates/coverage/_chart.html draws it)."""
from collections import Counter
from types import SimpleNamespace

import pytest

from gfp_portal.core import charts
from gfp_portal.coverage.chart import region_chart
from gfp_portal.coverage.services import CellState


def _summary(**counts):
    counts = Counter({CellState[state]: n for state, n in counts.items()})
    return SimpleNamespace(counts=counts, total=sum(counts.values()))


ROWS = [("Latin America and the Caribbean", "100 %", _summary(covered=3)),
        ("Africa", "25 %", _summary(covered=1, vacant=2, no_alternate=1))]


@pytest.mark.parametrize("rtl", [False, True])
def test_the_chart_is_drawn_at_the_scale_of_the_other_charts(rtl):
    """A phone draws a chart as wide as its card (about 330 px): at 790 units with the labels
    beside the bars, the labels came out at 5 px. As narrow as the charts over time, with each
    label and figure on a line above its bar, the labels have the width they need at the
    larger type a phone gives every chart."""
    chart = region_chart(ROWS, rtl=rtl)
    assert chart.width <= charts.WIDTH
    for bar in chart.bars:
        assert bar.text_y < bar.y  # the words above the bar, not beside it
        assert all(s.x >= 0 and s.x + s.width <= chart.width + 0.1 for s in bar.segments)
        assert sum(s.width for s in bar.segments) == pytest.approx(chart.width, abs=0.5)
    label_side = chart.width if rtl else 0
    assert [bar.label_x for bar in chart.bars] == [label_side, label_side]
    assert [bar.figure_x for bar in chart.bars] == [chart.width - label_side] * 2
