"""Derivatives of determinants (Matrix Cookbook Sec. 2.1.1)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, det, expm, inv, logabsdet, mpow, pinv, solve

ident = partial(identity, family="determinant", vectorized=True)
WIKI_SM = "Wikipedia scalar-by-matrix"
INV = {"X": "invertible"}


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: det(X) * inv(X).T,
    latex=r"\frac{\partial |X|}{\partial X} = |X| X^{-T}",
    text="d det(X)/dX = det(X) X^-T (from d|X| = |X| tr(X^-1 dX))",
    source=f"Matrix Cookbook (49); {WIKI_SM}; Giles 2008 Sec. 3.1; project seed notes",
)
def ddetX_dX(X):
    return det(X)


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: solve(X, det(X) * np.eye(len(X))).T,
    text="sum_k d det(X)/dX_ik X_jk = delta_ij det(X), i.e. G X^T = det(X) I",
    source="Matrix Cookbook (47), (50)",
)
def ddetX_cofactor_rows(X):
    return det(X)


@ident(
    wrt="X",
    shapes={"A": "n n", "X": "n n", "B": "n n"},
    constraints={"A": "invertible", "X": "invertible", "B": "invertible"},
    derivative=lambda A, X, B: det(A @ X @ B) * inv(X).T,
    text="d det(AXB)/dX = det(AXB) X^-T",
    source=f"Matrix Cookbook (51); {WIKI_SM}",
)
def ddetAXB_dX(A, X, B):
    return det(A @ X @ B)


@ident(
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    constraints={"X": "invertible", "A": "invertible"},
    derivative=lambda X, A: 2 * det(X.T @ A @ X) * inv(X).T,
    text="d det(X^T A X)/dX = 2 det(X^T A X) X^-T (X square)",
    source="Matrix Cookbook (52)",
    note="X square and invertible; A need not be symmetric",
)
def ddet_XTAX_square_dX(X, A):
    return det(T(X) @ A @ X)


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n n"},
    constraints={"A": "spd"},
    conditions=("n > m",),
    derivative=lambda X, A: 2 * det(X.T @ A @ X) * A @ X @ inv(X.T @ A @ X),
    text="d det(X^T A X)/dX = 2 det(X^T A X) A X (X^T A X)^-1, A symmetric",
    source="Matrix Cookbook (53)",
    note="X tall, A symmetric",
)
def ddet_XTAX_symA_dX(X, A):
    return det(T(X) @ A @ X)


def _d54(X, A):
    return det(X.T @ A @ X) * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X))


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n n"},
    constraints={"A": "pd_nonsym"},
    conditions=("n > m",),
    derivative=_d54,
    text="d det(X^T A X)/dX = det(X^T A X)(A X (X^T A X)^-1 + A^T X (X^T A^T X)^-1)",
    source="Matrix Cookbook (54)",
    note="X tall, A non-symmetric",
)
def ddet_XTAX_general_dX(X, A):
    return det(T(X) @ A @ X)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    conditions=("n > m",),
    derivative=lambda X: 2 * pinv(X).T,
    text="d log det(X^T X)/dX = 2 (X^+)^T",
    source="Matrix Cookbook (55)",
    note="X full column rank",
)
def dlogdet_XTX_dX(X):
    return np.log(det(T(X) @ X))


@ident(
    wrt="Y",
    shapes={"Y": "m n"},
    conditions=("n > m",),
    derivative=lambda Y: -2 * pinv(Y).T,
    text="d log det(X^T X)/dX^+ = -2 X^T",
    source="Matrix Cookbook (56)",
    note="derivative w.r.t. Y = X^+ (wide, full row rank), with X = Y^+",
)
def dlogdet_XTX_dpinv(Y):
    P = pinv(Y)
    return np.log(det(T(P) @ P))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: inv(X).T,
    latex=r"\frac{\partial \ln|\det X|}{\partial X} = X^{-T}",
    text="d ln|det X|/dX = X^-T",
    source=f"Matrix Cookbook (57); {WIKI_SM}",
)
def dlogabsdet_dX(X):
    return logabsdet(X)


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: 3 * det(mpow(X, 3)) * inv(X).T,
    text="d det(X^k)/dX = k det(X^k) X^-T (k = 3)",
    source="Matrix Cookbook (58)",
)
def ddet_Xk_dX(X):
    return det(mpow(X, 3))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: -det(inv(X)) * inv(X).T,
    text="d det(X^-1)/dX = -det(X^-1) X^-T",
    source="Matrix Cookbook (62)",
)
def ddet_Xinv_dX(X):
    return det(inv(X))


@ident(
    wrt="X",
    shapes={"c": "", "X": "n n"},
    constraints={"c": "nonzero", "X": "invertible"},
    derivative=lambda c, X: inv(X).T,
    text="d ln|det(cX)|/dX = X^-T",
    source=WIKI_SM,
)
def dlogabsdet_aX_dX(c, X):
    return logabsdet(c * X)


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints={"X": "spd"},
    derivative=lambda X: inv(X),
    text="d log det(X)/dX = X^-1 (X spd, entries unstructured)",
    source=WIKI_SM,
    note="X^-T = X^-1 for symmetric X",
)
def dlogdet_spd_dX(X):
    return np.linalg.slogdet(X)[1]


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: 2 * det(X) ** 2 * inv(X).T,
    text="d det(X)^2/dX = 2 det(X)^2 X^-T",
    source="Matrix Cookbook (49) + chain rule",
)
def ddet_squared_dX(X):
    return det(X) ** 2


@ident(
    wrt="X",
    shapes={"X": "n m"},
    conditions=("n > m",),
    derivative=lambda X: np.sqrt(det(X.T @ X)) * pinv(X).T,
    text="d sqrt(det(X^T X))/dX = sqrt(det(X^T X)) (X^+)^T",
    source="Matrix Cookbook (55) + chain rule",
    note="volume of the parallelotope spanned by the columns",
)
def dsqrtdet_XTX_dX(X):
    return np.sqrt(det(T(X) @ X))


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n n"},
    constraints={"A": "spd"},
    conditions=("n > m",),
    derivative=lambda X, A: 2 * A @ X @ inv(X.T @ A @ X),
    text="d log det(X^T A X)/dX = 2 A X (X^T A X)^-1",
    source="Matrix Cookbook (53) / det",
)
def dlogdet_XTAX_dX(X, A):
    return np.log(det(T(X) @ A @ X))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * X @ inv(np.eye(X.shape[1]) + X.T @ X),
    text="d log det(I + X^T X)/dX = 2 X (I + X^T X)^-1",
    source="Matrix Cookbook (43) + (37)",
)
def dlogdet_I_plus_XTX_dX(X):
    return np.log(det(np.eye(X.shape[-1]) + T(X) @ X))


@ident(
    wrt="X",
    shapes={"A": "n n", "X": "n m", "B": "m m"},
    constraints={"A": "spd", "B": "spd"},
    derivative=lambda A, X, B: 2 * inv(A + X @ B @ X.T) @ X @ B,
    text="d log det(A + X B X^T)/dX = 2 (A + X B X^T)^-1 X B",
    source="Matrix Cookbook (43) + (37)",
    note="A, B symmetric",
)
def dlogdet_A_plus_XBXT_dX(A, X, B):
    return np.log(det(A + X @ B @ T(X)))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints=INV,
    derivative=lambda X: det(X) * inv(X).T,
    text="d prod(eig(X))/dX = det(X) X^-T",
    source="Matrix Cookbook (67)",
    note="product of eigenvalues = det",
)
def dprod_eig_dX(X):
    return np.prod(np.linalg.eigvals(X), axis=-1).real


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: np.eye(len(X)),
    text="d log det(exp(X))/dX = I",
    source="Jacobi's formula: det(e^X) = e^tr(X)",
)
def dlogdet_expm_dX(X):
    return np.log(det(expm(X)))
