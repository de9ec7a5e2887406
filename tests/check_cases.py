"""Correct derivatives of well-conditioned problems at any scale, for the verdict targets.

Each builder takes (rng, n, m, scale, cond, offset) and returns (f, claimed, point, kwargs):
``scale`` multiplies the point, ``cond`` is the condition number of the matrices involved, and
``offset`` moves the point away from the origin.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.helpers import seeds, with_condition


def quadratic(rng, n, m, scale, cond, offset):
    A = with_condition(rng, n, n, cond)
    x = scale * (rng.standard_normal(n) + offset)
    return (lambda x: np.einsum("...i,ij,...j->...", x, A, x)), (A + A.T) @ x, x, {}


def log_abs_det(rng, n, m, scale, cond, offset):
    X = scale * (with_condition(rng, n, n, cond) + offset * np.eye(n))
    return (lambda X: np.linalg.slogdet(X)[1]), np.linalg.inv(X).T, X, {}


def trace_wtaw(rng, n, m, scale, cond, offset):
    A = with_condition(rng, n, n, cond)
    W = scale * (rng.standard_normal((n, m)) + offset)
    f = lambda W: np.trace(W.mT @ A @ W, axis1=-2, axis2=-1)  # noqa: E731
    return f, (A + A.T) @ W, W, {}


def least_squares(rng, n, m, scale, cond, offset):
    X = with_condition(rng, n + m, m, cond)
    y = scale * rng.standard_normal(n + m)
    w = scale * (rng.standard_normal(m) + offset)
    f = lambda w: np.sum((w @ X.T - y) ** 2, axis=-1)  # noqa: E731
    return f, 2 * X.T @ (X @ w - y), w, {}


def log_sum_exp(rng, n, m, scale, cond, offset):
    # z = A x stays of order one: far from the origin but not saturated
    A = with_condition(rng, m + 1, n, cond) / (scale * (1 + offset) * cond * np.sqrt(n))
    x = scale * (rng.standard_normal(n) + offset)

    def f(x):
        z = x @ A.T
        zmax = np.max(z, axis=-1, keepdims=True)
        return zmax[..., 0] + np.log(np.sum(np.exp(z - zmax), axis=-1))

    z = A @ x
    s = np.exp(z - z.max())
    return f, A.T @ (s / s.sum()), x, {}


def matrix_inverse(rng, n, m, scale, cond, offset):
    X = scale * (with_condition(rng, n, n, cond) + offset * np.eye(n))
    inv = np.linalg.inv(X)
    return np.linalg.inv, -np.einsum("ik,lj->ijkl", inv, inv), X, {"layout": "tensor"}


def tanh_layer(rng, n, m, scale, cond, offset):
    A = with_condition(rng, m, n, cond) / (scale * (1 + offset) * cond * np.sqrt(n))
    x = scale * (rng.standard_normal(n) + offset)
    claimed = (1 - np.tanh(A @ x) ** 2)[:, None] * A
    return (lambda x: np.tanh(x @ A.T)), claimed, x, {"layout": "numerator"}


def bilinear_by_matrix(rng, n, m, scale, cond, offset):
    a, b = rng.standard_normal(n), rng.standard_normal(m)
    X = scale * (rng.standard_normal((n, m)) + offset)
    return (lambda X: np.einsum("i,...ij,j->...", a, X, b)), np.outer(a, b), X, {}


CHECK_CASES = {
    "quadratic": quadratic,
    "log_abs_det": log_abs_det,
    "trace_wtaw": trace_wtaw,
    "least_squares": least_squares,
    "log_sum_exp": log_sum_exp,
    "matrix_inverse": matrix_inverse,
    "tanh_layer": tanh_layer,
    "bilinear_by_matrix": bilinear_by_matrix,
}


# The verdict targets of `check`: over random trials of every case, with condition numbers up
# to 1e4, points scaled from 1e-8 to 1e8 and moved far from the origin:
# no false alarm on correct derivatives, and every entry wrong by 1e-6 of the largest entry
# is caught.
check_problems = st.fixed_dictionaries(
    {
        "seed": seeds,
        "n": st.integers(1, 6),
        "m": st.integers(1, 6),
        "scale": st.floats(-8, 8).map(lambda e: 10.0**e),
        "cond": st.floats(0, 4).map(lambda e: 10.0**e),
        "offset": st.sampled_from([0.0, 10.0, 1e3]),
    }
)


def build_check_case(case, p):
    """The case named `case` for one draw `p` of `check_problems`."""
    rng = np.random.default_rng(p["seed"])
    return CHECK_CASES[case](rng, p["n"], p["m"], p["scale"], p["cond"], p["offset"])
