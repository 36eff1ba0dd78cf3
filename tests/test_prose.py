"""The numbers the chapters' prose quotes are the numbers their code printed.

nbval holds every stored output to what the code computes; this test holds the
prose to the stored outputs. Every number of two or more digits, or with a
decimal point, in a chapter's text (math, code, equation and figure numbers
left out) must occur, exactly as written, in that notebook's code or in the
text of its outputs. The exceptions are listed, each with its reason, in
tests/prose_numbers.toml: citations, versions and numbers derived by hand from
the code. A measurement shown only in a figure is printed too, so that it can be quoted.
"""

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXCEPTIONS = tomllib.loads((ROOT / "tests" / "prose_numbers.toml").read_text(encoding="utf-8"))

# A number: 12, 0.65, 1,239 or 40 000 (a comma, a thin or a plain space between thousands).
THOUSANDS = "[,\u2009\u202f ]"
NUMBER = re.compile(rf"(?<![\w.])\d{{1,3}}(?:{THOUSANDS}\d{{3}})+(?![\d\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(?:\{([\w:-]+)\})?")
VERBATIM = {None, "math", "code", "code-block", "code-cell", "literalinclude"}   # directives without prose
NOT_PROSE = [
    re.compile(r"\$\$.*?\$\$", re.S),                     # display math
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S),
    re.compile(r"\$[^$]*\$"),                             # inline math
    re.compile(r"`[^`]*`"),                               # inline code, and a role's target
    re.compile(r"<[^>]*>"),                               # HTML tags and their attributes
    re.compile(r"\]\([^)]*\)"),                           # a link's address
    re.compile(r"\((?:\d+|A)\.\d+\)(?:\s*[-–]\s*\((?:\d+|A)\.\d+\))?"),  # equation numbers
    re.compile(r"(?:Figure|Table|Exercise)\s+\d+\.\d+"),
]


def without_verbatim_blocks(source):
    """The text without fenced code and math; a directive's fences and options go, its body stays."""
    kept, closing = [], []                # closing: the fences still open; True if their body is kept
    options = False
    for line in source.splitlines():
        fence = FENCE.match(line)
        if closing and line.strip() == closing[-1][0]:
            closing.pop()
            continue
        if fence and (not closing or closing[-1][1]):
            marker, directive = fence.groups()
            closing.append((marker, directive not in VERBATIM))
            options = True
            continue
        if options and re.match(r"^\s*:[\w-]+:", line):   # a directive's options, right after its fence
            continue
        options = False
        if not closing or closing[-1][1]:
            kept.append(line)
    return "\n".join(kept)


def prose(source):
    """A markdown cell's text without math, code, markup and cross-reference numbers."""
    source = without_verbatim_blocks(source)
    for pattern in NOT_PROSE:
        source = pattern.sub(" ", source)
    return source


def quoted_numbers(source):
    """The numbers a reader sees in the prose: two or more digits, or a decimal point."""
    numbers = []
    for match in NUMBER.finditer(prose(source)):
        number = re.sub(THOUSANDS, "", match.group())
        if len(number) > 1:
            numbers.append(number)
    return numbers


def printed_text(notebook):
    """The notebook's code and the text of its outputs (images and their base64 left out)."""
    parts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                shown = "".join(output.get("data", {}).get(kind, ""))
                parts.append(re.sub(r"base64,[A-Za-z0-9+/=]+", " ", shown))
    text = "\n".join(parts)
    # 1,239 and 1239 alike; not a plain space, which separates the columns of printed tables
    return re.sub(r"(?<=\d)[,\u2009\u202f](?=\d{3}(?!\d))", "", text)


def occurs(number, text):
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def unprinted(notebook):
    """{number: where} for every number the prose quotes that the code and outputs do not contain."""
    text = printed_text(notebook)
    missing = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            for number in quoted_numbers("".join(cell["source"])):
                if not occurs(number, text):
                    missing.setdefault(number, f"cell {index}")
    return missing


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_was_printed_or_is_an_explained_exception(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    missing = unprinted(notebook)
    explained = EXCEPTIONS.get(path.stem, {})
    unexplained = {n: where for n, where in missing.items() if n not in explained}
    assert not unexplained, (
        f"{path.name}: numbers in the prose that no code or output contains: {unexplained}; "
        "quote the printed value, print it, or explain it in tests/prose_numbers.toml")
    stale = sorted(set(explained) - set(missing))
    assert not stale, f"{path.name}: tests/prose_numbers.toml explains {stale}, which the prose no longer needs"


def test_every_exception_names_a_chapter_and_gives_a_reason():
    assert set(EXCEPTIONS) <= {p.stem for p in CHAPTERS}, set(EXCEPTIONS) - {p.stem for p in CHAPTERS}
    for chapter, numbers in EXCEPTIONS.items():
        for number, reason in numbers.items():
            assert isinstance(reason, str) and len(reason.split()) >= 3, (chapter, number, reason)


def test_the_prose_numbers_are_read_as_a_reader_sees_them():
    source = ("After 1500 steps it is 0.65 away; of 1,239 runs, 297 failed, and 40\u202f000 steps "
              "later $x_{12} = 3.5$, `lr=0.25`, (2.7), Figure 2.1, [a](https://x.org/9.3) and 7.")
    assert quoted_numbers(source) == ["1500", "0.65", "1239", "297", "40000"]


def test_a_directive_keeps_its_prose_and_loses_its_code():
    source = ("Before 11.\n```{admonition} Verdict\n:class: tip\n\nAbout 70 times.\n```\n"
              "```python\nx = 12.5\n```\n```{math}\n\\eta = 0.25\n```\n"
              "````{exercise}\n:label: ex-1\nTry 30 steps.\n```python\nrun(40)\n```\n````\nAfter 13.")
    assert quoted_numbers(source) == ["11", "70", "30", "13"]


def test_a_number_is_found_only_as_a_whole_number():
    text = printed_text({"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": "gap 0.6512, runs 1,239, 69 steps"}]}]})
    assert occurs("1239", text) and occurs("69", text) and occurs("0.6512", text)
    assert not occurs("0.65", text) and not occurs("6", text) and not occurs("9", text)


def test_a_number_the_outputs_lost_is_reported():
    notebook = {"cells": [
        {"cell_type": "code", "source": "print(steps)", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "71\n"}]},
        {"cell_type": "markdown", "source": "It needs 69 steps."}]}
    assert unprinted(notebook) == {"69": "cell 1"}
