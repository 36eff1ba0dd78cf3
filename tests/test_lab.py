"""The live explorers in JupyterLab, as a reader of the notebooks uses them.

Starts the pinned JupyterLab on 127.0.0.1, in a temporary folder holding a
notebook written here (two explorers drawn with the course's modules), opens it
in headless Chromium (tests/conftest.py), runs every cell, then moves the
sliders with the keyboard and picks from the menus, as a reader does, and
checks that

* each explorer shows its live figure, and a new one after every move;
* the kernel stays alive, and every figure was drawn in its main thread:
  JupyterLab 4.4 and later hand the widgets' messages to a kernel subshell, a
  thread of its own, while the main thread draws figures ahead; matplotlib is
  not thread-safe (see ``explorers.Explorer._in_drawing_thread``);
* no cell shows an error;
* scrolled out of sight, an explorer keeps its view, and so its figures (an
  explorer with no view left lets go of them).

The book's pages are tested in tests/test_site.py; this is the notebook side.
Without Chromium these tests skip (fail under CI=true).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

TOKEN = "course-tests"
KERNEL = "jupyterapp.shell.currentWidget.sessionContext.session.kernel"

pytestmark = pytest.mark.site

SETUP = '''\
import threading

import explorers
import landscapes
import plotting
from explorers import Dropdown, Slider, explore
from optimizers import Adam, GradientDescent, run

explorers.MAX_FRAMES = 3       # the live figures are tested here, not the static ones
threads = set()                # the threads that drew a figure


def plot(lr, opt, fig=None):
    threads.add(threading.current_thread().name)
    valley = landscapes.Quadratic(condition=10)
    optimizer = GradientDescent(lr=lr) if opt == "GD" else Adam(lr=lr)
    traj = run(optimizer, valley, valley.start, steps=100)
    fig, (left, right) = plotting.figure(ncols=2, width=9, height=3.5, reuse=fig)
    plotting.trajectories(valley, {f"{opt}, η = {lr:.2f}": traj.path}, ax=left)
    plotting.loss_curves({f"{opt}, η = {lr:.2f}": traj.loss}, min_value=valley.min_value, ax=right)
    return fig
'''
EXPLORERS = [
    'explore(plot, Slider("lr", 0.05, 1.5, 0.05, value=0.5, label="learning rate η"),\n'
    '        Dropdown("opt", ["GD", "Adam"], label="optimizer"), title="First explorer")',
    'explore(plot, Slider("lr", 0.1, 2.0, 0.1, value=1.0, label="learning rate η"),\n'
    '        Dropdown("opt", ["Adam", "GD"], label="optimizer"), title="Second explorer")',
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path):
    """JupyterLab serving the folder ``root``, its settings and state kept there too.

    Yields the server's base URL (with its token) and the path of its log. Also
    used by benchmarks/bench_lab.py.
    """
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".config"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    log_path = root / ".lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={TOKEN}", "--LabApp.expose_app_in_browser=True",
             f"--LabApp.user_settings_dir={root / '.settings'}",
             f"--LabApp.workspaces_dir={root / '.workspaces'}", f"--ServerApp.root_dir={root}", "--allow-root"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, \
                        "JupyterLab did not start:\n" + log_path.read_text()
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/", log_path
        finally:
            server.terminate()
            server.wait(timeout=30)


def open_and_run_all(context, base_url: str, notebook: str, timeout_s: float = 120, before: str = ""):
    """A new page of ``context`` with ``notebook`` (a path under the server's root) open, every cell run
    (after the code ``before``, run in the kernel, not in a cell)."""
    page = context.new_page()
    page.goto(f"{base_url}lab/tree/{notebook}?token={TOKEN}&reset")
    page.wait_for_function(f"() => {{ try {{ return {KERNEL}.status === 'idle'; }} "
                           "catch (e) { return false; } }", timeout=60_000)
    if before:
        kernel_output(page, before)
    page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"() => {KERNEL}.status === 'idle' && jupyterapp.shell.currentWidget.content.widgets"
                           ".every(c => c.model.type !== 'code' || c.model.executionCount !== null)",
                           timeout=timeout_s * 1000, polling=200)
    return page


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a folder with the test notebook; yields its base URL and the server's log."""
    root = tmp_path_factory.mktemp("lab")
    filler = [nbformat.v4.new_markdown_cell(f"Reading on, page {i}.\n\n" + "A paragraph to scroll past. " * 120)
              for i in range(12)]                 # room to scroll the explorers out of sight
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(code) for code in EXPLORERS] + filler)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "explorers.ipynb")
    with running_lab(root) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab, chromium):
    """The notebook open in JupyterLab, every cell run."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    yield open_and_run_all(context, lab[0], "explorers.ipynb")
    context.close()


def kernel_output(page, code: str) -> str:
    """What ``code`` prints when run in the notebook's kernel (not in a cell)."""
    return page.evaluate("""async code => {
        const future = %s.requestExecute({code, store_history: false});
        let text = "";
        future.onIOPub = msg => { if (msg.header.msg_type === "stream") text += msg.content.text; };
        await future.done;
        return text.trim();
    }""" % KERNEL, code)


def figure_after(page, index: int, act) -> float:
    """Do ``act`` (a move), wait until the explorer in cell ``index`` shows a new figure.

    Returns the seconds from the first key press, input or change event of the
    move to the new image decoded, timed in the browser (a MutationObserver on
    the cell sees the new image as soon as it is in the page). Fails if the
    browser cannot decode the whole image (its last pixel, opaque in every
    figure of the book, is checked after the time is taken).
    """
    page.evaluate("""index => {
        const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
        const selector = '.widget-output img';
        const before = cell.querySelector(selector)?.src;
        const move = window.__move = {start: null, shown: null, error: null};
        for (const type of ['keydown', 'input', 'change']) {
            document.addEventListener(type, () => { move.start ??= performance.now(); },
                                      {capture: true, once: true});
        }
        const observer = new MutationObserver(() => {
            const img = cell.querySelector(selector);
            if (!img || img.src === before) return;
            observer.disconnect();
            img.decode().then(() => {
                move.shown = performance.now();
                const canvas = document.createElement('canvas');   // its last pixel: opaque once decoded whole
                canvas.width = canvas.height = 1;
                const context = canvas.getContext('2d');
                context.drawImage(img, img.naturalWidth - 1, img.naturalHeight - 1, 1, 1, 0, 0, 1, 1);
                if (context.getImageData(0, 0, 1, 1).data[3] !== 255) move.error = 'not decoded whole';
            }, error => { move.error = String(error); move.shown = performance.now(); });
        });
        observer.observe(cell, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    }""", index)
    act()
    try:
        page.wait_for_function("() => window.__move.shown !== null", timeout=30_000)
    except Exception as error:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        pytest.fail(f"no new figure in cell {index} after 30 s: kernel {page.evaluate(KERNEL + '.status')}; "
                    f"dialogs {dialogs}; {type(error).__name__}")
    error = page.evaluate("window.__move.error")
    assert error is None, f"the new figure in cell {index} did not decode: {error}"
    return page.evaluate("(window.__move.shown - window.__move.start) / 1000")


def test_every_move_shows_a_new_figure_drawn_in_the_kernels_main_thread(lab, page):
    _, log = lab
    for index in range(1, 1 + len(EXPLORERS)):
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".widget-output img").wait_for(timeout=30_000)    # drawn once shown
        handle = cell.locator(".noUi-handle").first
        readout = cell.locator(".widget-readout").first
        shown = [readout.inner_text()]
        for gap in (0.0, 0.0, 0.3, 0.3, 1.0):     # quick moves, and moves while it draws ahead
            figure_after(page, index, lambda: handle.press("ArrowRight"))
            shown.append(readout.inner_text())
            page.wait_for_timeout(gap * 1000)
        figure_after(page, index, lambda: cell.locator(".widget-dropdown select").select_option(index=1))
        figure_after(page, index, lambda: handle.press("ArrowLeft"))
        assert len(set(shown)) == len(shown), shown   # every move reached the widget
    assert kernel_output(page, "print(sorted(threads))") == "['MainThread']"
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
    assert "restarting kernel" not in log.read_text(), log.read_text()[-3000:]
    assert page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0


def test_an_explorer_scrolled_out_of_sight_keeps_its_view_and_its_figures(lab, page):
    """An explorer lets go of its figures once no view of it is left (explorers.Explorer._hidden),
    so JupyterLab must not remove the view of a cell the reader has only scrolled past. (Its
    default windowing, contentVisibility, keeps every cell; its "full" mode kept the explorers'
    views too, tried by hand with JupyterLab 4.6.6.)"""
    notebook = "jupyterapp.shell.currentWidget.content"
    views = ("import gc; print(sorted((e.output._view_count, len(e._frames) > 0) for e in gc.get_objects() "
             "if isinstance(e, explorers.Explorer)))")
    assert kernel_output(page, views) == "[(1, True), (1, True)]"
    page.evaluate(f"{notebook}.scrollToItem({notebook}.widgets.length - 1)")
    page.wait_for_function(f"() => {notebook}.widgets[{len(EXPLORERS)}].node.getBoundingClientRect().bottom < 0")
    page.wait_for_timeout(1000)                   # time for a view to go, if one were to
    assert kernel_output(page, views) == "[(1, True), (1, True)]"
    page.evaluate(f"{notebook}.scrollToItem(1)")
