"""Keep the built site within its weight budget (40 MB in all; tests/test_site.py checks it).

Two things would otherwise double its size, and no reader needs them:

* The notebooks offered for download (``_sources/chapters/*.ipynb``, the theme's
  download button) are copies of the stored notebooks, outputs included: every
  explorer's frames a second time, about 20 MB. The page already shows those outputs,
  and a downloaded chapter is for running (next to the course's modules), so the
  copies here are stripped of outputs and widget state.
* sphinx-mathjax-offline copies the whole MathJax package (about 24 MB), with a dozen
  combined bundles for other input and output formats. The pages load only
  ``tex-chtml.js`` (``mathjax_path``), which fetches its fonts, TeX extensions, menu,
  accessibility and speech components from the subfolders on demand; the other
  bundles and the SVG output are removed.
"""

import pathlib
import shutil

import nbformat

# The MathJax bundle the pages load; the other top-level bundles are alternatives to it.
MATHJAX_BUNDLE = "tex-chtml.js"
MATHJAX_UNUSED = ("output/svg", "output/svg.js")     # the SVG output and its loader


def strip_downloads(outdir):
    """Replace each downloadable notebook by the same notebook without outputs."""
    for path in sorted((outdir / "_sources").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
                cell.metadata.pop("execution", None)
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)


def prune_mathjax(outdir):
    """Delete the MathJax bundles and output formats that no page loads."""
    mathjax = outdir / "_static" / "mathjax"
    if not (mathjax / MATHJAX_BUNDLE).is_file():
        raise RuntimeError(f"{mathjax / MATHJAX_BUNDLE} is missing: did sphinx-mathjax-offline run?")
    for bundle in mathjax.glob("*.js"):
        if bundle.name != MATHJAX_BUNDLE:
            bundle.unlink()
    for name in MATHJAX_UNUSED:
        path = mathjax / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if not str(app.config.mathjax_path).endswith("/" + MATHJAX_BUNDLE):
        raise RuntimeError(f"mathjax_path is {app.config.mathjax_path!r}, not the {MATHJAX_BUNDLE} that "
                           "_ext/site_weight.py keeps: update MATHJAX_BUNDLE there")
    outdir = pathlib.Path(app.outdir)
    strip_downloads(outdir)
    prune_mathjax(outdir)


def setup(app):
    # After sphinx-mathjax-offline's own build-finished handler (default priority 500).
    app.connect("build-finished", _build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
