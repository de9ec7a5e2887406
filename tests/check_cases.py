"""Correct derivatives of well-conditioned problems at any scale, for the verdict targets.

Each builder takes (p, n, m, scale, cond, offset), `p` a ``tests.helpers.Problem``
(arrays whose leading blocks the case uses), and returns (f, claimed, point, kwargs):
``scale`` multiplies the point, ``cond`` is the condition number of the matrices involved, and
``offset`` moves the point away from the origin.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from tests.helpers import conditioned, problems


def quadratic(p, n, m, scale, cond, offset):
    A = conditioned(p.G, p.H, n, n, cond)
    x = scale * (p.u[:n] + offset)
    return (lambda x: np.einsum("...i,ij,...j->...", x, A, x)), (A + A.T) @ x, x, {}


def log_abs_det(p, n, m, scale, cond, offset):
    X = scale * (conditioned(p.G, p.H, n, n, cond) + offset * np.eye(n))
    return (lambda X: np.linalg.slogdet(X)[1]), np.linalg.inv(X).T, X, {}


def trace_wtaw(p, n, m, scale, cond, offset):
    A = conditioned(p.G, p.H, n, n, cond)
    W = scale * (p.K[:n, :m] + offset)
    f = lambda W: np.trace(W.mT @ A @ W, axis1=-2, axis2=-1)  # noqa: E731
    return f, (A + A.T) @ W, W, {}


def least_squares(p, n, m, scale, cond, offset):
    X = conditioned(p.G, p.H, n + m, m, cond)
    y = scale * p.u[: n + m]
    w = scale * (p.v[:m] + offset)
    f = lambda w: np.sum((w @ X.T - y) ** 2, axis=-1)  # noqa: E731
    return f, 2 * X.T @ (X @ w - y), w, {}


def log_sum_exp(p, n, m, scale, cond, offset):
    # z = A x stays of order one: far from the origin but not saturated
    A = conditioned(p.G, p.H, m + 1, n, cond) / (scale * (1 + offset) * cond * np.sqrt(n))
    x = scale * (p.u[:n] + offset)

    def f(x):
        z = x @ A.T
        zmax = np.max(z, axis=-1, keepdims=True)
        return zmax[..., 0] + np.log(np.sum(np.exp(z - zmax), axis=-1))

    z = A @ x
    s = np.exp(z - z.max())
    return f, A.T @ (s / s.sum()), x, {}


def matrix_inverse(p, n, m, scale, cond, offset):
    X = scale * (conditioned(p.G, p.H, n, n, cond) + offset * np.eye(n))
    inv = np.linalg.inv(X)
    return np.linalg.inv, -np.einsum("ik,lj->ijkl", inv, inv), X, {"layout": "tensor"}


def tanh_layer(p, n, m, scale, cond, offset):
    A = conditioned(p.G, p.H, m, n, cond) / (scale * (1 + offset) * cond * np.sqrt(n))
    x = scale * (p.u[:n] + offset)
    claimed = (1 - np.tanh(A @ x) ** 2)[:, None] * A
    return (lambda x: np.tanh(x @ A.T)), claimed, x, {"layout": "numerator"}


def bilinear_by_matrix(p, n, m, scale, cond, offset):
    a, b = p.u[:n], p.v[:m]
    X = scale * (p.K[:n, :m] + offset)
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


# The verdict targets of `check`: over drawn problems of every case, with condition numbers up
# to 1e4, points scaled from 1e-8 to 1e8 and moved far from the origin:
# no false alarm on correct derivatives, and every entry wrong by 1e-6 of the largest entry
# is caught.
check_problems = st.builds(
    replace,
    problems(),
    scale=st.floats(-8, 8).map(lambda e: 10.0**e),
    cond=st.floats(0, 4).map(lambda e: 10.0**e),
    offset=st.sampled_from([0.0, 10.0, 1e3]),
)


def build_check_case(case, p):
    """The case named `case` for one draw `p` of `check_problems`."""
    return CHECK_CASES[case](p, p.n, p.m, p.scale, p.cond, p.offset)
