"""Machine-learning losses and layers: least squares, logistic, softmax, Gaussian, attention."""

import numpy as np

from gradcheck import identity

from ._helpers import (
    T,
    det,
    dot,
    inv,
    log_softmax,
    mv,
    norm,
    quad,
    sigmoid,
    softmax,
    sumall,
)

ML = "standard ML"
LS = {"X": "n m", "w": "m", "y": "n"}


d_least_squares_dw = identity(
    "d_least_squares_dw",
    f="norm(X @ w - y) ** 2",
    derivative="2 * X.T @ (X @ w - y)",
    variables={"X": "n m", "w": "m", "y": "n"},
    wrt="w",
    source=f"{ML}; project seed notes",
)


@identity(
    derivative=lambda X, beta, y: -2 * X.T @ y + 2 * X.T @ X @ beta,
    variables={"X": "n m", "beta": "m", "y": "n"},
    wrt="beta",
    source=f"{ML}; project seed notes",
)
def d_rss_dbeta(X, beta, y):
    """RSS(beta) = (y - X beta)^T (y - X beta): dRSS/dbeta = -2 X^T y + 2 X^T X beta"""
    r = y - mv(X, beta)
    return dot(r, r)


d_least_squares_dX = identity(
    "d_least_squares_dX",
    f="norm(X @ w - y) ** 2",
    derivative="2 * outer(X @ w - y, w)",
    variables={"X": "n m", "w": "m", "y": "n"},
    wrt="X",
    source=ML,
)


@identity(
    derivative=lambda X, w, y: X.T @ (X @ w - y) / len(y),
    variables={"X": "n m", "w": "m", "y": "n"},
    wrt="w",
    source=f"{ML} (n = number of rows of X)",
)
def d_half_mse_dw(X, w, y):
    """d mean((Xw - y)^2)/2 /dw = X^T (Xw - y) / n"""
    return np.mean((mv(X, w) - y) ** 2, axis=-1) / 2


d_ridge_dw = identity(
    "d_ridge_dw",
    f="norm(X @ w - y) ** 2 + lam * (w @ w)",
    derivative="2 * X.T @ (X @ w - y) + 2 * lam * w",
    variables={"X": "n m", "w": "m", "y": "n", "lam": ("", "positive")},
    wrt="w",
    source=ML,
)


@identity(
    derivative=lambda X, b, y, W: -2 * X.T @ W @ (y - X @ b),
    variables={"X": "n m", "b": "m", "y": "n", "W": ("n n", "spd")},
    wrt="b",
    source=f"{ML}; Matrix Cookbook (85)",
    note="W symmetric",
)
def d_weighted_ls_db(X, b, y, W):
    """d((y - Xb)^T W (y - Xb))/db = -2 X^T W (y - Xb)"""
    r = y - mv(X, b)
    return quad(r, W, r)


def _bce(y, s):
    return -np.sum(y * np.log(s) + (1 - y) * np.log(1 - s), axis=-1)


BINARY = {"y": "binary"}


@identity(
    derivative=lambda X, w, y: X.T @ (sigmoid(X @ w) - y),
    variables={"X": "n m", "w": "m", "y": ("n", "binary")},
    wrt="w",
    source=f"{ML} (logistic regression, labels in {{0,1}})",
)
def d_logistic_01_dw(X, w, y):
    """logistic loss, labels {0,1}: d/dw = X^T (sigmoid(Xw) - y)"""
    return _bce(y, sigmoid(mv(X, w)))


d_logistic_pm1_dw = identity(
    "d_logistic_pm1_dw",
    f="sum(logaddexp(0, -y * (X @ w)), axis=-1)",
    derivative="-X.T @ (y * sigmoid(-y * (X @ w)))",
    variables={"X": "n m", "w": "m", "y": ("n", "pm1")},
    wrt="w",
    source=f"{ML} (logistic regression, labels in {{-1,+1}})",
)


@identity(
    derivative=lambda X, w, y, lam: X.T @ (sigmoid(X @ w) - y) + lam * w,
    variables={"X": "n m", "w": "m", "y": ("n", "binary"), "lam": ("", "positive")},
    wrt="w",
    source=f"{ML} (L2-regularised logistic regression)",
)
def d_logistic_l2_dw(X, w, y, lam):
    """L2-regularised logistic loss: d/dw = X^T (sigmoid(Xw) - y) + lam w"""
    z = mv(X, w)
    return np.sum(np.logaddexp(0, z), axis=-1) - dot(y, z) + lam / 2 * dot(w, w)


@identity(
    derivative=lambda z, y: sigmoid(z) - y,
    variables={"z": "n", "y": ("n", "binary")},
    wrt="z",
    source=f"{ML} (binary cross-entropy on logits)",
)
def d_bce_logits_dz(z, y):
    """d BCE(sigmoid(z), y)/dz = sigmoid(z) - y"""
    return _bce(y, sigmoid(z))


@identity(
    derivative=lambda z, y: softmax(z) - y,
    variables={"z": "n", "y": ("n", "simplex")},
    wrt="z",
    source=f"{ML} (softmax cross-entropy)",
    note="needs sum(y) = 1",
)
def d_softmax_ce_dz(z, y):
    """d(-y^T log softmax(z))/dz = softmax(z) - y"""
    return -dot(y, log_softmax(z))


@identity(
    derivative=lambda z, y: np.sum(y) * softmax(z) - y,
    variables={"z": "n", "y": ("n", "positive")},
    wrt="z",
    source=f"{ML} (general non-negative targets)",
)
def d_softmax_ce_unnormalised_dz(z, y):
    """d(-y^T log softmax(z))/dz = sum(y) softmax(z) - y"""
    return -dot(y, log_softmax(z))


d_logsumexp_dz = identity(
    "d_logsumexp_dz",
    f="logsumexp(z)",
    derivative="softmax(z)",
    variables={"z": "n"},
    wrt="z",
    source=ML,
)


d_logsumexp_Ax_dx = identity(
    "d_logsumexp_Ax_dx",
    f="logsumexp(A @ x)",
    derivative="A.T @ softmax(A @ x)",
    variables={"A": "m n", "x": "n"},
    wrt="x",
    source=ML,
)


d_softmax_jacobian = identity(
    "d_softmax_jacobian",
    f="softmax(z)",
    derivative="diag(softmax(z)) - outer(softmax(z), softmax(z))",
    variables={"z": "n"},
    wrt="z",
    source=f"{ML} (symmetric Jacobian)",
)


@identity(
    derivative=lambda z: np.eye(len(z)) - np.outer(softmax(z), np.ones(len(z))),
    variables={"z": "n"},
    wrt="z",
    source=ML,
    note="denominator layout: [i, j] = delta_ij - s_i",
)
def d_log_softmax_jacobian(z):
    """d log_softmax(z)/dz = I - s 1^T (denominator) = I - 1 s^T (numerator)"""
    return log_softmax(z)


@identity(
    derivative=lambda W, x, y: np.outer(softmax(W @ x) - y, x),
    variables={"W": "p n", "x": "n", "y": ("p", "simplex")},
    wrt="W",
    source=f"{ML} (linear layer + softmax cross-entropy)",
)
def d_softmax_ce_dW(W, x, y):
    """d(-y^T log softmax(Wx))/dW = (softmax(Wx) - y) x^T"""
    return -dot(y, log_softmax(mv(W, x)))


@identity(
    derivative=lambda X, W, Y: X.T @ (softmax(X @ W) - Y),
    variables={"X": "n m", "W": "m p", "Y": ("n p", "onehot")},
    wrt="W",
    source=f"{ML} (multinomial logistic regression)",
)
def d_multinomial_logistic_dW(X, W, Y):
    """d(-sum(Y o log_softmax(XW)))/dW = X^T (softmax(XW) - Y)"""
    return -sumall(Y * log_softmax(X @ W))


@identity(
    derivative=lambda p, z: softmax(z) - p,
    variables={"p": ("n", "simplex"), "z": "n"},
    wrt="z",
    source=f"{ML} (KL(p || softmax(z)))",
)
def d_kl_softmax_dz(p, z):
    """d KL(p || softmax(z))/dz = softmax(z) - p"""
    return np.sum(p * (np.log(p) - log_softmax(z)), axis=-1)


def _dentropy(z):
    s, ls = softmax(z), log_softmax(z)
    return -s * (ls - s @ ls)


@identity(
    derivative=_dentropy,
    variables={"z": "n"},
    wrt="z",
    source=f"{ML} (entropy of softmax)",
)
def d_entropy_softmax_dz(z):
    """d H(softmax(z))/dz = -s o (log s - s^T log s)"""
    return -np.sum(softmax(z) * log_softmax(z), axis=-1)


GAUSS = {"X": "n m", "mu": "m", "S": "m m"}


def _centred(X, mu):
    return X - np.asarray(mu)[..., None, :]


@identity(
    derivative=lambda X, mu, S: -inv(S) @ (X - mu).sum(axis=0),
    variables={"X": "n m", "mu": "m", "S": ("m m", "spd")},
    wrt="mu",
    source=f"{ML} (Gaussian NLL w.r.t. the mean)",
)
def d_gauss_nll_dmu(X, mu, S):
    """d (1/2) sum_i (x_i - mu)^T S^-1 (x_i - mu) /dmu = -S^-1 sum_i (x_i - mu)"""
    D = _centred(X, mu)
    return 0.5 * sumall((D @ inv(S)) * D)


def _gauss_loglik(X, mu, S):
    D = X - mu
    n = X.shape[-2]
    return -0.5 * n * np.log(det(S)) - 0.5 * np.trace(inv(S) @ T(D) @ D, axis1=-2, axis2=-1)


@identity(
    derivative=lambda X, mu, S: (
        -0.5 * len(X) * inv(S) + 0.5 * inv(S) @ (X - mu).T @ (X - mu) @ inv(S)
    ),
    variables={"X": "n m", "mu": "m", "S": ("m m", "spd")},
    wrt="S",
    source=f"{ML} (Gaussian log-likelihood w.r.t. covariance); Matrix Cookbook (57), (63)",
    note="entries of S unstructured",
)
def d_gauss_loglik_dSigma(X, mu, S):
    """d loglik/dSigma = -(n/2) S^-1 + (1/2) S^-1 (X - mu)^T (X - mu) S^-1"""
    return _gauss_loglik(X, mu, S)


@identity(
    derivative=lambda X, mu, P: 0.5 * len(X) * inv(P) - 0.5 * (X - mu).T @ (X - mu),
    variables={"X": "n m", "mu": "m", "P": ("m m", "spd")},
    wrt="P",
    source=f"{ML} (Gaussian log-likelihood w.r.t. precision)",
    note="entries of P unstructured",
)
def d_gauss_loglik_dPrecision(X, mu, P):
    """d loglik/dP = (n/2) P^-1 - (1/2) (X - mu)^T (X - mu)"""
    D = X - mu
    n = X.shape[-2]
    return 0.5 * n * np.log(det(P)) - 0.5 * np.trace(P @ T(D) @ D, axis1=-2, axis2=-1)


d_gp_marginal_dK = identity(
    "d_gp_marginal_dK",
    f="-0.5 * (y @ inv(K) @ y) - 0.5 * log(det(K))",
    derivative="0.5 * inv(K) @ outer(y, y) @ inv(K) - 0.5 * inv(K)",
    variables={"y": "n", "K": ("n n", "spd")},
    wrt="K",
    source=f"{ML} (Gaussian-process log marginal likelihood)",
)


LAYER = {"X": "n m", "W": "m p", "b": "p", "G": "n p"}


def _affine(X, W, b):
    return X @ W + np.asarray(b)[..., None, :]


@identity(
    derivative=lambda X, G: X.T @ G,
    variables={"X": "n m", "W": "m p", "b": "p", "G": "n p"},
    wrt="W",
    source=f"{ML} (linear layer backprop)",
)
def d_linear_layer_dW(X, W, b, G):
    """d sum(G o (XW + b))/dW = X^T G"""
    return sumall(G * _affine(X, W, b))


@identity(
    derivative=lambda W, G: G @ W.T,
    variables={"X": "n m", "W": "m p", "b": "p", "G": "n p"},
    wrt="X",
    source=ML,
)
def d_linear_layer_dX(X, W, b, G):
    """d sum(G o (XW + b))/dX = G W^T"""
    return sumall(G * _affine(X, W, b))


@identity(
    derivative=lambda G: G.sum(axis=0),
    variables={"X": "n m", "W": "m p", "b": "p", "G": "n p"},
    wrt="b",
    source=ML,
)
def d_linear_layer_db(X, W, b, G):
    """d sum(G o (XW + b))/db = 1^T G"""
    return sumall(G * _affine(X, W, b))


MSE = {"X": "n m", "W": "m p", "b": "p", "T": "n p"}


@identity(
    derivative=lambda X, W, b, T: X.T @ (X @ W + b - T),
    variables={"X": "n m", "W": "m p", "b": "p", "T": "n p"},
    wrt="W",
    source=ML,
)
def d_linear_mse_dW(X, W, b, T):
    """d (1/2)||XW + b - T||^2/dW = X^T (XW + b - T)"""
    return 0.5 * sumall((_affine(X, W, b) - T) ** 2)


@identity(
    derivative=lambda X, W, b, T: (X @ W + b - T).sum(axis=0),
    variables={"X": "n m", "W": "m p", "b": "p", "T": "n p"},
    wrt="b",
    source=ML,
)
def d_linear_mse_db(X, W, b, T):
    """d (1/2)||XW + b - T||^2/db = 1^T (XW + b - T)"""
    return 0.5 * sumall((_affine(X, W, b) - T) ** 2)


d_tanh_layer_dW = identity(
    "d_tanh_layer_dW",
    f="sum(G * tanh(X @ W))",
    derivative="X.T @ (G * (1 - tanh(X @ W) ** 2))",
    variables={"X": "n m", "W": "m p", "G": "n p"},
    wrt="W",
    source=ML,
)


@identity(
    derivative=lambda X, W, G: X.T @ (G * (X @ W > 0)),
    variables={"X": "n m", "W": "m p", "G": "n p"},
    wrt="W",
    source=f"{ML} (away from the kink)",
)
def d_relu_layer_dW(X, W, G):
    """d sum(G o relu(XW))/dW = X^T (G o [XW > 0])"""
    return sumall(G * np.maximum(X @ W, 0))


def _dmlp(W1, W2, x, y):
    h = np.tanh(W1 @ x)
    return np.outer((1 - h**2) * (W2.T @ (W2 @ h - y)), x)


@identity(
    derivative=_dmlp,
    variables={"W1": "p n", "W2": "m p", "x": "n", "y": "m"},
    wrt="W1",
    source=f"{ML} (backprop through tanh)",
)
def d_two_layer_mlp_dW1(W1, W2, x, y):
    """d (1/2)||W2 tanh(W1 x) - y||^2/dW1 = ((1 - h^2) o W2^T (W2 h - y)) x^T"""
    r = mv(W2, np.tanh(mv(W1, x))) - y
    return 0.5 * dot(r, r)


ATTN = {"Q": "n p", "K": "m p", "V": "m q", "G": "n q"}


def _attention(Q, K, V, G):
    p = Q.shape[-1]
    return sumall(G * (softmax(Q @ T(K) / np.sqrt(p)) @ V))


def _attention_backward(Q, K, V, G):
    p = Q.shape[1]
    P = softmax(Q @ K.T / np.sqrt(p))
    dP = G @ V.T
    return P, P * (dP - np.sum(dP * P, axis=1, keepdims=True)), p


@identity(
    derivative=lambda Q, K, V, G: _attention_backward(Q, K, V, G)[0].T @ G,
    variables={"Q": "n p", "K": "m p", "V": "m q", "G": "n q"},
    wrt="V",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dV(Q, K, V, G):
    """d sum(G o softmax(QK^T/sqrt(p)) V)/dV = P^T G"""
    return _attention(Q, K, V, G)


def _dscores(S, V, G):
    P = softmax(S)
    dP = G @ V.T
    return P * (dP - np.sum(dP * P, axis=1, keepdims=True))


@identity(
    derivative=_dscores,
    variables={"S": "n m", "V": "m q", "G": "n q"},
    wrt="S",
    source=f"{ML} (row-softmax backward)",
)
def d_attention_dScores(S, V, G):
    """dS = P o (dP - rowsum(dP o P)), dP = G V^T"""
    return sumall(G * (softmax(S) @ V))


@identity(
    derivative=lambda Q, K, V, G: (lambda P, dS, p: dS @ K / np.sqrt(p))(
        *_attention_backward(Q, K, V, G)
    ),
    variables={"Q": "n p", "K": "m p", "V": "m q", "G": "n q"},
    wrt="Q",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dQ(Q, K, V, G):
    """dQ = dS K / sqrt(p)"""
    return _attention(Q, K, V, G)


@identity(
    derivative=lambda Q, K, V, G: (lambda P, dS, p: dS.T @ Q / np.sqrt(p))(
        *_attention_backward(Q, K, V, G)
    ),
    variables={"Q": "n p", "K": "m p", "V": "m q", "G": "n q"},
    wrt="K",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dK(Q, K, V, G):
    """dK = dS^T Q / sqrt(p)"""
    return _attention(Q, K, V, G)


@identity(
    derivative=lambda X, w, y: X.T @ (np.exp(X @ w) - y),
    variables={"X": "n m", "w": "m", "y": ("n", "positive")},
    wrt="w",
    source=f"{ML} (Poisson regression NLL)",
)
def d_poisson_glm_dw(X, w, y):
    """d sum(exp(Xw) - y o Xw)/dw = X^T (exp(Xw) - y)"""
    z = mv(X, w)
    return np.sum(np.exp(z) - y * z, axis=-1)


MF = {"Y": "n m", "U": "n p", "V": "m p"}


d_matfact_dU = identity(
    "d_matfact_dU",
    f="norm(Y - U @ V.T) ** 2",
    derivative="-2 * (Y - U @ V.T) @ V",
    variables={"Y": "n m", "U": "n p", "V": "m p"},
    wrt="U",
    source=f"{ML} (matrix factorisation)",
)


d_matfact_dV = identity(
    "d_matfact_dV",
    f="norm(Y - U @ V.T) ** 2",
    derivative="-2 * (Y - U @ V.T).T @ U",
    variables={"Y": "n m", "U": "n p", "V": "m p"},
    wrt="V",
    source=f"{ML} (matrix factorisation)",
)


def _dcos(x, y):
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    return y / (nx * ny) - (x @ y) * x / (nx**3 * ny)


@identity(
    derivative=_dcos,
    variables={"x": "n where n >= 2", "y": "n"},
    wrt="x",
    source=ML,
    note="for n = 1 the cosine is constant (+-1)",
)
def d_cosine_similarity_dx(x, y):
    """d cos(x, y)/dx = y/(|x||y|) - (x^T y) x/(|x|^3 |y|)"""
    return dot(x, y) / (norm(x) * norm(y))


d_squared_hinge_dw = identity(
    "d_squared_hinge_dw",
    f="sum(maximum(0, 1 - y * (X @ w)) ** 2, axis=-1)",
    derivative="-2 * X.T @ (y * maximum(0, 1 - y * (X @ w)))",
    variables={"X": "n m", "w": "m", "y": ("n", "pm1")},
    wrt="w",
    source=f"{ML} (L2-SVM / squared hinge)",
)
