"""The figures the chapters share: contours, trajectories, loss curves.

Every function draws into a matplotlib Axes (a new figure when ``ax`` is
omitted) and returns the Figure, so a chapter can show it as the last line of
a cell or hand it to :func:`explorers.explore`::

    import landscapes, plotting
    from optimizers import GradientDescent, Adam, run

    land = landscapes.Rosenbrock()
    runs = {name: run(opt, land, land.start, 200)
            for name, opt in {"GD": GradientDescent(lr=0.001), "Adam": Adam(lr=0.05)}.items()}
    plotting.trajectories(land, runs)                  # paths on the contour plot
    plotting.loss_curves(runs, min_value=land.min_value)   # loss - f* against step

``runs`` maps a legend label to an array (a path or a loss curve), or to a
``Trajectory`` from :func:`optimizers.run`, whose ``.path`` / ``.loss`` is used.

Conventions, the same in every figure:

* Colours are the Okabe–Ito palette, distinguishable with the common forms of
  colour blindness; the landscape itself is drawn in greys so paths stand out.
* 2-D landscapes are drawn with equal aspect, so a gradient really is
  perpendicular to the contour line it crosses.
* Runs that diverged (NaN after some step) are drawn up to their last finite
  point and labelled "(diverged)". Nothing here emits a warning.
* Ticks and grid lines lie under everything drawn in an Axes (ticks point
  outwards, so nothing hides them); an explorer that draws new contours, bands
  or bars then need not paint the axes again.
* Figures are made without pyplot, so they are never shown twice in a
  notebook (once returned, once by pyplot at the end of the cell) and never
  pile up in memory; they show themselves as PNG when returned from a cell.
"""

import io

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize
from matplotlib.figure import Figure

__all__ = ["COLORS", "BookFigure", "figure", "contour", "trajectories", "loss_curves", "curve_1d"]

#: Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green,
#: vermillion, reddish purple, sky blue, black, yellow (last: weak on white).
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
_LINESTYLES = ["-", "--", ":", "-."]          # after the 8 colours, vary the dash too

FIGSIZE = (7.0, 4.0)                          # inches: one book-page-wide figure
DPI = 100

# The landscape's greys: white at the minimum, never darker than a light grey,
# so black and coloured paths stay visible on top.
_GREYS = LinearSegmentedColormap.from_list("landscape", ["#ffffff", "#b0b0b0"])

_HEADROOM_LOG = 1e3      # loss curves: y range ends this factor above the largest start (log scale)
_HEADROOM_LINEAR = 3.0   # linear scale: this many times the start's size above it
_CAP = 1e100             # loss curves: values beyond this are not drawn (the run has left the plot)
_FAR = 1e6    # coordinates farther than _FAR window-widths away are clipped (Agg overflows near 1e306)


class BookFigure(Figure):
    """A Figure that IPython shows as PNG with or without pyplot's inline backend."""

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", metadata={"Software": None})   # same bytes every run
        return buffer.getvalue()


# What figure(reuse=fig), contour() and curve_1d() need to hand back the same Axes and
# artists is kept on the figure and the Axes themselves, so that it goes when they go:
#   fig._plotting_grid      (the arguments that made the figure, its grid of Axes);
#   ax._plotting_contours   (what the last contours drawn there show, their artists);
#   ax._plotting_curve      ((x, f), the loss curve's line).
# (Kept in weakref.WeakKeyDictionary objects, as before, they never went: the Axes and
# artists in each value refer to their figure, the key, so every figure stayed alive.)


def figure(ncols=1, nrows=1, width=FIGSIZE[0], height=FIGSIZE[1], reuse=None, mosaic=None, width_ratios=None):
    """A new Figure with a grid of Axes, sized for a book page.

    Returns ``(fig, ax)`` for a single Axes, ``(fig, axes)`` with a 1-D array
    of Axes for a row or a column, and a 2-D array for a grid. With ``mosaic``,
    a layout of named panels such as ``[["path", "loss"], ["path", "lr"]]`` (a
    name repeated spans cells; see matplotlib's ``subplot_mosaic``), it returns
    ``(fig, axes)`` with ``axes`` a dict from name to Axes, and ignores
    ``ncols`` and ``nrows``. ``width_ratios``: the relative widths of the
    columns (one positive number per column), e.g. a narrow column for a
    colorbar that stays in place when the figure is reused.

    ``reuse``: a figure made earlier by this function with the same arguments
    (else it is ignored). Its Axes come back emptied, ready to be drawn again:
    every line, text, patch, collection and legend is removed, figure legends
    too, and any other Axes (a twin, a colorbar) is deleted. Scales, labels and
    titles stay until set again; limits autoscale to what is drawn next unless
    set again, and the colour cycle starts again, as in a new Axes.
    :func:`contour` and :func:`curve_1d` then put back
    the very same artists (the contours, the loss curve) when the landscape has not changed,
    instead of making them again. This is how an explorer redraws one figure in place instead of
    building a new one for every slider position (see ``explorers.explore``).

    >>> fig, (left, right) = figure(ncols=2)
    >>> fig, (left, right) = figure(ncols=2, reuse=fig)   # the same figure, emptied
    >>> fig, axes = figure(mosaic=[["path", "loss"], ["path", "lr"]])
    >>> fig, axes = figure(mosaic=[["adam", "amsgrad", "bar"]], width_ratios=[1, 1, 0.05])
    """
    for name, n in (("ncols", ncols), ("nrows", nrows)):
        if not (isinstance(n, (int, np.integer)) and n >= 1):
            raise ValueError(f"Invalid {name}: {n!r}; need a whole number >= 1")
    if width_ratios is not None:
        columns = ncols if mosaic is None else len(mosaic[0])
        try:
            ratios = np.asarray(width_ratios, dtype=float)
        except (TypeError, ValueError):
            ratios = np.array([np.nan])
        if not (ratios.shape == (columns,) and np.all(np.isfinite(ratios) & (ratios > 0))):
            raise ValueError(f"Invalid width_ratios: {width_ratios!r}; need {columns} positive numbers, "
                             "one per column")
        width_ratios = tuple(ratios.tolist())
    key = ((ncols, nrows, width, height) if mosaic is None else (width, height, repr(mosaic))) + (width_ratios,)
    made = getattr(reuse, "_plotting_grid", None)
    if made is not None and made[0] == key:
        axes = np.array(made[1], dtype=object) if isinstance(made[1], list) else made[1]
        grid = list(axes.values()) if mosaic is not None else list(np.ravel(axes))
        for ax in list(reuse.axes):
            if ax not in grid:
                ax.remove()
        for legend in list(reuse.legends):
            legend.remove()
        for ax in grid:
            _empty(ax)
        return reuse, axes
    fig = BookFigure(figsize=(width, height), dpi=DPI, layout="constrained")
    if mosaic is None:
        axes = fig.subplots(nrows, ncols, squeeze=True, width_ratios=width_ratios)
    else:
        axes = fig.subplot_mosaic(mosaic, width_ratios=width_ratios)
    # Ticks and grid lines under everything drawn in the Axes (matplotlib puts them above
    # patches, images and contours): ticks point outwards, so nothing hides them, and a new
    # landscape, band or bar does not make an explorer paint the axes and their labels again.
    for ax in (axes.values() if mosaic is not None else np.ravel(axes)):
        ax.set_axisbelow(True)
    # The Axes as a list, not an array: the garbage collector cannot see inside numpy's object
    # arrays, so an array of the figure's Axes kept on the figure would keep it alive for ever.
    fig._plotting_grid = (key, axes.tolist() if isinstance(axes, np.ndarray) else axes)
    return fig, axes


def _empty(ax):
    """Remove everything drawn on ``ax`` (its spines, axis labels and titles stay), and its data
    limits and colour cycle with it: limits not set again autoscale to what is drawn next, and
    colours start again at C0, as in a new Axes."""
    for container in list(ax.containers):          # bars, error bars, stems: their artists and the legend entry
        container.remove()
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists, *ax.tables]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()                  # removing an artist keeps its data in the autoscaled limits
    ax.set_autoscale_on(True)   # set_xlim / set_ylim last time turned autoscaling off
    ax.set_prop_cycle(None)     # the next line without a colour is C0 again


def _axes(ax):
    """The given Axes, or the single Axes of a new figure."""
    return figure()[1] if ax is None else ax


def _style(i):
    """Colour and line style of the i-th run."""
    return COLORS[i % len(COLORS)], _LINESTYLES[(i // len(COLORS)) % len(_LINESTYLES)]


def _array(run, attribute):
    """The array of a run: the value itself, or its ``.path`` / ``.loss``."""
    return np.asarray(getattr(run, attribute, run), dtype=float)


def _check_runs(runs):
    if runs is None:
        return {}
    if not hasattr(runs, "items"):
        raise TypeError(f"Invalid runs: {type(runs).__name__}; need a dict mapping a label to an array")
    return runs


def _finite_rows(points):
    """Rows of ``points`` (n, d) up to the first non-finite one, and whether one was found."""
    bad = ~np.all(np.isfinite(points), axis=-1)
    if not bad.any():
        return points, False
    return points[: np.argmax(bad)], True


def _grid_loss(landscape, resolution):
    """The landscape's loss on a resolution x resolution grid over its window."""
    x = np.linspace(*landscape.xlim, resolution)
    y = np.linspace(*landscape.ylim, resolution)
    X, Y = np.meshgrid(x, y)
    with np.errstate(all="ignore"):
        Z = landscape.loss(np.stack([X, Y], axis=-1))
    return X, Y, np.asarray(Z, dtype=float)


def contour(landscape, ax=None, levels=20, resolution=200):
    """Contours of a 2-D landscape over its window, the minimum marked by a star.

    A landscape with a ``local_minimum`` attribute gets a hollow star there.

    With a finite ``landscape.min_value`` the contours are log-spaced levels of
    ``loss - min_value`` (``levels`` of them, or the given array of levels),
    which shows both the steep walls and the flat floor near the minimum;
    otherwise they are evenly spaced levels of the loss.

    >>> fig = contour(landscapes.Quadratic(condition=10))
    """
    if getattr(landscape, "dim", 2) != 2:
        raise ValueError(f"Invalid landscape: {landscape.name!r} has dim {landscape.dim}; "
                         "need a 2-D landscape (use curve_1d for 1-D)")
    ax = _axes(ax)
    X, Y, Z = _grid_loss(landscape, resolution)
    min_value = getattr(landscape, "min_value", None)
    # Into a reused, emptied Axes, the same landscape gets back the very same contours:
    # unchanged artists, which an explorer then need not draw again.
    shows = (Z, min_value, levels, landscape.xlim, landscape.ylim)
    drawn, artists = getattr(ax, "_plotting_contours", (None, ()))
    if drawn is not None and _same_contours(drawn, shows) and all(a.axes is None for a in artists):
        for artist in artists:
            ax.add_collection(artist, autolim=False)
            artist.stale = False               # exactly as it was last drawn
    else:
        ax._plotting_contours = (shows, _contour_sets(ax, X, Y, Z, min_value, levels))
    minimum = getattr(landscape, "minimum", None)
    if minimum is not None:
        ax.plot(*minimum, marker="*", markersize=14, color="#000000", markerfacecolor="#F0E442",
                linestyle="none", label="minimum", zorder=5)
    local_minimum = getattr(landscape, "local_minimum", None)
    if local_minimum is not None:
        ax.plot(*local_minimum, marker="*", markersize=12, color="#000000", markerfacecolor="white",
                linestyle="none", label="local minimum", zorder=5)
    ax.set_xlim(*landscape.xlim)
    ax.set_ylim(*landscape.ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(landscape.name)
    return ax.figure


def _same_contours(a, b):
    """Whether two (Z, min_value, levels, xlim, ylim) tuples give the same contours."""
    (z_a, *rest_a), (z_b, *rest_b) = a, b
    return (z_a.shape == z_b.shape and np.array_equal(z_a, z_b, equal_nan=True)
            and all(np.array_equal(x, y) for x, y in zip(rest_a, rest_b)))


def _contour_sets(ax, X, Y, Z, min_value, levels):
    """Draw the filled contours and their lines; return the two ContourSets (none if Z is flat)."""
    finite = np.isfinite(Z)
    if min_value is not None and np.isfinite(min_value):
        gap = Z - min_value
        positive = gap[finite & (gap > 0)]
        top = positive.max() if positive.size else 0.0
        bottom = max(positive.min(), top * 1e-6) if positive.size else 0.0
        if np.ndim(levels) == 0:
            levels = np.geomspace(bottom, top, int(levels)) if top > bottom else None
        norm = LogNorm(bottom, top) if top > bottom else None
        # Below the lowest level (at the minimum itself) counts as the lowest level.
        field = np.clip(np.where(finite, gap, top), bottom, top)
    else:
        field = np.where(finite, Z, np.nanmax(np.where(finite, Z, -np.inf)))
        bottom, top = field.min(), field.max()
        if np.ndim(levels) == 0:
            levels = np.linspace(bottom, top, int(levels)) if top > bottom else None
        norm = Normalize(bottom, top) if top > bottom else None
    if levels is None:
        return ()
    return (ax.contourf(X, Y, field, levels=levels, cmap=_GREYS, norm=norm),
            ax.contour(X, Y, field, levels=levels, colors="#595959", linewidths=0.5, alpha=0.6))


def _clip_far(points, xlim, ylim):
    """Clip coordinates far outside the window (direction is kept for all visible purposes)."""
    lo = np.array([xlim[0], ylim[0]], dtype=float)
    hi = np.array([xlim[1], ylim[1]], dtype=float)
    reach = _FAR * (hi - lo)
    return np.clip(points, lo - reach, hi + reach)


def trajectories(landscape, runs, ax=None, markers=True):
    """Optimizer paths on the landscape's contour plot, with a legend.

    ``runs`` maps a label to a path of shape (steps + 1, 2) (or a Trajectory).
    Each path starts at a circle and ends at a square; a path that diverged is
    drawn up to its last finite point and labelled "(diverged)". The legend
    has one entry per run, plus the minimum (and local minimum, if any).

    >>> fig = trajectories(land, {"lr = 0.1": path_a, "lr = 0.5": path_b})
    """
    runs = _check_runs(runs)
    ax = _axes(ax)
    contour(landscape, ax=ax)
    for i, (label, run) in enumerate(runs.items()):
        path = _array(run, "path")
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"Invalid path for run {label!r}: shape {path.shape}; need (steps + 1, 2)")
        path, diverged = _finite_rows(path)
        path = _clip_far(path, landscape.xlim, landscape.ylim)
        color, linestyle = _style(i)
        name = f"{label} (diverged)" if diverged else str(label)
        ax.plot(path[:, 0], path[:, 1], color=color, linestyle=linestyle, linewidth=1.6,
                marker="." if markers else None, markersize=3, label=name, zorder=3)
        if markers and len(path):
            ax.plot(*path[0], marker="o", markersize=7, color=color, markerfacecolor="white",
                    linestyle="none", zorder=4)
            ax.plot(*path[-1], marker="s", markersize=6, color=color, linestyle="none", zorder=4)
    # Keep the landscape's window however far a path went.
    ax.set_xlim(*landscape.xlim)
    ax.set_ylim(*landscape.ylim)
    if runs or getattr(landscape, "minimum", None) is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False,
                  fontsize="small")
    return ax.figure


def loss_curves(runs, min_value=0.0, ax=None, log=True, ylim=None):
    """Loss minus ``min_value`` against step, one line per run, on a log scale.

    ``runs`` maps a label to a loss curve of shape (steps + 1,) (or a
    Trajectory). Values that are not above ``min_value`` (an exact hit) cannot
    be shown on a log scale and are left out; a run that diverged ends at its
    last finite value and is labelled "(diverged)". With ``log=False`` the loss
    itself is drawn on a linear scale.

    The y range fits the curves, unless ``ylim`` = (low, high) fixes it: an
    explorer passes one range for all its settings, so that a curve's move is
    seen against axes that stay put (and only the curves are drawn again).
    A curve that goes below ``low`` or above ``high`` leaves the plot there.

    >>> fig = loss_curves({"GD": losses_gd, "Adam": losses_adam}, min_value=land.min_value)
    >>> fig = loss_curves({"GD": losses_gd}, ax=right, ylim=(1e-16, 10))
    """
    runs = _check_runs(runs)
    if not np.isfinite(min_value):
        raise ValueError(f"Invalid min_value: {min_value!r}; need a finite number")
    if ylim is not None:
        _check_ylim(ylim, log)
    ax = _axes(ax)
    shown, last = [], 0                  # last: the last step of the longest run
    for i, (label, run) in enumerate(runs.items()):
        loss = _array(run, "loss")
        if loss.ndim != 1:
            raise ValueError(f"Invalid loss curve for run {label!r}: shape {loss.shape}; need (steps + 1,)")
        last = max(last, len(loss) - 1)
        steps = np.arange(len(loss))
        diverged = not np.all(np.isfinite(loss))
        if diverged:
            end = int(np.argmax(~np.isfinite(loss)))
            steps, loss = steps[:end], loss[:end]
        y = loss - min_value if log else loss
        if log:
            y = np.where(y > 0, y, np.nan)
        # Beyond the plot's top anyway; near 1e300 the log axis's transform would overflow.
        y = np.where(np.abs(y) < _CAP, y, np.nan)
        color, linestyle = _style(i)
        name = f"{label} (diverged)" if diverged else str(label)
        ax.plot(steps, y, color=color, linestyle=linestyle, linewidth=1.6, label=name)
        shown.append(y[np.isfinite(y)])
    # A run that blows up would squash every other curve into a line, so the y range
    # ends a little above the largest starting value (see _HEADROOM_*), and a
    # diverging curve leaves through the top of the plot.
    values = np.concatenate(shown) if shown else np.array([])
    starts = [y[0] for y in shown if y.size]
    # Every step on the x axis, even where nothing is drawn (a loss of exactly 0 on a log scale):
    # the autoscaled range then covers step 0 to the last step.
    if last > 0:
        ax.update_datalim([(0.0, 1.0), (float(last), 1.0)], updatey=False)
    if ax.get_yscale() != ("log" if log else "linear"):    # only if needed: it makes new tick locators
        ax.set_yscale("log" if log else "linear")
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif values.size == 0:            # nothing to show: keep a sane default window
        ax.set_ylim(*((1e-3, 1e1) if log else (0.0, 1.0)))
    elif log:
        low, high = values.min(), min(values.max(), max(starts) * _HEADROOM_LOG)
        ax.set_ylim(low / 2, high * 2 if high > low else low * 10)
    else:
        low, start = values.min(), max(starts)
        high = min(values.max(), start + _HEADROOM_LINEAR * max(start - low, abs(start)))
        pad = 0.05 * (high - low) if high > low else 1.0
        ax.set_ylim(low - pad, high + pad)
    ax.set_xlabel("step $t$")
    if log:
        ax.set_ylabel("$f(x_t) - f^*$" if min_value == 0 else f"$f(x_t) - f^*$  ($f^* = {min_value:.4g}$)")
    else:
        ax.set_ylabel("loss $f(x_t)$")
    ax.grid(True, which="major", alpha=0.3)
    if runs:
        ax.legend(fontsize="small", frameon=False)
    return ax.figure


def _check_ylim(ylim, log):
    """A y range must be two finite numbers, low < high, and low > 0 on a log scale."""
    try:
        low, high = (float(v) for v in ylim)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid ylim: {ylim!r}; need a pair (low, high) of numbers") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high and (low > 0 or not log)):
        rule = "0 < low < high on a log scale" if log else "finite low < high"
        raise ValueError(f"Invalid ylim: {ylim!r}; need {rule}")


def curve_1d(landscape, runs=None, ax=None, resolution=400):
    """A 1-D landscape's loss curve, with each run's iterates marked on it.

    ``runs`` maps a label to a path of shape (steps + 1, 1) or (steps + 1,) (or
    a Trajectory). Iterates are drawn at (x_t, f(x_t)), joined in order, from a
    circle (start) to a square (end). The y range follows the curve, not the
    iterates, so a run that shoots off does not flatten the picture.

    >>> fig = curve_1d(landscapes.Pit1D(), {"GD": path})
    """
    if getattr(landscape, "dim", 1) != 1:
        raise ValueError(f"Invalid landscape: {landscape.name!r} has dim {landscape.dim}; "
                         "need a 1-D landscape (use contour or trajectories for 2-D)")
    runs = _check_runs(runs)
    ax = _axes(ax)
    x = np.linspace(*landscape.xlim, resolution)
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.loss(x[:, None]), dtype=float)
    # Into a reused, emptied Axes, the same curve gets back the very same line (as contour
    # does): drawn below the runs, a new one would make an explorer paint them all again.
    drawn, line = getattr(ax, "_plotting_curve", (None, None))
    if (drawn is not None and line.axes is None
            and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(drawn, (x, f)))):
        ax.add_line(line)
        line.stale = False                     # exactly as it was last drawn
    else:
        (line,) = ax.plot(x, f, color="#595959", linewidth=2.0, label="loss $f(x)$", zorder=1)
        ax._plotting_curve = ((x, f), line)
    minimum = getattr(landscape, "minimum", None)
    if minimum is not None:
        ax.plot(minimum[0], landscape.min_value, marker="*", markersize=14, color="#000000",
                markerfacecolor="#F0E442", linestyle="none", label="minimum", zorder=5)
    for i, (label, run) in enumerate(runs.items()):
        path = _array(run, "path")
        if path.ndim == 1:
            path = path[:, None]
        if path.ndim != 2 or path.shape[1] != 1:
            raise ValueError(f"Invalid path for run {label!r}: shape {path.shape}; need (steps + 1, 1)")
        path, diverged = _finite_rows(path)
        path = np.clip(path, x[0] - _FAR * (x[-1] - x[0]), x[-1] + _FAR * (x[-1] - x[0]))
        with np.errstate(all="ignore"):
            fp = np.asarray(landscape.loss(path), dtype=float)
        keep = np.isfinite(fp)
        px, fp = path[keep, 0], fp[keep]
        color, linestyle = _style(i)
        name = f"{label} (diverged)" if diverged else str(label)
        ax.plot(px, fp, color=color, linestyle=linestyle, linewidth=1.0, marker="o", markersize=4,
                alpha=0.9, label=name, zorder=3)
        if len(px):
            ax.plot(px[0], fp[0], marker="o", markersize=8, color=color, markerfacecolor="white",
                    linestyle="none", zorder=4)
            ax.plot(px[-1], fp[-1], marker="s", markersize=7, color=color, linestyle="none", zorder=4)
    finite = f[np.isfinite(f)]
    low, high = finite.min(), finite.max()
    pad = 0.05 * (high - low) if high > low else 1.0
    ax.set_xlim(*landscape.xlim)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlabel("$x$")
    ax.set_ylabel("loss $f(x)$")
    ax.set_title(landscape.name)
    ax.legend(fontsize="small", frameon=False)
    return ax.figure
