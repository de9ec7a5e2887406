"""Derivatives of determinants (Matrix Cookbook Sec. 2.1.1)."""

import numpy as np

from gradcheck import identity

from ._helpers import T, det, expm, inv, pinv, solve

WIKI_SM = "Wikipedia scalar-by-matrix"
INV = {"X": "invertible"}


ddetX_dX = identity(
    "ddetX_dX",
    f="det(X)",
    derivative="det(X) * inv(X).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source=f"Matrix Cookbook (49); {WIKI_SM}; Giles 2008 Sec. 3.1; project seed notes",
)


@identity(
    derivative=lambda X: solve(X, det(X) * np.eye(len(X))).T,
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (47), (50)",
)
def ddetX_cofactor_rows(X):
    """sum_k d det(X)/dX_ik X_jk = delta_ij det(X), i.e. G X^T = det(X) I"""
    return det(X)


ddetAXB_dX = identity(
    "ddetAXB_dX",
    f="det(A @ X @ B)",
    derivative="det(A @ X @ B) * inv(X).T",
    variables={"A": ("n n", "invertible"), "X": ("n n", "invertible"), "B": ("n n", "invertible")},
    wrt="X",
    source=f"Matrix Cookbook (51); {WIKI_SM}",
)


ddet_XTAX_square_dX = identity(
    "ddet_XTAX_square_dX",
    f="det(X.T @ A @ X)",
    derivative="2 * det(X.T @ A @ X) * inv(X).T",
    variables={"X": ("n n", "invertible"), "A": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (52)",
    note="X square and invertible; A need not be symmetric",
)


ddet_XTAX_symA_dX = identity(
    "ddet_XTAX_symA_dX",
    f="det(X.T @ A @ X)",
    derivative="2 * det(X.T @ A @ X) * A @ X @ inv(X.T @ A @ X)",
    variables={"X": "n m where n > m", "A": ("n n", "spd")},
    wrt="X",
    source="Matrix Cookbook (53)",
    note="X tall, A symmetric",
)


def _d54(X, A):
    return det(X.T @ A @ X) * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X))


@identity(
    derivative=_d54,
    variables={"X": "n m where n > m", "A": ("n n", "pd_nonsym")},
    wrt="X",
    source="Matrix Cookbook (54)",
    note="X tall, A non-symmetric",
)
def ddet_XTAX_general_dX(X, A):
    """d det(X^T A X)/dX = det(X^T A X)(A X (X^T A X)^-1 + A^T X (X^T A^T X)^-1)"""
    return det(T(X) @ A @ X)


dlogdet_XTX_dX = identity(
    "dlogdet_XTX_dX",
    f="log(det(X.T @ X))",
    derivative="2 * pinv(X).T",
    variables={"X": "n m where n > m"},
    wrt="X",
    source="Matrix Cookbook (55)",
    note="X full column rank",
)


@identity(
    derivative=lambda Y: -2 * pinv(Y).T,
    variables={"Y": "m n where n > m"},
    wrt="Y",
    source="Matrix Cookbook (56)",
    note="derivative w.r.t. Y = X^+ (wide, full row rank), with X = Y^+",
)
def dlogdet_XTX_dpinv(Y):
    """d log det(X^T X)/dX^+ = -2 X^T"""
    P = pinv(Y)
    return np.log(det(T(P) @ P))


dlogabsdet_dX = identity(
    "dlogabsdet_dX",
    f="slogdet(X)[1]",
    derivative="inv(X).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source=f"Matrix Cookbook (57); {WIKI_SM}",
)


ddet_Xk_dX = identity(
    "ddet_Xk_dX",
    f="det(matrix_power(X, 3))",
    derivative="3 * det(matrix_power(X, 3)) * inv(X).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (58)",
)


ddet_Xinv_dX = identity(
    "ddet_Xinv_dX",
    f="det(inv(X))",
    derivative="-det(inv(X)) * inv(X).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (62)",
)


dlogabsdet_aX_dX = identity(
    "dlogabsdet_aX_dX",
    f="slogdet(c * X)[1]",
    derivative="inv(X).T",
    variables={"c": ("", "nonzero"), "X": ("n n", "invertible")},
    wrt="X",
    source=WIKI_SM,
)


dlogdet_spd_dX = identity(
    "dlogdet_spd_dX",
    f="slogdet(X)[1]",
    derivative="inv(X)",
    variables={"X": ("n n", "spd")},
    wrt="X",
    source=WIKI_SM,
    note="X^-T = X^-1 for symmetric X",
)


ddet_squared_dX = identity(
    "ddet_squared_dX",
    f="det(X) ** 2",
    derivative="2 * det(X) ** 2 * inv(X).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (49) + chain rule",
)


dsqrtdet_XTX_dX = identity(
    "dsqrtdet_XTX_dX",
    f="sqrt(det(X.T @ X))",
    derivative="sqrt(det(X.T @ X)) * pinv(X).T",
    variables={"X": "n m where n > m"},
    wrt="X",
    source="Matrix Cookbook (55) + chain rule",
    note="volume of the parallelotope spanned by the columns",
)


dlogdet_XTAX_dX = identity(
    "dlogdet_XTAX_dX",
    f="log(det(X.T @ A @ X))",
    derivative="2 * A @ X @ inv(X.T @ A @ X)",
    variables={"X": "n m where n > m", "A": ("n n", "spd")},
    wrt="X",
    source="Matrix Cookbook (53) / det",
)


@identity(
    derivative=lambda X: 2 * X @ inv(np.eye(X.shape[1]) + X.T @ X),
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (43) + (37)",
)
def dlogdet_I_plus_XTX_dX(X):
    """d log det(I + X^T X)/dX = 2 X (I + X^T X)^-1"""
    return np.log(det(np.eye(X.shape[-1]) + T(X) @ X))


dlogdet_A_plus_XBXT_dX = identity(
    "dlogdet_A_plus_XBXT_dX",
    f="log(det(A + X @ B @ X.T))",
    derivative="2 * inv(A + X @ B @ X.T) @ X @ B",
    variables={"A": ("n n", "spd"), "X": "n m", "B": ("m m", "spd")},
    wrt="X",
    source="Matrix Cookbook (43) + (37)",
    note="A, B symmetric",
)


@identity(
    derivative=lambda X: det(X) * inv(X).T,
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source="Matrix Cookbook (67)",
    note="product of eigenvalues = det",
)
def dprod_eig_dX(X):
    """d prod(eig(X))/dX = det(X) X^-T"""
    return np.prod(np.linalg.eigvals(X), axis=-1).real


@identity(
    derivative=lambda X: np.eye(len(X)),
    variables={"X": "n n"},
    wrt="X",
    source="Jacobi's formula: det(e^X) = e^tr(X)",
)
def dlogdet_expm_dX(X):
    """d log det(exp(X))/dX = I"""
    return np.log(det(expm(X)))
