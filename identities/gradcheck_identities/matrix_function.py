"""Matrix functions: exponential, logarithm, square root, powers, Cholesky (Giles, Higham)."""

from functools import partial

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

ident = partial(identity, family="matrix_function", vectorized=True)
GILES = "Giles 2008"


def _block(F, A, B):
    """Upper-right block of F([[A, B], [0, A]]): the Frechet derivative of F at A along B."""
    n = len(A)
    return F(np.block([[A, B], [np.zeros((n, n)), A]]))[:n, n:]


@ident(
    wrt="A",
    shapes={"A": "n n", "G": "n n"},
    derivative=lambda A, G: _block(expm, A.T, G),
    text="Abar = upper-right block of exp([[A^T, Cbar], [0, A^T]])",
    source=f"{GILES} (matrix exponential, reverse mode via the block-triangular exponential)",
)
def giles_expm_reverse(A, G):
    return sumall(G * expm(A))


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    layout="numerator",
    derivative=lambda A, B, t: _block(expm, A + t * B, B),
    text="d exp(A + tB)/dt = upper-right block of exp([[Y, B], [0, Y]])",
    source=f"{GILES} (matrix exponential, forward mode); Higham Frechet derivative",
)
def giles_expm_forward(A, B, t):
    return expm(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n n", "t": ""},
    layout="numerator",
    derivative=lambda A, t: A @ expm(t * A),
    text="d exp(tA)/dt = A exp(tA)",
    source="standard",
)
def d_expm_tA_dt(A, t):
    return expm(bm(t) * A)


@ident(
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    derivative=lambda A, X: _block(expm, X.T, A.T),
    text="d tr(A exp(X))/dX = upper-right block of exp([[X^T, A^T], [0, X^T]])",
    source=f"{GILES} (matrix exponential) with Cbar = A^T",
)
def d_trAexpm_dX(A, X):
    return tr(A @ expm(X))


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints={"A": "pd_nonsym", "t": "small"},
    layout="numerator",
    derivative=lambda A, B, t: _block(logm, A + t * B, B),
    text="d log(A + tB)/dt = upper-right block of log([[Y, B], [0, Y]])",
    source="Higham 2008 (Frechet derivative of a primary matrix function, 2x2 block form)",
)
def d_logm_frechet_dt(A, B, t):
    return logm(A + bm(t) * B)


def _dsqrtm(A, B, t):
    S = sqrtm(A + t * B)
    return solve_sylvester(S, S, B)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints={"A": "spd", "B": "symmetric", "t": "small"},
    layout="numerator",
    derivative=_dsqrtm,
    text="S dS + dS S = dA for S = A^(1/2)",
    source="standard",
)
def d_sqrtm_sylvester_dt(A, B, t):
    return sqrtm(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    layout="numerator",
    derivative=lambda A, B, t: _block(sinm, A + t * B, B),
    text="d sin(A + tB)/dt = upper-right block of sin([[Y, B], [0, Y]])",
    source="Higham 2008 (block Frechet derivative)",
)
def d_sinm_frechet_dt(A, B, t):
    return sinm(A + bm(t) * B)


def _dXpow3(X):
    grad = sum(np.einsum("ki,jl->ijkl", mpow(X, j), mpow(X, 2 - j)) for j in range(3))
    return tensor_from_gradient_order(grad, 2)


@ident(
    wrt="X",
    shapes={"X": "n n"},
    layout="tensor",
    derivative=_dXpow3,
    text="d(X^n)_kl/dX_ij = sum_r (X^r J^ij X^(n-1-r))_kl, n = 3",
    source="Matrix Cookbook (91)",
)
def dXpow3_dX_4d(X):
    return mpow(X, 3)


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    derivative=lambda a, X, b: sum(
        mpow(X, j).T @ np.outer(a, b) @ mpow(X, 2 - j).T for j in range(3)
    ),
    text="d(a^T X^n b)/dX = sum_r (X^r)^T a b^T (X^(n-1-r))^T, n = 3",
    source="Matrix Cookbook (92)",
)
def daTXnb_dX(a, X, b):
    return dot(a, mv(mpow(X, 3), b))


def _d93(a, X, b):
    X3 = mpow(X, 3)
    return sum(
        mpow(X, j).T @ X3 @ np.outer(b, a) @ mpow(X, 2 - j).T
        + mpow(X, j).T @ X3 @ np.outer(a, b) @ mpow(X, 2 - j).T
        for j in range(3)
    )


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    derivative=_d93,
    text="d(a^T (X^n)^T X^n b)/dX = sum_r [(X^r)^T X^n b a^T + (X^r)^T X^n a b^T] (X^(n-1-r))^T",
    source="Matrix Cookbook (93) corrected",
    note="the printed first term X^(n-1-r) a b^T (X^n)^T X^r is the transpose of the correct "
    "(X^r)^T X^n b a^T (X^(n-1-r))^T; n = 3",
)
def daTXnTXnb_dX(a, X, b):
    X3 = mpow(X, 3)
    return dot(mv(X3, a), mv(X3, b))


def _giles_chol(A, G):
    L = chol(sym(A))
    return sym(inv(L).T @ Phi(L.T @ np.tril(G)) @ inv(L))


@ident(
    wrt="A",
    shapes={"A": "n n", "G": "n n"},
    constraints={"A": "spd"},
    derivative=_giles_chol,
    text="Abar = sym(L^-T Phi(L^T Lbar) L^-1)",
    source=f"{GILES} Sec. 3.1 (Cholesky); Murray 2016 closed form",
    note="symmetric-part convention (numpy's cholesky reads only one triangle)",
)
def giles_cholesky_reverse(A, G):
    return sumall(G * chol(sym(A)))


def _dchol(A, B, t):
    L = chol(A + t * B)
    return L @ Phi(inv(L) @ B @ inv(L).T)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints={"A": "spd", "B": "symmetric", "t": "small"},
    layout="numerator",
    derivative=_dchol,
    text="dL = L Phi(L^-1 dA L^-T)",
    source=f"{GILES} Sec. 3.1 (Cholesky, forward mode)",
)
def giles_cholesky_forward(A, B, t):
    return chol(A + bm(t) * B)


@ident(
    wrt="A",
    shapes={"A": "n n"},
    constraints={"A": "spd"},
    derivative=lambda A: inv(sym(A)),
    text="d 2 sum(log(diag(chol(A))))/dA = A^-1",
    source="Matrix Cookbook (43) via Cholesky",
    note="symmetric-part convention",
)
def dlogdet_via_cholesky_dA(A):
    return 2 * np.sum(np.log(np.diagonal(chol(sym(A)), axis1=-2, axis2=-1)), axis=-1)
