"""Derivatives of traces (Matrix Cookbook Sec. 2.5)."""

import numpy as np

from gradcheck import identity

from ._helpers import T, cosm, inv, kron, logm, mpow, sinm, tr

WIKI_SM = "Wikipedia scalar-by-matrix"


dtr_F_expm_dX = identity(
    "dtr_F_expm_dX",
    f="trace(expm(X))",
    derivative="expm(X).T",
    variables={"X": "n n"},
    wrt="X",
    source=f"Matrix Cookbook (99) with F = exp; {WIKI_SM}",
)


@identity(
    derivative=lambda X: np.eye(len(X)),
    variables={"X": "n n"},
    wrt="X",
    source=f"Matrix Cookbook (100); {WIKI_SM}",
)
def dtrX_dX(X):
    """d tr(X)/dX = I"""
    return tr(X)


dtrXA_dX = identity(
    "dtrXA_dX",
    f="trace(X @ A)",
    derivative="A.T",
    variables={"X": "n m", "A": "m n"},
    wrt="X",
    source=f"Matrix Cookbook (101); {WIKI_SM}",
)


dtrAX_dX = identity(
    "dtrAX_dX",
    f="trace(A @ X)",
    derivative="A.T",
    variables={"A": "m n", "X": "n m"},
    wrt="X",
    source=WIKI_SM,
)


dtrAB_dA = identity(
    "dtrAB_dA",
    f="trace(A @ B)",
    derivative="B.T",
    variables={"A": "n m", "B": "m n"},
    wrt="A",
    source="project seed notes",
)


dtrAB_dB = identity(
    "dtrAB_dB",
    f="trace(A @ B)",
    derivative="A.T",
    variables={"A": "n m", "B": "m n"},
    wrt="B",
    source="project seed notes",
)


dtrAXB_dX = identity(
    "dtrAXB_dX",
    f="trace(A @ X @ B)",
    derivative="A.T @ B.T",
    variables={"A": "p n", "X": "n m", "B": "m p"},
    wrt="X",
    source=f"Matrix Cookbook (102); {WIKI_SM}",
)


dtrAXTB_dX = identity(
    "dtrAXTB_dX",
    f="trace(A @ X.T @ B)",
    derivative="B @ A",
    variables={"A": "p m", "X": "n m", "B": "n p"},
    wrt="X",
    source=f"Matrix Cookbook (103); {WIKI_SM}",
)


dtrXTA_dX = identity(
    "dtrXTA_dX",
    f="trace(X.T @ A)",
    derivative="A",
    variables={"X": "n m", "A": "n m"},
    wrt="X",
    source=f"Matrix Cookbook (104); {WIKI_SM}",
)


dtrAXT_dX = identity(
    "dtrAXT_dX",
    f="trace(A @ X.T)",
    derivative="A",
    variables={"A": "n m", "X": "n m"},
    wrt="X",
    source=f"Matrix Cookbook (105); {WIKI_SM}",
)


@identity(
    derivative=lambda A, X: np.trace(A) * np.eye(len(X)),
    variables={"A": "m m", "X": "n n"},
    wrt="X",
    source="Matrix Cookbook (106)",
)
def dtr_kron_AX_dX(A, X):
    """d tr(A kron X)/dX = tr(A) I"""
    return tr(kron(A, X))


dtrX2_dX = identity(
    "dtrX2_dX",
    f="trace(X @ X)",
    derivative="2 * X.T",
    variables={"X": "n n"},
    wrt="X",
    source=f"Matrix Cookbook (107); {WIKI_SM}",
)


dtrX2B_dX = identity(
    "dtrX2B_dX",
    f="trace(X @ X @ B)",
    derivative="(X @ B + B @ X).T",
    variables={"X": "n n", "B": "n n"},
    wrt="X",
    source="Matrix Cookbook (108)",
)


dtrXTBX_dX = identity(
    "dtrXTBX_dX",
    f="trace(X.T @ B @ X)",
    derivative="B @ X + B.T @ X",
    variables={"X": "n m", "B": "n n"},
    wrt="X",
    source=f"Matrix Cookbook (109); {WIKI_SM}",
)


dtrWTAW_dW = identity(
    "dtrWTAW_dW",
    f="trace(W.T @ A @ W)",
    derivative="(A + A.T) @ W",
    variables={"W": "n m", "A": "n n"},
    wrt="W",
    source="project seed notes",
)


dtrBXXT_dX = identity(
    "dtrBXXT_dX",
    f="trace(B @ X @ X.T)",
    derivative="B @ X + B.T @ X",
    variables={"X": "n m", "B": "n n"},
    wrt="X",
    source="Matrix Cookbook (110)",
)


dtrXXTB_dX = identity(
    "dtrXXTB_dX",
    f="trace(X @ X.T @ B)",
    derivative="B @ X + B.T @ X",
    variables={"X": "n m", "B": "n n"},
    wrt="X",
    source="Matrix Cookbook (111)",
)


dtrXBXT_dX = identity(
    "dtrXBXT_dX",
    f="trace(X @ B @ X.T)",
    derivative="X @ B.T + X @ B",
    variables={"X": "n m", "B": "m m"},
    wrt="X",
    source=f"Matrix Cookbook (112); {WIKI_SM}",
)


dtrBXTX_dX = identity(
    "dtrBXTX_dX",
    f="trace(B @ X.T @ X)",
    derivative="X @ B.T + X @ B",
    variables={"X": "n m", "B": "m m"},
    wrt="X",
    source="Matrix Cookbook (113)",
)


dtrXTXB_dX = identity(
    "dtrXTXB_dX",
    f="trace(X.T @ X @ B)",
    derivative="X @ B.T + X @ B",
    variables={"X": "n m", "B": "m m"},
    wrt="X",
    source="Matrix Cookbook (114)",
)


dtrAXBX_dX = identity(
    "dtrAXBX_dX",
    f="trace(A @ X @ B @ X)",
    derivative="A.T @ X.T @ B.T + B.T @ X.T @ A.T",
    variables={"A": "m n", "X": "n m", "B": "m n"},
    wrt="X",
    source="Matrix Cookbook (115)",
    note="the transcription drops the B: Tr(AXBX) is meant",
)


dtrXTX_dX = identity(
    "dtrXTX_dX",
    f="trace(X.T @ X)",
    derivative="2 * X",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (116)",
)


dtrXXT_dX = identity(
    "dtrXXT_dX",
    f="trace(X @ X.T)",
    derivative="2 * X",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (116)",
)


BXCXB = {"B": "m p", "X": "n m", "C": "n n"}


dtrBTXTCXB_dX = identity(
    "dtrBTXTCXB_dX",
    f="trace(B.T @ X.T @ C @ X @ B)",
    derivative="C.T @ X @ B @ B.T + C @ X @ B @ B.T",
    variables={"B": "m p", "X": "n m", "C": "n n"},
    wrt="X",
    source="Matrix Cookbook (117)",
)


dtrBTXTCXB_dX_seed = identity(
    "dtrBTXTCXB_dX_seed",
    f="trace(B.T @ X.T @ C @ X @ B)",
    derivative="(C + C.T) @ X @ B @ B.T",
    variables={"B": "m p", "X": "n m", "C": "n n"},
    wrt="X",
    source="project seed notes",
)


dtrXTBXC_dX = identity(
    "dtrXTBXC_dX",
    f="trace(X.T @ B @ X @ C)",
    derivative="B @ X @ C + B.T @ X @ C.T",
    variables={"X": "n m", "B": "n n", "C": "m m"},
    wrt="X",
    source="Matrix Cookbook (118)",
)


dtrAXBXTC_dX = identity(
    "dtrAXBXTC_dX",
    f="trace(A @ X @ B @ X.T @ C)",
    derivative="A.T @ C.T @ X @ B.T + C @ A @ X @ B",
    variables={"A": "p n", "X": "n m", "B": "m m", "C": "n p"},
    wrt="X",
    source=f"Matrix Cookbook (119); {WIKI_SM}",
)


@identity(
    derivative=lambda A, X, B, C: 2 * A.T @ (A @ X @ B + C) @ B.T,
    variables={"A": "p n", "X": "n m", "B": "m q", "C": "p q"},
    wrt="X",
    source="Matrix Cookbook (120)",
)
def dtr_AXBplusC_sq_dX(A, X, B, C):
    """d tr((AXB + C)(AXB + C)^T)/dX = 2 A^T (AXB + C) B^T"""
    R = A @ X @ B + C
    return tr(R @ T(R))


@identity(
    derivative=lambda X: 2 * np.trace(X) * np.eye(len(X)),
    variables={"X": "n n"},
    wrt="X",
    source="Matrix Cookbook (121)",
)
def dtr_kron_XX_dX(X):
    """d tr(X kron X)/dX = 2 tr(X) I"""
    return tr(kron(X, X))


dtrX3_dX = identity(
    "dtrX3_dX",
    f="trace(matrix_power(X, 3))",
    derivative="3 * matrix_power(X, 2).T",
    variables={"X": "n n"},
    wrt="X",
    source=f"Matrix Cookbook (122); {WIKI_SM}",
)


dtrX4_dX = identity(
    "dtrX4_dX",
    f="trace(matrix_power(X, 4))",
    derivative="4 * matrix_power(X, 3).T",
    variables={"X": "n n"},
    wrt="X",
    source="Matrix Cookbook (122)",
)


@identity(
    derivative=lambda A, X: sum((mpow(X, j) @ A @ mpow(X, 2 - j)).T for j in range(3)),
    variables={"A": "n n", "X": "n n"},
    wrt="X",
    source="Matrix Cookbook (123)",
)
def dtrAX3_dX(A, X):
    """d tr(A X^3)/dX = sum_j (X^j A X^(2-j))^T"""
    return tr(A @ mpow(X, 3))


def _d124(B, X, C):
    return (
        C @ X @ X.T @ C @ X @ B @ B.T
        + C.T @ X @ B @ B.T @ X.T @ C.T @ X
        + C @ X @ B @ B.T @ X.T @ C @ X
        + C.T @ X @ X.T @ C.T @ X @ B @ B.T
    )


@identity(
    derivative=_d124,
    variables={"B": "m p", "X": "n m", "C": "n n"},
    wrt="X",
    source="Matrix Cookbook (124)",
)
def dtr_BTXTCXXTCXB_dX(B, X, C):
    """d tr(B^T X^T C X X^T C X B)/dX = (four terms)"""
    return tr(T(B) @ T(X) @ C @ X @ T(X) @ C @ X @ B)


dtrAXinvB_dX = identity(
    "dtrAXinvB_dX",
    f="trace(A @ inv(X) @ B)",
    derivative="-inv(X).T @ A.T @ B.T @ inv(X).T",
    variables={"A": "p n", "X": ("n n", "invertible"), "B": "n p"},
    wrt="X",
    source=f"Matrix Cookbook (125); {WIKI_SM}",
)


def _d126(X, C, A):
    M = inv(X.T @ C @ X)
    return -(C @ X @ M) @ (A + A.T) @ M


@identity(
    derivative=_d126,
    variables={"X": "n m where n > m", "C": ("n n", "spd"), "A": "m m"},
    wrt="X",
    source="Matrix Cookbook (126)",
    note="C symmetric; A may be non-symmetric",
)
def dtr_XTCXinv_A_dX(X, C, A):
    """d tr((X^T C X)^-1 A)/dX = -C X M (A + A^T) M, M = (X^T C X)^-1"""
    return tr(inv(T(X) @ C @ X) @ A)


def _d127(X, C, B):
    M = inv(X.T @ C @ X)
    return -2 * C @ X @ M @ X.T @ B @ X @ M + 2 * B @ X @ M


@identity(
    derivative=_d127,
    variables={"X": "n m where n > m", "C": ("n n", "spd"), "B": ("n n", "symmetric")},
    wrt="X",
    source="Matrix Cookbook (127)",
    note="B, C symmetric",
)
def dtr_XTCXinv_XTBX_dX(X, C, B):
    """d tr((X^T C X)^-1 (X^T B X))/dX = -2 C X M X^T B X M + 2 B X M"""
    return tr(inv(T(X) @ C @ X) @ (T(X) @ B @ X))


def _d128(X, A, C, B):
    M = inv(A + X.T @ C @ X)
    return -2 * C @ X @ M @ X.T @ B @ X @ M + 2 * B @ X @ M


@identity(
    derivative=_d128,
    variables={"X": "n m", "A": ("m m", "spd"), "C": ("n n", "spd"), "B": ("n n", "symmetric")},
    wrt="X",
    source="Matrix Cookbook (128)",
    note="A, B, C symmetric: the Cookbook states only B, C symmetric, but A must be too",
)
def dtr_AplusXTCXinv_XTBX_dX(X, A, C, B):
    """d tr((A + X^T C X)^-1 (X^T B X))/dX = -2 C X M X^T B X M + 2 B X M"""
    return tr(inv(A + T(X) @ C @ X) @ (T(X) @ B @ X))


def _d128_general(X, A, C, B):
    M = inv(A + X.T @ C @ X)
    return -C @ X @ (M @ X.T @ B @ X @ M + M.T @ X.T @ B @ X @ M.T) + B @ X @ (M + M.T)


@identity(
    derivative=_d128_general,
    variables={
        "X": "n m",
        "A": ("m m", "pd_nonsym"),
        "C": ("n n", "spd"),
        "B": ("n n", "symmetric"),
    },
    wrt="X",
    source="Matrix Cookbook (128) generalised to non-symmetric A",
)
def dtr_AplusXTCXinv_XTBX_dX_general_A(X, A, C, B):
    """d tr((A + X^T C X)^-1 X^T B X)/dX = -C X (M X^T B X M + M^T X^T B X M^T) + B X (M + M^T)"""
    return tr(inv(A + T(X) @ C @ X) @ (T(X) @ B @ X))


@identity(
    derivative=lambda X: cosm(X).T,
    variables={"X": "n n"},
    wrt="X",
    source="Matrix Cookbook (129)",
)
def dtr_sinX_dX(X):
    """d tr(sin(X))/dX = cos(X)^T"""
    return tr(sinm(X))


dtr_Xinv_dX = identity(
    "dtr_Xinv_dX",
    f="trace(inv(X))",
    derivative="-matrix_power(inv(X), 2).T",
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source=WIKI_SM,
)


# Python, not a formula: the expression language's logm is not batched (a scipy call per
# point), _helpers.logm is (one eigen-decomposition for the whole stack).
@identity(
    derivative=lambda X: inv(X).T,
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source="Matrix Cookbook (99) with F = log",
    note="tr log X = log det X",
)
def dtr_logmX_dX(X):
    """d tr(log X)/dX = X^-T"""
    return tr(logm(X))


dtr_sqrtmX_dX = identity(
    "dtr_sqrtmX_dX",
    f="trace(sqrtm(X))",
    derivative="0.5 * inv(sqrtm(X)).T",
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source="Matrix Cookbook (99) with F = sqrt",
)


dtr_expm_AX_dX = identity(
    "dtr_expm_AX_dX",
    f="trace(expm(A @ X))",
    derivative="A.T @ expm(A @ X).T",
    variables={"A": "n m", "X": "m n"},
    wrt="X",
    source="Matrix Cookbook (99) + chain rule",
)


dtr_XAXTB_dX = identity(
    "dtr_XAXTB_dX",
    f="trace(X @ A @ X.T @ B)",
    derivative="B.T @ X @ A.T + B @ X @ A",
    variables={"X": "n m", "A": "m m", "B": "n n"},
    wrt="X",
    source="Matrix Cookbook (119) with A = I",
)
