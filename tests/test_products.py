"""check_vjp / check_jvp: correct products pass at any scale and conditioning, wrong ones are
caught and diagnosed, bad input raises a GradcheckError subclass."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst


@st.composite
def layers(draw, square=False):
    """f(x) = s A sin(x / s) with A of condition number up to 1e4, x of scale s in 1e-8..1e8:
    (f, J, x) with the exact Jacobian J = A diag(cos(x / s))."""
    n = draw(st.integers(1, 5))
    m = n if square else draw(st.integers(1, 5))
    k = min(m, n)
    U = draw(gst.arrays((m, m), "orthogonal"))
    V = draw(gst.arrays((n, n), "orthogonal"))
    cond = 10.0 ** draw(st.floats(0, 4))
    A = (U[:, :k] * np.geomspace(1.0, cond, k)) @ V[:, :k].T
    s = 10.0 ** draw(st.floats(-8, 8))
    x = s * draw(gst.arrays((n,), "any", name="x"))

    def f(x):
        return s * np.sin(x / s) @ A.T

    return f, A * np.cos(x / s)[None, :], x


@settings(max_examples=40, deadline=None)
@given(problem=layers())
def test_correct_vjp_and_jvp_pass(problem):
    f, J, x = problem
    assert gc.check_vjp(f, lambda u, x: J.T @ u, x).status == "passed"
    assert gc.check_jvp(f, lambda d, x: J @ d, x).status == "passed"


@settings(max_examples=30, deadline=None)
@given(problem=layers(), where=st.integers(0, 10**6), sign=st.sampled_from([-1.0, 1.0]))
def test_one_jacobian_entry_wrong_by_1e_6_is_caught_and_located(problem, where, sign):
    f, J, x = problem
    wrong = J.copy()
    index = np.unravel_index(where % J.size, J.shape)
    wrong[index] += sign * 1e-6 * np.max(np.abs(J))
    for result in (
        gc.check_vjp(f, lambda u, x: wrong.T @ u, x),
        gc.check_jvp(f, lambda d, x: wrong @ d, x),
    ):
        assert result.status == "failed", str(result)
        assert result.located is not None
        assert result.located.worst_index == tuple(int(i) for i in index)


@settings(max_examples=20, deadline=None)
@given(problem=layers(square=True))
def test_a_vjp_applying_the_untransposed_jacobian_is_a_transpose(problem):
    f, J, x = problem
    if np.max(np.abs(J - J.T)) <= 1e-3 * np.max(np.abs(J)):
        return  # a symmetric Jacobian is its own transpose: the claim is right
    result = gc.check_vjp(f, lambda u, x: J @ u, x)
    assert result.status == "failed"
    assert result.diagnosis.kind == "transpose", str(result)


def test_a_transposed_weight_gradient_is_a_transpose():
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((3, 5)), rng.standard_normal((3, 3))

    def f(W):
        return W @ X

    assert gc.check_vjp(f, lambda U, W: U @ X.T, W).passed
    result = gc.check_vjp(f, lambda U, W: (U @ X.T).T, W)
    assert result.status == "failed" and result.diagnosis.kind == "transpose", str(result)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda u, x: np.cos(x) * u**2,  # squares the cotangent
        lambda u, x: np.cos(x) * (u + 1.0),  # an affine term
        lambda u, x: np.cos(x),  # ignores the cotangent
    ],
)
def test_a_vjp_that_is_not_linear_is_named(wrong):
    x = np.array([0.1, 0.7, -0.4])
    result = gc.check_vjp(np.sin, wrong, x)
    assert result.status == "failed" and not result.linear
    assert result.diagnosis.kind == "not_linear"
    assert gc.check_vjp(np.sin, lambda u, x: np.cos(x) * u, x).linear


def test_several_variables_name_the_wrong_one():
    rng = np.random.default_rng(1)
    point = {
        "W": rng.standard_normal((3, 4)),
        "b": rng.standard_normal(3),
        "x": rng.standard_normal(4),
    }

    def layer(W, b, x):
        return np.tanh(np.einsum("...ij,j->...i", W, x) + b)

    def backward(u, W, b, x, factor=1.0):
        g = u * (1 - np.tanh(W @ x + b) ** 2)
        return {"W": np.outer(g, x), "b": factor * g, "x": W.T @ g}

    right = gc.check_vjp(layer, backward, point, wrt=("W", "b"))
    assert right.passed and set(right.results) == {"W", "b"}
    wrong = gc.check_vjp(layer, lambda u, **p: backward(u, **p, factor=2.0), point, wrt=("W", "b"))
    assert wrong.status == "failed" and wrong.failed_variables == ("b",)
    assert wrong.results["b"].diagnosis.kind == "scale"
    as_tuple = gc.check_vjp(
        layer, lambda u, **p: tuple(backward(u, **p).values())[:2], point, wrt=("W", "b")
    )
    assert as_tuple.passed


def test_bad_products_raise_gradcheck_errors():
    x = np.array([0.1, 0.7, -0.4])
    with pytest.raises(gc.ShapeMismatchError, match=r"shape \(2,\)"):
        gc.check_vjp(np.sin, lambda u, x: u[:2], x)
    with pytest.raises(gc.FunctionCallError, match="the vjp raised"):
        gc.check_vjp(np.sin, lambda u, x: 1 / 0, x)
    with pytest.raises(gc.NonFiniteValueError, match="non-finite"):
        gc.check_jvp(np.sin, lambda d, x: d * np.nan, x)
    with pytest.raises(gc.InvalidArgumentError, match="callable"):
        gc.check_vjp(np.sin, np.cos(x), x)
    with pytest.raises(gc.InvalidArgumentError, match="mapping from the names"):
        gc.check_jvp(np.sin, lambda d, x: d, {"x": x}, wrt=("x",))
    point = {"a": x, "b": x}

    def f(a, b):
        return a * b

    with pytest.raises(gc.UnknownNameError, match="without"):
        gc.check_vjp(f, lambda u, a, b: {"a": u * b}, point, wrt=("a", "b"))
    with pytest.raises(gc.ShapeMismatchError, match="tuple of 2"):
        gc.check_vjp(f, lambda u, a, b: (u * b,), point, wrt=("a", "b"))
    with pytest.raises(gc.UnknownNameError):
        gc.check_vjp(f, lambda u, a, b: (u * b, u * a), point, wrt=("a", "c"))
