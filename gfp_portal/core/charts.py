"""Geometry of the portal's charts over time (a line chart, a stacked bar chart), drawn as inline
SVG by templates/macros/charts.html: no script, colours from the stylesheet, and the mirror image
on right-to-left pages (time runs from right to left, the value axis on the right).

Each series has a look of its own (Look): a colour and a texture, so that series are told
apart by more than their colour, and by more series than there are colours."""
import math
from dataclasses import dataclass, field

WIDTH = 480
HEIGHT = 240
TOP = 12
BOTTOM = 26          # room for the period labels
# Room for the value labels ("100 %" in French) and for half the last period's label (an
# Arabic month's name), at the larger type a phone draws them in (portal.css).
AXIS = 60
END_PAD = 28
GRID_LINES = 4       # at most, above the baseline
BAR_SHARE = 0.7      # of each period's band
BAR_WIDTH = 44       # at most
MAJOR_TICKS = 6      # period names a phone shows; more and every other one is minor
COLOURS = 8          # .chart-s0 … .chart-s7 in portal.css
# Texture 0 is none; 1 … 8 are the patterns of templates/macros/charts.html over a bar, and the
# dashes of .chart-t1 … .chart-t8 (portal.css) along a line.
TEXTURES = 9


@dataclass(frozen=True, order=True)
class Look:
    """How a series is drawn: a colour and a texture."""
    colour: int
    texture: int


def look_of(index):
    """The look of the series at `index`. Colours and textures go round at their own pace
    (their counts have no common factor): no two of the first COLOURS × TEXTURES series look
    alike, and each of the first TEXTURES has a texture of its own, so that it is told apart
    without its colour."""
    return Look(index % COLOURS, index % TEXTURES)


@dataclass
class Series:
    label: str
    values: list         # one number (or None: no value) per period


@dataclass
class Mark:
    """A bar segment or a point: where it sits and what it says on hover."""
    x: float
    y: float
    width: float = 0
    height: float = 0
    title: str = ""


@dataclass
class Line:
    look: Look
    label: str
    paths: list          # "x,y x,y …" runs of consecutive values (a gap breaks the line)
    points: list         # [Mark] for a period standing alone


@dataclass
class Chart:
    kind: str            # "line" or "bar"
    width: int
    height: int
    grid: list           # [(y, label)]
    ticks: list          # [(x, label, minor)]
    value_x: float       # where the value labels stand
    value_anchor: str
    baseline: float
    plot_left: float
    plot_right: float
    lines: list = field(default_factory=list)    # [Line]
    bars: list = field(default_factory=list)     # [(Look, Mark)]
    legend: list = field(default_factory=list)   # [(Look, label)]

    @property
    def patterns(self):
        """The looks of the bars with a texture: the chart defines a pattern for each."""
        if self.kind != "bar":
            return []
        return sorted({look for look, _label in self.legend if look.texture})


def grid_step(value, *, whole=True):
    """The step between grid lines: 1, 2 or 5 times a power of ten, so that at most
    GRID_LINES steps reach `value` (whole numbers only when the values are counts)."""
    rough = max(value, 0) / GRID_LINES
    if rough <= 0:
        return 1
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return max(step, 1) if whole else step


def scale_top(value, step):
    """The top of the value axis: the first grid line at or above `value`."""
    return step * max(math.ceil(value / step - 1e-9), 1)


class _Frame:
    """The plot area and its two scales; `x` mirrors positions on right-to-left pages."""

    def __init__(self, top_value, step, count, *, rtl, bands):
        self.rtl, self.count, self.bands = rtl, count, bands
        self.top_value, self.step = top_value, step
        self.left, self.right = AXIS, WIDTH - END_PAD
        self.top, self.bottom = TOP, HEIGHT - BOTTOM

    def x(self, pos):
        return round(WIDTH - pos if self.rtl else pos, 1)

    def centre(self, index):
        """Where period `index` sits along the time axis, before mirroring."""
        span = self.right - self.left
        if self.bands:
            return self.left + span * (index + 0.5) / self.count
        return self.left + (span * index / (self.count - 1) if self.count > 1 else span / 2)

    def y(self, value):
        return round(self.bottom - (self.bottom - self.top) * value / self.top_value, 1)


def _frame_chart(kind, frame, tick_labels, format_value):
    lines = round(frame.top_value / frame.step)
    grid = [(frame.y(frame.step * line), format_value(frame.step * line))
            for line in range(lines + 1)]
    named = [(frame.x(frame.centre(index)), label) for index, label in enumerate(tick_labels)
             if label]
    # Beyond MAJOR_TICKS names, every other one is minor: a phone leaves it out (portal.css).
    ticks = [(x, label, len(named) > MAJOR_TICKS and number % 2 == 1)
             for number, (x, label) in enumerate(named)]
    return Chart(kind=kind, width=WIDTH, height=HEIGHT, grid=grid, ticks=ticks,
                 value_x=frame.x(frame.left - 6), value_anchor="start" if frame.rtl else "end",
                 baseline=frame.bottom, plot_left=min(frame.x(frame.left), frame.x(frame.right)),
                 plot_right=max(frame.x(frame.left), frame.x(frame.right)))


def line_chart(series, tick_labels, *, format_value, rtl=False, top_value=None):
    """One line per series over the periods; `tick_labels` names the periods (None: no label
    under that one); `top_value` fixes the scale (1 for shares), else it fits the data."""
    count = len(tick_labels)
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    if top_value:
        step = top_value / GRID_LINES
    else:
        step = grid_step(highest)
        top_value = scale_top(highest, step)
    frame = _Frame(top_value, step, count, rtl=rtl, bands=False)
    chart = _frame_chart("line", frame, tick_labels, format_value)
    for index, one in enumerate(series):
        runs, run = [], []
        for period, value in enumerate(one.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((frame.x(frame.centre(period)), frame.y(value), value))
        if run:
            runs.append(run)
        chart.lines.append(Line(
            look=look_of(index), label=one.label,
            paths=[" ".join(f"{x},{y}" for x, y, __ in r) for r in runs if len(r) > 1],
            points=[Mark(x, y, title=format_value(v)) for r in runs if len(r) == 1
                    for x, y, v in r]))
        chart.legend.append((look_of(index), one.label))
    return chart


def bar_chart(series, tick_labels, *, format_value, rtl=False):
    """One bar per period, its series stacked from the baseline up."""
    count = len(tick_labels)
    totals = [sum(s.values[i] or 0 for s in series) for i in range(count)]
    step = grid_step(max(totals, default=0))
    frame = _Frame(scale_top(max(totals, default=0), step), step, count, rtl=rtl, bands=True)
    chart = _frame_chart("bar", frame, tick_labels, format_value)
    band = (frame.right - frame.left) / max(count, 1)
    width = round(min(band * BAR_SHARE, BAR_WIDTH), 1)
    for period in range(count):
        stacked = 0
        for index, one in enumerate(series):
            value = one.values[period] or 0
            if not value:
                continue
            top, bottom = frame.y(stacked + value), frame.y(stacked)
            chart.bars.append((look_of(index), Mark(
                frame.x(frame.centre(period)) - width / 2, top, width, round(bottom - top, 1),
                f"{one.label}: {format_value(value)}")))
            stacked += value
    chart.legend = [(look_of(index), one.label) for index, one in enumerate(series)]
    return chart
