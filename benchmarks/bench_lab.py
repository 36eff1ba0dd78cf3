"""Explorer responsiveness in JupyterLab, as a reader sees it: key press to new figure.

bench_explorers.py times the kernel's side of a move, from setting a widget's
value to the PNG in the Output area. This times all of it in the pinned
JupyterLab and headless Chromium: the slider's message to the kernel, the
kernel's answer (a figure drawn now, or one drawn ahead), the figure's way
back and the browser showing it. Each chapter is opened from a copy of
chapters/ (JupyterLab saves what it opens), every cell run, and then, for
every explorer, its first slider is moved one step at a time with the arrow
keys (an explorer without a slider: its first menu, to the next choice), each
move timed from the key press to the new image shown (decoded):

* ``at once``: the next move as soon as the figure is shown, a reader
  stepping along: mostly settings not drawn yet, unless drawing ahead got
  there first, and the kernel may be in the middle of drawing one ahead;
* ``after a pause``: PAUSE_S seconds before each move, a reader looking at
  each figure; drawing ahead has had that long.

Every explorer of a chapter draws ahead once its widget is shown, and after
"Run All" JupyterLab shows all of them, so these moves compete with that, as a
reader's do, until the first move (then the others wait for the reader to
pause: ``explorers.IDLE_AHEAD_S``). Reported per explorer: p50 and p95 of each kind of move, in ms
(numpy's percentiles, as in bench_explorers.py). Target: p50 <= 50 ms, p95 <= 100 ms.

``--idle-ahead S [S ...]``: run each chapter once per value of
``explorers.IDLE_AHEAD_S`` (how long the explorers not in use wait for the
reader to pause before they draw ahead; 0: at once, as before it existed),
one after the other, to compare them side by side. ``--read S``: wait S
seconds before moving each explorer, a reader reading the text before it
(default 0: straight from one explorer to the next).
Run: ``python benchmarks/bench_lab.py [--json FILE] [--chapters 00 04 ...] [--idle-ahead S ...] [--read S]``.
"""

import argparse
import json
import pathlib
import shutil
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_lab import figure_after, open_and_run_all, running_lab  # noqa: E402

MOVES = 6
PAUSE_S = 2.0


def time_explorer(page, index):
    """Moves of the explorer in cell ``index``: (at once, after a pause) in seconds.

    The moved control: the first slider, one step with an arrow key (back from
    its right end); without a slider, the first menu, to its next choice.
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".widget-output img").wait_for(timeout=120_000)
    if cell.locator(".noUi-handle").count():
        handle = cell.locator(".noUi-handle").first

        def move():
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.press("ArrowLeft" if at_end else "ArrowRight")
    else:
        menu = cell.locator(".widget-dropdown select").first

        def move():
            choices = menu.locator("option").count()
            menu.select_option(index=(menu.evaluate("m => m.selectedIndex") + 1) % choices)

    def step():
        return figure_after(page, index, move)

    at_once = [step() for _ in range(MOVES)]
    after_pause = []
    for _ in range(MOVES):
        page.wait_for_timeout(PAUSE_S * 1000)
        after_pause.append(step())
    return at_once, after_pause


def bench_chapter(browser, base_url, notebook, idle_ahead=None, read_s=0.0):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        start = time.monotonic()
        before = "" if idle_ahead is None else f"import explorers; explorers.IDLE_AHEAD_S = {idle_ahead!r}"
        page = open_and_run_all(context, base_url, notebook, timeout_s=900, before=before)
        run_all_s = time.monotonic() - start
        cells = page.evaluate("""() => jupyterapp.shell.currentWidget.content.widgets.map((c, i) =>
            c.node.querySelector('.widget-output') &&
            (c.node.querySelector('.noUi-handle') || c.node.querySelector('.widget-dropdown select')) ? i : -1)
            .filter(i => i >= 0)""")
        rows = []
        for index in cells:
            title = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".widget-html b").first.text_content()
            page.wait_for_timeout(read_s * 1000)
            at_once, after_pause = time_explorer(page, index)
            rows.append({"chapter": notebook, "title": title, "run_all_s": round(run_all_s, 1),
                         **({} if idle_ahead is None else {"idle_ahead_s": idle_ahead}),
                         **({"read_s": read_s} if read_s else {}),
                         **{f"{kind}_p{q}_ms": round(float(np.percentile(times, q)) * 1e3)
                            for kind, times in (("at_once", at_once), ("after_pause", after_pause))
                            for q in (50, 95)},
                         "at_once_ms": [round(t * 1e3) for t in at_once],
                         "after_pause_ms": [round(t * 1e3) for t in after_pause]})
        page.evaluate("jupyterapp.shell.currentWidget.sessionContext.shutdown()")   # or it draws on, ahead
        return rows
    finally:
        context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--chapters", nargs="*", help="chapter name prefixes (default: all)")
    parser.add_argument("--idle-ahead", nargs="*", type=float, default=[None],
                        help="values of explorers.IDLE_AHEAD_S to compare (default: the module's)")
    parser.add_argument("--read", type=float, default=0.0, help="seconds to wait before each explorer's moves")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    notebooks = sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb")
                       if not args.chapters or any(p.name.startswith(c) for c in args.chapters))
    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = pathlib.Path(tmp)
        (root / "chapters").mkdir()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        with running_lab(root) as (base_url, _):
            for name, idle_ahead in ((n, v) for n in notebooks for v in args.idle_ahead):
                shutil.copy2(ROOT / "chapters" / name, root / "chapters" / name)   # as committed, each run
                rows = bench_chapter(browser, base_url, f"chapters/{name}", idle_ahead, args.read)
                tag = "" if idle_ahead is None else f"idle {idle_ahead:g} s: "
                for r in rows:
                    print(f"  {name:32s} {tag}{r['title'][:48]:48s} at once {r['at_once_p50_ms']:5d} / "
                          f"{r['at_once_p95_ms']:5d} ms; after {PAUSE_S:.0f} s {r['after_pause_p50_ms']:5d} / "
                          f"{r['after_pause_p95_ms']:5d} ms", flush=True)
                results += rows
        browser.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
