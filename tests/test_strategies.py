import numpy as np
import pytest
from gradcheck_identities import builtin_catalogue
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst

CATALOGUE = builtin_catalogue()


@given(gst.shapes("n k 2*n-1"))
def test_shapes_follow_the_spec(shape):
    n, k, t = shape
    assert 1 <= n <= 8 and 1 <= k <= 8 and t == 2 * n - 1


@given(st.data())
def test_arrays_meet_their_constraints(data):
    n = data.draw(gst.dims(1, 6))
    S = data.draw(gst.arrays((n, n), "spd"))
    assert np.allclose(S, S.T) and np.linalg.eigvalsh(S).min() >= 0.5 - 1e-9
    Q = data.draw(gst.arrays((n, n), "orthogonal"))
    assert np.allclose(Q.T @ Q, np.eye(n), atol=1e-10)
    X = data.draw(gst.arrays((n, n), "invertible"))
    assert np.linalg.cond(X) <= 4 + 1e-6
    p = data.draw(gst.arrays((n,), "simplex"))
    assert np.all(p > 0) and np.isclose(p.sum(), 1)
    u = data.draw(gst.arrays((n,), "unit"))
    assert np.isclose(np.linalg.norm(u), 1)
    E = data.draw(gst.arrays((n, n), "distinct_eigs"))
    assert np.all(np.diff(np.linalg.eigvalsh(E)) >= 0.5 - 1e-9)
    m = data.draw(gst.dims(1, 6))
    V = data.draw(gst.arrays((n, m), "distinct_sv"))
    assert np.all(-np.diff(np.linalg.svd(V, compute_uv=False)) >= 0.4 - 1e-9)
    R = data.draw(gst.arrays((n, n), "real_eigs"))
    assert np.allclose(np.linalg.eigvals(R).imag, 0, atol=1e-6)
    P = data.draw(gst.arrays((n, n), "pd_nonsym"))
    assert np.linalg.eigvalsh((P + P.T) / 2).min() > 0


def test_shrunk_examples_are_simple():
    from hypothesis import find

    S = find(gst.arrays((3, 3), "spd"), lambda S: True)
    assert np.allclose(S, np.diag(np.diag(S)))  # shrinks to a diagonal matrix
    shape = find(gst.shapes("n m"), lambda s: True)
    assert shape == (1, 1)


@settings(max_examples=30)
@given(st.data())
def test_points_are_complete_and_satisfy_conditions(data):
    entry = data.draw(gst.identities())
    point = data.draw(gst.points(entry))
    assert set(point) == set(entry.shapes)
    assert (
        gc.check(
            entry.f,
            entry.derivative,
            point,
            wrt=entry.wrt,
            layout=entry.layout,
            vectorized=entry.vectorized,
        ).status
        == "passed"
    )


def test_identities_filter_families_and_pitfalls():
    from hypothesis import find

    entry = find(gst.identities("trace", pitfalls=True), lambda e: e.is_pitfall)
    assert entry.family == "trace" and entry.is_pitfall


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gst.dims(0), "min_value"),
        (lambda: gst.dims(5, 2), "swap"),
        (lambda: gst.arrays((3, 2), "spd"), "square"),
        (lambda: gst.arrays((3,), "spdd"), "Did you mean 'spd'"),
        (lambda: gst.arrays(("a",), "any"), "shape"),
        (lambda: gst.points("dxTAx_dx"), "Identity"),
        (lambda: gst.identities("nope"), "no family"),
    ],
)
def test_arguments_are_validated(call, match):
    with pytest.raises(gc.GradcheckError, match=match):
        call()


def test_the_test_profile_is_derandomized_and_keeps_no_example_database():
    current = settings()  # the profile loaded by tests/conftest.py
    assert current.derandomize is True
    assert current.database is None
