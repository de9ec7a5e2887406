"""Derivatives of traces (Matrix Cookbook Sec. 2.5)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, cosm, expm, inv, kron, logm, mpow, sinm, sqrtm, tr

ident = partial(identity, family="trace", vectorized=True)
WIKI_SM = "Wikipedia scalar-by-matrix"


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: expm(X).T,
    text="d tr(exp(X))/dX = exp(X)^T",
    source=f"Matrix Cookbook (99) with F = exp; {WIKI_SM}",
)
def dtr_F_expm_dX(X):
    return tr(expm(X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: np.eye(len(X)),
    text="d tr(X)/dX = I",
    source=f"Matrix Cookbook (100); {WIKI_SM}",
)
def dtrX_dX(X):
    return tr(X)


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m n"},
    derivative=lambda X, A: A.T,
    text="d tr(XA)/dX = A^T",
    source=f"Matrix Cookbook (101); {WIKI_SM}",
)
def dtrXA_dX(X, A):
    return tr(X @ A)


@ident(
    wrt="X",
    shapes={"A": "m n", "X": "n m"},
    derivative=lambda A, X: A.T,
    text="d tr(AX)/dX = A^T",
    source=WIKI_SM,
)
def dtrAX_dX(A, X):
    return tr(A @ X)


@ident(
    wrt="A",
    shapes={"A": "n m", "B": "m n"},
    derivative=lambda A, B: B.T,
    latex=r"\frac{\partial \operatorname{tr}(AB)}{\partial A} = B^T",
    text="d tr(AB)/dA = B^T",
    source="project seed notes",
)
def dtrAB_dA(A, B):
    return tr(A @ B)


@ident(
    wrt="B",
    shapes={"A": "n m", "B": "m n"},
    derivative=lambda A, B: A.T,
    text="d tr(AB)/dB = A^T",
    source="project seed notes",
)
def dtrAB_dB(A, B):
    return tr(A @ B)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "m p"},
    derivative=lambda A, X, B: A.T @ B.T,
    text="d tr(AXB)/dX = A^T B^T",
    source=f"Matrix Cookbook (102); {WIKI_SM}",
)
def dtrAXB_dX(A, X, B):
    return tr(A @ X @ B)


@ident(
    wrt="X",
    shapes={"A": "p m", "X": "n m", "B": "n p"},
    derivative=lambda A, X, B: B @ A,
    text="d tr(A X^T B)/dX = B A",
    source=f"Matrix Cookbook (103); {WIKI_SM}",
)
def dtrAXTB_dX(A, X, B):
    return tr(A @ T(X) @ B)


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n m"},
    derivative=lambda X, A: A,
    text="d tr(X^T A)/dX = A",
    source=f"Matrix Cookbook (104); {WIKI_SM}",
)
def dtrXTA_dX(X, A):
    return tr(T(X) @ A)


@ident(
    wrt="X",
    shapes={"A": "n m", "X": "n m"},
    derivative=lambda A, X: A,
    text="d tr(A X^T)/dX = A",
    source=f"Matrix Cookbook (105); {WIKI_SM}",
)
def dtrAXT_dX(A, X):
    return tr(A @ T(X))


@ident(
    wrt="X",
    shapes={"A": "m m", "X": "n n"},
    derivative=lambda A, X: np.trace(A) * np.eye(len(X)),
    text="d tr(A kron X)/dX = tr(A) I",
    source="Matrix Cookbook (106)",
)
def dtr_kron_AX_dX(A, X):
    return tr(kron(A, X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: 2 * X.T,
    text="d tr(X^2)/dX = 2 X^T",
    source=f"Matrix Cookbook (107); {WIKI_SM}",
)
def dtrX2_dX(X):
    return tr(X @ X)


@ident(
    wrt="X",
    shapes={"X": "n n", "B": "n n"},
    derivative=lambda X, B: (X @ B + B @ X).T,
    text="d tr(X^2 B)/dX = (XB + BX)^T",
    source="Matrix Cookbook (108)",
)
def dtrX2B_dX(X, B):
    return tr(X @ X @ B)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "n n"},
    derivative=lambda X, B: B @ X + B.T @ X,
    text="d tr(X^T B X)/dX = B X + B^T X",
    source=f"Matrix Cookbook (109); {WIKI_SM}",
)
def dtrXTBX_dX(X, B):
    return tr(T(X) @ B @ X)


@ident(
    wrt="W",
    shapes={"W": "n m", "A": "n n"},
    derivative=lambda W, A: (A + A.T) @ W,
    latex=r"\frac{\partial \operatorname{tr}(W^T A W)}{\partial W} = (A + A^T) W",
    text="d tr(W^T A W)/dW = (A + A^T) W",
    source="project seed notes",
)
def dtrWTAW_dW(W, A):
    return tr(T(W) @ A @ W)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "n n"},
    derivative=lambda X, B: B @ X + B.T @ X,
    text="d tr(B X X^T)/dX = B X + B^T X",
    source="Matrix Cookbook (110)",
)
def dtrBXXT_dX(X, B):
    return tr(B @ X @ T(X))


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "n n"},
    derivative=lambda X, B: B @ X + B.T @ X,
    text="d tr(X X^T B)/dX = B X + B^T X",
    source="Matrix Cookbook (111)",
)
def dtrXXTB_dX(X, B):
    return tr(X @ T(X) @ B)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "m m"},
    derivative=lambda X, B: X @ B.T + X @ B,
    text="d tr(X B X^T)/dX = X B^T + X B",
    source=f"Matrix Cookbook (112); {WIKI_SM}",
)
def dtrXBXT_dX(X, B):
    return tr(X @ B @ T(X))


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "m m"},
    derivative=lambda X, B: X @ B.T + X @ B,
    text="d tr(B X^T X)/dX = X B^T + X B",
    source="Matrix Cookbook (113)",
)
def dtrBXTX_dX(X, B):
    return tr(B @ T(X) @ X)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "m m"},
    derivative=lambda X, B: X @ B.T + X @ B,
    text="d tr(X^T X B)/dX = X B^T + X B",
    source="Matrix Cookbook (114)",
)
def dtrXTXB_dX(X, B):
    return tr(T(X) @ X @ B)


@ident(
    wrt="X",
    shapes={"A": "m n", "X": "n m", "B": "m n"},
    derivative=lambda A, X, B: A.T @ X.T @ B.T + B.T @ X.T @ A.T,
    text="d tr(A X B X)/dX = A^T X^T B^T + B^T X^T A^T",
    source="Matrix Cookbook (115)",
    note="the transcription drops the B: Tr(AXBX) is meant",
)
def dtrAXBX_dX(A, X, B):
    return tr(A @ X @ B @ X)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * X,
    text="d tr(X^T X)/dX = 2X",
    source="Matrix Cookbook (116)",
)
def dtrXTX_dX(X):
    return tr(T(X) @ X)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * X,
    text="d tr(X X^T)/dX = 2X",
    source="Matrix Cookbook (116)",
)
def dtrXXT_dX(X):
    return tr(X @ T(X))


BXCXB = {"B": "m p", "X": "n m", "C": "n n"}


@ident(
    wrt="X",
    shapes=BXCXB,
    derivative=lambda B, X, C: C.T @ X @ B @ B.T + C @ X @ B @ B.T,
    text="d tr(B^T X^T C X B)/dX = C^T X B B^T + C X B B^T",
    source="Matrix Cookbook (117)",
)
def dtrBTXTCXB_dX(B, X, C):
    return tr(T(B) @ T(X) @ C @ X @ B)


@ident(
    wrt="X",
    shapes=BXCXB,
    derivative=lambda B, X, C: (C + C.T) @ X @ B @ B.T,
    latex=r"\frac{\partial \operatorname{tr}(B^T X^T C X B)}{\partial X} = (C + C^T) X B B^T",
    text="d tr(B^T X^T C X B)/dX = (C + C^T) X B B^T",
    source="project seed notes",
)
def dtrBTXTCXB_dX_seed(B, X, C):
    return tr(T(B) @ T(X) @ C @ X @ B)


@ident(
    wrt="X",
    shapes={"X": "n m", "B": "n n", "C": "m m"},
    derivative=lambda X, B, C: B @ X @ C + B.T @ X @ C.T,
    text="d tr(X^T B X C)/dX = B X C + B^T X C^T",
    source="Matrix Cookbook (118)",
)
def dtrXTBXC_dX(X, B, C):
    return tr(T(X) @ B @ X @ C)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "m m", "C": "n p"},
    derivative=lambda A, X, B, C: A.T @ C.T @ X @ B.T + C @ A @ X @ B,
    text="d tr(A X B X^T C)/dX = A^T C^T X B^T + C A X B",
    source=f"Matrix Cookbook (119); {WIKI_SM}",
)
def dtrAXBXTC_dX(A, X, B, C):
    return tr(A @ X @ B @ T(X) @ C)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "m q", "C": "p q"},
    derivative=lambda A, X, B, C: 2 * A.T @ (A @ X @ B + C) @ B.T,
    text="d tr((AXB + C)(AXB + C)^T)/dX = 2 A^T (AXB + C) B^T",
    source="Matrix Cookbook (120)",
)
def dtr_AXBplusC_sq_dX(A, X, B, C):
    R = A @ X @ B + C
    return tr(R @ T(R))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: 2 * np.trace(X) * np.eye(len(X)),
    text="d tr(X kron X)/dX = 2 tr(X) I",
    source="Matrix Cookbook (121)",
)
def dtr_kron_XX_dX(X):
    return tr(kron(X, X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: 3 * mpow(X, 2).T,
    text="d tr(X^3)/dX = 3 (X^2)^T",
    source=f"Matrix Cookbook (122); {WIKI_SM}",
)
def dtrX3_dX(X):
    return tr(mpow(X, 3))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: 4 * mpow(X, 3).T,
    text="d tr(X^4)/dX = 4 (X^3)^T",
    source="Matrix Cookbook (122)",
)
def dtrX4_dX(X):
    return tr(mpow(X, 4))


@ident(
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    derivative=lambda A, X: sum((mpow(X, j) @ A @ mpow(X, 2 - j)).T for j in range(3)),
    text="d tr(A X^3)/dX = sum_j (X^j A X^(2-j))^T",
    source="Matrix Cookbook (123)",
)
def dtrAX3_dX(A, X):
    return tr(A @ mpow(X, 3))


def _d124(B, X, C):
    return (
        C @ X @ X.T @ C @ X @ B @ B.T
        + C.T @ X @ B @ B.T @ X.T @ C.T @ X
        + C @ X @ B @ B.T @ X.T @ C @ X
        + C.T @ X @ X.T @ C.T @ X @ B @ B.T
    )


@ident(
    wrt="X",
    shapes=BXCXB,
    derivative=_d124,
    text="d tr(B^T X^T C X X^T C X B)/dX = (four terms)",
    source="Matrix Cookbook (124)",
)
def dtr_BTXTCXXTCXB_dX(B, X, C):
    return tr(T(B) @ T(X) @ C @ X @ T(X) @ C @ X @ B)


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n n", "B": "n p"},
    constraints={"X": "invertible"},
    derivative=lambda A, X, B: -inv(X).T @ A.T @ B.T @ inv(X).T,
    text="d tr(A X^-1 B)/dX = -X^-T A^T B^T X^-T",
    source=f"Matrix Cookbook (125); {WIKI_SM}",
)
def dtrAXinvB_dX(A, X, B):
    return tr(A @ inv(X) @ B)


def _d126(X, C, A):
    M = inv(X.T @ C @ X)
    return -(C @ X @ M) @ (A + A.T) @ M


@ident(
    wrt="X",
    shapes={"X": "n m", "C": "n n", "A": "m m"},
    constraints={"C": "spd"},
    conditions=("n > m",),
    derivative=_d126,
    text="d tr((X^T C X)^-1 A)/dX = -C X M (A + A^T) M, M = (X^T C X)^-1",
    source="Matrix Cookbook (126)",
    note="C symmetric; A may be non-symmetric",
)
def dtr_XTCXinv_A_dX(X, C, A):
    return tr(inv(T(X) @ C @ X) @ A)


def _d127(X, C, B):
    M = inv(X.T @ C @ X)
    return -2 * C @ X @ M @ X.T @ B @ X @ M + 2 * B @ X @ M


@ident(
    wrt="X",
    shapes={"X": "n m", "C": "n n", "B": "n n"},
    constraints={"C": "spd", "B": "symmetric"},
    conditions=("n > m",),
    derivative=_d127,
    text="d tr((X^T C X)^-1 (X^T B X))/dX = -2 C X M X^T B X M + 2 B X M",
    source="Matrix Cookbook (127)",
    note="B, C symmetric",
)
def dtr_XTCXinv_XTBX_dX(X, C, B):
    return tr(inv(T(X) @ C @ X) @ (T(X) @ B @ X))


def _d128(X, A, C, B):
    M = inv(A + X.T @ C @ X)
    return -2 * C @ X @ M @ X.T @ B @ X @ M + 2 * B @ X @ M


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m m", "C": "n n", "B": "n n"},
    constraints={"A": "spd", "C": "spd", "B": "symmetric"},
    derivative=_d128,
    text="d tr((A + X^T C X)^-1 (X^T B X))/dX = -2 C X M X^T B X M + 2 B X M",
    source="Matrix Cookbook (128)",
    note="A, B, C symmetric: the Cookbook states only B, C symmetric, but A must be too",
)
def dtr_AplusXTCXinv_XTBX_dX(X, A, C, B):
    return tr(inv(A + T(X) @ C @ X) @ (T(X) @ B @ X))


def _d128_general(X, A, C, B):
    M = inv(A + X.T @ C @ X)
    return -C @ X @ (M @ X.T @ B @ X @ M + M.T @ X.T @ B @ X @ M.T) + B @ X @ (M + M.T)


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m m", "C": "n n", "B": "n n"},
    constraints={"A": "pd_nonsym", "C": "spd", "B": "symmetric"},
    derivative=_d128_general,
    text="d tr((A + X^T C X)^-1 X^T B X)/dX = -C X (M X^T B X M + M^T X^T B X M^T) + B X (M + M^T)",
    source="Matrix Cookbook (128) generalised to non-symmetric A",
)
def dtr_AplusXTCXinv_XTBX_dX_general_A(X, A, C, B):
    return tr(inv(A + T(X) @ C @ X) @ (T(X) @ B @ X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    derivative=lambda X: cosm(X).T,
    text="d tr(sin(X))/dX = cos(X)^T",
    source="Matrix Cookbook (129)",
)
def dtr_sinX_dX(X):
    return tr(sinm(X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints={"X": "invertible"},
    derivative=lambda X: -mpow(inv(X), 2).T,
    text="d tr(X^-1)/dX = -(X^-2)^T",
    source=WIKI_SM,
)
def dtr_Xinv_dX(X):
    return tr(inv(X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints={"X": "pd_nonsym"},
    derivative=lambda X: inv(X).T,
    text="d tr(log(X))/dX = X^-T",
    source="Matrix Cookbook (99) with F = log",
    note="tr log X = log det X",
)
def dtr_logmX_dX(X):
    return tr(logm(X))


@ident(
    wrt="X",
    shapes={"X": "n n"},
    constraints={"X": "pd_nonsym"},
    derivative=lambda X: 0.5 * inv(sqrtm(X)).T,
    text="d tr(sqrt(X))/dX = (1/2) (X^(1/2))^-T",
    source="Matrix Cookbook (99) with F = sqrt",
)
def dtr_sqrtmX_dX(X):
    return tr(sqrtm(X))


@ident(
    wrt="X",
    shapes={"A": "n m", "X": "m n"},
    derivative=lambda A, X: A.T @ expm(A @ X).T,
    text="d tr(exp(AX))/dX = A^T exp(AX)^T",
    source="Matrix Cookbook (99) + chain rule",
)
def dtr_expm_AX_dX(A, X):
    return tr(expm(A @ X))


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m m", "B": "n n"},
    derivative=lambda X, A, B: B.T @ X @ A.T + B @ X @ A,
    text="d tr(X A X^T B)/dX = B^T X A^T + B X A",
    source="Matrix Cookbook (119) with A = I",
)
def dtr_XAXTB_dX(X, A, B):
    return tr(X @ A @ T(X) @ B)
