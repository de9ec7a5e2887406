"""Structured matrices: symmetric (two conventions), diagonal, Toeplitz (Cookbook Sec. 2.8).

Finite differences perturb entries independently, so a function of a symmetric matrix is
written through a parametrisation: ``sym(S)`` gives the symmetric-part gradient, ``symlow(L)``
the Cookbook's derivative with respect to the independent lower-triangular entries
(``tril(G + G^T - G o I)``).
"""

import numpy as np

from gradcheck import identity

from ._helpers import T, det, inv, quad, symlow, symtoep, toep, tr

COOK = "Matrix Cookbook"
LOW = "Cookbook convention: derivative w.r.t. the independent lower-triangular entries"


@identity(
    derivative=lambda A: np.tril(A + A.T - A * np.eye(len(A))),
    variables={"A": "n n", "L": "n n"},
    wrt="L",
    source=f"{COOK} (140)",
    note=LOW,
)
def dtrAX_symmetric_structured(A, L):
    """d tr(AX)/dX = A + A^T - A o I for symmetric X (lower triangle)"""
    return tr(A @ symlow(L))


@identity(
    derivative=lambda L: np.tril(
        det(symlow(L)) * (2 * inv(symlow(L)) - inv(symlow(L)) * np.eye(len(L)))
    ),
    variables={"L": ("n n", "spd")},
    wrt="L",
    source=f"{COOK} (141)",
    note=LOW,
)
def ddetX_symmetric_structured(L):
    """d det(X)/dX = det(X) (2 X^-1 - X^-1 o I) for symmetric X"""
    return det(symlow(L))


@identity(
    derivative=lambda L: np.tril(2 * inv(symlow(L)) - inv(symlow(L)) * np.eye(len(L))),
    variables={"L": ("n n", "spd")},
    wrt="L",
    source=f"{COOK} (142)",
    note=LOW,
)
def dlogdetX_symmetric_structured(L):
    """d log det(X)/dX = 2 X^-1 - X^-1 o I for symmetric X"""
    return np.log(det(symlow(L)))


@identity(
    derivative=lambda a, b: np.tril(np.outer(a, b) + np.outer(b, a) - np.diag(a * b)),
    variables={"a": "n", "b": "n", "L": "n n"},
    wrt="L",
    source=f"{COOK} (139) applied to (71)",
    note=LOW,
)
def d_aTXb_symmetric_structured(a, b, L):
    """d(a^T X b)/dX = a b^T + b a^T - diag(a o b) for symmetric X"""
    return quad(a, symlow(L), b)


def _dgauss_low(X, mu, L):
    S = symlow(L)
    n, m = X.shape
    D = X - mu
    G = -0.5 * n * inv(S) + 0.5 * inv(S) @ D.T @ D @ inv(S)
    return np.tril(2 * G - G * np.eye(m))


@identity(
    derivative=_dgauss_low,
    variables={"X": "n m", "mu": "m", "L": ("m m", "spd")},
    wrt="L",
    source=f"{COOK} (139) + standard ML",
    note=LOW,
)
def d_gauss_loglik_symmetric_structured(X, mu, L):
    """Gaussian covariance gradient under the Cookbook symmetric convention: tril(2G - G o I)"""
    S = symlow(L)
    D = X - mu
    n = X.shape[-2]
    return -0.5 * n * np.log(det(S)) - 0.5 * tr(inv(S) @ T(D) @ D)


dlogdet_sympart_convention = identity(
    "dlogdet_sympart_convention",
    f="log(det(sym(S)))",
    derivative="inv(sym(S))",
    variables={"S": ("n n", "spd")},
    wrt="S",
    source="symmetric-part convention (gradient on the space of symmetric matrices)",
    note="f(S) = g((S + S^T)/2): gradient = sym(unstructured gradient); contrast with (142)",
)


dtrAX_sympart_convention = identity(
    "dtrAX_sympart_convention",
    f="trace(A @ sym(S))",
    derivative="sym(A)",
    variables={"A": "n n", "S": ("n n", "symmetric")},
    wrt="S",
    source="symmetric-part convention",
    note="contrast with (140): A + A^T - A o I",
)


@identity(
    derivative=lambda A: A * np.eye(len(A)),
    variables={"A": "n n", "X": "n n"},
    wrt="X",
    source=f"{COOK} (143)",
    note="X diagonal, realised as diag(diag(X))",
)
def dtrAX_diagonal_structured(A, X):
    """d tr(A diag(diag(X)))/dX = A o I"""
    return tr(A @ (X * np.eye(X.shape[-1])))


@identity(
    derivative=lambda A: np.diag(A).copy(),
    variables={"A": "n n", "d": "n"},
    wrt="d",
    source=f"{COOK} (143) (vector form)",
)
def dtrAdiag_d(A, d):
    """d tr(A diag(d))/dd = diag(A)"""
    return np.sum(np.diagonal(A) * d, axis=-1)


def _diagonal_sums(A):
    n = len(A)
    return np.array([np.trace(A, offset=k) for k in range(-(n - 1), n)])


@identity(
    derivative=lambda A: _diagonal_sums(A),
    variables={"A": "n n", "t": "2*n-1"},
    wrt="t",
    source=f"{COOK} (144), general rule (134), (135)",
    note="the Cookbook's alpha(A) lists these diagonal sums as a Toeplitz matrix",
)
def dtrAT_toeplitz(A, t):
    """d tr(A T)/dt_k = sum of the k-th diagonal of A, T[i,j] = t[i-j+n-1]"""
    return tr(A @ toep(t))


@identity(
    derivative=lambda A: _diagonal_sums(A),
    variables={"A": "n n", "t": "2*n-1"},
    wrt="t",
    source=f"{COOK} (144)",
)
def dtrTA_toeplitz(A, t):
    """d tr(T A)/dt_k = sum of the k-th diagonal of A"""
    return tr(toep(t) @ A)


def _sym_toeplitz_sums(A):
    n = len(A)
    return np.array(
        [np.trace(A)] + [np.trace(A, offset=k) + np.trace(A, offset=-k) for k in range(1, n)]
    )


@identity(
    derivative=lambda A: _sym_toeplitz_sums(A),
    variables={"A": "n n", "c": "n"},
    wrt="c",
    source=f"{COOK} (145)",
)
def dtrAT_symmetric_toeplitz(A, c):
    """d tr(A T)/dc_k for symmetric Toeplitz T[i,j] = c[|i-j|]"""
    return tr(A @ symtoep(c))
