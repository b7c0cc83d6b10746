"""The agency panel as a Plotly figure: one line per measure over the years, as JSON for plotly.js.

The figure is built in Python (plotly's graph objects) and handed to the page as JSON in a
`<script type="application/json">` block, drawn by the plotly.js bundled with the plotly
package and served by the app (no CDN, no inline script).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from gaibao_pipeline.db.panel import MEASURE_LABELS, MEASURES, PanelYear


def panel_figure(panel: Sequence[PanelYear]) -> dict[str, Any]:
    """The figure as a plain dict (plotly's JSON form): x = year, y = each measure.

    No document text goes into the figure (plotly.js renders some HTML in titles): the
    agency's name is the page's heading, escaped by the template.
    """
    figure = go.Figure()
    for measure in MEASURES:
        points = [(p.year, p.values.get(measure), measure in p.corrected) for p in panel]
        figure.add_trace(
            go.Scatter(
                x=[year for year, _, _ in points],
                y=[value for _, value, _ in points],
                mode="lines+markers",
                name=MEASURE_LABELS[measure],
                connectgaps=False,
                marker={"symbol": ["diamond" if corrected else "circle" for _, _, corrected in points]},
                hovertemplate="%{x}: %{y}<extra>" + MEASURE_LABELS[measure] + "</extra>",
            )
        )
    figure.update_layout(
        title={"text": "applications, outcomes, reviews and lawsuits by year (◆ corrected by a reviewer)"},
        xaxis={"title": {"text": "report year"}, "dtick": 1},
        yaxis={"title": {"text": "count"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 20, "t": 50, "b": 70},
        height=420,
    )
    result: dict[str, Any] = figure.to_plotly_json()
    return result
