"""Element-wise functions and Hadamard products."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import dot, sigmoid, sumall

ident = partial(identity, family="elementwise", vectorized=True)
WIKI_VV = "Wikipedia vector-by-vector"


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.exp(x),
    text="d sum(exp(x))/dx = exp(x)",
    source="standard",
)
def d_sum_exp_dx(x):
    return np.sum(np.exp(x), axis=-1)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "positive"},
    derivative=lambda x: 1 / x,
    text="d sum(log(x))/dx = 1/x",
    source="standard",
)
def d_sum_log_dx(x):
    return np.sum(np.log(x), axis=-1)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: 2 * a * x,
    text="d(a^T (x o x))/dx = 2 a o x",
    source="standard",
)
def d_aT_xsq_dx(a, x):
    return dot(a, x * x)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n", "y": "n"},
    derivative=lambda a, x, y: a * y,
    text="d(a^T (x o y))/dx = a o y",
    source="standard",
)
def d_aT_hadamard_dx(a, x, y):
    return dot(a, x * y)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * X,
    text="d sum(X o X)/dX = 2X",
    source="Matrix Cookbook (133)",
)
def d_sum_Xsq_dX(X):
    return sumall(X * X)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "positive"},
    derivative=lambda X: 1 / X,
    text="d sum(log(X))/dX = 1/X",
    source="standard",
)
def d_sum_logX_dX(X):
    return sumall(np.log(X))


@ident(
    wrt="X",
    shapes={"A": "n m", "X": "n m", "B": "n m"},
    derivative=lambda A, X, B: A * B,
    text="d tr(A^T (X o B))/dX = A o B",
    source="Wikipedia scalar-by-matrix (Hadamard product)",
)
def d_tr_AT_hadamard_XB_dX(A, X, B):
    return sumall(A * (X * B))


@ident(
    wrt="X",
    shapes={"G": "n m", "X": "n m"},
    derivative=lambda G, X: 2 * G * X,
    text="d sum(G o X o X)/dX = 2 G o X",
    source="Matrix Cookbook (38) instance",
)
def d_G_hadamard_XX_dX(G, X):
    return sumall(G * X * X)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: 2 * np.sum(X) * np.ones_like(X),
    text="d (sum X)^2/dX = 2 sum(X) 1 1^T",
    source="Matrix Cookbook (77)",
)
def d_sumX_squared_dX(X):
    return sumall(X) ** 2


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.diag(np.exp(x)),
    text="d exp(x)/dx = diag(exp(x))",
    source=WIKI_VV,
)
def d_exp_vec_dx(x):
    return np.exp(x)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "n"},
    derivative=lambda x, a: np.diag(a),
    text="d(x o a)/dx = diag(a)",
    source=WIKI_VV,
)
def d_hadamard_vec_dx(x, a):
    return x * a


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.diag(np.cos(x)),
    text="d sin(x)/dx = diag(cos(x))",
    source=WIKI_VV,
)
def d_sin_vec_dx(x):
    return np.sin(x)


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.diag(sigmoid(x) * (1 - sigmoid(x))),
    text="d sigmoid(x)/dx = diag(s o (1 - s))",
    source="standard ML",
)
def d_sigmoid_vec_dx(x):
    return sigmoid(x)


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: np.diag(1 - np.tanh(x) ** 2),
    text="d tanh(x)/dx = diag(1 - tanh(x)^2)",
    source="standard ML",
)
def d_tanh_vec_dx(x):
    return np.tanh(x)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "positive"},
    derivative=lambda x: np.diag(-1 / x**2),
    text="d(1/x)/dx = diag(-1/x^2)",
    source="standard",
)
def d_reciprocal_vec_dx(x):
    return 1 / x


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "nonzero"},
    derivative=lambda x: np.diag((x > 0).astype(float)),
    text="d relu(x)/dx = diag(x > 0)",
    source="standard ML (away from 0)",
)
def d_relu_vec_dx(x):
    return np.maximum(x, 0)


@ident(
    wrt="x",
    shapes={"x": "n"},
    constraints={"x": "positive"},
    derivative=lambda x: np.diag(0.5 / np.sqrt(x)),
    text="d sqrt(x)/dx = diag(1 / (2 sqrt(x)))",
    source="standard",
)
def d_sqrt_vec_dx(x):
    return np.sqrt(x)


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "nonzero"},
    derivative=lambda X: np.sign(X),
    text="d sum|X|/dX = sign(X)",
    source="standard (entrywise L1)",
)
def d_sum_absX_dX(X):
    return sumall(np.abs(X))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    derivative=lambda X: sigmoid(X),
    text="d sum(softplus(X))/dX = sigmoid(X)",
    source="standard ML",
)
def d_sum_softplus_dX(X):
    return sumall(np.logaddexp(0, X))


@ident(
    wrt="X",
    shapes={"X": "n m"},
    constraints={"X": "nonzero"},
    derivative=lambda X: 2 * np.maximum(X, 0),
    text="d sum(relu(X)^2)/dX = 2 relu(X)",
    source="standard ML",
)
def d_sum_relu_sq_dX(X):
    return sumall(np.maximum(X, 0) ** 2)
