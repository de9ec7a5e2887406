"""Linear and affine maps: derivatives that do not depend on the point."""

import numpy as np

from gradcheck import identity

from ._helpers import T, tensor_from_gradient_order

WIKI_VV = "Wikipedia vector-by-vector"


@identity(
    derivative=lambda x: np.eye(len(x)),
    variables={"x": "n"},
    wrt="x",
    source=f"{WIKI_VV}; project seed notes",
)
def dx_dx(x):
    """dx/dx = I"""
    return 1.0 * x


dAx_dx = identity(
    "dAx_dx",
    f="A @ x",
    derivative="A.T",
    variables={"A": "m n", "x": "n"},
    wrt="x",
    source=f"{WIKI_VV}; project seed notes",
)


dxTA_dx = identity(
    "dxTA_dx",
    f="x @ A",
    derivative="A",
    variables={"x": "n", "A": "n m"},
    wrt="x",
    source=f"{WIKI_VV}; project seed notes",
)


dAx_plus_b_dx = identity(
    "dAx_plus_b_dx",
    f="A @ x + b",
    derivative="A.T",
    variables={"A": "m n", "x": "n", "b": "m"},
    wrt="x",
    source=WIKI_VV,
)


@identity(
    derivative=lambda c, x: c * np.eye(len(x)),
    variables={"c": "", "x": "n"},
    wrt="x",
    source=WIKI_VV,
)
def d_scalar_times_x_dx(c, x):
    """d(c x)/dx = c I"""
    return c * x


@identity(
    derivative=lambda a, x: np.zeros((len(x), len(a))),
    variables={"a": "m", "x": "n"},
    wrt="x",
    source=WIKI_VV,
)
def d_const_vector_dx(a, x):
    """da/dx = 0"""
    return np.broadcast_to(a, (*np.shape(x)[:-1], len(a))) + 0.0 * x[..., :1]


@identity(
    derivative=lambda x: np.zeros(len(x)),
    variables={"c": "", "x": "n"},
    wrt="x",
    source="Wikipedia scalar-by-vector",
)
def d_const_scalar_dx(c, x):
    """dc/dx = 0"""
    return c + 0.0 * x[..., 0]


daTx_dx = identity(
    "daTx_dx",
    f="a @ x",
    derivative="a",
    variables={"a": "n", "x": "n"},
    wrt="x",
    source="Matrix Cookbook (70); Wikipedia scalar-by-vector",
)


dxTa_dx = identity(
    "dxTa_dx",
    f="x @ a",
    derivative="a",
    variables={"a": "n", "x": "n"},
    wrt="x",
    source="Matrix Cookbook (70)",
)


dbTAx_dx = identity(
    "dbTAx_dx",
    f="b @ (A @ x)",
    derivative="A.T @ b",
    variables={"b": "m", "A": "m n", "x": "n"},
    wrt="x",
    source="Wikipedia scalar-by-vector",
)


daTXb_dX = identity(
    "daTXb_dX",
    f="a @ X @ b",
    derivative="outer(a, b)",
    variables={"a": "n", "X": "n m", "b": "m"},
    wrt="X",
    source="Matrix Cookbook (71); Wikipedia scalar-by-matrix; project seed notes",
)


daTXTb_dX = identity(
    "daTXTb_dX",
    f="a @ X.T @ b",
    derivative="outer(b, a)",
    variables={"a": "m", "X": "n m", "b": "n"},
    wrt="X",
    source="Matrix Cookbook (72); Wikipedia scalar-by-matrix",
)


daTXa_dX = identity(
    "daTXa_dX",
    f="a @ X @ a",
    derivative="outer(a, a)",
    variables={"a": "n", "X": "n n"},
    wrt="X",
    source="Matrix Cookbook (73)",
)


daTXTa_dX = identity(
    "daTXTa_dX",
    f="a @ X.T @ a",
    derivative="outer(a, a)",
    variables={"a": "n", "X": "n n"},
    wrt="X",
    source="Matrix Cookbook (73)",
)


def _eye_pair(X):
    n, m = X.shape
    return np.einsum("ik,jl->ijkl", np.eye(n), np.eye(m))


@identity(
    derivative=lambda X: tensor_from_gradient_order(_eye_pair(X), 2),
    variables={"X": "n m"},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (74)",
)
def dX_dX_4d(X):
    """dX/dX_ij = J^ij (single-entry matrix)"""
    return 1.0 * X


@identity(
    derivative=lambda X, A: tensor_from_gradient_order(
        np.einsum("ai,bj->abij", np.eye(len(X)), A), 2
    ),
    variables={"X": "n m", "A": "m p"},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (75)",
)
def dXA_dX_4d(X, A):
    """d(XA)_ij/dX_ab = delta_ia A_bj"""
    return X @ A


@identity(
    derivative=lambda X, A: tensor_from_gradient_order(
        np.einsum("bi,aj->abij", np.eye(X.shape[1]), A), 2
    ),
    variables={"X": "n m", "A": "n p"},
    wrt="X",
    layout="tensor",
    source="Matrix Cookbook (76)",
)
def dXTA_dX_4d(X, A):
    """d(X^T A)_ij/dX_ab = delta_ib A_aj"""
    return T(X) @ A


@identity(
    derivative=lambda A, B: tensor_from_gradient_order(np.einsum("ia,bj->abij", A, B), 2),
    variables={"A": "p n", "X": "n m", "B": "m q"},
    wrt="X",
    layout="tensor",
    source="vec rule (Magnus & Neudecker)",
)
def dAXB_dX_4d(A, X, B):
    """d vec(AXB) = (B^T kron A) d vec(X)"""
    return A @ X @ B
