"""Interactive experiments: sliders and menus that redraw a figure.

A chapter writes a function that draws one figure for one setting of the
controls, and hands it to :func:`explore` with the controls::

    from explorers import Slider, Dropdown, explore

    def plot(lr, opt):
        ...                                  # run the optimizer, draw with plotting.py
        return fig                           # a matplotlib Figure

    explore(plot, Slider("lr", 0.05, 2.5, 0.05, value=0.5, label="learning rate η"),
            Dropdown("opt", ["GD", "AdaGrad"], value="GD", label="optimizer"),
            main="lr", title="Learning rate on an ill-conditioned quadratic")

Faster: a plot function with a ``fig`` parameter is handed the figure it made
last time and draws into it again, instead of building a new one; the
explorer then paints only what changed (see :class:`_KeptFigure`). With
``plotting.figure(..., reuse=fig)`` that is one argument more::

    def plot(lr, opt, fig=None):
        fig, ax = plotting.figure(reuse=fig)   # the same figure, emptied
        ...
        return fig

Such a function must draw the same picture into its old figure as into a new
one; the explorer checks this once, on its last static frame, and fails the
cell if not (say, a scale set for some values and never set back).

As the last line of a cell, the explorer shows itself in one of two ways; the
cell's output carries both and the viewer picks:

* **Live**, in Jupyter with a running kernel: every control as a widget, and
  the figure drawn when the widget appears, then again whenever a slider is
  released or a menu item chosen. While the reader pauses, the kernel draws
  ahead the figures for one step either way of every control, then for the
  main control's other values (nearest first, the other controls as they
  are: see :meth:`Explorer.ahead`), so that such a move then shows a figure
  at once; the last :data:`LIVE_FRAMES` figures are kept. While the
  reader is moving one explorer, only that one draws ahead; the others wait
  until the reader has left the controls alone for :data:`IDLE_AHEAD_S`. Once
  no view of it is left (its cell run again, say), an explorer lets go of its
  figures.
* **Static**, on the book's web pages (no kernel): the figure precomputed for
  up to :data:`MAX_FRAMES` values of the *main* control (the others at their
  defaults), and a range slider that flips between them. The whole static
  version, images inlined, is at most :data:`MAX_STATIC_BYTES`; its HTML is
  the same on every run, so saved notebooks can be checked output by output.

The static version's HTML, for browser tests and the book's CSS::

    <div class="explorer-static" id="explorer-…" data-explorer-title="…" data-explorer-main="lr"
         data-explorer-frames="25" data-explorer-ready="true" (set by the script)>
      <p class="explorer-title">…</p>
      <img class="explorer-frame" src="data:image/png;base64,…" alt="…">
      <div class="explorer-controls">
        <input class="explorer-slider" type="range" min="0" max="24" step="1" value="9" …>
        <output class="explorer-value">learning rate η = 0.50</output>
      </div>
      <p class="explorer-note">Static version: …; the live notebook has all controls.</p>
      <script type="application/json" class="explorer-frames">[{"text": …, "alt": …, "src": …}, …]</script>
      <script>…</script>
    </div>
"""

import asyncio
import base64
import gc
import hashlib
import html
import inspect
import io
import json
import math
import struct
import traceback
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real

import matplotlib.pyplot as plt
import numpy as np
from isal import isal_zlib
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image           # installed with matplotlib

from text_cache import TextCachingCanvas

__all__ = ["Slider", "Dropdown", "explore"]

MAX_FRAMES = 25               # static version: at most this many values of the main control
MAX_STATIC_BYTES = 1_500_000  # static version: at most this many bytes of HTML, images included
FRAME_DPI = 100               # static frames: this resolution, lowered to fit MAX_STATIC_BYTES ...
MIN_FRAME_DPI = 50            # ... but never below this one
LIVE_DPI = 150                # live figure: sharper, as it is never stored in the page
CSS_PX_PER_INCH = 100         # a 7-inch-wide figure is shown 700 CSS pixels wide in both versions
LIVE_FRAMES = 100             # live figures kept per explorer, the most recent (PNGs of 100 to 170 KB)
AHEAD_DELAY_S = 0.05          # live: the pause before each figure drawn ahead, so the kernel answers first
IDLE_AHEAD_S = 3.0            # live: explorers other than the one moved last draw ahead after this long without a move

_ids = Counter()              # explorers made so far in this process, per title (for unique HTML ids)


# ---------------------------------------------------------------------------
# Controls
# ---------------------------------------------------------------------------

def _check_name(kind, name):
    if not (isinstance(name, str) and name.isidentifier()):
        raise ValueError(f"Invalid name for {kind}: {name!r}; need a Python identifier, "
                         "the name of a parameter of the plot function")


def _decimals(x):
    """Decimal places in the shortest repr of x: 0.05 -> 2, 2.5 -> 1, 3 -> 0."""
    return max(0, -Decimal(repr(float(x))).normalize().as_tuple().exponent)


@dataclass(frozen=True)
class Slider:
    """A numeric control: values ``min, min + step, ..., max``.

    ``value`` is the starting value (default ``min``) and must lie on that
    grid; ``label`` is what the reader sees (default ``name``). If ``min``,
    ``max``, ``step`` and ``value`` are all integers, the values are integers.

    >>> Slider("lr", 0.05, 2.5, 0.05, value=0.5, label="learning rate η").text(0.5)
    'learning rate η = 0.50'
    """

    name: str
    min: float
    max: float
    step: float
    value: float = None
    label: str = None

    def __post_init__(self):
        _check_name("slider", self.name)
        where = f"for slider {self.name!r}"
        for field in ("min", "max", "step") + (("value",) if self.value is not None else ()):
            x = getattr(self, field)
            if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
                raise ValueError(f"Invalid {field} {where}: {x!r}; need a finite number")
            # Plain int or float from here on (numpy numbers print as np.float64(...)).
            object.__setattr__(self, field, int(x) if isinstance(x, Integral) else float(x))
        if not self.min < self.max:
            raise ValueError(f"Invalid max {where}: {self.max!r}; need max > min ({self.min!r})")
        if not self.step > 0:
            raise ValueError(f"Invalid step {where}: {self.step!r}; need step > 0")
        if not _on_grid(self.max, self.min, self.step):
            raise ValueError(f"Invalid max {where}: {self.max!r}; need min + k * step for a whole "
                             f"number k (min {self.min!r}, step {self.step!r})")
        value = self.min if self.value is None else self.value
        if not self.min <= value <= self.max:
            raise ValueError(f"Invalid value {where}: {value!r}; need min <= value <= max "
                             f"({self.min!r} to {self.max!r})")
        if not _on_grid(value, self.min, self.step):
            raise ValueError(f"Invalid value {where}: {value!r}; need min + k * step for a whole "
                             f"number k (min {self.min!r}, step {self.step!r})")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "label", self.name if self.label is None else str(self.label))

    @property
    def is_int(self):
        return all(isinstance(x, Integral) for x in (self.min, self.max, self.step, self.value))

    @property
    def decimals(self):
        return 0 if self.is_int else max(_decimals(self.min), _decimals(self.step))

    def values(self):
        """Every value of the slider, in order."""
        count = round((self.max - self.min) / self.step) + 1
        if self.is_int:
            return [self.min + k * self.step for k in range(count)]
        # Rounding to the grid's own decimals turns 0.1 + 2 * 0.05 = 0.20000000000000004 into 0.2.
        return [round(self.min + k * self.step, self.decimals + 6) for k in range(count)]

    def index(self, value):
        """Position on the grid of the grid value nearest to ``value``."""
        count = round((self.max - self.min) / self.step) + 1
        return min(max(round((value - self.min) / self.step), 0), count - 1)

    def text(self, value):
        """What the reader sees for ``value``, e.g. ``'learning rate η = 0.50'``."""
        shown = f"{value}" if self.is_int else f"{value:.{self.decimals}f}"
        return f"{self.label} = {shown}"

    def summary(self):
        return f"{self.name} in [{self.min!r}, {self.max!r}]"

    def _widget(self):
        import ipywidgets as widgets
        kind = widgets.IntSlider if self.is_int else widgets.FloatSlider
        options = {} if self.is_int else {"readout_format": f".{self.decimals}f"}
        return kind(min=self.min, max=self.max, step=self.step, value=self.value,
                    description=self.label, continuous_update=False,
                    style={"description_width": "initial"}, **options)


def _on_grid(x, start, step):
    k = (x - start) / step
    return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


@dataclass(frozen=True)
class Dropdown:
    """A menu control: one of ``options``.

    ``options`` is a list of values, or of ``(text, value)`` pairs (``text`` a
    string) when the reader should see something other than ``str(value)``. ``value`` is the
    starting option (default the first); ``label`` is what the reader sees
    (default ``name``).

    >>> Dropdown("opt", ["GD", "AdaGrad"], label="optimizer").text("AdaGrad")
    'optimizer = AdaGrad'
    """

    name: str
    options: tuple
    value: object = None
    label: str = None

    def __post_init__(self):
        _check_name("dropdown", self.name)
        where = f"for dropdown {self.name!r}"
        if isinstance(self.options, (str, bytes)) or not hasattr(self.options, "__iter__"):
            raise ValueError(f"Invalid options {where}: {self.options!r}; need a list of values "
                             "or of (text, value) pairs")
        # A 2-tuple starting with a string is (text, value); anything else is a value.
        pairs = tuple(o if isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) else (str(o), o)
                      for o in self.options)
        if not pairs:
            raise ValueError(f"Invalid options {where}: {self.options!r}; need at least one option")
        texts = [t for t, _ in pairs]
        if len(set(texts)) != len(texts):
            raise ValueError(f"Invalid options {where}: {texts!r}; need options that read differently")
        value = pairs[0][1] if self.value is None else self.value
        if not any(_same(value, v) for _, v in pairs):
            raise ValueError(f"Invalid value {where}: {value!r}; need one of the options: "
                             + ", ".join(texts))
        object.__setattr__(self, "options", pairs)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "label", self.name if self.label is None else str(self.label))

    def values(self):
        """Every option's value, in order."""
        return [v for _, v in self.options]

    def index(self, value):
        return next(i for i, (_, v) in enumerate(self.options) if _same(v, value))

    def text(self, value):
        return f"{self.label} = {self.options[self.index(value)][0]}"

    def summary(self):
        return f"{self.name} in {{{', '.join(t for t, _ in self.options)}}}"

    def _widget(self):
        import ipywidgets as widgets
        return widgets.Dropdown(options=list(self.options), value=self.value, description=self.label,
                                style={"description_width": "initial"})


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):      # e.g. arrays, whose == is elementwise
        return a is b


# ---------------------------------------------------------------------------
# Drawing: a new figure per setting, or one figure kept and redrawn in place
# ---------------------------------------------------------------------------

class _NewFigures:
    """Draws ``plot(**values)``, a new figure every time, then closes it."""

    kept = False

    def __init__(self, plot, dpi):
        self.plot, self.dpi = plot, dpi

    def image(self, values, like=None):
        """The figure for ``values`` as an RGBA image, and its size in inches.

        ``like``: a figure with as many Axes, whose places the new Axes take
        instead of being laid out (to compare a kept figure with a new one).
        """
        fig = _check_figure(self.plot(**values), values)
        try:
            fig.set_dpi(self.dpi)
            canvas = FigureCanvasAgg(fig)
            if like is not None and len(fig.axes) == len(like.axes):
                fig.set_layout_engine("none")
                for new_ax, old_ax in zip(fig.axes, like.axes):
                    new_ax.set_position(old_ax.get_position(original=True))
            canvas.draw()           # once: savefig would lay out in one draw and paint in another
            return _pixels(canvas), tuple(fig.get_size_inches())
        finally:
            plt.close(fig)

    def close(self):
        pass


class _KeptFigure:
    """Draws ``plot(**values, fig=fig)`` into one figure kept for every setting.

    The first call makes the figure (``plot(**values)``); later calls hand it
    back to ``plot``, which empties and redraws it (``plotting.figure(reuse=fig)``).
    Then only what changed is painted again (blitting) over a saved image of
    the last full draw: in each Axes, the artists in drawing order (by zorder)
    from the first one that is new or changed. An Axes whose limits, ticks or
    place change (a new window for an equal-aspect Axes) is painted whole in
    the free room around it, without laying the figure out again, unless it
    would then reach beyond that room. Figure-level artists (a figure legend)
    that change are painted last, after the Axes. Whenever anything else
    changed (the figure's background, or which artists change: the first
    move teaches that, unless the drawing was given what another one learned),
    or Axes overlap, the whole figure is drawn again, in
    the same layout if everything then fits in its room, else laid out again;
    a figure of another size or with other Axes is laid out again at once.
    Either way the pixels are those of a full draw of the figure's current
    state (tested).
    """

    kept = True

    def __init__(self, plot, dpi, learned=None):
        """``learned``: what another drawing of the same plot learned (see :meth:`learned`)."""
        self.plot, self.dpi = plot, dpi
        self.learned_before = learned
        self.fig = None
        self.blits = self.full_draws = 0

    def image(self, values):
        """The figure for ``values`` as an RGBA image, and its size in inches."""
        if self.fig is None:
            fig = _check_figure(self.plot(**values), values)
        else:
            fig = _check_figure(self.plot(**values, fig=self.fig), values)
        if fig is not self.fig:                  # the first figure, or plot made a new one
            if self.fig is not None:
                plt.close(self.fig)
            self.fig = fig
            fig.set_dpi(self.dpi)
            self.canvas = TextCachingCanvas(fig)     # text drawn on each move: from a cache (text_cache.py)
            self.drawn = self.laid_out = self.room = None
            self.figure_tail = False             # figure-level artists (a figure legend) painted last
        plan = None if self.drawn is None else self._plan()
        if plan is not None:
            starts, whole, views = plan
            self._paint(starts, whole)
            if self._fits(whole):
                self._remember(starts, whole, views)    # painting changes no view: no need to ask again
                self.blits += 1
                return _pixels(self.canvas), tuple(fig.get_size_inches())
            self.laid_out = None                 # something outgrew its room: lay out again
        elif self.drawn is not None and self._figure_signature() == self.drawn["figure"]:
            self.draw_all(layout=False)          # the same Axes: in their places, if all still fits
            if self._fits({id(ax) for ax in fig.axes}, figure=True):
                return _pixels(self.canvas), tuple(fig.get_size_inches())
            self.laid_out = None
        self.draw_all()
        return _pixels(self.canvas), tuple(fig.get_size_inches())

    def close(self):
        if self.fig is not None:
            plt.close(self.fig)
        self.fig = None

    def learned(self):
        """What the moves so far taught, or None before the first move: per Axes, in order, where
        its changing artists start, and whether figure-level artists change.

        A drawing given it (the live figure, after the static frames taught it) leaves those
        artists out of its first figure's saved background, so that its first move already
        paints only what changed instead of drawing everything to learn it. A wrong guess
        (another control changes an earlier artist) costs only that: a full draw, as without.
        """
        if self.fig is None or self.drawn is None or self.blits + self.full_draws < 2:
            return None
        return [self.drawn["axes"][id(ax)][1] for ax in self.fig.axes], self.figure_tail

    def draw_all(self, layout=True):
        """Draw the whole figure; save what lies under each Axes' changing artists.

        The layout engine runs only if something it measures has changed since it
        last ran (see _layout_key), or never with ``layout=False``.
        """
        starts = self._starts_for_full_draw()
        for ax in self.fig.axes:
            for i, artist in enumerate(_drawing_order(ax)):
                artist.set_animated(i >= starts[id(ax)])   # a full draw skips animated artists
        self.figure_tail = self.figure_tail or (self.drawn is not None and self._figure_changed())
        for artist in _figure_artists(self.fig):
            artist.set_animated(self.figure_tail)
        engine = self.fig.get_layout_engine()
        key = _layout_key(self.fig)
        if key == self.laid_out:
            layout = False
        elif layout:
            self.laid_out = key
        if not layout:
            self.fig.set_layout_engine("none")
        try:
            self.canvas.draw()
        finally:
            if not layout:
                self.fig.set_layout_engine(engine)
        if layout or self.room is None:
            self.room = _room(self.fig, self.canvas.get_renderer())
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._paint(starts, set())
        self._remember(starts, set())
        self.full_draws += 1

    def _paint(self, starts, whole):
        """Over the saved background: each Axes' changing artists, or all of it (``whole``) in its room."""
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        patch = self.fig.patch
        for ax in self.fig.axes:                 # first empty every room, then paint: rooms do not overlap
            if id(ax) in whole:
                patch.set_clip_box(self.room[id(ax)])
                patch.draw(renderer)             # the figure's background colour, only in the room
                patch.set_clip_box(None)
        for ax in self.fig.axes:
            if id(ax) in whole:
                ax.patch.draw(renderer)
            for artist in _drawing_order(ax)[starts[id(ax)]:]:
                artist.draw(renderer)
        if self.figure_tail:
            for artist in _figure_artists(self.fig):
                artist.draw(renderer)

    def _fits(self, whole, figure=False):
        """Whether what was painted stays in each Axes' room: its legend, titles, and if whole, its ticks;
        and the figure-level artists painted last (all of them with ``figure``) between the rooms."""
        renderer = self.canvas.get_renderer()
        for ax in self.fig.axes:
            boxes = [t.get_window_extent(renderer) for t in (ax.title, *ax.texts) if t.get_text()]
            legend = ax.get_legend()
            if legend is not None and legend.get_visible():
                # Where Legend.draw put it (its frame's bounds, in pixels, set as it drew): asking
                # the legend again would lay it out again and, for loc="best", place it again.
                boxes.append(legend.legendPatch.get_bbox())
            if id(ax) in whole:
                boxes += [ax.get_window_extent(renderer), ax.xaxis.get_tightbbox(renderer),
                          ax.yaxis.get_tightbbox(renderer)]
            if not all(_inside(box, self.room.get(id(ax))) for box in boxes):
                return False
        for artist in _figure_artists(self.fig) if self.figure_tail or figure else ():
            box = artist.get_window_extent(renderer)
            if not _inside(box, self.fig.bbox) or any(_overlaps(box, room) for room in self.room.values()):
                return False
        return True

    def _remember(self, starts, whole, views=None):
        """Note what was drawn, and mark it all fresh: later changes mark artists stale.

        ``views``: each Axes' _view, if already known for what was drawn."""
        views = views or {id(ax): _view(ax) for ax in self.fig.axes}
        self.drawn = {
            "figure": self._figure_signature(),
            "figure artists": _figure_artists(self.fig),
            "axes": {id(ax): (_drawing_order(ax), starts[id(ax)], _frame(ax), views[id(ax)]) for ax in self.fig.axes},
        }
        self.whole = whole                       # painted whole since the last full draw
        for artist in self.fig.get_children():
            artist.stale = False
        for ax in self.fig.axes:
            for artist in ax.get_children():
                artist.stale = False

    def _figure_signature(self):
        fig = self.fig
        return tuple(fig.get_size_inches()), fig.dpi, [id(ax) for ax in fig.axes], tuple(fig.patch.get_facecolor())

    def _figure_changed(self):
        """Whether a figure-level artist (a figure legend, a suptitle) is new, changed or gone."""
        now = _figure_artists(self.fig)
        return [id(a) for a in now] != [id(a) for a in self.drawn["figure artists"]] or any(a.stale for a in now)

    def _first_change(self, ax):
        """Where the first new or changed artist of ``ax`` is in drawing order (its length if none)."""
        before = {id(a) for a in self.drawn["axes"][id(ax)][0]}
        order = _drawing_order(ax)
        return next((i for i, a in enumerate(order)
                     if id(a) not in before or (a.stale and not isinstance(a, Axis))), len(order))

    def _plan(self):
        """Per Axes, where to start painting, which Axes to paint whole, and each Axes' _view;
        None to draw everything."""
        fig, drawn = self.fig, self.drawn
        if (self._figure_signature() != drawn["figure"] or fig.patch.stale or _axes_overlap(fig)
                or fig.patch.get_facecolor()[3] != 1 or any(a.get_zorder() < 0 for a in _figure_artists(fig))
                or (self._figure_changed() and not self.figure_tail)):
            return None
        starts, whole, views = {}, set(self.whole), {id(ax): _view(ax) for ax in fig.axes}
        for ax in fig.axes:
            before, start_before, frame, view = drawn["axes"][id(ax)]
            if id(ax) in whole or _frame(ax) != frame or views[id(ax)] != view:
                whole.add(id(ax))
                starts[id(ax)] = 0
                continue
            order = _drawing_order(ax)
            same_start = len(order) >= start_before and all(a is b for a, b in zip(order, before[:start_before]))
            if self._first_change(ax) < start_before or not same_start:
                return None
            starts[id(ax)] = start_before
        return starts, whole, views

    def _starts_for_full_draw(self):
        """Per Axes, where its changing artists start: from the first new or changed one, or earlier
        if an earlier one changed last time; for a new figure, nothing, or where another drawing of
        the plot learned they start (see learned)."""
        if self.drawn is None:
            hint = self.learned_before
            if hint is not None and len(hint[0]) == len(self.fig.axes) and not _axes_overlap(self.fig):
                self.figure_tail = hint[1]       # and whether the figure's own artists change
                return {id(ax): min(start, len(_drawing_order(ax))) for ax, start in zip(self.fig.axes, hint[0])}
            return {id(ax): len(_drawing_order(ax)) for ax in self.fig.axes}
        return {id(ax): min(self._first_change(ax), self.drawn["axes"][id(ax)][1]) if id(ax) in self.drawn["axes"]
                else 0 for ax in self.fig.axes}


def _figure_artists(fig):
    """The figure's own artists (figure legends, texts, ...) in drawing order, after its Axes."""
    return sorted((a for a in fig.get_children() if a is not fig.patch and a not in fig.axes),
                  key=lambda a: a.get_zorder())


def _drawing_order(ax):
    """The artists of ``ax`` in the order Axes.draw paints them (after its background patch)."""
    return sorted((a for a in ax.get_children() if a is not ax.patch), key=lambda a: a.get_zorder())


def _frame(ax):
    """Where ``ax`` is and whether it shows: if this changes, the whole figure is drawn again."""
    return ax.get_position().bounds, ax.get_visible(), ax.axison, ax.get_aspect()


def _view(ax):
    """Per axis (x, then y): its limits, scale, label, and its ticks' places and labels (as its
    formatters write them now, however configured). If this changes, all of ``ax`` is painted."""
    return tuple((axis.get_view_interval().tolist(), axis.get_scale(), axis.label.get_text(),
                  *(_ticks(ticker, locs) for ticker, locs in ((axis.major, axis.get_majorticklocs()),
                                                              (axis.minor, axis.get_minorticklocs()))))
                 for axis in (ax.xaxis, ax.yaxis))


def _ticks(ticker, locs):
    """Where the ticks are and the labels the formatter gives them (what Axis.draw will write)."""
    return tuple(locs), tuple(ticker.formatter.format_ticks(locs))


def _room(fig, renderer):
    """Per Axes (by id), the free space around it: up to a pixel short of its neighbours' ticks,
    labels and legends, and the figure's edges. What changes in the Axes may grow into it
    without a new layout, and repainting the Axes whole empties it first."""
    boxes = {id(ax): ax.get_tightbbox(renderer) for ax in fig.axes}
    obstacles = [*boxes.values(), *(a.get_window_extent(renderer) for a in [*fig.legends, *fig.texts]
                                    if a.get_visible())]
    room = {}
    for ax in fig.axes:
        own = boxes[id(ax)]
        others = [o for o in obstacles if o is not own]
        across = lambda o: o.y0 < own.y1 and o.y1 > own.y0        # noqa: E731 (beside it: left or right)
        along = lambda o: o.x0 < own.x1 and o.x1 > own.x0         # noqa: E731 (above or below it)
        room[id(ax)] = Bbox([[max([fig.bbox.x0] + [o.x1 + 1 for o in others if across(o) and o.x1 <= own.x0 + 1]),
                              max([fig.bbox.y0] + [o.y1 + 1 for o in others if along(o) and o.y1 <= own.y0 + 1])],
                             [min([fig.bbox.x1] + [o.x0 - 1 for o in others if across(o) and o.x0 >= own.x1 - 1]),
                              min([fig.bbox.y1] + [o.y0 - 1 for o in others if along(o) and o.y0 >= own.y1 - 1])]])
    return room


def _overlaps(a, b):
    """Whether two boxes share some area (touching edges do not count)."""
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _inside(box, room, tolerance=0.5):
    """Whether ``box`` (pixels; None for nothing drawn) fits in ``room``, give or take half a pixel."""
    return box is None or room is not None and (box.x0 >= room.x0 - tolerance and box.y0 >= room.y0 - tolerance
                                 and box.x1 <= room.x1 + tolerance and box.y1 <= room.y1 + tolerance)


def _layout_key(fig):
    """What the layout engine measures: the texts around each Axes and what sets its ticks.

    Lines and other artists clipped to their Axes do not move the layout, so a
    figure whose key is unchanged would be laid out the same way again.
    """
    def texts(artists, where=False):
        return tuple((a.get_text(), a.get_visible(), a.get_position() if where else None) for a in artists)

    def legend(ax_or_fig):
        legends = ax_or_fig.legends if isinstance(ax_or_fig, Figure) else [ax_or_fig.get_legend()]
        return tuple(texts(lg.get_texts()) + (len(lg.legend_handles), lg.get_visible())
                     for lg in legends if lg is not None)

    axes = tuple((ax.get_aspect(), ax.get_visible(), ax.axison, tuple(ax.get_title(loc) for loc in ("left", "center", "right")),
                  texts(ax.texts, where=True), _view(ax), legend(ax))
                 for ax in fig.axes)
    return (tuple(fig.get_size_inches()), fig.dpi, axes, texts(fig.texts), legend(fig))


def _axes_overlap(fig):
    """Whether any two Axes of ``fig`` overlap (twins, insets): then every change is drawn in full."""
    boxes = [ax.get_position() for ax in fig.axes]
    return any(_overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _check_figure(fig, values):
    if not isinstance(fig, Figure):
        settings = ", ".join(f"{k}={v!r}" for k, v in values.items())
        raise TypeError(f"Invalid plot result for {settings}: {type(fig).__name__}; need a "
                        "matplotlib Figure (does plot end with `return fig`?)")
    return fig


def _pixels(canvas):
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).copy()


def _quick_png(image):
    """PNG bytes of an RGBA image, as quick to encode as PNG allows (live figures).

    No alpha channel if every pixel is opaque (as in a figure with a
    background); every row stored unfiltered (PNG filter type 0); the whole
    deflated by ISA-L (python-isal) at its level 1. Pillow's encoder tries a
    filter per row, which takes most of its time; a plot's flat colours
    compress about as well without one (benchmarks/bench_png.py measures
    both). ISA-L's deflate is about ten times as quick as zlib's quickest
    level on these images, for about 8% more bytes.
    """
    width, height = image.size
    opaque = np.frombuffer(image.tobytes("raw", "A"), np.uint8).min() == 255
    mode, colour_type = ("RGB", 2) if opaque else ("RGBA", 6)
    rows = np.empty((height, 1 + width * len(mode)), np.uint8)
    rows[:, 0] = 0                                   # each row: its filter type, then its pixels
    rows[:, 1:] = np.frombuffer(image.tobytes("raw", mode), np.uint8).reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)   # 8 bits a channel
    return b"".join([b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", isal_zlib.compress(rows, 1)), _png_chunk(b"IEND", b"")])


def _png_chunk(kind, data):
    """One PNG chunk: its length, its kind, its data, and the CRC of kind and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# ---------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------

def explore(plot, *controls, main=None, title):
    """An interactive figure: ``plot(**values)`` redrawn as the reader moves the controls.

    ``plot`` takes one keyword argument per control (named by the control's
    ``name``) and returns a matplotlib Figure, which the explorer closes. If
    it also takes ``fig``, it is given the figure it returned before, to draw
    into again (see the module's docstring); no control may then be named ``fig``.
    ``main`` names the control that the static web version lets the reader
    move (default: the first control); ``title`` names the experiment.

    Returns an :class:`Explorer`; as the last line of a notebook cell it shows
    the live widget in Jupyter and the static version on the book's pages.

    >>> explore(plot, Slider("lr", 0.05, 2.5, 0.05, value=0.5), title="Learning rate")
    """
    return Explorer(plot, controls, main=main, title=title)


class Explorer:
    """The result of :func:`explore`: a live widget and its static fallback.

    ``html`` is the static version (``text/html``), made at once; ``widget``
    is the live ipywidgets box, made on first use, and ``controls`` and
    ``output`` are its control widgets by name and its Output area.
    """

    def __init__(self, plot, controls, main, title):
        if not callable(plot):
            raise TypeError(f"Invalid plot: {plot!r}; need a function plot(**values) returning a "
                            "matplotlib Figure")
        if not (isinstance(title, str) and title.strip()):
            raise ValueError(f"Invalid title: {title!r}; need a non-empty string")
        if not controls:
            raise ValueError("Invalid controls: none given; need at least one Slider or Dropdown")
        for control in controls:
            if not isinstance(control, (Slider, Dropdown)):
                raise TypeError(f"Invalid control: {control!r}; need a Slider or a Dropdown")
        names = [c.name for c in controls]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Invalid controls: {', '.join(repeated)} used twice; need distinct names")
        if main is None:
            main = names[0]
        if main not in names:
            raise ValueError(f"Invalid main: {main!r}; need the name of one of the controls: "
                             + ", ".join(names))
        try:
            parameters = inspect.signature(plot).parameters
        except ValueError:                 # no signature to check (a builtin): try it when drawing
            parameters = {}
        # A plot function with a `fig` parameter can redraw the figure it made before.
        self.kept = "fig" in parameters
        if self.kept and "fig" in names:
            raise ValueError("Invalid controls: 'fig' names a control; need another name "
                             "(plot's fig parameter receives the figure to redraw)")
        if parameters:
            try:
                inspect.signature(plot).bind(**{n: None for n in names})
            except TypeError:
                raise TypeError(f"Invalid plot: {getattr(plot, '__name__', plot)}"
                                f"{inspect.signature(plot)} cannot take the controls "
                                f"{', '.join(names)}; need one parameter per control name") from None
        self.plot, self.title, self.main = plot, title, main
        self.controls_spec = tuple(controls)
        self.defaults = {c.name: c.value for c in controls}
        _ids[title] += 1
        digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:10]
        self.id = f"explorer-{digest}" + (f"-{_ids[title]}" if _ids[title] > 1 else "")
        self._learned = None               # what the static frames' drawing learned (see _KeptFigure.learned)
        self.html = self._static_html()    # now, so a failing plot or a too-large page fails the cell
        self._widget = self._live = self._loop = None
        self._frames = OrderedDict()       # live outputs by setting (tuple of (name, value)), oldest first

    # -- drawing -------------------------------------------------------------

    def _drawing(self, dpi):
        """What draws this explorer's figures at ``dpi``: one kept figure (starting from what the
        static frames' drawing learned), or a new one each time."""
        if self.kept:
            return _KeptFigure(self.plot, dpi, learned=self._learned)
        return _NewFigures(self.plot, dpi)

    @staticmethod
    def _png(image, palette=False):
        """PNG bytes of an RGBA image: fast to encode (live), or in 256 colours (``palette``, static frames).

        A plot has few colours, so a palette PNG looks the same at about a
        third of the size; a live figure is never stored, so it is encoded
        as quickly as PNG allows instead (:func:`_quick_png`), without an
        alpha channel if it is opaque (as a figure with a background is).
        Both are the same bytes on every run.
        """
        if not palette:
            return _quick_png(image)
        buffer = io.BytesIO()
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
        image.quantize(256, dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()

    def _check_kept(self, drawing, values):
        """Check a kept figure as last drawn against a full draw, and against a new figure.

        Run once per explorer, on its last static frame, so a plot function
        that draws differently into a reused figure fails the notebook instead
        of showing wrong frames. The new figure is drawn on matplotlib's own
        canvas, so this also checks the kept figure's text, which comes from
        text_cache.py.
        """
        shown = _pixels(drawing.canvas)
        drawing.draw_all(layout=False)
        if _pixels(drawing.canvas) != shown:
            raise RuntimeError(f"Explorer {self.title!r}: painting only what changed gave other pixels "
                               "than drawing the whole figure (a bug in explorers._KeptFigure)")
        # A new figure, its Axes placed where the kept figure's are: the layout engine
        # starts from the current positions, so a new figure's layout may differ in the
        # sixth decimal, which moves antialiased edges.
        new, _ = _NewFigures(self.plot, drawing.dpi).image(values, like=drawing.fig)
        if _pixels(drawing.canvas) != new:
            raise ValueError(
                f"Explorer {self.title!r}: plot draws differently into its previous figure than into a "
                f"new one (at {self._settings_text(values)}); need a plot that, given fig, sets again "
                "everything it draws (scales, limits, ticks, labels), e.g. with "
                "plotting.figure(..., reuse=fig)")

    def _main_control(self):
        return next(c for c in self.controls_spec if c.name == self.main)

    def _settings_text(self, values):
        return ", ".join(c.text(values[c.name]) for c in self.controls_spec)

    # -- the static version ---------------------------------------------------

    def frame_values(self):
        """The values of the main control that get a static frame, in order."""
        main = self._main_control()
        values = main.values()
        return [values[i] for i in _frame_indices(len(values), main.index(main.value), MAX_FRAMES)]

    def _render_frames(self, values, default, dpi):
        """PNG bytes of every frame at ``dpi``, and the figure size in inches.

        With ``dpi=None`` the DPI is chosen from the default frame, drawn first:
        PNG size grows about as dpi squared and base64 adds a third, so aim at
        80 % of the budget. Returns ``(pngs, dpi, size_inches)``; the PNGs are in
        the order of ``values``.
        """
        order = [default] + [i for i in range(len(values)) if i != default]
        settings = [{**self.defaults, self.main: values[i]} for i in range(len(values))]
        drawing = self._drawing(FRAME_DPI if dpi is None else dpi)
        image, size_inches = drawing.image(settings[default])
        pngs = {default: self._png(image, palette=True)}
        if dpi is None:
            dpi = FRAME_DPI
            estimate = len(values) * len(pngs[default]) * 4 / 3
            if estimate > 0.8 * MAX_STATIC_BYTES:
                dpi = max(MIN_FRAME_DPI, int(FRAME_DPI * math.sqrt(0.8 * MAX_STATIC_BYTES / estimate)))
                drawing.close()
                drawing = self._drawing(dpi)
                image, _ = drawing.image(settings[default])
                pngs[default] = self._png(image, palette=True)
        try:
            for i in order[1:]:
                image, _ = drawing.image(settings[i])
                pngs[i] = self._png(image, palette=True)
            if drawing.kept:
                self._learned = drawing.learned()
                self._check_kept(drawing, settings[order[-1]])
        finally:
            drawing.close()
        return [pngs[i] for i in range(len(values))], dpi, size_inches

    def _static_html(self):
        main = self._main_control()
        values = self.frame_values()
        default = next(i for i, v in enumerate(values) if _same(v, main.value))
        dpi = None
        while True:
            pngs, dpi, size_inches = self._render_frames(values, default, dpi)
            page = self._page(values, default, pngs, size_inches)
            size = len(page.encode("utf-8"))
            if size <= MAX_STATIC_BYTES or dpi == MIN_FRAME_DPI:
                break
            # The default frame misjudged the others: draw them all again, smaller.
            dpi = max(MIN_FRAME_DPI, int(dpi * math.sqrt(0.9 * MAX_STATIC_BYTES / size)))
        if size > MAX_STATIC_BYTES:
            raise ValueError(
                f"Explorer {self.title!r}: its static version is {size / 1e6:.2f} MB, over the "
                f"{MAX_STATIC_BYTES / 1e6:.1f} MB limit ({len(values)} frames at {dpi} dpi); "
                f"need a smaller or simpler figure, or fewer values of {self.main!r}")
        self.frame_dpi = dpi
        return page

    def _page(self, values, default, pngs, size_inches):
        """The static version's HTML (see the module docstring)."""
        main = self._main_control()
        frames = []
        for value, png in zip(values, pngs):
            settings = {**self.defaults, self.main: value}
            frames.append({
                "text": main.text(value),
                "alt": f"{self.title}: {self._settings_text(settings)}",
                "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            })
        others = [c for c in self.controls_spec if c.name != self.main]
        if others:
            note = (f"Static version: only {main.label} moves here "
                    f"({', '.join(c.text(c.value) for c in others)}); the live notebook has all controls.")
        else:
            note = "Static version: precomputed figures; the live notebook redraws for every value."
        return _STATIC_TEMPLATE.format(
            id=self.id,
            title=html.escape(self.title),
            main=html.escape(self.main),
            count=len(values),
            src=frames[default]["src"],
            alt=html.escape(frames[default]["alt"]),
            width=round(size_inches[0] * CSS_PX_PER_INCH),
            height=round(size_inches[1] * CSS_PX_PER_INCH),
            last=len(values) - 1,
            index=default,
            label=html.escape(main.label),
            text=html.escape(frames[default]["text"]),
            note=html.escape(note),
            # JSON inside <script>: escape "<" so no "</script>" can end it early.
            frames=json.dumps(frames).replace("<", "\\u003c"),
            script=_SCRIPT.replace("ID", json.dumps(self.id)),
        )

    # -- the live version -----------------------------------------------------

    @property
    def widget(self):
        """The live ipywidgets explorer (title, controls, figure), made on first use."""
        if self._widget is None:
            import ipywidgets as widgets
            self._controls = {c.name: c._widget() for c in self.controls_spec}
            # The first figure is drawn when a frontend first shows the widget (it then
            # counts its views in _view_count). So a notebook run without one, as when
            # the book is built, stores no extra image in its widget state.
            self._output = widgets.Output(_view_count=0)
            # Every live figure is drawn in this thread (see _in_drawing_thread).
            self._loop = _running_loop()
            self._output.observe(self._views_changed, names="_view_count")
            for control in self._controls.values():
                control.observe(self._control_changed, names="value")
                _keep_moves_in_order(control)
            self._widget = widgets.VBox([
                widgets.HTML(f"<b>{html.escape(self.title)}</b>"),
                widgets.VBox(list(self._controls.values())),
                self._output,
            ])
        return self._widget

    @property
    def controls(self):
        """The live control widgets by name; setting one's ``value`` redraws the figure."""
        self.widget                         # make it if needed
        return self._controls

    @property
    def output(self):
        """The live Output area: the current figure, once the widget has been shown."""
        self.widget
        return self._output

    def _views_changed(self, change):
        """A frontend showed the widget, or its last view is gone (see _hidden)."""
        self._in_drawing_thread(self._shown if change["new"] else self._hidden)

    def _control_changed(self, change):
        self._in_drawing_thread(self._redraw)

    def _in_drawing_thread(self, action):
        """Call ``action`` now, or, from another thread, soon in the thread that made the widget.

        JupyterLab 4.4 and later hand widget messages to a kernel subshell, a
        thread of its own, while cells run and figures are drawn ahead in the
        kernel's main thread; matplotlib is not thread-safe (two threads
        drawing into one figure abort the kernel). So every live figure is
        drawn in the thread whose event loop was running when the widget was
        made, one at a time, as in a kernel without subshells.
        """
        loop = self._loop
        if loop is None or _running_loop() is loop:
            action()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(action)

    def _shown(self):
        """Draw the first figure, or go on drawing ahead. In a kernel the first figure is the
        next step of drawing ahead (see _draw_ahead_step): after "Run All" a frontend shows
        every explorer at once, and a move meanwhile then waits for one figure, not for all."""
        if self._output.outputs or _running_loop() is not None:
            _draw_ahead_later(self)
        else:
            self._redraw()

    def _hidden(self):
        """No view left (its cell was run again, its output cleared or its notebook closed): let
        go of the kept figures and the live one. ipywidgets keeps every widget, and so every
        explorer, alive until the kernel stops, so each run of a cell would otherwise keep up to
        :data:`LIVE_FRAMES` figures more. Shown again, it draws them anew (see draw_ahead)."""
        if self._output._view_count:        # shown again meanwhile
            return
        self._frames.clear()
        if self._live is not None:
            self._live.close()
            self._live = None

    def _redraw(self):
        """Show the figure for the widgets' current values (the reader moved a control), then draw ahead."""
        self._show_figure()
        _draw_ahead_later(self, moved=True)

    def _show_figure(self):
        """Show the figure for the widgets' current values in the Output area; Python's
        collection of cyclic garbage waits until it is sent (see _hold_back_collection)."""
        held = _hold_back_collection()
        try:
            self._output.outputs = (self._live_output(self._values()),)
        finally:
            if held:
                _let_collection_go()

    def _values(self):
        """The widgets' current values, as the grid values the static version uses."""
        values = {}
        for spec in self.controls_spec:
            grid = spec.values()
            values[spec.name] = grid[spec.index(self.controls[spec.name].value)]
        return values

    def _live_output(self, values):
        """The Output area's content for ``values``: drawn the first time, then taken from the
        last :data:`LIVE_FRAMES` drawn (a figure, or the traceback of a plot that failed)."""
        key = tuple(values.items())
        if key in self._frames:
            self._frames.move_to_end(key)
            return self._frames[key]
        try:
            if self._live is None:
                self._live = self._drawing(LIVE_DPI)
            image, size_inches = self._live.image(values)
            png = self._png(image)
            width, height = (inches * CSS_PX_PER_INCH for inches in size_inches)
            output = {"output_type": "display_data",
                      "data": {"image/png": base64.b64encode(png).decode("ascii"),
                               "text/plain": f"<Figure: {self._settings_text(values)}>"},
                      "metadata": {"image/png": {"width": round(width), "height": round(height)}}}
        except Exception:                   # show the reader what went wrong, where they look
            self._live = None               # and start again from a new figure
            output = {"output_type": "stream", "name": "stderr", "text": traceback.format_exc()}
        self._frames[key] = output
        if len(self._frames) > LIVE_FRAMES:
            self._frames.popitem(last=False)
        return output

    def draw_ahead(self):
        """Draw one figure ahead of the reader; return whether there was one to draw.

        It is the current setting if it is not kept (it was let go: see
        _hidden), or else the first setting of :meth:`ahead` not drawn yet. Of
        these, with the current one, only :data:`LIVE_FRAMES` ``- 1`` are drawn,
        so that none of them pushes out another.
        """
        if not self._output._view_count:   # not shown (any more): its cell was run again, say
            return False
        values = self._values()
        for ahead in ([values] + self.ahead(values))[:LIVE_FRAMES - 1]:
            if tuple(ahead.items()) not in self._frames:
                self._live_output(ahead)
                return True
        return False

    def ahead(self, values):
        """The settings drawn ahead from ``values``, the reader's likeliest next moves first.

        First the main control's two nearest values (one step either way, or
        two steps at an end), then one step either way of each other control (a
        menu's next and previous choice), each with the rest as they are; then
        the main control's other values, nearest first (the lower on a tie), the
        other controls as they are.
        """
        main = self._main_control()
        grid, here = main.values(), main.index(values[self.main])
        along_main = [{**values, self.main: grid[i]}
                      for i in sorted(range(len(grid)), key=lambda i: abs(i - here)) if i != here]
        one_step = []
        for spec in self.controls_spec:
            if spec.name != self.main:
                grid, here = spec.values(), spec.index(values[spec.name])
                one_step += [{**values, spec.name: grid[i]} for i in (here - 1, here + 1) if 0 <= i < len(grid)]
        return along_main[:2] + one_step + along_main[2:]

    # -- display ---------------------------------------------------------------

    def __repr__(self):
        parts = [c.summary() + (f" (main, {len(self.frame_values())} static frames)" if c.name == self.main else "")
                 for c in self.controls_spec]
        return f"Explorer {self.title!r}: " + ", ".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget, the static HTML and a one-line description; the viewer picks."""
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = self.html
        bundle["text/plain"] = repr(self)
        return bundle


def _keep_moves_in_order(control):
    """Let the kernel handle each move of ``control`` in the thread its message names.

    ipykernel 7.4 hands a comm message not to the subshell named in its
    header but to the one the comm last sent from: for a new control, the
    main shell that made it. JupyterLab 4.4 and later send every move to a
    subshell. The first moves of a drag then wait in the main thread, busy
    drawing ahead, while the moves after its first echo go to the subshell
    and can be handled first: the kernel kept an older value than the slider
    showed, and its figure. Without that record, ipykernel routes a message
    by its header, so one thread handles the moves, in order.
    """
    comm = getattr(control, "comm", None)
    if comm is not None:
        vars(comm).pop("_reply_subshell_id", None)


def _running_loop():
    """The event loop running in this thread (a kernel's), or None (a script, a test)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# Drawing ahead in a running kernel: one figure at a time, for all explorers together.
_waiting = []              # live explorers that may have figures left to draw ahead; moved last at the end
_collection_held = None    # (event loop, timer) that lets the garbage collector go again, while one is set
_scheduled = None          # (event loop, handle) of the next step, while one is scheduled
_moved = (None, None)      # (explorer, event-loop time) of the reader's last move


def _hold_back_collection():
    """Pause Python's automatic collection of cyclic garbage while a figure is drawn and sent.

    In a kernel that has run a chapter, a full collection takes 0.2 to 0.3 s
    on the machine of benchmarks/REPORT.md, and comes every ten moves or so;
    falling inside a move, it made that move as slow. Held back, it runs once
    the figure is on its way instead: at once without an event loop, or else
    :data:`AHEAD_DELAY_S` after the last figure shown (see _let_collection_go).
    Returns whether the collector is now held back here (not if the reader's
    own code has paused it: then it is left as it is).
    """
    global _collection_held
    if _collection_held is not None:            # paused by the last figure: let go later, after this one
        loop, timer = _collection_held
        timer.cancel()
        _collection_held = None
        if not loop.is_closed():
            return True
        gc.enable()                             # its loop closed before letting it go (a test)
    if not gc.isenabled():
        return False
    gc.disable()
    return True


def _let_collection_go():
    """Let the collector go again: at once, or with an event loop running (a kernel),
    :data:`AHEAD_DELAY_S` later, so that the kernel's IOPub thread, which needs the
    interpreter lock that a collection holds throughout, has sent the figure first."""
    global _collection_held
    loop = _running_loop()
    if loop is None:
        gc.enable()
    else:
        _collection_held = (loop, loop.call_later(AHEAD_DELAY_S, _collection_goes))


def _collection_goes():
    global _collection_held
    _collection_held = None
    gc.enable()


def _draw_ahead_later(explorer, moved=False):
    """In a running kernel, draw ahead for ``explorer`` first, one figure per step of its event loop.

    Each figure is drawn in its own callback of the kernel's event loop, after
    a pause of :data:`AHEAD_DELAY_S`, and one chain of callbacks serves every
    explorer, the one moved last first: so a message that arrives meanwhile
    (the reader moving a control) waits for one figure at most. ``moved``: the
    reader moved one of its controls; then the other explorers wait (see
    _draw_ahead_step). Without a running event loop (a script, a test) nothing
    is drawn ahead; nor in a kernel before a frontend shows the widget (a
    notebook run to check or store its outputs), nor after every view of it is
    gone.
    """
    global _scheduled, _moved
    loop = _running_loop()
    if loop is None:
        return
    if moved:
        _moved = (explorer, loop.time())
    if explorer in _waiting:
        _waiting.remove(explorer)
    _waiting.append(explorer)
    if _scheduled is not None and _scheduled[0] is loop and _scheduled[1].when() > loop.time() + AHEAD_DELAY_S:
        _scheduled[1].cancel()              # a step waiting for the reader to pause: this one comes first
        _scheduled = None
    if _scheduled is None or _scheduled[0] is not loop:
        _scheduled = (loop, loop.call_later(AHEAD_DELAY_S, _draw_ahead_step, loop))


def _draw_ahead_step(loop):
    """Draw one figure, then schedule the next step.

    The figure is the first one of the explorer shown first that has none yet,
    or else one ahead for the explorer moved last that has one left. The other
    explorers draw ahead only once the reader has left every control alone for
    :data:`IDLE_AHEAD_S`: a figure being drawn cannot be interrupted, so while
    the reader steps through one explorer, figures drawn for another would
    make each move wait.
    """
    global _scheduled
    _scheduled = None
    explorer, delay = None, AHEAD_DELAY_S
    try:
        explorer = next((e for e in _waiting if e._output._view_count and not e._output.outputs), None)
        if explorer is not None:
            explorer._show_figure()
        else:
            explorer, moved_at = _moved
            wait = 0.0 if moved_at is None else moved_at + IDLE_AHEAD_S - loop.time()
            if wait > 0:                        # the reader is moving this explorer: only it draws ahead
                if explorer in _waiting and not explorer.draw_ahead():
                    _waiting.remove(explorer)
                if explorer not in _waiting:    # nothing left for it: the others once the reader pauses
                    delay = max(wait, AHEAD_DELAY_S)
            while wait <= 0 and _waiting:
                explorer = _waiting[-1]
                if explorer.draw_ahead():
                    break
                _waiting.pop()
    except Exception:                       # not the plot (its errors are shown as output): a bug
        if explorer in _waiting:
            _waiting.remove(explorer)
        raise
    finally:
        if _waiting:
            _scheduled = (loop, loop.call_later(delay, _draw_ahead_step, loop))


def _frame_indices(count, default, cap=MAX_FRAMES):
    """At most ``cap`` evenly spread positions out of ``count``, always with ``default``."""
    if count <= cap:
        return list(range(count))
    picks = sorted({round(k * (count - 1) / (cap - 1)) for k in range(cap)})
    if default not in picks:
        # Swap in the default for its nearest pick, keeping both ends.
        nearest = min(picks[1:-1], key=lambda i: (abs(i - default), i))
        picks[picks.index(nearest)] = default
        picks.sort()
    return picks


_STATIC_TEMPLATE = """\
<div class="explorer-static" id="{id}" data-explorer-title="{title}" data-explorer-main="{main}" \
data-explorer-frames="{count}" style="margin: 0.5em 0;">
<p class="explorer-title" style="margin: 0 0 0.25em;"><strong>{title}</strong></p>
<img class="explorer-frame" src="{src}" alt="{alt}" width="{width}" height="{height}" \
style="max-width: 100%; height: auto;">
<div class="explorer-controls" style="display: flex; align-items: center; gap: 1em; flex-wrap: wrap;">
<input class="explorer-slider" id="{id}-slider" type="range" min="0" max="{last}" step="1" value="{index}" \
autocomplete="off" aria-label="{label}" aria-valuetext="{text}" style="flex: 1 1 16em; max-width: 32em;">
<output class="explorer-value" for="{id}-slider" aria-live="polite">{text}</output>
</div>
<p class="explorer-note" style="margin: 0.25em 0 0; font-size: 0.85em; opacity: 0.8;">{note}</p>
<script type="application/json" class="explorer-frames">{frames}</script>
<script>{script}</script>
</div>"""

# Flip between the precomputed frames as the range input moves (mouse, touch or arrow keys).
_SCRIPT = """
(function () {
  var root = document.getElementById(ID);
  if (!root) { return; }
  var frames = JSON.parse(root.querySelector("script.explorer-frames").textContent);
  var img = root.querySelector("img.explorer-frame");
  var slider = root.querySelector("input.explorer-slider");
  var value = root.querySelector("output.explorer-value");
  function show() {
    var frame = frames[Number(slider.value)];
    img.src = frame.src;
    img.alt = frame.alt;
    value.textContent = frame.text;
    slider.setAttribute("aria-valuetext", frame.text);
  }
  slider.addEventListener("input", show);
  slider.addEventListener("change", show);
  show();
  root.setAttribute("data-explorer-ready", "true");
})();
"""
