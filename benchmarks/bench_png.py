"""Live PNG encoding: the explorers' encoder against Pillow's quickest, side by side.

Every chapter notebook's code is run in this process (as bench_explorers.py
does); then each explorer's live figure is drawn at its defaults and at both
ends of its main control, and each image is encoded, round after round, by

* ``course``: ``explorers.Explorer._png``, what a live explorer sends (every
  row unfiltered, ISA-L's deflate at its level 1: ``explorers._quick_png``);
* ``pillow``: Pillow's PNG encoder at its quickest level (``compress_level=1``),
  which tries a filter per row; the alpha channel is dropped the same way.

Both must decode to the same pixels. Reported: the median time per image of
each, the median of the per-image ratios course / pillow, and the total bytes.
Run: ``python benchmarks/bench_png.py [--json FILE] [notebooks ...]``.
"""

import io
import json
import statistics
import time

import numpy as np
from PIL import Image

import explorers
from bench_explorers import command_line, each_explorer

ROUNDS = 7


def pillow_png(image):
    """The live explorers' encoder before explorers._quick_png: Pillow at compress_level=1."""
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


ENCODERS = {"course": explorers.Explorer._png, "pillow": pillow_png}


def live_images(explorer):
    """The explorer's live figure (an RGBA image) at its defaults and at both ends of its main control."""
    drawing = explorer._drawing(explorers.LIVE_DPI)
    grid = explorer._main_control().values()
    try:
        return [drawing.image({**explorer.defaults, explorer.main: value})[0]
                for value in (explorer.defaults[explorer.main], grid[0], grid[-1])]
    finally:
        drawing.close()


def measure(image, rounds=ROUNDS):
    """Median seconds per encoder for one image, and its bytes; checks both decode to the image."""
    times = {name: [] for name in ENCODERS}
    for _ in range(rounds):
        for name, encode in ENCODERS.items():      # interleaved: both in every round
            start = time.perf_counter()
            png = encode(image)
            times[name].append(time.perf_counter() - start)
    sizes = {}
    for name, encode in ENCODERS.items():
        png = encode(image)
        decoded = Image.open(io.BytesIO(png)).convert("RGBA")
        assert decoded.tobytes() == image.tobytes(), f"{name}: the PNG does not decode to the image"
        sizes[name] = len(png)
    return {name: statistics.median(t) for name, t in times.items()}, sizes


def main():
    args = command_line(__doc__)
    rows = []
    for path, explorer in each_explorer(args.notebooks):
        for image in live_images(explorer):
            seconds, sizes = measure(image)
            rows.append({"chapter": path.stem, "title": explorer.title, "pixels": image.size,
                         **{f"{k}_ms": v * 1e3 for k, v in seconds.items()},
                         **{f"{k}_bytes": v for k, v in sizes.items()}})
    ms = {k: np.array([r[f"{k}_ms"] for r in rows]) for k in ENCODERS}
    size = {k: sum(r[f"{k}_bytes"] for r in rows) for k in ENCODERS}
    summary = {"images": len(rows),
               "course_ms": float(np.median(ms["course"])), "pillow_ms": float(np.median(ms["pillow"])),
               "ratio_median": float(np.median(ms["course"] / ms["pillow"])),
               "ratio_max": float(np.max(ms["course"] / ms["pillow"])),
               "course_bytes": size["course"], "pillow_bytes": size["pillow"]}
    print(f"{len(rows)} live figures: course {summary['course_ms']:.1f} ms, Pillow {summary['pillow_ms']:.1f} ms "
          f"(median per image; ratio median {summary['ratio_median']:.2f}, worst {summary['ratio_max']:.2f}); "
          f"bytes {size['course'] / size['pillow']:.3f} of Pillow's")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
