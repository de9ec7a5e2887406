"""Functions with known derivatives, written batch-polymorphic, for the engine and check tests.

Each builder takes a generator and returns ``(f, x, tensor_derivative)`` where the derivative is
in tensor layout (``F.shape + X.shape``).
"""

from __future__ import annotations

import numpy as np

from tests.helpers import with_condition


def quadratic_form(rng, n=4, **_):
    A = rng.standard_normal((n, n))
    x = rng.standard_normal(n)
    return (lambda x: np.einsum("...i,ij,...j->...", x, A, x)), x, (A + A.T) @ x


def tanh_layer(rng, n=4, m=3, **_):
    A = rng.standard_normal((m, n))
    x = rng.standard_normal(n)
    return (lambda x: np.tanh(x @ A.T)), x, (1 - np.tanh(A @ x) ** 2)[:, None] * A


def right_product(rng, n=3, m=2, **_):
    B = rng.standard_normal((m, n + 1))
    X = rng.standard_normal((n, m))
    tensor = np.einsum("ia,bj->ijab", np.eye(n), B)
    return (lambda X: X @ B), X, tensor


def log_abs_det(rng, n=3, cond=10.0, **_):
    X = with_condition(rng, n, n, cond)
    return (lambda X: np.linalg.slogdet(X)[1]), X, np.linalg.inv(X).T


def matrix_inverse(rng, n=3, cond=10.0, **_):
    X = with_condition(rng, n, n, cond)
    inv = np.linalg.inv(X)
    return np.linalg.inv, X, -np.einsum("ik,lj->ijkl", inv, inv)


def scalar_by_scalar(rng, **_):
    t = np.array(rng.uniform(-2, 2))
    return (lambda t: np.sin(t) * np.exp(t)), t, (np.cos(t) + np.sin(t)) * np.exp(t)


def matrix_by_scalar(rng, n=3, **_):
    A, B = rng.standard_normal((2, n, n))
    t = np.array(rng.uniform(-1, 1))

    def f(t):
        Y = A + np.asarray(t)[..., None, None] * B
        return Y @ Y

    Y = A + t * B
    return f, t, Y @ B + B @ Y


def cubes_3d(rng, **_):
    X = rng.standard_normal((2, 3, 2))
    return (lambda X: np.sum(X**3, axis=(-3, -2, -1))), X, 3 * X**2


def log_sum_exp(rng, n=5, m=4, **_):
    A = rng.standard_normal((m, n))
    x = rng.standard_normal(n)

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
