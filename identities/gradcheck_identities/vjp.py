"""Backward passes of layers and losses, each a VJP ``(cotangent u, point) -> gradients``.

The forward functions are batch-polymorphic (leading axes are a batch); a VJP is called at one
point. Each returns the gradient of ``<u, f>`` by every variable it names, in the variable's
shape; :func:`gradcheck.check_vjp` compares ``<vjp(v), d>`` with directional finite
differences of f for random pairs, then rebuilds and checks the whole Jacobian when a pair
fails (small sizes), which locates and diagnoses the error.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gradcheck import pitfall, vjp_identity

from ._helpers import T, inv, log_softmax, mv, softmax, sym

GILES = "Giles 2008, An extended collection of matrix derivative results for AD"
ML = "standard ML backpropagation"
EPS = 1e-5


@vjp_identity(
    vjp=lambda u, W, x: (W.T @ u, np.outer(u, x), u),
    variables={"W": "m n", "x": "n", "b": "m"},
    wrt=("x", "W", "b"),
    source=f"{ML}; {GILES} 3.2 (matrix product)",
)
def vjp_linear(W, x, b):
    """y = W x + b: dx = W^T u, dW = u x^T, db = u"""
    return mv(W, x) + b


@vjp_identity(
    vjp=lambda U, X, W: (U @ W, U.T @ X, U.sum(axis=0)),
    variables={"X": "k n", "W": "m n", "b": "m"},
    wrt=("X", "W", "b"),
    source=f"{ML} (a batch of k rows)",
)
def vjp_linear_batch(X, W, b):
    """Y = X W^T + b (rows): dX = U W, dW = U^T X, db = sum of U's rows"""
    return X @ T(W) + b[..., None, :]


@vjp_identity(
    vjp=lambda u, x1, A, x2: (
        np.einsum("k,kij,j->i", u, A, x2),
        np.einsum("k,kij,i->j", u, A, x1),
        u[:, None, None] * np.outer(x1, x2),
    ),
    variables={"x1": "n", "A": "p n m", "x2": "m"},
    wrt=("x1", "x2", "A"),
    source=f"{ML} (bilinear layer y_k = x1^T A_k x2, as torch.nn.Bilinear)",
)
def vjp_bilinear(x1, A, x2):
    """y_k = x1^T A_k x2: dx1 = sum_k u_k A_k x2, dx2 = sum_k u_k A_k^T x1, dA_k = u_k x1 x2^T"""
    return np.einsum("...i,...kij,...j->...k", x1, A, x2)


def _softmax_vjp(u, z):
    y = softmax(z)
    return y * (u - np.sum(u * y, axis=-1, keepdims=True))


@vjp_identity(
    vjp=_softmax_vjp,
    variables={"z": "n"},
    wrt="z",
    source=f"{ML}: J = diag(y) - y y^T",
)
def vjp_softmax(z):
    """y = softmax(z): dz = y o (u - <u, y>)"""
    return softmax(z)


@vjp_identity(
    vjp=lambda u, z: u - softmax(z) * np.sum(u),
    variables={"z": "n"},
    wrt="z",
    source=f"{ML}: J = I - 1 softmax(z)^T",
)
def vjp_log_softmax(z):
    """y = log softmax(z): dz = u - softmax(z) sum(u)"""
    return log_softmax(z)


def _normalised(x):
    mean = np.mean(x, axis=-1, keepdims=True)
    sigma = np.sqrt(np.var(x, axis=-1, keepdims=True) + EPS)
    return (x - mean) / sigma, sigma


def _layer_norm_vjp(u, x, g, *, mean_term=True):
    xhat, sigma = _normalised(x)
    gu = g * u
    dx = gu - np.mean(gu)
    if mean_term:
        dx = dx - xhat * np.mean(gu * xhat)
    return dx / sigma, u * xhat, u


@vjp_identity(
    vjp=_layer_norm_vjp,
    variables={"x": "n where n >= 2", "g": "n", "b": "n"},
    wrt=("x", "g", "b"),
    source=f"{ML} (Ba, Kiros & Hinton 2016, layer normalization; eps = 1e-5)",
)
def vjp_layer_norm(x, g, b):
    """y = g o xhat + b: dx = (gu - mean(gu) - xhat mean(gu o xhat))/sigma, dg = u o xhat, db = u"""
    return g * _normalised(x)[0] + b


@vjp_identity(
    vjp=lambda U, Q, K: (U @ K / np.sqrt(Q.shape[1]), U.T @ Q / np.sqrt(Q.shape[1])),
    variables={"Q": "t d", "K": "s d"},
    wrt=("Q", "K"),
    source=f"{ML} (Vaswani et al. 2017, scaled dot-product attention scores)",
)
def vjp_attention_scores(Q, K):
    """S = Q K^T / sqrt(d): dQ = U K / sqrt(d), dK = U^T Q / sqrt(d)"""
    return Q @ T(K) / np.sqrt(Q.shape[-1])


def _attention_vjp(U, Q, K):
    """dQ = dS K / sqrt(d), dK = dS^T Q / sqrt(d)."""
    P = softmax(Q @ K.T / np.sqrt(Q.shape[1]))
    dS = P * (U - np.sum(U * P, axis=-1, keepdims=True)) / np.sqrt(Q.shape[1])
    return dS @ K, dS.T @ Q


@vjp_identity(
    vjp=_attention_vjp,
    variables={"Q": "t d", "K": "s d"},
    wrt=("Q", "K"),
    source=f"{ML} (attention weights softmax(Q K^T / sqrt(d)), row-wise)",
)
def vjp_attention_weights(Q, K):
    """P = softmax(S), S = Q K^T/r, r = sqrt(d): dS = P o (U - rowsum(U o P)), dQ = dS K/r"""
    return softmax(Q @ T(K) / np.sqrt(Q.shape[-1]))


def _windows(x, k):
    return sliding_window_view(x, k, axis=-1)


@vjp_identity(
    vjp=lambda u, x, w: (np.convolve(u, w), _windows(x, len(w)).T @ u),
    variables={"x": "n where n >= k", "w": "k"},
    wrt=("x", "w"),
    source=f"{ML} (valid 1-D cross-correlation as the matrix product im2col(x) w)",
)
def vjp_conv1d(x, w):
    """y = im2col(x) w, y_i = sum_j w_j x_(i+j): dx = full convolution u * w, dw = im2col(x)^T u"""
    return np.einsum("...ij,...j->...i", _windows(x, w.shape[-1]), w)


@vjp_identity(
    vjp=lambda U, A, B: (U @ T(B), T(A) @ U),
    variables={"A": "b n m", "B": "b m p"},
    wrt=("A", "B"),
    source=f"{GILES} 3.2, per batch element",
)
def vjp_batched_matmul(A, B):
    """C = A @ B batched: dA = U B^T, dB = A^T U"""
    return A @ B


@vjp_identity(
    vjp=lambda u, X: u * inv(X).T,
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source=f"{GILES} 3.1 (determinant); Matrix Cookbook (57)",
)
def vjp_logdet(X):
    """y = log det X: dX = u X^-T"""
    return np.linalg.slogdet(X)[1]


def _solve_vjp(u, A, b, *, sign=-1.0):
    x = np.linalg.solve(A, b)
    db = np.linalg.solve(A.T, u)
    return sign * np.outer(db, x), db


@vjp_identity(
    vjp=_solve_vjp,
    variables={"A": ("n n", "invertible"), "b": "n"},
    wrt=("A", "b"),
    source=f"{GILES} 3.2 (linear solve)",
)
def vjp_solve(A, b):
    """x = A^-1 b: db = A^-T u, dA = -db x^T"""
    return np.linalg.solve(A, b[..., None])[..., 0]


@vjp_identity(
    vjp=lambda U, X: -inv(X).T @ U @ inv(X).T,
    variables={"X": ("n n", "invertible")},
    wrt="X",
    source=f"{GILES} 3.1 (inverse)",
)
def vjp_inverse(X):
    """Y = X^-1: dX = -X^-T U X^-T"""
    return inv(X)


def _phi(M):
    return np.tril(M) - np.diag(np.diag(M)) / 2


def _cholesky_vjp(U, S, *, symmetrised=True):
    L = np.linalg.cholesky(sym(S))
    Li = inv(L)
    B = Li.T @ _phi(L.T @ U) @ Li
    return sym(B) if symmetrised else B


@vjp_identity(
    vjp=_cholesky_vjp,
    variables={"S": ("n n", "spd")},
    wrt="S",
    source="Murray 2016, Differentiation of the Cholesky decomposition (eq. 10); Iain Murray's Phi",
    note="L = chol(sym(S)), so the gradient is symmetric: sym(L^-T Phi(L^T U) L^-1)",
)
def vjp_cholesky(S):
    """L = chol((S + S^T)/2): dS = sym(L^-T Phi(L^T U) L^-1), Phi = lower triangle, half diagonal"""
    return np.linalg.cholesky(sym(S))


@vjp_identity(
    vjp=lambda u, yhat, y: (2 * u * (yhat - y) / len(y), -2 * u * (yhat - y) / len(y)),
    variables={"yhat": "n", "y": "n"},
    wrt=("yhat", "y"),
    source=f"{ML} (mean squared error)",
)
def vjp_mse(yhat, y):
    """l = mean((yhat - y)^2): dyhat = 2 u (yhat - y) / n, dy = -dyhat"""
    return np.mean((yhat - y) ** 2, axis=-1)


@vjp_identity(
    vjp=lambda u, Z, Y: u * (softmax(Z) * Y.sum(axis=-1, keepdims=True) - Y) / len(Z),
    variables={"Z": "k c", "Y": "k c"},
    wrt="Z",
    source=f"{ML} (softmax cross-entropy of k rows of logits, mean over the batch)",
)
def vjp_softmax_cross_entropy(Z, Y):
    """l = -sum(Y o log softmax(Z)) / k: dZ = u (softmax(Z) o rowsum(Y) - Y) / k"""
    return -np.sum(Y * log_softmax(Z), axis=(-2, -1)) / Z.shape[-2]


@vjp_identity(
    vjp=lambda u, x: u * (1 - np.tanh(x) ** 2),
    variables={"x": "n m"},
    wrt="x",
    source="elementwise: tanh' = 1 - tanh^2",
)
def vjp_tanh(x):
    """y = tanh(x): dx = u o (1 - y^2)"""
    return np.tanh(x)


@vjp_identity(
    vjp=lambda u, x, A: (u * (A + A.T) @ x, u * np.outer(x, x)),
    variables={"x": "n", "A": "n n"},
    wrt=("x", "A"),
    source="Matrix Cookbook (82), (79)",
)
def vjp_quadratic_form(x, A):
    """y = x^T A x: dx = u (A + A^T) x, dA = u x x^T"""
    return np.einsum("...i,...ij,...j->...", x, A, x)


def _mlp_vjp(u, x, W1, W2):
    h = np.tanh(W1 @ x)
    dz = (1 - h**2) * (W2.T @ u)
    return W1.T @ dz, np.outer(dz, x), np.outer(u, h)


@vjp_identity(
    vjp=_mlp_vjp,
    variables={"x": "n", "W1": "h n", "W2": "m h"},
    wrt=("x", "W1", "W2"),
    source=f"{ML} (two-layer perceptron, tanh hidden layer)",
)
def vjp_mlp(x, W1, W2):
    """y = W2 tanh(W1 x): dz = (1 - h^2) o W2^T u, dx = W1^T dz, dW1 = dz x^T, dW2 = u h^T"""
    return mv(W2, np.tanh(mv(W1, x)))


# -- pitfalls --------------------------------------------------------------------------------

vjpw_linear_weight_transposed = pitfall(
    "vjpw_linear_weight_transposed",
    corrects=vjp_linear,
    mistake="transpose",
    derivative=lambda u, W, x: (W.T @ u, np.outer(x, u), u),
    variables={"W": "n n where n >= 2", "b": "n"},
    note="a transposed weight gradient: x u^T for u x^T (square W, so the shape fits)",
)
vjpw_linear_batch_bias_mean = pitfall(
    "vjpw_linear_batch_bias_mean",
    corrects=vjp_linear_batch,
    mistake="scale",
    derivative=lambda U, X, W: (U @ W, U.T @ X, U.mean(axis=0)),
    variables={"X": "k n where k >= 2"},
    note="the batch's mean for its sum in the bias gradient",
)
vjpw_linear_batch_no_batch_sum = pitfall(
    "vjpw_linear_batch_no_batch_sum",
    corrects=vjp_linear_batch,
    mistake="missing_term",
    derivative=lambda U, X, W: (U @ W, np.outer(U[-1], X[-1]), U[-1]),
    variables={"X": "k n where k >= 2"},
    note="a forgotten sum over the batch axis: the last row's gradient only",
)
vjpw_softmax_no_subtraction = pitfall(
    "vjpw_softmax_no_subtraction",
    corrects=vjp_softmax,
    mistake="missing_term",
    derivative=lambda u, z: softmax(z) * u,
    variables={"z": "n where n >= 2"},
    note="the softmax Jacobian taken as diag(y): the - y y^T term is missing",
)
vjpw_attention_no_scale = pitfall(
    "vjpw_attention_no_scale",
    corrects=vjp_attention_scores,
    mistake="scale",
    derivative=lambda U, Q, K: (U @ K, U.T @ Q / np.sqrt(Q.shape[1])),
    variables={"Q": "t d where d >= 2"},
    note="the 1/sqrt(d) of the forward pass forgotten in dQ",
)
vjpw_solve_sign = pitfall(
    "vjpw_solve_sign",
    corrects=vjp_solve,
    mistake="sign",
    derivative=lambda u, A, b: _solve_vjp(u, A, b, sign=1.0),
    note="dA = +db x^T",
)
vjpw_logdet_no_transpose = pitfall(
    "vjpw_logdet_no_transpose",
    corrects=vjp_logdet,
    mistake="transpose",
    derivative=lambda u, X: u * inv(X),
    variables={"X": "n n where n >= 2"},
)
vjpw_inverse_no_transpose = pitfall(
    "vjpw_inverse_no_transpose",
    corrects=vjp_inverse,
    mistake="transpose",
    derivative=lambda U, X: -inv(X) @ U @ inv(X),
    variables={"X": "n n where n >= 2"},
)
vjpw_mse_no_mean = pitfall(
    "vjpw_mse_no_mean",
    corrects=vjp_mse,
    mistake="scale",
    derivative=lambda u, yhat, y: (2 * u * (yhat - y), -2 * u * (yhat - y)),
    variables={"yhat": "n where n >= 2"},
    note="a missing mean normalisation: the gradient of the sum for that of the mean",
)
vjpw_layer_norm_no_variance_term = pitfall(
    "vjpw_layer_norm_no_variance_term",
    corrects=vjp_layer_norm,
    mistake="missing_term",
    derivative=lambda u, x, g: _layer_norm_vjp(u, x, g, mean_term=False),
    variables={"x": "n where n >= 3"},
    note="the variance's dependence on x forgotten: the - xhat mean(gu o xhat) term",
)
vjpw_batched_matmul_no_transpose = pitfall(
    "vjpw_batched_matmul_no_transpose",
    corrects=vjp_batched_matmul,
    mistake="transpose",
    derivative=lambda U, A, B: (U @ B, T(A) @ U),
    variables={"B": "b m m where m >= 2", "A": "b n m"},
    note="dA = U B for U B^T (square B, so the shape fits)",
)
vjpw_cholesky_not_symmetrised = pitfall(
    "vjpw_cholesky_not_symmetrised",
    corrects=vjp_cholesky,
    mistake="structured_convention",
    derivative=lambda U, S: _cholesky_vjp(U, S, symmetrised=False),
    variables={"S": "n n where n >= 2"},
    note="L^-T Phi(L^T U) L^-1 without its symmetric part: the gradient by a symmetric "
    "argument given in a non-symmetric form",
)
