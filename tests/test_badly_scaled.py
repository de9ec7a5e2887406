"""Badly scaled variables: a variable's magnitude is not f's length scale.

Steps start at ``relative_step * max(|x_j|, median |x|)``; for a variable of magnitude 1e-20 on
which f varies over a scale of 1, f then moves by less than its rounding (or not at all), and
the step search must climb some 15 to 280 orders of magnitude to a useful step. Climbing 8x
per round for at most 12 rounds ran out of rounds: correct derivatives were inconclusive (the
first test's cases). The search now jumps to the step at which its rounding bound meets the
target (``gradcheck.engine.estimate._rung_factors``).

Every claim here is a closed form computed independently of gradcheck (inverse, logistic
sigmoid, ``1 - tanh^2``, ``inv(S + X)^T``); the points are drawn with the project's strategies
and scaled by drawn powers of ten. A correct claim must pass with a detection threshold below
1e-7, so that an entry wrong by 1e-6 of the largest entry (which must fail) is ten times
above what the check can see: no verdict sits on a knife edge.

The functions are of order 1 at the points drawn (``b > 0.5``, ``log det S > 0.8``): a
function that cancels to nearly zero while its terms round at their own size (``log det(I +
X)`` at ``X ~ 1e-9``) is a separate problem, tested in tests/test_quantised_input.py.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

import gradcheck as gc
from gradcheck import strategies as gcs
from gradcheck.catalogue import installed_catalogue

#: The detection threshold a correct claim must reach, and the relative error of a wrong one.
THRESHOLD = 1e-7
WRONG_BY = 1e-6
EXAMPLES = settings(max_examples=25, deadline=None)


def _magnitude(low: int = -300, high: int = -8) -> st.SearchStrategy[float]:
    return st.integers(low, high).map(lambda e: 10.0**e)


def _spread(shape: tuple[int, ...], low: int = -300, high: int = -2):
    """Per-entry powers of ten in [10^low, 10^high] (mixed scales within one variable)."""
    exponents = hnp.arrays(np.int64, shape, elements=st.integers(low, high))
    return exponents.map(lambda e: 10.0 ** e.astype(float))


def _inverse_line(A: np.ndarray, B: np.ndarray, t: float) -> tuple:
    """f(t) = inv(A + tB) and its derivative -inv(A+tB) B inv(A+tB) (numerator layout)."""
    Y = np.linalg.inv(A + t * B)
    return (lambda t: np.linalg.inv(A + t * B)), -Y @ B @ Y


def _softplus(x: np.ndarray) -> tuple:
    """f(x) = sum log(1 + e^x) and its gradient, the logistic sigmoid."""
    return (lambda x: np.sum(np.logaddexp(0.0, x), axis=-1)), expit(x)


def _tanh_layer(v: np.ndarray, b: np.ndarray, W: np.ndarray) -> tuple:
    """f(W) = sum tanh(W v + b) and its gradient (1 - tanh^2(W v + b)) v^T."""
    u = np.tanh(W @ v + b)
    return (lambda W: np.sum(np.tanh(W @ v + b), axis=-1)), np.outer(1.0 - u**2, v)


def _logdet(S: np.ndarray, X: np.ndarray) -> tuple:
    """f(X) = log|det(S + X)| and its gradient inv(S + X)^T."""
    return (lambda X: np.linalg.slogdet(S + X)[1]), np.linalg.inv(S + X).T


@st.composite
def problems(draw: st.DrawFn, spread: bool = False) -> tuple:
    """(name, f, claim, point, layout) of one of the four smooth functions, its variable drawn
    with gcs.arrays and scaled by a drawn power of ten (per entry when `spread`)."""
    name = draw(st.sampled_from(["inverse", "softplus", "tanh_layer", "logdet"]))
    n = draw(gcs.dims(2, 4))

    def scaled(shape: tuple[int, ...], var: str) -> np.ndarray:
        scale = draw(_spread(shape)) if spread else draw(_magnitude())
        return draw(gcs.arrays(shape, name=var)) * scale

    if name == "inverse":
        A, B = draw(gcs.arrays((n, n), "spd")), 0.1 * draw(gcs.arrays((n, n), name="B"))
        t = draw(st.sampled_from([1.5, -0.7])) * draw(_magnitude())  # one scale: t is a scalar
        f, claim = _inverse_line(A, B, t)
        return name, f, claim, np.array(t), "numerator"
    if name == "softplus":
        x = scaled((n,), "x")
        f, claim = _softplus(x)
        return name, f, claim, x, "denominator"
    if name == "tanh_layer":
        v, b = draw(gcs.arrays((n,), name="v")), draw(gcs.arrays((n + 1,), name="b"))
        b = np.abs(b) + 0.5  # f of order 1: no cancellation to ~0 (see the module docstring)
        W = scaled((n + 1, n), "W")
        f, claim = _tanh_layer(v, b, W)
        return name, f, claim, W, "denominator"
    S, X = draw(gcs.arrays((n, n), "spd")) + np.eye(n), scaled((n, n), "X")  # log det S > 0.8
    f, claim = _logdet(S, X)
    return name, f, claim, X, "denominator"


def _wrong(claim: np.ndarray, index: int) -> np.ndarray:
    """The claim with one entry (`index` into its flattening, wrapped) off by WRONG_BY of the
    largest entry."""
    bad = np.array(claim, dtype=float)
    bad.flat[index % bad.size] += WRONG_BY * np.max(np.abs(claim))
    return bad


@pytest.mark.parametrize("t", [1e-20, 1e-100, 1.5e-226])
def test_the_inverse_identity_passes_at_tiny_t(t):
    # The catalogue's d/dt inv(A + tB) at the magnitudes of the report: inconclusive before
    # (rel. error 5e-4 at 1e-20, 0.2 at 1e-100 after the 12 rounds of the 8x ladder).
    A, B = np.eye(2), 0.1 * np.random.default_rng(0).standard_normal((2, 2))
    result = installed_catalogue()["d_inverse_dt"].check({"A": A, "B": B, "t": np.array(t)})
    assert result.status == "passed", str(result)
    assert result.detection_threshold < THRESHOLD, str(result)


@EXAMPLES
@given(problem=problems(), method=st.sampled_from(["central", "richardson"]))
def test_correct_derivatives_pass_at_tiny_magnitudes(problem, method):
    name, f, claim, x, layout = problem
    result = gc.check(f, claim, x, layout=layout, method=method)
    assert result.status == "passed", f"{name}: {result}"
    assert result.detection_threshold < THRESHOLD, f"{name}: {result}"


@EXAMPLES
@given(problem=problems(), index=st.integers(0, 63))
def test_an_entry_wrong_by_1e_6_fails_at_tiny_magnitudes(problem, index):
    name, f, claim, x, layout = problem
    result = gc.check(f, _wrong(claim, index), x, layout=layout)
    assert result.status == "failed", f"{name}: {result}"


@EXAMPLES
@given(problem=problems(spread=True))
def test_correct_derivatives_pass_with_mixed_scales_within_a_variable(problem):
    # entries of one variable from 1e-300 to 1e-2 (the inverse line: one t at a drawn scale)
    name, f, claim, x, layout = problem
    result = gc.check(f, claim, x, layout=layout)
    assert result.status == "passed", f"{name}: {result}"
    assert result.detection_threshold < THRESHOLD, f"{name}: {result}"


@EXAMPLES
@given(problem=problems(spread=True), index=st.integers(0, 63))
def test_an_entry_wrong_by_1e_6_fails_with_mixed_scales_within_a_variable(problem, index):
    name, f, claim, x, layout = problem
    result = gc.check(f, _wrong(claim, index), x, layout=layout)
    assert result.status == "failed", f"{name}: {result}"


@EXAMPLES
@given(
    n=gcs.dims(2, 4),
    scale=_magnitude(),
    seed_v=gcs.arrays((4,), name="v"),
    index=st.integers(0, 63),
)
@example(n=2, scale=1e-15, seed_v=np.array([1.0, -0.5, 0.3, 2.0]), index=0)
def test_variables_of_different_scales_each_get_their_accuracy(n, scale, seed_v, index):
    # f(W, b) = sum tanh(W v + b): W tiny, b of order 1; each checked in turn.
    v, b = seed_v[:n], np.abs(seed_v[:n][::-1]) + 0.5
    W = scale * (np.outer(v, v) + np.eye(n))
    u = np.tanh(W @ v + b)
    grads = {"W": np.outer(1.0 - u**2, v), "b": 1.0 - u**2}
    point = {"W": W, "b": b}

    def f(W, b):
        return np.sum(np.tanh(W @ v + b), axis=-1)

    for wrt, grad in grads.items():
        good = gc.check(f, grad, point, wrt=wrt)
        assert good.status == "passed", f"{wrt}: {good}"
        assert good.detection_threshold < THRESHOLD, f"{wrt}: {good}"
        bad = gc.check(f, _wrong(grad, index), point, wrt=wrt)
        assert bad.status == "failed", f"{wrt}: {bad}"


@EXAMPLES
@given(
    x=gcs.arrays((5,), name="x"),
    exponent=st.integers(8, 200),
    index=st.integers(0, 4),
)
def test_huge_magnitudes_on_their_own_length_scale_keep_working(x, exponent, index):
    # x ~ 10^e and f varying on the scale 10^e: relative steps are right from the start.
    s = 10.0**exponent
    x = s * x

    def f(x):
        return np.sum(np.logaddexp(0.0, x / s), axis=-1)

    claim = expit(x / s) / s
    good = gc.check(f, claim, x)
    assert good.status == "passed", str(good)
    assert good.detection_threshold < THRESHOLD, str(good)
    assert gc.check(f, _wrong(claim, index), x).status == "failed"


# From an adversarial sweep: x_0 = -1.1e-4 among coordinates of 1e3, and f varies in x_0 over
# 4.2e-5 (tanh(x_0 / d_0)). Its first steps are scaled to the median magnitude (800), so every
# step saturates the tanh; the differences agreed on s B_00 / d_0^2, without the sech^2 term:
# check said failed (scale 1.00115) for the exact Jacobian, and check_hvp with the exact
# gradient too.
SCALES = np.array([4.1959566973906141e-05, 5.7982021395942422e02, 2.5917408934480823e03])
GAIN = 8.103071855211086e09
COUPLING = np.array(
    [
        [15.572541321244362, -26.408417233595934, -0.8825781299457023],
        [-26.408417233595937, 88.65177030999668, 16.68955863635847],
        [-0.8825781299457024, 16.689558636358466, 6.775688368758918],
    ]
)
POINT = np.array([-1.1332068085622208e-04, 8.0599249870011909e02, -4.2824818033762322e03])


def _scaled_energy(x):
    u = x / SCALES
    quadratic = 0.5 * np.einsum("...i,ij,...j->...", u, COUPLING, u)
    with np.errstate(over="ignore"):  # cosh overflows at the steps of the 1e3 coordinates
        return GAIN * (np.sum(np.log(np.cosh(u)), axis=-1) + quadratic)


def _scaled_gradient(x):
    return GAIN * (np.tanh(x / SCALES) + (x / SCALES) @ COUPLING.T) / SCALES


def _scaled_hessian(x):
    u = x / SCALES
    return GAIN * (np.diag(1 / np.cosh(u) ** 2) + COUPLING) / np.outer(SCALES, SCALES)


def test_a_coordinate_far_below_the_others_is_also_stepped_at_its_own_scale():
    H = _scaled_hessian(POINT)
    # the exact Jacobian, cross-checked by complex steps of the gradient
    complex_steps = np.array(
        [np.imag(_scaled_gradient(POINT + 1e-30j * SCALES * e)) / (1e-30 * s) for e, s in
         zip(np.eye(3), SCALES, strict=True)]
    ).T  # fmt: skip
    np.testing.assert_allclose(complex_steps, H, rtol=1e-12)
    result = gc.check(_scaled_gradient, H, POINT, layout="numerator")
    assert result.status != "failed", str(result)
    # the two estimates' disagreement is the error bar of the entry, and the detection
    # threshold says so: above the 1.15e-3 the first estimate was off by, below 1e-2
    assert 1.15e-3 < result.detection_threshold < 1e-2
    wrong = H.copy()
    wrong[0, 0] *= 1 - 3e-2
    assert gc.check(_scaled_gradient, wrong, POINT, layout="numerator").status == "failed"


def test_an_hvp_whose_gradient_cannot_be_checked_against_f_is_not_failed():
    # f overflows (cosh) at the steps along random directions, so its gradient can neither be
    # confirmed nor refuted: the hvp was failed whatever the products said
    H = _scaled_hessian(POINT)
    result = gc.check_hvp(
        _scaled_energy, lambda v, x: _scaled_hessian(x) @ v, POINT, gradient=_scaled_gradient
    )
    assert result.status != "failed", str(result)
    assert gc.check_hessian(_scaled_energy, H, POINT, gradient=_scaled_gradient).passed


def test_products_that_fail_where_the_full_check_passes_are_not_passed():
    # from the same sweep (n = 2, x_0 = -2.1e-4 on a length scale of 2.0e-4): the hvp's
    # products caught H[0, 0] wrong by 1e-6 of the largest entry, the full check rebuilt from
    # basis products passed it (its second estimate disagreeing with the first), and the
    # result said passed under a headline that said FAILED
    d = np.array([2.010049013387091e-04, 8.297018304764816e02])
    B = np.array([[71.6622996313983, -44.74826336642485], [-44.74826336642486, 29.33770036860172]])
    x = np.array([-2.1356651751955216e-04, 3.7161539149882850e02])
    s = 1.5118365192099388

    def f(x):
        u = x / d
        with np.errstate(over="ignore"):
            return s * (
                np.sum(np.log(np.cosh(u)), axis=-1) + 0.5 * np.einsum("...i,ij,...j->...", u, B, u)
            )

    def gradient(x):
        return s * (np.tanh(x / d) + (x / d) @ B.T) / d

    H = s * (np.diag(1 / np.cosh(x / d) ** 2) + B) / np.outer(d, d)
    wrong = H.copy()
    wrong[0, 0] += 1e-6 * np.abs(H).max()
    result = gc.check_hvp(f, lambda v, x: wrong @ v, x, gradient=gradient)
    assert result.status != "passed", str(result)
    assert result.headline.startswith(f"gradcheck {result.status.upper()}")
    assert gc.check_hvp(f, lambda v, x: H @ v, x, gradient=gradient).status != "failed"
