"""Book build and test-suite wall times, installs excluded.

In a fresh clone of the committed HEAD (in a temporary folder, sharing this
checkout's installed ``.venv`` through a symbolic link, so nothing is
installed), time:

1. ``jupyter-book build`` from scratch (pages rendered from the notebooks' stored outputs,
   which ``make test``'s nbval stage verifies): target 120 s;
2. the same build again with nothing changed: target 15 s;
3. the build after one chapter's file is touched: target 40 s;
4. ``make test`` (unit tests, nbval, a fresh build and the browser tests, as two chains
   side by side): target 240 s; then the same four stages one after the other, each alone,
   with its wall time and the CPU time the machine spent on it (all processes, Chromium's
   included): the ratio of the two shows what running side by side gains, and the CPU
   time tells waiting from work.

Run: ``python benchmarks/bench_build.py [--json FILE] [--skip-test]``.
"""

import argparse
import json
import os
import pathlib
import re
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


def test_stages():
    """make test's stages, the chain in front then the chain behind, as the Makefile names them."""
    chains = dict(re.findall(r"^(TEST_FRONT|TEST_BEHIND)\s*:=\s*(.*)$", (ROOT / "Makefile").read_text(), re.M))
    if set(chains) != {"TEST_FRONT", "TEST_BEHIND"}:
        raise SystemExit("The Makefile no longer sets TEST_FRONT and TEST_BEHIND: update bench_build.test_stages")
    return chains["TEST_FRONT"].split() + chains["TEST_BEHIND"].split()


def timed(cmd, cwd, env):
    """Wall time of ``cmd`` and the CPU time the machine spent meanwhile: ``(seconds, cpu
    seconds)``; fails with the end of its output if it fails."""
    start, cpu = time.perf_counter(), busy_cpu_seconds()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds, cpu = time.perf_counter() - start, busy_cpu_seconds() - cpu
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-8000:])
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}) in {cwd}")
    return seconds, cpu


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
        result = {"fresh_build_s": timed(build, clone, env)[0]}
        result["rebuild_unchanged_s"] = timed(build, clone, env)[0]
        chapter = sorted((clone / "chapters").glob("*.ipynb"))[0]
        chapter.touch()
        result["rebuild_one_chapter_touched_s"] = timed(build, clone, env)[0]
        result["touched"] = chapter.name
        if not args.skip_test:
            result["make_test_s"], result["make_test_cpu_s"] = timed(["make", "test"], clone, env)
            result["make_test_stages_s"], result["make_test_stages_cpu_s"] = {}, {}
            for stage in test_stages():            # the same work, one stage after the other
                (result["make_test_stages_s"][stage],
                 result["make_test_stages_cpu_s"][stage]) = timed(["make", stage], clone, env)
            result["cores"] = os.cpu_count()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = {"fresh_build_s": 120, "rebuild_unchanged_s": 15, "rebuild_one_chapter_touched_s": 40,
               "make_test_s": 240}
    for key, target in targets.items():
        if key in result:
            flag = "" if result[key] <= target else f"  (over the {target} s target by {result[key] - target:.0f} s)"
            print(f"{key:32s} {result[key]:7.1f} s{flag}")
    if "make_test_stages_s" in result:
        print(f"    its stages one after the other, each alone: {sum(result['make_test_stages_s'].values()):.1f} s")
    for stage, seconds in result.get("make_test_stages_s", {}).items():
        cpu = result["make_test_stages_cpu_s"][stage]
        print(f"    make {stage:25s} {seconds:7.1f} s, {cpu:6.0f} CPU s ({cpu / seconds:.1f} cores busy)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
