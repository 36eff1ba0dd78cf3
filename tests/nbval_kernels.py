"""A pytest plugin for the nbval stage (``make nbval``): kernels that start reliably side by side.

nbval starts each notebook's kernel with jupyter_client's defaults: TCP, on
ports that jupyter_client finds free, lets go of, and writes to the
connection file for the kernel to take about a second later. With other
kernels starting meanwhile (the other xdist worker's; JupyterLab's in the
browser tests, which ``make test`` runs beside nbval), another process can
take one of those ports first. A kernel that does not answer makes nbval
fail every cell of its notebook with "Kernel didn't respond in 60 seconds":
it happened in a ``make test`` run on 2026-12-02, once in many runs. nbval
sends the kernel's stderr to /dev/null, so the cause was not seen; a port
taken is the likeliest (jupyter/jupyter_client#154), and kernels that hang
while starting are known too (jupyter-book/mystmd#2874 starts them again).

Loaded with ``-p nbval_kernels`` (tests/ is on pytest's ``pythonpath``), it
replaces ``nbval.kernel.start_new_kernel``:

* each kernel talks over IPC (Unix sockets) instead of TCP, at paths named
  after its own connection file, in the temporary directory, so no two
  kernels can ever want the same address;
* a kernel that still does not answer within ``STARTUP_TIMEOUT_S`` is shut
  down and a new one started, up to ``ATTEMPTS`` kernels in all.
"""

import os
import tempfile
import uuid

import nbval.kernel
from jupyter_client.manager import KernelManager

ATTEMPTS = 3
STARTUP_TIMEOUT_S = 30


def start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
    """What ``nbval.kernel.start_new_kernel`` does, over IPC, and again if a kernel does not answer."""
    for attempt in range(1, ATTEMPTS + 1):
        connection_file = os.path.join(tempfile.gettempdir(), f"nbval-kernel-{uuid.uuid4()}.json")
        manager = KernelManager(kernel_name=kernel_name, transport="ipc", connection_file=connection_file,
                                kernel_spec_manager=nbval.kernel.NbvalKernelspecManager())
        manager.start_kernel(**kwargs)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=min(startup_timeout, STARTUP_TIMEOUT_S))
            return manager, client
        except RuntimeError:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            if attempt == ATTEMPTS:
                raise


def pytest_configure(config):
    assert callable(getattr(nbval.kernel, "start_new_kernel", None)), \
        "nbval.kernel.start_new_kernel is gone: tests/nbval_kernels.py needs updating for this nbval"
    nbval.kernel.start_new_kernel = start_new_kernel
