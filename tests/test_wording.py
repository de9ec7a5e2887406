"""Messages with a count read right for 1 and for 2 (the slips users saw: "1 random shape
draws", "1 layouts"), and the in-place message is a sentence ("modified its input the point in
place" was not)."""

import re

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.catalogue import Catalogue, identity, pitfall, render_markdown
from gradcheck.verdict import counted
from tests.cli_run import gradcheck_cli


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # 1 identity x 1 layout x 1 trial
        (["--layout", "numerator", "--trials", "1"], "1 check (1 trial x 1 layout)"),
        # 1 identity x 2 layouts x 2 trials
        (["--trials", "2"], "4 checks (2 trials x 2 layouts)"),
    ],
)
def test_catalogue_totals(tmp_path, argv, expected):
    done = gradcheck_cli("catalogue", "--select", "dtrX_dX", *argv, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"1/1 identities passed, 0/0 pitfalls caught; {expected}, seed 0" in done.stdout


@pytest.mark.parametrize(
    ("trials", "draws"), [("1", "1 random shape draw"), ("2", "2 random shape draws")]
)
def test_formula_closing_line(tmp_path, trials, draws):
    done = gradcheck_cli(
        "formula", "x @ x", "--claim", "2 * x", "--wrt", "x", "--shapes", "x=n", "--trials",
        trials, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"all trials passed ({draws})"


X = np.array([0.5, -1.0, 2.0])


def test_in_place_message_for_the_point():
    def f(x):
        x.flags.writeable = True
        x *= 2.0
        return np.sum(x**2, axis=-1)

    with pytest.raises(gc.InPlaceModificationError) as info:
        gc.check(f, 8 * X, X.copy())
    assert re.match(r"f modified the point in place \(when called ", str(info.value))


def test_in_place_message_for_one_and_two_arguments():
    def f_one(x, a, b):
        a.append(1.0)
        return np.sum(x**2)

    def f_two(x, a, b):
        a.append(1.0)
        b.append(1.0)
        return np.sum(x**2)

    point = {"x": X, "a": [1.0], "b": [2.0]}
    with pytest.raises(gc.InPlaceModificationError) as one:
        gc.check(f_one, lambda x, a, b: 2 * x, point, wrt="x")
    assert re.match(r"f modified `a` in place \(when called ", str(one.value))
    with pytest.raises(gc.InPlaceModificationError) as two:
        gc.check(f_two, lambda x, a, b: 2 * x, point, wrt="x")
    assert re.match(r"f modified `a` and `b` in place \(when called ", str(two.value))
    assert point["a"] == [1.0] and point["b"] == [2.0]  # the caller's objects are untouched


def _catalogue(count):
    entries = []
    for k in range(count):
        right = identity(
            f"sq{k}", f="sum(x * x)", derivative="2 * x", variables={"x": "n"}, wrt="x"
        )
        entries += [right, pitfall(f"sq{k}_wrong", corrects=right, mistake="scale", derivative="x")]
    return Catalogue(entries)


@pytest.mark.parametrize("count", [1, 2])
def test_catalogue_repr_and_markdown(count):
    catalogue = _catalogue(count)
    identities = counted(count, "identity", "identities")
    assert repr(catalogue).startswith(f"Catalogue({2 * count} identities")  # 2 entries each
    assert f" {identities} and {counted(count, 'pitfall')} (known-wrong" in render_markdown(
        catalogue
    )
    assert repr(Catalogue(list(catalogue)[:1])).startswith("Catalogue(1 identity,")
