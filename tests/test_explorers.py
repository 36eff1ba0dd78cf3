"""Tests of explorers.py: the static HTML fallback, the live widget, validation."""

import matplotlib

matplotlib.use("Agg")

import asyncio  # noqa: E402
import base64  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import weakref  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402
from PIL import Image  # noqa: E402

import explorers  # noqa: E402
import landscapes  # noqa: E402
import plotting  # noqa: E402
from explorers import Dropdown, Slider, explore  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")   # a notebook must never show a warning

ROOT = Path(__file__).resolve().parent.parent
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

class Recorder:
    """A small plot function that depends on every control and records its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, **values):
        self.calls.append(values)
        slope = sum(v for v in values.values() if not isinstance(v, str))
        fig = Figure(figsize=(2.0, 1.5))
        ax = fig.subplots()
        ax.plot([0, 1], [0, slope], color="C1" if values.get("opt") == "AdaGrad" else "C0")
        ax.set_ylim(0, 12)
        return fig


def lr_slider(**kwargs):
    return Slider("lr", 0.05, 2.5, 0.05, **{"value": 0.5, "label": "learning rate η", **kwargs})


def opt_menu():
    return Dropdown("opt", ["GD", "AdaGrad"], value="GD", label="optimizer")


class Page(HTMLParser):
    """The static fallback parsed: its elements by CSS class, and the frames' JSON."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.by_class, self.scripts, self._in_script = {}, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs)}
        for name in (element.get("class") or "").split():
            self.by_class.setdefault(name, []).append(element)
        if tag == "script":
            self._in_script = element
            self.scripts.append([element, ""])
        self._text_target = element if tag in ("output", "p") else None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data
        elif getattr(self, "_text_target", None) is not None:
            self._text_target["text"] = self._text_target.get("text", "") + data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None
        self._text_target = None

    def one(self, cls):
        found = self.by_class.get(cls, [])
        assert len(found) == 1, f"expected one element of class {cls}, found {len(found)}"
        return found[0]

    @property
    def frames(self):
        (text,) = [body for attrs, body in self.scripts if attrs.get("class") == "explorer-frames"]
        return json.loads(text)


# ---------------------------------------------------------------------------
# The static fallback
# ---------------------------------------------------------------------------

def test_static_html_has_one_frame_per_value_and_the_documented_structure():
    e = explore(Recorder(), Slider("k", 0, 10, 1, value=3), title="Eleven values")
    page = Page(e.html)
    root = page.one("explorer-static")
    assert root["tag"] == "div" and root["data-explorer-title"] == "Eleven values"
    assert root["data-explorer-main"] == "k" and root["data-explorer-frames"] == "11"
    assert len(page.frames) == 11
    assert page.one("explorer-frame")["tag"] == "img"
    slider = page.one("explorer-slider")
    assert (slider["tag"], slider["type"], slider["min"], slider["max"], slider["step"]) == (
        "input", "range", "0", "10", "1")
    assert page.one("explorer-value")["tag"] == "output"
    # A single inline script besides the JSON data: no external source, no CDN.
    code = [(attrs, body) for attrs, body in page.scripts if attrs.get("class") != "explorer-frames"]
    assert len(code) == 1 and "src" not in code[0][0]
    assert f'document.getElementById("{root["id"]}")' in code[0][1]
    assert "http" not in e.html


def test_frames_are_capped_evenly_and_always_include_the_default():
    e = explore(Recorder(), Slider("lr", 0, 100, 1, value=37), title="Capped")
    values = e.frame_values()
    assert len(Page(e.html).frames) == len(values) == explorers.MAX_FRAMES
    assert values[0] == 0 and values[-1] == 100 and 37 in values
    assert values == sorted(set(values))
    gaps = np.diff(values)
    assert gaps.max() <= 2 * gaps.min() + 1            # evenly spread, up to the swapped-in default


def test_frame_indices_for_every_default():
    for count in (1, 2, 25, 26, 99, 1000):
        for default in {d for d in (0, 1, count // 3, count - 2, count - 1) if 0 <= d < count}:
            picks = explorers._frame_indices(count, default)
            assert picks == sorted(set(picks)) and default in picks
            assert picks[0] == 0 and picks[-1] == count - 1
            assert len(picks) == min(count, explorers.MAX_FRAMES)


def test_frames_differ_when_the_plot_depends_on_the_main_control():
    e = explore(Recorder(), lr_slider(), opt_menu(), main="lr", title="Differ")
    sources = [f["src"] for f in Page(e.html).frames]
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert len(set(sources)) == len(sources)


def test_the_default_frame_is_shown_first_with_its_label():
    e = explore(Recorder(), lr_slider(), opt_menu(), main="lr", title="Default first")
    page = Page(e.html)
    values = e.frame_values()
    index = values.index(0.5)
    slider, img, value = page.one("explorer-slider"), page.one("explorer-frame"), page.one("explorer-value")
    assert slider["value"] == str(index)
    assert img["src"] == page.frames[index]["src"]
    assert value["text"] == page.frames[index]["text"] == "learning rate η = 0.50"
    assert slider["aria-valuetext"] == "learning rate η = 0.50"
    assert img["alt"] == "Default first: learning rate η = 0.50, optimizer = GD"


def test_each_frame_label_matches_its_value_and_others_stay_at_defaults():
    plot = Recorder()
    e = explore(plot, lr_slider(), opt_menu(), main="lr", title="Labels")
    frames = Page(e.html).frames
    assert [f["text"] for f in frames] == [f"learning rate η = {v:.2f}" for v in e.frame_values()]
    # The frame at position i was drawn with lr = frame_values()[i], exactly a grid value.
    assert sorted(c["lr"] for c in plot.calls) == e.frame_values()
    assert {c["opt"] for c in plot.calls} == {"GD"}
    assert 0.2 in e.frame_values() or 0.25 in e.frame_values()      # no 0.20000000000000004


def test_a_dropdown_can_be_the_main_control():
    plot = Recorder()
    e = explore(plot, lr_slider(), opt_menu(), main="opt", title="Menu main")
    page = Page(e.html)
    assert [f["text"] for f in page.frames] == ["optimizer = GD", "optimizer = AdaGrad"]
    assert page.one("explorer-slider")["max"] == "1"
    assert {c["lr"] for c in plot.calls} == {0.5}


def test_integer_slider_values_and_labels():
    plot = Recorder()
    e = explore(plot, Slider("lr", 1, 3, 1, value=2, label="k"), title="Ints")
    assert e.frame_values() == [1, 2, 3] and all(type(c["lr"]) is int for c in plot.calls)
    assert [f["text"] for f in Page(e.html).frames] == ["k = 1", "k = 2", "k = 3"]


def test_the_note_says_static_and_names_the_live_notebook():
    with_others = Page(explore(Recorder(), lr_slider(), opt_menu(), title="Note").html)
    note = with_others.one("explorer-note")["text"]
    assert note.startswith("Static version") and "live notebook has all controls" in note
    assert "optimizer = GD" in note and "\n" not in note
    alone = Page(explore(Recorder(), lr_slider(), title="Alone").html).one("explorer-note")["text"]
    assert alone.startswith("Static version") and "live notebook" in alone


def test_titles_are_escaped_and_cannot_end_the_script_early():
    title = 'A "tricky" </script><b> title & more'
    e = explore(Recorder(), Slider("lr", 0, 1, 1), title=title)
    page = Page(e.html)
    assert page.one("explorer-static")["data-explorer-title"] == title
    assert e.html.count("</script>") == 2
    assert page.frames[0]["alt"].startswith(title)


def test_figures_are_closed():
    plt.close("all")

    def plot(lr):
        fig, ax = plt.subplots()
        ax.plot([0, lr])
        return fig

    e = explore(plot, Slider("lr", 0, 2, 1), title="Closed")
    e.controls["lr"].value = 2
    assert plt.get_fignums() == []


# ---------------------------------------------------------------------------
# Determinism, ids and size
# ---------------------------------------------------------------------------

def test_html_is_identical_across_renders():
    e = explore(Recorder(), lr_slider(), opt_menu(), title="Same")
    assert e._repr_mimebundle_()["text/html"] == e._repr_mimebundle_()["text/html"] == e.html
    again = explore(Recorder(), lr_slider(), opt_menu(), title="Same")
    assert Page(again.html).frames == Page(e.html).frames        # same pixels, byte for byte


def test_html_is_identical_in_two_fresh_processes():
    """What nbval sees: a notebook run twice from the top gives the same output bytes."""
    script = textwrap.dedent("""
        import hashlib, matplotlib
        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from explorers import Slider, explore
        def plot(a):
            fig = Figure(figsize=(2, 1.5)); fig.subplots().plot([0, 1], [0, a]); return fig
        for title in ["First", "Second", "First"]:
            e = explore(plot, Slider("a", 0, 3, 1), title=title)
            print(e.id, hashlib.sha256(e.html.encode()).hexdigest())
    """)
    runs = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                           check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].stderr == ""
    ids = [line.split()[0] for line in runs[0].stdout.splitlines()]
    assert len(set(ids)) == 3                                   # unique on one page, even for a repeated title


def test_ids_are_unique_and_derived_from_the_title():
    a = explore(Recorder(), Slider("lr", 0, 1, 1), title="Twin")
    b = explore(Recorder(), Slider("lr", 0, 1, 1), title="Twin")
    c = explore(Recorder(), Slider("lr", 0, 1, 1), title="Other")
    assert len({a.id, b.id, c.id}) == 3
    assert b.id.startswith(a.id) and a.id.startswith("explorer-")
    for e in (a, b, c):
        assert Page(e.html).one("explorer-static")["id"] == e.id


def _noise_plot(size_inches):
    """Random grey pixels: a figure no PNG can compress, of size_inches, drawn edge to edge.

    Grey, so that its 256 colours make the palette PNG exact and quick to compute."""
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (round(100 * size_inches[1]), round(100 * size_inches[0]), 1), dtype=np.uint8)
    image = np.repeat(grey, 3, axis=-1)

    def plot(k):
        fig = Figure(figsize=size_inches)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(np.roll(image, k, axis=0), interpolation="nearest", aspect="auto")
        ax.set_axis_off()
        return fig

    return plot


def test_a_huge_figure_raises_the_size_error_naming_the_explorer():
    with pytest.raises(ValueError, match=r"Explorer 'Far too big': its static version is [\d.]+ MB, "
                                         r"over the 1\.5 MB limit \(5 frames at 50 dpi\); "
                                         r"need a smaller or simpler figure, or fewer values of 'k'"):
        explore(_noise_plot((12, 12)), Slider("k", 0, 4, 1), title="Far too big")


def test_a_large_figure_gets_a_lower_dpi_to_fit():
    e = explore(_noise_plot((4, 4)), Slider("k", 0, 9, 1), title="Lowered DPI")
    assert explorers.MIN_FRAME_DPI <= e.frame_dpi < explorers.FRAME_DPI
    assert len(e.html.encode()) <= explorers.MAX_STATIC_BYTES
    # The page still shows it at the figure's own size (4 in = 400 CSS px).
    img = Page(e.html).one("explorer-frame")
    assert (img["width"], img["height"]) == ("400", "400")


def test_a_small_figure_keeps_the_full_dpi():
    e = explore(Recorder(), lr_slider(), title="Full DPI")
    assert e.frame_dpi == explorers.FRAME_DPI


# ---------------------------------------------------------------------------
# The mime bundle and the live widget
# ---------------------------------------------------------------------------

def test_mime_bundle_has_widget_html_and_a_one_line_description():
    e = explore(Recorder(), lr_slider(), opt_menu(), main="lr", title="Bundle")
    bundle = e._repr_mimebundle_()
    assert set(bundle) == {WIDGET_MIME, "text/html", "text/plain"}
    assert bundle[WIDGET_MIME]["model_id"] == e.widget.model_id
    assert bundle[WIDGET_MIME]["version_major"] == 2
    assert bundle["text/html"] == e.html
    plain = bundle["text/plain"]
    assert plain == ("Explorer 'Bundle': lr in [0.05, 2.5] (main, 25 static frames), "
                     "opt in {GD, AdaGrad}")
    assert "\n" not in plain and "VBox" not in plain and "interactive" not in plain
    assert repr(e) == plain


@pytest.fixture
def few_static_frames(monkeypatch):
    """Explorers made with 3 static frames: these tests are about the live figures. And nothing
    left by an earlier test: waiting to be drawn ahead, or moved last (which would make the
    others wait for a pause)."""
    monkeypatch.setattr(explorers, "MAX_FRAMES", 3)
    monkeypatch.setattr(explorers, "_waiting", [])
    monkeypatch.setattr(explorers, "_scheduled", None)
    monkeypatch.setattr(explorers, "_moved", (None, None))
    monkeypatch.setattr(explorers, "_collection_held", None)
    yield
    gc.enable()                   # as pytest runs: not left paused by a test whose event loop closed first


def show(e):
    """Do what a frontend does when it displays the widget: count a view of the Output."""
    e.output._view_count = (e.output._view_count or 0) + 1
    return e


def test_the_live_figure_is_drawn_when_the_widget_is_first_shown(few_static_frames):
    plot = Recorder()
    e = explore(plot, lr_slider(), opt_menu(), title="Live")
    plot.calls.clear()
    assert e.output.outputs == () and plot.calls == []    # nothing extra stored by a headless run
    show(e)
    show(e)                                                # a second view draws nothing new
    (out,) = e.output.outputs
    assert out["output_type"] == "display_data" and out["data"]["image/png"]
    assert out["metadata"]["image/png"] == {"width": 200, "height": 150}
    assert plot.calls == [{"lr": 0.5, "opt": "GD"}]
    lr = e.controls["lr"]
    assert (lr.min, lr.max, lr.step, lr.value, lr.description) == (0.05, 2.5, 0.05, 0.5, "learning rate η")
    assert lr.continuous_update is False           # redraw on release, not on every pixel
    assert (e.controls["opt"].label, e.controls["opt"].description) == ("GD", "optimizer")
    assert [label for label, _ in e.controls["opt"].options] == ["GD", "AdaGrad"]

def test_a_live_png_drops_the_alpha_channel_only_when_every_pixel_is_opaque():
    pixels = np.random.default_rng(0).integers(0, 256, (30, 40, 4), dtype=np.uint8)
    opaque = pixels.copy()
    opaque[..., 3] = 255
    pixels[0, 0, 3] = 254                                   # one pixel not quite opaque
    for rgba, mode in ((opaque, "RGB"), (pixels, "RGBA")):
        image = Image.fromarray(rgba, "RGBA")
        shown = Image.open(io.BytesIO(explorers.Explorer._png(image)))
        assert shown.mode == mode
        assert shown.convert("RGBA").tobytes() == image.tobytes()   # lossless either way



def test_a_live_png_of_a_book_figure_is_lossless_and_hardly_larger_than_pillows():
    """explorers._quick_png stores rows unfiltered, where Pillow tries a filter per row, and
    deflates them with ISA-L, quicker than zlib: on a figure of the book (contours, paths, a
    legend, a loss curve) that costs at most 15% more bytes than Pillow's quickest level."""
    from landscapes import Quadratic
    from optimizers import GradientDescent, Momentum, run

    landscape = Quadratic(condition=10)
    runs = {name: run(opt, landscape, [-4.0, 2.0], steps=40)
            for name, opt in (("GD", GradientDescent(lr=0.15)), ("Momentum", Momentum(lr=0.15)))}
    fig, (left, right) = plotting.figure(ncols=2)
    plotting.trajectories(landscape, runs, ax=left)
    plotting.loss_curves(runs, ax=right)
    fig.set_dpi(explorers.LIVE_DPI)
    image = explorers._NewFigures(lambda: fig, explorers.LIVE_DPI).image({})[0]
    png = explorers.Explorer._png(image)
    assert png == explorers.Explorer._png(image)                        # the same bytes every time
    shown = Image.open(io.BytesIO(png))
    assert shown.mode == "RGB" and shown.convert("RGBA").tobytes() == image.tobytes()
    pillow = io.BytesIO()
    image.convert("RGB").save(pillow, format="PNG", compress_level=1)
    assert len(png) <= 1.15 * len(pillow.getvalue())


def test_the_live_widget_redraws_when_a_control_is_set(few_static_frames):
    plot = Recorder()
    e = show(explore(plot, lr_slider(), opt_menu(), title="Redraw"))
    before = e.output.outputs[0]["data"]["image/png"]
    e.controls["lr"].value = 1.0
    after = e.output.outputs[0]["data"]["image/png"]
    assert plot.calls[-1] == {"lr": 1.0, "opt": "GD"} and after != before
    assert "learning rate η = 1.00" in e.output.outputs[0]["data"]["text/plain"]
    e.controls["opt"].value = "AdaGrad"
    assert plot.calls[-1] == {"lr": 1.0, "opt": "AdaGrad"}
    assert e.output.outputs[0]["data"]["image/png"] != after
    assert len(e.output.outputs) == 1


def test_the_live_widget_passes_grid_values(few_static_frames):
    plot = Recorder()
    e = explore(plot, lr_slider(), title="Snap")
    e.controls["lr"].value = 0.15000000000000002    # what a browser slider may send
    assert plot.calls[-1]["lr"] == 0.15


def test_an_error_while_drawing_fails_the_cell_at_once():
    def plot(lr):
        if lr > 1:
            raise RuntimeError("diverged beyond repair")
        return Recorder()(lr=lr)

    with pytest.raises(RuntimeError, match="diverged beyond repair"):
        explore(plot, lr_slider(), title="Static error")


def test_an_error_while_live_is_shown_in_the_output_not_raised(few_static_frames):
    broken = []

    def plot(lr):
        if broken:
            raise RuntimeError("diverged beyond repair")
        return Recorder()(lr=lr)

    e = explore(plot, lr_slider(), title="Live error")
    e.widget
    broken.append(True)
    e.controls["lr"].value = 2.0
    (out,) = e.output.outputs
    assert out["output_type"] == "stream" and out["name"] == "stderr"
    assert "RuntimeError: diverged beyond repair" in out["text"]
    broken.clear()
    e.controls["lr"].value = 1.0                   # the next setting draws again, in a new figure
    assert e.output.outputs[0]["output_type"] == "display_data"


# ---------------------------------------------------------------------------
# Live: figures kept, and drawn ahead while the reader pauses
# ---------------------------------------------------------------------------

def small_slider():
    return Slider("lr", 0.1, 1.0, 0.1, value=0.5, label="learning rate η")     # 10 values


def test_a_setting_seen_before_is_shown_again_without_drawing(few_static_frames, monkeypatch):
    plot = Recorder()
    e = show(explore(plot, small_slider(), opt_menu(), title="Kept frames"))
    first = e.output.outputs[0]
    plot.calls.clear()
    e.controls["lr"].value = 1.0
    e.controls["lr"].value = 0.5                   # back to the first setting: not drawn again
    assert plot.calls == [{"lr": 1.0, "opt": "GD"}]
    assert e.output.outputs[0] == first
    assert e not in explorers._waiting             # no event loop here, so nothing is drawn ahead
    monkeypatch.setattr(explorers, "LIVE_FRAMES", 2)
    for lr in (0.8, 0.9, 1.0, 0.9):                # only the last two are kept: 1.0 is drawn again
        e.controls["lr"].value = lr
    assert [c["lr"] for c in plot.calls] == [1.0, 0.8, 0.9, 1.0]
    assert list(e._frames) == [(("lr", 1.0), ("opt", "GD")), (("lr", 0.9), ("opt", "GD"))]


def test_drawing_ahead_takes_one_step_of_every_control_then_the_main_control_nearest_first(few_static_frames):
    plot = Recorder()
    e = show(explore(plot, small_slider(), opt_menu(), title="Ahead"))
    e.controls["opt"].value = "AdaGrad"
    e.controls["lr"].value = 0.2
    plot.calls.clear()
    while e.draw_ahead():
        pass
    assert plot.calls[:3] == [{"lr": 0.1, "opt": "AdaGrad"}, {"lr": 0.3, "opt": "AdaGrad"},
                              {"lr": 0.2, "opt": "GD"}]     # one step of each control: the menu's other choice
    lrs = [c["lr"] for c in plot.calls[3:]]
    assert all(c["opt"] == "AdaGrad" for c in plot.calls[3:])
    assert lrs[:2] == [0.4, 0.6]                   # then the main control, nearest first; 0.5 was drawn
    assert sorted(lrs) == [v for v in small_slider().values() if v not in (0.1, 0.2, 0.3, 0.5)]   # once each
    plot.calls.clear()
    e.controls["opt"].value = "GD"                 # one step of the menu, drawn ahead: shown at once
    e.controls["opt"].value = "AdaGrad"
    e.controls["lr"].value = 1.0                   # the main control, drawn ahead: shown at once
    assert plot.calls == [] and "learning rate η = 1.0" in e.output.outputs[0]["data"]["text/plain"]
    e.controls["opt"].value = "GD"                 # not drawn ahead at lr = 1.0: drawn now, then ahead from here
    assert plot.calls == [{"lr": 1.0, "opt": "GD"}]
    assert e.draw_ahead() and plot.calls[-1] == {"lr": 0.9, "opt": "GD"}
    assert e.draw_ahead() and plot.calls[-1] == {"lr": 0.8, "opt": "GD"}   # at the end: its two nearest
    assert e.draw_ahead() and plot.calls[-1] == {"lr": 0.7, "opt": "GD"}   # the menu's step is kept: skipped


def test_the_settings_ahead_are_one_step_of_each_control_then_the_main_control_nearest_first(few_static_frames):
    e = explore(Recorder(), Slider("a", 0, 4, 1, value=2, label="a"), small_slider(),
                Dropdown("opt", ["GD", "AdaGrad", "Adam"], value="GD", label="optimizer"), main="lr",
                title="Ahead, in order")
    here = {"a": 0, "lr": 0.5, "opt": "AdaGrad"}
    assert e.ahead(here) == [
        {**here, "lr": 0.4}, {**here, "lr": 0.6},                      # the main control's step either way
        {**here, "a": 1},                                              # a is at its lower end: one way only
        {**here, "opt": "GD"}, {**here, "opt": "Adam"},                # the menu's previous and next choices
        *({**here, "lr": lr} for lr in (0.3, 0.7, 0.2, 0.8, 0.1, 0.9, 1.0))]   # nearest first, lower on a tie
    at_end = {"a": 4, "lr": 1.0, "opt": "Adam"}
    assert [s["lr"] for s in e.ahead(at_end)[:2]] == [0.9, 0.8]        # at its end: the two nearest
    assert e.ahead(at_end)[2:4] == [{**at_end, "a": 3}, {**at_end, "opt": "AdaGrad"}]
    assert len(e.ahead(at_end)) == 9 + 1 + 1
    assert all(s != at_end for s in e.ahead(at_end))                   # never the setting itself


def test_drawing_ahead_keeps_no_more_than_it_can_keep(few_static_frames, monkeypatch):
    monkeypatch.setattr(explorers, "LIVE_FRAMES", 5)
    plot = Recorder()
    e = show(explore(plot, small_slider(), title="Ahead, bounded"))
    plot.calls.clear()
    while e.draw_ahead():
        pass
    assert [c["lr"] for c in plot.calls] == [0.4, 0.6, 0.3]       # with 0.5, the 4 nearest values
    assert len(e._frames) == 4


def test_a_figure_drawn_ahead_is_the_one_a_new_figure_gives(few_static_frames):
    plot = KeptPlot(autoscale=True)                # the right panel's limits follow its data
    e = show(explore(plot, small_slider(), opt_menu(), title="Ahead pixels"))
    for _ in range(3):                             # 0.4, 0.6, 0.3, in that order
        assert e.draw_ahead()
    e.controls["lr"].value = 0.3                   # drawn ahead: the figure kept for it
    shown = Image.open(io.BytesIO(base64.b64decode(e.output.outputs[0]["data"]["image/png"])))
    new, _ = explorers._NewFigures(plot, explorers.LIVE_DPI).image({"lr": 0.3, "opt": "GD"}, like=e._live.fig)
    assert shown.convert("RGBA").tobytes() == new.tobytes()


async def _until(condition, timeout=20.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.005)


def test_in_a_running_event_loop_figures_are_drawn_ahead_between_moves(few_static_frames, monkeypatch):
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    plot = Recorder()

    async def reader():
        e = explore(plot, small_slider(), title="In a kernel")
        plot.calls.clear()
        show(e)                                    # as in a kernel: its event loop is running
        assert explorers._waiting == [e] and explorers._scheduled is not None and plot.calls == []
        await _until(lambda: e.output.outputs)     # the first figure: the chain's first step
        assert plot.calls == [{"lr": 0.5}]
        await _until(lambda: len(plot.calls) >= 3)  # the reader pauses: the loop draws ahead
        drawn = len(plot.calls)
        e.controls["lr"].value = 1.0               # a move meanwhile: drawn, then ahead from there
        assert plot.calls[drawn] == {"lr": 1.0}
        await _until(lambda: explorers._scheduled is None)   # every value drawn, then it stops
        return e, drawn

    e, drawn = asyncio.run(reader())
    assert plot.calls[drawn + 1] == {"lr": 0.9}
    assert sorted(c["lr"] for c in plot.calls) == small_slider().values()   # each value once
    assert explorers._waiting == [] and not e.draw_ahead()



def test_the_garbage_collector_waits_while_a_figure_is_drawn_unless_the_reader_paused_it(few_static_frames):
    enabled = []

    def plot(lr):
        enabled.append(gc.isenabled())
        if lr == 2.0:
            raise ValueError("no figure for this one")
        return Recorder()(lr=lr)

    e = show(explore(plot, lr_slider(), title="Collector"))
    assert enabled[-1] is False and gc.isenabled()     # the first figure
    for lr in (1.0, 2.0):                                # a figure, and a plot that fails
        e.controls["lr"].value = lr
        assert enabled[-1] is False and gc.isenabled()
    gc.disable()                                         # the reader's own code pauses it: left so
    try:
        e.controls["lr"].value = 1.5
        assert enabled[-1] is False and not gc.isenabled()
    finally:
        gc.enable()


def test_in_a_kernel_the_garbage_collector_goes_again_only_a_while_after_the_last_figure_shown(
        few_static_frames, monkeypatch):
    """With an event loop running, a collection (which holds the interpreter lock throughout)
    must not start before the kernel's IOPub thread has sent the figure: the collector goes
    again AHEAD_DELAY_S after the last figure shown, however many come meanwhile."""
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.05)

    async def reader():
        loop = asyncio.get_running_loop()
        e = show(explore(Recorder(), small_slider(), title="Collector in a kernel"))
        await _until(lambda: e.output.outputs)          # the first figure, a step of the chain
        moves = []
        for lr in (1.0, 0.9, 0.8):
            e.controls["lr"].value = lr
            moves.append(loop.time())
            assert not gc.isenabled()                    # the figure is on its way
            await asyncio.sleep(0.02)                    # less than AHEAD_DELAY_S: still held
        await _until(gc.isenabled)
        return loop.time() - moves[-1]

    after_last = asyncio.run(reader())
    assert after_last >= 0.05 and explorers._collection_held is None

def test_the_explorer_moved_last_draws_ahead_first_one_figure_at_a_time(few_static_frames, monkeypatch):
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    monkeypatch.setattr(explorers, "IDLE_AHEAD_S", 0.05)
    calls = []

    def plot(lr, opt="GD"):
        calls.append(opt)
        return Recorder()(lr=lr)

    async def reader():
        first = explore(plot, small_slider(), Dropdown("opt", ["first"]), title="First")
        second = explore(plot, small_slider(), Dropdown("opt", ["second"]), title="Second")
        calls.clear()
        show(first)
        show(second)
        await _until(lambda: len(calls) >= 4)
        assert calls[:2] == ["first", "second"]    # the first figures, in the order shown
        del calls[:2]
        first.controls["lr"].value = 0.1           # the reader moves the first one: its turn now
        await _until(lambda: explorers._scheduled is None)

    asyncio.run(reader())
    k = calls.index("first")                       # the second explorer (shown last) drew k figures ahead,
    assert k >= 2 and calls == ["second"] * k + ["first"] * 9 + ["second"] * (9 - k)   # then the first
    assert explorers._waiting == []


async def _shown_with_first_figures(plot, names, calls):
    """Explorers of ``plot(lr, name)``, one per name, shown, once each has its first figure
    (``calls``, the list ``plot`` records into, is emptied of their static frames first)."""
    shown = [explore(plot, small_slider(), Dropdown("name", [n]), title=n) for n in names]
    calls.clear()                                      # the static frames
    for e in shown:
        show(e)
    await _until(lambda: len(calls) >= len(shown))
    return shown


def test_while_the_reader_moves_one_explorer_the_others_draw_ahead_only_after_a_pause(few_static_frames,
                                                                                    monkeypatch):
    """A figure being drawn cannot be interrupted: figures drawn ahead for an explorer the reader
    is not using would make every move of the one they are using wait."""
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    monkeypatch.setattr(explorers, "IDLE_AHEAD_S", 0.3)
    calls = []

    def plot(lr, name):
        calls.append((name, lr, asyncio.get_running_loop().time()))
        return Recorder()(lr=lr)

    async def reader():
        used, other = await _shown_with_first_figures(plot, "uo", calls)
        moves = []
        for value in (0.6, 0.7):                           # two moves, 0.1 s apart
            moves.append(asyncio.get_running_loop().time())   # (before the move: the explorer notes it after)
            used.controls["lr"].value = value
            await asyncio.sleep(0.1)
        await _until(lambda: explorers._scheduled is None)
        return moves

    moves = asyncio.run(reader())
    after = [call for call in calls if call[2] >= moves[0]]   # (before the move, nobody was in use)
    other_at = next(t for name, _, t in after if name == "o")
    assert other_at >= moves[-1] + 0.3 - 1e-3                 # the other only after a pause,
    in_use = {v for name, v, t in calls if name == "u" and t < other_at}
    assert in_use == set(small_slider().values())             # the one in use all drawn by then
    assert sorted((n, v) for n, v, _ in calls) == [(n, v) for n in "ou" for v in small_slider().values()]


def test_a_move_during_the_wait_for_a_pause_draws_ahead_at_once(few_static_frames, monkeypatch):
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    monkeypatch.setattr(explorers, "IDLE_AHEAD_S", 60.0)  # the others wait a minute
    calls = []

    def plot(lr, name):
        calls.append(name)
        return Recorder()(lr=lr)

    async def reader():
        first, second = await _shown_with_first_figures(plot, "ab", calls)
        first.controls["lr"].value = 0.1
        drawn_for_b = calls.count("b")
        await _until(lambda: calls.count("a") == 10)        # its first figure, the move and 8 more
        await asyncio.sleep(0.05)
        assert calls.count("b") == drawn_for_b              # the other waits for the pause
        second.controls["lr"].value = 0.1                   # the reader moves to it meanwhile
        await _until(lambda: calls.count("b") == 10, timeout=10.0)   # now, not in a minute
        explorers._scheduled[1].cancel()                    # nothing left to wait for but the pause
        explorers._scheduled = None

    asyncio.run(reader())


def test_in_a_kernel_every_first_figure_comes_before_any_drawn_ahead_and_a_move_waits_for_one(
        few_static_frames, monkeypatch):
    """After "Run All" a frontend shows every explorer at once: each gets its first figure, one
    per step of the event loop, before anything is drawn ahead, and a move goes first."""
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    monkeypatch.setattr(explorers, "IDLE_AHEAD_S", 0.1)
    calls, moves, seen_by_the_move = [], [], []

    def plot(lr, name):
        calls.append((name, lr))
        if moves:                                  # the first figure drawn: the reader moves next, before
            asyncio.get_running_loop().call_soon(moves.pop())   # the chain's next step, however busy the machine
        return Recorder()(lr=lr)

    async def reader():
        shown = [explore(plot, small_slider(), Dropdown("name", [name]), title=name) for name in "abc"]
        calls.clear()

        def move():                                # a move after the first figure: drawn at once
            shown[2].controls["lr"].value = 0.9
            seen_by_the_move.extend(calls)

        moves.append(move)
        for e in shown:
            show(e)
        assert calls == [] and explorers._waiting == shown
        await _until(lambda: explorers._scheduled is None)

    asyncio.run(reader())
    assert seen_by_the_move == [("a", 0.5), ("c", 0.9)]
    assert calls[2:4] == [("b", 0.5), ("c", 0.8)]  # b's first figure, then ahead from the move
    assert sorted(calls) == [(n, v) for n in "abc" for v in small_slider().values()]   # each once


def test_a_move_from_another_thread_is_drawn_in_the_thread_that_made_the_widget(few_static_frames,
                                                                               monkeypatch):
    """As in JupyterLab 4.4+, whose widget messages reach the kernel in a subshell, a thread
    with its own event loop, while the main thread draws ahead: matplotlib is not thread-safe."""
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    plot, threads = Recorder(), []

    def recording(**values):
        threads.append(threading.current_thread())
        return plot(**values)

    async def subshell(e):
        e.controls["lr"].value = 0.9             # the frontend's message, handled in this thread

    async def reader():
        e = explore(recording, small_slider(), title="Threads")
        plot.calls.clear()
        show(e)
        await _until(lambda: len(plot.calls) >= 3)   # drawing ahead in this (the main) thread
        other = threading.Thread(target=asyncio.run, args=(subshell(e),))
        other.start()
        other.join()
        await _until(lambda: "learning rate η = 0.9" in e.output.outputs[0]["data"]["text/plain"])
        await _until(lambda: explorers._scheduled is None)

    asyncio.run(reader())
    assert set(threads) == {threading.main_thread()}
    assert sorted(c["lr"] for c in plot.calls) == small_slider().values()   # each value once


def test_an_explorer_no_longer_shown_lets_go_of_its_figures_and_draws_nothing_until_shown_again(
        few_static_frames, monkeypatch):
    """A cell run again: the frontend removes the old widget's view (its _view_count drops to 0).
    ipywidgets keeps the widget, and so the explorer, alive: what it kept must go."""
    monkeypatch.setattr(explorers, "AHEAD_DELAY_S", 0.001)
    plot = Recorder()

    async def reader():
        e = explore(plot, small_slider(), title="Hidden")
        plot.calls.clear()
        show(e)
        await _until(lambda: len(plot.calls) >= 3)
        e.output._view_count = 0                  # the view is gone
        await _until(lambda: explorers._scheduled is None)
        hidden = len(plot.calls)
        await asyncio.sleep(0.05)
        assert len(plot.calls) == hidden and explorers._waiting == []
        assert not e._frames and e._live is None
        assert e.output.outputs                   # the figure last shown stays in the Output area
        show(e)                                   # shown again: every value drawn anew
        await _until(lambda: explorers._scheduled is None)
        return e, hidden

    e, hidden = asyncio.run(reader())
    assert 3 <= hidden < len(small_slider().values())
    assert sorted(c["lr"] for c in plot.calls[hidden:]) == small_slider().values()
    assert len(e._frames) == len(small_slider().values())


def test_the_figure_of_an_explorer_no_longer_shown_is_freed_but_not_while_a_view_remains(few_static_frames):
    plot = KeptPlot()
    e = show(show(explore(plot, small_slider(), title="Two views")))   # e.g. a second view of the output
    e.controls["lr"].value = 0.9
    kept = weakref.ref(e._live.fig)
    plot.given.clear()
    e.output._view_count = 1                      # one view gone, one left
    assert len(e._frames) == 2 and e._live.fig is kept()
    e.output._view_count = 0                      # the last one gone
    gc.collect()
    assert not e._frames and e._live is None and kept() is None


@pytest.fixture
def kernel():
    """A real kernel (ipykernel, started with jupyter_client) in the repository: yields
    ``(run, client)``, where ``run(code)`` executes code there and returns what it printed."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))

    def run(code):
        out = []
        reply = client.execute_interactive(
            textwrap.dedent(code), timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out).strip()

    try:
        yield run, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def move_on_a_subshell(client, slider, moves):
    """Send ``moves``, (value, pause in s) pairs, to the slider with model id ``slider`` over a new
    subshell, as JupyterLab 4.4 and later do (commsOverSubshells)."""
    request = client.session.msg("create_subshell_request", {})
    client.control_channel.send(request)
    reply = client.control_channel.get_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == request["header"]["msg_id"], reply
    for value, pause in moves:
        move = client.session.msg("comm_msg", {"comm_id": slider, "data": {
            "method": "update", "state": {"value": value}, "buffer_paths": []}})
        move["header"]["subshell_id"] = reply["content"]["subshell_id"]
        client.shell_channel.send(move)
        time.sleep(pause)


def test_a_jupyter_kernel_draws_ahead_once_the_widget_is_shown(kernel):
    """In a real kernel (ipykernel), between the messages it answers, as a reader pauses."""
    run, _ = kernel
    run("""
        from matplotlib.figure import Figure
        import explorers
        from explorers import Slider, explore
        explorers.MAX_FRAMES = 3      # the live figures are tested here, not the static ones

        def plot(lr):
            fig = Figure(figsize=(2, 1.5))
            fig.subplots().plot([0, 1], [0, lr])
            return fig

        e = explore(plot, Slider("lr", 0.1, 1.0, 0.1, value=0.5), title="Kernel")
        e.output._view_count = 1    # what a frontend does when it shows the widget
    """)
    for _ in range(120):
        state = run("print(len(e._frames), explorers._scheduled is None)").split()
        if state == ["10", "True"]:
            break
        time.sleep(0.25)
    assert state == ["10", "True"], f"after 30 s: {state} (frames kept, done drawing ahead)"


def test_in_a_jupyter_kernel_a_move_sent_to_a_subshell_is_drawn_in_the_main_thread(kernel):
    """What JupyterLab 4.4+ does by default (commsOverSubshells): the widgets' messages go to a
    subshell of ipykernel 7, a thread of its own. Before the fix, such a move drew into the
    figure the main thread was drawing ahead into, and the kernel aborted."""
    run, client = kernel
    run("""
        import threading
        from matplotlib.figure import Figure
        import explorers
        from explorers import Slider, explore
        explorers.MAX_FRAMES = 3
        threads = set()

        def plot(lr):
            threads.add(threading.current_thread().name)
            fig = Figure(figsize=(2, 1.5))
            fig.subplots().plot([0, 1], [0, lr])
            return fig

        e = explore(plot, Slider("lr", 0.05, 1.0, 0.05, value=0.5), title="Subshell")
        e.output._view_count = 1
    """)
    slider = run("print(e.controls['lr'].model_id)")
    move_on_a_subshell(client, slider, [(0.9, 0.05), (0.2, 0.05), (0.75, 0.05)])   # while drawing ahead
    for _ in range(120):                       # the last move may land after the others are drawn
        state = run("print(len(e._frames), explorers._scheduled is None, "
                    "e.output.outputs[0]['data']['text/plain'])")
        if state == "20 True <Figure: lr = 0.75>":
            break
        time.sleep(0.25)
    assert state == "20 True <Figure: lr = 0.75>", f"after 30 s: {state}"
    assert run("print(sorted(threads))") == "['MainThread']"


def test_in_a_jupyter_kernel_the_moves_of_a_drag_are_handled_in_the_order_sent(kernel):
    """ipykernel 7.4 sends a comm's messages to where the comm last sent from. For a new
    control that was the main shell: the first moves of a drag waited there behind a figure
    being drawn, the moves after the first echo went to the subshell and were handled before
    them, and the kernel was left at an older value than the slider's (CI, 2026-12-02)."""
    run, client = kernel
    run("""
        import time
        from matplotlib.figure import Figure
        import explorers
        from explorers import Slider, explore

        def plot(lr):
            time.sleep(0.3)                 # the main thread stays busy while the moves come
            fig = Figure(figsize=(2, 1.5))
            fig.subplots().plot([0, 1], [0, lr])
            return fig

        e = explore(plot, Slider("lr", 0.25, 1.0, 0.25, value=0.5), title="Drag")
        e.output._view_count = 1            # drawing ahead begins
    """)
    slider = run("print(e.controls['lr'].model_id)")
    time.sleep(0.1)
    # Two moves while a figure is drawn, then one while the first move's figure is drawn.
    move_on_a_subshell(client, slider, [(1.0, 0.02), (0.25, 0.5), (0.75, 0.0)])
    for _ in range(60):
        state = run("print(len(e._frames), explorers._scheduled is None, e.controls['lr'].value, "
                    "e.output.outputs[0]['data']['text/plain'])")
        if state == "4 True 0.75 <Figure: lr = 0.75>":
            break
        time.sleep(0.25)
    assert state == "4 True 0.75 <Figure: lr = 0.75>", f"after 15 s: {state}"


# ---------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------

def _plot(lr, opt="GD"):
    return Recorder()(lr=lr, opt=opt)


@pytest.mark.parametrize("make, error, message", [
    (lambda: explore(_plot, lr_slider(), opt_menu(), main="lrr", title="t"), ValueError,
     "Invalid main: 'lrr'; need the name of one of the controls: lr, opt"),
    (lambda: explore(_plot, title="t"), ValueError,
     "Invalid controls: none given; need at least one Slider or Dropdown"),
    (lambda: explore(_plot, 0.5, title="t"), TypeError,
     "Invalid control: 0.5; need a Slider or a Dropdown"),
    (lambda: explore(_plot, lr_slider(), lr_slider(), title="t"), ValueError,
     "Invalid controls: lr used twice; need distinct names"),
    (lambda: explore("plot", lr_slider(), title="t"), TypeError,
     "Invalid plot: 'plot'; need a function plot(**values) returning a matplotlib Figure"),
    (lambda: explore(_plot, lr_slider(), title=""), ValueError,
     "Invalid title: ''; need a non-empty string"),
    (lambda: explore(lambda eta: None, lr_slider(), title="t"), TypeError,
     "Invalid plot: <lambda>(eta) cannot take the controls lr; need one parameter per control name"),
    (lambda: explore(lambda lr: None, lr_slider(), title="t"), TypeError,
     "Invalid plot result for lr=0.5: NoneType; need a matplotlib Figure (does plot end with `return fig`?)"),
    (lambda: Slider("lr", 1.0, 1.0, 0.1), ValueError,
     "Invalid max for slider 'lr': 1.0; need max > min (1.0)"),
    (lambda: Slider("lr", 0.0, 1.0, 0.0), ValueError,
     "Invalid step for slider 'lr': 0.0; need step > 0"),
    (lambda: Slider("lr", 0.0, 1.0, -0.1), ValueError,
     "Invalid step for slider 'lr': -0.1; need step > 0"),
    (lambda: Slider("lr", 0.0, 1.0, float("nan")), ValueError,
     "Invalid step for slider 'lr': nan; need a finite number"),
    (lambda: Slider("lr", 0.0, 1.0, 0.1, value=1.5), ValueError,
     "Invalid value for slider 'lr': 1.5; need min <= value <= max (0.0 to 1.0)"),
    (lambda: Slider("lr", 0.0, 1.0, 0.1, value=0.33), ValueError,
     "Invalid value for slider 'lr': 0.33; need min + k * step for a whole number k (min 0.0, step 0.1)"),
    (lambda: Slider("lr", 0.0, 1.0, 0.3), ValueError,
     "Invalid max for slider 'lr': 1.0; need min + k * step for a whole number k (min 0.0, step 0.3)"),
    (lambda: Slider("lr", True, 2, 1), ValueError,
     "Invalid min for slider 'lr': True; need a finite number"),
    (lambda: Slider("learning rate", 0, 1, 1), ValueError,
     "Invalid name for slider: 'learning rate'; need a Python identifier"),
    (lambda: Dropdown("opt", []), ValueError,
     "Invalid options for dropdown 'opt': []; need at least one option"),
    (lambda: Dropdown("opt", "GD"), ValueError,
     "Invalid options for dropdown 'opt': 'GD'; need a list of values or of (text, value) pairs"),
    (lambda: Dropdown("opt", ["GD", "AdaGrad"], value="SGD"), ValueError,
     "Invalid value for dropdown 'opt': 'SGD'; need one of the options: GD, AdaGrad"),
    (lambda: Dropdown("opt", [("a", 1), ("a", 2)]), ValueError,
     "Invalid options for dropdown 'opt': ['a', 'a']; need options that read differently"),
])
def test_invalid_arguments_raise_with_a_clear_message(make, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        make()


def test_numpy_numbers_and_tuple_options():
    s = Slider("lr", np.float64(0.1), np.float64(1.0), np.float64(0.1), value=np.float64(0.3))
    assert type(s.min) is float and s.summary() == "lr in [0.1, 1.0]"
    d = Dropdown("betas", [(0.9, 0.999), (0.5, 0.9)])          # tuples as values, not (text, value)
    assert d.value == (0.9, 0.999) and d.text((0.5, 0.9)) == "betas = (0.5, 0.9)"


def test_valid_controls_defaults():
    s = Slider("lr", 0.05, 2.5, 0.05)
    assert (s.value, s.label, s.decimals) == (0.05, "lr", 2)
    assert len(s.values()) == 50 and s.values()[-1] == 2.5
    d = Dropdown("lr", [("slow", 0.01), ("fast", 1.0)], label="learning rate")
    assert d.value == 0.01 and d.text(1.0) == "learning rate = fast"


# ---------------------------------------------------------------------------
# One kept figure, redrawn in place (a plot function with a fig parameter)
# ---------------------------------------------------------------------------

class KeptPlot:
    """A plot that redraws into its previous figure; records the figure it was given."""

    def __init__(self, autoscale=False):
        self.autoscale, self.given = autoscale, []

    def __call__(self, lr, opt="GD", fig=None):
        self.given.append(fig)
        fig, (left, right) = plotting.figure(ncols=2, width=4, height=2, reuse=fig)
        t = np.linspace(0, 1, 40)
        left.plot(t, lr * t, color="C0", label=f"lr = {lr:.2f}")
        if opt == "AdaGrad":                               # a second line for one option only
            left.plot(t, lr * t ** 2, color="C1", label="AdaGrad")
        left.set_ylim(0, 2.6)
        left.legend(loc="upper left", fontsize="small")
        left.set_title(f"slope {lr:.2f}")
        right.semilogy(t, np.exp(-20 * lr * t) + 1e-9, color="C2")   # sets the log scale again each time
        if not self.autoscale:
            right.set_ylim(1e-10, 2)
        return fig


def test_a_plot_with_a_fig_parameter_is_given_its_previous_figure(few_static_frames):
    plot = KeptPlot()
    e = show(explore(plot, lr_slider(), opt_menu(), title="Kept"))
    assert e.kept and not explore(Recorder(), lr_slider(), title="New").kept
    plot.given.clear()
    for lr in (0.1, 0.2, 0.3, 0.4):
        e.controls["lr"].value = lr
    figures = {id(f) for f in plot.given}
    assert len(plot.given) == 4 and len(figures) == 1 and None not in plot.given
    assert e.output.outputs[0]["output_type"] == "display_data"
    assert e.output.outputs[0]["metadata"]["image/png"] == {"width": 400, "height": 200}


def test_a_kept_figure_paints_only_the_lines_when_nothing_else_changes(few_static_frames):
    e = show(explore(KeptPlot(), lr_slider(), opt_menu(), title="Blits"))
    for lr in (0.1, 0.2, 0.3, 0.4, 0.6, 0.7):      # not 0.5, the first figure's: that one is kept
        e.controls["lr"].value = lr
    assert e._live.blits >= 5                     # after learning which artists change
    e.controls["opt"].value = "AdaGrad"           # a new line: still only painted over the background
    e.controls["lr"].value = 0.8
    assert e._live.blits >= 7


def test_an_axes_whose_limits_change_is_painted_whole_without_a_new_layout(few_static_frames):
    e = show(explore(KeptPlot(autoscale=True), lr_slider(), title="Limits"))
    e.controls["lr"].value = 0.9                  # learns that the right panel's limits change
    position = e._live.fig.axes[1].get_position().bounds
    full = e._live.full_draws
    for lr in (1.7, 2.5, 2.0):
        e.controls["lr"].value = lr
    assert e._live.full_draws == full and e._live.blits >= 3
    assert e._live.fig.axes[1].get_position().bounds == position


def test_tick_labels_that_outgrow_their_room_get_a_new_layout():
    def tall(top, fig=None):
        fig, ax = plotting.figure(width=2.5, height=2, reuse=fig)
        ax.plot([0, 1], [0, top])
        ax.set_ylim(0, top)
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)   # 100000000000, not 1e11
        return fig

    drawing = explorers._KeptFigure(tall, dpi=80)
    drawing.image({"top": 1.0})
    drawing.image({"top": 2.0})
    left = drawing.fig.axes[0].get_position().x0
    full = drawing.full_draws
    drawing.image({"top": 3.0})                    # labels as wide as before: painted in place
    assert drawing.full_draws == full
    drawing.image({"top": 1e11})                   # far wider labels: laid out again, the Axes moves right
    assert drawing.full_draws == full + 1 and drawing.fig.axes[0].get_position().x0 > left
    renderer = drawing.canvas.get_renderer()
    assert drawing.fig.axes[0].yaxis.get_tightbbox(renderer).x0 >= 0


def test_the_first_move_draws_the_figure_again_in_its_layout_unless_something_outgrows_it():
    """The first move cannot paint only what changed (it learns which artists change): the
    figure is drawn whole, in the first figure's layout while everything still fits in its room."""
    def plot(words, top, fig=None):
        fig, (left, right) = plotting.figure(ncols=2, width=4, height=2, reuse=fig)
        left.plot([0, 1], [0, top], color="C0")
        left.set_ylim(0, top)
        left.ticklabel_format(axis="y", style="plain", useOffset=False)   # 100000000000, not 1e11
        left.set_title(" ".join(["word"] * words), fontsize="small")
        right.plot([0, 1], [1, 0], color="C1")
        return fig

    drawing = explorers._KeptFigure(plot, dpi=80)
    drawing.image({"words": 1, "top": 1.0})
    places = [ax.get_position().bounds for ax in drawing.fig.axes]
    image, _ = drawing.image({"words": 2, "top": 2.0})     # a longer title, the same tick labels' width
    assert drawing.full_draws == 2 and [ax.get_position().bounds for ax in drawing.fig.axes] == places
    drawing.draw_all(layout=False)
    assert explorers._pixels(drawing.canvas) == image

    drawing = explorers._KeptFigure(plot, dpi=80)
    drawing.image({"words": 1, "top": 1.0})
    image, _ = drawing.image({"words": 1, "top": 1e11})    # far wider tick labels: laid out again
    assert drawing.fig.axes[0].get_position().x0 > places[0][0]
    assert drawing.fig.axes[0].yaxis.get_tightbbox(drawing.canvas.get_renderer()).x0 >= 0
    drawing.draw_all(layout=False)
    assert explorers._pixels(drawing.canvas) == image


def test_a_legend_that_outgrows_its_room_gets_a_new_layout():
    def beside(words, fig=None):
        fig, ax = plotting.figure(width=4, height=2, reuse=fig)
        ax.plot([0, 1], [0, 1], color="C0", label=" ".join(["word"] * words))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
        return fig

    drawing = explorers._KeptFigure(beside, dpi=80)
    for words in (1, 1, 2):                        # learns what changes; a slightly longer label fits
        drawing.image({"words": words})
    right = drawing.fig.axes[0].get_position().x1
    full = drawing.full_draws
    image, _ = drawing.image({"words": 8})         # beyond the figure's edge: laid out again
    assert drawing.full_draws == full + 1 and drawing.fig.axes[0].get_position().x1 < right
    renderer = drawing.canvas.get_renderer()
    assert drawing.fig.axes[0].get_legend().get_window_extent(renderer).x1 <= drawing.fig.bbox.x1
    drawing.draw_all(layout=False)
    assert explorers._pixels(drawing.canvas) == image


@pytest.mark.parametrize("autoscale", [False, True])
def test_painting_only_what_changed_gives_the_pixels_of_a_full_draw(autoscale):
    drawing = explorers._KeptFigure(KeptPlot(autoscale), dpi=80)
    settings = [(0.5, "GD"), (0.6, "GD"), (0.7, "AdaGrad"), (0.8, "AdaGrad"), (2.4, "GD"), (0.05, "GD"), (0.1, "GD")]
    for lr, opt in settings:
        image, size = drawing.image({"lr": lr, "opt": opt})
        assert size == (4.0, 2.0)
        drawing.draw_all(layout=False)
        assert explorers._pixels(drawing.canvas) == image, (lr, opt)
    assert drawing.blits >= 2 and drawing.full_draws >= 2


def test_a_new_landscape_repaints_its_contours_but_not_the_axes(monkeypatch):
    """plotting.figure puts ticks below everything in an Axes, so new contours (or a new band, or
    bars) are painted over a background that keeps the axes, their ticks and their labels."""
    def valley(condition, fig=None):
        fig, ax = plotting.figure(width=3, height=2.4, reuse=fig)
        plotting.contour(landscapes.Quadratic(condition=condition), ax=ax, resolution=40)
        return fig

    drawing = explorers._KeptFigure(valley, dpi=60)
    for condition in (2, 4):                       # the first figure, then learning what changes
        drawing.image({"condition": condition})
    painted = []
    monkeypatch.setattr(Axis, "draw", lambda self, renderer: painted.append(self))
    image, _ = drawing.image({"condition": 8})
    assert drawing.blits == 1 and painted == []
    monkeypatch.undo()
    drawing.draw_all(layout=False)
    assert explorers._pixels(drawing.canvas) == image


def test_a_drawing_given_what_another_learned_paints_only_what_changed_from_its_first_move():
    taught = explorers._KeptFigure(KeptPlot(), dpi=60)
    assert taught.learned() is None                         # nothing learned before a move
    for lr in (0.5, 0.6, 0.7):
        taught.image({"lr": lr, "opt": "GD"})
    learned = taught.learned()
    assert learned is not None and len(learned[0]) == 2

    drawing = explorers._KeptFigure(KeptPlot(), dpi=80, learned=learned)
    drawing.image({"lr": 0.5, "opt": "GD"})
    image, _ = drawing.image({"lr": 0.9, "opt": "GD"})
    assert (drawing.full_draws, drawing.blits) == (1, 1)
    drawing.draw_all(layout=False)
    assert explorers._pixels(drawing.canvas) == image

    # A wrong guess (nothing changes, it said) costs a full draw, with the right pixels;
    # a guess for another number of Axes is not used.
    for wrong in (([40, 40], False), ([0], False)):
        drawing = explorers._KeptFigure(KeptPlot(), dpi=80, learned=wrong)
        first, _ = drawing.image({"lr": 0.5, "opt": "GD"})
        assert first == explorers._KeptFigure(KeptPlot(), dpi=80).image({"lr": 0.5, "opt": "GD"})[0]
        image, _ = drawing.image({"lr": 0.9, "opt": "GD"})
        assert (drawing.full_draws, drawing.blits) == (2, 0)
        drawing.draw_all(layout=False)
        assert explorers._pixels(drawing.canvas) == image


def test_the_live_figure_starts_from_what_the_static_frames_learned(few_static_frames):
    e = show(explore(KeptPlot(), lr_slider(), opt_menu(), title="Taught"))
    e.controls["lr"].value = 0.9                  # the first move: only the changed artists painted
    assert (e._live.full_draws, e._live.blits) == (1, 1)


def test_a_formatter_configured_again_with_new_labels_gets_its_axis_repainted():
    """Same formatter class, same tick positions, other tick labels: the axis is painted again."""
    def decimals(digits, fig=None):
        fig, ax = plotting.figure(width=3, height=2, reuse=fig)
        ax.plot([0, 1], [0, 1], color="C0")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(StrMethodFormatter(f"{{x:.{digits}f}}"))
        return fig

    drawing = explorers._KeptFigure(decimals, dpi=80)
    for digits in (1, 2, 2, 1):
        image, _ = drawing.image({"digits": digits})
        drawing.draw_all(layout=False)
        assert explorers._pixels(drawing.canvas) == image, digits
    assert drawing.blits >= 2


def test_static_frames_of_a_kept_figure_are_checked_against_a_new_figure():
    e = explore(KeptPlot(), lr_slider(), opt_menu(), title="Checked")
    assert len(Page(e.html).frames) == 25

    def forgetful(lr, fig=None):
        fig, ax = plotting.figure(width=3, height=2, reuse=fig)
        ax.plot([1, 2], [1, 1 + lr])
        if 1 < lr < 2:
            ax.set_yscale("log")                    # and never set back: a new figure would be linear
        return fig

    with pytest.raises(ValueError, match=r"Explorer 'Forgetful': plot draws differently into its previous "
                                         r"figure than into a new one \(at learning rate η = 2.50\)"):
        explore(forgetful, lr_slider(), title="Forgetful")


def test_a_control_cannot_be_named_fig_when_plot_takes_a_figure():
    with pytest.raises(ValueError, match="Invalid controls: 'fig' names a control; need another name"):
        explore(lambda fig=None: None, Slider("fig", 0, 1, 1), title="t")


def test_an_equal_aspect_axes_whose_window_changes_is_painted_whole_in_its_room():
    def window(width, fig=None):
        fig, (left, right) = plotting.figure(ncols=2, width=5, height=2.2, reuse=fig)
        t = np.linspace(-width, width, 30)
        left.plot(t, np.sin(t), color="C0", label=f"width {width}")
        left.set_xlim(-width, width)
        left.set_ylim(-1.5, 1.5)
        left.set_aspect("equal", adjustable="box")    # the Axes' place changes with its window
        left.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small", frameon=False)
        right.plot(t, t ** 2, color="C1")
        right.set_ylim(0, 40)
        right.set_title("fixed", fontsize="small")
        return fig

    drawing = explorers._KeptFigure(window, dpi=80)
    for width in (2.0, 2.5, 3.0, 3.5, 3.0, 2.0):
        image, _ = drawing.image({"width": width})
        drawing.draw_all(layout=False)
        assert explorers._pixels(drawing.canvas) == image, width
    assert drawing.blits >= 4


def test_a_figure_legend_made_again_each_time_is_painted_last():
    def with_legend(lr, fig=None):
        fig, (left, right) = plotting.figure(ncols=2, width=5, height=2.4, reuse=fig)
        t = np.linspace(0, 1, 30)
        lines = [left.plot(t, lr * t, color="C0")[0], right.plot(t, np.cos(lr * t), color="C1")[0]]
        left.set_ylim(0, 2.6)
        right.set_ylim(-1, 1)
        fig.legend(lines, [f"lr = {lr:.2f}", "cosine"], loc="outside lower center", ncols=2, fontsize="small")
        return fig

    drawing = explorers._KeptFigure(with_legend, dpi=80)
    for lr in (0.5, 0.6, 0.7, 1.5, 2.5, 0.1):
        image, _ = drawing.image({"lr": lr})
        assert len(drawing.fig.legends) == 1
        drawing.draw_all(layout=False)
        assert explorers._pixels(drawing.canvas) == image, lr
    assert drawing.blits >= 4
