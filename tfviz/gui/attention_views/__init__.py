"""Reusable attention views: matrix heatmap, lines, layer x head grid, computation steps.

None of these views knows about BERT. They take token lists and numpy arrays, so the
attention panel, the encoder-decoder panel (encoder self-attention, decoder masked
self-attention, cross-attention) and anything else can use them::

    from tfviz.gui.attention_views import MatrixView, LinesView, ModelGrid, ComputationView
    from tfviz.core.attention_head import head_from_trace

    m = MatrixView()                                   # heatmap + colour bar + hover
    m.set_data(query_tokens, key_tokens, weights)      # weights: (T_q, T_k) numpy
    m.hovered.connect(lambda i, j: ...)                # -1, -1 when the mouse leaves
    m.set_data(rows, cols, mat, "title", levels=(0, 1))  # fixed colour range; else min..max
    m.square, m.show_numbers = False, False            # stretch cells (T x 64 dims); no numbers

    lines = LinesView()                                # bertviz-style lines
    lines.set_data(query_tokens, key_tokens, weights)  # opacity = weight

    grid = ModelGrid()                                 # every layer x head as a thumbnail
    grid.set_data(all_weights)                         # (L, H, T_q, T_k) numpy
    grid.selected.connect(lambda layer, head: ...)     # clicked thumbnail

    comp = ComputationView()                           # Q, K, V, QKᵀ, /√d_k, +mask, softmax, ·V
    comp.set_head(head_from_trace(trace, b=0, h=3), query_tokens, key_tokens)

For cross-attention the query tokens are the decoder's and the key tokens the encoder's;
``T_q`` and ``T_k`` may differ. ``-inf`` (masked) cells are drawn grey with a hatch and
reported as "masked" on hover; ``NaN`` never reaches the screen. Colours: viridis (default)
or cividis, both perceptually uniform and colour-blind safe. Call ``set_theme(ctx.theme)``
on theme changes and ``retranslate()`` on language changes. Every view paints with
QPainter, so ``export_widget`` renders it to PNG or SVG.

One module per view: ``matrix``, ``lines``, ``grid``, ``computation``; ``common`` holds the
colour tables and the themed base class they share.
"""

from tfviz.gui.attention_views.common import (
    COLORMAPS,
    ThemedView,
    fmt_value,
    levels_of,
    lut,
    text_color_for,
    to_image,
)
from tfviz.gui.attention_views.computation import ComputationView
from tfviz.gui.attention_views.grid import ModelGrid
from tfviz.gui.attention_views.lines import LinesView
from tfviz.gui.attention_views.matrix import MatrixView

__all__ = ["COLORMAPS", "ComputationView", "LinesView", "MatrixView", "ModelGrid", "ThemedView", "fmt_value",
           "levels_of", "lut", "text_color_for", "to_image"]
