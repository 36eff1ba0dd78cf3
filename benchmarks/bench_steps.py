"""Optimizer step speed on 1,000,000 float64 parameters, one thread.

For each optimizer (Momentum twice: in the course's default form, an average
of ``-lr * g``, and in PyTorch's, ``convention="pytorch"``, the formula that
``torch.optim.SGD`` computes), three to five implementations of the same
update run side by side, interleaved round by round so that the machine's
noise hits them alike:

* ``course``: ``optimizers.py``'s ``step``, validation included (the code the
  book shows and runs);
* ``fused``: ``fused.step``, the same update compiled into one pass over
  memory (numba), validation included; tested equal, bit for bit, to the
  ``course`` step (tests/test_fused.py);
* ``naive``: the formula as the shortest numpy expressions, no validation,
  temporaries everywhere (what a reader would type first);
* ``torch-foreach`` and ``torch-fused``: ``torch.optim`` with
  ``foreach=True`` / ``fused=True``, when torch is installed and the class
  has the option, with ``torch.set_num_threads(1)``.

Reported: the median time per step of each, and its ratio to torch-foreach.
Run: ``python benchmarks/bench_steps.py [--json FILE]``.
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import fused  # noqa: E402
import optimizers  # noqa: E402

N = 1_000_000
ROUNDS = 15


def naive_steps():
    """The formulas as plain numpy, one function per optimizer: (make_state, step)."""
    def gd(x, g, st):
        x -= 0.01 * g

    def adagrad(x, g, st):
        st["s"] = st["s"] + g ** 2
        x -= 0.01 / np.sqrt(st["s"] + 1e-8) * g

    def rmsprop(x, g, st):
        st["s"] = 0.9 * st["s"] + (1 - 0.9) * g ** 2
        x -= 0.01 / np.sqrt(st["s"] + 1e-8) * g

    def momentum(x, g, st):
        st["v"] = 0.9 * st["v"] + (1 - 0.9) * (-0.01 * g)
        x += st["v"]

    def momentum_pytorch(x, g, st):
        st["v"] = 0.9 * st["v"] + g
        x -= 0.01 * st["v"]

    def adam(x, g, st):
        st["t"] += 1
        st["v"] = 0.9 * st["v"] + 0.1 * g
        st["s"] = 0.999 * st["s"] + 0.001 * g ** 2
        v_hat = st["v"] / (1 - 0.9 ** st["t"])
        s_hat = st["s"] / (1 - 0.999 ** st["t"])
        x -= 0.001 / (np.sqrt(s_hat) + 1e-8) * v_hat

    return {"GradientDescent": gd, "AdaGrad": adagrad, "RMSProp": rmsprop, "Momentum": momentum,
            "Momentum (pytorch)": momentum_pytorch, "Adam": adam}


COURSE = {
    "GradientDescent": lambda: optimizers.GradientDescent(lr=0.01),
    "AdaGrad": lambda: optimizers.AdaGrad(lr=0.01),
    "RMSProp": lambda: optimizers.RMSProp(lr=0.01),
    "Momentum": lambda: optimizers.Momentum(lr=0.01),
    "Momentum (pytorch)": lambda: optimizers.Momentum(lr=0.01, convention="pytorch"),   # torch's own form
    "Adam": lambda: optimizers.Adam(lr=0.001),
}
TORCH = {   # the torch.optim class and arguments closest to each course optimizer
    "GradientDescent": ("SGD", {"lr": 0.01}),
    "AdaGrad": ("Adagrad", {"lr": 0.01}),
    "RMSProp": ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    "Momentum": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "Momentum (pytorch)": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "Adam": ("Adam", {"lr": 0.001}),
}


def contenders(name, x0, g):
    """name -> (a function doing one step, the parameters it updates in place), each
    contender on its own copy of ``x0``, with the gradient ``g``."""
    out = {}

    opt, x_c = COURSE[name](), x0.copy()
    state = opt.init(x_c)
    out["course"] = (lambda: opt.step(x_c, g, state)), x_c

    opt_f, x_f = COURSE[name](), x0.copy()
    state_f = opt_f.init(x_f)
    out["fused"] = (lambda: fused.step(opt_f, x_f, g, state_f)), x_f

    naive, x_n = naive_steps()[name], x0.copy()
    st = {"t": 0, "s": np.zeros_like(x0), "v": np.zeros_like(x0)}
    out["naive"] = (lambda: naive(x_n, g, st)), x_n

    try:
        import torch
    except ImportError:
        return out
    torch.set_num_threads(1)
    cls_name, kwargs = TORCH[name]
    cls = getattr(torch.optim, cls_name)

    def torch_optimizer(mode):
        p = torch.tensor(x0, dtype=torch.float64)
        p.grad = torch.tensor(g, dtype=torch.float64)
        return cls([p], **kwargs, **{mode: True}), p

    for mode in ("foreach", "fused"):
        try:
            torch_optimizer(mode)[0].step()      # on a copy: fails here if the class has no such mode
        except (RuntimeError, TypeError, ValueError):
            continue
        t_opt, p = torch_optimizer(mode)
        out[f"torch-{mode}"] = t_opt.step, p
    return out


def measure(name, rounds=ROUNDS, seed=0):
    rng = np.random.default_rng(seed)
    x0, g = rng.standard_normal(N), rng.standard_normal(N)
    steps = {k: step for k, (step, _) in contenders(name, x0, g).items()}
    for f in steps.values():                   # warm up: caches, lazy state, the allocator's pools
        f()
        f()
    times = {k: [] for k in steps}
    for _ in range(rounds):
        for k, f in steps.items():             # interleaved: every contender in every round
            start = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    results = {}
    print(f"Step time on {N:,} float64 parameters, one thread (median of {args.rounds} interleaved rounds)")
    for name in COURSE:
        med = measure(name, args.rounds)
        results[name] = med
        ref = med.get("torch-foreach")
        cells = []
        for k, v in med.items():
            ratio = f" ({v / ref:.2f}x foreach)" if ref else ""
            cells.append(f"{k} {v * 1e3:.2f} ms{ratio}")
        print(f"  {name:16s} " + "; ".join(cells))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
