"""Number definitions, algorithms and exercises within each chapter: Exercise 4.2, not Exercise 14.

The book numbers its equations and figures by chapter, (4.1) and Figure 4.1. Sphinx numbers
the blocks it numbers itself (sphinx-proof's definitions and algorithms, sphinx-exercise's
exercises) straight through the book instead, unless the toc is numbered, and a numbered toc
would number the chapters from 1 where this book starts at 0. So, once Sphinx has assigned its
numbers, this extension renumbers the blocks of each chapter page: the k-th exercise of
chapters/04_adam.ipynb becomes 4.k, of chapters/appendix_conventions.ipynb A.k. Titles,
"Solution to" headings and references all read the same table, so they follow. Pages outside
the chapters keep Sphinx's numbers.
"""

import copy
import re


def chapter_label(docname):
    """'4' for chapters/04_adam, 'A' for chapters/appendix_*, None for a page outside the chapters."""
    match = re.fullmatch(r"chapters/(\d+)_\w+", docname)
    if match:
        return str(int(match.group(1)))
    if docname.startswith("chapters/appendix"):
        return "A"
    return None


def _give_back_sphinx_numbers(app, env):
    # Sphinx writes a page again when its numbers differ from the last build's. It must
    # compare its numbers with its own, not with ours, or every chapter would be rewritten
    # on every build.
    if hasattr(env, "numbers_by_sphinx"):
        env.toc_fignumbers = env.numbers_by_sphinx
    return []


def _number_within_chapters(app, env):
    env.numbers_by_sphinx = copy.deepcopy(env.toc_fignumbers)
    for docname, by_type in env.toc_fignumbers.items():
        chapter = chapter_label(docname)
        if chapter is None:
            continue
        for numbers in by_type.values():                    # {node id: (n,)}, one dict per kind
            for k, node_id in enumerate(sorted(numbers, key=numbers.get), start=1):
                numbers[node_id] = (chapter, k)
    return []


def setup(app):
    # Sphinx assigns its numbers in its own env-get-updated handler (priority 500).
    app.connect("env-get-updated", _give_back_sphinx_numbers, priority=400)
    app.connect("env-get-updated", _number_within_chapters, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
