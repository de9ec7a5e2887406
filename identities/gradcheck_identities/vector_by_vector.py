"""Vector-valued (and matrix-valued) functions of vectors: Jacobians whose layout matters."""

import numpy as np

from gradcheck import identity

from ._helpers import mv, norm, outer, tensor_from_gradient_order


@identity(
    derivative=lambda x: np.triu(np.ones((len(x), len(x)))),
    variables={"x": "n"},
    wrt="x",
    source="standard",
)
def d_cumsum_dx(x):
    """d cumsum(x)/dx = upper-triangular ones (denominator); lower (numerator)"""
    return np.cumsum(x, axis=-1)


@identity(
    derivative=lambda x: np.eye(len(x))[::-1],
    variables={"x": "n"},
    wrt="x",
    source="standard",
)
def d_reverse_dx(x):
    """d reverse(x)/dx = anti-diagonal identity"""
    return x[..., ::-1]


@identity(
    derivative=lambda x: np.eye(len(x), len(x) - 1, -1) - np.eye(len(x), len(x) - 1),
    variables={"x": "n where n >= 2"},
    wrt="x",
    source="standard",
    note="layout-sensitive shape",
)
def d_diff_dx(x):
    """d diff(x)/dx: (n, n-1) in the denominator layout"""
    return np.diff(x, axis=-1)


@identity(
    derivative=lambda x, a: np.kron(np.eye(len(x)), a[None, :]),
    variables={"x": "n", "a": "m"},
    wrt="x",
    source="Matrix Cookbook (39) instance",
)
def d_kron_xa_dx(x, a):
    """d(x kron a)/dx = I kron a^T"""
    out = np.asarray(x)[..., :, None] * a
    return out.reshape((*out.shape[:-2], -1))


@identity(
    derivative=lambda x: (
        np.eye(len(x)) / np.linalg.norm(x) - np.outer(x, x) / np.linalg.norm(x) ** 3
    ),
    variables={"x": "n where n >= 2"},
    wrt="x",
    source="Matrix Cookbook (131) with a = 0",
    note="for n = 1, x/|x| is constant",
)
def d_normalise_dx(x):
    """d(x/||x||)/dx = I/||x|| - x x^T/||x||^3"""
    return x / norm(x)[..., None]


d_projective_dx = identity(
    "d_projective_dx",
    f="A @ x / (c @ x)[..., None]",
    derivative="A.T / (c @ x) - outer(c, A @ x) / (c @ x) ** 2",
    variables={"A": "m n", "c": ("n", "positive"), "x": ("n where n >= 2", "positive")},
    wrt="x",
    source="Wikipedia vector-by-vector (quotient rule)",
    note="for n = 1, Ax / c^T x is constant",
)


d_c_times_Bx_dx = identity(
    "d_c_times_Bx_dx",
    f="c * (B @ x)",
    derivative="c * B.T",
    variables={"c": "", "B": "m n", "x": "n"},
    wrt="x",
    source="Wikipedia vector-by-vector (d(a u)/dx = a du/dx)",
)


@identity(
    derivative=lambda X, a: tensor_from_gradient_order(
        np.einsum("ik,j->ijk", np.eye(len(X)), a), 2
    ),
    variables={"X": "n m", "a": "m"},
    wrt="X",
    layout="tensor",
    source="vec rule",
)
def d_Xa_dvecX(X, a):
    """d(Xa)_k/dX_ij = delta_ik a_j (a 3-d array)"""
    return mv(X, a)


def _douter(x):
    n = len(x)
    grad = np.einsum("ik,l->ikl", np.eye(n), x) + np.einsum("il,k->ikl", np.eye(n), x)
    return tensor_from_gradient_order(grad, 1)


@identity(
    derivative=_douter,
    variables={"x": "n"},
    wrt="x",
    layout="tensor",
    source="standard",
    note="matrix-valued f",
)
def d_outer_xx_dx(x):
    """d(x x^T)_kl/dx_i = delta_ik x_l + delta_il x_k"""
    return outer(x, x)
