"""Vector-valued (and matrix-valued) functions of vectors: Jacobians whose layout matters."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import dot, mv, norm, outer, tensor_from_gradient_order

ident = partial(identity, family="vector_by_vector", vectorized=True)


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.triu(np.ones((len(x), len(x)))),
    text="d cumsum(x)/dx = upper-triangular ones (denominator); lower (numerator)",
    source="standard",
)
def d_cumsum_dx(x):
    return np.cumsum(x, axis=-1)


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.eye(len(x))[::-1],
    text="d reverse(x)/dx = anti-diagonal identity",
    source="standard",
)
def d_reverse_dx(x):
    return x[..., ::-1]


@ident(
    wrt="x",
    shapes={"x": "n"},
    conditions=("n >= 2",),
    derivative=lambda x: np.eye(len(x), len(x) - 1, -1) - np.eye(len(x), len(x) - 1),
    text="d diff(x)/dx: (n, n-1) in the denominator layout",
    source="standard",
    note="layout-sensitive shape",
)
def d_diff_dx(x):
    return np.diff(x, axis=-1)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "m"},
    derivative=lambda x, a: np.kron(np.eye(len(x)), a[None, :]),
    text="d(x kron a)/dx = I kron a^T",
    source="Matrix Cookbook (39) instance",
)
def d_kron_xa_dx(x, a):
    out = np.asarray(x)[..., :, None] * a
    return out.reshape((*out.shape[:-2], -1))


@ident(
    wrt="x",
    shapes={"x": "n"},
    conditions=("n >= 2",),
    derivative=lambda x: (
        np.eye(len(x)) / np.linalg.norm(x) - np.outer(x, x) / np.linalg.norm(x) ** 3
    ),
    text="d(x/||x||)/dx = I/||x|| - x x^T/||x||^3",
    source="Matrix Cookbook (131) with a = 0",
    note="for n = 1, x/|x| is constant",
)
def d_normalise_dx(x):
    return x / norm(x)[..., None]


@ident(
    wrt="x",
    shapes={"A": "m n", "c": "n", "x": "n"},
    constraints={"c": "positive", "x": "positive"},
    derivative=lambda A, c, x: A.T / (c @ x) - np.outer(c, A @ x) / (c @ x) ** 2,
    text="d(Ax / c^T x)/dx = A^T / c^T x - c (Ax)^T / (c^T x)^2",
    source="Wikipedia vector-by-vector (quotient rule)",
    conditions=("n >= 2",),
    note="for n = 1, Ax / c^T x is constant",
)
def d_projective_dx(A, c, x):
    return mv(A, x) / dot(c, x)[..., None]


@ident(
    wrt="x",
    shapes={"c": "", "B": "m n", "x": "n"},
    derivative=lambda c, B, x: c * B.T,
    text="d(c Bx)/dx = c B^T",
    source="Wikipedia vector-by-vector (d(a u)/dx = a du/dx)",
)
def d_c_times_Bx_dx(c, B, x):
    return c * mv(B, x)


@ident(
    wrt="X",
    shapes={"X": "n m", "a": "m"},
    layout="tensor",
    derivative=lambda X, a: tensor_from_gradient_order(
        np.einsum("ik,j->ijk", np.eye(len(X)), a), 2
    ),
    text="d(Xa)_k/dX_ij = delta_ik a_j (a 3-d array)",
    source="vec rule",
)
def d_Xa_dvecX(X, a):
    return mv(X, a)


def _douter(x):
    n = len(x)
    grad = np.einsum("ik,l->ikl", np.eye(n), x) + np.einsum("il,k->ikl", np.eye(n), x)
    return tensor_from_gradient_order(grad, 1)


@ident(
    wrt="x",
    shapes={"x": "n"},
    layout="tensor",
    derivative=_douter,
    text="d(x x^T)_kl/dx_i = delta_ik x_l + delta_il x_k",
    source="standard",
    note="matrix-valued f",
)
def d_outer_xx_dx(x):
    return outer(x, x)
