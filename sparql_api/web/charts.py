"""Bar charts as inline SVG, laid out on the server (no charting library, no script).

A chart is only a picture of a table the page also shows; the SVG carries a title and a short
description for screen readers (`role="img"`, `aria-labelledby`), and the table is the full text alternative.
"""

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 240
VALUE_WIDTH = 70
ROW = 28
BAR = 18
PAD = 8
MAX_LABEL = 34  # characters shown in the SVG; the table beside it has the whole label


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: int
    share: float
    y: int
    width: int
    href: str | None = None


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: `bars` top to bottom, sizes in SVG user units."""

    id: str
    title: str
    description: str
    bars: list[Bar]
    total: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW + 2 * PAD

    @property
    def bar_x(self) -> int:
        return self.label_width

    @property
    def text_offset(self) -> int:
        return (ROW + BAR) // 2 - 4


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, int, str | None]],
    *,
    total: int | None = None,
) -> Chart:
    """A chart of `(label, value, link)` rows in the given order; shares are of `total` (default: the sum)."""
    total = total if total is not None else sum(value for _, value, _ in rows)
    largest = max((value for _, value, _ in rows), default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value, href) in enumerate(rows):
        width = round(span * value / largest) if largest else 0
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"
        bars.append(
            Bar(
                label=label,
                short_label=short,
                value=value,
                share=value / total if total else 0.0,
                y=PAD + index * ROW,
                width=max(width, 1 if value else 0),
                href=href,
            )
        )
    return Chart(id=chart_id, title=title, description=description, bars=bars, total=total)
