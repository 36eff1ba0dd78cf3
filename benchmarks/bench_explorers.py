"""Explorer responsiveness: from a control change to a finished figure.

Every chapter notebook's code is run in this process, with the explorers'
static frames switched off (they are not part of a live update). Then, for
every explorer, each control in turn is moved through values spread over its
range, and the time from setting the widget's value to the new figure being
in the Output area is recorded: the chapter's computation, the drawing and
the PNG encoding, exactly what the live notebook does on a slider release
(the browser's decoding of the PNG is not included).

Reported per explorer: p50 and p95 over all moves, and the p50 of the two
parts of a move: the chapter's plot function (its computation and building the
figure) and the rendering (layout, drawing, PNG encoding). Also, as the floor of
a redesign that would keep one figure per explorer: the time to draw and encode
the last figure again, already laid out (see ``kept_figure_redraw``).
Target: p50 <= 50 ms, p95 <= 100 ms. Run: ``python benchmarks/bench_explorers.py [--json FILE]``.
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

ROOT = pathlib.Path(__file__).resolve().parent.parent
MOVES_PER_CONTROL = 8


def chapter_explorers(path):
    """Run a notebook's code cells here; return the Explorers it made, in order."""
    made = []
    original_init, original_static = explorers.Explorer.__init__, explorers.Explorer._static_html

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    explorers.Explorer.__init__ = recording_init
    explorers.Explorer._static_html = lambda self: ""
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
        explorers.Explorer.__init__, explorers.Explorer._static_html = original_init, original_static
    return made


def time_moves(explorer):
    """Per move over spread values of each control: (total, plot, render) seconds.

    total: from setting the widget's value to the new figure in the Output area;
    plot: the chapter's plot function (its computation and building the figure);
    render: drawing the figure (layout and painting) and encoding the PNG.
    """
    explorer.widget                                       # build the live widget
    phases = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                result = phases[name + "_result"] = function(*args, **kwargs)
                return result
            finally:
                phases[name] = time.perf_counter() - start
        return wrapper

    explorer._figure = timed("plot", explorer._figure)    # instance attributes shadow the methods
    explorer._png = timed("render", explorer._png)
    times = []
    for spec in explorer.controls_spec:
        widget = explorer.controls[spec.name]
        values = spec.values()
        picks = [values[i] for i in np.linspace(0, len(values) - 1, MOVES_PER_CONTROL).round().astype(int)]
        for value in picks + [spec.value]:
            if value == widget.value:
                continue
            start = time.perf_counter()
            widget.value = value                         # observe() redraws synchronously
            times.append((time.perf_counter() - start, phases["plot"], phases["render"]))
            assert explorer.output.outputs and explorer.output.outputs[0]["output_type"] == "display_data", \
                f"{explorer.title}: no figure after setting {spec.name} = {value!r}"
    return times, kept_figure_redraw(phases["plot_result"])


def kept_figure_redraw(fig, repeats=5):
    """Median seconds to draw and encode a figure that already exists and is laid out.

    The floor of a redesign that keeps one figure per explorer and moves its
    artists in place: no new figure, axes or ticks, no layout pass; every
    artist is still painted (no blitting) and the PNG still encoded.
    """
    explorers.Explorer._png(fig, explorers.LIVE_DPI)     # lays it out once at the live resolution
    fig.set_layout_engine("none")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        explorers.Explorer._png(fig, explorers.LIVE_DPI)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("notebooks", nargs="*", help="default: every chapters/*.ipynb")
    args = parser.parse_args()
    paths = [pathlib.Path(p) for p in args.notebooks] or sorted((ROOT / "chapters").glob("*.ipynb"))
    rows = []
    for path in paths:
        for explorer in chapter_explorers(path.resolve()):
            moves, kept = time_moves(explorer)
            t = np.array(moves) * 1e3                           # columns: total, plot, render
            row = {"chapter": path.stem, "title": explorer.title, "moves": len(t),
                   "p50_ms": float(np.percentile(t[:, 0], 50)), "p95_ms": float(np.percentile(t[:, 0], 95)),
                   "plot_p50_ms": float(np.percentile(t[:, 1], 50)),
                   "render_p50_ms": float(np.percentile(t[:, 2], 50)),
                   "kept_figure_ms": kept * 1e3}
            rows.append(row)
            flag = "" if row["p50_ms"] <= 50 and row["p95_ms"] <= 100 else "  (over target)"
            print(f"{path.stem:28s} p50 {row['p50_ms']:6.0f} ms  p95 {row['p95_ms']:6.0f} ms  "
                  f"(plot {row['plot_p50_ms']:4.0f}, render {row['render_p50_ms']:4.0f}, kept figure "
                  f"{row['kept_figure_ms']:4.0f})  {explorer.title}{flag}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
