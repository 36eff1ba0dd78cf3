"""The benchmarks compare like with like, and the committed report is what they wrote.

The timings themselves are not tested (they are the benchmarks' job: `make bench`);
what is tested is what would make a timing mean something else: a contender in
benchmarks/bench_steps.py computing another update than the book's, or a
REPORT.md or README table that report.py would not write from results.json.
"""

import importlib.util
import json
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load(name):
    """A module of benchmarks/ (not a package: the scripts are run by path)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_steps = load("bench_steps")
report = load("report")

# torch.optim.SGD with momentum computes PyTorch's form of momentum, v = 0.9 v + g,
# x = x - lr v: the course's "Momentum (pytorch)", not its default average of -lr g.
TORCH_COMPUTES = {"Momentum": "Momentum (pytorch)"}


def stepped(contender, steps):
    step, params = contender
    for _ in range(steps):
        step()
    return np.array(params.detach().numpy() if hasattr(params, "detach") else params)


@pytest.mark.parametrize("name", list(bench_steps.COURSE))
def test_every_step_contender_computes_the_books_update(name):
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal(1000)
    # gradients away from zero, so that where eps sits (inside the root in the book's
    # AdaGrad and RMSProp, outside in torch's) moves x by less than 1e-6 in four steps
    g = rng.choice([-1.0, 1.0], 1000) * rng.uniform(0.1, 2.0, 1000)
    contenders = bench_steps.contenders(name, x0, g)
    book = stepped(contenders.pop("course"), 4)
    assert not np.allclose(book, x0, rtol=0, atol=1e-4)           # the steps moved x

    np.testing.assert_array_equal(stepped(contenders.pop("fused"), 4), book)
    np.testing.assert_allclose(stepped(contenders.pop("naive"), 4), book, rtol=1e-13, atol=0)

    if importlib.util.find_spec("torch") is None:
        assert not contenders
        return
    assert "torch-foreach" in contenders
    expected = stepped(bench_steps.contenders(TORCH_COMPUTES.get(name, name), x0, g)["course"], 4)
    for mode, contender in contenders.items():
        np.testing.assert_allclose(stepped(contender, 4), expected, rtol=0, atol=1e-6, err_msg=mode)


def test_the_committed_report_and_readme_table_are_what_report_py_writes_from_results_json():
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    text, table = report.report_markdown(results)
    assert text == (ROOT / "benchmarks" / "REPORT.md").read_text(), (
        "benchmarks/REPORT.md differs from what report.py writes from results.json: "
        "run `python benchmarks/report.py --from-results`")
    readme = (ROOT / "README.md").read_text()
    assert report.readme_with_table(readme, results, table) == readme, (
        "README.md's benchmark table differs from the report's: run `python benchmarks/report.py --from-results`")
    assert "| Batched sweep (1000 x 1000), time / speed-up |" in readme


def test_the_readme_table_goes_between_the_markers_and_nowhere_else():
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    table = ["| measure | now | target | met |", "|---|---|---|---|", "| a | 1 | 2 | yes |"]
    text = f"# Title\n\nbefore\n{report.START}\nold table\n{report.END}\nafter\n"
    new = report.readme_with_table(text, results, table)
    assert new.startswith(f"# Title\n\nbefore\n{report.START}\n")
    assert new.endswith(f"| a | 1 | 2 | yes |\n{report.END}\nafter\n")
    assert "old table" not in new and results["date"] in new
    with pytest.raises(ValueError, match="no <!-- BENCHMARKS:START --> ... <!-- BENCHMARKS:END --> markers"):
        report.readme_with_table("# Title\n", results, table)
