"""Browser tests of the built book (_build/html), as a reader would see it.

Serves _build/html on 127.0.0.1, opens every page in headless Chromium (Debian's
/usr/bin/chromium, or $CHROMIUM) and checks that the page

* fetches nothing from outside 127.0.0.1 / localhost (such requests are aborted and recorded),
* logs no console error and throws no uncaught exception,
* has all its math typeset by MathJax, every image loaded, no blank or widget-repr output,
* weighs at most 4 MB with its assets (as sent gzip-compressed), every explorer
  fallback at most 1.5 MB (raw HTML, images inlined),
* has explorers whose slider changes the frame shown,
* keeps output images on white in dark mode, and on a phone neither scrolls sideways
  nor cuts content off at the right edge.

Page weight is counted as sent: the theme's own assets (Font Awesome's JS, MathJax, the
CSS) are ~3.6 MB on disk but ~1 MB gzip-compressed, which is what GitHub Pages sends.

Screenshots (desktop, mobile 390 px, dark mode) go to _build/screenshots/: the first
screen of every page, or the whole page with SCREENSHOTS=full (`make screenshots`). A
full-page screenshot of a chapter takes about 4 s, half of a visit, and checks nothing.

Without a build these tests skip (fail under CI=true). `make test` always builds first.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
FULL_PAGE_SHOTS = os.environ.get("SCREENSHOTS", "") == "full"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAX_PAGE_BYTES = 4 * 1024 * 1024
MAX_SITE_BYTES = 40 * 1024 * 1024
MAX_EXPLORER_BYTES = int(1.5 * 1024 * 1024)
FORBIDDEN_OUTPUT_TEXT = [
    "interactive(children=",
    "VBox(",
    "HBox(",
    "Output()",
    "IntSlider(",
    "FloatSlider(",
    "Error displaying widget",
    "Loading widget",
    "<Figure size",  # a figure shown as its repr instead of as an image
    "<matplotlib.",  # a stray return value such as <matplotlib.legend.Legend at 0x...>
]
VIEWS = {
    "desktop": dict(viewport={"width": 1280, "height": 900}),
    "mobile": dict(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ),
}

pytestmark = pytest.mark.site


# --------------------------------------------------------------------------- pages


def toc_docnames() -> list[str]:
    """Every document of the book, in reading order, from _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("chapters", "sections"):
                walk(entry.get(key))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", n) for n in names]


DOCS = toc_docnames()


def extra_pages() -> list[str]:
    """Built pages that are not in the toc (genindex, search, proof index...)."""
    if not HTML.is_dir():
        return []
    inside = {f"{d}.html" for d in DOCS} | {"index.html"}  # index.html: redirect to root
    found = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML).as_posix()
        if rel.split("/")[0] in {"_static", "_sources", "_images"} or rel in inside:
            continue
        found.append(rel)
    return found


def shot_name(rel: str) -> str:
    return rel.removesuffix(".html").replace("/", "__") + ".png"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / f"{DOCS[0]}.html").is_file():
        pytest.skip(f"no built book at {HTML}: run `make book` (or `make test`, which builds first)")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(site, chromium):
    return chromium


@pytest.fixture(scope="session")
def shots_dir(site) -> Path:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    for view in [*VIEWS, "dark"]:                # dark: the desktop page, switched (dark_problems)
        (SHOTS / view).mkdir(parents=True)
    return SHOTS


def _settle(page, timeout_ms=5000):
    """Give late requests a moment to finish, without relying on it.

    Playwright's "networkidle" (no request for 500 ms) sometimes never comes
    (on this site, about one visit in ten, with nothing in flight), and its
    documentation discourages it for tests. The visit waits explicitly for what
    matters (the load event, MathJax, fonts, every image, every explorer's
    script); this only lets stragglers land before the checks.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        pass


class Visit:
    """One page opened in a fresh context, with everything it did recorded."""

    def __init__(self, browser, base_url: str, rel: str, view: str):
        self.rel = rel
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.loaded: set[str] = set()
        self.context = browser.new_context(service_workers="block", **VIEWS[view])
        self.context.route("**/*", self._route)
        self.context.route_web_socket(re.compile(".*"), self._route_ws)
        page = self.page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self._request_failed(r))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        page.on("requestfinished", lambda r: self.loaded.add(r.url))
        page.goto(base_url + rel, wait_until="load")
        # MathJax 3 typesets asynchronously after its deferred script ran.
        page.evaluate(
            """async () => {
                if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                    await MathJax.startup.promise;
                }
                await document.fonts.ready;
            }"""
        )
        # Load lazy images too, and wait for every image to finish (or fail).
        page.evaluate(
            """async () => {
                for (const img of document.images) img.loading = "eager";
                await Promise.all([...document.images].map(img => img.complete ? null :
                    new Promise(r => { img.addEventListener("load", r); img.addEventListener("error", r); })));
            }"""
        )
        page.wait_for_function(
            "() => [...document.querySelectorAll('.explorer-static')].every(e => e.dataset.explorerReady)"
        )
        _settle(page)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _route_ws(self, ws):
        if urlsplit(ws.url).hostname in LOCAL_HOSTS:
            ws.connect_to_server()
        else:
            self.blocked.append(ws.url)
            ws.close()

    def _request_failed(self, request):
        if request.url not in self.blocked:
            self.failed.append(f"{request.failure} {request.url}")

    def screenshot(self, view: str):
        self.page.screenshot(path=str(SHOTS / view / shot_name(self.rel)), full_page=FULL_PAGE_SHOTS)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(rel: str, view: str = "desktop") -> Visit:
        v = Visit(browser, base_url, rel, view)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


def load_problems(v: Visit) -> list[str]:
    problems = []
    if v.blocked:
        problems.append(f"requests outside 127.0.0.1 (aborted): {v.blocked}")
    if v.errors:
        problems.append(f"console errors: {v.errors}")
    if v.failed:
        problems.append(f"failed requests: {v.failed}")
    return problems


def report(rel: str, problems: list[str]):
    """Fail with every problem of the page at once, one per line."""
    assert not problems, f"{rel}:\n  - " + "\n  - ".join(problems)


# --------------------------------------------------------------------------- static checks


def test_every_toc_page_is_built(site):
    missing = [d for d in DOCS if not (site / f"{d}.html").is_file()]
    assert not missing, f"toc entries without a built page: {missing}"


def test_html_references_no_remote_assets(site):
    """No <script src>, stylesheet or preload pointing off the machine, no thebe config."""
    remote = re.compile(
        r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
        re.I,
    )
    bad = {}
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf8", errors="replace")
        hits = [m.group(0)[:160] for m in remote.finditer(text)]
        # <link rel="..."> to a remote page is only bad when it loads something.
        hits = [h for h in hits if not re.match(r"<link\b", h, re.I) or re.search(r"stylesheet|preload|prefetch|icon|modulepreload", h, re.I)]
        if "text/x-thebe-config" in text or "THEBE_JS_URL" in text:
            hits.append("sphinx-thebe configuration")
        if hits:
            bad[path.relative_to(site).as_posix()] = hits
    assert not bad, f"remote assets referenced: {bad}"


def test_mathjax_is_local(site):
    """Pages with math load MathJax 3 from _static/mathjax (sphinx-mathjax-offline)."""
    with_math = 0
    for doc in DOCS:
        text = (site / f"{doc}.html").read_text(encoding="utf8")
        scripts = re.findall(r'<script[^>]*src="([^"]*(?:mathjax|MathJax)[^"]*)"', text)
        for src in scripts:
            assert re.match(r"(\.\./)*_static/mathjax/tex-chtml\.js(\?|$)", src), f"{doc}: MathJax from {src}"
        with_math += bool(scripts)
    assert with_math, "no page loads MathJax"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_site_weighs_at_most_40_mb_on_disk(site):
    """Everything a host stores and a deploy uploads (_ext/site_weight.py keeps it small)."""
    sizes = {}
    for path in site.rglob("*"):
        if path.is_file():
            top = path.relative_to(site).parts[0]
            sizes[top] = sizes.get(top, 0) + path.stat().st_size
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:4]
    assert total <= MAX_SITE_BYTES, (
        f"the site weighs {total / 2**20:.1f} MB on disk > 40 MB; largest parts: "
        + ", ".join(f"{name} {size / 2**20:.1f} MB" for name, size in largest))


def test_downloadable_notebooks_are_the_chapters_without_outputs(site):
    """The download button's .ipynb: every cell of the chapter, no outputs, no widget state."""
    downloads = sorted((site / "_sources").rglob("*.ipynb"))
    assert len(downloads) == len(list((ROOT / "chapters").glob("*.ipynb"))), downloads
    for path in downloads:
        text = path.read_text(encoding="utf8")
        nb, source = json.loads(text), json.loads((ROOT / path.relative_to(site / "_sources")).read_text("utf8"))
        name = path.relative_to(site).as_posix()
        cells = lambda notebook: ["".join(c["source"]) for c in notebook["cells"]]  # noqa: E731 (str or lines)
        assert cells(nb) == cells(source), f"{name}: cells differ from the chapter's"
        assert all(not c.get("outputs") for c in nb["cells"]), f"{name}: has outputs"
        assert "widgets" not in nb["metadata"] and "data:image/png" not in text, f"{name}: has widget state or images"


def test_mathjax_keeps_only_the_bundle_the_pages_load(site):
    """tex-chtml.js and what it fetches on demand (fonts, TeX extensions, menu, speech); no other bundle."""
    mathjax = site / "_static" / "mathjax"
    assert sorted(p.name for p in mathjax.glob("*.js")) == ["tex-chtml.js"]
    assert list((mathjax / "output" / "chtml" / "fonts").rglob("*.woff")), "CHTML fonts missing"
    assert (mathjax / "input" / "tex" / "extensions").is_dir() and (mathjax / "ui" / "menu.js").is_file()


NUMBERED_BLOCK = re.compile(r'id="([^"]+)">\s*<p class="admonition-title"><span class="caption-number">'
                            r'(\w+) ([\w.]+) </span>')
REFERENCE_TO_BLOCK = re.compile(r'href="#([^"]+)">\s*(?:<span class="std std-numref">)?'
                                r'((?:Definition|Algorithm|Exercise) [\w.]+)<')
CHAPTER_TITLE = re.compile(r"<h1>(\d+|A)\. ")


def test_definitions_algorithms_and_exercises_are_numbered_by_chapter(site):
    """Chapter 4, titled "4. ...", has Definition 4.1, Algorithm 4.1, Exercises 4.1 to 4.3 (as its figures
    and equations); the appendix, "A. ...", has A.1, ...; every link to one ("Solution to", references)
    shows its number."""
    blocks = 0
    for doc in DOCS:
        if not doc.startswith("chapters/"):
            continue
        html = (site / f"{doc}.html").read_text(encoding="utf8")
        title_number = CHAPTER_TITLE.search(html)
        assert title_number, f"{doc}: its title does not start with its chapter's number"
        chapter = title_number.group(1)
        found = NUMBERED_BLOCK.findall(html)
        for kind in {k for _, k, _ in found}:
            numbers = [n for _, k, n in found if k == kind]
            assert numbers == [f"{chapter}.{i}" for i in range(1, len(numbers) + 1)], f"{doc}: {kind} {numbers}"
        title = {node_id: f"{kind} {number}" for node_id, kind, number in found}
        links = REFERENCE_TO_BLOCK.findall(html)
        assert len(links) >= sum(k == "Exercise" for _, k, _ in found), f"{doc}: a solution lost its link"
        for target, text in links:
            assert title.get(target) == text, f"{doc}: a link to #{target} reads {text!r}"
        blocks += len(found)
    assert blocks >= 8 * 5, f"only {blocks} numbered blocks found: has their HTML changed?"


# --------------------------------------------------------------------------- browser checks


PAGE_REPORT_JS = r"""
() => {
  const out = {};
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;

  // Math: every Sphinx math element holds a MathJax container, no TeX errors.
  const maths = [...article.querySelectorAll(".math")];
  out.mathCount = maths.length;
  out.mathUntypeset = maths.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent.slice(0, 80));
  // TeX errors: an merror node, or an undefined macro, which MathJax's noundefined
  // extension shows as its name in red instead of failing.
  out.mathErrors = [];
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      item.root.walkTree(n => {
        if (n.isKind("merror") || (n.isKind("mtext") && n.attributes.get("mathcolor") === "red")) {
          out.mathErrors.push(String(item.math).slice(0, 80));
        }
      });
    }
  }
  // Raw TeX delimiters left in the prose (code blocks and scripts excluded).
  const clone = article.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, .highlight, textarea").forEach(e => e.remove());
  const prose = clone.textContent;
  out.rawTex = ["$$", "\\(", "\\)", "\\[", "\\]", "\\begin{"].filter(d => prose.includes(d))
      .map(d => { const i = prose.indexOf(d); return prose.slice(Math.max(0, i - 40), i + 40); });

  // Images.
  out.images = document.images.length;
  out.brokenImages = [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
      .map(i => (i.currentSrc || i.src).slice(0, 120));

  // Outputs: none blank, none showing a widget repr.
  const outputs = [...article.querySelectorAll("div.cell_output")];
  out.outputs = outputs.length;
  out.blankOutputs = [];
  out.forbidden = [];
  outputs.forEach((o, k) => {
    const text = o.innerText.trim();
    const media = o.querySelector("img, svg, canvas, video, mjx-container, table, iframe");
    const box = o.getBoundingClientRect();
    if ((!text && !media) || box.height < 4) out.blankOutputs.push(k + ": " + o.innerHTML.slice(0, 160));
    for (const bad of FORBIDDEN) if (o.innerText.includes(bad)) out.forbidden.push(k + ": " + bad);
  });

  // Explorer fallbacks.
  out.explorers = [...document.querySelectorAll(".explorer-static")].map(e => ({
    bytes: new Blob([e.outerHTML]).size,
    sliders: e.querySelectorAll("input.explorer-slider").length,
    frames: e.querySelectorAll("img.explorer-frame").length,
  }));

  // Content cut off at the right edge (e.g. long inline math on a phone): an element
  // reaching past the article's edge with no scrollable ancestor to reach it by.
  const edge = article.getBoundingClientRect().right + 1;
  const scrollable = el => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if ((ox === "auto" || ox === "scroll") && a.scrollWidth > a.clientWidth) return true;
    }
    return false;
  };
  out.clipped = [...article.querySelectorAll("mjx-container, img, p, li, h1, h2, h3, table")]
      .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > edge && !scrollable(e))
      .map(e => e.tagName.toLowerCase() + ": " + (e.textContent || e.getAttribute("src") || "").trim().slice(0, 60));

  out.scrollWidth = document.documentElement.scrollWidth;
  out.innerWidth = window.innerWidth;
  return out;
}
""".replace("FORBIDDEN", json.dumps(FORBIDDEN_OUTPUT_TEXT))


@functools.lru_cache(maxsize=None)
def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def page_weight(v: Visit) -> tuple[int, int]:
    """(bytes sent, bytes on disk) of the page and every local file it loaded.

    Bytes sent: each file gzip-compressed, as a static host (GitHub Pages) sends it to a
    browser that accepts gzip, i.e. what a first visit downloads. The theme's own assets
    (Font Awesome's JS, MathJax, CSS) are ~3.6 MB on disk but ~1 MB sent.
    """
    sent = disk = 0
    for url in v.loaded:
        parts = urlsplit(url)
        if parts.hostname not in LOCAL_HOSTS:
            continue
        path = HTML / unquote(parts.path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            sent += gzip_size(path)
            disk += path.stat().st_size
    return sent, disk


def visible_frame_src(v: Visit, k: int) -> str:
    return v.page.evaluate(
        """(k) => {
            const e = document.querySelectorAll(".explorer-static")[k];
            const frames = [...e.querySelectorAll("img.explorer-frame")]
                .filter(i => i.getClientRects().length && getComputedStyle(i).visibility !== "hidden");
            return frames.length ? frames[0].currentSrc || frames[0].src : null;
        }""",
        k,
    )


def explorer_problems(v: Visit, k: int, ex: dict) -> list[str]:
    """Size and slider of the k-th static explorer."""
    problems = []
    if ex["bytes"] > MAX_EXPLORER_BYTES:
        problems.append(f"explorer {k} is {ex['bytes'] / 2**20:.2f} MB > 1.5 MB")
    if not (ex["sliders"] >= 1 and ex["frames"] >= 1):
        return problems + [f"explorer {k} lacks a slider or a frame: {ex}"]
    slider = v.page.locator(".explorer-static").nth(k).locator("input.explorer-slider").first
    slider.scroll_into_view_if_needed()
    hi, now = (float(slider.get_attribute(a) or d) for a, d in (("max", "100"), ("value", "0")))
    before = visible_frame_src(v, k)
    # By keyboard, as a reader would: jump to the far end.
    slider.focus()
    slider.press("End" if now < hi else "Home")
    after_key = visible_frame_src(v, k)
    if not after_key or after_key == before:
        problems.append(f"explorer {k}: moving the slider (keyboard) did not change the frame")
    # By setting the value and dispatching `input`, back to where it was.
    slider.evaluate(
        """(s, value) => { s.value = value; s.dispatchEvent(new Event("input", {bubbles: true}));
                           s.dispatchEvent(new Event("change", {bubbles: true})); }""",
        str(now).removesuffix(".0"),
    )
    if visible_frame_src(v, k) != before:
        problems.append(f"explorer {k}: setting the slider back (input event) did not restore the first frame")
    broken = v.page.evaluate(
        """(k) => [...document.querySelectorAll(".explorer-static")[k].querySelectorAll("img")]
                   .filter(i => !(i.complete && i.naturalWidth > 0)).length""",
        k,
    )
    if broken:
        problems.append(f"explorer {k}: a frame failed to load")
    return problems


@pytest.mark.parametrize("doc", DOCS)
def test_page(doc, visit, shots_dir):
    rel = f"{doc}.html"
    v = visit(rel, "desktop")
    v.screenshot("desktop")
    problems = load_problems(v)
    r = v.page.evaluate(PAGE_REPORT_JS)
    checks = [
        ("mathUntypeset", "math not typeset by MathJax"),
        ("mathErrors", "MathJax errors"),
        ("rawTex", "raw TeX left in the text"),
        ("brokenImages", "images that did not load"),
        ("blankOutputs", "blank output areas"),
        ("forbidden", "widget/figure reprs shown instead of output"),
    ]
    problems += [f"{what}: {r[key]}" for key, what in checks if r[key]]

    sent, disk = page_weight(v)
    if sent > MAX_PAGE_BYTES:
        problems.append(
            f"page and assets weigh {sent / 2**20:.2f} MB sent (gzip) > 4 MB ({disk / 2**20:.2f} MB "
            f"on disk; explorers {[round(e['bytes'] / 2**20, 2) for e in r['explorers']]} MB): "
            "make the explorers or figures smaller, or split the page"
        )
    for k, ex in enumerate(r["explorers"]):
        problems += explorer_problems(v, k, ex)
    # Nothing went wrong while scrubbing either.
    problems += [f"after moving the sliders: {p}" for p in load_problems(v) if p not in problems]
    problems += dark_problems(v)
    report(rel, problems)


def dark_problems(v: Visit) -> list[str]:
    """Switch the reader's colour scheme to dark on the open page: the theme follows it
    (pydata-sphinx-theme's "auto" mode listens for the change), and output images keep a
    white background so black-on-white figures stay readable. A screenshot goes to dark/.

    The same page, not a second visit: a chapter's visit takes about 4.5 s, most of it MathJax.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    v.page.emulate_media(color_scheme="dark")
    try:
        v.page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'", timeout=5000)
    except PlaywrightTimeoutError:
        theme = v.page.evaluate("() => document.documentElement.dataset.theme")
        return [f"the dark color scheme did not switch the theme (data-theme={theme!r})"]
    v.page.evaluate("() => window.scrollTo(0, 0)")
    v.screenshot("dark")
    bgs = v.page.evaluate(
        """() => [...document.querySelectorAll("div.cell_output img, .explorer-static img")]
               .map(i => getComputedStyle(i).backgroundColor)"""
    )
    if any(bg != "rgb(255, 255, 255)" for bg in bgs):
        return [f"output images without a white background in dark mode: {bgs}"]
    return []


@pytest.mark.parametrize("doc", DOCS)
def test_page_on_a_phone(doc, visit, shots_dir):
    rel = f"{doc}.html"
    v = visit(rel, "mobile")
    v.screenshot("mobile")
    problems = load_problems(v)
    r = v.page.evaluate(PAGE_REPORT_JS)
    if r["scrollWidth"] > r["innerWidth"] + 1:
        problems.append(f"the page scrolls sideways on a phone ({r['scrollWidth']}px > {r['innerWidth']}px)")
    if r["clipped"]:
        problems.append(f"content cut off at the right edge on a phone: {r['clipped']}")
    report(rel, problems)


@pytest.mark.parametrize("rel", extra_pages() or ["genindex.html"])
def test_generated_page_is_offline(rel, site, visit):
    if not (site / rel).is_file():
        pytest.skip(f"{rel} not built")
    v = visit(rel, "desktop")
    report(rel, load_problems(v))
