"""Run every benchmark and write the report: benchmarks/REPORT.md, benchmarks/report.png
and the figures table in README.md (between the BENCHMARKS markers).

Run: ``make bench`` (or ``python benchmarks/report.py [--quick]``; --quick skips the
build and make-test timings, which take the longest).
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- BENCHMARKS:START -->", "<!-- BENCHMARKS:END -->"


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
    return "yes" if flag else "**no**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the build and make-test timings")
    args = parser.parse_args()
    steps = run_bench("bench_steps.py")
    sweep = run_bench("bench_sweep.py")
    explorers = run_bench("bench_explorers.py")
    site = run_bench("bench_site.py") if (ROOT / "_build" / "html").is_dir() else None
    build = None if args.quick else run_bench("bench_build.py")

    lines = [f"Measured on {machine()}. Ratios are measured side by side in one run; absolute times are of this "
             "machine only.", ""]
    summary = []

    lines += ["## Explorer responsiveness (slider change to finished figure)", "",
              "| chapter | explorer | p50 ms | p95 ms | on target (50 / 100 ms) |", "|---|---|---|---|---|"]
    for r in explorers:
        lines.append(f"| {r['chapter']} | {r['title']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                     f"{ok(r['p50_ms'] <= 50 and r['p95_ms'] <= 100)} |")
    worst50 = max(r["p50_ms"] for r in explorers)
    worst95 = max(r["p95_ms"] for r in explorers)
    summary.append(("Explorer update, worst p50 / p95", f"{worst50:.0f} / {worst95:.0f} ms", "50 / 100 ms",
                    worst50 <= 50 and worst95 <= 100))

    lines += ["", "## Optimizer step, 1,000,000 float64 parameters, one thread", "",
              "| optimizer | course | naive numpy | torch foreach | torch fused | course / foreach |",
              "|---|---|---|---|---|---|"]
    worst = 0.0
    for name, med in steps.items():
        cell = lambda k: f"{med[k] * 1e3:.2f} ms" if k in med else "n/a"  # noqa: E731
        ratio = med["course"] / med["torch-foreach"] if "torch-foreach" in med else float("nan")
        worst = max(worst, ratio)
        lines.append(f"| {name} | {cell('course')} | {cell('naive')} | {cell('torch-foreach')} | "
                     f"{cell('torch-fused')} | {ratio:.2f} |")
    summary.append(("Optimizer step, worst course / torch foreach", f"{worst:.2f}x", "<= 1x", worst <= 1))

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

    if site:
        lines += ["", "## Site weight", "", f"Total {site['total_bytes'] / 1e6:.1f} MB (budget 40 MB).", "",
                  "| page | MB |", "|---|---|"]
        for page, size in sorted(site["pages"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {page} | {size / 1e6:.2f} |")
        heaviest = max(site["pages"].values())
        summary.append(("Site total / heaviest page",
                        f"{site['total_bytes'] / 1e6:.1f} / {heaviest / 1e6:.2f} MB", "40 / 4 MB",
                        site["total_bytes"] <= 40e6 and heaviest <= 4e6))

    table = ["| measure | now | target | met |", "|---|---|---|---|"]
    table += [f"| {m} | {v} | {t} | {ok(flag)} |" for m, v, t, flag in summary]
    report = ["# Benchmark report", "", "Written by `make bench` (benchmarks/report.py).", ""] + table + [""] + lines
    (HERE / "REPORT.md").write_text("\n".join(report) + "\n")

    fig = Figure(figsize=(7, 3.5), dpi=100, layout="constrained")
    ax = fig.subplots()
    names = list(steps)
    for k, (label, color) in enumerate([("course", "#0072B2"), ("naive", "#E69F00"), ("torch-foreach", "#009E73"),
                                        ("torch-fused", "#CC79A7")]):
        vals = [steps[n].get(label, float("nan")) * 1e3 for n in names]
        ax.bar([i + 0.2 * k for i in range(len(names))], vals, width=0.2, label=label, color=color)
    ax.set_xticks([i + 0.3 for i in range(len(names))], names)
    ax.set_ylabel("ms per step (1e6 float64)")
    ax.set_title("Optimizer step time, one thread")
    ax.legend(frameon=False)
    fig.savefig(HERE / "report.png", metadata={"Software": None})

    readme = ROOT / "README.md"
    text = readme.read_text()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        block = "\n".join(["", f"Measured by `make bench` on {machine()}; details in "
                           "[benchmarks/REPORT.md](benchmarks/REPORT.md).", ""] + table + [""])
        readme.write_text(head + START + block + END + tail)
    print("\n".join(table))


if __name__ == "__main__":
    main()
