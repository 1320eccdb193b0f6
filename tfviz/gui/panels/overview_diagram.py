"""The Transformer diagram of the Overview panel, drawn with QPainter.

The figure follows Vaswani et al. (2017), figure 1: encoder on the left, decoder on the
right, data flowing upwards. Geometry lives in a fixed logical canvas (``CANVAS``); the
painter scales it to fit the widget, so the drawing grows with the window. Colours come
from ``ctx.theme``; presenter mode (``theme.scale > 1``) draws thicker lines and larger
text (text that would not fit its box is shrunk until it does, in any language).

Hovering a block emits :attr:`DiagramView.hovered` with its key; clicking emits
:attr:`DiagramView.clicked`. What a block means, and which panel shows it, is in
:data:`BLOCKS` and :func:`explanations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.panels.overview_paint import arrow, blend, draw_text, uniform_px
from tfviz.gui.theme import Theme

CANVAS = QRectF(0, 0, 600, 800)  # logical coordinates of the whole figure


@dataclass(frozen=True)
class Block:
    """One thing on the diagram the user can point at."""

    key: str  # unique on the figure: "enc_norm1"
    topic: str  # what it is (shared by repeated blocks): "add_norm"
    rect: QRectF  # logical coordinates
    kind: str  # how it is drawn: attention, norm, ffn, embed, pe, linear, softmax, text, frame, app
    panel: str  # the panel that shows it


# --------------------------------------------------------------------------- geometry

ENC_X, DEC_X, COL_W = 155.0, 445.0, 200.0  # column centres, block width
STACK_BOTTOM, GAP = 596.0, 18.0  # bottom of the first sub-layer; space between blocks
HEIGHT = {"attention": 48.0, "norm": 28.0, "ffn": 40.0}


def _box(cx: float, top: float, h: float, w: float = COL_W) -> QRectF:
    return QRectF(cx - w / 2, top, w, h)


def _stack(cx: float, items: list[tuple[str, str, str, str]]) -> list[Block]:
    """Blocks (key, topic, kind, panel) piled up from STACK_BOTTOM, GAP apart."""
    out, bottom = [], STACK_BOTTOM
    for key, topic, kind, panel in items:
        h = HEIGHT[kind]
        out.append(Block(key, topic, _box(cx, bottom - h, h), kind, panel))
        bottom -= h + GAP
    return out


def _frame(key: str, blocks: list[Block], panel: str) -> Block:
    """The N× box around a layer's blocks."""
    top = min(b.rect.top() for b in blocks) - 20
    x = blocks[0].rect.center().x() - 125
    return Block(key, key, QRectF(x, top, 250, STACK_BOTTOM + 24 - top), "frame", panel)


def _layout() -> list[Block]:
    """Every block, in drawing order (frames first so blocks paint over them)."""
    enc = _stack(ENC_X, [
        ("enc_attention", "self_attention", "attention", "attention"),
        ("enc_norm1", "add_norm", "norm", "attention"),
        ("enc_ffn", "ffn", "ffn", "attention"),
        ("enc_norm2", "add_norm", "norm", "attention"),
    ])
    dec = _stack(DEC_X, [
        ("dec_masked_attention", "masked_attention", "attention", "attention"),
        ("dec_norm1", "add_norm", "norm", "encoder-decoder"),
        ("dec_cross_attention", "cross_attention", "attention", "encoder-decoder"),
        ("dec_norm2", "add_norm", "norm", "encoder-decoder"),
        ("dec_ffn", "ffn", "ffn", "encoder-decoder"),
        ("dec_norm3", "add_norm", "norm", "encoder-decoder"),
    ])
    head_top = dec[-1].rect.top() - 20  # top of the decoder frame
    return [
        _frame("encoder", enc, "attention"),
        _frame("decoder", dec, "encoder-decoder"),
        *enc,
        *dec,
        # output head, above the decoder
        Block("linear", "linear", _box(DEC_X, head_top - 58, 32, 150), "linear", "encoder-decoder"),
        Block("softmax", "softmax", _box(DEC_X, head_top - 110, 32, 150), "softmax",
              "encoder-decoder"),
        Block("probabilities", "probabilities", _box(DEC_X, head_top - 156, 28, 230), "text",
              "encoder-decoder"),
        # inputs, below the stacks
        Block("enc_pe", "positional_encoding", QRectF(ENC_X - 14, 636, 28, 28), "pe", "attention"),
        Block("dec_pe", "positional_encoding", QRectF(DEC_X - 14, 636, 28, 28), "pe", "attention"),
        Block("input_embedding", "input_embedding", _box(ENC_X, 684, 34), "embed", "attention"),
        Block("output_embedding", "output_embedding", _box(DEC_X, 684, 34), "embed", "attention"),
        Block("inputs", "inputs", _box(ENC_X, 742, 28, 230), "text", "tokenization"),
        Block("outputs", "outputs", _box(DEC_X, 742, 28, 250), "text", "tokenization"),
        # an application beyond text
        Block("application", "application", QRectF(40, 190, 230, 92), "app", "trajectories"),
    ]


BLOCKS: list[Block] = _layout()
BY_KEY: dict[str, Block] = {blk.key: blk for blk in BLOCKS}


# --------------------------------------------------------------------------- texts

def labels() -> dict[str, str]:
    """The text written inside each kind of block (by topic), translated."""
    return {
        "self_attention": tr("OverviewDiagram", "Multi-head self-attention"),
        "masked_attention": tr("OverviewDiagram", "Masked multi-head self-attention"),
        "cross_attention": tr("OverviewDiagram", "Multi-head cross-attention"),
        "add_norm": tr("OverviewDiagram", "Add & Norm"),
        "ffn": tr("OverviewDiagram", "Feed forward"),
        "linear": tr("OverviewDiagram", "Linear"),
        "softmax": tr("OverviewDiagram", "Softmax"),
        "probabilities": tr("OverviewDiagram", "Output probabilities"),
        "input_embedding": tr("OverviewDiagram", "Input embedding"),
        "output_embedding": tr("OverviewDiagram", "Output embedding"),
        "positional_encoding": tr("OverviewDiagram", "Positional encoding"),
        "inputs": tr("OverviewDiagram", "Inputs"),
        "outputs": tr("OverviewDiagram", "Outputs (shifted right)"),
        "encoder": tr("OverviewDiagram", "Encoder"),
        "decoder": tr("OverviewDiagram", "Decoder"),
        "application": tr("OverviewDiagram", "Application beyond text: predicting where "
                                             "pedestrians walk"),
    }


def explanations() -> dict[str, str]:
    """One or two accurate sentences per topic, translated (shown on hover)."""
    return {
        "inputs": tr("OverviewDiagram",
                     "The source text. A tokenizer (for example byte-pair encoding) splits it "
                     "into tokens and gives each token an integer id."),
        "outputs": tr("OverviewDiagram",
                      "The target tokens shifted one place to the right, starting with a start "
                      "token: at every position the decoder has to predict the next token."),
        "input_embedding": tr("OverviewDiagram",
                              "Each token id selects a learned vector, one row of the embedding "
                              "matrix (width d_model = 512 in the original paper)."),
        "output_embedding": tr("OverviewDiagram",
                               "The same lookup for the decoder's tokens. The original paper "
                               "shares this matrix with the input embedding and the final "
                               "linear layer."),
        "positional_encoding": tr("OverviewDiagram",
                                  "Attention alone ignores word order, so a vector describing "
                                  "each position is added to the embedding. The original paper "
                                  "uses sines and cosines of different frequencies; BERT learns "
                                  "its position vectors."),
        "self_attention": tr("OverviewDiagram",
                             "Each token makes a query, a key and a value; its output is the "
                             "sum of all values weighted by softmax(Q·Kᵀ/√d_k), so every token "
                             "can draw on every other. 8 heads do this in parallel in the "
                             "original model."),
        "masked_attention": tr("OverviewDiagram",
                               "Self-attention over the decoder's own tokens with a causal "
                               "mask: position i may only attend to positions up to i, so the "
                               "model cannot peek at the token it must predict."),
        "cross_attention": tr("OverviewDiagram",
                              "Encoder-decoder attention: the queries come from the decoder, "
                              "the keys and values from the encoder's output, so every output "
                              "token can look at the whole input sentence."),
        "add_norm": tr("OverviewDiagram",
                       "A residual connection adds the sub-layer's input to its output, then "
                       "layer normalisation rescales the result: LayerNorm(x + Sublayer(x)). "
                       "The shortcut lets signals and gradients pass through deep stacks."),
        "ffn": tr("OverviewDiagram",
                  "The same two-layer network applied to every position on its own: Linear, "
                  "ReLU, Linear (512 → 2048 → 512 in the original model)."),
        "linear": tr("OverviewDiagram",
                     "Projects each decoder output vector to one score (logit) per token of "
                     "the vocabulary."),
        "softmax": tr("OverviewDiagram",
                      "Turns the scores into probabilities that sum to 1; the next token is "
                      "chosen from them (greedy decoding takes the most likely one)."),
        "probabilities": tr("OverviewDiagram",
                            "A probability for every vocabulary token. Generation appends the "
                            "chosen token to the decoder's input and runs the decoder again."),
        "encoder": tr("OverviewDiagram",
                      "A stack of N identical encoder layers (N = 6 in the original model). "
                      "The last layer's output goes to the cross-attention of every decoder "
                      "layer."),
        "decoder": tr("OverviewDiagram",
                      "A stack of N identical decoder layers (N = 6 in the original model), "
                      "each with masked self-attention, cross-attention to the encoder output "
                      "and a feed-forward network."),
        "application": tr("OverviewDiagram",
                          "Transformers are not only for text: an encoder-decoder predicts the "
                          "future paths of pedestrians from their past positions, attending "
                          "over time and between people."),
    }


# --------------------------------------------------------------------------- the widget

class DiagramView(QWidget):
    """The drawn Transformer. Signals carry block keys (see :data:`BLOCKS`)."""

    hovered = Signal(str)  # "" when the pointer leaves every block
    clicked = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.hover_key = ""
        self.setMouseTracking(True)
        self.setMinimumSize(300, 400)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setObjectName("overview_diagram")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 640)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    # coordinates ---------------------------------------------------------
    def _scale_offset(self) -> tuple[float, float, float]:
        s = min(self.width() / CANVAS.width(), self.height() / CANVAS.height())
        ox = (self.width() - CANVAS.width() * s) / 2
        oy = (self.height() - CANVAS.height() * s) / 2
        return s, ox, oy

    def widget_rect(self, key: str) -> QRect:
        """Where block ``key`` is on the widget, in widget pixels."""
        s, ox, oy = self._scale_offset()
        r = BY_KEY[key].rect
        return QRectF(ox + r.x() * s, oy + r.y() * s, r.width() * s, r.height() * s).toRect()

    def block_at(self, pos: QPointF) -> str:
        """The key of the block under widget point ``pos`` ("" if none); frames come last."""
        s, ox, oy = self._scale_offset()
        logical = QPointF((pos.x() - ox) / s, (pos.y() - oy) / s)
        for blk in reversed(BLOCKS):  # drawn last = on top
            if blk.rect.contains(logical):
                return blk.key
        return ""

    # events --------------------------------------------------------------
    def _set_hover(self, key: str) -> None:
        if key != self.hover_key:
            self.hover_key = key
            self.setCursor(Qt.PointingHandCursor if key else Qt.ArrowCursor)
            self.update()
            self.hovered.emit(key)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        self._set_hover(self.block_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._set_hover("")
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton:
            key = self.block_at(event.position())
            if key:
                self.clicked.emit(key)
        super().mouseReleaseEvent(event)

    # painting ------------------------------------------------------------
    def _colours(self) -> dict[str, QColor]:
        t = self.theme
        return {
            "attention": t.categorical(1),  # orange
            "norm": t.categorical(4) if t.name == "light" else t.categorical(6),  # sky / yellow
            "ffn": t.categorical(0),  # blue
            "embed": t.categorical(3),  # reddish purple
            "pe": t.categorical(2),  # green
            "linear": t.categorical(0),
            "softmax": t.categorical(2),
            "app": t.categorical(5),
        }

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.TextAntialiasing)
        t = self.theme
        bg, fg, muted = QColor(t.bg), QColor(t.fg), QColor(t.muted)
        p.fillRect(self.rect(), bg)
        s, ox, oy = self._scale_offset()
        p.translate(QPointF(ox, oy))  # one argument: not mistaken for a Qt translate() call
        p.scale(s, s)
        lw = 1.4 * t.pen_width()  # base line width (logical units)
        fpx = 13.0 * t.scale  # base text size (logical units)
        text = labels()
        colours = self._colours()

        self._paint_title(p, fg, muted, fpx)
        self._paint_frames(p, text, fg, muted, lw, fpx)
        self._paint_wires(p, muted, fg, lw, fpx)
        # one text size for all boxes, one for the token labels: a tidy figure in any language
        base = QFont(p.font())
        boxes = [b for b in BLOCKS if b.kind not in ("frame", "pe", "text", "app")]
        box_px = uniform_px(base, [(text[b.topic], self._inner(b)) for b in boxes], fpx)
        tokens = [b for b in BLOCKS if b.kind == "text"]
        bold = QFont(base)
        bold.setBold(True)  # token labels are bold
        token_px = uniform_px(bold, [(text[b.topic], self._inner(b)) for b in tokens], fpx)
        for blk in BLOCKS:
            if blk.kind == "frame":
                continue
            size = token_px if blk.kind == "text" else (fpx if blk.kind in ("pe", "app") else box_px)
            self._paint_block(p, blk, text[blk.topic], colours, bg, fg, lw, size)
        p.end()

    def _paint_title(self, p: QPainter, fg: QColor, muted: QColor, fpx: float) -> None:
        draw_text(p, QRectF(20, 14, 560, 34), tr("OverviewDiagram", "The Transformer"),
                  fpx * 1.45, fg, bold=True)
        draw_text(p, QRectF(20, 48, 560, 24),
                  tr("OverviewDiagram", "Vaswani et al., \"Attention Is All You Need\", 2017"),
                  fpx * 0.95, muted)

    def _paint_frames(self, p, text, fg, muted, lw, fpx) -> None:
        t = self.theme
        enc, dec = BY_KEY["encoder"].rect, BY_KEY["decoder"].rect
        for key, label_rect, n_rect in (
            ("encoder", QRectF(enc.left() + 4, enc.top() - 28, 110, 26),
             QRectF(enc.left() - 32, enc.center().y() - 20, 30, 40)),
            ("decoder", QRectF(dec.right() - 114, dec.top() - 26, 110, 24),
             QRectF(dec.right() + 2, dec.center().y() - 20, 30, 40)),
        ):
            blk = BY_KEY[key]
            hot = self.hover_key == key
            fill = blend(QColor(t.panel_bg), QColor(t.bg), 0.3)
            p.setBrush(fill)
            pen = QPen(QColor(t.highlight) if hot else muted, lw * (2.0 if hot else 1.0))
            p.setPen(pen)
            p.drawRoundedRect(blk.rect, 12, 12)
            align = (Qt.AlignLeft if key == "encoder" else Qt.AlignRight) | Qt.AlignVCenter
            draw_text(p, label_rect, text[key], fpx * 1.05, fg, align=align, bold=True)
            draw_text(p, n_rect, tr("OverviewDiagram", "N×"), fpx * 1.1, fg, bold=True)

    def _paint_wires(self, p: QPainter, muted: QColor, fg: QColor, lw: float, fpx: float) -> None:
        """Data flow arrows, the residual shortcuts, and the encoder output."""
        r = {k: b.rect for k, b in BY_KEY.items()}

        def up(cx, y_from, key):  # straight arrow up into the bottom of block ``key``
            arrow(p, [QPointF(cx, y_from), QPointF(cx, r[key].bottom())], muted, lw)

        for cx, side, lane in ((ENC_X, "enc", 42.0), (DEC_X, "dec", 558.0)):
            # token -> embedding -> (+ positional encoding) -> stack
            tokens, embedding = ("inputs", "input_embedding") if side == "enc" \
                else ("outputs", "output_embedding")
            up(cx, r[tokens].top(), embedding)
            up(cx, r[embedding].top(), f"{side}_pe")
            # into the stack, split three ways into Q, K, V of the first attention
            first = r["enc_attention" if side == "enc" else "dec_masked_attention"]
            split_y = first.bottom() + 12
            arrow(p, [QPointF(cx, r[f"{side}_pe"].top()), QPointF(cx, split_y)], muted, lw,
                  head=False)
            for dx in (-55.0, 0.0, 55.0):
                arrow(p, [QPointF(cx, split_y), QPointF(cx + dx, split_y),
                          QPointF(cx + dx, first.bottom())], muted, lw)
            # a residual shortcut around every sub-layer into its Add & Norm
            if side == "enc":
                pairs = [("enc_attention", "enc_norm1"), ("enc_ffn", "enc_norm2")]
                chain = ["enc_attention", "enc_norm1", "enc_ffn", "enc_norm2"]
            else:
                pairs = [("dec_masked_attention", "dec_norm1"),
                         ("dec_cross_attention", "dec_norm2"), ("dec_ffn", "dec_norm3")]
                chain = ["dec_masked_attention", "dec_norm1", "dec_cross_attention",
                         "dec_norm2", "dec_ffn", "dec_norm3"]
            for a, b in zip(chain, chain[1:]):
                up(cx, r[a].top(), b)
            for sub, norm in pairs:
                y0 = r[sub].bottom() + 12  # the sub-layer's input, just below it
                edge = r[norm].left() if side == "enc" else r[norm].right()
                arrow(p, [QPointF(cx, y0), QPointF(lane, y0),
                          QPointF(lane, r[norm].center().y()),
                          QPointF(edge, r[norm].center().y())], muted, lw)
        # decoder top -> Linear -> Softmax -> probabilities
        arrow(p, [QPointF(DEC_X, r["dec_norm3"].top()), QPointF(DEC_X, r["linear"].bottom())],
              muted, lw)
        up(DEC_X, r["linear"].top(), "softmax")
        up(DEC_X, r["softmax"].top(), "probabilities")
        # the encoder output goes to the cross-attention of every decoder layer (keys, values)
        cross = r["dec_cross_attention"]
        enc_top = r["enc_norm2"].top()
        out = [QPointF(ENC_X, enc_top), QPointF(ENC_X, 330), QPointF(300, 330),
               QPointF(300, cross.center().y()), QPointF(cross.left(), cross.center().y())]
        accent = QColor(self.theme.accent)
        arrow(p, out, accent, lw * 1.6)
        small = fpx * 0.85
        draw_text(p, QRectF(303, cross.center().y() - 20, 46, 18), tr("OverviewDiagram", "K, V"),
                  small, accent, align=Qt.AlignLeft | Qt.AlignVCenter)
        draw_text(p, QRectF(DEC_X + 4, cross.bottom() + 1, 30, 18), tr("OverviewDiagram", "Q"),
                  small, muted)
        draw_text(p, QRectF(ENC_X + 6, 314, 130, 16),
                  tr("OverviewDiagram", "to every decoder layer"), small * 0.95, accent,
                  align=Qt.AlignLeft | Qt.AlignVCenter)

    @staticmethod
    def _inner(blk: Block) -> QRectF:
        """Where a block's label goes."""
        if blk.kind == "text":
            return blk.rect.adjusted(4, 1, -4, -1)
        return blk.rect.adjusted(6, 3, -6, -3)

    def _paint_block(self, p, blk: Block, label: str, colours, bg, fg, lw, fpx) -> None:
        t = self.theme
        hot = self.hover_key == blk.key
        edge = QColor(t.highlight) if hot else None
        if blk.kind == "text":
            if hot:
                p.setPen(QPen(edge, lw))
                p.setBrush(Qt.NoBrush)
                p.drawRoundedRect(blk.rect, 6, 6)
            draw_text(p, self._inner(blk), label, fpx, fg, bold=True)
            return
        colour = colours[blk.kind]
        fill = blend(colour, bg, 0.72 if t.name == "light" else 0.62)
        p.setBrush(fill)
        p.setPen(QPen(edge or colour, lw * (2.2 if hot else 1.2)))
        if blk.kind == "pe":
            p.drawEllipse(blk.rect)
            self._paint_sine(p, blk.rect, fg, lw)
            side = QRectF(blk.rect.left() - 122, blk.rect.top() - 8, 116, 44) \
                if blk.key == "enc_pe" else QRectF(blk.rect.right() + 6, blk.rect.top() - 8, 122, 44)
            align = (Qt.AlignRight if blk.key == "enc_pe" else Qt.AlignLeft) | Qt.AlignVCenter
            draw_text(p, side, label, fpx * 0.85, fg, align=align)
            return
        radius = 8 if blk.kind != "app" else 10
        p.drawRoundedRect(blk.rect, radius, radius)
        draw_text(p, self._inner(blk), label, fpx * (0.95 if blk.kind == "app" else 1.0), fg)

    @staticmethod
    def _paint_sine(p: QPainter, rect: QRectF, fg: QColor, lw: float) -> None:
        """A ⊕ with one period of a sine wave: "add the positional encoding"."""
        import math

        c = rect.center()
        rad = rect.width() / 2 - 4
        path = QPainterPath()
        for i in range(25):
            x = -rad + 2 * rad * i / 24
            y = -0.55 * rad * math.sin(math.pi * x / rad)
            pt = QPointF(c.x() + x, c.y() + y)
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        p.setPen(QPen(fg, lw))
        p.setBrush(Qt.NoBrush)
        p.drawPath(path)
