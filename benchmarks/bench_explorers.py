"""Explorer responsiveness: from a control change to a finished figure.

Every chapter notebook's code is run in this process, as a reader's kernel
runs it (the explorers' static frames included: a chapter may cache what
they compute, and a reader's kernel has computed them too). Then, for
every explorer, each control in turn is moved through values spread over its
range, and the time from setting the widget's value to the new figure being
in the Output area is recorded: the chapter's computation, the drawing and
the PNG encoding, exactly what the live notebook does on a slider release
(the browser's decoding of the PNG is not included).

Before each chapter's explorers, the machine's speed is taken: the time of
one fixed figure (``reference_figure_ms``). Reported per explorer: p50 and
p95 over the moves to a setting not drawn before, and the p50 of the two
parts of such a move: the chapter's plot function (its computation, and
building the figure or drawing into the kept one again) and the rendering
(painting and PNG encoding); how many moves painted only what changed
(blits); and how many moves were back to a setting drawn before, which the
explorer shows again at once.

Then moves after a pause: a live explorer draws ahead, while the reader
pauses, the figures for one step either way of every control and for the
main control's other values (see ``Explorer.ahead``). Reported: how long
drawing all of them ahead takes (the pause needed, at the defaults), then p50
and p95 of moves of the main control to spread values, and of one step either
way of each other control. Target: p50 <= 50 ms, p95 <= 100 ms.
Run: ``python benchmarks/bench_explorers.py [--json FILE]``.
"""

import argparse
import contextlib
import io
import json
import os
import pathlib
import time

import matplotlib
import nbformat
import numpy as np

matplotlib.use("Agg")

import explorers  # noqa: E402
import landscapes  # noqa: E402
import optimizers  # noqa: E402
import plotting  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
MOVES_PER_CONTROL = 8


def chapter_explorers(path):
    """Run a notebook's code cells here; return the Explorers it made, in order."""
    made = []
    original_init = explorers.Explorer.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    explorers.Explorer.__init__ = recording_init
    namespace = {"__name__": "__main__"}
    cwd = os.getcwd()
    try:
        os.chdir(path.parent)
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, f"{path.name}", "exec"), namespace)
    finally:
        os.chdir(cwd)
        explorers.Explorer.__init__ = original_init
    return made


def time_moves(explorer):
    """Per move over spread values of each control: (total, plot, render) seconds.

    total: from setting the widget's value to the new figure in the Output area;
    plot: the chapter's plot function (its computation, and building the figure
    or, for a kept figure, drawing into it again);
    render: painting the figure (all of it, or only what changed) and encoding the PNG.
    Only moves to a setting not drawn before; also returns how many moves only
    painted what changed (blits), for a kept figure, and how many were back to a
    setting drawn before (shown again without drawing).
    """
    phases = {}
    plot = explorer.plot

    def timed_plot(**values):
        start = time.perf_counter()
        try:
            return plot(**values)
        finally:
            phases["plot"] = time.perf_counter() - start

    explorer.plot = timed_plot                           # the live drawing is made with it, on first use
    explorer.output._view_count = 1                      # what a frontend does: the first figure is drawn
    shown = _when_shown(explorer)
    times, again = [], 0
    for spec in explorer.controls_spec:
        widget = explorer.controls[spec.name]
        for value in _picks(spec) + [spec.value]:
            if value == widget.value:
                continue
            phases.pop("plot", None)
            start = time.perf_counter()
            widget.value = value                         # observe() redraws synchronously
            total = shown[-1] - start
            _check_figure(explorer, spec.name, value)
            if "plot" in phases:
                times.append((total, phases["plot"], total - phases["plot"]))
            else:
                again += 1
    blits = getattr(explorer._live, "blits", 0)
    return times, blits, again


def time_after_pause(explorer):
    """Moves once the explorer has drawn ahead (see ``Explorer.ahead``), from the defaults:
    (seconds to draw ahead everything, [seconds per main-control move], [seconds per step of another control]).

    First the pause, drawing ahead until nothing is left; then, control by
    control, the reader's next moves: the main control to spread values (and
    back to its default), every other control one step each way from its
    default, each step after drawing ahead again until nothing is left (the
    move back is shown again, untimed).
    """
    start = time.perf_counter()
    while explorer.draw_ahead():
        pass
    ahead = time.perf_counter() - start
    shown = _when_shown(explorer)

    def timed_move(spec, value):
        widget = explorer.controls[spec.name]
        start = time.perf_counter()
        widget.value = value
        _check_figure(explorer, spec.name, value)
        return shown[-1] - start

    main_moves, steps = [], []
    for spec in explorer.controls_spec:
        widget = explorer.controls[spec.name]
        if spec.name == explorer.main:
            for value in _picks(spec) + [spec.value]:
                if value != widget.value:
                    main_moves.append(timed_move(spec, value))
            continue
        grid, here = spec.values(), spec.index(spec.value)
        for i in (here - 1, here + 1):
            if 0 <= i < len(grid):
                while explorer.draw_ahead():
                    pass
                steps.append(timed_move(spec, grid[i]))
                widget.value = spec.value                       # back: shown again
    return ahead, main_moves, steps


def _when_shown(explorer):
    """A list to which each new content of the explorer's Output area appends its time: a move
    ends there, its message sent (Python's garbage collection, held back meanwhile, comes after:
    see explorers._hold_back_collection)."""
    shown = []
    explorer.output.observe(lambda change: shown.append(time.perf_counter()), "outputs")
    return shown


def _picks(spec):
    values = spec.values()
    return [values[i] for i in np.linspace(0, len(values) - 1, MOVES_PER_CONTROL).round().astype(int)]


def _check_figure(explorer, name, value):
    assert explorer.output.outputs and explorer.output.outputs[0]["output_type"] == "display_data", \
        f"{explorer.title}: no figure after setting {name} = {value!r}"


def command_line(doc):
    """The arguments of a benchmark over the chapters' explorers: --json FILE, then notebooks."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("notebooks", nargs="*", help="default: every chapters/*.ipynb")
    return parser.parse_args()


def each_explorer(notebooks):
    """(notebook path, Explorer) for every explorer of ``notebooks`` (default: every chapter), in order."""
    paths = [pathlib.Path(p) for p in notebooks] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        for explorer in chapter_explorers(path.resolve()):
            yield path, explorer


def reference_figure_ms():
    """How fast the machine is now, at the explorers' kind of work: milliseconds for one fixed
    figure, the best of five: gradient descent's and AdaGrad's 300 steps on a 2-D valley, drawn
    whole in a new figure (contours, paths, a log-scale loss panel, legends), then encoded as a
    live PNG. These machines drift by a quarter or more from one hour to the next, and not
    alike for every kind of work (a loop over tiny arrays kept its speed in a run where drawing
    took half as long again); this tells a slow hour from slower code."""
    valley = landscapes.Quadratic(condition=25)

    def plot():
        runs = {"GD": optimizers.run(optimizers.GradientDescent(lr=1.0), valley, valley.start, 300),
                "AdaGrad": optimizers.run(optimizers.AdaGrad(lr=1.0), valley, valley.start, 300)}
        fig, (left, right) = plotting.figure(ncols=2, width=10, height=3.8)
        plotting.trajectories(valley, runs, ax=left)
        plotting.loss_curves(runs, ax=right)
        return fig

    drawing = explorers._NewFigures(plot, explorers.LIVE_DPI)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        image, _ = drawing.image({})
        explorers._quick_png(image)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main():
    args = command_line(__doc__)
    rows, reference = [], {}
    for path, explorer in each_explorer(args.notebooks):
        if path not in reference:                            # once per chapter, before its explorers
            reference[path] = reference_figure_ms()
        moves, blits, again = time_moves(explorer)
        t = np.array(moves) * 1e3                           # columns: total, plot, render
        ahead_s, after, steps = time_after_pause(explorer)
        a, s = np.array(after) * 1e3, np.array(steps) * 1e3
        kept_bytes = sum(len(o["data"]["image/png"]) * 3 / 4 for o in explorer._frames.values() if "data" in o)
        row = {"chapter": path.stem, "title": explorer.title, "moves": len(t),
               "p50_ms": float(np.percentile(t[:, 0], 50)), "p95_ms": float(np.percentile(t[:, 0], 95)),
               "plot_p50_ms": float(np.percentile(t[:, 1], 50)),
               "render_p50_ms": float(np.percentile(t[:, 2], 50)),
               "kept": explorer.kept, "blits": blits, "again": again,
               "reference_figure_ms": reference[path],
               "ahead_s": ahead_s, "after_pause_moves": len(a),
               "kept_figures": len(explorer._frames), "kept_mb": kept_bytes / 1e6,
               "after_pause_p50_ms": float(np.percentile(a, 50)),
               "after_pause_p95_ms": float(np.percentile(a, 95)),
               "step_after_pause_moves": len(s),
               **({"step_after_pause_p50_ms": float(np.percentile(s, 50)),
                   "step_after_pause_p95_ms": float(np.percentile(s, 95))} if len(s) else {})}
        rows.append(row)
        flag = "" if row["p50_ms"] <= 50 and row["p95_ms"] <= 100 else "  (over target)"
        print(f"{path.stem:28s} p50 {row['p50_ms']:6.0f} ms  p95 {row['p95_ms']:6.0f} ms  "
              f"(plot {row['plot_p50_ms']:4.0f}, render {row['render_p50_ms']:4.0f}, "
              f"{blits}/{len(t)} blits, {again} shown again); after a {ahead_s:.1f} s pause: "
              f"p50 {row['after_pause_p50_ms']:.1f} ms  p95 {row['after_pause_p95_ms']:.1f} ms, "
              f"one step of another control {row.get('step_after_pause_p50_ms', float('nan')):.1f} / "
              f"{row.get('step_after_pause_p95_ms', float('nan')):.1f} ms  "
              f"({row['kept_figures']} figures kept, {row['kept_mb']:.1f} MB)  "
              f"{explorer.title}{flag}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
