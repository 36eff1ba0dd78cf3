"""Run every benchmark and write the report: benchmarks/REPORT.md, benchmarks/report.png
and the figures table in README.md (between the BENCHMARKS markers).

Run: ``make bench`` (or ``python benchmarks/report.py [--quick]``; --quick skips the
build and make-test timings, which take the longest). The explorers in JupyterLab
(bench_lab.py) need Chromium, as the browser tests do; without it they are left out.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- BENCHMARKS:START -->", "<!-- BENCHMARKS:END -->"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")    # for bench_lab.py (as in tests/conftest.py)
RESULTS = HERE / "results.json"        # the raw numbers of the last run, from which the report is written

TARGET_P50_MS, TARGET_P95_MS = 50, 100    # an explorer update that feels instant (issue 7)


def on_target(p50, p95):
    """Whether an explorer's p50 and p95 (ms) meet the target."""
    return p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS


# The report's prose, written from this run's results: every number below that this run
# measured is filled in from them; a number from a separate experiment says where it is from.

def explorers_notes(rows, png):
    """What the explorer table shows, how an update works, and what limits it (``png``: bench_png.py's summary)."""
    moves = sum(r["moves"] + r["again"] for r in rows)
    again = sum(r["again"] for r in rows)
    pauses = sorted(r["ahead_s"] for r in rows)
    met = sum(on_target(r["p50_ms"], r["p95_ms"]) for r in rows)
    reference = {r["chapter"]: r["reference_figure_ms"] for r in rows if "reference_figure_ms" in r}
    stepped = [r["step_after_pause_moves"] for r in rows if r.get("step_after_pause_moves")]
    step50 = [r["step_after_pause_p50_ms"] for r in rows if r.get("step_after_pause_moves")]
    step_note = "" if not stepped else f"""\
**One step of every control, drawn ahead (2026-12-03, afternoon).** Drawing ahead used to
cover the main control only, so a reader's first move of any other control, even by one
notch, was a setting not drawn before and cost what the first columns say. It now draws,
right after the main control's two nearest values, one step either way of every other control
(`Explorer.ahead`; a menu's next and previous choice), then the rest of the main control as
before. For the {len(stepped)} explorers with more than one control this adds {min(stepped)} to
{max(stepped)} figures to the pause; once they are drawn, one step of another control answers in
{max(step50):.1f} ms at worst (p50; the *one step of another control* column), as a move of the main
control does. The first two figures drawn are the same as before, so a reader stepping along the
main control one value at a time waits no longer. In JupyterLab, side by side with the code before
(chapter 2's four explorers, `bench_lab.py`, two rounds each way in alternating order, 2026-12-03
at 16:00), the mean of the two rounds' p50 was, new against old, 38 / 45, 58 / 76, 49 / 58 and
52 / 50 ms after a pause, and 191 / 171, 159 / 114, 78 / 97 and 87 / 101 ms stepping on at once:
even, within this machine's noise. (The run of 15:18, the first with this change, was slower than
the run of 13:10 for nearly every explorer, in JupyterLab and in the kernel: the machine, as below.)
tests/test_explorers.py checks the order, and that a step of the menu, once drawn ahead, is
shown without drawing.

"""

    speed = "" if not reference else f"""
So that a slow hour can be told from slower code, each run now times, before each chapter's
explorers, one fixed figure of the kind they draw (`bench_explorers.reference_figure_ms`: two
runs of 300 steps on a 2-D valley, drawn whole with contours, paths and a log-scale loss panel,
and encoded as a live PNG; the best of five): in this run {min(reference.values()):.0f} to
{max(reference.values()):.0f} ms over the chapters ({", ".join(f"{c.split('_')[0]}: {v:.0f}" for c, v in reference.items())}).
A loop over tiny arrays alone does not tell it: in a run on 2026-12-03 from 14:43, AdaGrad's
2,000 steps on a 2-D valley ran at 14 to 15 µs a step before chapters 0 to 3 (about 16 at
14:41, 23 at 14:00), while those chapters' explorers took 1.4 times as long (p50, median; 1.05
to 2.1) as in the run of 13:10, in both the computation and the painting; side by side with
the code of 13:10 (`make bench-compare`, chapters 0 and 2), the new code was even with it
(1.03 at the median).
"""
    return f"""\
**How an update works.** Every explorer keeps one figure. Its plot function draws into the
figure it made before (`plotting.figure(..., reuse=fig)`; an unchanged landscape gets its
contour artists back instead of new ones), and `explorers._KeptFigure` paints only what
changed over a saved image of the rest: in each Axes, the artists from the first changed one
in drawing order; an Axes whose limits, ticks or place change is painted whole in the free
room around it. The layout engine, about half of a full draw, runs again only when something
outgrows its room (or the figure's size or set of Axes changes). Which artists change is
learned while the static frames are drawn (`_KeptFigure.learned`), and the live figure starts
from that, so its first move already paints only what changed; a control that changes an
earlier artist costs one full draw, which keeps the first figure's layout if everything fits.
Its canvas (`text_cache.TextCachingCanvas`) lays out each string and renders each glyph once,
then copies them, in the same pixels as matplotlib's own canvas.
The *repainted only what changed* column counts the moves that needed no full draw. Each explorer checks, once, that its last static
frame is, pixel for pixel, what a full draw and a new figure give. The live image is a PNG
that `explorers._quick_png` writes itself: no alpha channel when the figure is opaque (as
every figure of the book is), every row unfiltered, deflated by ISA-L (python-isal) at its level 1
(since 2026-12-03 evening; zlib's quickest level before, several times slower). Pillow's encoder,
used before that, tries a filter per row, which takes most of its time. On {png["images"]} live figures
(each explorer at its defaults and at both ends of its main control; `bench_png.py`), side
by side with Pillow at its quickest level: {png["course_ms"]:.1f} against {png["pillow_ms"]:.1f} ms per
figure (medians; per figure, the ratio is {png["ratio_median"]:.2f} at the median and {png["ratio_max"]:.2f} at
worst), in {png["course_bytes"] / png["pillow_bytes"]:.1%} of Pillow's bytes.

**Less work per move, and no new layout on the first move (2026-12-02, evening).** Three
changes: `optimizers.run` skips its per-step divergence bookkeeping (masks and three
`np.where`) while every run is still going, 0.76 to 0.88 of the time per step on a 2-D
quadratic, the same results bit for bit; a kept figure reads each Axes' ticks once per move
instead of twice, and takes a legend's box from where it was drawn instead of laying the
legend out and placing it again; and the first move, which draws the whole figure to learn
which artists change, keeps the first figure's layout when everything still fits in its room
(in chapters 0 to 4, 17 of 23 such draws, 85 instead of about 160 ms). Measured side by side
with the code before them (every chapter run by both in turn, separate processes, one run,
all 27 explorers; not this report's run): per explorer, the median ratio of new to old was
0.83 for p95 (lower for 19 of 27 explorers) and 0.96 for p50, with single explorers from
0.57 to 1.29: this machine's noise is as large as the gain, so the effect is modest.

**Axes that stay put (2026-12-03).** Three changes. Nine explorers' loss panels had a y
range fitted to their curves, so nearly every move changed the limits, and the Axes was
painted whole, its ticks and labels included; they now pass one range for all their settings
(`plotting.loss_curves(..., ylim=...)`), chosen to cover what their settings draw (each
explorer's grid swept), so a curve moves against axes that stay put, which also makes
settings easier to compare. `plotting.figure` puts ticks and grid lines under everything in an
Axes (they point outwards, so nothing hides them), so new contours, bands or bars no longer
make the axes be painted again; the figures' pixels are the same, except grid lines now under
translucent bands. And the live figure starts from what the static frames learned (above).
Measured side by side with the code before them (`make bench-compare REV=e9f0407`, two rounds,
all 27 explorers; not this report's run): per explorer, new over old was 0.79 for p50 at the
median (lower for 20 of 27; 0.41 to 1.25) and 0.64 for p95 (lower for 24 of 27; 0.25 to
1.16). The most helped were chapter 0's learning-rate explorer (p50 0.46, p95 0.39), Adam with
and without the bias correction (p50 0.41) and Adam's two decay rates (0.58 and 0.48). The seven
with a p50 ratio above 1 (1.02 to 1.25) are explorers the first two changes do not reach:
their panels had fixed ranges already, or their Axes changes its place or range with the
control (a turned valley; the tuning curves, another landscape per menu choice). For them the
third change only takes the full draw out of the first move, which shows in p95 (0.42 to 0.95
for four of them). Their p50 ratios are this machine's noise: run again for chapters 0 and 2
(three rounds), the rotated valley, at 1.25 before, gave 0.98 (p95 1.01).

**Text drawn from a cache (2026-12-03, afternoon).** matplotlib's Agg canvas lays out every
string it draws (about 0.4 ms each) and renders every glyph with FreeType (about 30 µs each),
however often it has drawn the same text in the same place; a kept figure draws the same
legends, titles and tick labels on move after move, and this took about a fifth of a move
(timed in chapters 0 to 3: 15% to 27% of the kept figure's time per move, median 20%). A kept
figure's canvas is now `text_cache.TextCachingCanvas`: it keeps each string's layout, and each
glyph's bitmap for each place within a pixel where its origin falls (a glyph moved by whole
pixels is the same bitmap, moved), so text is rendered once and then copied. The pixels are
matplotlib's own, bit for bit: tests/test_text_cache.py draws text of every kind both ways
(mathtext, rotated, not antialiased, three resolutions) and compares, and every explorer
compares its last static frame with a new figure on matplotlib's canvas; every chapter,
executed again, gave the same outputs. Measured side by side with the code before it (`make
bench-compare REV=294f23d`, two rounds, all 27 explorers; not this report's run): per
explorer, new over old was 0.84 for p50 at the median (lower for 25 of 27; 0.58 to 1.05) and
0.85 for p95 (lower for 20 of 27; 0.54 to 1.08); 16 explorers were on target in that run,
against 11 for the code before.

**A tenth fixed range (2026-12-03, afternoon).** Chapter 0's rotated valley fitted its loss
panel's range to the curve. That curve is the same for every angle (gradient descent does not
care how the valley is turned, the chapter's point), but its last bits of rounding are not, and
they moved the limits by 1e-16 to 1e-14 of their size: enough to count as new limits, so the panel
was painted whole on every move. It now passes a fixed range too (`ylim=(1e-22, 10)`; the
figure looks the same), and only the turned landscape is painted whole. Side by side with the
code before (chapter 0, three rounds; not this report's run): p50 0.68 (75 to 51 ms), p95 0.66.
A scan of every explorer's moves found no other Axes painted whole for so small a change.

{step_note}**Font heights kept, and a quicker deflate (2026-12-03, evening).** Two changes, each leaving
every pixel as it was. Timed per move in chapters 1 to 4 (that evening, before them), a move took
79 ms on average, of which making and drawing legends 19 ms, the optimizers' runs 18 and the PNG
8. A legend lays out each of its texts about six times a draw, and each time matplotlib's
`Text._get_layout` looked the font up and read its height from the font's tables; the text
cache's renderer now keeps those heights (matplotlib asks a renderer for them first,
`_get_font_height_metrics`), and tests/test_text_cache.py checks that every text is laid out
to the same numbers. Drawn side by side, each explorer by two kept figures in turn, with and
without it, every move's image compared and identical: 0.94 of the time per move at the median
over the 27 explorers (0.76 to 1.03). And the live PNG is now deflated by ISA-L (python-isal)
instead of zlib: on the live figures of chapters 0, 2 and 4, 0.8 instead of 8.9 ms per image
(median), for 8% more bytes. Both together, side by side with the code before them
(`make bench-compare REV=9b1e4e9`, two rounds, all 27 explorers, from 18:12; not this report's
run): per explorer, new over old was 0.92 for p50 at the median (lower for 20 of 27; 0.66 to
1.17) and 0.90 for p95 (lower for 21 of 27; 0.72 to 1.19). That was a slow hour: in the `make
bench` run from 17:38, the reference figure (below) took 243 to 364 ms per chapter, against
220 to 319 in the run of 15:18, and the compare counted 4 explorers on target with the code
before and 5 with this code.

**How far this machine drifts (2026-12-03).** Five full runs of `make bench` that day, on
code that differed only where `make test` hardly sees it (the optimizers' input check,
fused.py, one explorer's cached run, then the explorer changes above): `make test` took 229,
189, 130, 184 and 224 s. Chapter 0's first explorer, on the same code, answered in 24 ms
(p50) in a run at about 08:40 and in 38 ms in a run a quarter of an hour later. Between the first two runs,
35 minutes apart, per explorer p50 in the first was 0.78 of the second's at the median (0.57
to 1.23), and so was the time of the plot functions alone (0.74), which only compute. So
absolute times here move by a quarter or more from one hour to the next; only ratios
measured side by side in one run compare code.
`make bench-compare REV=<commit>` (benchmarks/compare_explorers.py) makes such a run for
the explorers: REV's code and this checkout's, chapter by chapter, in alternating order.
That afternoon, two full runs 45 minutes apart (from 12:24 and from 13:10), on code that
differed only in chapter 0's rotated valley, showed it again: per explorer (the rotated valley
left out), p50 in the second was 1.25 times the first's at the median (0.74 to 1.99), about
1.0 for chapters 0 and 2, timed first, and 1.4 to 2.0 for chapters 4 and 6 and the appendix,
timed ten minutes later; the plot functions alone, which only compute, 1.17. The first run
counted 17 explorers on target, the second 7; `make test` took 178 and 216 s.{speed}

**Garbage collection after the figure, not during it.** In a process that has run a chapter,
one of Python's full collections of cyclic garbage takes 0.2 to 0.3 s, and comes every ten
to twenty moves. An explorer now holds the collector back while it draws and sends a figure
(`explorers._hold_back_collection`); in a kernel it lets it go 50 ms after the last figure
shown, once the figure has left (a collection holds the interpreter lock that the kernel's
sending thread needs). Measured on 2026-12-02 over chapters 2 to 5 (181 moves, one process
each way): before, 2 of the 13 full collections fell inside a move, adding 303 and 334 ms to
it; after, none of 10 did. The columns above time a move to its figure in the Output area,
so a collection that comes after it is not counted; a move right after it, as in the
JupyterLab table's *at once* columns, may wait for it.

**Figures kept, and drawn ahead while the reader pauses.** A live explorer keeps its last
100 figures, so a move back to a setting drawn before is shown at once (the *shown again*
column: {again} of this run's {moves} moves). In a running kernel, once the widget is shown,
the explorer draws ahead, while the reader pauses, the figures for the moves a reader makes
next (`Explorer.ahead`): one step either way of every control (a slider's next and previous
value, a menu's next and previous choice), then the main control's other values, nearest
first, each at the other controls' current values. One
chain of callbacks on the kernel's event loop serves every explorer, the one moved last
first (the others wait for the reader to pause: see the JupyterLab section), one figure per
callback, so a move that arrives meanwhile waits for one figure at most; a notebook run without a frontend (nbval, the book's build) draws nothing ahead. Once
done, moving the main control, or any other control by one step, takes about a millisecond in
the kernel (the *after a pause* columns). The pause this needs is {pauses[0]:.1f} to {pauses[-1]:.1f} s per explorer (median
{statistics.median(pauses):.1f} s) on this machine, at the defaults; the kept figures take up to
{max(r["kept_mb"] for r in rows):.1f} MB per explorer. What it does not change: a move of
another control by more than one step, and a move before the drawing ahead has reached its
value, cost what the
first columns say. Tested in an asyncio loop, between two explorers, in a real ipykernel
(with a subshell) and in JupyterLab (tests/test_lab.py).

**What limits it.** {met} of {len(rows)} explorers meet the target for a setting not
drawn before in this run. That count moves with this machine's speed: 17 and 7 in two runs an
hour apart on 2026-12-03 afternoon (above), 3 in the report of that morning, before the
changes above; the side-by-side ratios are what compare code. Nearly every
move now paints only what changed; what is left, explorer by explorer, is one of three things:
* *An Axes painted whole on every move*, because what it shows moves its frame: a valley
  turned by the slider changes the window, and so the place, of its equal-aspect Axes
  (chapter 0's rotated valley, chapter 2's turned valley); a menu that picks another landscape
  brings another range (chapter 5's tuning curves and race). A fixed window would show the
  turned valley small in a mostly empty square, so these stay.
* *The plot function's computation* (the *plot* column, up to {max(r["plot_p50_ms"] for r in rows):.0f} ms
  at the median): several runs of hundreds of steps, or a grid of them, per figure.
* *matplotlib's Python work per artist*: the artists from the first changed one are made
  again and painted on every move, and text that shows the new values is new text. Its glyphs
  now come from a cache (above), but a title with TeX in it is parsed again for each new
  value: in a profile of chapter 0's first explorer (2026-12-02), 0.23 s for 30 new strings,
  about 8 ms each. A legend is made again with its Axes on every move and laid out again on
  every draw: about a quarter of a move in chapters 1 to 4 (above), and still 17 ms of a mean
  72 in chapters 2 and 3 once the font heights were kept.

Two levers were tried in earlier reports and left: a larger cache for parsed TeX changed
nothing (the missed strings are new ones, not evicted ones), and drawing the live figure at
100 dpi instead of 150 (blurrier on high-density screens) was only about 13% quicker.
Reaching 50 ms for every explorer would need the changing lines drawn in the browser from
their data: a custom widget, and a second drawing path beside matplotlib's, which still draws
the static version. Not started; drawing ahead is what we did instead."""


def lab_notes(lab):
    """How the JupyterLab table was measured, and what limits it."""
    by_pause = sorted(lab, key=lambda r: r["after_pause_p50_ms"])
    met = [r for r in lab if on_target(r["after_pause_p50_ms"], r["after_pause_p95_ms"])]
    slow = by_pause[-2:]
    slow_text = " and ".join(f"{r['title']} ({r['chapter'].split('/')[-1].split('_')[0]}: "
                             f"{r['after_pause_p50_ms']} / {r['after_pause_p95_ms']} ms)" for r in reversed(slow))
    return f"""\
Measured by `benchmarks/bench_lab.py` in this run: each chapter, from a copy, opened in the
pinned JupyterLab in headless Chromium, every cell run, then each explorer's first slider
moved one step at a time with the arrow keys (for the two explorers with only menus, the
first menu to its next choice), six times *at once* (the next move as soon as the figure
shows) and six times *after a 2 s pause*. Timed in the browser, from the key press to the new
image decoded: the message to the kernel, the figure (drawn now, or kept from drawing ahead),
its way back and its display. After "Run All", JupyterLab shows every explorer of the
chapter, so all of them draw ahead together, as for a reader; the explorers further down a
chapter were measured later and had more time. p95 is numpy's percentile of six moves, so
it lies between the two slowest.

**What limits it.** After a pause, {len(met)} of {len(lab)} explorers meet the target; the five
quickest answer in {by_pause[0]['after_pause_p50_ms']} to {by_pause[min(4, len(lab) - 1)]['after_pause_p50_ms']} ms (p50).
Three things the kernel-side columns above leave out:
* *The way there and back.* A figure already drawn still takes tens of milliseconds to
  reach the screen, the more the larger the figure. Measured side by side in JupyterLab in a separate experiment (2026-12-02, 20
  moves each, p50): a slider that only changes a text label answers in 18 ms; a 150 dpi
  two-panel figure sent as the Output area's PNG in 78 ms; the same figure as an
  `ipywidgets.Image` (binary, no base64) in 75 ms; as a 256-colour PNG a third the size, in
  55 ms. So the bytes and their decoding are most of it. A palette PNG for every live figure
  would cost 35 to 65 ms more to encode (Pillow's median cut; its fast octree is quick but
  turns white into grey, 1.5 levels off on average); for the figures drawn ahead only, the
  same setting would show slightly different colours depending on whether it was drawn
  ahead. Neither is done.
* *The figure being drawn ahead.* The kernel draws one figure at a time in its main thread;
  a move that arrives meanwhile waits for that figure to be finished. So until an explorer
  has drawn ahead every value, a move waits for half a figure on average, even for a figure
  already drawn. The slowest after a pause: {slow_text}.
* *Right after "Run All".* Every explorer needs its first figure when JupyterLab shows it,
  all at once. A first figure is one step of the drawing-ahead chain (first figures first, in
  the order shown), so a move waits for one figure at most; the *at once* columns of each
  chapter's first explorers still pay for the figures being drawn for the others.

**A bug this measurement found, fixed.** JupyterLab 4.4 and later hand the widgets' messages
to an ipykernel subshell, a thread of its own (the setting `commsOverSubshells`, on by
default). A slider move was then drawn in that thread into the figure the main thread was
drawing ahead into, and within a few moves the kernel aborted. Every live figure is now
drawn in the thread that made the widget (`Explorer._in_drawing_thread`), and
tests/test_lab.py moves the sliders of a notebook in JupyterLab and checks that every figure
was drawn in the kernel's main thread and that the kernel stayed alive.

**A second one, found by CI on 2026-12-02.** ipykernel 7.4 hands a widget's message not to
the subshell its header names but to the thread the widget last sent from: for a new slider,
the main shell. The first moves of a drag then waited in the main thread behind a figure
being drawn, while the moves after its first echo went to the subshell and were handled
before them. The kernel was left at an older value than the slider showed, and so was the
figure. Each control now forgets that record when it is made
(`explorers._keep_moves_in_order`), so one thread handles its moves in order; a test in
tests/test_explorers.py replays such a drag in a real kernel."""


IDLE_AHEAD_NOTE = """\
**Only the explorer in use draws ahead while the reader is moving it** (`explorers.IDLE_AHEAD_S`,
3 s). A figure being drawn cannot be interrupted, and after "Run All" every explorer of a
chapter draws ahead, so a move of the explorer the reader is using waited for figures drawn for
the others: half a figure on average, more for the first explorer of a chapter. Now the
explorers not in use wait until the reader has left every control alone for 3 s. The price:
an explorer the reader reaches without such a pause has not been drawn ahead yet. Measured side
by side on {date}, in an earlier run than the rest of this report (`bench_lab.py --idle-ahead 0 3`,
each chapter run under one setting and then the other), straight from one explorer to the next as in the table above, and with a 10 s
reading pause before each explorer (`--read 10`, chapters 0, 1, 2 and 4): without a pause, the
first explorers' moves after a pause got about twice as quick and the others' quick steps
nearly three times slower, as they now draw what they had drawn ahead before; with a reading
pause, the others are drawn ahead while the reader reads, and both settings come out alike
(3 s slightly ahead, within this machine's noise).
Readers read between explorers, so we kept 3 s."""


def idle_ahead_table(compare):
    """Explorers in JupyterLab with and without waiting for a pause (bench_lab.py --idle-ahead 0 3).

    ``compare``: {"date": ..., "runs": [{"read_s": seconds, "rows": bench_lab rows}, ...]}. The
    first explorer of each chapter is apart: after "Run All" every explorer draws ahead at once.
    """
    lines = ["| reading pause before each explorer | explorers | IDLE_AHEAD_S | at once: median / worst p50, "
             "worst p95 ms | after a 2 s pause: median / worst p50, worst p95 ms | on target after a pause |",
             "|---|---|---|---|---|---|"]
    for run in compare["runs"]:
        rows = run["rows"]
        opened = [(r["chapter"], r["idle_ahead_s"]) for r in rows]      # one notebook opened per pair
        firsts = [r for i, r in enumerate(rows) if i == 0 or opened[i - 1] != opened[i]]
        for group, label in ((firsts, "each chapter's first"), ([r for r in rows if r not in firsts], "the others")):
            for idle in sorted({r["idle_ahead_s"] for r in group}):
                rs = [r for r in group if r["idle_ahead_s"] == idle]
                cells = []
                for kind in ("at_once", "after_pause"):
                    p50 = sorted(r[f"{kind}_p50_ms"] for r in rs)
                    cells.append(f"{statistics.median(p50):.0f} / {p50[-1]}, {max(r[f'{kind}_p95_ms'] for r in rs)}")
                met = sum(on_target(r["after_pause_p50_ms"], r["after_pause_p95_ms"]) for r in rs)
                lines.append(f"| {run['read_s']:g} s | {label} ({len(rs)}) | {idle:g} s | "
                             f"{cells[0]} | {cells[1]} | {met} of {len(rs)} |")
    return "\n".join(lines)


NO_TORCH = "`.venv/bin/python -m pip install torch==2.13.0`, then `make bench` again"


def ratio_cell(ratios, name):
    return f"{ratios[name]:.2f}" if name in ratios else "n/a"


def per_foreach(steps, key):
    """Per optimizer, the time of ``key`` (course, fused, ...) over torch's foreach; none without torch."""
    return {name: med[key] / med["torch-foreach"] for name, med in steps.items() if "torch-foreach" in med}


def steps_notes(steps):
    """What limits the book's step against torch's foreach, and what fused.py does about it."""
    gd = steps["GradientDescent"]
    check_ms = (gd["course"] - gd["naive"]) * 1e3
    ratio, fused_ratio = per_foreach(steps, "course"), per_foreach(steps, "fused")
    gain = {name: med["course"] / med["fused"] for name, med in steps.items()}
    slowest = max(fused_ratio, key=fused_ratio.get, default=None)
    against_torch = (f"torch's foreach was not measured (torch is not installed: {NO_TORCH})" if slowest is None else
                     f"at worst {fused_ratio[slowest]:.2f}x torch's foreach ({slowest})")
    gd_note = ("" if "GradientDescent" not in fused_ratio else f""" For gradient descent both make one pass over
memory (torch's `add_`, and the loop, which also reads g once more for the check), and which
is ahead changes from run to run: {fused_ratio["GradientDescent"]:.2f}x in this run; 0.92x, 1.00x and 1.00x in
three runs of bench_steps.py alone, right after a full run from 12:24 on 2026-12-03 that
measured 1.10x; 0.97x in the report of that morning.""")
    forms = ("" if "Momentum (pytorch)" not in ratio or "Momentum" not in ratio else f"""
Momentum is timed in two forms. The course's default, (3.1) as the source writes it, an
average of `-lr * g`, makes five passes where torch's buffer `b = mu * b + g` makes three; in
that same form as torch (`convention="pytorch"`, the row *Momentum (pytorch)*) the book's
step is {ratio["Momentum (pytorch)"]:.2f}x torch's foreach, against {ratio["Momentum"]:.2f}x in the default form.""")
    return f"""\
**What limits the book's step.** Each numpy operation is one pass over an 8 MB array, out to
memory and back. The book's `step` mirrors its chapter's equations line by line, so Adam makes
about 14 passes where `torch.optim.Adam(foreach=True)` makes 7 fused ones, and gradient
descent's `x -= lr * g` makes two where torch's `add_` makes one. Then the input checks, which
torch does not make: for gradient descent the book's step and the naive expression differ
only by them, {check_ms:.2f} ms of the book's {gd['course'] * 1e3:.2f} ms in this run, most of it the
test for a finite gradient, one read of g (BLAS's g·g, finite only when every entry is).
Slicing the step so that its temporaries stay in the CPU cache was tried on 2026-12-03: 0.88
to 1.09 of the plain step's time, as the 8 MB arrays nearly fit this CPU's 32 MB cache anyway.
No rewriting in numpy that keeps the same bits makes fewer passes.{forms}

**`fused.py`.** `fused.step(opt, x, grad, state)` runs the same update as one loop over the
coordinates, compiled by numba: per coordinate, the operations of the book's `step` in the
same order, so x and the state come out identical to the last bit (tests/test_fused.py
compares the bits for every optimizer and option, on a million coordinates and on random
input over the whole float64 range, overflows and 0 / 0 included). Its checks are `step`'s
own. After the check's read of g, it reads x, g and the state once and writes x and the
state once, and the loops are vectorised (numba's `error_model="numpy"` lets a division by
zero give inf or NaN, as numpy does, instead of raising, which also lets the compiler use
vector instructions). It is {min(gain.values()):.1f} to {max(gain.values()):.1f} times quicker than the book's step, and
{against_torch}.{gd_note} The book shows and runs `optimizers.py`; `fused.py` is for readers who take
the optimizers to large arrays."""


def make_test_notes(build):
    """What the make-test time is made of, and what limits it."""
    stages, cpu, cores = build["make_test_stages_s"], build["make_test_stages_cpu_s"], build["cores"]
    work = sum(cpu.values())                 # the stages one after the other, each alone
    alone, side, side_cpu = sum(stages.values()), build["make_test_s"], build["make_test_cpu_s"]
    floor = side_cpu / cores
    earlier = "400 to 450"                   # nbval's CPU seconds in the report that timed the frames
    chains = (f"`make test` runs its stages as two chains side by side (unit tests then nbval; the fresh "
              f"build then the browser tests): {side:.0f} s, {side / alone:.2f} of the {alone:.0f} s that "
              f"the same stages took one after the other in this run. Alone, no stage keeps both cores "
              f"busy all the time (the table's last column); side by side they fill each other's gaps. "
              f"The machine spent {side_cpu:.0f} CPU seconds on them side by side, against {work:.0f} one "
              f"after the other, and its cores were busy {side_cpu / (cores * side):.0%} of the time: "
              + ("so `make test` is bound by the work itself, and only less work would make it quicker. "
                 if side_cpu / (cores * side) >= 0.9 else "so some time is still spent waiting. ")
              + ("The same work cost more CPU side by side in this run. " if side_cpu > work else
                 f"In this run the same work took less CPU side by side ({side_cpu:.0f} against {work:.0f} "
                 "s), within this machine's drift from one stage to the next; in other runs it took more. ")
              + "Sampled per process on 2026-12-02 (all "
              "processes every 0.25 s, the two chains side by side and then each alone; 351 against 325 "
              "CPU seconds, 185 s side by side), every kind of process took a little more side by side, "
              "none of them a process that spins while it waits: Chromium 78 against 72 s, the unit "
              "tests' workers 59 against 48, nbval's 61 against 53, the build 12 against 8. The two "
              "chains share the cores' caches and the memory bandwidth, the likely cost.")
    if side <= 240:
        verdict = (f"The target is met, with {240 - side:.0f} s to spare: it holds on a machine up to "
                   f"{240 / side - 1:.0%} slower than this run's. The machines these sessions get differ by "
                   "more than that: on the slowest of earlier reports the stages one after the other took "
                   f"440 s (with fewer tests), where the same ratio would give about {440 * side / alone:.0f} s.")
    elif floor <= 240:
        verdict = (f"With both cores busy all the time it would take {floor:.0f} s, so the target needs both "
                   "cores kept busier, or less work.")
    else:
        verdict = (f"Even with both cores busy all the time it would take {floor:.0f} s, so 240 s needs "
                   f"{1 - 240 / floor:.0%} of the work removed, not more parallelism.")
    return f"""\
**What limits it.** {chains} {verdict} Of the work ({work:.0f} CPU seconds on {cores} cores, the
stages alone), {cpu['nbval'] / work:.0%} is nbval:

* nbval ({cpu['nbval']:.0f} CPU seconds): re-executing every chapter, most of it making the
  explorers' static frames, the pages' outputs. Timed over every chapter's code in an earlier
  report, on a machine where nbval took {earlier} CPU seconds against this run's
  {cpu['nbval']:.0f} (the shares carry over, not the seconds): about 530 frames, whose
  drawing (the plot functions and the painting) took about 160 CPU seconds, their palette
  PNGs about 40 s (75 ms each), and each explorer's check of its kept figure against a new
  one about 20 s. The largest of the chapters' own computations, chapter 1's network sweep,
  spends half its time in the sigmoid (numpy's `tanh`); a sigmoid written with `exp` is 1.6
  times faster but not the same numbers to the last bit, and near the edge of stability the
  network's step counts move with the last bit. Not taken.
* The browser tests ({cpu['browser-test']:.0f} CPU seconds, {cpu['browser-test'] / stages['browser-test']:.1f}
  cores busy): every page loaded in Chromium on a desktop and a phone viewport, each
  explorer's static slider scrubbed, dark mode; MathJax typesets each page in the browser
  (about 2.3 s of chapter 1's load, in an earlier report). tests/test_lab.py starts
  JupyterLab and moves two explorers' controls, about 30 s.
* Options, with their price: typesetting the math at build time (a prototype loaded
  chapter 1 about 1 s faster, but needs Node in the build and CI, adds 320 KB of HTML per
  chapter and fixes the math size at build time); fewer static frames per explorer (a
  coarser static version); a faster palette PNG (Pillow's fast octree takes 14 ms instead of
  75 ms per frame but shifts colours by 1.5 levels on average instead of 0.1, white
  backgrounds included); the palette PNG compressed at zlib's level 6 instead of Pillow's
  `optimize` (on chapter 4's frames, 2026-12-02: 4 ms instead of 29 ms per frame, after the
  20 ms the palette takes, but 6% larger frames, so heavier pages and, for the explorers
  near their size limit, a lower resolution). None is taken; each changes what readers get."""


def run_bench(script, *extra):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    print(f"==== {script} {' '.join(extra)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), "--json", path, *extra], check=True, cwd=ROOT)
    result = json.loads(pathlib.Path(path).read_text())
    os.unlink(path)
    return result


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem / 2 ** 20:.0f} GiB, Python {platform.python_version()}"


def ok(flag):
    return "n/a" if flag is None else "yes" if flag else "**no**"


def report_markdown(results):
    """REPORT.md's text for ``results`` (as in results.json), and its summary table's lines."""
    steps, sweep, explorers, site, build = (results[k] for k in ("steps", "sweep", "explorers", "site", "build"))
    lab = results.get("lab")

    lines = [f"Measured on {results['machine']}, on {results['date']}. Ratios are measured side by side in one run; "
             "absolute times are of this machine only.", ""]
    summary = []

    lines += ["## Explorer responsiveness (slider change to finished figure)", "",
              "| chapter | explorer | p50 ms | p95 ms | plot p50 ms | render p50 ms | repainted only what changed "
              "| shown again | on target (50 / 100 ms) | after a pause, main slider: p50 / p95 ms "
              "| after a pause, one step of another control: p50 / p95 ms | pause s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in explorers:
        step = (f"{r['step_after_pause_p50_ms']:.1f} / {r['step_after_pause_p95_ms']:.1f}"
                if r.get("step_after_pause_moves") else "none (one control)")
        lines.append(f"| {r['chapter']} | {r['title']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                     f"{r['plot_p50_ms']:.0f} | {r['render_p50_ms']:.0f} | {r['blits']} of {r['moves']} | "
                     f"{r['again']} | {ok(on_target(r['p50_ms'], r['p95_ms']))} | "
                     f"{r['after_pause_p50_ms']:.1f} / {r['after_pause_p95_ms']:.1f} | {step} | "
                     f"{r['ahead_s']:.1f} |")
    worst50 = max(r["p50_ms"] for r in explorers)
    worst95 = max(r["p95_ms"] for r in explorers)
    met = sum(on_target(r["p50_ms"], r["p95_ms"]) for r in explorers)
    summary.append(("Explorer update to a new setting, kernel side, worst p50 / p95",
                    f"{worst50:.0f} / {worst95:.0f} ms ({met} of {len(explorers)} explorers on target)",
                    "50 / 100 ms", on_target(worst50, worst95)))
    drawn_ahead = [(r[f"{kind}_p50_ms"], r[f"{kind}_p95_ms"]) for r in explorers
                   for kind in ("after_pause", "step_after_pause") if f"{kind}_p50_ms" in r]
    after50, after95 = (max(column) for column in zip(*drawn_ahead))
    pause = max(r["ahead_s"] for r in explorers)
    summary.append(("Explorer once drawn ahead (main slider, or one step of another control), kernel side, "
                    "worst p50 / p95",
                    f"{after50:.1f} / {after95:.1f} ms (after up to {pause:.0f} s)", "50 / 100 ms",
                    on_target(after50, after95)))
    if lab:
        for kind, label in [("at_once", "stepping on at once"), ("after_pause", "after a 2 s pause")]:
            p50, p95 = (max(r[f"{kind}_{q}_ms"] for r in lab) for q in ("p50", "p95"))
            met = sum(on_target(r[f"{kind}_p50_ms"], r[f"{kind}_p95_ms"]) for r in lab)
            summary.append((f"Explorer in JupyterLab, key press to figure shown, {label}, worst p50 / p95",
                            f"{p50} / {p95} ms ({met} of {len(lab)} explorers on target)", "50 / 100 ms",
                            on_target(p50, p95)))
    lines += ["", "*p50, p95, plot, render*: over the moves to a setting not drawn before; *plot*: the chapter's "
              "function: its computation, and drawing into the figure it made before; *render*: painting (only "
              "what changed, or the whole figure) and PNG encoding; *repainted only what changed*: moves that did "
              "not draw the whole figure again; *shown again*: moves back to a setting drawn before, shown "
              "without drawing; *after a pause*: once the explorer has drawn ahead, at the defaults, one step "
              "either way of every control and every value of the main control (which took *pause* seconds), "
              "moves of the main control to spread values, and one step either way of each other control.", "", explorers_notes(explorers, results["png"]["summary"])]
    if lab:
        lines += ["", "## Explorer responsiveness in JupyterLab (key press to figure shown)", "",
                  "| chapter | explorer | stepping on at once: p50 / p95 ms | after a 2 s pause: p50 / p95 ms "
                  "| on target (50 / 100 ms) |", "|---|---|---|---|---|"]
        for r in lab:
            met_both = all(on_target(r[f"{k}_p50_ms"], r[f"{k}_p95_ms"]) for k in ("at_once", "after_pause"))
            lines.append(f"| {r['chapter'].split('/')[-1]} | {r['title']} | {r['at_once_p50_ms']} / "
                         f"{r['at_once_p95_ms']} | {r['after_pause_p50_ms']} / {r['after_pause_p95_ms']} | "
                         f"{ok(met_both)} |")
        compare = results.get("lab_idle_ahead")
        lines += ["", lab_notes(lab)]
        if compare:
            lines += ["", IDLE_AHEAD_NOTE.format(date=compare["date"]), "", idle_ahead_table(compare)]

    lines += ["", "## Optimizer step, 1,000,000 float64 parameters, one thread", "",
              "*book*: `optimizers.py`'s `step`, the code the chapters show and run; *fused.py*: "
              "`fused.step`, the same update in one compiled pass, equal to it bit for bit.", "",
              "| optimizer | book | fused.py | naive numpy | torch foreach | torch fused "
              "| book / foreach | fused.py / foreach |",
              "|---|---|---|---|---|---|---|---|"]
    book, fused_ratio = per_foreach(steps, "course"), per_foreach(steps, "fused")
    for name, med in steps.items():
        cell = lambda k: f"{med[k] * 1e3:.2f} ms" if k in med else "n/a"  # noqa: E731
        lines.append(f"| {name} | {cell('course')} | {cell('fused')} | {cell('naive')} | "
                     f"{cell('torch-foreach')} | {cell('torch-fused')} | "
                     f"{ratio_cell(book, name)} | {ratio_cell(fused_ratio, name)} |")
    if fused_ratio:
        summary.append(("Optimizer step, worst fused.py (equal bit for bit to the book's step) / torch foreach",
                        f"{max(fused_ratio.values()):.2f}x", "<= 1x", max(fused_ratio.values()) <= 1))
        summary.append(("Optimizer step, worst book's numpy step / torch foreach (for comparison)",
                        f"{max(book.values()):.2f}x", "none", None))
    else:
        summary.append(("Optimizer step, fused.py / torch foreach", f"not measured: torch is not installed "
                        f"({NO_TORCH})", "<= 1x", None))
    lines += ["", steps_notes(steps)]

    lines += ["", "## Batched sweep", "",
              f"{sweep['configs']} Adam configurations x {sweep['steps']} steps on Rosenbrock: one batched call "
              f"{sweep['batched_s']:.2f} s; a Python loop {sweep['loop_s_scaled']:.1f} s (timed on "
              f"{sweep['loop_configs_timed']} configurations and scaled); speed-up {sweep['speedup']:.0f}x."]
    summary.append(("Batched sweep (1000 x 1000), time / speed-up",
                    f"{sweep['batched_s']:.2f} s / {sweep['speedup']:.0f}x", "< 1 s / >= 50x",
                    sweep["batched_s"] < 1 and sweep["speedup"] >= 50))

    if build:
        lines += ["", "## Book build and tests (installs excluded)", "", "| what | seconds | target |", "|---|---|---|"]
        for key, label, target in [("fresh_build_s", "build from a fresh clone", 120),
                                   ("rebuild_unchanged_s", "rebuild, nothing changed", 15),
                                   ("rebuild_one_chapter_touched_s", f"rebuild, {build['touched']} touched", 40),
                                   ("make_test_s", "make test", 240)]:
            if key in build:
                lines.append(f"| {label} | {build[key]:.0f} | {target} |")
                summary.append((label, f"{build[key]:.0f} s", f"{target} s", build[key] <= target))
        stages, cpu = build.get("make_test_stages_s", {}), build.get("make_test_stages_cpu_s", {})
        if stages and cpu:
            total = sum(cpu.values())
            lines += ["", f"`make test`'s stages one after the other, each alone, then `make test` itself: the "
                      f"wall time, and the CPU time this {build['cores']}-core machine spent meanwhile, every "
                      "process counted (Chromium's too; read from /proc/stat, with nothing else running).", "",
                      "| stage | seconds | CPU seconds | cores busy |", "|---|---|---|---|"]
            lines += [f"| `make {stage}` | {seconds:.0f} | {cpu[stage]:.0f} | {cpu[stage] / seconds:.1f} |"
                      for stage, seconds in stages.items()]
            lines += [f"| all, one after the other | {sum(stages.values()):.0f} | {total:.0f} | "
                      f"{total / sum(stages.values()):.1f} |",
                      f"| **`make test`**: two chains side by side | {build['make_test_s']:.0f} | "
                      f"{build['make_test_cpu_s']:.0f} | {build['make_test_cpu_s'] / build['make_test_s']:.1f} |"]
        lines += ["", make_test_notes(build)]

    if site:
        mb = 2 ** 20
        lines += ["", "## Site weight", "",
                  f"Total on disk {site['total_bytes'] / mb:.1f} MB (budget 40 MB). A page's weight is what a first "
                  "visit downloads: its HTML and the files it references, gzip-compressed as a static host sends "
                  "them (budget 4 MB); its size on disk is beside it.", "",
                  "| page | MB sent | MB on disk |", "|---|---|---|"]
        for page, w in sorted(site["pages"].items(), key=lambda kv: -kv[1]["sent_bytes"]):
            lines.append(f"| {page} | {w['sent_bytes'] / mb:.2f} | {w['disk_bytes'] / mb:.2f} |")
        heaviest = max(w["sent_bytes"] for w in site["pages"].values())
        summary.append(("Site on disk / heaviest page sent",
                        f"{site['total_bytes'] / mb:.1f} / {heaviest / mb:.2f} MB", "40 / 4 MB",
                        site["total_bytes"] <= 40 * mb and heaviest <= 4 * mb))

    table = ["| measure | now | target | met |", "|---|---|---|---|"]
    table += [f"| {m} | {v} | {t} | {ok(flag)} |" for m, v, t, flag in summary]
    report = ["# Benchmark report", "", "Written by `make bench` (benchmarks/report.py).", ""] + table + [""] + lines
    return "\n".join(report) + "\n", table


def report_figure(results):
    """report.png's figure: the optimizer step times, and the explorers' update times in parts."""
    steps, explorers = results["steps"], results["explorers"]
    fig = Figure(figsize=(9, 6.5), dpi=100, layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1, 1.3])
    names = list(steps)
    for k, (key, label, color) in enumerate([("course", "book (optimizers.py)", "#0072B2"),
                                             ("fused", "fused.py", "#56B4E9"),
                                             ("naive", "naive numpy", "#E69F00"),
                                             ("torch-foreach", "torch foreach", "#009E73"),
                                             ("torch-fused", "torch fused", "#CC79A7")]):
        vals = [steps[n].get(key, float("nan")) * 1e3 for n in names]
        top.bar([i + 0.16 * k for i in range(len(names))], vals, width=0.16, label=label, color=color)
    top.set_xticks([i + 0.32 for i in range(len(names))], names)
    top.set_ylabel("ms per step")
    top.set_title("Optimizer step time, 1,000,000 float64 parameters, one thread")
    tallest = max(v for med in steps.values() for v in med.values()) * 1e3
    top.set_ylim(0, tallest * 1.4)                       # room for the legend above the bars
    top.legend(frameon=False, ncols=3, loc="upper center", fontsize="small")
    x = range(len(explorers))
    plot_ms = [r["plot_p50_ms"] for r in explorers]
    bottom.bar(x, plot_ms, color="#E69F00", label="plot (computation, drawing into the figure)")
    bottom.bar(x, [r["render_p50_ms"] for r in explorers], bottom=plot_ms, color="#0072B2",
               label="render (painting, PNG)")
    bottom.plot(x, [r["after_pause_p50_ms"] for r in explorers], "o", color="#000000", markersize=4,
                label="main slider after a pause (p50)")
    bottom.axhline(50, color="#D55E00", linestyle="--", label="target p50 (50 ms)")
    chapter = lambda name: str(int(name[:2])) if name[:2].isdigit() else name[0].upper()  # noqa: E731
    bottom.set_xticks(x, [f"{chapter(r['chapter'])}.{sum(q['chapter'] == r['chapter'] for q in explorers[:i + 1])}"
                          for i, r in enumerate(explorers)], fontsize="small")
    bottom.set_xlabel("explorer (chapter.number)")
    bottom.set_ylabel("ms per update (p50 parts)")
    bottom.set_title("Explorer update: slider change to finished figure (a setting not drawn before)")
    tallest = max(r["plot_p50_ms"] + r["render_p50_ms"] for r in explorers)
    bottom.set_ylim(0, tallest * 1.35)                   # room for the legend above the bars
    bottom.legend(frameon=False, fontsize="small", ncols=2, loc="upper left")
    return fig


def readme_with_table(text, results, table):
    """The README's ``text`` with the summary ``table`` between its BENCHMARKS markers."""
    if START not in text or END not in text:
        raise ValueError(f"README.md has no {START} ... {END} markers; need both, for the benchmark table")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    block = "\n".join(["", f"Measured by `make bench` on {results['machine']}, on {results['date']}; details in "
                       "[benchmarks/REPORT.md](benchmarks/REPORT.md).", ""] + table + [""])
    return head + START + block + END + tail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the build and make-test timings")
    parser.add_argument("--from-results", action="store_true",
                        help=f"measure nothing: rewrite the report from {RESULTS.name}")
    args = parser.parse_args()
    if args.from_results:
        results = json.loads(RESULTS.read_text())
    else:
        results = {"machine": machine(), "date": datetime.date.today().isoformat(),
                   "steps": run_bench("bench_steps.py"), "sweep": run_bench("bench_sweep.py"),
                   "explorers": run_bench("bench_explorers.py"), "png": run_bench("bench_png.py"),
                   "lab": run_bench("bench_lab.py") if pathlib.Path(CHROMIUM).exists() else None,
                   "site": run_bench("bench_site.py") if (ROOT / "_build" / "html").is_dir() else None,
                   "build": None if args.quick else run_bench("bench_build.py")}
        previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        if "lab_idle_ahead" in previous:    # a separate experiment, dated (bench_lab.py --idle-ahead): kept
            results["lab_idle_ahead"] = previous["lab_idle_ahead"]
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    report, table = report_markdown(results)
    (HERE / "REPORT.md").write_text(report)
    report_figure(results).savefig(HERE / "report.png", metadata={"Software": None})
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(), results, table))
    print("\n".join(table))


if __name__ == "__main__":
    main()
