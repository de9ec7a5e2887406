"""Catalogue cards: the other layout's formula, pitfall cards, and `gradcheck list` fitting the
terminal (gradcheck/catalogue/docs.py and gradcheck/catalogue/layout_text.py)."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck
from gradcheck import strategies as gst
from gradcheck.catalogue import fit_table, identity_card
from gradcheck.catalogue.docs import other_layout_claim
from gradcheck.catalogue.layout_text import transposed_claim
from gradcheck.engine import convert_layout, layout_shapes
from gradcheck.expressions import CompiledExpression, parse_expression, render_text

CATALOGUE = gradcheck.installed_catalogue()
WITH_OTHER = [e for e in CATALOGUE if other_layout_claim(e) is not None]
# first derivatives (a Hessian's or a VJP's card says its form's layout instead)
HAND_WRITTEN = [
    e for e in CATALOGUE if e.claim is None and e.layout != "tensor" and e.form == "jacobian"
]
OTHER = {"numerator": "denominator", "denominator": "numerator"}


def _evaluate(expression, point):
    shapes = {name: np.shape(value) for name, value in point.items()}
    used = {name: point[name] for name in expression.variables}
    return CompiledExpression(expression).with_shapes(shapes)(**used)


def _other_layout_value(entry, point):
    """The entry's claim at `point`, moved to the other layout by convert_layout."""
    f_shape = np.shape(entry.f(**point))
    x_shape = np.shape(point[entry.wrt])
    stated = entry.derivative(**point)
    target = OTHER[entry.layout]
    return convert_layout(stated, f_shape, x_shape, source=entry.layout, target=target)


def _agrees(entry, expression, point):
    """Whether `expression` at `point` is the entry's claim in the other layout (compared in
    that layout's canonical shape). A pitfall's claim of a shape no layout allows is no
    derivative at all: its other-layout form is then its plain transpose."""
    f_shape, x_shape = np.shape(entry.f(**point)), np.shape(point[entry.wrt])
    got = np.asarray(_evaluate(expression, point), dtype=float)
    stated = np.asarray(entry.derivative(**point))
    if stated.shape not in layout_shapes(f_shape, x_shape, entry.layout):
        assert entry.is_pitfall, f"{entry.name}: the claim has shape {stated.shape}"
        return got.shape == stated.T.shape and bool(np.allclose(got, stated.T, rtol=1e-9))
    expected = _other_layout_value(entry, point)
    target = OTHER[entry.layout]
    try:
        got = convert_layout(got, f_shape, x_shape, source=target, target=target)
    except gradcheck.GradcheckError:
        return False
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=1e-9, atol=1e-9 * scale)
    )


def test_most_formula_entries_have_an_other_layout_formula():
    assert len(WITH_OTHER) > 200
    assert all(e.claim is not None for e in WITH_OTHER)


@pytest.mark.parametrize("entry", WITH_OTHER, ids=[e.name for e in WITH_OTHER])
@settings(max_examples=6)
@given(data=st.data())
def test_other_layout_formula_evaluates_to_the_converted_claim(entry, data):
    """The formula the card shows for the other layout, compiled by the formula language,
    equals convert_layout of the stated claim at random points (and the card's text is that
    formula rendered)."""
    point = data.draw(gst.points(entry, max_value=5))
    other = other_layout_claim(entry)
    with np.errstate(all="ignore"):
        assert _agrees(entry, other, point)
    shapes = {name: np.shape(value) for name, value in point.items()}
    assert identity_card(entry).other_formula.removesuffix(" (the same formula)") == render_text(
        other, shapes
    )


def test_the_check_of_the_other_layout_formula_can_fail():
    """The stated formula passed off as the other layout's is caught (non-square shapes and a
    non-symmetric square matrix)."""
    entry = CATALOGUE["dtrAXB_dX"]
    rng = np.random.default_rng(1)
    point = {
        "A": rng.normal(size=(4, 2)),
        "X": rng.normal(size=(2, 3)),
        "B": rng.normal(size=(3, 4)),
    }
    assert _agrees(entry, other_layout_claim(entry), point)
    assert not _agrees(entry, entry.claim, point)
    square = CATALOGUE["dtrXA_dX"]
    point = {"X": rng.normal(size=(3, 3)), "A": rng.normal(size=(3, 3))}
    assert not _agrees(square, square.claim, point)


@pytest.mark.parametrize(
    ("claim", "shapes", "symmetric", "expected"),
    [
        ("A.T @ B.T", {"A": (2, 3), "B": (4, 2)}, (), "B A"),
        (
            "-inv(X).T @ A.T @ B.T @ inv(X).T",
            {"X": (3, 3), "A": (3, 3), "B": (3, 3)},
            (),
            "-X^-1 B A X^-1",
        ),
        ("outer(a, b)", {"a": (2,), "b": (3,)}, (), "outer(b, a)"),
        ("2 * A @ W", {"A": (3, 3), "W": (3, 2)}, (), "2 W^T A^T"),
        ("2 * A @ W", {"A": (3, 3), "W": (3, 2)}, ("A",), "2 W^T A"),
        ("(A + A.T) @ W", {"A": (3, 3), "W": (3, 2)}, (), "W^T (A + A^T)"),
        ("2 * x[None, :]", {"x": (3,)}, (), "2 x[:, None]"),
        ("(A + A.T) @ x", {"A": (3, 3), "x": (3,)}, (), "(A + A^T) x"),
        ("tanh(X @ W)", {"X": (2, 3), "W": (3, 4)}, (), "tanh(W^T X^T)"),
        ("inv(X).T", {"X": (3, 3)}, (), "X^-1"),
        ("expm(X)", {"X": (3, 3)}, (), "expm(X)^T"),
        ("X.T @ X", {"X": (3, 2)}, (), "X^T X"),
        ("A + b", {"A": (2, 3), "b": (3,)}, (), "A^T + b[:, None]"),
        ("kron(A, B)", {"A": (2, 3), "B": (2, 2)}, (), "kron(A^T, B^T)"),
    ],
)
def test_the_transpose_is_pushed_through_the_tree(claim, shapes, symmetric, expected):
    """Expected texts derived by hand: (AB)^T = B^T A^T, outer(a, b)^T = outer(b, a),
    (X^-T)^T = X^-1, symmetric operands stay, a broadcast row becomes a column."""
    expression = parse_expression(claim, list(shapes))
    other = transposed_claim(expression, shapes, symmetric)
    assert render_text(other, shapes) == expected
    rng = np.random.default_rng(2)
    values = {}
    for name, shape in shapes.items():
        value = rng.normal(size=shape)
        values[name] = (value + value.T) / 2 if name in symmetric else value
    want = np.transpose(_evaluate(expression, values))
    np.testing.assert_allclose(_evaluate(other, values), want, rtol=1e-12, atol=1e-12)


def test_hand_written_formulas_show_no_other_layout_text_and_say_which_layout_they_are_in():
    assert HAND_WRITTEN
    for entry in HAND_WRITTEN:
        card = identity_card(entry)
        assert card.other_formula == ""
        assert f"stated in the {entry.layout} layout" in card.layout
        if "(a scalar)" not in card.layout:
            assert f"hand-written in the {entry.layout} layout" in card.layout, entry.name
        assert ")^T" not in card.layout


@pytest.mark.parametrize(
    ("name", "relation"),
    [
        ("d_trace_dt", "the same in both layouts (a scalar)"),
        ("dxTAx_dx", "the same 1-D array in both layouts"),
        ("dtrXA_dX", "numerator layout: the transpose"),
        ("dAx_dx", "numerator layout: the transpose"),
        ("d_alphaX_dt", "denominator layout: the transpose"),
    ],
)
def test_the_layout_relation_follows_the_projects_convention(name, relation):
    """The engine's convention (gradcheck/engine/layouts.py): a scalar by a vector is the same
    1-D array in both layouts, a scalar by a matrix is transposed."""
    entry = CATALOGUE[name]
    assert relation in identity_card(entry).layout
    point = {k: np.ones(s) for k, s in {"x": (3,), "A": (3, 3), "X": (3, 3)}.items()}
    g = np.arange(3.0)
    assert convert_layout(g, (), (3,), source="denominator", target="numerator").shape == (3,)
    assert point and convert_layout(
        np.arange(6.0).reshape(2, 3), (), (2, 3), source="denominator", target="numerator"
    ).shape == (3, 2)


# -- pitfall cards -------------------------------------------------------------------------


def _run(*args, columns=None):
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", *args], capture_output=True, text=True, env=env
    )


def _card(stdout):
    return dict(re.findall(r"^([a-z ]+):\s+(.*)$", stdout.split("\ncheck:")[0], re.M))


def test_show_a_pitfall_shows_the_wrong_claim_the_mistake_and_the_right_formula():
    run = _run("show", "w_trXA_no_transpose")
    assert run.returncode == 0, run.stderr  # the pitfall failed, as expected
    card = _card(run.stdout)
    assert card["wrong claim"] == "d tr(X A)/dX = A"
    assert card["mistake"] == "transpose"
    assert card["corrects"] == f"dtrXA_dX: {CATALOGUE['dtrXA_dX'].text}"
    assert card["corrects"].endswith("= A^T")


def test_a_pitfall_written_in_python_says_so_and_still_names_the_right_formula():
    entry = CATALOGUE["w_trsin_no_transpose"]
    card = identity_card(entry, CATALOGUE)
    assert entry.claim is None and "Python function" in card.formula
    assert card.latex == ""  # no LaTeX made of the sentence "wrong (transpose) claim for: ..."
    assert card.corrects_formula == CATALOGUE[entry.corrects].text


def test_list_and_docs_show_the_pitfalls_claims_and_the_identities_they_correct():
    run = _run("list", "--wide")
    assert run.returncode == 0, run.stderr
    pitfall_table = run.stdout.split("\n\n")[1]
    header = pitfall_table.splitlines()[0].split()
    assert header[:3] == ["pitfall", "wrong", "claim"] and "corrects" in header
    row = next(
        line for line in pitfall_table.splitlines() if line.startswith("w_trXA_no_transpose ")
    )
    assert "d tr(X A)/dX = A " in row and "dtrXA_dX" in row and "= A^T" in row
    markdown = gradcheck.catalogue.render_markdown(CATALOGUE)
    section = markdown.split("### `w_trXA_no_transpose`")[1].split("###")[0]
    assert "the wrong claim `d tr(X A)/dX = A`" in section
    assert "corrects `dtrXA_dX`: `d tr(X A)/dX = A^T`" in section


# -- list fits the terminal ----------------------------------------------------------------


def test_list_fits_80_columns_and_names_every_identity():
    run = _run("list", columns=80)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = set(run.stdout.split())
    assert all(entry.name in words for entry in CATALOGUE)


def test_wide_and_output_files_are_not_fitted(tmp_path):
    wide = _run("list", "--wide", columns=80)
    assert max(len(line) for line in wide.stdout.splitlines()) > 80
    out = tmp_path / "list.txt"
    written = _run("list", "--output", str(out), columns=80)
    assert written.returncode == 0, written.stderr
    assert out.read_text() == wide.stdout
    markdown = _run("list", "--format", "markdown", columns=40)
    assert markdown.stdout == gradcheck.catalogue.render_markdown(CATALOGUE)


def test_list_bad_output_path_is_one_line_and_status_2(tmp_path):
    run = _run("list", "--output", str(tmp_path / "missing" / "x.txt"))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "not found" in run.stderr


@settings(max_examples=40)
@given(
    width=st.integers(min_value=30, max_value=160),
    words=st.lists(st.text("ab ", min_size=0, max_size=40), min_size=3, max_size=3),
)
def test_fit_table_lines_fit_and_keep_every_name(width, words):
    rows = [[f"name_{i}", *words] for i in range(3)]
    text = fit_table(rows, ["identity", "a", "b", "c"], width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert all(f"name_{i}" in text.split() for i in range(3))
    if "not shown" not in text:  # every column shown: wrapping lost no character
        cells = "".join("".join(row) for row in rows) + "identityabc"
        for letter in "ab":
            assert text.count(letter) == cells.count(letter)
