import numpy as np
import pytest

import gradcheck as gc


def _make(name="my_quadratic", **overrides):
    spec = {
        "family": "mine",
        "wrt": "x",
        "shapes": {"x": "n", "A": "n n"},
        "derivative": lambda x, A: (A + A.T) @ x,
        "text": "d(x^T A x)/dx = (A + A^T) x",
        "source": "test",
    }
    spec.update(overrides)

    def f(x, A):
        return np.einsum("...i,ij,...j->...", x, A, x)

    return gc.identity(name, **spec)(f)


def test_decorator_builds_a_frozen_record():
    entry = _make()
    assert isinstance(entry, gc.Identity) and entry.layout == "denominator"
    with pytest.raises(AttributeError):
        entry.name = "other"  # type: ignore[misc]
    dims, point = entry.draw(np.random.default_rng(0))
    assert point["x"].shape == (dims["n"],) and point["A"].shape == (dims["n"], dims["n"])


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"wrt": "y"}, "has no shape"),
        ({"shapes": {"x": "n"}}, "parameters"),
        ({"constraints": {"B": "spd"}}, "unknown variables"),
        ({"constraints": {"A": "spdd"}}, "Did you mean 'spd'"),
        ({"layout": "row"}, "`layout`"),
        ({"conditions": ("k > 1",)}, "unknown dimension"),
    ],
)
def test_invalid_entries_are_refused(overrides, match):
    with pytest.raises(gc.GradcheckError, match=match):
        _make(**overrides)


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
        conditions=("n >= 2",),
    )
    assert wrong.is_pitfall and wrong.corrects == right.name and wrong.shapes == right.shapes
    with pytest.raises(gc.InvalidArgumentError, match="mistake class"):
        gc.pitfall("bad", corrects=right, mistake="typo", derivative=right.derivative)


USER_MODULE = """
import numpy as np
from gradcheck import identity, pitfall

@identity(family="user", wrt="w", shapes={"w": "n", "X": "m n"},
          derivative=lambda w, X: 2 * X.T @ X @ w, text="d||Xw||^2/dw = 2 X^T X w",
          source="user notes")
def user_normsq(w, X):
    return np.sum((w @ X.T) ** 2, axis=-1)

user_wrong = pitfall("user_wrong", corrects=user_normsq, mistake="factor_2",
                     derivative=lambda w, X: X.T @ X @ w)
"""


def test_user_catalogue_from_a_file(tmp_path):
    path = tmp_path / "my_identities.py"
    path.write_text(USER_MODULE)
    report = gc.run_catalogue(catalogue=gc.load_catalogue(str(path)), trials=3, seed=2)
    assert report.ok
    assert {r.identity for r in report.records} == {"user_normsq", "user_wrong"}
    with pytest.raises(gc.UnknownNameError, match="cannot import"):
        gc.load_catalogue("no_such_module_xyz")
