"""Batch-polymorphic building blocks for writing identities.

Every helper treats the last axis (vectors) or the last two axes (matrices) as the object and
any leading axes as a batch, so an identity written with them evaluates a whole stack of
perturbed points in one call. Names follow the reference's conventions.
"""

from __future__ import annotations

import numpy as np


class _LazyLinalg:
    """scipy.linalg, imported when a helper first calls it (``gradcheck list`` and
    ``gradcheck --help`` load the catalogue but call no matrix function)."""

    def __getattr__(self, name: str):
        import scipy.linalg

        return getattr(scipy.linalg, name)


_linalg = _LazyLinalg()

__all__ = [
    "Phi",
    "T",
    "bm",
    "bv",
    "chol",
    "cosm",
    "det",
    "dot",
    "eig_F",
    "eigh_fixed",
    "eigsort",
    "eigval",
    "eigvec",
    "expm",
    "fro",
    "inv",
    "kron",
    "log_softmax",
    "logabsdet",
    "logm",
    "logsumexp",
    "mpow",
    "mv",
    "norm",
    "outer",
    "pinv",
    "quad",
    "sigmoid",
    "sinm",
    "softmax",
    "solve",
    "solve_sylvester",
    "sqrtm",
    "sumall",
    "sym",
    "symlow",
    "symtoep",
    "tensor_from_gradient_order",
    "toep",
    "tr",
    "vm",
]

inv = np.linalg.inv
det = np.linalg.det
pinv = np.linalg.pinv
mpow = np.linalg.matrix_power
chol = np.linalg.cholesky


def T(M):
    """Transpose of the last two axes."""
    return np.swapaxes(M, -1, -2)


def tr(M):
    """Trace over the last two axes."""
    return np.trace(M, axis1=-2, axis2=-1)


def bm(t):
    """A scalar (or a batch of scalars) shaped to broadcast against matrices."""
    return np.asarray(t)[..., None, None]


def bv(t):
    """A scalar (or a batch of scalars) shaped to broadcast against vectors."""
    return np.asarray(t)[..., None]


def mv(A, x):
    """Matrix times vector, ``A @ x``, batched over either."""
    return (A @ np.asarray(x)[..., None])[..., 0]


def vm(x, A):
    """Row vector times matrix, ``x^T A``."""
    return (np.asarray(x)[..., None, :] @ A)[..., 0, :]


def dot(a, b):
    """Inner product over the last axis."""
    return np.sum(a * b, axis=-1)


def quad(a, M, b):
    """``a^T M b``."""
    return dot(a, mv(M, b))


def outer(a, b):
    """``a b^T``."""
    return np.asarray(a)[..., :, None] * np.asarray(b)[..., None, :]


def norm(x, ord=None):
    """Vector norm over the last axis."""
    return np.linalg.norm(x, ord=ord, axis=-1)


def fro(X):
    """Frobenius norm over the last two axes."""
    return np.sqrt(np.sum(X * X, axis=(-2, -1)))


def sumall(X):
    """Sum over the last two axes."""
    return np.sum(X, axis=(-2, -1))


def sym(X):
    """Symmetric part ``(X + X^T) / 2``."""
    return (X + T(X)) / 2


def solve(A, b):
    """``A^{-1} b`` for a vector or matrix right-hand side (``b.ndim`` tells which, unbatched)."""
    b = np.asarray(b)
    if b.ndim == 1:
        return np.linalg.solve(A, b[..., None])[..., 0]
    return np.linalg.solve(A, b)


def logabsdet(X):
    """``log |det X|``."""
    return np.linalg.slogdet(X)[1]


def kron(A, B):
    """Kronecker product of the last two axes."""
    A, B = np.asarray(A), np.asarray(B)
    p, q = A.shape[-2:]
    r, s = B.shape[-2:]
    out = A[..., :, None, :, None] * B[..., None, :, None, :]
    return out.reshape((*out.shape[:-4], p * r, q * s))


def _over_batch(fn, X):
    X = np.asarray(X)
    if X.ndim == 2:
        return fn(X)
    flat = X.reshape(-1, *X.shape[-2:])
    out = np.stack([fn(m) for m in flat])
    return out.reshape((*X.shape[:-2], *out.shape[1:]))


def expm(X):
    return _linalg.expm(X)


#: Largest condition number of the eigenvector matrix for which :func:`logm` uses the
#: eigen-decomposition: its rounding error is about that many units in the last place.
_EIG_COND = 1e3


def logm(X):
    """Principal matrix logarithm of each matrix of a stack.

    For a matrix diagonalisable with well-conditioned eigenvectors and no eigenvalue on the
    closed negative real axis (the drawn ``pd_nonsym`` and ``spd`` matrices and their small
    perturbations), ``log X = V diag(log w) V^-1`` from one batched eigen-decomposition;
    any other matrix of the stack (close or repeated eigenvalues, such as a 2 x 2 block
    matrix ``[[Y, B], [0, Y]]``) goes to scipy.linalg.logm.
    """
    X = np.asarray(X, dtype=float)
    if X.shape[-1] == 0:
        return X.copy()
    w, V = np.linalg.eig(X)
    on_cut = (w.real <= 0) & (np.abs(w.imag) <= 1e-12 * np.abs(w))
    good = ~np.any(on_cut, axis=-1) & (np.linalg.cond(V) < _EIG_COND)
    out = np.empty_like(X)
    if np.any(good):
        Vg = V[good]
        L = (Vg * np.log(w[good])[..., None, :]) @ np.linalg.inv(Vg)
        out[good] = L.real
    bad = ~good
    if np.any(bad):
        out[bad] = _over_batch(lambda m: np.real(_linalg.logm(m)), X[bad])
    return out


def sqrtm(X):
    return _over_batch(lambda m: np.real(_linalg.sqrtm(m)), X)


def sinm(X):
    return _over_batch(_linalg.sinm, X)


def cosm(X):
    return _over_batch(_linalg.cosm, X)


def solve_sylvester(A, B, Q):
    return _linalg.solve_sylvester(A, B, Q)


def symlow(L):
    """The symmetric matrix whose lower triangle is that of ``L``."""
    low = np.tril(L)
    return low + T(np.tril(L, -1))


def toep(t):
    """Toeplitz matrix ``T[i, j] = t[i - j + n - 1]`` from ``t`` of length ``2n - 1``."""
    t = np.asarray(t)
    n = (t.shape[-1] + 1) // 2
    i, j = np.indices((n, n))
    return t[..., i - j + n - 1]


def symtoep(c):
    """Symmetric Toeplitz matrix ``T[i, j] = c[|i - j|]``."""
    c = np.asarray(c)
    n = c.shape[-1]
    i, j = np.indices((n, n))
    return c[..., np.abs(i - j)]


def Phi(M):
    """Lower triangle with halved diagonal."""
    return np.tril(M) - 0.5 * (M * np.eye(M.shape[-1]))


def softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    z = np.asarray(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def logsumexp(z, axis=-1):
    z = np.asarray(z)
    zmax = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(zmax, axis) + np.log(np.sum(np.exp(z - zmax), axis=axis))


def sigmoid(x):
    x = np.asarray(x)
    return np.exp(-np.logaddexp(0.0, -x))


#: The sign of an eigenvector is fixed by ``<v, w> > 0`` for ``w_k = 1 / (k + sqrt 2)``: a
#: sign convention is discontinuous where ``<v, w> = 0``, and this w is orthogonal to none of
#: the simple eigenvectors (basis vectors, ``(1, +-1)/sqrt 2``) of the matrices random and
#: shrunk draws produce (``v[0] > 0`` flips at every diagonal matrix).
def _sign_reference(n: int) -> np.ndarray:
    return 1.0 / (np.arange(n) + np.sqrt(2.0))


def eigh_fixed(S):
    """Eigen-decomposition of a symmetric matrix, ascending, each eigenvector with
    ``<v, w> > 0`` (see :func:`_sign_reference`)."""
    d, V = np.linalg.eigh(S)
    side = np.einsum("...ij,i->...j", V, _sign_reference(V.shape[-1]))
    return d, V * np.where(side < 0, -1.0, 1.0)[..., None, :]


def eigval(S, i):
    return np.linalg.eigvalsh(S)[..., i]


def eigvec(S, i):
    return eigh_fixed(S)[1][..., :, i]


def eig_F(d):
    """``F[i, j] = 1 / (d_j - d_i)`` off the diagonal, 0 on it."""
    diff = d[None, :] - d[:, None]
    with np.errstate(divide="ignore"):
        return np.where(np.eye(len(d), dtype=bool), 0.0, 1.0 / np.where(diff == 0, 1, diff))


def eigsort(A):
    """Real eigen-decomposition (real eigenvalues assumed), ascending: ``(w, V)``."""
    w, V = np.linalg.eig(A)
    order = np.argsort(w.real, axis=-1)
    w = np.take_along_axis(w.real, order, axis=-1)
    V = np.take_along_axis(V.real, order[..., None, :], axis=-1)
    return w, V


def tensor_from_gradient_order(D, x_ndim):
    """Move the variable's axes (first `x_ndim`) to the end: ``X.shape + F.shape`` (the
    reference's generalised denominator layout) becomes ``F.shape + X.shape`` (tensor)."""
    D = np.asarray(D)
    return np.moveaxis(D, list(range(x_ndim)), list(range(D.ndim - x_ndim, D.ndim)))
