"""Site weight: the built book's total size, and each page with what it loads.

A page's weight is its HTML plus every local file it references (scripts,
styles, images, fonts referenced from its own HTML; files referenced from
inside CSS are counted in the total only). Budget: 40 MB in all, 4 MB a page.
Needs a build in ``_build/html``. Run: ``python benchmarks/bench_site.py [--json FILE]``.
"""

import argparse
import json
import pathlib
import re
from urllib.parse import unquote, urlsplit

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]+)""")


def page_weight(page):
    total, seen = page.stat().st_size, set()
    for ref in REF.findall(page.read_text(encoding="utf-8")):
        if urlsplit(ref).scheme or ref.startswith("//") or ref.startswith("data:"):
            continue
        target = (page.parent / unquote(ref)).resolve()
        if target.is_file() and target.suffix != ".html" and target not in seen:
            seen.add(target)
            total += target.stat().st_size
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if not HTML.is_dir():
        raise SystemExit(f"No build in {HTML}: run `make book` first")
    total = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    pages = {str(p.relative_to(HTML)): page_weight(p) for p in sorted(HTML.rglob("*.html"))
             if "_static" not in p.parts and "_sources" not in p.parts}
    print(f"Site: {total / 1e6:.1f} MB in all (budget 40 MB)")
    for name, size in sorted(pages.items(), key=lambda kv: -kv[1]):
        flag = "  (over the 4 MB budget)" if size > 4e6 else ""
        print(f"  {size / 1e6:5.2f} MB  {name}{flag}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"total_bytes": total, "pages": pages}, f, indent=1)


if __name__ == "__main__":
    main()
