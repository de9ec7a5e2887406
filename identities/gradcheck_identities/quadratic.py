"""Quadratic and bilinear forms (Matrix Cookbook Sec. 2.4.2, the Wikipedia tables)."""

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, mv, quad, tensor_from_gradient_order

WIKI_SV = "Wikipedia scalar-by-vector"


dxTAx_dx = identity(
    "dxTAx_dx",
    f="x @ A @ x",
    derivative="(A + A.T) @ x",
    variables={"x": "n", "A": "n n"},
    wrt="x",
    source=f"Matrix Cookbook (82); {WIKI_SV}; project seed notes",
)


dxTAx_dx_symmetric = identity(
    "dxTAx_dx_symmetric",
    f="x @ A @ x",
    derivative="2 * A @ x",
    variables={"x": "n", "A": ("n n", "symmetric")},
    wrt="x",
    source=WIKI_SV,
    note="only for symmetric A",
)


d_xTa_squared_dx = identity(
    "d_xTa_squared_dx",
    f="(x @ a) ** 2",
    derivative="2 * outer(a, a) @ x",
    variables={"x": "n", "a": "n"},
    wrt="x",
    source="project seed notes",
)


d_xTx_dx = identity(
    "d_xTx_dx",
    f="x @ x",
    derivative="2 * x",
    variables={"x": "n"},
    wrt="x",
    source=f"{WIKI_SV}; Matrix Cookbook (132); project seed notes",
)


dxTAx_dA = identity(
    "dxTAx_dA",
    f="x @ A @ x",
    derivative="outer(x, x)",
    variables={"x": "n", "A": "n n"},
    wrt="A",
    source="Matrix Cookbook (73)",
)


d_quad_plus_linear_dx = identity(
    "d_quad_plus_linear_dx",
    f="x @ A @ x + b @ x",
    derivative="(A + A.T) @ x + b",
    variables={"x": "n", "A": "n n", "b": "n"},
    wrt="x",
    source="Matrix Cookbook (96), (97)",
)


hessian_quad_plus_linear = identity(
    "hessian_quad_plus_linear",
    f="(A + A.T) @ x + b",
    derivative="A + A.T",
    variables={"x": "n", "A": "n n", "b": "n"},
    wrt="x",
    source=f"Matrix Cookbook (98); {'Wikipedia vector-by-vector'}",
)


dbTXTXc_dX = identity(
    "dbTXTXc_dX",
    f="b @ (X.T @ X) @ c",
    derivative="X @ (outer(b, c) + outer(c, b))",
    variables={"b": "m", "X": "n m", "c": "m"},
    wrt="X",
    source="Matrix Cookbook (78)",
)


d_bilinear_affine_dx = identity(
    "d_bilinear_affine_dx",
    f="(B @ x + b) @ C @ (D @ x + d)",
    derivative="B.T @ C @ (D @ x + d) + D.T @ C.T @ (B @ x + b)",
    variables={"B": "p n", "x": "n", "b": "p", "C": "p q", "D": "q n", "d": "q"},
    wrt="x",
    source="Matrix Cookbook (79)",
)


def _dXTBX(X, B):
    m = X.shape[1]
    grad = np.einsum("lj,ki->ijkl", np.eye(m), X.T @ B) + np.einsum("kj,il->ijkl", np.eye(m), B @ X)
    return tensor_from_gradient_order(grad, 2)


@identity(
    derivative=_dXTBX,
    variables={"X": "n m", "B": "n n"},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (80), (81)",
)
def dXTBX_dX_4d(X, B):
    """d(X^T B X)_kl/dX_ij = delta_lj (X^T B)_ki + delta_kj (B X)_il"""
    return T(X) @ B @ X


dbTXTDXc_dX = identity(
    "dbTXTDXc_dX",
    f="b @ (X.T @ D @ X) @ c",
    derivative="D.T @ X @ outer(b, c) + D @ X @ outer(c, b)",
    variables={"b": "m", "X": "n m", "D": "n n", "c": "m"},
    wrt="X",
    source="Matrix Cookbook (83)",
)


@identity(
    derivative=lambda X, b, c, D: np.outer((D + D.T) @ (X @ b + c), b),
    variables={"X": "n m", "b": "m", "c": "n", "D": "n n"},
    wrt="X",
    source="Matrix Cookbook (84)",
)
def d_Xb_plus_c_quad_dX(X, b, c, D):
    """d((Xb + c)^T D (Xb + c))/dX = (D + D^T)(Xb + c) b^T"""
    r = mv(X, b) + c
    return quad(r, D, r)


WLS = {"x": "n", "A": "n m", "s": "m", "W": "n n"}


def _wls(x, A, s, W):
    r = x - mv(A, s)
    return quad(r, W, r)


@identity(
    derivative=lambda x, A, s, W: -2 * A.T @ W @ (x - A @ s),
    variables={"x": "n", "A": "n m", "s": "m", "W": ("n n", "symmetric")},
    wrt="s",
    source="Matrix Cookbook (85)",
)
def d_wls_ds(x, A, s, W):
    """d((x - As)^T W (x - As))/ds = -2 A^T W (x - As), W symmetric"""
    return _wls(x, A, s, W)


d_wdist_dx = identity(
    "d_wdist_dx",
    f="(x - s) @ W @ (x - s)",
    derivative="2 * W @ (x - s)",
    variables={"x": "n", "s": "n", "W": ("n n", "symmetric")},
    wrt="x",
    source="Matrix Cookbook (86)",
)


d_wdist_ds = identity(
    "d_wdist_ds",
    f="(x - s) @ W @ (x - s)",
    derivative="-2 * W @ (x - s)",
    variables={"x": "n", "s": "n", "W": ("n n", "symmetric")},
    wrt="s",
    source="Matrix Cookbook (87)",
)


@identity(
    derivative=lambda x, A, s, W: 2 * W @ (x - A @ s),
    variables={"x": "n", "A": "n m", "s": "m", "W": ("n n", "symmetric")},
    wrt="x",
    source="Matrix Cookbook (88)",
)
def d_wls_dx(x, A, s, W):
    """d((x - As)^T W (x - As))/dx = 2 W (x - As), W symmetric"""
    return _wls(x, A, s, W)


@identity(
    derivative=lambda x, A, s, W: -2 * np.outer(W @ (x - A @ s), s),
    variables={"x": "n", "A": "n m", "s": "m", "W": ("n n", "symmetric")},
    wrt="A",
    source="Matrix Cookbook (89)",
)
def d_wls_dA(x, A, s, W):
    """d((x - As)^T W (x - As))/dA = -2 W (x - As) s^T, W symmetric"""
    return _wls(x, A, s, W)


@identity(
    derivative=lambda x, A, s, W: -A.T @ (W + W.T) @ (x - A @ s),
    variables={"x": "n", "A": "n m", "s": "m", "W": "n n"},
    wrt="s",
    source="Matrix Cookbook (85) generalised to non-symmetric W",
)
def d_wls_ds_general_W(x, A, s, W):
    """d((x - As)^T W (x - As))/ds = -A^T (W + W^T)(x - As)"""
    return _wls(x, A, s, W)


@identity(
    derivative=lambda x, A, s, W: -np.outer((W + W.T) @ (x - A @ s), s),
    variables={"x": "n", "A": "n m", "s": "m", "W": "n n"},
    wrt="A",
    source="Matrix Cookbook (89) generalised to non-symmetric W",
)
def d_wls_dA_general_W(x, A, s, W):
    """d((x - As)^T W (x - As))/dA = -(W + W^T)(x - As) s^T"""
    return _wls(x, A, s, W)


d_lms_real_dx = identity(
    "d_lms_real_dx",
    f="(c - x @ b) ** 2",
    derivative="-2 * b * (c - x @ b)",
    variables={"c": "", "x": "n", "b": "n"},
    wrt="x",
    source="Matrix Cookbook (90) (real case; (90) is stated for complex x)",
)


d_rayleigh_dx = identity(
    "d_rayleigh_dx",
    f="x @ A @ x / (x @ x)",
    derivative="2 * (A @ x - x @ A @ x / (x @ x) * x) / (x @ x)",
    variables={"x": "n where n >= 2", "A": ("n n", "symmetric")},
    wrt="x",
    source="Rayleigh quotient (standard)",
    note="for n = 1 the quotient is constant: its zero derivative is all rounding noise",
)


def _ratio_grad(x, A, B):
    num, den = x @ A.T @ A @ x, x @ B.T @ B @ x
    return 2 * A.T @ A @ x / den - 2 * num * B.T @ B @ x / den**2


@identity(
    derivative=_ratio_grad,
    variables={"x": "n where n >= 2", "A": "p n", "B": "q n"},
    wrt="x",
    source="Matrix Cookbook (95)",
    note="the transcription prints x^T B B x in the first denominator; B^T B is meant; "
    "n >= 2 since for n = 1 the ratio is constant",
)
def d_ratio_quadratics_dx(x, A, B):
    """d(x^T A^T A x / x^T B^T B x)/dx = 2 A^T A x / den - 2 num B^T B x / den^2"""
    ax, bx = mv(A, x), mv(B, x)
    return dot(ax, ax) / dot(bx, bx)


@identity(
    derivative=lambda x, A: 2 * A.T @ A @ x,
    variables={"x": "n", "A": "m n"},
    wrt="x",
    source=WIKI_SV,
)
def d_Ax_normsq_dx(x, A):
    """d(x^T A^T A x)/dx = 2 A^T A x"""
    ax = mv(A, x)
    return dot(ax, ax)


d_shifted_quad_dA = identity(
    "d_shifted_quad_dA",
    f="(x - b) @ A @ (x - b)",
    derivative="outer(x - b, x - b)",
    variables={"x": "n", "b": "n", "A": "n n"},
    wrt="A",
    source="Matrix Cookbook (73) instance",
)


d_shifted_quad_db = identity(
    "d_shifted_quad_db",
    f="(x - b) @ A @ (x - b)",
    derivative="-(A + A.T) @ (x - b)",
    variables={"x": "n", "b": "n", "A": "n n"},
    wrt="b",
    source=WIKI_SV,
)


BILINEAR = {"x": "n", "W": "n m", "y": "m"}


d_bilinear_dW = identity(
    "d_bilinear_dW",
    f="x @ W @ y",
    derivative="outer(x, y)",
    variables={"x": "n", "W": "n m", "y": "m"},
    wrt="W",
    source="Matrix Cookbook (71) instance",
)


d_bilinear_dx = identity(
    "d_bilinear_dx",
    f="x @ W @ y",
    derivative="W @ y",
    variables={"x": "n", "W": "n m", "y": "m"},
    wrt="x",
    source=WIKI_SV,
)


d_bilinear_dy = identity(
    "d_bilinear_dy",
    f="x @ W @ y",
    derivative="W.T @ x",
    variables={"x": "n", "W": "n m", "y": "m"},
    wrt="y",
    source=WIKI_SV,
)


d_mahalanobis_dmu = identity(
    "d_mahalanobis_dmu",
    f="(x - mu) @ inv(S) @ (x - mu)",
    derivative="-2 * inv(S) @ (x - mu)",
    variables={"x": "n", "mu": "n", "S": ("n n", "spd")},
    wrt="mu",
    source="Matrix Cookbook (87) with W = S^-1",
)


d_sqrt_quad_dx = identity(
    "d_sqrt_quad_dx",
    f="sqrt(x @ A @ x)",
    derivative="A @ x / sqrt(x @ A @ x)",
    variables={"x": "n", "A": ("n n", "spd")},
    wrt="x",
    source="A-norm gradient (chain rule on (82))",
)
