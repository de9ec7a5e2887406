"""Derivatives of vector and matrix norms (Matrix Cookbook Sec. 2.6, standard results)."""

import numpy as np

from gradcheck import identity

from ._helpers import norm

d_norm_x_minus_a_dx = identity(
    "d_norm_x_minus_a_dx",
    f="norm(x - a)",
    derivative="(x - a) / norm(x - a)",
    variables={"x": "n", "a": "n"},
    wrt="x",
    source="Matrix Cookbook (130)",
)


@identity(
    derivative=lambda x, a: (
        np.eye(len(x)) / np.linalg.norm(x - a) - np.outer(x - a, x - a) / np.linalg.norm(x - a) ** 3
    ),
    variables={"x": "n where n >= 2", "a": "n"},
    wrt="x",
    source="Matrix Cookbook (131)",
    note="symmetric, so layout-independent; for n = 1 the unit vector is constant",
)
def d_unit_vector_dx(x, a):
    """d((x - a)/||x - a||)/dx = I/||x - a|| - (x - a)(x - a)^T/||x - a||^3"""
    return (x - a) / norm(x - a)[..., None]


d_normsq_dx = identity(
    "d_normsq_dx",
    f="norm(x) ** 2",
    derivative="2 * x",
    variables={"x": "n"},
    wrt="x",
    source="Matrix Cookbook (132); project seed notes",
)


d_frob_sq_dX = identity(
    "d_frob_sq_dX",
    f="norm(X) ** 2",
    derivative="2 * X",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (133); Wikipedia scalar-by-matrix",
)


d_frob_dX = identity(
    "d_frob_dX",
    f="norm(X)",
    derivative="X / norm(X, 'fro')",
    variables={"X": "n m"},
    wrt="X",
    source="Wikipedia scalar-by-matrix",
)


d_l1_dx = identity(
    "d_l1_dx",
    f="norm(x, 1)",
    derivative="sign(x)",
    variables={"x": ("n", "nonzero")},
    wrt="x",
    source="standard (x without zero entries)",
)


d_l3_dx = identity(
    "d_l3_dx",
    f="norm(x, 3)",
    derivative="x * abs(x) / norm(x, 3) ** 2",
    variables={"x": ("n", "nonzero")},
    wrt="x",
    source="standard: x|x|^(p-2) / ||x||_p^(p-1), p = 3",
)


@identity(
    derivative=lambda x: np.sign(x) * (np.abs(x) == np.abs(x).max()),
    variables={"x": ("n", "nonzero")},
    wrt="x",
    source="standard (unique maximiser)",
)
def d_linf_dx(x):
    """d||x||_inf/dx = sign(x_k) e_k, k the maximiser"""
    return norm(x, np.inf)


def _svd_thin(X):
    return np.linalg.svd(X, full_matrices=False)


@identity(
    derivative=lambda X: (lambda U, s, Vt: U @ Vt)(*_svd_thin(X)),
    variables={"X": ("n m", "distinct_sv")},
    wrt="X",
    source="standard (full rank)",
)
def d_nuclear_dX(X):
    """d||X||_*/dX = U V^T"""
    return np.linalg.norm(X, "nuc", axis=(-2, -1))


@identity(
    derivative=lambda X: (lambda U, s, Vt: np.outer(U[:, 0], Vt[0]))(*_svd_thin(X)),
    variables={"X": ("n m", "distinct_sv")},
    wrt="X",
    source="standard; Giles 2008 Sec. 3.1 (SVD)",
)
def d_spectral_dX(X):
    """d||X||_2/dX = u1 v1^T"""
    return np.linalg.norm(X, 2, axis=(-2, -1))


@identity(
    derivative=lambda X: (lambda U, s, Vt: 2 * s[0] * np.outer(U[:, 0], Vt[0]))(*_svd_thin(X)),
    variables={"X": ("n m", "distinct_sv")},
    wrt="X",
    source="standard",
)
def d_spectral_sq_dX(X):
    """d||X||_2^2/dX = 2 sigma_1 u1 v1^T"""
    return np.linalg.norm(X, 2, axis=(-2, -1)) ** 2


d_residual_norm_dx = identity(
    "d_residual_norm_dx",
    f="norm(A @ x - b)",
    derivative="A.T @ (A @ x - b) / norm(A @ x - b)",
    variables={"A": "m n", "x": "n", "b": "m"},
    wrt="x",
    source="Matrix Cookbook (130) + chain rule",
)


d_frob_AXminusB_dX = identity(
    "d_frob_AXminusB_dX",
    f="norm(A @ X - B) ** 2",
    derivative="2 * A.T @ (A @ X - B)",
    variables={"A": "p n", "X": "n m", "B": "p m"},
    wrt="X",
    source="Matrix Cookbook (120) with B = I",
)


d_frob_XAminusB_dX = identity(
    "d_frob_XAminusB_dX",
    f="norm(X @ A - B) ** 2",
    derivative="2 * (X @ A - B) @ A.T",
    variables={"X": "n m", "A": "m p", "B": "n p"},
    wrt="X",
    source="Matrix Cookbook (120) with A = I",
)


d_frob_XminusA_dX = identity(
    "d_frob_XminusA_dX",
    f="norm(X - A) ** 2",
    derivative="2 * (X - A)",
    variables={"X": "n m", "A": "n m"},
    wrt="X",
    source="Matrix Cookbook (133) + shift",
)


d_norm_cubed_dx = identity(
    "d_norm_cubed_dx",
    f="norm(x) ** 3",
    derivative="3 * norm(x) * x",
    variables={"x": "n"},
    wrt="x",
    source="chain rule on (132)",
)


d_log_normsq_dx = identity(
    "d_log_normsq_dx",
    f="log(x @ x)",
    derivative="2 * x / (x @ x)",
    variables={"x": "n"},
    wrt="x",
    source="chain rule on (132)",
)


d_frob_gram_sq_dX = identity(
    "d_frob_gram_sq_dX",
    f="norm(X.T @ X) ** 2",
    derivative="4 * X @ X.T @ X",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (136)-(138) chain rule",
)


def _d1norm(X):
    j = np.argmax(np.abs(X).sum(axis=0))
    return np.sign(X) * (np.arange(X.shape[1]) == j)[None, :]


@identity(
    derivative=_d1norm,
    variables={"X": ("n m", "nonzero")},
    wrt="X",
    source="standard (max abs column sum; unique maximising column)",
)
def d_matrix_1norm_dX(X):
    """d||X||_1/dX = sign(X) on the maximising column"""
    return np.linalg.norm(X, 1, axis=(-2, -1))


def _dinfnorm(X):
    i = np.argmax(np.abs(X).sum(axis=1))
    return np.sign(X) * (np.arange(X.shape[0]) == i)[:, None]


@identity(
    derivative=_dinfnorm,
    variables={"X": ("n m", "nonzero")},
    wrt="X",
    source="standard (max abs row sum; unique maximising row)",
)
def d_matrix_infnorm_dX(X):
    """d||X||_inf/dX = sign(X) on the maximising row"""
    return np.linalg.norm(X, np.inf, axis=(-2, -1))
