"""Derivatives of eigenvalues, eigenvectors and singular values (Cookbook Sec. 2.3, Giles)."""

import numpy as np

from gradcheck import identity

from ._helpers import bm, dot, eig_F, eigh_fixed, eigsort, eigval, eigvec, inv, pinv, sumall, sym

GILES = "Giles 2008 Sec. 3.1"
SYMPART = "symmetric-part convention: f uses sym(A)"
DISTINCT = {"A": "distinct_eigs"}


@identity(
    derivative=lambda X: np.eye(len(X)),
    variables={"X": "n n"},
    wrt="X",
    source="Matrix Cookbook (66)",
)
def dsum_eig_dX(X):
    """d sum(eig(X))/dX = I"""
    return np.sum(np.linalg.eigvals(X), axis=-1).real


def _top_outer(A, i):
    v = eigvec(sym(A), i)
    return np.outer(v, v)


@identity(
    derivative=lambda A: _top_outer(A, -1),
    variables={"A": ("n n", "distinct_eigs")},
    wrt="A",
    source=f"Matrix Cookbook (68); {GILES}",
    note=SYMPART,
)
def dlambda_max_sym_dA(A):
    """d lambda_max(A)/dA = v v^T"""
    return np.linalg.eigvalsh(sym(A))[..., -1]


@identity(
    derivative=lambda A: _top_outer(A, 0),
    variables={"A": ("n n", "distinct_eigs")},
    wrt="A",
    source="Matrix Cookbook (68)",
    note=SYMPART,
)
def dlambda_min_sym_dA(A):
    """d lambda_min(A)/dA = v v^T"""
    return np.linalg.eigvalsh(sym(A))[..., 0]


@identity(
    derivative=lambda A: _top_outer(A, 1),
    variables={"A": ("n n where n >= 2", "distinct_eigs")},
    wrt="A",
    source="Matrix Cookbook (68)",
    note=SYMPART,
)
def dlambda_2_sym_dA(A):
    """d lambda_2(A)/dA = v_2 v_2^T (second smallest)"""
    return np.linalg.eigvalsh(sym(A))[..., 1]


def _top2(A):
    V = np.linalg.eigh(sym(A))[1][:, -2:]
    return V @ V.T


@identity(
    derivative=_top2,
    variables={"A": ("n n", "distinct_eigs")},
    wrt="A",
    source="Matrix Cookbook (68) summed",
    note=SYMPART,
)
def dsum_top2_eig_dA(A):
    """d(lambda_n + lambda_(n-1))/dA = V_2 V_2^T (Ky Fan)"""
    return np.sum(np.linalg.eigvalsh(sym(A))[..., -2:], axis=-1)


dsum_eig_sq_dA = identity(
    "dsum_eig_sq_dA",
    f="sum(eigvalsh(sym(A)) ** 2, axis=-1)",
    derivative="2 * sym(A)",
    variables={"A": ("n n", "distinct_eigs")},
    wrt="A",
    source="Matrix Cookbook (68) + chain rule",
    note="= ||sym(A)||_F^2",
)


def _deigvec_proj(c, A):
    S = sym(A)
    n = len(S)
    return sym(pinv(eigval(S, -1) * np.eye(n) - S) @ np.outer(c, eigvec(S, -1)))


@identity(
    derivative=_deigvec_proj,
    variables={"c": "n", "A": ("n n", "distinct_eigs")},
    wrt="A",
    source="Matrix Cookbook (69)",
    note="eigenvector sign fixed by <v, w> > 0, w_k = 1/(k + sqrt 2); " + SYMPART,
)
def deigvec_proj_dA(c, A):
    """dv = (lambda I - A)^+ dA v, contracted with c"""
    return dot(c, eigvec(sym(A), -1))


PATH = {"A": "n n", "B": "n n", "t": ""}
PATH_C = {"A": "distinct_eigs", "B": "symmetric", "t": "small"}


@identity(
    derivative=lambda A, B, t: (lambda V: np.einsum("ij,ik,kj->j", V, B, V))(
        np.linalg.eigh(A + t * B)[1]
    ),
    variables={"A": ("n n", "distinct_eigs"), "B": ("n n", "symmetric"), "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (68) (directional)",
)
def deigvals_dt(A, B, t):
    """d lambda_i/dt = v_i^T B v_i"""
    return np.linalg.eigvalsh(A + bm(t) * B)


def _deigvec_dt(A, B, t):
    # (lambda I - Y)^+ from the eigen-decomposition, its null direction dropped exactly:
    # pinv's cutoff can keep a rounding-level eigenvalue of lambda I - Y and invert it.
    Y = A + t * B
    d, V = eigh_fixed(Y)
    gaps = d[-1] - d[:-1]
    others = V[:, :-1]
    return others @ ((others.T @ B @ V[:, -1]) / gaps)


@identity(
    derivative=_deigvec_dt,
    variables={"A": ("n n", "distinct_eigs"), "B": ("n n", "symmetric"), "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (69) (directional)",
)
def deigvec_dt(A, B, t):
    """dv/dt = (lambda I - Y)^+ B v"""
    return eigvec(A + bm(t) * B, -1)


def _giles_sym(A, dbar, Ubar):
    d, V = eigh_fixed(sym(A))
    return sym(V @ (np.diag(dbar) + eig_F(d) * (V.T @ Ubar)) @ V.T)


@identity(
    derivative=_giles_sym,
    variables={"A": ("n n", "distinct_eigs"), "dbar": "n", "Ubar": "n n"},
    wrt="A",
    source=f"{GILES} (eigenvalues and eigenvectors, reverse mode, symmetric case)",
)
def giles_sym_eig_reverse(A, dbar, Ubar):
    """Abar = U (Dbar + F o (U^T Ubar)) U^T, then the symmetric part"""
    S = sym(A)
    return dot(dbar, np.linalg.eigvalsh(S)) + sumall(Ubar * eigh_fixed(S)[1])


def _giles_nonsym(A):
    V = eigsort(A)[1]
    return np.outer(inv(V).T[:, -1], V[:, -1])


@identity(
    derivative=_giles_nonsym,
    variables={"A": ("n n", "real_eigs")},
    wrt="A",
    source=f"{GILES} (eigenvalues, general A = U D U^-1)",
    note="reduces to v v^T only for symmetric A",
)
def giles_nonsym_eigval_dA(A):
    """d lambda_i/dA = (U^-T)_i (U)_i^T (left times right eigenvector)"""
    return eigsort(A)[0][..., -1]


def _svd(X):
    return np.linalg.svd(X, full_matrices=False)


@identity(
    derivative=lambda X: (lambda U, s, Vt: np.outer(U[:, 0], Vt[0]))(*_svd(X)),
    variables={"X": ("n m", "distinct_sv")},
    wrt="X",
    source=f"{GILES} (SVD): d sigma_i = u_i^T dX v_i",
)
def dsigma_max_dX(X):
    """d sigma_1/dX = u_1 v_1^T"""
    return np.linalg.svd(X, compute_uv=False)[..., 0]


@identity(
    derivative=lambda X: (lambda U, s, Vt: np.outer(U[:, -1], Vt[-1]))(*_svd(X)),
    variables={"X": ("n m", "distinct_sv")},
    wrt="X",
    source=f"{GILES} (SVD)",
)
def dsigma_min_dX(X):
    """d sigma_min/dX = u_k v_k^T"""
    return np.linalg.svd(X, compute_uv=False)[..., -1]


@identity(
    derivative=lambda X: pinv(X).T,
    variables={"X": ("n m where n > m", "distinct_sv")},
    wrt="X",
    source="SVD; = (1/2) log det(X^T X), cf. Matrix Cookbook (55)",
)
def dsum_log_sv_dX(X):
    """d sum(log(sigma_i))/dX = (X^+)^T"""
    return np.sum(np.log(np.linalg.svd(X, compute_uv=False)), axis=-1)


@identity(
    derivative=lambda A, B, t: (lambda U, s, Vt: np.einsum("ik,ij,kj->k", U, B, Vt))(
        *_svd(A + t * B)
    ),
    variables={"A": ("n m", "distinct_sv"), "B": "n m", "t": ("", "small")},
    wrt="t",
    source=f"{GILES} (SVD, forward mode)",
)
def dsvals_dt(A, B, t):
    """d sigma/dt = diag(U^T B V)"""
    return np.linalg.svd(A + bm(t) * B, compute_uv=False)
