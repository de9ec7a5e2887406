"""Structured matrices: symmetric (two conventions), diagonal, Toeplitz (Cookbook Sec. 2.8).

Finite differences perturb entries independently, so a function of a symmetric matrix is
written through a parametrisation: ``sym(S)`` gives the symmetric-part gradient, ``symlow(L)``
the Cookbook's derivative with respect to the independent lower-triangular entries
(``tril(G + G^T - G o I)``).
"""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, det, inv, quad, sym, symlow, symtoep, toep, tr

ident = partial(identity, family="structured", vectorized=True)
COOK = "Matrix Cookbook"
LOW = "Cookbook convention: derivative w.r.t. the independent lower-triangular entries"


@ident(
    wrt="L",
    shapes={"A": "n n", "L": "n n"},
    derivative=lambda A, L: np.tril(A + A.T - A * np.eye(len(A))),
    text="d tr(AX)/dX = A + A^T - A o I for symmetric X (lower triangle)",
    source=f"{COOK} (140)",
    note=LOW,
)
def dtrAX_symmetric_structured(A, L):
    return tr(A @ symlow(L))


@ident(
    wrt="L",
    shapes={"L": "n n"},
    constraints={"L": "spd"},
    derivative=lambda L: np.tril(
        det(symlow(L)) * (2 * inv(symlow(L)) - inv(symlow(L)) * np.eye(len(L)))
    ),
    text="d det(X)/dX = det(X) (2 X^-1 - X^-1 o I) for symmetric X",
    source=f"{COOK} (141)",
    note=LOW,
)
def ddetX_symmetric_structured(L):
    return det(symlow(L))


@ident(
    wrt="L",
    shapes={"L": "n n"},
    constraints={"L": "spd"},
    derivative=lambda L: np.tril(2 * inv(symlow(L)) - inv(symlow(L)) * np.eye(len(L))),
    text="d log det(X)/dX = 2 X^-1 - X^-1 o I for symmetric X",
    source=f"{COOK} (142)",
    note=LOW,
)
def dlogdetX_symmetric_structured(L):
    return np.log(det(symlow(L)))


@ident(
    wrt="L",
    shapes={"a": "n", "b": "n", "L": "n n"},
    derivative=lambda a, b, L: np.tril(np.outer(a, b) + np.outer(b, a) - np.diag(a * b)),
    text="d(a^T X b)/dX = a b^T + b a^T - diag(a o b) for symmetric X",
    source=f"{COOK} (139) applied to (71)",
    note=LOW,
)
def d_aTXb_symmetric_structured(a, b, L):
    return quad(a, symlow(L), b)


def _dgauss_low(X, mu, L):
    S = symlow(L)
    n, m = X.shape
    D = X - mu
    G = -0.5 * n * inv(S) + 0.5 * inv(S) @ D.T @ D @ inv(S)
    return np.tril(2 * G - G * np.eye(m))


@ident(
    wrt="L",
    shapes={"X": "n m", "mu": "m", "L": "m m"},
    constraints={"L": "spd"},
    derivative=_dgauss_low,
    text="Gaussian covariance gradient under the Cookbook symmetric convention: tril(2G - G o I)",
    source=f"{COOK} (139) + standard ML",
    note=LOW,
)
def d_gauss_loglik_symmetric_structured(X, mu, L):
    S = symlow(L)
    D = X - mu
    n = X.shape[-2]
    return -0.5 * n * np.log(det(S)) - 0.5 * tr(inv(S) @ T(D) @ D)


@ident(
    wrt="S",
    shapes={"S": "n n"},
    constraints={"S": "spd"},
    derivative=lambda S: inv(sym(S)),
    text="d log det(sym(S))/dS = sym(S)^-1 (symmetric-part convention)",
    source="symmetric-part convention (gradient on the space of symmetric matrices)",
    note="f(S) = g((S + S^T)/2): gradient = sym(unstructured gradient); contrast with (142)",
)
def dlogdet_sympart_convention(S):
    return np.log(det(sym(S)))


@ident(
    wrt="S",
    shapes={"A": "n n", "S": "n n"},
    constraints={"S": "symmetric"},
    derivative=lambda A, S: sym(A),
    text="d tr(A sym(S))/dS = sym(A)",
    source="symmetric-part convention",
    note="contrast with (140): A + A^T - A o I",
)
def dtrAX_sympart_convention(A, S):
    return tr(A @ sym(S))


@ident(
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    derivative=lambda A, X: A * np.eye(len(A)),
    text="d tr(A diag(diag(X)))/dX = A o I",
    source=f"{COOK} (143)",
    note="X diagonal, realised as diag(diag(X))",
)
def dtrAX_diagonal_structured(A, X):
    return tr(A @ (X * np.eye(X.shape[-1])))


@ident(
    wrt="d",
    shapes={"A": "n n", "d": "n"},
    derivative=lambda A, d: np.diag(A).copy(),
    text="d tr(A diag(d))/dd = diag(A)",
    source=f"{COOK} (143) (vector form)",
)
def dtrAdiag_d(A, d):
    return np.sum(np.diagonal(A) * d, axis=-1)


def _diagonal_sums(A):
    n = len(A)
    return np.array([np.trace(A, offset=k) for k in range(-(n - 1), n)])


@ident(
    wrt="t",
    shapes={"A": "n n", "t": "2*n-1"},
    derivative=lambda A, t: _diagonal_sums(A),
    text="d tr(A T)/dt_k = sum of the k-th diagonal of A, T[i,j] = t[i-j+n-1]",
    source=f"{COOK} (144), general rule (134), (135)",
    note="the Cookbook's alpha(A) lists these diagonal sums as a Toeplitz matrix",
)
def dtrAT_toeplitz(A, t):
    return tr(A @ toep(t))


@ident(
    wrt="t",
    shapes={"A": "n n", "t": "2*n-1"},
    derivative=lambda A, t: _diagonal_sums(A),
    text="d tr(T A)/dt_k = sum of the k-th diagonal of A",
    source=f"{COOK} (144)",
)
def dtrTA_toeplitz(A, t):
    return tr(toep(t) @ A)


def _sym_toeplitz_sums(A):
    n = len(A)
    return np.array(
        [np.trace(A)] + [np.trace(A, offset=k) + np.trace(A, offset=-k) for k in range(1, n)]
    )


@ident(
    wrt="c",
    shapes={"A": "n n", "c": "n"},
    derivative=lambda A, c: _sym_toeplitz_sums(A),
    text="d tr(A T)/dc_k for symmetric Toeplitz T[i,j] = c[|i-j|]",
    source=f"{COOK} (145)",
)
def dtrAT_symmetric_toeplitz(A, c):
    return tr(A @ symtoep(c))
