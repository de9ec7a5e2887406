"""Quadratic and bilinear forms (Matrix Cookbook Sec. 2.4.2, the Wikipedia tables)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, inv, mv, quad, tensor_from_gradient_order

ident = partial(identity, family="quadratic", vectorized=True)
WIKI_SV = "Wikipedia scalar-by-vector"


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    derivative=lambda x, A: (A + A.T) @ x,
    latex=r"\frac{\partial x^T A x}{\partial x} = (A + A^T) x",
    text="d(x^T A x)/dx = (A + A^T) x (denominator) = x^T (A + A^T) (numerator)",
    source=f"Matrix Cookbook (82); {WIKI_SV}; project seed notes",
)
def dxTAx_dx(x, A):
    return quad(x, A, x)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    constraints={"A": "symmetric"},
    derivative=lambda x, A: 2 * A @ x,
    text="d(x^T A x)/dx = 2 A x, A symmetric",
    source=WIKI_SV,
    note="only for symmetric A",
)
def dxTAx_dx_symmetric(x, A):
    return quad(x, A, x)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "n"},
    derivative=lambda x, a: 2 * np.outer(a, a) @ x,
    text="d(x^T a)^2/dx = 2 a a^T x (denominator) = 2 x^T a a^T (numerator)",
    source="project seed notes",
)
def d_xTa_squared_dx(x, a):
    return dot(x, a) ** 2


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: 2 * x,
    latex=r"\frac{\partial \|x\|^2}{\partial x} = 2x",
    text="d(x^T x)/dx = 2x (denominator) = 2x^T (numerator)",
    source=f"{WIKI_SV}; Matrix Cookbook (132); project seed notes",
)
def d_xTx_dx(x):
    return dot(x, x)


@ident(
    wrt="A",
    shapes={"x": "n", "A": "n n"},
    derivative=lambda x, A: np.outer(x, x),
    text="d(x^T A x)/dA = x x^T",
    source="Matrix Cookbook (73)",
)
def dxTAx_dA(x, A):
    return quad(x, A, x)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n", "b": "n"},
    derivative=lambda x, A, b: (A + A.T) @ x + b,
    text="d(x^T A x + b^T x)/dx = (A + A^T) x + b",
    source="Matrix Cookbook (96), (97)",
)
def d_quad_plus_linear_dx(x, A, b):
    return quad(x, A, x) + dot(b, x)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n", "b": "n"},
    derivative=lambda x, A, b: A + A.T,
    text="d^2(x^T A x + b^T x)/dx^2 = A + A^T",
    source=f"Matrix Cookbook (98); {'Wikipedia vector-by-vector'}",
)
def hessian_quad_plus_linear(x, A, b):
    return mv(A + A.T, x) + b


@ident(
    wrt="X",
    shapes={"b": "m", "X": "n m", "c": "m"},
    derivative=lambda b, X, c: X @ (np.outer(b, c) + np.outer(c, b)),
    text="d(b^T X^T X c)/dX = X (b c^T + c b^T)",
    source="Matrix Cookbook (78)",
)
def dbTXTXc_dX(b, X, c):
    return quad(b, T(X) @ X, c)


@ident(
    wrt="x",
    shapes={"B": "p n", "x": "n", "b": "p", "C": "p q", "D": "q n", "d": "q"},
    derivative=lambda B, x, b, C, D, d: B.T @ C @ (D @ x + d) + D.T @ C.T @ (B @ x + b),
    text="d((Bx + b)^T C (Dx + d))/dx = B^T C (Dx + d) + D^T C^T (Bx + b)",
    source="Matrix Cookbook (79)",
)
def d_bilinear_affine_dx(B, x, b, C, D, d):
    return quad(mv(B, x) + b, C, mv(D, x) + d)


def _dXTBX(X, B):
    m = X.shape[1]
    grad = np.einsum("lj,ki->ijkl", np.eye(m), X.T @ B) + np.einsum("kj,il->ijkl", np.eye(m), B @ X)
    return tensor_from_gradient_order(grad, 2)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "n n"},
    layout="tensor",
    derivative=_dXTBX,
    text="d(X^T B X)_kl/dX_ij = delta_lj (X^T B)_ki + delta_kj (B X)_il",
    source="Matrix Cookbook (80), (81)",
)
def dXTBX_dX_4d(X, B):
    return T(X) @ B @ X


@ident(
    wrt="X",
    shapes={"b": "m", "X": "n m", "D": "n n", "c": "m"},
    derivative=lambda b, X, D, c: D.T @ X @ np.outer(b, c) + D @ X @ np.outer(c, b),
    text="d(b^T X^T D X c)/dX = D^T X b c^T + D X c b^T",
    source="Matrix Cookbook (83)",
)
def dbTXTDXc_dX(b, X, D, c):
    return quad(b, T(X) @ D @ X, c)


@ident(
    wrt="X",
    shapes={"X": "n m", "b": "m", "c": "n", "D": "n n"},
    derivative=lambda X, b, c, D: np.outer((D + D.T) @ (X @ b + c), b),
    text="d((Xb + c)^T D (Xb + c))/dX = (D + D^T)(Xb + c) b^T",
    source="Matrix Cookbook (84)",
)
def d_Xb_plus_c_quad_dX(X, b, c, D):
    r = mv(X, b) + c
    return quad(r, D, r)


WLS = {"x": "n", "A": "n m", "s": "m", "W": "n n"}


def _wls(x, A, s, W):
    r = x - mv(A, s)
    return quad(r, W, r)


@ident(
    wrt="s",
    shapes=WLS,
    constraints={"W": "symmetric"},
    derivative=lambda x, A, s, W: -2 * A.T @ W @ (x - A @ s),
    text="d((x - As)^T W (x - As))/ds = -2 A^T W (x - As), W symmetric",
    source="Matrix Cookbook (85)",
)
def d_wls_ds(x, A, s, W):
    return _wls(x, A, s, W)


@ident(
    wrt="x",
    shapes={"x": "n", "s": "n", "W": "n n"},
    constraints={"W": "symmetric"},
    derivative=lambda x, s, W: 2 * W @ (x - s),
    text="d((x - s)^T W (x - s))/dx = 2 W (x - s), W symmetric",
    source="Matrix Cookbook (86)",
)
def d_wdist_dx(x, s, W):
    return quad(x - s, W, x - s)


@ident(
    wrt="s",
    shapes={"x": "n", "s": "n", "W": "n n"},
    constraints={"W": "symmetric"},
    derivative=lambda x, s, W: -2 * W @ (x - s),
    text="d((x - s)^T W (x - s))/ds = -2 W (x - s), W symmetric",
    source="Matrix Cookbook (87)",
)
def d_wdist_ds(x, s, W):
    return quad(x - s, W, x - s)


@ident(
    wrt="x",
    shapes=WLS,
    constraints={"W": "symmetric"},
    derivative=lambda x, A, s, W: 2 * W @ (x - A @ s),
    text="d((x - As)^T W (x - As))/dx = 2 W (x - As), W symmetric",
    source="Matrix Cookbook (88)",
)
def d_wls_dx(x, A, s, W):
    return _wls(x, A, s, W)


@ident(
    wrt="A",
    shapes=WLS,
    constraints={"W": "symmetric"},
    derivative=lambda x, A, s, W: -2 * np.outer(W @ (x - A @ s), s),
    text="d((x - As)^T W (x - As))/dA = -2 W (x - As) s^T, W symmetric",
    source="Matrix Cookbook (89)",
)
def d_wls_dA(x, A, s, W):
    return _wls(x, A, s, W)


@ident(
    wrt="s",
    shapes=WLS,
    derivative=lambda x, A, s, W: -A.T @ (W + W.T) @ (x - A @ s),
    text="d((x - As)^T W (x - As))/ds = -A^T (W + W^T)(x - As)",
    source="Matrix Cookbook (85) generalised to non-symmetric W",
)
def d_wls_ds_general_W(x, A, s, W):
    return _wls(x, A, s, W)


@ident(
    wrt="A",
    shapes=WLS,
    derivative=lambda x, A, s, W: -np.outer((W + W.T) @ (x - A @ s), s),
    text="d((x - As)^T W (x - As))/dA = -(W + W^T)(x - As) s^T",
    source="Matrix Cookbook (89) generalised to non-symmetric W",
)
def d_wls_dA_general_W(x, A, s, W):
    return _wls(x, A, s, W)


@ident(
    wrt="x",
    shapes={"c": "", "x": "n", "b": "n"},
    derivative=lambda c, x, b: -2 * b * (c - x @ b),
    text="d(c - x^T b)^2/dx = -2 b (c - x^T b)",
    source="Matrix Cookbook (90) (real case; (90) is stated for complex x)",
)
def d_lms_real_dx(c, x, b):
    return (c - dot(x, b)) ** 2


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    constraints={"A": "symmetric"},
    derivative=lambda x, A: 2 * (A @ x - (x @ A @ x) / (x @ x) * x) / (x @ x),
    text="d(x^T A x / x^T x)/dx = 2 (Ax - r x) / x^T x, r the quotient, A symmetric",
    source="Rayleigh quotient (standard)",
    conditions=("n >= 2",),
    note="for n = 1 the quotient is constant: its zero derivative is all rounding noise",
)
def d_rayleigh_dx(x, A):
    return quad(x, A, x) / dot(x, x)


def _ratio_grad(x, A, B):
    num, den = x @ A.T @ A @ x, x @ B.T @ B @ x
    return 2 * A.T @ A @ x / den - 2 * num * B.T @ B @ x / den**2


@ident(
    wrt="x",
    shapes={"x": "n", "A": "p n", "B": "q n"},
    derivative=_ratio_grad,
    text="d(x^T A^T A x / x^T B^T B x)/dx = 2 A^T A x / den - 2 num B^T B x / den^2",
    source="Matrix Cookbook (95)",
    note="the transcription prints x^T B B x in the first denominator; B^T B is meant; "
    "n >= 2 since for n = 1 the ratio is constant",
    conditions=("n >= 2",),
)
def d_ratio_quadratics_dx(x, A, B):
    ax, bx = mv(A, x), mv(B, x)
    return dot(ax, ax) / dot(bx, bx)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "m n"},
    derivative=lambda x, A: 2 * A.T @ A @ x,
    text="d(x^T A^T A x)/dx = 2 A^T A x",
    source=WIKI_SV,
)
def d_Ax_normsq_dx(x, A):
    ax = mv(A, x)
    return dot(ax, ax)


@ident(
    wrt="A",
    shapes={"x": "n", "b": "n", "A": "n n"},
    derivative=lambda x, b, A: np.outer(x - b, x - b),
    text="d((x - b)^T A (x - b))/dA = (x - b)(x - b)^T",
    source="Matrix Cookbook (73) instance",
)
def d_shifted_quad_dA(x, b, A):
    return quad(x - b, A, x - b)


@ident(
    wrt="b",
    shapes={"x": "n", "b": "n", "A": "n n"},
    derivative=lambda x, b, A: -(A + A.T) @ (x - b),
    text="d((x - b)^T A (x - b))/db = -(A + A^T)(x - b)",
    source=WIKI_SV,
)
def d_shifted_quad_db(x, b, A):
    return quad(x - b, A, x - b)


BILINEAR = {"x": "n", "W": "n m", "y": "m"}


@ident(
    wrt="W",
    shapes=BILINEAR,
    derivative=lambda x, W, y: np.outer(x, y),
    text="d(x^T W y)/dW = x y^T",
    source="Matrix Cookbook (71) instance",
)
def d_bilinear_dW(x, W, y):
    return quad(x, W, y)


@ident(
    wrt="x",
    shapes=BILINEAR,
    derivative=lambda x, W, y: W @ y,
    text="d(x^T W y)/dx = W y",
    source=WIKI_SV,
)
def d_bilinear_dx(x, W, y):
    return quad(x, W, y)


@ident(
    wrt="y",
    shapes=BILINEAR,
    derivative=lambda x, W, y: W.T @ x,
    text="d(x^T W y)/dy = W^T x",
    source=WIKI_SV,
)
def d_bilinear_dy(x, W, y):
    return quad(x, W, y)


@ident(
    wrt="mu",
    shapes={"x": "n", "mu": "n", "S": "n n"},
    constraints={"S": "spd"},
    derivative=lambda x, mu, S: -2 * inv(S) @ (x - mu),
    text="d((x - mu)^T S^-1 (x - mu))/dmu = -2 S^-1 (x - mu)",
    source="Matrix Cookbook (87) with W = S^-1",
)
def d_mahalanobis_dmu(x, mu, S):
    return quad(x - mu, inv(S), x - mu)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    constraints={"A": "spd"},
    derivative=lambda x, A: A @ x / np.sqrt(x @ A @ x),
    text="d sqrt(x^T A x)/dx = A x / sqrt(x^T A x), A spd",
    source="A-norm gradient (chain rule on (82))",
)
def d_sqrt_quad_dx(x, A):
    return np.sqrt(quad(x, A, x))
