"""check_hessian / check_hvp and the second-difference engine: correct Hessians pass at any
scale and conditioning, wrong ones are caught and diagnosed, bad input raises."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.engine import convert_layout


@st.composite
def quadratics(draw, curved=True):
    """f(x) = x^T A x + sum cos(x / s) s^2 with A of condition number up to 1e4 and x of
    scale s in 1e-8..1e8: (f, gradient, H, x)."""
    n = draw(st.integers(1, 6))
    U, V = draw(gst.arrays((n, n), "orthogonal")), draw(gst.arrays((n, n), "orthogonal"))
    cond = 10.0 ** draw(st.floats(0, 4))
    A = (U * np.geomspace(1.0, cond, n)) @ V.T
    s = 10.0 ** draw(st.floats(-8, 8))
    x = s * draw(gst.arrays((n,), "any", name="x"))

    c = 1.0 if curved else 0.0

    def f(x):
        return np.einsum("...i,ij,...j->...", x, A, x) + c * s**2 * np.sum(np.cos(x / s), axis=-1)

    def gradient(x):
        return (A + A.T) @ x - c * s * np.sin(x / s)

    return f, gradient, A + A.T - c * np.diag(np.cos(x / s)), x


@settings(max_examples=40, deadline=None)
@given(problem=quadratics())
def test_correct_hessians_pass_from_f_and_from_the_gradient(problem):
    f, gradient, H, x = problem
    assert gc.check_hessian(f, H, x).status == "passed"
    assert gc.check_hessian(f, H, x, gradient=gradient).status == "passed"
    assert gc.check_hvp(f, lambda v, x: H @ v, x).status == "passed"


@settings(max_examples=30, deadline=None)
@given(
    problem=quadratics(curved=False),
    where=st.integers(0, 10**6),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_a_symmetric_pair_of_entries_wrong_is_caught(problem, where, sign):
    # quadratics only: where f's value is much larger than x^T H x (the curved term at a
    # point near 0), second differences cannot resolve 1e-5 of H (detection_threshold says so)
    f, gradient, H, x = problem
    n = len(x)
    i, j = divmod(where % (n * n), n)
    for source, size in (("f", 1e-5), ("gradient", 1e-6)):
        wrong = H.copy()
        wrong[i, j] += sign * size * np.max(np.abs(H))
        wrong[j, i] = wrong[i, j]
        result = gc.check_hessian(f, wrong, x, gradient=gradient if source == "gradient" else None)
        assert result.status == "failed" and result.source == source, str(result)
        assert result.worst_index in ((i, j), (j, i))


def _problem(n=4, seed=0):
    rng = np.random.default_rng(seed)
    A, x = rng.standard_normal((n, n)), rng.standard_normal(n)
    return (lambda x: np.einsum("...i,ij,...j->...", x, A, x)), A, x


def test_one_wrong_off_diagonal_entry_is_not_symmetric():
    f, A, x = _problem()
    wrong = A + A.T
    wrong[0, 2] += 1e-3
    for gradient in (None, lambda x: (A + A.T) @ x):
        result = gc.check_hessian(f, wrong, x, gradient=gradient)
        assert result.diagnosis.kind == "not_symmetric", str(result)
        assert "symmetric part is wrong too" in result.diagnosis.message


def test_a_claim_whose_symmetric_part_is_right():
    f, A, x = _problem()
    result = gc.check_hessian(f, 2 * A, x)
    assert result.status == "failed" and result.diagnosis.kind == "not_symmetric"
    assert "symmetric part (H + H^T)/2 is right" in result.diagnosis.message


def test_a_missing_factor_2_is_a_scale():
    f, A, x = _problem()
    result = gc.check_hessian(f, (A + A.T) / 2, x)
    assert result.diagnosis.kind == "scale" and result.diagnosis.factor == pytest.approx(0.5)


def test_a_hessian_that_follows_a_wrong_gradient():
    f, A, x = _problem()
    result = gc.check_hessian(f, 2 * A, x, gradient=lambda x: 2 * A @ x)
    assert result.status == "failed" and result.source == "f"
    assert result.diagnosis.kind == "gradient_mismatch"
    assert not result.gradient_check.passed
    # the right Hessian with a wrong gradient passes against f, with a note
    right = gc.check_hessian(f, A + A.T, x, gradient=lambda x: 2 * A @ x)
    assert right.passed and any("gradient does not match" in n for n in right.notes)


def test_matrix_variable_in_vec_and_tensor_layouts():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    Y = np.linalg.inv(X)
    tensor = -np.einsum("jk,li->ijkl", Y, Y)  # d2 log|det X| / dX_ij dX_kl = -Y_jk Y_li

    def f(X):
        return np.linalg.slogdet(X)[1]

    vec = convert_layout(tensor, (3, 3), (3, 3), source="tensor", target="numerator")
    assert gc.check_hessian(f, tensor, X).layout == "tensor"
    assert gc.check_hessian(f, vec, X).passed
    # Cookbook: the vec form is -K (X^-T kron X^-1) with the commutation matrix K; without K:
    assert not gc.check_hessian(f, -np.kron(Y.T, Y), X).passed
    gradient = lambda X: np.linalg.inv(X).T  # noqa: E731
    assert gc.check_hessian(f, vec, X, gradient=gradient, layout="vec").passed


def test_hvp_wrong_and_non_linear():
    f, A, x = _problem(6)
    H = A + A.T
    wrong = H.copy()
    wrong[1, 3] += 1e-3
    result = gc.check_hvp(f, lambda v, x: wrong @ v, x)
    assert result.status == "failed" and result.located is not None
    assert result.located.diagnosis.kind == "not_symmetric"
    assert gc.check_hvp(f, lambda v, x: H @ v, x, gradient=lambda x: H @ x).passed
    assert gc.check_hvp(f, lambda v, x: H @ v**3, x).diagnosis.kind == "not_linear"


def test_bad_second_order_inputs_raise():
    f, A, x = _problem()
    with pytest.raises(gc.OutputTypeError, match="scalar"):
        gc.check_hessian(lambda x: A @ x, A, x)
    with pytest.raises(gc.ShapeMismatchError, match="layout 'vec'"):
        gc.check_hessian(f, np.ones((3, 3)), x)
    with pytest.raises(gc.ShapeMismatchError, match="gradient returned shape"):
        gc.check_hessian(f, A + A.T, x, gradient=lambda x: x[:2])
    with pytest.raises(gc.InvalidArgumentError, match="`layout`"):
        gc.check_hessian(f, A + A.T, x, layout="numerator")
    with pytest.raises(gc.InvalidArgumentError, match="step"):
        gc.check_hessian(f, A + A.T, x, step=-1.0)
    with pytest.raises(gc.FunctionCallError):
        gc.check_hvp(f, lambda v, x: 1 / 0, x)
