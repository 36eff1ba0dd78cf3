"""Explorer responsiveness of another revision and of this checkout, side by side.

Absolute times on these machines drift by a quarter from one hour to the
next (benchmarks/REPORT.md), so a change is judged by ratios measured in one
run. This checks REV out into a temporary git worktree, then runs
bench_explorers.py (this checkout's version, so both sides are timed the same
way) on each chapter, in a fresh process each time, once with REV's modules
and notebook and once with this checkout's, for ``--rounds`` rounds that
alternate which side goes first (old, new, new, old, ...): a drift of the
machine during the run falls on both sides alike.

Reported per explorer (matched by chapter and title): p50 and p95 of a move
to a setting not drawn before, each the median over the rounds, for REV and
for this checkout, and their ratio (new / old; below 1 is faster); then the
median ratio over the explorers, and for how many the new code was faster.
Run: ``python benchmarks/compare_explorers.py REV [--rounds N] [--json FILE] [notebook names ...]``
(notebook names as in chapters/, e.g. ``00_gradient_descent.ipynb``; default: all).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench_explorers.py"
MEASURES = ("p50_ms", "p95_ms")


def measure(root, notebook, out):
    """bench_explorers.py's rows for ``notebook`` run with the modules and chapters of ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}     # ahead of the editable install of this checkout
    subprocess.run([sys.executable, str(BENCH), "--json", str(out), str(root / "chapters" / notebook)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def compare(old_runs, new_runs):
    """Rows of old and new medians and their ratios, per explorer both sides have.

    ``old_runs``, ``new_runs``: lists (one per round) of bench_explorers.py rows.
    """
    def medians(runs):
        by_key = {}
        for rows in runs:
            for row in rows:
                by_key.setdefault((row["chapter"], row["title"]), []).append(row)
        return {key: {m: float(np.median([r[m] for r in rows])) for m in MEASURES} for key, rows in by_key.items()}

    old, new = medians(old_runs), medians(new_runs)
    return [{"chapter": key[0], "title": key[1],
             **{f"old_{m}": old[key][m] for m in MEASURES}, **{f"new_{m}": new[key][m] for m in MEASURES},
             **{f"ratio_{m}": new[key][m] / old[key][m] for m in MEASURES}}
            for key in new if key in old]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the revision to compare with (a commit, a branch, HEAD~3)")
    parser.add_argument("notebooks", nargs="*", help="notebook names in chapters/ (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side per chapter (default 2)")
    parser.add_argument("--json", help="write the rows to this file")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"Invalid --rounds: {args.rounds}; need at least 1")
    notebooks = args.notebooks or sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        old_root = pathlib.Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_root), args.rev],
                       check=True, capture_output=True)
        try:
            for notebook in notebooks:
                runs = {"old": [], "new": []}
                for r in range(args.rounds):
                    for side in ("old", "new") if r % 2 == 0 else ("new", "old"):
                        root = old_root if side == "old" else ROOT
                        runs[side].append(measure(root, notebook, pathlib.Path(tmp) / "rows.json"))
                chapter_rows = compare(runs["old"], runs["new"])
                for row in chapter_rows:
                    print(f"{row['chapter']:22s} {row['title'][:48]:48s} p50 {row['old_p50_ms']:5.0f} -> "
                          f"{row['new_p50_ms']:5.0f} ms ({row['ratio_p50_ms']:.2f})   p95 {row['old_p95_ms']:5.0f} -> "
                          f"{row['new_p95_ms']:5.0f} ms ({row['ratio_p95_ms']:.2f})", flush=True)
                rows += chapter_rows
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_root)], check=True)
    if not rows:
        sys.exit("no explorer found on both sides")
    for m in MEASURES:
        ratios = np.array([row[f"ratio_{m}"] for row in rows])
        print(f"{m[:3]}: new / {args.rev}, median over {len(rows)} explorers {np.median(ratios):.2f} "
              f"(from {ratios.min():.2f} to {ratios.max():.2f}); lower for {int((ratios < 1).sum())}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
