"""Product and chain rules with concrete inner functions."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, fro, mv, quad, softmax, tr

ident = partial(identity, family="product_chain_rule", vectorized=True)
WIKI_SV = "Wikipedia scalar-by-vector"
WIKI_VV = "Wikipedia vector-by-vector"


def _dproduct1(A, B, x):
    return A.T @ np.tanh(B @ x) + B.T @ ((1 - np.tanh(B @ x) ** 2) * (A @ x))


@ident(
    wrt="x",
    shapes={"A": "m n", "B": "m n", "x": "n"},
    derivative=_dproduct1,
    text="d(u^T v)/dx = (du/dx) v + (dv/dx) u, u = Ax, v = tanh(Bx)",
    source=f"{WIKI_SV} (u.v rule); project seed notes (product rule)",
)
def d_uTv_product_rule_1(A, B, x):
    return dot(mv(A, x), np.tanh(mv(B, x)))


@ident(
    wrt="x",
    shapes={"x": "n", "C": "n n"},
    derivative=lambda x, C: np.cos(x) * (C @ x) + C.T @ np.sin(x),
    text="d(u^T v)/dx with u = sin(x), v = Cx: cos(x) o Cx + C^T sin(x)",
    source=f"{WIKI_SV} (u.v rule); project seed notes (product rule)",
)
def d_uTv_product_rule_2(x, C):
    return dot(np.sin(x), mv(C, x))


def _dsTAr(B, A, C, x):
    s = np.tanh(B @ x)
    return B.T @ ((1 - s**2) * (A @ C @ x)) + C.T @ A.T @ s


@ident(
    wrt="x",
    shapes={"B": "p n", "A": "p q", "C": "q n", "x": "n"},
    derivative=_dsTAr,
    text="d(s^T A r)/dx = [ds/dx]^T A r + [dr/dx]^T A^T s, s = tanh(Bx), r = Cx",
    source=f"Matrix Cookbook (94); {WIKI_SV}; project seed notes (product rule with A)",
    note="Cookbook Jacobians are numerator layout",
)
def d_sTAr_dx(B, A, C, x):
    return quad(np.tanh(mv(B, x)), A, mv(C, x))


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: 2 * A.T @ A @ x / (1 + np.linalg.norm(A @ x) ** 2),
    text="d log(1 + ||Ax||^2)/dx = 2 A^T A x / (1 + ||Ax||^2)",
    source=f"{WIKI_SV} (chain rule); project seed notes (chain rule)",
)
def d_chain_log1p_normsq_dx(A, x):
    ax = mv(A, x)
    return np.log(1 + dot(ax, ax))


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: np.cos(a @ x) * a,
    text="d sin(a^T x)/dx = cos(a^T x) a",
    source=f"{WIKI_SV}; project seed notes (chain rule)",
)
def d_chain_sin_aTx_dx(a, x):
    return np.sin(dot(a, x))


@ident(
    wrt="x",
    shapes={"A": "n n", "x": "n"},
    derivative=lambda A, x: np.exp(x @ A @ x) * (A + A.T) @ x,
    text="d exp(x^T A x)/dx = exp(x^T A x) (A + A^T) x",
    source=f"{WIKI_SV} (chain rule)",
)
def d_chain_exp_quad_dx(A, x):
    return np.exp(quad(x, A, x))


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: (x @ x) * a + 2 * (a @ x) * x,
    text="d((a^T x)(x^T x))/dx = (x^T x) a + 2 (a^T x) x",
    source=f"{WIKI_SV} (d(uv) = u dv + v du)",
)
def d_product_scalars_dx(a, x):
    return dot(a, x) * dot(x, x)


@ident(
    wrt="x",
    shapes={"a": "n", "b": "n", "x": "n"},
    constraints={"a": "positive", "b": "positive", "x": "positive"},
    derivative=lambda a, b, x: a / (b @ x) - (a @ x) * b / (b @ x) ** 2,
    text="d(a^T x / b^T x)/dx = a / b^T x - (a^T x) b / (b^T x)^2",
    source="quotient rule",
    conditions=("n >= 2",),
    note="for n = 1 the quotient is constant",
)
def d_quotient_dx(a, b, x):
    return dot(a, x) / dot(b, x)


@ident(
    wrt="x",
    shapes={"W": "m n", "x": "n"},
    derivative=lambda W, x: W.T * (1 - np.tanh(W @ x) ** 2)[None, :],
    text="d tanh(Wx)/dx = W^T diag(1 - tanh(Wx)^2) (denominator)",
    source=f"{WIKI_VV} (dg(u)/dx = du/dx dg/du)",
)
def d_vec_chain_tanh_Wx(W, x):
    return np.tanh(mv(W, x))


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: (1 - np.tanh(x) ** 2)[:, None] * A.T,
    text="d(A tanh(x))/dx = diag(1 - tanh(x)^2) A^T (denominator)",
    source=f"{WIKI_VV} (d(Au)/dx = du/dx A^T)",
)
def d_vec_chain_A_tanh_x(A, x):
    return mv(A, np.tanh(x))


def _dsoftmax_Wx(W, x):
    s = softmax(W @ x)
    return W.T @ (np.diag(s) - np.outer(s, s))


@ident(
    wrt="x",
    shapes={"W": "m n", "x": "n"},
    derivative=_dsoftmax_Wx,
    text="d softmax(Wx)/dx = W^T (diag(s) - s s^T)",
    source=f"{WIKI_VV} (chain rule)",
)
def d_vec_chain_softmax_Wx(W, x):
    return softmax(mv(W, x))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 4 * X @ X.T @ X,
    text="d tr((X^T X)^2)/dX = 4 X X^T X",
    source="Matrix Cookbook (136)-(138) with g(U) = tr(U^2), U = X^T X",
)
def d_matrix_chain_tr_gram_sq_dX(X):
    G = T(X) @ X
    return tr(G @ G)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "m q"},
    derivative=lambda A, X, B: 2 * A.T @ A @ X @ B @ B.T,
    text="d||AXB||_F^2/dX = 2 A^T A X B B^T",
    source="Matrix Cookbook (137) with g(U) = ||U||_F^2, U = AXB",
)
def d_matrix_chain_frob_AXB_dX(A, X, B):
    return fro(A @ X @ B) ** 2


@ident(
    wrt="x",
    shapes={"a": "m", "B": "m n", "x": "n"},
    derivative=lambda a, B, x: B.T @ ((1 - np.tanh(B @ x) ** 2) * a),
    text="d(a^T tanh(Bx))/dx = B^T ((1 - tanh(Bx)^2) o a)",
    source=f"{WIKI_SV} (d(a.u)/dx)",
)
def d_aTu_chain_dx(a, B, x):
    return dot(a, np.tanh(mv(B, x)))


@ident(
    wrt="x",
    shapes={"c": "n", "B": "m n", "x": "n"},
    derivative=lambda c, B, x: (c @ x) * B.T + np.outer(c, B @ x),
    text="d((c^T x) Bx)/dx = (c^T x) B^T + c (Bx)^T (denominator)",
    source=f"{WIKI_VV} (d(v u)/dx = v du/dx + dv/dx u^T)",
)
def d_scalar_times_vector_dx(c, B, x):
    return dot(c, x)[..., None] * mv(B, x)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: (a @ x) * np.eye(len(x)) + np.outer(a, x),
    text="d(x (a^T x))/dx = (a^T x) I + a x^T (denominator)",
    source=f"{WIKI_VV} (d(v u)/dx)",
    note="non-symmetric Jacobian: layout matters",
)
def d_x_times_aTx_dx(a, x):
    return x * dot(a, x)[..., None]


@ident(
    wrt="x",
    shapes={"a": "m", "x": "n"},
    derivative=lambda a, x: 2 * np.outer(x, a),
    text="d(a (x^T x))/dx = 2 x a^T (denominator)",
    source=f"{WIKI_VV} (d(v a)/dx = dv/dx a^T)",
)
def d_a_times_xTx_dx(a, x):
    return a * dot(x, x)[..., None]


@ident(
    wrt="X",
    shapes={"X": "n m", "a": "m"},
    derivative=lambda X, a: np.outer(np.exp(X @ a), a),
    text="d sum(exp(Xa))/dX = exp(Xa) a^T",
    source="Matrix Cookbook (137) chain rule",
)
def d_sum_exp_Xa_dX(X, a):
    return np.sum(np.exp(mv(X, a)), axis=-1)
