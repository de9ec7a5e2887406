"""Functions with known derivatives, written batch-polymorphic, for the engine and check tests.

Each builder takes a draw `p` of ``tests.helpers.problems`` (dimensions ``n``, ``m`` and arrays
whose leading blocks the case uses) and returns ``(f, x, tensor_derivative)`` where the
derivative is in tensor layout (``F.shape + X.shape``).
"""

from __future__ import annotations

import numpy as np

from tests.helpers import conditioned


def quadratic_form(p):
    n = p.n
    A, x = p.K[:n, :n], p.u[:n]
    return (lambda x: np.einsum("...i,ij,...j->...", x, A, x)), x, (A + A.T) @ x


def tanh_layer(p):
    n, m = p.n, p.m
    A, x = p.K[:m, :n], p.u[:n]
    # out of saturation (|Ax| <= 4): where tanh' falls to the rounding level of f, no finite
    # difference can vouch for the derivative (an unreliable estimate, rightly)
    A = A * (4 / max(np.max(np.abs(A @ x)), 4))
    return (lambda x: np.tanh(x @ A.T)), x, (1 - np.tanh(A @ x) ** 2)[:, None] * A


def right_product(p):
    n, m = p.n, p.m
    B, X = p.K[:m, : n + 1], p.H[:n, :m]
    tensor = np.einsum("ia,bj->ijab", np.eye(n), B)
    return (lambda X: X @ B), X, tensor


def log_abs_det(p):
    X = conditioned(p.G, p.H, p.n, p.n, 10.0)
    return (lambda X: np.linalg.slogdet(X)[1]), X, np.linalg.inv(X).T


def matrix_inverse(p):
    X = conditioned(p.G, p.H, p.n, p.n, 10.0)
    inv = np.linalg.inv(X)
    return np.linalg.inv, X, -np.einsum("ik,lj->ijkl", inv, inv)


def scalar_by_scalar(p):
    t = np.array(2 * p.t)
    return (lambda t: np.sin(t) * np.exp(t)), t, (np.cos(t) + np.sin(t)) * np.exp(t)


def _matrix_by_scalar_parts(p):
    n = p.n
    return p.K[:n, :n], p.H[:n, :n], np.array(p.t)


def matrix_by_scalar(p):
    A, B, t = _matrix_by_scalar_parts(p)

    def f(t):
        Y = A + np.asarray(t)[..., None, None] * B
        return Y @ Y

    Y = A + t * B
    return f, t, Y @ B + B @ Y


def cubes_3d(p):
    X = np.stack([p.K[:2, :3], p.H[:2, :3]], axis=-1)
    return (lambda X: np.sum(X**3, axis=(-3, -2, -1))), X, 3 * X**2


def log_sum_exp(p):
    n, m = p.n, p.m
    A, x = p.K[:m, :n], p.u[:n]

    def f(x):
        z = x @ A.T
        zmax = np.max(z, axis=-1, keepdims=True)
        return (zmax + np.log(np.sum(np.exp(z - zmax), axis=-1, keepdims=True)))[..., 0]

    z = A @ x
    s = np.exp(z - z.max())
    return f, x, A.T @ (s / s.sum())


CASES = {
    "quadratic_form": quadratic_form,
    "tanh_layer": tanh_layer,
    "right_product": right_product,
    "log_abs_det": log_abs_det,
    "matrix_inverse": matrix_inverse,
    "scalar_by_scalar": scalar_by_scalar,
    "matrix_by_scalar": matrix_by_scalar,
    "cubes_3d": cubes_3d,
    "log_sum_exp": log_sum_exp,
}


def rounds_normwise(case: str, p: dict, ulps: float = 100.0) -> bool:
    """Whether f of the case computes its values to `ulps` units of max|f| at the point.

    ``estimate_jacobian`` assumes each value of f accurate to a few ulps of max|f| (its Notes;
    the accuracy it documents rests on that). Only ``matrix_by_scalar`` can break it: ``Y @ Y``
    with ``Y = A + tB`` rounds to ulps of ``(|A| + |tB|)^2``, and where Y cancels that is far
    more than ulps of ``|Y @ Y|`` (n = 1, t = 0.846, A = 0.621, B = -0.733: Y = -2.5e-5, f
    accurate to 2.5e9 ulps of itself; the forward difference, whose error the rounding of f
    bounds from below, was 3.2e-6 of the scale against its documented 2e-6).
    """
    if case != "matrix_by_scalar":
        return True
    A, B, t = _matrix_by_scalar_parts(p)
    Y, size = A + t * B, np.abs(A) + np.abs(t * B)
    return bool(np.max(size @ size) <= ulps * np.max(np.abs(Y @ Y)))
