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
* no cell shows an error.

The book's pages are tested in tests/test_site.py; this is the notebook side.
Without Chromium these tests skip (fail under CI=true).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a folder with the test notebook; yields its URL and the server's log."""
    root = tmp_path_factory.mktemp("lab")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(code) for code in EXPLORERS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "explorers.ipynb")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".config"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", "--LabApp.expose_app_in_browser=True",
         f"--LabApp.user_settings_dir={root / '.settings'}", f"--LabApp.workspaces_dir={root / '.workspaces'}",
         f"--ServerApp.root_dir={root}", "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    "JupyterLab did not start:\n" + (root / "lab.log").read_text()
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/lab/tree/explorers.ipynb?token={TOKEN}&reset", root / "lab.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(lab, chromium):
    """The notebook open in JupyterLab, every cell run."""
    url, _ = lab
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(f"() => {{ try {{ return {KERNEL}.status === 'idle'; }} "
                           "catch (e) { return false; } }", timeout=60_000)
    page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')"
                           f".length === {1 + len(EXPLORERS)} && [...document.querySelectorAll("
                           "'.jp-Notebook .jp-InputArea-prompt')].every(p => /\\[\\d+\\]/.test("
                           "p.textContent))", timeout=120_000)
    yield page
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
    """Do ``act`` (a move), wait until the explorer in cell ``index`` shows a new figure; the seconds it took."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    before = cell.locator(".widget-output img").get_attribute("src")
    start = time.monotonic()
    act()
    try:
        page.wait_for_function("([index, before]) => { const img = document.querySelectorAll('.jp-Notebook "
                               ".jp-Cell')[index].querySelector('.widget-output img');"
                               " return img !== null && img.src !== before && img.complete; }",
                               arg=[index, before], timeout=30_000)
    except Exception as error:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        pytest.fail(f"no new figure in cell {index} after 30 s: kernel {page.evaluate(KERNEL + '.status')}; "
                    f"dialogs {dialogs}; {type(error).__name__}")
    return time.monotonic() - start


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
