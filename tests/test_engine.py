import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from tests.cases import CASES, rounds_normwise
from tests.helpers import problems

# Accuracy stated in estimate_jacobian's docstring, relative to max(max|J|, max|f| / median|x|).
DOCUMENTED_ACCURACY = {
    "forward": 2e-6,
    "central": 2e-9,
    "central4": 1e-9,
    "richardson": 3e-11,
    "complex": 1e-14,
}
COMPLEX_SAFE = {
    "quadratic_form",
    "tanh_layer",
    "right_product",
    "matrix_inverse",
    "scalar_by_scalar",
    "matrix_by_scalar",
    "cubes_3d",
}


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# Every case with every method, except the complex step where f is not complex-safe.
METHOD_CASES = [
    (case, method)
    for case in CASES
    for method in DOCUMENTED_ACCURACY
    if method != "complex" or case in COMPLEX_SAFE
]


def _within_assumptions(case, method, p):
    # estimate_jacobian's Notes: values of f accurate to a few ulps of max|f| (see
    # tests.cases.rounds_normwise: matrix_by_scalar's Y = A + tB may cancel)
    return rounds_normwise(case, p)


@pytest.mark.parametrize(("case", "method"), METHOD_CASES)
@given(p=problems())
def test_methods_reach_their_documented_accuracy_and_bound_their_error(case, method, p):
    assume(_within_assumptions(case, method, p))
    f, x, exact = CASES[case](p)
    est = gc.estimate_jacobian(f, x, method=method)
    assert est.value.shape == exact.shape
    typical = float(np.median(np.abs(x))) or 1.0
    scale = max(np.max(np.abs(exact)), np.max(np.abs(est.f_value)) / typical)
    assert np.max(np.abs(est.value - exact)) <= DOCUMENTED_ACCURACY[method] * scale
    assert est.reliable.all()
    # the error estimate bounds the actual error: check() allows 4 x the estimate plus 1e-9 of
    # the largest entry for rounding.
    allowed = 4 * est.error + 1e-9 * np.max(np.abs(est.value))
    assert np.all(np.abs(est.value - exact) <= allowed)


# once refused: the complex-safety check allowed Re f(x + ih) no change where f(x) = 0
@pytest.mark.parametrize("t", [0.0, 1e-300])
def test_complex_step_accepts_an_analytic_function_that_vanishes_at_the_point(t):
    est = gc.estimate_jacobian(lambda t: np.sin(t) * np.exp(t), np.array(t), method="complex")
    assert abs(float(est.value) - 1.0) <= DOCUMENTED_ACCURACY["complex"]


@pytest.mark.parametrize("case", list(CASES))
@given(p=problems())
def test_batched_and_looped_evaluation_agree_to_rounding(case, p):
    f, x, _ = CASES[case](p)
    batched = gc.estimate_jacobian(f, x, vectorized=True)
    looped = gc.estimate_jacobian(f, x, vectorized=False)
    assert batched.vectorized and not looped.vectorized
    assert batched.calls < looped.calls
    assert _rel(batched.value, looped.value) <= 1e-9
    tiny_chunks = gc.estimate_jacobian(f, x, vectorized=True, chunk_bytes=1)
    assert tiny_chunks.calls == looped.calls
    assert _rel(tiny_chunks.value, looped.value) <= 1e-9
    # batch-polymorphic functions are detected as such
    assert gc.estimate_jacobian(f, x).vectorized


def test_functions_that_are_not_batch_polymorphic_are_looped():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((3, 3))
    x = rng.standard_normal(3)
    for f in (lambda x: x @ A @ x, lambda x: float(np.sum(x**2)), lambda x: x.sum(axis=0)):
        est = gc.estimate_jacobian(f, x)
        assert not est.vectorized
    est = gc.estimate_jacobian(lambda x: x @ A @ x, x)
    assert _rel(est.value, (A + A.T) @ x) < 1e-8


def test_chunks_bound_memory():
    x = np.ones(50)
    sizes = []

    def f(x):
        sizes.append(x.shape[0] if x.ndim == 2 else 1)
        return np.sum(x**2, axis=-1)

    per_point = (50 + 1) * 8  # stacked input and output
    gc.estimate_jacobian(f, x, vectorized=True, chunk_bytes=10 * per_point + per_point // 2)
    assert max(sizes) == 10


@st.composite
def _layer(draw):
    shape = draw(st.sampled_from([(), (1,), (3,), (2, 1), (1, 4), (2, 3), (2, 2, 2)]))
    return (
        shape,
        draw(gst.arrays(shape or (1,), name="x")).reshape(shape),
        draw(gst.arrays((2, *shape), name="W")),
    )


@given(layer=_layer())
def test_every_layout_matches_the_conversion_of_the_tensor(layer):
    shape, x, W = layer

    def f(x):
        flat = x.reshape((*x.shape[: x.ndim - len(shape)], -1))
        return np.tanh(flat @ W.reshape(2, -1).T)

    tensor = gc.jacobian(f, x)
    for layout in ("numerator", "denominator"):
        got = gc.jacobian(f, x, layout=layout)
        want = gc.convert_layout(tensor, (2,), shape, source="tensor", target=layout)
        assert np.array_equal(got, want)


def test_mapping_points_differentiate_the_named_variable():
    rng = np.random.default_rng(2)
    A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)

    def f(x, A):
        return np.einsum("...i,...ij,...j->...", x, A, x)

    g_x = gc.jacobian(f, {"x": x, "A": A}, wrt="x")
    g_A = gc.jacobian(f, {"x": x, "A": A}, wrt="A")
    assert _rel(g_x, (A + A.T) @ x) < 1e-8
    assert _rel(g_A, np.outer(x, x)) < 1e-8


def test_steps_are_exactly_representable():
    x = np.array([0.1, 1 / 3, 1e5 + 0.7, 0.0, -2.2])
    est = gc.estimate_jacobian(lambda x: np.sum(x**2, axis=-1), x)
    assert np.all((x + est.step) - x == est.step)
    assert np.all(est.step > 0)


def test_user_step_is_used():
    x = np.array([1.0, 2.0])
    est = gc.estimate_jacobian(lambda x: np.sum(x**3, axis=-1), x, step=1e-3)
    assert np.allclose(est.step, 1e-3, rtol=1e-12)
    # central difference of x^3 with step h is 3x^2 + h^2 exactly
    assert np.allclose(est.value, 3 * x**2 + 1e-6, rtol=1e-9)


def test_kink_makes_the_estimate_unreliable():
    x = np.array([0.0, 1.5, -2.0])
    for method in ("central", "central4", "richardson"):
        est = gc.estimate_jacobian(lambda x: np.sum(np.abs(x), axis=-1), x, method=method)
        assert not est.reliable[0] and est.reliable[1:].all()
        assert est.error[0] >= 0.9  # half the slope jump of |x| (which is 2)


def test_noise_makes_the_estimate_unreliable():
    x = np.linspace(1, 2, 6)
    noise = np.random.default_rng(3).standard_normal(10_000) * 1e-4
    counter = iter(range(10_000))

    def noisy(x):  # deterministic at the point, noisy around it
        if np.array_equal(x, np.linspace(1, 2, 6)):
            return float(np.sum(np.sin(x)))
        return float(np.sum(np.sin(x))) + noise[next(counter)]

    est = gc.estimate_jacobian(noisy, x)
    assert not est.reliable.all()


def test_float32_input_is_computed_in_float64_with_a_warning():
    x = np.array([1.0, 2.0], dtype=np.float32)
    seen = []

    def f(x):
        seen.append(x.dtype)
        return np.sum(x**2, axis=-1)

    with pytest.warns(gc.GradcheckWarning, match="float64"):
        g = gc.jacobian(f, x)
    assert set(seen) == {np.dtype(np.float64)}
    assert _rel(g, 2 * x.astype(float)) < 1e-8


def test_caller_arrays_are_never_modified():
    rng = np.random.default_rng(4)
    A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    A0, x0 = A.copy(), x.copy()
    point = {"x": x, "A": A}
    gc.jacobian(lambda x, A: x @ A @ x, point, wrt="x", method="richardson")
    gc.check_directional(lambda x, A: x @ A @ x, (A + A.T) @ x, point, wrt="x")
    assert np.array_equal(A, A0) and np.array_equal(x, x0)
    assert point["x"] is x and point["A"] is A


@pytest.mark.parametrize("method", list(DOCUMENTED_ACCURACY))
def test_jacobian_evaluates_only_what_its_value_needs(method):
    rng = np.random.default_rng(11)
    n = 7
    A, x = rng.standard_normal((n, n)), rng.standard_normal(n)
    points = []

    def f(x):
        points.append(x.size // n)
        return np.sum((x @ A.T) * x, axis=-1)

    value = gc.jacobian(f, x, method=method, vectorized=True)
    per_coordinate = {"forward": 1, "central": 2, "central4": 4, "richardson": 6, "complex": 1}
    cross_check = 4 if method == "complex" else 0
    assert sum(points) == 2 + per_coordinate[method] * n + cross_check
    est = gc.estimate_jacobian(f, x, method=method, vectorized=True)
    assert np.max(np.abs(value - est.value)) <= 4 * np.max(est.error)
