"""Linear and affine maps: derivatives that do not depend on the point."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, dot, mv, quad, tensor_from_gradient_order, vm

ident = partial(identity, family="linear", vectorized=True)
WIKI_VV = "Wikipedia vector-by-vector"


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.eye(len(x)),
    text="dx/dx = I",
    source=f"{WIKI_VV}; project seed notes",
)
def dx_dx(x):
    return 1.0 * x


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: A.T,
    text="d(Ax)/dx = A^T (denominator); A (numerator)",
    source=f"{WIKI_VV}; project seed notes",
)
def dAx_dx(A, x):
    return mv(A, x)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n m"},
    derivative=lambda x, A: A,
    text="d(x^T A)/dx = A (denominator); A^T (numerator)",
    source=f"{WIKI_VV}; project seed notes",
)
def dxTA_dx(x, A):
    return vm(x, A)


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n", "b": "m"},
    derivative=lambda A, x, b: A.T,
    text="d(Ax + b)/dx = A^T",
    source=WIKI_VV,
)
def dAx_plus_b_dx(A, x, b):
    return mv(A, x) + b


@ident(
    wrt="x",
    shapes={"c": "", "x": "n"},
    derivative=lambda c, x: c * np.eye(len(x)),
    text="d(c x)/dx = c I",
    source=WIKI_VV,
)
def d_scalar_times_x_dx(c, x):
    return c * x


@ident(
    wrt="x",
    shapes={"a": "m", "x": "n"},
    derivative=lambda a, x: np.zeros((len(x), len(a))),
    text="da/dx = 0",
    source=WIKI_VV,
)
def d_const_vector_dx(a, x):
    return np.broadcast_to(a, (*np.shape(x)[:-1], len(a))) + 0.0 * x[..., :1]


@ident(
    wrt="x",
    shapes={"c": "", "x": "n"},
    derivative=lambda c, x: np.zeros(len(x)),
    text="dc/dx = 0",
    source="Wikipedia scalar-by-vector",
)
def d_const_scalar_dx(c, x):
    return c + 0.0 * x[..., 0]


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: a,
    text="d(a^T x)/dx = a",
    source="Matrix Cookbook (70); Wikipedia scalar-by-vector",
)
def daTx_dx(a, x):
    return dot(a, x)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: a,
    text="d(x^T a)/dx = a",
    source="Matrix Cookbook (70)",
)
def dxTa_dx(a, x):
    return dot(x, a)


@ident(
    wrt="x",
    shapes={"b": "m", "A": "m n", "x": "n"},
    derivative=lambda b, A, x: A.T @ b,
    text="d(b^T A x)/dx = A^T b",
    source="Wikipedia scalar-by-vector",
)
def dbTAx_dx(b, A, x):
    return dot(b, mv(A, x))


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n m", "b": "m"},
    derivative=lambda a, X, b: np.outer(a, b),
    latex=r"\frac{\partial a^T X b}{\partial X} = a b^T",
    text="d(a^T X b)/dX = a b^T",
    source="Matrix Cookbook (71); Wikipedia scalar-by-matrix; project seed notes",
)
def daTXb_dX(a, X, b):
    return quad(a, X, b)


@ident(
    wrt="X",
    shapes={"a": "m", "X": "n m", "b": "n"},
    derivative=lambda a, X, b: np.outer(b, a),
    text="d(a^T X^T b)/dX = b a^T",
    source="Matrix Cookbook (72); Wikipedia scalar-by-matrix",
)
def daTXTb_dX(a, X, b):
    return quad(a, T(X), b)


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n"},
    derivative=lambda a, X: np.outer(a, a),
    text="d(a^T X a)/dX = a a^T",
    source="Matrix Cookbook (73)",
)
def daTXa_dX(a, X):
    return quad(a, X, a)


@ident(
    wrt="X",
    shapes={"a": "n", "X": "n n"},
    derivative=lambda a, X: np.outer(a, a),
    text="d(a^T X^T a)/dX = a a^T",
    source="Matrix Cookbook (73)",
)
def daTXTa_dX(a, X):
    return quad(a, T(X), a)


def _eye_pair(X):
    n, m = X.shape
    return np.einsum("ik,jl->ijkl", np.eye(n), np.eye(m))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    layout="tensor",
    derivative=lambda X: tensor_from_gradient_order(_eye_pair(X), 2),
    text="dX/dX_ij = J^ij (single-entry matrix)",
    source="Matrix Cookbook (74)",
)
def dX_dX_4d(X):
    return 1.0 * X


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "m p"},
    layout="tensor",
    derivative=lambda X, A: tensor_from_gradient_order(
        np.einsum("ai,bj->abij", np.eye(len(X)), A), 2
    ),
    text="d(XA)_ij/dX_ab = delta_ia A_bj",
    source="Matrix Cookbook (75)",
)
def dXA_dX_4d(X, A):
    return X @ A


@ident(
    wrt="X",
    shapes={"X": "n m", "A": "n p"},
    layout="tensor",
    derivative=lambda X, A: tensor_from_gradient_order(
        np.einsum("bi,aj->abij", np.eye(X.shape[1]), A), 2
    ),
    text="d(X^T A)_ij/dX_ab = delta_ib A_aj",
    source="Matrix Cookbook (76)",
)
def dXTA_dX_4d(X, A):
    return T(X) @ A


@ident(
    wrt="X",
    shapes={"A": "p n", "X": "n m", "B": "m q"},
    layout="tensor",
    derivative=lambda A, X, B: tensor_from_gradient_order(np.einsum("ia,bj->abij", A, B), 2),
    text="d vec(AXB) = (B^T kron A) d vec(X)",
    source="vec rule (Magnus & Neudecker)",
)
def dAXB_dX_4d(A, X, B):
    return A @ X @ B
