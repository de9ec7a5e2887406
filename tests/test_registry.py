import inspect

import numpy as np
import pytest

import gradcheck as gc


def _make(name="my_quadratic", **overrides):
    spec = {
        "wrt": "x",
        "variables": {"x": "n", "A": "n n"},
        "derivative": lambda x, A: (A + A.T) @ x,
        "source": "test",
    }
    spec.update(overrides)

    def f(x, A):
        """d(x^T A x)/dx = (A + A^T) x"""
        return np.einsum("...i,ij,...j->...", x, A, x)

    return gc.identity(name, **spec)(f)


def test_decorator_builds_a_frozen_record():
    entry = _make()
    assert isinstance(entry, gc.Identity) and entry.layout == "denominator"
    assert entry.family == "test_registry"  # the defining module
    assert entry.text == "d(x^T A x)/dx = (A + A^T) x"  # the docstring
    with pytest.raises(AttributeError):
        entry.name = "other"  # type: ignore[misc]
    dims, point = entry.draw(np.random.default_rng(0))
    assert point["x"].shape == (dims["n"],) and point["A"].shape == (dims["n"], dims["n"])


def test_a_formula_entry_generates_its_text_and_latex_and_evaluates_batched():
    entry = gc.identity(
        "my_trace",
        f="trace(X @ A)",
        derivative="A.T",
        variables={"X": "n m where n > m", "A": ("m n", "positive")},
        wrt="X",
        source="test",
    )
    assert entry.text == "d tr(X A)/dX = A^T"
    assert entry.latex == r"\frac{\partial \operatorname{tr}(X A)}{\partial X} = A^{\top}"
    assert entry.family == "test_registry" and entry.vectorized is True
    assert entry.shapes == {"X": "n m", "A": "m n"} and entry.constraints == {"A": "positive"}
    assert entry.conditions == ("n > m",)
    dims, point = entry.draw(np.random.default_rng(1))
    assert dims["n"] > dims["m"] and np.all(point["A"] > 0)
    X, A = point["X"], point["A"]
    assert np.allclose(entry.f(**point), np.trace(X @ A), rtol=1e-14)
    stack = np.stack([X, 2 * X, -X])
    assert np.allclose(entry.f(X=stack, A=A), [np.trace(m @ A) for m in stack], rtol=1e-14)
    assert np.array_equal(entry.derivative(**point), A.T)
    assert entry.check(point).passed
    report = gc.run_catalogue(catalogue=gc.Catalogue([entry]), trials=3, seed=1)
    assert report.ok


def test_a_derivative_callable_takes_only_the_variables_it_uses():
    entry = _make(derivative=lambda A, x: (A + A.T) @ x)
    only_a = _make("only_a", derivative=lambda A: np.zeros(len(A)))
    _, point = entry.draw(np.random.default_rng(0))
    assert np.allclose(entry.derivative(**point), (point["A"] + point["A"].T) @ point["x"])
    assert only_a.derivative(**point).shape == point["x"].shape
    with pytest.raises(gc.InvalidArgumentError, match="not variables"):
        _make(derivative=lambda x, B: x)


def test_signatures_stay_short():
    for fn in (gc.identity, gc.pitfall):
        assert len(inspect.signature(fn).parameters) <= 8, fn.__name__


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"wrt": "y"}, "has no shape"),
        ({"variables": {"x": "n"}, "derivative": lambda x: 2 * x}, "parameters"),
        ({"variables": {"x": "n", "A": ("n n", "spdd")}}, "Did you mean 'spd'"),
        ({"variables": {"x": "n", "A": 3}}, "shape string or a pair"),
        ({"variables": {}}, "`variables` must map"),
        ({"layout": "row"}, "`layout`"),
        ({"variables": {"x": "n where k > 1", "A": "n n"}}, "unknown dimension"),
        ({"derivative": 3}, "`derivative` must be"),
        ({"derivative": "A @ y"}, "y"),
        ({"derivative": "A @ ones_like(x)[:2] @ x"}, "identity 'my_quadratic'"),
    ],
)
def test_invalid_entries_are_refused(overrides, match):
    with pytest.raises(gc.GradcheckError, match=match):
        _make(**overrides)


def test_a_formula_entry_needs_a_name_and_a_formula():
    with pytest.raises(gc.InvalidArgumentError, match="decorate it"):
        gc.identity(f="x @ x", derivative="2 * x", variables={"x": "n"}, wrt="x")
    with pytest.raises(gc.InvalidArgumentError, match="trace"):
        gc.identity("bad", f="trace(x)", derivative="x", variables={"x": "n"}, wrt="x")


def test_duplicate_names_are_refused():
    with pytest.raises(gc.DuplicateIdentityError, match="my_quadratic"):
        gc.Catalogue([_make(), _make()])


def test_unknown_name_suggests_close_matches():
    cat = gc.Catalogue([_make()])
    with pytest.raises(gc.UnknownNameError, match="my_quadratic"):
        cat["my_quadratik"]


def test_pitfall_inherits_and_overrides():
    right = _make()
    wrong = gc.pitfall(
        "my_wrong",
        corrects=right,
        mistake="symmetric_only",
        derivative=lambda x, A: 2 * A @ x,
        variables={"A": "n n where n >= 2"},
    )
    assert wrong.is_pitfall and wrong.corrects == right.name and wrong.shapes == right.shapes
    assert wrong.conditions == ("n >= 2",) and wrong.family == right.family
    with pytest.raises(gc.InvalidArgumentError, match="mistake class"):
        gc.pitfall("bad", corrects=right, mistake="typo", derivative=right.derivative)
    with pytest.raises(gc.InvalidArgumentError, match="'factor_2' is now 'scale'"):
        gc.pitfall("old", corrects=right, mistake="factor_2", derivative=right.derivative)


def test_a_pitfall_of_a_formula_entry_states_its_claim():
    right = gc.identity(
        "quadratic_form",
        f="x @ A @ x",
        derivative="(A + A.T) @ x",
        variables={"x": "n", "A": "n n"},
        wrt="x",
        source="test",
    )
    wrong = gc.pitfall(
        "quadratic_form_sym", corrects=right, mistake="symmetric_only", derivative="2 * A @ x"
    )
    assert wrong.text == "d(x A x)/dx = 2 A x"
    assert gc.run_catalogue(catalogue=gc.Catalogue([wrong]), trials=2, seed=0).ok


def test_reference_classes_map_to_kinds():
    assert gc.REFERENCE_MISTAKES["missing_transpose"] == "transpose"
    assert gc.REFERENCE_MISTAKES["factor_2"] == gc.REFERENCE_MISTAKES["missing_half"] == "scale"
    assert set(gc.REFERENCE_MISTAKES.values()) <= set(gc.MISTAKES)


USER_MODULE = """
import numpy as np
from gradcheck import identity, pitfall

user_normsq = identity("user_normsq", f="sum((X @ w) ** 2)", derivative="2 * X.T @ X @ w",
                       variables={"w": "n", "X": "m n"}, wrt="w", source="user notes")

@identity(derivative=lambda w, X: 2 * X.T @ X @ w, variables={"w": "n", "X": "m n"}, wrt="w")
def user_normsq_py(w, X):
    '''d||Xw||^2/dw = 2 X^T X w'''
    return np.sum((w @ X.T) ** 2, axis=-1)

user_wrong = pitfall("user_wrong", corrects=user_normsq, mistake="scale",
                     derivative="X.T @ X @ w")
"""


def test_user_catalogue_from_a_file(tmp_path):
    path = tmp_path / "my_identities.py"
    path.write_text(USER_MODULE)
    report = gc.run_catalogue(catalogue=gc.load_catalogue(str(path)), trials=3, seed=2)
    assert report.ok
    assert {r.identity for r in report.records} == {"user_normsq", "user_normsq_py", "user_wrong"}
    assert {r.family for r in report.records} == {"my_identities"}
    with pytest.raises(gc.UnknownNameError, match="cannot import"):
        gc.load_catalogue("no_such_module_xyz")
