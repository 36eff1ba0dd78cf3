"""Tests of text_cache.py: the same pixels as matplotlib's own Agg canvas, with text taken from a cache."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import matplotlib.text  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import text_cache  # noqa: E402
from text_cache import TextCachingCanvas, TextCachingRenderer  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")


def texts_figure(seed, dpi):
    """A figure with text of every kind the book draws, at places and sizes drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(6.3, 3.1), dpi=dpi)
    fig.subplots_adjust(left=0.13 + rng.uniform(0, 0.01), right=0.97, bottom=0.17, top=0.83, wspace=0.35)
    axes = fig.subplots(1, 2)
    for i, ax in enumerate(axes):
        ax.plot(np.arange(12), rng.uniform(1e-3, 1e2, 12), label=f"AdaGrad, η = {rng.uniform(0, 1):.3f}")
        ax.plot(np.arange(12), rng.uniform(1e-3, 1e2, 12), label=r"Adam, $\hat{m}_t / (\sqrt{\hat{v}_t} + \epsilon)$")
        ax.set_yscale("log" if i else "linear")              # mathtext tick labels: 10^{-2} and so on
        ax.set_title(r"$\beta_1 = %.2f$, $\frac{1}{\sqrt{t}}$ steps" % rng.uniform(0, 1),   # a fraction: a rule box
                     fontsize=rng.uniform(8, 14))
        ax.set_xlabel("step t", fontstyle="italic")
        ax.set_ylabel("loss − minimum")
        ax.text(rng.uniform(0.1, 0.6), rng.uniform(0.1, 0.8), "turned ε, ü and —",
                rotation=rng.uniform(0, 90), transform=ax.transAxes)
        ax.text(rng.uniform(0.1, 0.6), rng.uniform(0.1, 0.8), "not antialiased", antialiased=False,
                transform=ax.transAxes)
        ax.legend(fontsize="small", frameon=False)
    fig.suptitle("Five optimizers in the pit", fontweight="bold")
    fig.text(0.01, 0.02, "loss − minimum", fontsize=15)          # a string drawn above at another size
    fig.text(0.8, 0.02, "two lines:\nthe line gap", fontsize=7, family="DejaVu Serif")   # another font
    return fig


def pixels(fig, canvas_class):
    canvas = canvas_class(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dpi", [50, 100, 150])
def test_text_is_drawn_as_matplotlibs_own_canvas_draws_it_before_and_after_it_is_cached(seed, dpi):
    fig = texts_figure(seed, dpi)
    expected = pixels(fig, FigureCanvasAgg)
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)     # rendered, or cached by an earlier case
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)     # from the cache


@pytest.mark.parametrize("dpi", [72, 150])
def test_every_text_is_laid_out_exactly_as_with_matplotlibs_own_renderer(dpi, monkeypatch):
    monkeypatch.setattr(text_cache, "_heights", {})
    fig = texts_figure(seed=3, dpi=dpi)
    FigureCanvasAgg(fig).draw()
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert len(texts) > 30                                      # titles, labels, ticks, legends, notes
    plain, caching = RendererAgg(*fig.canvas.get_width_height(physical=True), dpi), \
        TextCachingRenderer(*fig.canvas.get_width_height(physical=True), dpi)
    for text in texts:
        for _ in range(2):                                      # computed, then from the cache
            (box, lines, descent), (box_c, lines_c, descent_c) = text._get_layout(plain), text._get_layout(caching)
            assert (box.bounds, lines, descent) == (box_c.bounds, lines_c, descent_c), text.get_text()
    assert 3 <= len(text_cache._heights) <= 12                   # one per font, size and dpi


def test_each_glyph_is_rendered_once_for_each_offset_within_a_pixel(monkeypatch):
    fig = texts_figure(seed=100, dpi=100)
    expected = pixels(fig, FigureCanvasAgg)
    monkeypatch.setattr(text_cache, "_glyphs", {})
    monkeypatch.setattr(text_cache, "_layouts", {})
    rendered = []
    render = TextCachingRenderer._render_glyph
    monkeypatch.setattr(TextCachingRenderer, "_render_glyph",
                        lambda self, *args: rendered.append(args) or render(self, *args))
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)
    first = len(rendered)
    assert first > 200                                            # every glyph of the figure, once per offset
    assert len({args[:6] for args in rendered}) == first            # no glyph at one offset rendered twice
    assert len(text_cache._layouts) > 10                           # the strings without mathtext
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)
    assert len(rendered) == first                                  # drawn again: nothing rendered again


def test_text_moved_by_whole_pixels_reuses_the_glyphs_and_lands_where_matplotlib_puts_it(monkeypatch):
    rendered = []
    render = TextCachingRenderer._render_glyph
    monkeypatch.setattr(text_cache, "_glyphs", {})
    monkeypatch.setattr(TextCachingRenderer, "_render_glyph",
                        lambda self, *args: rendered.append(args) or render(self, *args))
    counts = []
    for shift in range(4):                                   # 3 pixels a shift, at 100 dpi: whole pixels
        fig = Figure(figsize=(4, 2), dpi=100)
        fig.text(0.1 + 0.03 * shift / 4, 0.4 + 0.05 * shift / 2, "Adam's step: η = 0.01", fontsize=13)
        assert np.array_equal(pixels(fig, TextCachingCanvas), pixels(fig, FigureCanvasAgg))
        counts.append(len(rendered))
    assert counts[0] > 10 and counts[1:] == [counts[0]] * 3       # the first place rendered every glyph


def test_the_caches_stay_bounded(monkeypatch):
    monkeypatch.setattr(text_cache, "_glyphs", {})
    monkeypatch.setattr(text_cache, "_layouts", {})
    monkeypatch.setattr(text_cache, "MAX_GLYPHS", 40)
    monkeypatch.setattr(text_cache, "MAX_LAYOUTS", 3)
    fig = texts_figure(seed=7, dpi=100)
    expected = pixels(fig, FigureCanvasAgg)
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)
    assert 0 < len(text_cache._glyphs) <= 40 and 0 < len(text_cache._layouts) <= 3
    assert np.array_equal(pixels(fig, TextCachingCanvas), expected)
