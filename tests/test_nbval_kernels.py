"""The nbval stage's kernels (tests/nbval_kernels.py): over IPC, each at paths of its own, and
started again when one does not answer."""

import glob
import os
import tempfile

import nbval.kernel
import pytest
from jupyter_client.blocking.client import BlockingKernelClient

import nbval_kernels


def answer(client, code):
    """What ``code`` prints in the kernel."""
    printed = []
    client.execute_interactive(code, timeout=30, output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
    return "".join(printed).strip()


def ipc_files(manager):
    return glob.glob(f"{glob.escape(manager.ip)}-*")


@pytest.fixture
def managers(monkeypatch):
    """Every KernelManager that nbval_kernels makes in the test, each shut down at the end."""
    made = []

    class Recorded(nbval_kernels.KernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            made.append(self)

    monkeypatch.setattr(nbval_kernels, "KernelManager", Recorded)
    yield made
    for manager in made:
        if manager.has_kernel and manager.is_alive():
            manager.shutdown_kernel(now=True)


def test_each_kernel_talks_over_ipc_at_paths_of_its_own_and_leaves_no_file_behind(managers):
    started = [nbval_kernels.start_new_kernel(kernel_name="python3") for _ in range(2)]
    first, second = (manager for manager, _ in started)
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip and os.path.dirname(first.ip) == tempfile.gettempdir()
    assert len(ipc_files(first)) == len(ipc_files(second)) == 5       # shell, iopub, stdin, control, heartbeat
    for n, (manager, client) in enumerate(started):
        assert answer(client, f"print(6 * {n + 7})") == str(6 * (n + 7))
        client.stop_channels()
        manager.shutdown_kernel()
        assert ipc_files(manager) == [] and not os.path.exists(manager.connection_file)


def test_a_kernel_that_does_not_answer_is_shut_down_and_another_started(managers, monkeypatch):
    calls = []
    original = BlockingKernelClient.wait_for_ready

    def first_never_answers(self, timeout=None):   # as if its answer were lost (the channels are up)
        calls.append(timeout)
        original(self, timeout=timeout)
        if len(calls) == 1:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    monkeypatch.setattr(BlockingKernelClient, "wait_for_ready", first_never_answers)
    manager, client = nbval_kernels.start_new_kernel(startup_timeout=60, kernel_name="python3")
    assert calls == [nbval_kernels.STARTUP_TIMEOUT_S] * 2                # each attempt waits at most that long
    assert managers == [managers[0], manager] and not managers[0].is_alive()
    assert answer(client, "print('ready')") == "ready"
    client.stop_channels()


def test_after_every_attempt_fails_the_error_is_nbvals_and_no_kernel_is_left(managers, monkeypatch):
    original = BlockingKernelClient.wait_for_ready

    def never(self, timeout=None):                  # as if every answer were lost (the channels are up)
        original(self, timeout=timeout)
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    monkeypatch.setattr(BlockingKernelClient, "wait_for_ready", never)
    with pytest.raises(RuntimeError, match="didn't respond in 30 seconds"):
        nbval_kernels.start_new_kernel(startup_timeout=60, kernel_name="python3")
    assert len(managers) == nbval_kernels.ATTEMPTS
    assert not any(manager.is_alive() for manager in managers)


def test_the_plugin_makes_nbvals_running_kernel_use_it(managers, monkeypatch):
    monkeypatch.setattr(nbval.kernel, "start_new_kernel", nbval.kernel.start_new_kernel)   # restored after
    nbval_kernels.pytest_configure(config=None)
    kernel = nbval.kernel.RunningKernel("python3", cwd=os.getcwd())
    try:
        assert managers == [kernel.km] and kernel.km.transport == "ipc"
    finally:
        kernel.stop()
