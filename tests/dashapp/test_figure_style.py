"""dashapp/figures/common.styled: every chart is drawn on the white template (Plotly's "plotly_white", given to each
new figure as the default instead of being copied into it by every styled() call)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashapp.figures.common import TEMPLATE, styled


def test_a_styled_figure_is_on_the_white_template():
    figure = styled(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])))
    # plotly_white's plot area is white; Plotly's own default ("plotly") paints it #E5ECF6
    assert figure.layout.template.layout.plot_bgcolor == "white"
    assert figure.to_plotly_json()["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json()
