"""Book build and test-suite wall times, installs excluded.

In a fresh clone of the committed HEAD (in a temporary folder, sharing this
checkout's installed ``.venv`` through a symbolic link, so nothing is
installed), time:

1. ``jupyter-book build`` from scratch (pages rendered from the notebooks' stored outputs,
   which ``make test``'s nbval stage verifies): target 120 s;
2. the same build again with nothing changed: target 15 s;
3. the build after one chapter's file is touched: target 40 s;
4. ``make test`` (unit tests, nbval, a fresh build and the browser tests): target 240 s;
   each stage's wall time, and the CPU time the machine spent on it (all processes,
   Chromium's included), so the report can tell waiting from work.

Run: ``python benchmarks/bench_build.py [--json FILE] [--skip-test]``.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def busy_cpu_seconds():
    """CPU time the whole machine has spent busy since boot (all cores, every process), from /proc/stat.

    The difference over a stage is the CPU time the stage used, Chromium's processes
    included, provided nothing else runs meanwhile. (The shell's `time` misses Chromium:
    its renderers are not children that the test process waits for.)
    """
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def timed(cmd, cwd, env):
    """Wall time of ``cmd``; fails with the end of its output if it fails."""
    return timed_stages(cmd, cwd, env)[0]


def timed_stages(cmd, cwd, env):
    """Wall time of ``cmd``, and per stage of ``make test`` (from its "==== make <stage>" lines)
    its wall time and the machine's busy CPU time: ``(seconds, {stage: seconds}, {stage: cpu seconds})``."""
    start = time.perf_counter()
    stages, cpu, current, lines = {}, {}, None, []

    def close(stage):
        stages[stage] = time.perf_counter() - stages[stage]
        cpu[stage] = busy_cpu_seconds() - cpu[stage]

    with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("==== make "):
                if current:
                    close(current)
                current = line.split()[2]
                stages[current], cpu[current] = time.perf_counter(), busy_cpu_seconds()
    seconds = time.perf_counter() - start
    if current:
        close(current)
    if proc.returncode != 0:
        sys.stderr.write("".join(lines)[-8000:])
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}) in {cwd}")
    return seconds, stages, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--skip-test", action="store_true", help="do not time `make test`")
    args = parser.parse_args()
    venv = ROOT / ".venv"
    if not (venv / "bin" / "jupyter-book").exists():
        raise SystemExit("No .venv with jupyter-book here: run `make install` first")
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-build-"))
    clone = work / "course"
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        (clone / ".venv").symlink_to(venv)
        # The clone's files are newer than the venv's install stamp, so make would reinstall,
        # and `pip install -e .` would point the shared venv at the clone, deleted afterwards.
        # Date them back to the stamp (same contents: HEAD's requirements are installed).
        stamp = (venv / ".installed").stat().st_mtime
        for name in ("requirements.txt", "pyproject.toml"):
            os.utime(clone / name, (stamp - 1, stamp - 1))
        env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
        build = [str(venv / "bin" / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
        result = {"fresh_build_s": timed(build, clone, env)}
        result["rebuild_unchanged_s"] = timed(build, clone, env)
        chapter = sorted((clone / "chapters").glob("*.ipynb"))[0]
        chapter.touch()
        result["rebuild_one_chapter_touched_s"] = timed(build, clone, env)
        result["touched"] = chapter.name
        if not args.skip_test:
            (result["make_test_s"], result["make_test_stages_s"],
             result["make_test_stages_cpu_s"]) = timed_stages(["make", "test"], clone, env)
            result["cores"] = os.cpu_count()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = {"fresh_build_s": 120, "rebuild_unchanged_s": 15, "rebuild_one_chapter_touched_s": 40,
               "make_test_s": 240}
    for key, target in targets.items():
        if key in result:
            flag = "" if result[key] <= target else f"  (over the {target} s target by {result[key] - target:.0f} s)"
            print(f"{key:32s} {result[key]:7.1f} s{flag}")
    for stage, seconds in result.get("make_test_stages_s", {}).items():
        cpu = result["make_test_stages_cpu_s"][stage]
        print(f"    make {stage:25s} {seconds:7.1f} s, {cpu:6.0f} CPU s ({cpu / seconds:.1f} cores busy)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
