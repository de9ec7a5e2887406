"""Derivatives through matrix inverses and pseudo-inverses (Matrix Cookbook Sec. 2.2)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, inv, pinv, quad, solve, sumall, tensor_from_gradient_order, tr

ident = partial(identity, family="inverse", vectorized=True)
GILES = "Giles 2008 Sec. 3.1"
INV = {"X": "invertible"}


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    layout="tensor",
    derivative=lambda X: tensor_from_gradient_order(-np.einsum("ki,jl->ijkl", inv(X), inv(X)), 2),
    text="d(X^-1)_kl/dX_ij = -(X^-1)_ki (X^-1)_jl",
    source="Matrix Cookbook (60)",
)
def dXinv_dX_4d(X):
    return inv(X)


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    constraints=INV,
    derivative=lambda a, X, b: -inv(X).T @ np.outer(a, b) @ inv(X).T,
    text="d(a^T X^-1 b)/dX = -X^-T a b^T X^-T",
    source="Matrix Cookbook (61); Wikipedia scalar-by-matrix",
)
def daTXinvb_dX(a, X, b):
    return quad(a, inv(X), b)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n n", "B": "n p"},
    constraints=INV,
    derivative=lambda A, X, B: -(inv(X) @ B @ A @ inv(X)).T,
    text="d tr(A X^-1 B)/dX = -(X^-1 B A X^-1)^T",
    source="Matrix Cookbook (63)",
)
def dtrAXinvB_dX_63(A, X, B):
    return tr(A @ inv(X) @ B)


@ident(
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    constraints={"X": "pd_nonsym", "A": "pd_nonsym"},
    derivative=lambda X, A: -(inv(X + A) @ inv(X + A)).T,
    text="d tr((X + A)^-1)/dX = -((X + A)^-1 (X + A)^-1)^T",
    source="Matrix Cookbook (64)",
)
def dtr_XplusA_inv_dX(X, A):
    return tr(inv(X + A))


@ident(
    wrt="A",
    shapes={"A": "n n"},
    constraints={"A": "invertible"},
    derivative=lambda A: -inv(A).T @ (2 * inv(A)) @ inv(A).T,
    text="dJ/dA = -A^-T (dJ/dW) A^-T with W = A^-1, J = ||W||_F^2",
    source="Matrix Cookbook (65) with J(W) = ||W||_F^2",
)
def dJ_dA_via_inverse_frob(A):
    return sumall(inv(A) ** 2)


@ident(
    wrt="A",
    shapes={"A": "n n", "C": "n n"},
    constraints={"A": "invertible"},
    derivative=lambda A, C: -inv(A).T @ C.T @ inv(A).T,
    text="dJ/dA = -A^-T (dJ/dW) A^-T with W = A^-1, J = tr(C W)",
    source="Matrix Cookbook (65) with J(W) = tr(CW)",
)
def dJ_dA_via_inverse_trace(A, C):
    return tr(C @ inv(A))


@ident(
    wrt="A",
    shapes={"A": "n n", "G": "n n"},
    constraints={"A": "invertible"},
    derivative=lambda A, G: -inv(A).T @ G @ inv(A).T,
    text="C = A^-1: Abar = -C^T Cbar C^T",
    source=f"{GILES} (inverse, reverse mode)",
)
def giles_inverse_reverse(A, G):
    return sumall(G * inv(A))


PRODUCT = {"A": "n n", "B": "n m", "G": "n m"}


@ident(
    wrt="A",
    shapes=PRODUCT,
    constraints={"A": "invertible"},
    derivative=lambda A, B, G: -inv(A).T @ G @ np.linalg.solve(A, B).T,
    text="C = A^-1 B: Abar = -A^-T Cbar C^T",
    source=f"{GILES} (inverse product)",
)
def giles_inverse_product_dA(A, B, G):
    return sumall(G * solve(A, B))


@ident(
    wrt="B",
    shapes=PRODUCT,
    constraints={"A": "invertible"},
    derivative=lambda A, B, G: inv(A).T @ G,
    text="C = A^-1 B: Bbar = A^-T Cbar",
    source=f"{GILES} (inverse product)",
)
def giles_inverse_product_dB(A, B, G):
    return sumall(G * solve(A, np.asarray(B)))


QUADFORM = {"A": "n n", "B": "n m", "G": "m m"}


@ident(
    wrt="A",
    shapes=QUADFORM,
    derivative=lambda A, B, G: B @ G @ B.T,
    text="C = B^T A B: Abar = B Cbar B^T",
    source=f"{GILES} (first quadratic form)",
)
def giles_quadform1_dA(A, B, G):
    return sumall(G * (T(B) @ A @ B))


@ident(
    wrt="B",
    shapes=QUADFORM,
    derivative=lambda A, B, G: A @ B @ G.T + A.T @ B @ G,
    text="C = B^T A B: Bbar = A B Cbar^T + A^T B Cbar",
    source=f"{GILES} (first quadratic form)",
)
def giles_quadform1_dB(A, B, G):
    return sumall(G * (T(B) @ A @ B))


@ident(
    wrt="A",
    shapes=QUADFORM,
    constraints={"A": "invertible"},
    derivative=lambda A, B, G: -inv(A).T @ B @ G @ B.T @ inv(A).T,
    text="C = B^T A^-1 B: Abar = -A^-T B Cbar B^T A^-T",
    source=f"{GILES} (second quadratic form)",
)
def giles_quadform2_dA(A, B, G):
    return sumall(G * (T(B) @ inv(A) @ B))


@ident(
    wrt="B",
    shapes=QUADFORM,
    constraints={"A": "invertible"},
    derivative=lambda A, B, G: inv(A) @ B @ G.T + inv(A).T @ B @ G,
    text="C = B^T A^-1 B: Bbar = A^-1 B Cbar^T + A^-T B Cbar",
    source=f"{GILES} (second quadratic form)",
)
def giles_quadform2_dB(A, B, G):
    return sumall(G * (T(B) @ inv(A) @ B))


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n"},
    constraints=INV,
    derivative=lambda a, X: -inv(X).T @ np.outer(a, a) @ inv(X).T,
    text="d(a^T X^-1 a)/dX = -X^-T a a^T X^-T",
    source="Matrix Cookbook (61) with b = a",
)
def daTXinva_dX(a, X):
    return quad(a, inv(X), a)


@ident(
    wrt="S",
    shapes={"x": "n", "mu": "n", "S": "n n"},
    constraints={"S": "spd"},
    derivative=lambda x, mu, S: -inv(S).T @ np.outer(x - mu, x - mu) @ inv(S).T,
    text="d((x - mu)^T S^-1 (x - mu))/dS = -S^-T (x - mu)(x - mu)^T S^-T",
    source="Matrix Cookbook (61) instance",
    note="entries of S unstructured",
)
def dmahalanobis_dS(x, mu, S):
    return quad(x - mu, inv(S), x - mu)


def _dpinv(X, G):
    P = pinv(X)
    n = X.shape[0]
    return -P.T @ G @ P.T + (np.eye(n) - X @ P) @ G.T @ P @ P.T


@ident(
    wrt="X",
    shapes={"X": "n m", "G": "m n"},
    conditions=("n > m",),
    derivative=_dpinv,
    text="d sum(G o X^+)/dX = -X^+T G X^+T + (I - X X^+) G^T X^+ X^+T",
    source="Golub & Pereyra 1973 (derivative of the pseudo-inverse), full column rank",
)
def dpinv_tall_dX(X, G):
    return sumall(G * pinv(X))
