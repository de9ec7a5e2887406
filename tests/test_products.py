"""check_vjp / check_jvp: correct products pass at any scale and conditioning, wrong ones are
caught and diagnosed, bad input raises a GradcheckError subclass."""

import re
import warnings

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

    with pytest.raises(gc.UnknownNameError, match=r"lacks \[.b.\]"):
        gc.check_vjp(f, lambda u, a, b: {"a": u * b}, point, wrt=("a", "b"))
    with pytest.raises(gc.ShapeMismatchError, match="tuple of 2 items"):
        gc.check_vjp(f, lambda u, a, b: (u * b,), point, wrt=("a", "b"))
    with pytest.raises(gc.UnknownNameError):
        gc.check_vjp(f, lambda u, a, b: (u * b, u * a), point, wrt=("a", "c"))


@st.composite
def wide_layers(draw):
    """f(W) = s tanh(W x / s) with W of more than 2048 entries (no located search), W of scale
    s in 1e-8..1e8 and x with entries away from 0: (f, tanh' per output, x, W)."""
    m = draw(st.integers(45, 60))
    n = draw(st.integers(50, 60))
    s = 10.0 ** draw(st.floats(-8, 8))
    x = draw(gst.arrays((n,), "nonzero", name="x"))
    W = draw(gst.arrays((m, n), "any", name="W"))
    W = s * W / max(float(np.max(np.abs(W) @ np.abs(x))), 1e-300)  # |W x| / s <= 1: tanh'> 0.4
    slope = 1 - np.tanh(W @ x / s) ** 2  # df_i / dW_ik = slope_i x_k

    def f(W):
        return s * np.tanh(np.einsum("...ik,k->...i", W, x) / s)

    return f, slope, x, W


@settings(max_examples=10, deadline=None)
@given(problem=wide_layers(), where=st.integers(0, 10**6), sign=st.sampled_from([-1.0, 1.0]))
def test_above_the_threshold_one_wrong_entry_is_caught_at_any_place_without_locating(
    problem, where, sign
):
    # the documented promise: any single entry wrong by more than detection_threshold times
    # the largest entry is caught, wherever it is (sign vectors weigh every entry alike)
    f, slope, x, W = problem
    J = slope[:, None] * x[None, :]  # the Jacobian as an array of W's shape, per output row
    largest = float(np.max(np.abs(J)))
    i, k = divmod(where % W.size, W.shape[1])
    right_vjp = gc.check_vjp(f, lambda u, W: np.outer(u * slope, x), W)
    right_jvp = gc.check_jvp(f, lambda D, W: slope * (D @ x), W)
    assert right_vjp.passed and right_jvp.passed, str(right_vjp) + str(right_jvp)
    for right in (right_vjp, right_jvp):
        assert right.located is None and right.detection_threshold < 1e-6 / 2
    e = sign * 1e-6 * largest

    def wrong_vjp(u, W):
        g = np.outer(u * slope, x)
        g[i, k] += e * u[i]
        return g

    def wrong_jvp(D, W):
        out = slope * (D @ x)
        out[i] += e * D[i, k]
        return out

    for result in (gc.check_vjp(f, wrong_vjp, W), gc.check_jvp(f, wrong_jvp, W)):
        assert result.status == "failed" and result.located is None, str(result)


def _tanh_layer():
    rng = np.random.default_rng(3)
    point = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(3)}
    x = rng.standard_normal(4)

    def f(W, b):
        return np.tanh(np.einsum("...ij,j->...i", W, x) + b)

    def slope(W, b):
        return 1 - np.tanh(W @ x + b) ** 2

    return f, slope, x, point


def test_several_jvps_name_the_wrong_variable():
    f, slope, x, point = _tanh_layer()
    jvps = {
        "W": lambda D, W, b: slope(W, b) * (D @ x),
        "b": lambda d, W, b: slope(W, b) * d,
    }
    right = gc.check_jvp(f, jvps, point, wrt=("W", "b"))
    assert right.passed and right.form == "jvp" and set(right.results) == {"W", "b"}
    as_tuple = gc.check_jvp(f, (jvps["W"], jvps["b"]), point, wrt=("W", "b"))
    assert as_tuple.passed
    wrong = gc.check_jvp(
        f, {**jvps, "W": lambda D, W, b: slope(W, b) * (D.T @ x[:3])[:3]}, point, wrt=("W", "b")
    )
    assert wrong.status == "failed" and wrong.failed_variables == ("W",)
    assert "not passed for W" in wrong.headline


def test_missing_and_extra_names_in_a_claim_of_several_are_named():
    f, slope, x, point = _tanh_layer()
    jvp_b = lambda d, W, b: slope(W, b) * d  # noqa: E731
    with pytest.raises(gc.UnknownNameError, match=r"lacks \['W'\]"):
        gc.check_jvp(f, {"b": jvp_b}, point, wrt=("W", "b"))
    with pytest.raises(gc.UnknownNameError, match=r"has \['c'\], which are not variables"):
        gc.check_jvp(f, {"W": jvp_b, "b": jvp_b, "c": jvp_b}, point, wrt=("W", "b"))

    def backward(u, W, b):
        g = u * slope(W, b)
        return {"W": np.outer(g, x), "b": g, "bias": g}

    with pytest.raises(gc.UnknownNameError, match=r"has \['bias'\]"):
        gc.check_vjp(f, backward, point, wrt=("W", "b"))
    with pytest.raises(gc.UnknownNameError, match="does not have"):
        gc.check_vjp(f, backward, point, wrt=("W", "c"))


def _float32_tanh_layer(seed: int) -> tuple:
    """f(x) = 1.5 tanh(W x) computed in float32 (its finite differences partly unreliable) and
    its exact vjp 1.5 J^T u."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 50))
    x = rng.uniform(-1, 1, n)
    W = rng.standard_normal((3, n))
    J = (1 - np.tanh(W @ x) ** 2)[:, None] * W

    def f(x):
        z = np.einsum("ij,...j->...i", W.astype(np.float32), x.astype(np.float32))
        return 1.5 * np.tanh(z).astype(np.float64)

    return f, (lambda u, x: 1.5 * J.T @ u), x


@pytest.mark.parametrize("seed", range(12))
def test_unreliable_products_are_counted_not_crashed_on(seed):
    """The reliability notes of a product check got one bool for the whole array: an
    AttributeError where some values were unresolved, and "unreliable at -1 values"."""
    f, vjp, x = _float32_tanh_layer(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = gc.check_vjp(f, vjp, x)
    assert result.status != "failed", result
    counts = [
        int(re.search(r"unreliable at (-?\d+)", n).group(1))
        for n in result.notes
        if "unreliable at" in n
    ]
    assert all(c >= 1 for c in counts), result.notes
