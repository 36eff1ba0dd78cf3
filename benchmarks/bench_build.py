"""Book build and test-suite wall times, installs excluded.

In a fresh clone of the committed HEAD (in a temporary folder, sharing this
checkout's installed ``.venv`` through a symbolic link, so nothing is
installed), time:

1. ``jupyter-book build`` from scratch (pages rendered from the notebooks' stored outputs,
   which ``make test``'s nbval stage verifies): target 120 s;
2. the same build again with nothing changed: target 15 s;
3. the build after one chapter's file is touched: target 40 s;
4. ``make test`` (unit tests, nbval, a fresh build and the browser tests): target 240 s.

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


def timed(cmd, cwd, env):
    """Wall time of ``cmd``; fails with the end of its output if it fails."""
    return timed_stages(cmd, cwd, env)[0]


def timed_stages(cmd, cwd, env):
    """Wall time of ``cmd``, and of each stage of ``make test`` (from its "==== make <stage>" lines)."""
    start = time.perf_counter()
    stages, current, lines = {}, None, []
    with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("==== make "):
                now = time.perf_counter()
                if current:
                    stages[current] = now - stages[current]
                current = line.split()[2]
                stages[current] = now
    seconds = time.perf_counter() - start
    if current:
        stages[current] = time.perf_counter() - stages[current]
    if proc.returncode != 0:
        sys.stderr.write("".join(lines)[-8000:])
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}) in {cwd}")
    return seconds, stages


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
            result["make_test_s"], result["make_test_stages_s"] = timed_stages(["make", "test"], clone, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = {"fresh_build_s": 120, "rebuild_unchanged_s": 15, "rebuild_one_chapter_touched_s": 40,
               "make_test_s": 240}
    for key, target in targets.items():
        if key in result:
            flag = "" if result[key] <= target else f"  (over the {target} s target by {result[key] - target:.0f} s)"
            print(f"{key:32s} {result[key]:7.1f} s{flag}")
    for stage, seconds in result.get("make_test_stages_s", {}).items():
        print(f"    make {stage:25s} {seconds:7.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
