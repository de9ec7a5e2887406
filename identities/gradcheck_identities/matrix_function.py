"""Matrix functions: exponential, logarithm, square root, powers, Cholesky (Giles, Higham)."""

import numpy as np

from gradcheck import identity

from ._helpers import (
    Phi,
    bm,
    chol,
    dot,
    expm,
    inv,
    logm,
    mpow,
    mv,
    sinm,
    solve_sylvester,
    sqrtm,
    sumall,
    sym,
    tensor_from_gradient_order,
    tr,
)

GILES = "Giles 2008"


def _block(F, A, B):
    """Upper-right block of F([[A, B], [0, A]]): the Frechet derivative of F at A along B."""
    n = len(A)
    return F(np.block([[A, B], [np.zeros((n, n)), A]]))[:n, n:]


@identity(
    derivative=lambda A, G: _block(expm, A.T, G),
    variables={"A": "n n", "G": "n n"},
    wrt="A",
    source=f"{GILES} (matrix exponential, reverse mode via the block-triangular exponential)",
)
def giles_expm_reverse(A, G):
    """Abar = upper-right block of exp([[A^T, Cbar], [0, A^T]])"""
    return sumall(G * expm(A))


@identity(
    derivative=lambda A, B, t: _block(expm, A + t * B, B),
    variables={"A": "n n", "B": "n n", "t": ""},
    wrt="t",
    layout="numerator",
    source=f"{GILES} (matrix exponential, forward mode); Higham Frechet derivative",
)
def giles_expm_forward(A, B, t):
    """d exp(A + tB)/dt = upper-right block of exp([[Y, B], [0, Y]])"""
    return expm(A + bm(t) * B)


d_expm_tA_dt = identity(
    "d_expm_tA_dt",
    f="expm(t * A)",
    derivative="A @ expm(t * A)",
    variables={"A": "n n", "t": ""},
    wrt="t",
    layout="numerator",
    source="standard",
)


@identity(
    derivative=lambda A, X: _block(expm, X.T, A.T),
    variables={"A": "n n", "X": "n n"},
    wrt="X",
    source=f"{GILES} (matrix exponential) with Cbar = A^T",
)
def d_trAexpm_dX(A, X):
    """d tr(A exp(X))/dX = upper-right block of exp([[X^T, A^T], [0, X^T]])"""
    return tr(A @ expm(X))


@identity(
    derivative=lambda A, B, t: _block(logm, A + t * B, B),
    variables={"A": ("n n", "pd_nonsym"), "B": "n n", "t": ("", "small")},
    wrt="t",
    layout="numerator",
    source="Higham 2008 (Frechet derivative of a primary matrix function, 2x2 block form)",
)
def d_logm_frechet_dt(A, B, t):
    """d log(A + tB)/dt = upper-right block of log([[Y, B], [0, Y]])"""
    return logm(A + bm(t) * B)


def _dsqrtm(A, B, t):
    S = sqrtm(A + t * B)
    return solve_sylvester(S, S, B)


@identity(
    derivative=_dsqrtm,
    variables={"A": ("n n", "spd"), "B": ("n n", "symmetric"), "t": ("", "small")},
    wrt="t",
    layout="numerator",
    source="standard",
)
def d_sqrtm_sylvester_dt(A, B, t):
    """S dS + dS S = dA for S = A^(1/2)"""
    return sqrtm(A + bm(t) * B)


@identity(
    derivative=lambda A, B, t: _block(sinm, A + t * B, B),
    variables={"A": "n n", "B": "n n", "t": ""},
    wrt="t",
    layout="numerator",
    source="Higham 2008 (block Frechet derivative)",
)
def d_sinm_frechet_dt(A, B, t):
    """d sin(A + tB)/dt = upper-right block of sin([[Y, B], [0, Y]])"""
    return sinm(A + bm(t) * B)


def _dXpow3(X):
    grad = sum(np.einsum("ki,jl->ijkl", mpow(X, j), mpow(X, 2 - j)) for j in range(3))
    return tensor_from_gradient_order(grad, 2)


@identity(
    derivative=_dXpow3,
    variables={"X": "n n"},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (91)",
)
def dXpow3_dX_4d(X):
    """d(X^n)_kl/dX_ij = sum_r (X^r J^ij X^(n-1-r))_kl, n = 3"""
    return mpow(X, 3)


@identity(
    derivative=lambda a, X, b: sum(
        mpow(X, j).T @ np.outer(a, b) @ mpow(X, 2 - j).T for j in range(3)
    ),
    variables={"a": "n", "X": "n n", "b": "n"},
    wrt="X",
    source="Matrix Cookbook (92)",
)
def daTXnb_dX(a, X, b):
    """d(a^T X^n b)/dX = sum_r (X^r)^T a b^T (X^(n-1-r))^T, n = 3"""
    return dot(a, mv(mpow(X, 3), b))


def _d93(a, X, b):
    X3 = mpow(X, 3)
    return sum(
        mpow(X, j).T @ X3 @ np.outer(b, a) @ mpow(X, 2 - j).T
        + mpow(X, j).T @ X3 @ np.outer(a, b) @ mpow(X, 2 - j).T
        for j in range(3)
    )


@identity(
    derivative=_d93,
    variables={"a": "n", "X": "n n", "b": "n"},
    wrt="X",
    source="Matrix Cookbook (93) corrected",
    note="the printed first term X^(n-1-r) a b^T (X^n)^T X^r is the transpose of the correct "
    "(X^r)^T X^n b a^T (X^(n-1-r))^T; n = 3",
)
def daTXnTXnb_dX(a, X, b):
    """d(a^T (X^n)^T X^n b)/dX = sum_r [(X^r)^T X^n b a^T + (X^r)^T X^n a b^T] (X^(n-1-r))^T"""
    X3 = mpow(X, 3)
    return dot(mv(X3, a), mv(X3, b))


def _giles_chol(A, G):
    L = chol(sym(A))
    return sym(inv(L).T @ Phi(L.T @ np.tril(G)) @ inv(L))


@identity(
    derivative=_giles_chol,
    variables={"A": ("n n", "spd"), "G": "n n"},
    wrt="A",
    source=f"{GILES} Sec. 3.1 (Cholesky); Murray 2016 closed form",
    note="symmetric-part convention (numpy's cholesky reads only one triangle)",
)
def giles_cholesky_reverse(A, G):
    """Abar = sym(L^-T Phi(L^T Lbar) L^-1)"""
    return sumall(G * chol(sym(A)))


def _dchol(A, B, t):
    L = chol(A + t * B)
    return L @ Phi(inv(L) @ B @ inv(L).T)


@identity(
    derivative=_dchol,
    variables={"A": ("n n", "spd"), "B": ("n n", "symmetric"), "t": ("", "small")},
    wrt="t",
    layout="numerator",
    source=f"{GILES} Sec. 3.1 (Cholesky, forward mode)",
)
def giles_cholesky_forward(A, B, t):
    """dL = L Phi(L^-1 dA L^-T)"""
    return chol(A + bm(t) * B)


dlogdet_via_cholesky_dA = identity(
    "dlogdet_via_cholesky_dA",
    f="2 * sum(log(diagonal(cholesky(sym(A)), axis1=-2, axis2=-1)), axis=-1)",
    derivative="inv(sym(A))",
    variables={"A": ("n n", "spd")},
    wrt="A",
    source="Matrix Cookbook (43) via Cholesky",
    note="symmetric-part convention",
)
