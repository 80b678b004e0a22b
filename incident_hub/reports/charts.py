"""Bar charts as plain geometry, drawn as inline SVG by ``templates/reports/_chart.html``.

No JavaScript and no style attributes (the Content-Security-Policy forbids both): each bar is
a ``<rect>`` with a class (colours live in ``static/reports.css``), a ``<title>`` tooltip and
its value written beside it. Every chart also carries its figures as a table for screen
readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 560  # about the width a chart gets on screen, so 12px text stays 12px
LABEL_W = 180  # room for the category labels, left of the bars
VALUE_W = 64  # room for the value written after the longest bar
BAR_H = 16
GAP = 10  # between categories
LEGEND_H = 26
MAX_LABEL = 24  # characters shown in the SVG; the tooltip and the table hold the full label


@dataclass
class Bar:
    x: int
    y: int
    width: float
    height: int
    series: int
    value: float
    text: str  # the value as written
    tooltip: str


@dataclass
class Chart:
    key: str
    title: str
    caption: str  # what is measured, in words (the aria-label)
    series: list[str]
    unit: str
    categories: list[str]  # full labels
    values: list[list[float | None]]  # one row per category, one value per series
    # A duration of 0.0 (rounded) days is a measurement, a count of 0 is nothing to draw.
    zero_is_data: bool = False
    width: int = WIDTH
    height: int = 0
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[int, str]] = field(default_factory=list)  # (y, shown label)
    legend: list[tuple[int, str]] = field(default_factory=list)  # (x, series name)

    @property
    def label_x(self) -> int:
        return LABEL_W - 6

    @property
    def empty(self) -> bool:
        """Nothing measured yet: the chart says "No data yet" instead of drawing zeros."""
        return not any(
            v is not None and (v or self.zero_is_data) for row in self.values for v in row
        )


def _shown(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(
    key: str,
    title: str,
    caption: str,
    categories: list[str],
    values: list[list[float | None]],
    series: list[str],
    unit: str = "",
    zero_is_data: bool = False,
) -> Chart:
    """Horizontal grouped bars: one group per category, one bar per series. ``zero_is_data``:
    a 0 is a measured value (a duration under the rounding), written "< 0.1"."""
    chart = Chart(key, title, caption, series, unit, categories, values, zero_is_data)
    top = LEGEND_H if len(series) > 1 else 4
    chart.legend = [(LABEL_W + i * 130, name) for i, name in enumerate(series)]
    peak = max((v or 0 for row in values for v in row), default=0) or 1
    area = WIDTH - LABEL_W - VALUE_W
    group_h = BAR_H * len(series)
    for row, (label, row_values) in enumerate(zip(categories, values, strict=True)):
        y = top + row * (group_h + GAP)
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        chart.labels.append((y + group_h // 2 + 4, short))
        for s, value in enumerate(row_values):
            amount = value or 0
            width = round(amount / peak * area, 1)
            if amount and width < 1:
                width = 1.0  # a small non-zero figure stays visible
            shown = "< 0.1" if zero_is_data and value == 0 else _shown(value)
            text = shown + (f" {unit}" if unit and value is not None else "")
            name = f"{series[s]}: " if len(series) > 1 else ""
            chart.bars.append(
                Bar(
                    x=LABEL_W,
                    y=y + s * BAR_H,
                    width=width,
                    height=BAR_H - 2,
                    series=s,
                    value=amount,
                    text=text,
                    tooltip=f"{label} — {name}{text}",
                )
            )
    chart.height = top + len(categories) * (group_h + GAP) + 4
    return chart
