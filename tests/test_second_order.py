"""check_hessian / check_hvp and the second-difference engine: correct Hessians pass at any
scale and conditioning, wrong ones are caught and diagnosed, bad input raises."""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
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
    assume(np.max(np.abs(H)) > 0)  # A + A^T = 0 (A antisymmetric): 1e-5 of it changes nothing
    for source, size in (("f", 1e-5), ("gradient", 1e-6)):
        wrong, (i, j) = wrong_pair(H, where, sign, size)
        result = gc.check_hessian(f, wrong, x, gradient=gradient if source == "gradient" else None)
        assert result.status == "failed" and result.source == source, str(result)
        assert result.worst_index in ((i, j), (j, i))


def wrong_pair(H: np.ndarray, where: int, sign: float, size: float):
    """H with its symmetric pair of entries number `where` (mod n^2) moved by `size` times its
    largest entry, and that pair's index: (wrong, (i, j))."""
    n = len(H)
    i, j = divmod(where % (n * n), n)
    wrong = H.copy()
    wrong[i, j] += sign * size * np.max(np.abs(H))
    wrong[j, i] = wrong[i, j]
    return wrong, (i, j)


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


@st.composite
def bilinear_problems(draw):
    """f(x, y) = x^T A y + x^T B x + s^2 sum cos(y / s) with A square and not symmetric,
    x, y of scale s in 1e-8..1e8: (f, exact blocks, point)."""
    n = draw(st.integers(2, 4))
    A = draw(gst.arrays((n, n), "any", name="A"))
    A = A + np.triu(np.ones((n, n)), 1)  # far from symmetric: a transpose shows
    B = draw(gst.arrays((n, n), "symmetric", name="B"))
    s = 10.0 ** draw(st.floats(-8, 8))
    x = s * draw(gst.arrays((n,), "any", name="x"))
    y = s * draw(gst.arrays((n,), "any", name="y"))

    def f(x, y):
        quadratic = np.einsum("...i,ij,...j->...", x, A, y) + np.einsum(
            "...i,ij,...j->...", x, B, x
        )
        return quadratic + s**2 * np.sum(np.cos(y / s), axis=-1)

    blocks = {("x", "x"): 2 * B, ("x", "y"): A, ("y", "y"): -np.diag(np.cos(y / s))}
    return f, blocks, {"x": x, "y": y}


@settings(max_examples=20, deadline=None)
@given(problem=bilinear_problems())
def test_blocks_of_several_variables_and_a_transposed_mixed_block(problem):
    f, blocks, point = problem
    right = gc.check_hessian(f, blocks, point, wrt=("x", "y"))
    assert right.passed and right.failed_blocks == (), str(right)
    both = {**blocks, ("y", "x"): blocks["x", "y"].T}  # both mixed blocks given: the same
    assert gc.check_hessian(f, both, point, wrt=("x", "y")).passed
    nested = ((blocks["x", "x"], blocks["x", "y"]), (blocks["x", "y"].T, blocks["y", "y"]))
    assert gc.check_hessian(f, nested, point, wrt=("x", "y")).passed
    wrong = gc.check_hessian(f, {**blocks, ("x", "y"): blocks["x", "y"].T}, point, wrt=("x", "y"))
    assert wrong.status == "failed"
    assert set(wrong.failed_blocks) == {("x", "y"), ("y", "x")}
    assert wrong.diagnosis.kind == "transpose" and "(x, y)" in wrong.diagnosis.message
    assert "(x, y)" in wrong.headline


def test_bad_blocks_are_named():
    A = np.arange(6.0).reshape(2, 3)
    point = {"x": np.ones(2), "y": np.ones(3)}

    def f(x, y):
        return np.einsum("...i,ij,...j->...", x, A, y)

    blocks = {("x", "x"): np.zeros((2, 2)), ("x", "y"): A, ("y", "y"): np.zeros((3, 3))}
    assert gc.check_hessian(f, blocks, point, wrt=("x", "y")).passed
    with pytest.raises(gc.UnknownNameError, match=r"lacks the blocks \[\('y', 'y'\)\]"):
        gc.check_hessian(
            f, {k: v for k, v in blocks.items() if k != ("y", "y")}, point, wrt=("x", "y")
        )
    with pytest.raises(gc.UnknownNameError, match=r"\('x', 'z'\)"):
        gc.check_hessian(f, {**blocks, ("x", "z"): A}, point, wrt=("x", "y"))
    with pytest.raises(gc.ShapeMismatchError, match=r"a mixed block transposed"):
        gc.check_hessian(f, {**blocks, ("x", "y"): A.T}, point, wrt=("x", "y"))
    with pytest.raises(gc.UnknownNameError, match="does not have"):
        gc.check_hessian(f, blocks, point, wrt=("x", "w"))
    with pytest.raises(gc.InvalidArgumentError, match="mapping point"):
        gc.check_hessian(f, blocks, np.ones(2), wrt=("x", "y"))


def test_hvp_of_several_variables_names_the_wrong_part():
    A = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.0]])
    point = {"x": np.array([0.3, -0.7]), "y": np.array([0.2, 0.1, -0.4])}

    def f(x, y):
        return np.einsum("...i,ij,...j->...", x, A, y) + np.sum(np.exp(y), axis=-1)

    def hvp(v, x, y, factor=1.0):
        return {"x": A @ v["y"], "y": factor * (A.T @ v["x"] + np.exp(y) * v["y"])}

    def gradient(x, y):
        return {"x": A @ y, "y": A.T @ x + np.exp(y)}

    for g in (None, gradient):
        right = gc.check_hvp(f, hvp, point, wrt=("x", "y"), gradient=g)
        assert right.passed and right.form == "hvp", str(right)
        wrong = gc.check_hvp(
            f, lambda v, **p: hvp(v, **p, factor=1.5), point, wrt=("x", "y"), gradient=g
        )
        assert wrong.status == "failed" and wrong.failed_variables == ("y",), str(wrong)


def _exponential_fit():
    """A real nonlinear least-squares problem: fit a exp(b t) to noisy data (residuals that do
    not vanish at the point, so J^T J is not the Hessian)."""
    t = np.linspace(0.0, 1.0, 12)
    noise = np.sin(7.0 * t) * 0.3  # deterministic "noise"
    y = 2.0 * np.exp(-1.3 * t) + noise

    def residual(theta):
        return theta[..., 0:1] * np.exp(theta[..., 1:2] * t) - y

    def f(theta):
        return 0.5 * np.sum(residual(theta) ** 2, axis=-1)

    def jacobian(theta):
        e = np.exp(theta[1] * t)
        return np.stack([e, theta[0] * t * e], axis=1)

    def hessian(theta):  # J^T J + sum_i r_i d2 r_i, d2 r_i = [[0, t e], [t e, a t^2 e]]
        e, r = np.exp(theta[1] * t), residual(theta)
        mixed = np.sum(r * t * e)
        term = np.array([[0.0, mixed], [mixed, np.sum(r * theta[0] * t**2 * e)]])
        return jacobian(theta).T @ jacobian(theta) + term

    return f, residual, jacobian, hessian, np.array([1.5, -0.8])


def test_a_gauss_newton_matrix_claimed_as_the_hessian_is_a_missing_residual_term():
    f, residual, jacobian, hessian, theta = _exponential_fit()
    assert gc.check_hessian(f, hessian, theta, residual=residual).passed
    gauss_newton = jacobian(theta).T @ jacobian(theta)
    gradient = lambda th: jacobian(th).T @ residual(th)  # noqa: E731
    for g in (None, gradient):
        result = gc.check_hessian(f, gauss_newton, theta, residual=residual, gradient=g)
        assert result.status == "failed" and result.diagnosis.kind == "missing_term"
        assert "Gauss-Newton" in result.diagnosis.message, str(result)
    # f = ||r||^2 (no 1/2): the Gauss-Newton matrix is 2 J^T J
    doubled = gc.check_hessian(lambda th: 2 * f(th), 2 * gauss_newton, theta, residual=residual)
    assert "2 J^T J" in doubled.diagnosis.message
    # a wrong Hessian that is not J^T J is not called Gauss-Newton
    other = gc.check_hessian(f, 1.1 * hessian(theta), theta, residual=residual)
    assert other.status == "failed" and "Gauss-Newton" not in str(other.diagnosis)
    with pytest.raises(gc.InvalidArgumentError, match="not a least-squares function"):
        gc.check_hessian(f, hessian, theta, residual=lambda th: 2 * residual(th))


def _cli(*argv):
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", "formula", "--order", "2", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=300,
    )


def test_formula_order_2_checks_a_hessian_formula():
    shapes = ["--wrt", "x", "--shapes", "x=n A=n,n", "--trials", "2"]
    right = _cli("x @ A @ x", "--claim", "A + A^T", *shapes)
    assert right.returncode == 0 and "all trials passed" in right.stdout, (
        right.stdout + right.stderr
    )
    wrong = _cli("x @ A @ x", "--claim", "2 * A", *shapes)
    assert wrong.returncode == 1 and "not_symmetric" in wrong.stdout
    vec_without_k = "-kron(inv(X).T, inv(X))"
    spd = _cli(
        "logdet(X)",
        "--claim",
        vec_without_k,
        *"--wrt X --shapes X=n,n".split(),
        *"--constraint X=spd --trials 2".split(),
    )
    assert spd.returncode == 1  # the Cookbook's vec form needs the commutation matrix


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["A @ x", "--claim", "A", "--wrt", "x", "--shapes", "x=n A=n,n"], "scalar function"),
        (
            ["x @ x", "--claim", "A", "--wrt", "x", "--shapes", "x=n A=n,m"],
            "shape",
        ),
        (
            ["x @ x", "--claim", "2 * x", "--wrt", "x", "--shapes", "x=n"],
            "claimed Hessian has shape",
        ),
    ],
)
def test_formula_order_2_refuses_bad_input_in_one_line(argv, message):
    done = _cli(*argv)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_several_variable_hessian_is_recorded_as_its_stacked_check():
    from gradcheck.report import records_from_result

    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    point = {"x": np.ones(2), "y": np.ones(2)}
    wrong = {("x", "x"): 2 * np.eye(2), ("x", "y"): A.T, ("y", "y"): np.zeros((2, 2))}
    result = gc.check_hessian(lambda x, y: x @ A @ y + x @ x, wrong, point, wrt=("x", "y"))
    (record,) = records_from_result(result, name="blocks")
    assert (record["form"], record["status"], record["ok"]) == ("hessian", "failed", False)
