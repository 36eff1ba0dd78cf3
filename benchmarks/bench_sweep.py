"""Batched sweeps: 1,000 configurations for 1,000 steps on a 2-D landscape.

One call of ``optimizers.run`` with array hyperparameters (x0 of shape
(1000, 2), lr and beta1 of shape (1000, 1)) against a Python loop that runs
the same configurations one at a time. The loop is timed on an evenly spread
subset of the configurations (``--loop-configs``, default 100) and scaled to
1,000, alternating with batched runs so both see the same machine load; the
results of the subset are checked equal, bit for bit, to the batch's rows.
Run: ``python benchmarks/bench_sweep.py [--json FILE]``.
"""

import argparse
import json
import statistics
import time

import numpy as np

from landscapes import Rosenbrock
from optimizers import Adam, run

CONFIGS, STEPS = 1000, 1000


def sweep_settings():
    lr = np.geomspace(1e-4, 1e-1, 40)
    beta1 = np.linspace(0.0, 0.99, 25)
    grid = np.array([(a, b) for a in lr for b in beta1])       # 40 x 25 = 1000 configurations
    return grid[:, :1], grid[:, 1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--loop-configs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    land = Rosenbrock()
    lr, beta1 = sweep_settings()
    x0 = np.tile(land.start, (CONFIGS, 1))
    subset = np.linspace(0, CONFIGS - 1, args.loop_configs).round().astype(int)

    batched, looped = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        batch = run(Adam(lr=lr, beta1=beta1), land, x0, STEPS)
        batched.append(time.perf_counter() - start)
        start = time.perf_counter()
        singles = [run(Adam(lr=lr[i, 0], beta1=beta1[i, 0]), land, land.start, STEPS) for i in subset]
        looped.append((time.perf_counter() - start) * CONFIGS / len(subset))
    for i, single in zip(subset, singles):
        np.testing.assert_array_equal(batch.path[:, i], single.path)

    result = {"batched_s": statistics.median(batched), "loop_s_scaled": statistics.median(looped),
              "loop_configs_timed": int(len(subset)), "configs": CONFIGS, "steps": STEPS}
    result["speedup"] = result["loop_s_scaled"] / result["batched_s"]
    print(f"{CONFIGS} Adam configurations x {STEPS} steps on Rosenbrock: "
          f"batched {result['batched_s']:.2f} s, loop {result['loop_s_scaled']:.1f} s "
          f"(timed on {len(subset)} configurations, scaled), speed-up {result['speedup']:.0f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
