"""Tests of plotting.py: labelled axes, legends, and no warnings on diverged runs."""

import matplotlib

matplotlib.use("Agg")

import gc  # noqa: E402
import io  # noqa: E402
import warnings  # noqa: E402
import weakref  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import landscapes  # noqa: E402
import plotting  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")   # a notebook must never show a warning


class Bowl:
    """A stand-in 2-D landscape: f = x² + 4 y² + 1, minimum 1 at the origin."""

    name, dim = "Bowl", 2
    minimum, min_value = np.zeros(2), 1.0
    start = np.array([-2.0, 1.0])
    xlim, ylim = (-3.0, 3.0), (-2.0, 2.0)

    def loss(self, x):
        x = np.asarray(x, dtype=float)
        return x[..., 0] ** 2 + 4 * x[..., 1] ** 2 + 1.0


class Valley:
    """A stand-in 1-D landscape: f = (x - 1)², minimum 0 at 1."""

    name, dim = "Valley", 1
    minimum, min_value = np.array([1.0]), 0.0
    start = np.array([-2.0])
    xlim = (-2.5, 3.0)

    def loss(self, x):
        return (np.asarray(x, dtype=float)[..., 0] - 1.0) ** 2


class Run:
    """A stand-in Trajectory: anything with .path and .loss."""

    def __init__(self, path, loss):
        self.path, self.loss = path, loss


def descent(land, lr=0.1, steps=30, blow_up_at=None):
    """Gradient descent on Bowl/Valley by finite differences; NaN from step blow_up_at."""
    x = np.array(land.start, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        h = 1e-6
        g = np.array([(land.loss(x + h * e) - land.loss(x - h * e)) / (2 * h) for e in np.eye(land.dim)])
        x = x - lr * g
        path.append(x.copy())
    path = np.array(path)
    if blow_up_at is not None:
        path[blow_up_at - 3:blow_up_at] = [[1e30] * land.dim, [-1e200] * land.dim, [1e305] * land.dim]
        path[blow_up_at:] = np.nan
    return path


def render(fig):
    """Draw the figure to PNG (warnings appear at draw time) and return the bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def legend_texts(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


# ---------------------------------------------------------------------------
# figure
# ---------------------------------------------------------------------------

def test_figure_is_book_sized_and_shows_itself_as_png():
    fig, ax = plotting.figure()
    assert isinstance(fig, Figure) and tuple(fig.get_size_inches()) == (7.0, 4.0) and fig.dpi == 100
    assert ax.figure is fig
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and png == fig._repr_png_()        # deterministic bytes
    assert b"Software" not in png


def test_figure_grids():
    fig, axes = plotting.figure(ncols=2)
    assert axes.shape == (2,)
    fig, axes = plotting.figure(ncols=2, nrows=2, width=8, height=6)
    assert axes.shape == (2, 2) and tuple(fig.get_size_inches()) == (8, 6)
    with pytest.raises(ValueError, match=r"^Invalid ncols: 0; need a whole number >= 1$"):
        plotting.figure(ncols=0)


def test_a_figure_goes_once_nothing_refers_to_it():
    """What figure(reuse=...), contour() and curve_1d() keep, to hand back the same Axes and
    artists, goes with the figure: a kernel that draws many figures does not keep them all."""
    fig, (left, right) = plotting.figure(ncols=2)
    plotting.contour(Bowl(), ax=left)
    plotting.curve_1d(landscapes.Pit1D(), ax=right)
    again, (left, right) = plotting.figure(ncols=2, reuse=fig)
    plotting.contour(Bowl(), ax=left)
    plotting.curve_1d(landscapes.Pit1D(), ax=right)
    assert again is fig
    gone = weakref.ref(fig)
    del fig, again, left, right
    gc.collect()
    assert gone() is None


def test_figures_are_not_left_in_pyplot():
    import matplotlib.pyplot as plt
    plt.close("all")
    plotting.contour(Bowl())
    plotting.loss_curves({"a": np.ones(3)})
    assert plt.get_fignums() == []


# ---------------------------------------------------------------------------
# contour and trajectories
# ---------------------------------------------------------------------------

def test_contour_is_labelled_windowed_and_marks_the_minimum():
    land = Bowl()
    fig = plotting.contour(land)
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$x_1$", "$x_2$", "Bowl")
    assert ax.get_xlim() == land.xlim and ax.get_ylim() == land.ylim
    assert ax.get_aspect() == 1.0                                   # gradients look perpendicular
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(stars) == 1 and tuple(stars[0].get_xydata()[0]) == (0.0, 0.0)
    assert len(ax.collections) >= 2                                 # filled and line contours
    render(fig)


def test_contour_levels_are_log_spaced_above_the_minimum():
    fig = plotting.contour(Bowl(), levels=12)
    filled = fig.axes[0].collections[0]
    levels = np.asarray(filled.levels)
    assert len(levels) == 12 and levels[0] > 0
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])


def test_contour_without_a_finite_minimum_value_and_of_a_flat_landscape():
    class Unbounded(Bowl):
        minimum, min_value = None, None

        def loss(self, x):
            return np.asarray(x, dtype=float)[..., 0] ** 3          # no minimum; negative values

    class Flat(Bowl):
        def loss(self, x):
            return np.ones(np.shape(x)[:-1])

    for land in (Unbounded(), Flat()):
        fig = plotting.contour(land)
        assert fig.axes[0].get_xlabel() == "$x_1$"
        render(fig)


def test_contour_refuses_a_1d_landscape():
    with pytest.raises(ValueError, match=r"^Invalid landscape: 'Valley' has dim 1; need a 2-D landscape"):
        plotting.contour(Valley())


def test_trajectories_have_one_legend_entry_per_run_plus_the_minimum():
    land = Bowl()
    runs = {"lr = 0.1": descent(land, 0.1), "lr = 0.2": descent(land, 0.2), "lr = 0.05": descent(land, 0.05)}
    fig = plotting.trajectories(land, runs)
    (ax,) = fig.axes
    assert legend_texts(ax) == ["minimum", "lr = 0.1", "lr = 0.2", "lr = 0.05"]
    assert len(ax.get_legend().get_lines()) == 4
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    # Every run in its own colour.
    colours = [line.get_color() for line in ax.get_legend().get_lines()[1:]]
    assert len(set(colours)) == 3 and set(colours) <= set(plotting.COLORS)
    render(fig)


def test_trajectories_with_nan_and_huge_values_do_not_warn_and_keep_the_window():
    land = Bowl()
    runs = {"fine": descent(land, 0.1), "blew up": descent(land, 1.2, blow_up_at=10)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.trajectories(land, runs)
        render(fig)
    (ax,) = fig.axes
    assert legend_texts(ax) == ["minimum", "fine", "blew up (diverged)"]
    assert ax.get_xlim() == land.xlim and ax.get_ylim() == land.ylim
    line = [ln for ln in ax.get_lines() if ln.get_label() == "blew up (diverged)"][0]
    assert np.all(np.isfinite(line.get_xydata())) and len(line.get_xydata()) == 10


def test_trajectories_of_a_run_that_is_nan_from_the_start():
    land = Bowl()
    fig = plotting.trajectories(land, {"dead": np.full((5, 2), np.nan)})
    assert legend_texts(fig.axes[0]) == ["minimum", "dead (diverged)"]
    render(fig)


def test_trajectories_accept_trajectory_objects_and_an_axes():
    land = Bowl()
    fig, (left, right) = plotting.figure(ncols=2)
    path = descent(land)
    out = plotting.trajectories(land, {"run": Run(path, land.loss(path))}, ax=right)
    assert out is fig and legend_texts(right) == ["minimum", "run"] and left.get_legend() is None
    render(fig)


def test_trajectories_refuse_a_wrong_shape():
    with pytest.raises(ValueError, match=r"^Invalid path for run 'x': shape \(5, 3\); need \(steps \+ 1, 2\)$"):
        plotting.trajectories(Bowl(), {"x": np.zeros((5, 3))})
    with pytest.raises(TypeError, match=r"^Invalid runs: list; need a dict"):
        plotting.trajectories(Bowl(), [np.zeros((5, 2))])


# ---------------------------------------------------------------------------
# loss curves
# ---------------------------------------------------------------------------

def test_loss_curves_are_log_scaled_labelled_and_in_the_legend():
    land = Bowl()
    paths = {"lr = 0.1": descent(land, 0.1), "lr = 0.2": descent(land, 0.2)}
    fig = plotting.loss_curves({k: land.loss(p) for k, p in paths.items()}, min_value=land.min_value)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel().startswith("$f(x_t) - f^*$")
    assert legend_texts(ax) == ["lr = 0.1", "lr = 0.2"]
    # What is drawn is the loss minus min_value.
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), land.loss(paths["lr = 0.1"]) - 1.0)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(31))
    render(fig)


def test_loss_curves_with_nan_inf_zero_and_blow_up_do_not_warn():
    runs = {
        "converged exactly": np.array([4.0, 1.0, 0.0, 0.0]),
        "diverged": np.array([4.0, 1e10, 1e250, 1e305, np.inf, np.nan]),   # 1e305 overflowed the log axis once
        "nan from the start": np.full(4, np.nan),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.loss_curves(runs)
        render(fig)
    (ax,) = fig.axes
    assert legend_texts(ax) == ["converged exactly", "diverged (diverged)", "nan from the start (diverged)"]
    # The blow-up leaves through the top instead of squashing the other curves.
    low, high = ax.get_ylim()
    assert high <= 4.0 * 1e3 * 2 and low <= 1.0


def test_loss_curves_span_every_step_even_where_nothing_is_drawn():
    """A run that reaches the minimum exactly (loss 0: no point on a log scale) keeps its steps."""
    exact = plotting.loss_curves({"exact": np.array([4.0, 0.0, 0.0, 0.0, 0.0])}).axes[0]
    decaying = plotting.loss_curves({"decaying": np.array([4.0, 2.0, 1.0, 0.5, 0.25])}).axes[0]
    assert exact.get_xlim() == decaying.get_xlim() == pytest.approx((-0.2, 4.2))   # 5% margins
    assert exact.get_ylim() == pytest.approx((2.0, 40.0))                           # y as before


def test_loss_curves_with_nothing_to_show_and_on_a_linear_scale():
    fig = plotting.loss_curves({"all nan": np.full(3, np.nan)})
    render(fig)
    fig = plotting.loss_curves({"a": np.array([3.0, -1.0, -2.0]), "b": np.array([3.0, 1e9])}, log=False)
    (ax,) = fig.axes
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "loss $f(x_t)$"
    assert ax.get_ylim()[1] < 1e3
    render(fig)
    with pytest.raises(ValueError, match=r"^Invalid min_value: nan; need a finite number$"):
        plotting.loss_curves({}, min_value=float("nan"))



def test_loss_curves_keep_a_given_y_range_whatever_the_curves():
    """An explorer's fixed range: the same limits for a curve far below, far above and inside it."""
    runs = {"deep": 4.0 * 0.5 ** np.arange(200),                       # down to 5e-60
            "blow-up": np.array([4.0, 1e3, 1e9, np.inf]),
            "inside": np.array([4.0, 2.0, 1.0])}
    for label, loss in runs.items():
        fig = plotting.loss_curves({label: loss}, ylim=(1e-16, 10))
        assert fig.axes[0].get_ylim() == (1e-16, 10), label
        render(fig)
    # On a linear scale too, and drawn into an Axes that had another range.
    fig, (left, right) = plotting.figure(ncols=2)
    right.set_ylim(-5, 5)
    plotting.loss_curves({"a": np.array([3.0, 1.0, 0.5])}, ax=right, log=False, ylim=(0, 4))
    assert right.get_ylim() == (0, 4) and right.get_yscale() == "linear"
    render(fig)


@pytest.mark.parametrize("ylim, log, rule", [
    ((0.0, 10.0), True, "0 < low < high on a log scale"),
    ((-1.0, 10.0), True, "0 < low < high on a log scale"),
    ((10.0, 1.0), True, "0 < low < high on a log scale"),
    ((1.0, 1.0), False, "finite low < high"),
    ((0.0, float("inf")), False, "finite low < high"),
    ((float("nan"), 1.0), False, "finite low < high"),
    ((1.0,), True, r"a pair \(low, high\) of numbers"),
    ("ab", True, r"a pair \(low, high\) of numbers"),
    (3.0, True, r"a pair \(low, high\) of numbers"),
])
def test_loss_curves_refuse_a_bad_y_range_and_draw_nothing(ylim, log, rule):
    fig, ax = plotting.figure()
    with pytest.raises(ValueError, match=rf"^Invalid ylim: .*; need {rule}$"):
        plotting.loss_curves({"a": np.array([3.0, 1.0])}, ax=ax, log=log, ylim=ylim)
    assert ax.get_lines() == [] and ax.get_yscale() == "linear" and ax.get_legend() is None
# ---------------------------------------------------------------------------
# 1-D landscapes
# ---------------------------------------------------------------------------

def test_curve_1d_marks_iterates_on_the_curve():
    land = Valley()
    path = descent(land, 0.3, steps=10)
    fig = plotting.curve_1d(land, {"GD": path, "flat path": path[:, 0]})
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$x$", "loss $f(x)$", "Valley")
    assert legend_texts(ax) == ["loss $f(x)$", "minimum", "GD", "flat path"]
    iterates = [ln for ln in ax.get_lines() if ln.get_label() == "GD"][0]
    np.testing.assert_allclose(iterates.get_xdata(), path[:, 0])
    np.testing.assert_allclose(iterates.get_ydata(), land.loss(path))
    render(fig)


def test_curve_1d_with_a_diverged_run_does_not_warn_and_keeps_the_curve_range():
    land = Valley()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.curve_1d(land, {"boom": descent(land, 1.5, steps=20, blow_up_at=12)})
        render(fig)
    (ax,) = fig.axes
    assert "boom (diverged)" in legend_texts(ax)
    assert ax.get_ylim()[1] < 20 and ax.get_xlim() == land.xlim


def test_curve_1d_without_runs_and_refusing_2d():
    fig = plotting.curve_1d(Valley())
    assert legend_texts(fig.axes[0]) == ["loss $f(x)$", "minimum"]
    with pytest.raises(ValueError, match=r"^Invalid landscape: 'Bowl' has dim 2; need a 1-D landscape"):
        plotting.curve_1d(Bowl())


# ---------------------------------------------------------------------------
# The course's own landscapes and optimizers (when present)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Quadratic", "Rosenbrock"])
def test_with_the_course_landscapes(name):
    landscapes = pytest.importorskip("landscapes")
    optimizers = pytest.importorskip("optimizers")
    land = getattr(landscapes, name)()
    runs = {"GD": optimizers.run(optimizers.GradientDescent(lr=1e-3 if name == "Rosenbrock" else 0.5),
                                 land, land.start, 50),
            "too fast": optimizers.run(optimizers.GradientDescent(lr=0.05 if name == "Rosenbrock" else 2.5),
                                       land, land.start, 50)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, (left, right) = plotting.figure(ncols=2)
        plotting.trajectories(land, runs, ax=left)
        plotting.loss_curves(runs, min_value=land.min_value, ax=right)
        render(fig)
    assert left.get_title() == land.name
    assert legend_texts(left)[0] == "minimum" and len(legend_texts(left)) == 3
    assert legend_texts(right)[1].startswith("too fast")


def test_with_the_course_1d_landscape():
    landscapes = pytest.importorskip("landscapes")
    optimizers = pytest.importorskip("optimizers")
    land = landscapes.Pit1D()
    run = optimizers.run(optimizers.GradientDescent(lr=0.1), land, land.start, 30)
    fig = plotting.curve_1d(land, {"GD": run})
    render(fig)
    assert legend_texts(fig.axes[0]) == ["loss $f(x)$", "minimum", "GD"]


# ---------------------------------------------------------------------------
# Reusing a figure (what explorers do to redraw in place)
# ---------------------------------------------------------------------------

class Stretched(Bowl):
    """Bowl with another shape: f = x² + 9 y² + 1."""

    name = "Stretched"

    def loss(self, x):
        x = np.asarray(x, dtype=float)
        return x[..., 0] ** 2 + 9 * x[..., 1] ** 2 + 1.0


def assert_draws_like(kept, new):
    """A reused figure gives the pixels of a new one, its Axes placed where the reused one's are
    (the layout engine starts from the current positions, so it may differ in the sixth decimal)."""
    kept.set_layout_engine("none")
    new.set_layout_engine("none")
    for k, n in zip(kept.axes, new.axes):
        n.set_position(k.get_position(original=True))
    assert render(kept) == render(new)
    kept.set_layout_engine("constrained")


def test_figure_reuse_gives_back_the_same_axes_emptied():
    fig, (left, right) = plotting.figure(ncols=2, width=8, height=3)
    left.plot([0, 1], [1, 0], label="a")
    left.legend()
    right.text(0.5, 0.5, "note")
    twin = right.twinx()
    fig.legend(["a"])
    left.bar([1, 2], [3, 4], label="bars")
    again, (left2, right2) = plotting.figure(ncols=2, width=8, height=3, reuse=fig)
    assert again is fig and left2 is left and right2 is right
    assert not left.lines and left.get_legend() is None and not right.texts and not fig.legends
    assert not left.patches and not left.containers
    assert twin not in fig.axes and fig.axes == [left, right]
    other, _ = plotting.figure(ncols=2, width=8, height=3.5, reuse=fig)   # another size: a new figure
    assert other is not fig
    assert plotting.figure(reuse=Figure())[0] is not None                 # not made here: a new figure


def test_figure_mosaic_names_panels_and_can_be_reused():
    layout = [["path", "loss"], ["path", "lr"]]
    fig, axes = plotting.figure(mosaic=layout, width=8, height=5)
    assert set(axes) == {"path", "loss", "lr"} and len(fig.axes) == 3
    path_box, loss_box = axes["path"].get_subplotspec(), axes["loss"].get_subplotspec()
    assert path_box.rowspan == range(0, 2) and loss_box.rowspan == range(0, 1)
    again, axes2 = plotting.figure(mosaic=layout, width=8, height=5, reuse=fig)
    assert again is fig and axes2 == axes


def test_figure_width_ratios_size_the_columns_and_are_checked():
    fig, axes = plotting.figure(mosaic=[["a", "b", "bar"]], width=9, height=3, width_ratios=[1, 1, 0.05])
    fig.canvas.draw()
    a, bar = axes["a"].get_position().width, axes["bar"].get_position().width
    assert 15 < a / bar < 25                                  # 20 to 1, give or take the layout's padding
    assert plotting.figure(mosaic=[["a", "b", "bar"]], width=9, height=3, width_ratios=[1, 1, 0.05],
                           reuse=fig)[0] is fig
    assert plotting.figure(mosaic=[["a", "b", "bar"]], width=9, height=3, width_ratios=[1, 1, 0.1],
                           reuse=fig)[0] is not fig            # other ratios: a new figure
    fig, (left, right) = plotting.figure(ncols=2, width_ratios=[2, 1])
    fig.canvas.draw()
    assert left.get_position().width > 1.5 * right.get_position().width
    for bad in ([1, 1], [1, 0, 1], [1, float("nan"), 1], "abc", 3, [[1, 1, 1]]):
        with pytest.raises(ValueError, match=r"Invalid width_ratios: .*; need 3 positive numbers, one per column"):
            plotting.figure(ncols=3, width_ratios=bad)


def test_reused_figure_keeps_a_colorbar_column_and_draws_like_a_new_one():
    """A colorbar drawn into its own kept column (cax) redraws like a new figure's."""
    x = np.linspace(0, 1, 12)

    def draw(scale, fig=None):
        fig, axes = plotting.figure(mosaic=[["map", "bar"]], width=6, height=3, width_ratios=[1, 0.05], reuse=fig)
        mesh = axes["map"].pcolormesh(x, x, scale * np.outer(x, x), vmin=0, vmax=1, shading="nearest")
        fig.colorbar(mesh, cax=axes["bar"], label="value")
        return fig

    kept = draw(1.0)
    render(kept)
    bar = kept.axes[1]
    for scale in (0.5, 0.2):
        kept = draw(scale, fig=kept)
        new = draw(scale)
        assert kept.axes[1] is bar and len(kept.axes) == 2
        assert len(bar.collections) == len(new.axes[1].collections) == 2   # the colour solids, the dividers
        assert_draws_like(kept, new)


def test_contour_into_a_reused_axes_puts_back_the_same_artists_only_for_the_same_landscape():
    fig, ax = plotting.figure()
    plotting.contour(Bowl(), ax=ax)
    first = list(ax.collections)
    assert len(first) == 2
    render(fig)
    fig, ax = plotting.figure(reuse=fig)
    plotting.contour(Bowl(), ax=ax)
    assert list(ax.collections) == first and not any(c.stale for c in first)
    fig, ax = plotting.figure(reuse=fig)
    plotting.contour(Stretched(), ax=ax)
    assert len(ax.collections) == 2 and not set(ax.collections) & set(first)
    fig, ax = plotting.figure(reuse=fig)                 # not drawn this time: no contours
    ax.plot([0, 1], [0, 1])
    assert not ax.collections


def test_curve_1d_into_a_reused_axes_puts_back_the_same_line_only_for_the_same_curve():
    landscapes = pytest.importorskip("landscapes")
    pit, valley = landscapes.Pit1D(), Valley()
    path = np.linspace(pit.xlim[0], 0.0, 12)

    def draw(land, end, fig=None):
        fig, ax = plotting.figure(width=5, height=3, reuse=fig)
        plotting.curve_1d(land, {f"to {end}": path * end}, ax=ax)
        return fig

    kept = draw(pit, 1.0)
    render(kept)
    curve = kept.axes[0].lines[0]
    for end in (0.5, 0.8):
        kept = draw(pit, end, fig=kept)
        ax = kept.axes[0]
        assert ax.lines[0] is curve and not curve.stale                     # the same line, drawn first
        assert ax.get_legend().get_texts()[0].get_text() == "loss $f(x)$"
        assert_draws_like(kept, draw(pit, end))
        render(kept)
    kept = draw(valley, 0.5, fig=kept)                                      # another curve: a new line
    assert kept.axes[0].lines[0] is not curve
    assert_draws_like(kept, draw(valley, 0.5))


def test_a_reused_axes_autoscales_to_what_is_drawn_now_like_a_new_one():
    """Limits that a plot leaves to autoscaling forget what was drawn before (and set_xlim last time),
    and colours left to the cycle start again at C0."""
    fig, ax = plotting.figure()
    ax.semilogy([0, 1], [1, 1e-6])
    ax.set_xlim(0, 5)                              # turns x autoscaling off
    fig, ax = plotting.figure(reuse=fig)
    ax.semilogy([0, 2], [1, 1e-2])
    new_fig, new_ax = plotting.figure()
    new_ax.semilogy([0, 2], [1, 1e-2])
    assert ax.get_ylim() == new_ax.get_ylim() and ax.get_xlim() == new_ax.get_xlim()
    assert_draws_like(fig, new_fig)


def test_reused_figure_draws_like_a_new_one():
    """Trajectories and loss curves drawn into a reused figure give the pixels of a new figure."""
    def draw(lr, log, fig=None):
        fig, (left, right) = plotting.figure(ncols=2, width=8, height=3, reuse=fig)
        path = descent(Bowl(), lr=lr, steps=25)
        losses = Bowl().loss(path)
        plotting.trajectories(Bowl(), {f"lr = {lr}": path}, ax=left)
        plotting.loss_curves({f"lr = {lr}": losses}, min_value=1.0, ax=right, log=log)
        return fig

    kept = draw(0.05, log=True)
    render(kept)
    for lr, log in [(0.2, False), (0.4, True), (0.1, False)]:
        kept = draw(lr, log=log, fig=kept)
        new = draw(lr, log=log)
        assert kept.axes[1].get_yscale() == ("log" if log else "linear")
        assert_draws_like(kept, new)
