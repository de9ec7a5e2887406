"""Element-wise functions and Hadamard products."""

import numpy as np

from gradcheck import identity

WIKI_VV = "Wikipedia vector-by-vector"


d_sum_exp_dx = identity(
    "d_sum_exp_dx",
    f="sum(exp(x), axis=-1)",
    derivative="exp(x)",
    variables={"x": "n"},
    wrt="x",
    source="standard",
)


d_sum_log_dx = identity(
    "d_sum_log_dx",
    f="sum(log(x), axis=-1)",
    derivative="1 / x",
    variables={"x": ("n", "positive")},
    wrt="x",
    source="standard",
)


d_aT_xsq_dx = identity(
    "d_aT_xsq_dx",
    f="a @ (x * x)",
    derivative="2 * a * x",
    variables={"a": "n", "x": "n"},
    wrt="x",
    source="standard",
)


d_aT_hadamard_dx = identity(
    "d_aT_hadamard_dx",
    f="a @ (x * y)",
    derivative="a * y",
    variables={"a": "n", "x": "n", "y": "n"},
    wrt="x",
    source="standard",
)


d_sum_Xsq_dX = identity(
    "d_sum_Xsq_dX",
    f="sum(X * X)",
    derivative="2 * X",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (133)",
)


d_sum_logX_dX = identity(
    "d_sum_logX_dX",
    f="sum(log(X))",
    derivative="1 / X",
    variables={"X": ("n m", "positive")},
    wrt="X",
    source="standard",
)


d_tr_AT_hadamard_XB_dX = identity(
    "d_tr_AT_hadamard_XB_dX",
    f="sum(A * (X * B))",
    derivative="A * B",
    variables={"A": "n m", "X": "n m", "B": "n m"},
    wrt="X",
    source="Wikipedia scalar-by-matrix (Hadamard product)",
)


d_G_hadamard_XX_dX = identity(
    "d_G_hadamard_XX_dX",
    f="sum(G * X * X)",
    derivative="2 * G * X",
    variables={"G": "n m", "X": "n m"},
    wrt="X",
    source="Matrix Cookbook (38) instance",
)


d_sumX_squared_dX = identity(
    "d_sumX_squared_dX",
    f="sum(X) ** 2",
    derivative="2 * sum(X) * ones_like(X)",
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (77)",
)


d_exp_vec_dx = identity(
    "d_exp_vec_dx",
    f="exp(x)",
    derivative="diag(exp(x))",
    variables={"x": "n"},
    wrt="x",
    source=WIKI_VV,
)


d_hadamard_vec_dx = identity(
    "d_hadamard_vec_dx",
    f="x * a",
    derivative="diag(a)",
    variables={"x": "n", "a": "n"},
    wrt="x",
    source=WIKI_VV,
)


d_sin_vec_dx = identity(
    "d_sin_vec_dx",
    f="sin(x)",
    derivative="diag(cos(x))",
    variables={"x": "n"},
    wrt="x",
    source=WIKI_VV,
)


d_sigmoid_vec_dx = identity(
    "d_sigmoid_vec_dx",
    f="sigmoid(x)",
    derivative="diag(sigmoid(x) * (1 - sigmoid(x)))",
    variables={"x": "n"},
    wrt="x",
    source="standard ML",
)


d_tanh_vec_dx = identity(
    "d_tanh_vec_dx",
    f="tanh(x)",
    derivative="diag(1 - tanh(x) ** 2)",
    variables={"x": "n"},
    wrt="x",
    source="standard ML",
)


d_reciprocal_vec_dx = identity(
    "d_reciprocal_vec_dx",
    f="1 / x",
    derivative="diag(-1 / x ** 2)",
    variables={"x": ("n", "positive")},
    wrt="x",
    source="standard",
)


@identity(
    derivative=lambda x: np.diag((x > 0).astype(float)),
    variables={"x": ("n", "nonzero")},
    wrt="x",
    source="standard ML (away from 0)",
)
def d_relu_vec_dx(x):
    """d relu(x)/dx = diag(x > 0)"""
    return np.maximum(x, 0)


d_sqrt_vec_dx = identity(
    "d_sqrt_vec_dx",
    f="sqrt(x)",
    derivative="diag(0.5 / sqrt(x))",
    variables={"x": ("n", "positive")},
    wrt="x",
    source="standard",
)


d_sum_absX_dX = identity(
    "d_sum_absX_dX",
    f="sum(abs(X))",
    derivative="sign(X)",
    variables={"X": ("n m", "nonzero")},
    wrt="X",
    source="standard (entrywise L1)",
)


d_sum_softplus_dX = identity(
    "d_sum_softplus_dX",
    f="sum(logaddexp(0, X))",
    derivative="sigmoid(X)",
    variables={"X": "n m"},
    wrt="X",
    source="standard ML",
)


d_sum_relu_sq_dX = identity(
    "d_sum_relu_sq_dX",
    f="sum(maximum(X, 0) ** 2)",
    derivative="2 * maximum(X, 0)",
    variables={"X": ("n m", "nonzero")},
    wrt="X",
    source="standard ML",
)
