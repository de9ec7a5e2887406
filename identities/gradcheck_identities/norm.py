"""Derivatives of vector and matrix norms (Matrix Cookbook Sec. 2.6, standard results)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, fro, mv, norm

ident = partial(identity, family="norm", vectorized=True)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "n"},
    derivative=lambda x, a: (x - a) / np.linalg.norm(x - a),
    text="d||x - a||/dx = (x - a) / ||x - a||",
    source="Matrix Cookbook (130)",
)
def d_norm_x_minus_a_dx(x, a):
    return norm(x - a)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "n"},
    conditions=("n >= 2",),
    derivative=lambda x, a: (
        np.eye(len(x)) / np.linalg.norm(x - a) - np.outer(x - a, x - a) / np.linalg.norm(x - a) ** 3
    ),
    text="d((x - a)/||x - a||)/dx = I/||x - a|| - (x - a)(x - a)^T/||x - a||^3",
    source="Matrix Cookbook (131)",
    note="symmetric, so layout-independent; for n = 1 the unit vector is constant",
)
def d_unit_vector_dx(x, a):
    return (x - a) / norm(x - a)[..., None]


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: 2 * x,
    text="d||x||^2/dx = 2x",
    source="Matrix Cookbook (132); project seed notes",
)
def d_normsq_dx(x):
    return norm(x) ** 2


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * X,
    text="d||X||_F^2/dX = 2X",
    source="Matrix Cookbook (133); Wikipedia scalar-by-matrix",
)
def d_frob_sq_dX(X):
    return fro(X) ** 2


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: X / np.linalg.norm(X, "fro"),
    text="d||X||_F/dX = X / ||X||_F",
    source="Wikipedia scalar-by-matrix",
)
def d_frob_dX(X):
    return fro(X)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "nonzero"},
    derivative=lambda x: np.sign(x),
    text="d||x||_1/dx = sign(x)",
    source="standard (x without zero entries)",
)
def d_l1_dx(x):
    return norm(x, 1)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "nonzero"},
    derivative=lambda x: x * np.abs(x) / np.linalg.norm(x, 3) ** 2,
    text="d||x||_3/dx = x |x| / ||x||_3^2",
    source="standard: x|x|^(p-2) / ||x||_p^(p-1), p = 3",
)
def d_l3_dx(x):
    return norm(x, 3)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "nonzero"},
    derivative=lambda x: np.sign(x) * (np.abs(x) == np.abs(x).max()),
    text="d||x||_inf/dx = sign(x_k) e_k, k the maximiser",
    source="standard (unique maximiser)",
)
def d_linf_dx(x):
    return norm(x, np.inf)


def _svd_thin(X):
    return np.linalg.svd(X, full_matrices=False)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "distinct_sv"},
    derivative=lambda X: (lambda U, s, Vt: U @ Vt)(*_svd_thin(X)),
    text="d||X||_*/dX = U V^T",
    source="standard (full rank)",
)
def d_nuclear_dX(X):
    return np.linalg.norm(X, "nuc", axis=(-2, -1))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "distinct_sv"},
    derivative=lambda X: (lambda U, s, Vt: np.outer(U[:, 0], Vt[0]))(*_svd_thin(X)),
    text="d||X||_2/dX = u1 v1^T",
    source="standard; Giles 2008 Sec. 3.1 (SVD)",
)
def d_spectral_dX(X):
    return np.linalg.norm(X, 2, axis=(-2, -1))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "distinct_sv"},
    derivative=lambda X: (lambda U, s, Vt: 2 * s[0] * np.outer(U[:, 0], Vt[0]))(*_svd_thin(X)),
    text="d||X||_2^2/dX = 2 sigma_1 u1 v1^T",
    source="standard",
)
def d_spectral_sq_dX(X):
    return np.linalg.norm(X, 2, axis=(-2, -1)) ** 2


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n", "b": "m"},
    derivative=lambda A, x, b: A.T @ (A @ x - b) / np.linalg.norm(A @ x - b),
    text="d||Ax - b||/dx = A^T (Ax - b) / ||Ax - b||",
    source="Matrix Cookbook (130) + chain rule",
)
def d_residual_norm_dx(A, x, b):
    return norm(mv(A, x) - b)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "p m"},
    derivative=lambda A, X, B: 2 * A.T @ (A @ X - B),
    text="d||AX - B||_F^2/dX = 2 A^T (AX - B)",
    source="Matrix Cookbook (120) with B = I",
)
def d_frob_AXminusB_dX(A, X, B):
    return fro(A @ X - B) ** 2


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m p", "B": "n p"},
    derivative=lambda X, A, B: 2 * (X @ A - B) @ A.T,
    text="d||XA - B||_F^2/dX = 2 (XA - B) A^T",
    source="Matrix Cookbook (120) with A = I",
)
def d_frob_XAminusB_dX(X, A, B):
    return fro(X @ A - B) ** 2


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n m"},
    derivative=lambda X, A: 2 * (X - A),
    text="d||X - A||_F^2/dX = 2 (X - A)",
    source="Matrix Cookbook (133) + shift",
)
def d_frob_XminusA_dX(X, A):
    return fro(X - A) ** 2


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: 3 * np.linalg.norm(x) * x,
    text="d||x||^3/dx = 3 ||x|| x",
    source="chain rule on (132)",
)
def d_norm_cubed_dx(x):
    return norm(x) ** 3


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: 2 * x / (x @ x),
    text="d log(x^T x)/dx = 2x / x^T x",
    source="chain rule on (132)",
)
def d_log_normsq_dx(x):
    return np.log(dot(x, x))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 4 * X @ X.T @ X,
    text="d||X^T X||_F^2/dX = 4 X X^T X",
    source="Matrix Cookbook (136)-(138) chain rule",
)
def d_frob_gram_sq_dX(X):
    return fro(T(X) @ X) ** 2


def _d1norm(X):
    j = np.argmax(np.abs(X).sum(axis=0))
    return np.sign(X) * (np.arange(X.shape[1]) == j)[None, :]


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "nonzero"},
    derivative=_d1norm,
    text="d||X||_1/dX = sign(X) on the maximising column",
    source="standard (max abs column sum; unique maximising column)",
)
def d_matrix_1norm_dX(X):
    return np.linalg.norm(X, 1, axis=(-2, -1))


def _dinfnorm(X):
    i = np.argmax(np.abs(X).sum(axis=1))
    return np.sign(X) * (np.arange(X.shape[0]) == i)[:, None]


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "nonzero"},
    derivative=_dinfnorm,
    text="d||X||_inf/dX = sign(X) on the maximising row",
    source="standard (max abs row sum; unique maximising row)",
)
def d_matrix_infnorm_dX(X):
    return np.linalg.norm(X, np.inf, axis=(-2, -1))
