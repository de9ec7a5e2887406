"""Hessians from f alone on the benchmark's smooth functions (issue 12) are within the
documented bound, :data:`gradcheck.engine.second_order.SMOOTH_HESSIAN_ERROR`, with a margin
of 3x, and their error bars still hold."""

import numpy as np
import pytest

from gradcheck.engine import estimate_hessian, make_target
from gradcheck.engine.second_order import SMOOTH_HESSIAN_ERROR


def _log_sum_exp(n: int, rng: np.random.Generator):
    x = rng.standard_normal(n)

    def f(x):
        top = np.max(x, axis=-1, keepdims=True)
        return np.log(np.sum(np.exp(x - top), axis=-1)) + top[..., 0]

    e = np.exp(x - np.max(x))
    p = e / np.sum(e)
    return f, x, np.diag(p) - np.outer(p, p)


def _logistic(n: int, rng: np.random.Generator):
    m = 2 * n
    X = rng.standard_normal((m, n)) / np.sqrt(n)
    y = rng.choice([-1.0, 1.0], m)
    w = rng.standard_normal(n)

    def f(w):
        return np.sum(np.logaddexp(0.0, -y * (w @ X.T)), axis=-1)

    s = np.exp(-np.logaddexp(0.0, -y * (X @ w)))  # sigma(y X w), accurate where tiny
    return f, w, X.T @ ((s * (1 - s))[:, None] * X)


def _relative_error(H: np.ndarray, exact: np.ndarray) -> float:
    """The benchmark's measure: ``max |H - exact| / max(|exact|, 1e-3 max|exact|)``."""
    floor = 1e-3 * np.max(np.abs(exact))
    return float(np.max(np.abs(H - exact) / np.maximum(np.abs(exact), floor)))


@pytest.mark.parametrize("make", [_log_sum_exp, _logistic], ids=["log-sum-exp", "logistic"])
@pytest.mark.parametrize("n", [20, 35, 50])
@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_hessians_from_f_of_smooth_functions_are_within_the_documented_bound(make, n, seed):
    # before the four-point mixed stencil and the move within the error bar: 7.5e-7
    # (log-sum-exp, n = 50, seed 0) and 8.0e-7 (logistic, n = 50, seed 2), above the bound;
    # now at most 4.2e-8 (logistic, n = 50, seed 5)
    f, x, exact = make(n, np.random.default_rng(seed))
    est = estimate_hessian(make_target(f, x, None), vectorized=True)
    error = _relative_error(est.value, exact)
    assert 3 * error <= SMOOTH_HESSIAN_ERROR, error
    # the error bars still bound the true error (the exact Hessian's own rounding aside)
    rounding = 16 * np.finfo(float).eps * n * np.max(np.abs(exact))
    assert np.all(np.abs(est.value - exact) <= est.error + rounding)
