"""Verdicts that can be trusted: no false alarm where finite differences cannot tell.

Each case here was a silent wrong answer or a false alarm before the rounding model, the step
search and the second estimate (see `gradcheck.engine.estimate`); the numbers a test compares
with are derived independently (closed forms, the 2x2 block form of a Frechet derivative),
never copied from gradcheck's output.
"""

import numpy as np
import pytest
import scipy.linalg as sl
from gradcheck_identities import builtin_catalogue
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gcs
from gradcheck.catalogue.runner import _check_draw

CATALOGUE = builtin_catalogue()


def _block_frechet(F, Y, B):
    """d/dt F(Y + tB) at t = 0: the upper-right block of F([[Y, B], [0, Y]]) (Higham 2008)."""
    n = Y.shape[0]
    big = np.block([[Y, B], [np.zeros_like(Y), Y]])
    return np.real(F(big))[:n, n:]


# Catalogue draws that failed on this machine before (`gradcheck catalogue --seed S`).
FAILED_BEFORE = [
    ("d_sqrtm_sylvester_dt", 10, 2),
    ("d_sqrtm_sylvester_dt", 11, 7),
    ("d_sqrtm_sylvester_dt", 14, 1),
    ("d_sqrtm_sylvester_dt", 3, 8),
    ("d_logm_frechet_dt", 14, 6),
    ("d_logm_frechet_dt", 17, 8),
    ("d_logm_frechet_dt", 7, 8),
    # the claim itself was wrong: pinv kept a rounding-level eigenvalue of lambda I - Y
    ("deigvec_dt", 5, 40),
]


@pytest.mark.parametrize(("name", "seed", "trial"), FAILED_BEFORE)
def test_catalogue_draws_that_were_false_alarms_pass(name, seed, trial):
    records = _check_draw(CATALOGUE[name], trial, gc.RunOptions(seed=seed))
    assert [r.status for r in records] == ["passed", "passed"], records[0].message
    # and the check still resolves the derivative to far better than an entry wrong by 1e-6
    assert max(r.detection_threshold for r in records) < 1e-6


@settings(max_examples=20, deadline=None)
@given(
    F=st.sampled_from([sl.sqrtm, sl.logm]),
    exponent=st.integers(-8, -2),
    sign=st.sampled_from([-1.0, 1.0]),
    A=gcs.arrays((3, 3), "spd"),
    B=gcs.arrays((3, 3), "symmetric"),
)
@example(F=sl.sqrtm, exponent=-6, sign=1.0, A=np.eye(3) * 2 + 0.1, B=np.eye(3))
def test_small_t_in_A_plus_tB_gets_the_accuracy_of_its_function(F, exponent, sign, A, B):
    # The variable's magnitude |t| is not its length scale: steps of |t| eps^(1/3) make
    # central differences wrong by ~1e-4. The step search must find the accuracy f allows.
    B = B + np.eye(3)  # a direction that moves F
    A = A + 3 * np.eye(3) * np.max(np.abs(B))  # keep A + tB well inside the principal branch
    t = sign * 10.0**exponent
    f = lambda t: F(A + t * B)  # noqa: E731
    claim = _block_frechet(F, A + t * B, B)
    result = gc.check(f, claim, {"t": np.array(t)}, wrt="t", layout="numerator")
    assert result.status == "passed", str(result)
    assert result.detection_threshold < 1e-6


def test_an_entry_wrong_by_1e_6_is_still_caught_at_small_t():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((4, 4))
    A, B = M @ M.T + 4 * np.eye(4), np.eye(4) + 0.1 * (M + M.T)
    t = 1e-6
    claim = _block_frechet(sl.sqrtm, A + t * B, B)
    claim[1, 2] += 1e-6 * np.max(np.abs(claim))
    result = gc.check(lambda t: sl.sqrtm(A + t * B), claim, {"t": t}, wrt="t", layout="numerator")
    assert result.status == "failed"
    assert result.worst_index == (1, 2)


def test_half_precision_function_is_inconclusive_not_failed():
    x = np.array([0.3, -1.2, 0.7])
    f = lambda x: np.sum(x.astype(np.float16) ** 2, axis=-1).astype(np.float64)  # noqa: E731
    result = gc.check(f, 2 * x, x)
    assert result.status == "inconclusive", str(result)
    assert "half-precision" in str(result)


def test_single_precision_function_states_its_precision():
    x = np.array([0.3, -1.2, 0.7])
    f = lambda x: np.sum(np.sin(x.astype(np.float32)), axis=-1)  # noqa: E731
    result = gc.check(f, np.cos(x), x)
    assert result.status != "failed"
    assert "single-precision" in str(result)
    # a float32 function cannot vouch for more than ~float32's accuracy
    assert result.detection_threshold > 1e-6


def test_underflowing_function_is_inconclusive_not_failed():
    x = np.full(3, 1e-300)
    result = gc.check(lambda x: np.sum(x**2, axis=-1), 2 * x, x)
    assert result.status == "inconclusive", str(result)
    assert "cannot resolve" in str(result)


def test_f_constant_over_steps_larger_than_the_variable_fails_a_nonzero_claim():
    # (x + 1e20) - 1e20 is exactly 0 for |x| < 8192: as computed, f does not depend on x
    # (a claim of 1 is a property of the real-number formula, not of the function checked).
    x = np.array([0.5, 1.5])
    f = lambda x: np.sum((x + 1e20) - 1e20, axis=-1)  # noqa: E731
    assert gc.check(f, np.ones(2), x).status == "failed"
    assert gc.check(f, np.zeros(2), x).status == "passed"


def test_input_below_the_resolution_of_f_is_never_a_false_alarm():
    # t B moves A + t B by less than one ulp of A at the default step: f does not change.
    rng = np.random.default_rng(0)
    A = np.eye(3) + 0.1 * rng.standard_normal((3, 3))
    B = 1e-7 * rng.standard_normal((3, 3))
    t = 1e-8
    claim = -np.linalg.inv(A + t * B) @ B @ np.linalg.inv(A + t * B)
    result = gc.check(lambda t: np.linalg.inv(A + t * B), claim, {"t": t}, layout="numerator")
    assert result.status in ("passed", "inconclusive"), str(result)


@pytest.mark.parametrize("zero", [0.0, 6e-18])  # a claim's own rounding is zero too
def test_a_coordinate_f_ignores_still_passes_with_a_zero_claim(zero):
    x = np.array([1.0, 2.0, 3.0])
    result = gc.check(lambda x: x[..., 0] ** 2, np.array([2.0, zero, -zero]), x)
    assert result.status == "passed", str(result)


def test_a_nonzero_claim_for_a_function_constant_in_its_variable_fails():
    # softmax of one entry is 1 whatever z is: a claim of a nonzero Jacobian is wrong.
    z = np.array([0.7])
    f = lambda z: np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)  # noqa: E731
    assert gc.check(f, np.array([[0.25]]), z, layout="numerator").status == "failed"


def test_default_steps_beyond_the_domain_are_shrunk():
    # richardson's default largest step is 1% of |x|, beyond log's domain at x = 1e-3 * 1.5
    x = np.array([2e-4, 1.0])
    f = lambda x: np.sum(np.log(x - 1.9e-4), axis=-1)  # noqa: E731
    result = gc.check(f, 1 / (x - 1.9e-4), x, method="richardson")
    assert result.status == "passed", str(result)


@pytest.mark.parametrize(
    ("method", "size"),
    [("central", 1e-8), ("richardson", 1e-10), ("complex", 1e-13)],
)
def test_detection_threshold_meets_each_methods_target(method, size):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5)) / 3
    x = rng.standard_normal(5)
    f = lambda x: np.exp(np.tanh(x @ A.T))  # noqa: E731
    J = (np.exp(np.tanh(A @ x)) * (1 - np.tanh(A @ x) ** 2))[:, None] * A
    good = gc.check(f, J, x, layout="numerator", method=method)
    assert good.status == "passed" and good.detection_threshold < size, str(good)
    for i, j in [(0, 0), (2, 4), (4, 1)]:
        wrong = J.copy()
        wrong[i, j] += size * np.max(np.abs(J))
        result = gc.check(f, wrong, x, layout="numerator", method=method)
        assert result.status == "failed", (method, i, j, str(result))


def test_detection_threshold_is_reported():
    x = np.array([1.0, 2.0])
    result = gc.check(lambda x: x @ x, 2 * x, x)
    assert "detection threshold" in result.headline
    assert 0 < result.detection_threshold < 1e-8


def test_rtol_default_comes_from_the_method():
    x = np.array([1.0, 2.0])
    f = lambda x: np.sum(np.sin(x), axis=-1)  # noqa: E731
    central = gc.check(f, np.cos(x), x)
    richardson = gc.check(f, np.cos(x), x, method="richardson")
    assert richardson.detection_threshold < central.detection_threshold / 10


def test_directional_mode_catches_1e_6_at_large_n_and_states_its_limit():
    rng = np.random.default_rng(2)
    n = 200_000
    a, x = rng.standard_normal(n), rng.standard_normal(n)
    g = a * np.cos(x)
    f = lambda x: np.sum(a * np.sin(x), axis=-1)  # noqa: E731
    good = gc.check_directional(f, g, x, vectorized=True)
    assert good.status == "passed" and good.detection_threshold <= 1e-6
    wrong = g.copy()
    wrong[12345] += 1e-6 * np.max(np.abs(g))
    assert gc.check_directional(f, wrong, x, vectorized=True).status == "failed"


def test_noise_correlated_over_short_distances_is_never_a_false_alarm():
    # f's rounding error is a staircase in t (as for A + tB rounded to A's spacing): constant
    # within a stair of width 1e-5, with pseudo-random heights of mean zero, so second
    # differences at one small step see none of it, and the first differences see one jump.
    def f(t):
        stair = np.floor(np.asarray(t) / 1e-5)
        return np.exp(t) + 1e-10 * np.sin(12.9898 * stair)

    for t in (0.30000001, 0.7000000049, 1.2):  # just above a stair's edge, and inside one
        result = gc.check(f, np.exp(t), {"t": t})
        assert result.status != "failed", str(result)


# Found by review of the new engine ----------------------------------------------------------


@pytest.mark.parametrize("method", ["central", "central4", "richardson"])
def test_a_narrow_feature_inside_the_first_stencil_is_never_a_false_alarm(method):
    x = np.array([1.0, 2.0])
    w = 1e-4
    c = 1 - w / 2
    f = lambda x: np.exp(-(((x[0] - c) / w) ** 2)) + x[1] ** 2  # noqa: E731
    G = np.array([-2 * (1 - c) / w**2 * np.exp(-(((1 - c) / w) ** 2)), 4.0])
    result = gc.check(f, G, x, method=method)
    assert result.status != "failed", str(result)


def test_a_bad_second_estimate_does_not_overturn_a_real_failure():
    # richardson's wide stencil crosses a kink 2e-5 away; central's does not
    x = np.array([1.0, 2.0])
    f = lambda x: np.sin(x[0]) + x[1] ** 2 + np.maximum(x[0] - (1 + 2e-5), 0)  # noqa: E731
    g = np.array([np.cos(1.0), 4.0])
    assert gc.check(f, g, x).status == "passed"
    assert gc.check(f, g * [1.3, 1 + 1e-4], x).status == "failed"


def test_exact_dyadic_arithmetic_is_not_taken_for_single_precision():
    x = np.array([1.0, 2.0, 3.0])
    result = gc.check(lambda x: np.sum(x**2), 2 * x * [1 + 1e-3, 1, 1], x, step=2.0**-10)
    assert result.status == "failed", str(result)
    assert "precision" not in str(result)


def test_an_empty_output_passes_trivially():
    assert gc.check(lambda x: x[:0], np.zeros((3, 0)), np.ones(3)).passed


@pytest.mark.parametrize(
    ("name", "seed", "trial"),
    [
        ("w_softmax_jacobian_missing_term", 10, 5),  # z of one entry: softmax is constant
        ("w_softmax_jacobian_missing_term", 11, 20),
        ("w_attention_missing_rowsum", 2, 4),  # one key: the attention weights are constant
    ],
)
def test_pitfalls_on_functions_constant_in_their_variable_are_caught(name, seed, trial):
    records = _check_draw(CATALOGUE[name], trial, gc.RunOptions(seed=seed))
    assert [r.status for r in records] == ["failed", "failed"]
