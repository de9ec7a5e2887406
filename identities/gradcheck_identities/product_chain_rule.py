"""Product and chain rules with concrete inner functions."""

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, mv, quad, softmax, tr

WIKI_SV = "Wikipedia scalar-by-vector"
WIKI_VV = "Wikipedia vector-by-vector"


def _dproduct1(A, B, x):
    return A.T @ np.tanh(B @ x) + B.T @ ((1 - np.tanh(B @ x) ** 2) * (A @ x))


@identity(
    derivative=_dproduct1,
    variables={"A": "m n", "B": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV} (u.v rule); project seed notes (product rule)",
)
def d_uTv_product_rule_1(A, B, x):
    """d(u^T v)/dx = (du/dx) v + (dv/dx) u, u = Ax, v = tanh(Bx)"""
    return dot(mv(A, x), np.tanh(mv(B, x)))


d_uTv_product_rule_2 = identity(
    "d_uTv_product_rule_2",
    f="sin(x) @ (C @ x)",
    derivative="cos(x) * (C @ x) + C.T @ sin(x)",
    variables={"x": "n", "C": "n n"},
    wrt="x",
    source=f"{WIKI_SV} (u.v rule); project seed notes (product rule)",
)


def _dsTAr(B, A, C, x):
    s = np.tanh(B @ x)
    return B.T @ ((1 - s**2) * (A @ C @ x)) + C.T @ A.T @ s


@identity(
    derivative=_dsTAr,
    variables={"B": "p n", "A": "p q", "C": "q n", "x": "n"},
    wrt="x",
    source=f"Matrix Cookbook (94); {WIKI_SV}; project seed notes (product rule with A)",
    note="Cookbook Jacobians are numerator layout",
)
def d_sTAr_dx(B, A, C, x):
    """d(s^T A r)/dx = [ds/dx]^T A r + [dr/dx]^T A^T s, s = tanh(Bx), r = Cx"""
    return quad(np.tanh(mv(B, x)), A, mv(C, x))


@identity(
    derivative=lambda A, x: 2 * A.T @ A @ x / (1 + np.linalg.norm(A @ x) ** 2),
    variables={"A": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV} (chain rule); project seed notes (chain rule)",
)
def d_chain_log1p_normsq_dx(A, x):
    """d log(1 + ||Ax||^2)/dx = 2 A^T A x / (1 + ||Ax||^2)"""
    ax = mv(A, x)
    return np.log(1 + dot(ax, ax))


d_chain_sin_aTx_dx = identity(
    "d_chain_sin_aTx_dx",
    f="sin(a @ x)",
    derivative="cos(a @ x) * a",
    variables={"a": "n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV}; project seed notes (chain rule)",
)


d_chain_exp_quad_dx = identity(
    "d_chain_exp_quad_dx",
    f="exp(x @ A @ x)",
    derivative="exp(x @ A @ x) * (A + A.T) @ x",
    variables={"A": "n n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV} (chain rule)",
)


d_product_scalars_dx = identity(
    "d_product_scalars_dx",
    f="a @ x * (x @ x)",
    derivative="x @ x * a + 2 * (a @ x) * x",
    variables={"a": "n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV} (d(uv) = u dv + v du)",
)


d_quotient_dx = identity(
    "d_quotient_dx",
    f="a @ x / (b @ x)",
    derivative="a / (b @ x) - a @ x * b / (b @ x) ** 2",
    variables={"a": ("n", "positive"), "b": ("n", "positive"), "x": ("n where n >= 2", "positive")},
    wrt="x",
    source="quotient rule",
    note="for n = 1 the quotient is constant",
)


d_vec_chain_tanh_Wx = identity(
    "d_vec_chain_tanh_Wx",
    f="tanh(W @ x)",
    derivative="W.T * (1 - tanh(W @ x) ** 2)[None, :]",
    variables={"W": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (dg(u)/dx = du/dx dg/du)",
)


d_vec_chain_A_tanh_x = identity(
    "d_vec_chain_A_tanh_x",
    f="A @ tanh(x)",
    derivative="(1 - tanh(x) ** 2)[:, None] * A.T",
    variables={"A": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (d(Au)/dx = du/dx A^T)",
)


def _dsoftmax_Wx(W, x):
    s = softmax(W @ x)
    return W.T @ (np.diag(s) - np.outer(s, s))


@identity(
    derivative=_dsoftmax_Wx,
    variables={"W": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (chain rule)",
)
def d_vec_chain_softmax_Wx(W, x):
    """d softmax(Wx)/dx = W^T (diag(s) - s s^T)"""
    return softmax(mv(W, x))


@identity(
    derivative=lambda X: 4 * X @ X.T @ X,
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (136)-(138) with g(U) = tr(U^2), U = X^T X",
)
def d_matrix_chain_tr_gram_sq_dX(X):
    """d tr((X^T X)^2)/dX = 4 X X^T X"""
    G = T(X) @ X
    return tr(G @ G)


d_matrix_chain_frob_AXB_dX = identity(
    "d_matrix_chain_frob_AXB_dX",
    f="norm(A @ X @ B) ** 2",
    derivative="2 * A.T @ A @ X @ B @ B.T",
    variables={"A": "p n", "X": "n m", "B": "m q"},
    wrt="X",
    source="Matrix Cookbook (137) with g(U) = ||U||_F^2, U = AXB",
)


d_aTu_chain_dx = identity(
    "d_aTu_chain_dx",
    f="a @ tanh(B @ x)",
    derivative="B.T @ ((1 - tanh(B @ x) ** 2) * a)",
    variables={"a": "m", "B": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_SV} (d(a.u)/dx)",
)


d_scalar_times_vector_dx = identity(
    "d_scalar_times_vector_dx",
    f="(c @ x)[..., None] * (B @ x)",
    derivative="c @ x * B.T + outer(c, B @ x)",
    variables={"c": "n", "B": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (d(v u)/dx = v du/dx + dv/dx u^T)",
)


@identity(
    derivative=lambda a, x: (a @ x) * np.eye(len(x)) + np.outer(a, x),
    variables={"a": "n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (d(v u)/dx)",
    note="non-symmetric Jacobian: layout matters",
)
def d_x_times_aTx_dx(a, x):
    """d(x (a^T x))/dx = (a^T x) I + a x^T (denominator)"""
    return x * dot(a, x)[..., None]


d_a_times_xTx_dx = identity(
    "d_a_times_xTx_dx",
    f="a * (x @ x)[..., None]",
    derivative="2 * outer(x, a)",
    variables={"a": "m", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV} (d(v a)/dx = dv/dx a^T)",
)


d_sum_exp_Xa_dX = identity(
    "d_sum_exp_Xa_dX",
    f="sum(exp(X @ a), axis=-1)",
    derivative="outer(exp(X @ a), a)",
    variables={"X": "n m", "a": "m"},
    wrt="X",
    source="Matrix Cookbook (137) chain rule",
)
