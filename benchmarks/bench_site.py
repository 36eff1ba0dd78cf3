"""Site weight: the built book's total size, and each page with what it loads.

The rule (the same as tests/test_site.py's):

* the site's total is its size on disk, everything in ``_build/html``: what a
  host stores and a deploy uploads. Budget 40 MB.
* a page's weight is what a first visit downloads: its HTML plus every local
  file its HTML loads (scripts, style sheets, images; not the files it only
  links to, such as the notebook download), each counted as sent by
  a static host that compresses (GitHub Pages: gzip). Budget 4 MB. The size
  on disk is reported beside it. The theme's assets alone are about 3.6 MB on
  disk and 1 MB sent; the explorers' inlined PNG frames barely compress.

Files that a script loads later (MathJax's fonts and extensions) are not in a
page's HTML and so are not counted here; the browser tests count every file
the page really loaded. MB here is 2**20 bytes, as in the tests.
Needs a build in ``_build/html``. Run: ``python benchmarks/bench_site.py [--json FILE]``.
"""

import argparse
import functools
import gzip
import json
import pathlib
import re
from urllib.parse import unquote, urlsplit

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
# What a page loads: src of scripts and images, href of <link> (style sheets, icons); not <a href>.
REF = re.compile(r"""<(?:script|img|source)\b[^>]*?\bsrc\s*=\s*["']([^"'#?]+)"""
                 r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"'#?]+)""")
MB = 2 ** 20
TOTAL_BUDGET, PAGE_BUDGET = 40 * MB, 4 * MB


@functools.lru_cache(maxsize=None)
def gzip_size(path):
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def page_weight(page):
    """(bytes sent, bytes on disk) of the page's HTML and the local files it references."""
    files = {page.resolve()}
    for src, href in REF.findall(page.read_text(encoding="utf-8")):
        ref = src or href
        if urlsplit(ref).scheme or ref.startswith("//") or ref.startswith("data:"):
            continue
        target = (page.parent / unquote(ref)).resolve()
        if target.is_file() and target.suffix != ".html":
            files.add(target)
    return sum(gzip_size(f) for f in files), sum(f.stat().st_size for f in files)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if not HTML.is_dir():
        raise SystemExit(f"No build in {HTML}: run `make book` first")
    total = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    weights = {str(p.relative_to(HTML)): page_weight(p) for p in sorted(HTML.rglob("*.html"))
               if "_static" not in p.parts and "_sources" not in p.parts}
    pages = {name: {"sent_bytes": sent, "disk_bytes": disk} for name, (sent, disk) in weights.items()}
    flag = "" if total <= TOTAL_BUDGET else "  (over budget)"
    print(f"Site: {total / MB:.1f} MB on disk in all (budget 40 MB){flag}")
    print("Pages, as sent (gzip) and on disk (budget 4 MB sent):")
    for name, w in sorted(pages.items(), key=lambda kv: -kv[1]["sent_bytes"]):
        flag = "  (over budget)" if w["sent_bytes"] > PAGE_BUDGET else ""
        print(f"  {w['sent_bytes'] / MB:5.2f} MB sent  {w['disk_bytes'] / MB:5.2f} MB on disk  {name}{flag}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"total_bytes": total, "pages": pages}, f, indent=1)


if __name__ == "__main__":
    main()
