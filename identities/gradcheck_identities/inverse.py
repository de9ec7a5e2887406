"""Derivatives through matrix inverses and pseudo-inverses (Matrix Cookbook Sec. 2.2)."""

import numpy as np

from gradcheck import identity

from ._helpers import inv, pinv, solve, sumall, tensor_from_gradient_order

GILES = "Giles 2008 Sec. 3.1"
INV = {"X": "invertible"}


@identity(
    derivative=lambda X: tensor_from_gradient_order(-np.einsum("ki,jl->ijkl", inv(X), inv(X)), 2),
    variables={"X": ("n n", "invertible")},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (60)",
)
def dXinv_dX_4d(X):
    """d(X^-1)_kl/dX_ij = -(X^-1)_ki (X^-1)_jl"""
    return inv(X)


daTXinvb_dX = identity(
    "daTXinvb_dX",
    f="a @ inv(X) @ b",
    derivative="-inv(X).T @ outer(a, b) @ inv(X).T",
    variables={"a": "n", "X": ("n n", "invertible"), "b": "n"},
    wrt="X",
    source="Matrix Cookbook (61); Wikipedia scalar-by-matrix",
)


dtrAXinvB_dX_63 = identity(
    "dtrAXinvB_dX_63",
    f="trace(A @ inv(X) @ B)",
    derivative="-(inv(X) @ B @ A @ inv(X)).T",
    variables={"A": "p n", "X": ("n n", "invertible"), "B": "n p"},
    wrt="X",
    source="Matrix Cookbook (63)",
)


dtr_XplusA_inv_dX = identity(
    "dtr_XplusA_inv_dX",
    f="trace(inv(X + A))",
    derivative="-(inv(X + A) @ inv(X + A)).T",
    variables={"X": ("n n", "pd_nonsym"), "A": ("n n", "pd_nonsym")},
    wrt="X",
    source="Matrix Cookbook (64)",
)


dJ_dA_via_inverse_frob = identity(
    "dJ_dA_via_inverse_frob",
    f="sum(inv(A) ** 2)",
    derivative="-inv(A).T @ (2 * inv(A)) @ inv(A).T",
    variables={"A": ("n n", "invertible")},
    wrt="A",
    source="Matrix Cookbook (65) with J(W) = ||W||_F^2",
)


dJ_dA_via_inverse_trace = identity(
    "dJ_dA_via_inverse_trace",
    f="trace(C @ inv(A))",
    derivative="-inv(A).T @ C.T @ inv(A).T",
    variables={"A": ("n n", "invertible"), "C": "n n"},
    wrt="A",
    source="Matrix Cookbook (65) with J(W) = tr(CW)",
)


giles_inverse_reverse = identity(
    "giles_inverse_reverse",
    f="sum(G * inv(A))",
    derivative="-inv(A).T @ G @ inv(A).T",
    variables={"A": ("n n", "invertible"), "G": "n n"},
    wrt="A",
    source=f"{GILES} (inverse, reverse mode)",
)


PRODUCT = {"A": "n n", "B": "n m", "G": "n m"}


giles_inverse_product_dA = identity(
    "giles_inverse_product_dA",
    f="sum(G * solve(A, B))",
    derivative="-inv(A).T @ G @ solve(A, B).T",
    variables={"A": ("n n", "invertible"), "B": "n m", "G": "n m"},
    wrt="A",
    source=f"{GILES} (inverse product)",
)


@identity(
    derivative=lambda A, G: inv(A).T @ G,
    variables={"A": ("n n", "invertible"), "B": "n m", "G": "n m"},
    wrt="B",
    source=f"{GILES} (inverse product)",
)
def giles_inverse_product_dB(A, B, G):
    """C = A^-1 B: Bbar = A^-T Cbar"""
    return sumall(G * solve(A, np.asarray(B)))


QUADFORM = {"A": "n n", "B": "n m", "G": "m m"}


giles_quadform1_dA = identity(
    "giles_quadform1_dA",
    f="sum(G * (B.T @ A @ B))",
    derivative="B @ G @ B.T",
    variables={"A": "n n", "B": "n m", "G": "m m"},
    wrt="A",
    source=f"{GILES} (first quadratic form)",
)


giles_quadform1_dB = identity(
    "giles_quadform1_dB",
    f="sum(G * (B.T @ A @ B))",
    derivative="A @ B @ G.T + A.T @ B @ G",
    variables={"A": "n n", "B": "n m", "G": "m m"},
    wrt="B",
    source=f"{GILES} (first quadratic form)",
)


giles_quadform2_dA = identity(
    "giles_quadform2_dA",
    f="sum(G * (B.T @ inv(A) @ B))",
    derivative="-inv(A).T @ B @ G @ B.T @ inv(A).T",
    variables={"A": ("n n", "invertible"), "B": "n m", "G": "m m"},
    wrt="A",
    source=f"{GILES} (second quadratic form)",
)


giles_quadform2_dB = identity(
    "giles_quadform2_dB",
    f="sum(G * (B.T @ inv(A) @ B))",
    derivative="inv(A) @ B @ G.T + inv(A).T @ B @ G",
    variables={"A": ("n n", "invertible"), "B": "n m", "G": "m m"},
    wrt="B",
    source=f"{GILES} (second quadratic form)",
)


daTXinva_dX = identity(
    "daTXinva_dX",
    f="a @ inv(X) @ a",
    derivative="-inv(X).T @ outer(a, a) @ inv(X).T",
    variables={"a": "n", "X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (61) with b = a",
)


dmahalanobis_dS = identity(
    "dmahalanobis_dS",
    f="(x - mu) @ inv(S) @ (x - mu)",
    derivative="-inv(S).T @ outer(x - mu, x - mu) @ inv(S).T",
    variables={"x": "n", "mu": "n", "S": ("n n", "spd")},
    wrt="S",
    source="Matrix Cookbook (61) instance",
    note="entries of S unstructured",
)


def _dpinv(X, G):
    P = pinv(X)
    n = X.shape[0]
    return -P.T @ G @ P.T + (np.eye(n) - X @ P) @ G.T @ P @ P.T


@identity(
    derivative=_dpinv,
    variables={"X": "n m where n > m", "G": "m n"},
    wrt="X",
    source="Golub & Pereyra 1973 (derivative of the pseudo-inverse), full column rank",
)
def dpinv_tall_dX(X, G):
    """d sum(G o X^+)/dX = -X^+T G X^+T + (I - X X^+) G^T X^+ X^+T"""
    return sumall(G * pinv(X))
