"""Machine-learning losses and layers: least squares, logistic, softmax, Gaussian, attention."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import (
    T,
    det,
    dot,
    fro,
    inv,
    log_softmax,
    logsumexp,
    mv,
    norm,
    quad,
    sigmoid,
    softmax,
    sumall,
)

ident = partial(identity, family="ml_loss", vectorized=True)
ML = "standard ML"
LS = {"X": "n m", "w": "m", "y": "n"}


@ident(
    wrt="w",
    shapes=LS,
    derivative=lambda X, w, y: 2 * X.T @ (X @ w - y),
    latex=r"\frac{\partial \|Xw - y\|^2}{\partial w} = 2 X^T (Xw - y)",
    text="d||Xw - y||^2/dw = 2 X^T (Xw - y)",
    source=f"{ML}; project seed notes",
)
def d_least_squares_dw(X, w, y):
    return norm(mv(X, w) - y) ** 2


@ident(
    wrt="beta",
    shapes={"X": "n m", "beta": "m", "y": "n"},
    derivative=lambda X, beta, y: -2 * X.T @ y + 2 * X.T @ X @ beta,
    text="RSS(beta) = (y - X beta)^T (y - X beta): dRSS/dbeta = -2 X^T y + 2 X^T X beta",
    source=f"{ML}; project seed notes",
)
def d_rss_dbeta(X, beta, y):
    r = y - mv(X, beta)
    return dot(r, r)


@ident(
    wrt="X",
    shapes=LS,
    derivative=lambda X, w, y: 2 * np.outer(X @ w - y, w),
    text="d||Xw - y||^2/dX = 2 (Xw - y) w^T",
    source=ML,
)
def d_least_squares_dX(X, w, y):
    return norm(mv(X, w) - y) ** 2


@ident(
    wrt="w",
    shapes=LS,
    derivative=lambda X, w, y: X.T @ (X @ w - y) / len(y),
    text="d mean((Xw - y)^2)/2 /dw = X^T (Xw - y) / n",
    source=f"{ML} (n = number of rows of X)",
)
def d_half_mse_dw(X, w, y):
    return np.mean((mv(X, w) - y) ** 2, axis=-1) / 2


@ident(
    wrt="w",
    shapes={**LS, "lam": ""},
    constraints={"lam": "positive"},
    derivative=lambda X, w, y, lam: 2 * X.T @ (X @ w - y) + 2 * lam * w,
    text="d(||Xw - y||^2 + lam w^T w)/dw = 2 X^T (Xw - y) + 2 lam w",
    source=ML,
)
def d_ridge_dw(X, w, y, lam):
    return norm(mv(X, w) - y) ** 2 + lam * dot(w, w)


@ident(
    wrt="b",
    shapes={"X": "n m", "b": "m", "y": "n", "W": "n n"},
    constraints={"W": "spd"},
    derivative=lambda X, b, y, W: -2 * X.T @ W @ (y - X @ b),
    text="d((y - Xb)^T W (y - Xb))/db = -2 X^T W (y - Xb)",
    source=f"{ML}; Matrix Cookbook (85)",
    note="W symmetric",
)
def d_weighted_ls_db(X, b, y, W):
    r = y - mv(X, b)
    return quad(r, W, r)


def _bce(y, s):
    return -np.sum(y * np.log(s) + (1 - y) * np.log(1 - s), axis=-1)


BINARY = {"y": "binary"}


@ident(
    wrt="w",
    shapes=LS,
    constraints=BINARY,
    derivative=lambda X, w, y: X.T @ (sigmoid(X @ w) - y),
    text="logistic loss, labels {0,1}: d/dw = X^T (sigmoid(Xw) - y)",
    source=f"{ML} (logistic regression, labels in {{0,1}})",
)
def d_logistic_01_dw(X, w, y):
    return _bce(y, sigmoid(mv(X, w)))


@ident(
    wrt="w",
    shapes=LS,
    constraints={"y": "pm1"},
    derivative=lambda X, w, y: -X.T @ (y * sigmoid(-y * (X @ w))),
    text="d sum(log(1 + exp(-y o Xw)))/dw = -X^T (y o sigmoid(-y o Xw))",
    source=f"{ML} (logistic regression, labels in {{-1,+1}})",
)
def d_logistic_pm1_dw(X, w, y):
    return np.sum(np.logaddexp(0, -y * mv(X, w)), axis=-1)


@ident(
    wrt="w",
    shapes={**LS, "lam": ""},
    constraints={"y": "binary", "lam": "positive"},
    derivative=lambda X, w, y, lam: X.T @ (sigmoid(X @ w) - y) + lam * w,
    text="L2-regularised logistic loss: d/dw = X^T (sigmoid(Xw) - y) + lam w",
    source=f"{ML} (L2-regularised logistic regression)",
)
def d_logistic_l2_dw(X, w, y, lam):
    z = mv(X, w)
    return np.sum(np.logaddexp(0, z), axis=-1) - dot(y, z) + lam / 2 * dot(w, w)


@ident(
    wrt="z",
    shapes={"z": "n", "y": "n"},
    constraints=BINARY,
    derivative=lambda z, y: sigmoid(z) - y,
    text="d BCE(sigmoid(z), y)/dz = sigmoid(z) - y",
    source=f"{ML} (binary cross-entropy on logits)",
)
def d_bce_logits_dz(z, y):
    return _bce(y, sigmoid(z))


@ident(
    wrt="z",
    shapes={"z": "n", "y": "n"},
    constraints={"y": "simplex"},
    derivative=lambda z, y: softmax(z) - y,
    latex=r"\frac{\partial}{\partial z}\left(-y^T \log \operatorname{softmax}(z)\right) = "
    r"\operatorname{softmax}(z) - y",
    text="d(-y^T log softmax(z))/dz = softmax(z) - y",
    source=f"{ML} (softmax cross-entropy)",
    note="needs sum(y) = 1",
)
def d_softmax_ce_dz(z, y):
    return -dot(y, log_softmax(z))


@ident(
    wrt="z",
    shapes={"z": "n", "y": "n"},
    constraints={"y": "positive"},
    derivative=lambda z, y: np.sum(y) * softmax(z) - y,
    text="d(-y^T log softmax(z))/dz = sum(y) softmax(z) - y",
    source=f"{ML} (general non-negative targets)",
)
def d_softmax_ce_unnormalised_dz(z, y):
    return -dot(y, log_softmax(z))


@ident(
    wrt="z",
    shapes={"z": "n"},
    derivative=lambda z: softmax(z),
    text="d logsumexp(z)/dz = softmax(z)",
    source=ML,
)
def d_logsumexp_dz(z):
    return logsumexp(z)


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: A.T @ softmax(A @ x),
    text="d logsumexp(Ax)/dx = A^T softmax(Ax)",
    source=ML,
)
def d_logsumexp_Ax_dx(A, x):
    return logsumexp(mv(A, x))


@ident(
    wrt="z",
    shapes={"z": "n"},
    derivative=lambda z: np.diag(softmax(z)) - np.outer(softmax(z), softmax(z)),
    text="d softmax(z)/dz = diag(s) - s s^T",
    source=f"{ML} (symmetric Jacobian)",
)
def d_softmax_jacobian(z):
    return softmax(z)


@ident(
    wrt="z",
    shapes={"z": "n"},
    derivative=lambda z: np.eye(len(z)) - np.outer(softmax(z), np.ones(len(z))),
    text="d log_softmax(z)/dz = I - s 1^T (denominator) = I - 1 s^T (numerator)",
    source=ML,
    note="denominator layout: [i, j] = delta_ij - s_i",
)
def d_log_softmax_jacobian(z):
    return log_softmax(z)


@ident(
    wrt="W",
    shapes={"W": "p n", "x": "n", "y": "p"},
    constraints={"y": "simplex"},
    derivative=lambda W, x, y: np.outer(softmax(W @ x) - y, x),
    text="d(-y^T log softmax(Wx))/dW = (softmax(Wx) - y) x^T",
    source=f"{ML} (linear layer + softmax cross-entropy)",
)
def d_softmax_ce_dW(W, x, y):
    return -dot(y, log_softmax(mv(W, x)))


@ident(
    wrt="W",
    shapes={"X": "n m", "W": "m p", "Y": "n p"},
    constraints={"Y": "onehot"},
    derivative=lambda X, W, Y: X.T @ (softmax(X @ W) - Y),
    text="d(-sum(Y o log_softmax(XW)))/dW = X^T (softmax(XW) - Y)",
    source=f"{ML} (multinomial logistic regression)",
)
def d_multinomial_logistic_dW(X, W, Y):
    return -sumall(Y * log_softmax(X @ W))


@ident(
    wrt="z",
    shapes={"p": "n", "z": "n"},
    constraints={"p": "simplex"},
    derivative=lambda p, z: softmax(z) - p,
    text="d KL(p || softmax(z))/dz = softmax(z) - p",
    source=f"{ML} (KL(p || softmax(z)))",
)
def d_kl_softmax_dz(p, z):
    return np.sum(p * (np.log(p) - log_softmax(z)), axis=-1)


def _dentropy(z):
    s, ls = softmax(z), log_softmax(z)
    return -s * (ls - s @ ls)


@ident(
    wrt="z",
    shapes={"z": "n"},
    derivative=_dentropy,
    text="d H(softmax(z))/dz = -s o (log s - s^T log s)",
    source=f"{ML} (entropy of softmax)",
)
def d_entropy_softmax_dz(z):
    return -np.sum(softmax(z) * log_softmax(z), axis=-1)


GAUSS = {"X": "n m", "mu": "m", "S": "m m"}


def _centred(X, mu):
    return X - np.asarray(mu)[..., None, :]


@ident(
    wrt="mu",
    shapes=GAUSS,
    constraints={"S": "spd"},
    derivative=lambda X, mu, S: -inv(S) @ (X - mu).sum(axis=0),
    text="d (1/2) sum_i (x_i - mu)^T S^-1 (x_i - mu) /dmu = -S^-1 sum_i (x_i - mu)",
    source=f"{ML} (Gaussian NLL w.r.t. the mean)",
)
def d_gauss_nll_dmu(X, mu, S):
    D = _centred(X, mu)
    return 0.5 * sumall((D @ inv(S)) * D)


def _gauss_loglik(X, mu, S):
    D = X - mu
    n = X.shape[-2]
    return -0.5 * n * np.log(det(S)) - 0.5 * np.trace(inv(S) @ T(D) @ D, axis1=-2, axis2=-1)


@ident(
    wrt="S",
    shapes=GAUSS,
    constraints={"S": "spd"},
    derivative=lambda X, mu, S: (
        -0.5 * len(X) * inv(S) + 0.5 * inv(S) @ (X - mu).T @ (X - mu) @ inv(S)
    ),
    text="d loglik/dSigma = -(n/2) S^-1 + (1/2) S^-1 (X - mu)^T (X - mu) S^-1",
    source=f"{ML} (Gaussian log-likelihood w.r.t. covariance); Matrix Cookbook (57), (63)",
    note="entries of S unstructured",
)
def d_gauss_loglik_dSigma(X, mu, S):
    return _gauss_loglik(X, mu, S)


@ident(
    wrt="P",
    shapes={"X": "n m", "mu": "m", "P": "m m"},
    constraints={"P": "spd"},
    derivative=lambda X, mu, P: 0.5 * len(X) * inv(P) - 0.5 * (X - mu).T @ (X - mu),
    text="d loglik/dP = (n/2) P^-1 - (1/2) (X - mu)^T (X - mu)",
    source=f"{ML} (Gaussian log-likelihood w.r.t. precision)",
    note="entries of P unstructured",
)
def d_gauss_loglik_dPrecision(X, mu, P):
    D = X - mu
    n = X.shape[-2]
    return 0.5 * n * np.log(det(P)) - 0.5 * np.trace(P @ T(D) @ D, axis1=-2, axis2=-1)


@ident(
    wrt="K",
    shapes={"y": "n", "K": "n n"},
    constraints={"K": "spd"},
    derivative=lambda y, K: 0.5 * inv(K) @ np.outer(y, y) @ inv(K) - 0.5 * inv(K),
    text="d(-y^T K^-1 y/2 - log det(K)/2)/dK = K^-1 y y^T K^-1 / 2 - K^-1 / 2",
    source=f"{ML} (Gaussian-process log marginal likelihood)",
)
def d_gp_marginal_dK(y, K):
    return -0.5 * quad(y, inv(K), y) - 0.5 * np.log(det(K))


LAYER = {"X": "n m", "W": "m p", "b": "p", "G": "n p"}


def _affine(X, W, b):
    return X @ W + np.asarray(b)[..., None, :]


@ident(
    wrt="W",
    shapes=LAYER,
    derivative=lambda X, W, b, G: X.T @ G,
    text="d sum(G o (XW + b))/dW = X^T G",
    source=f"{ML} (linear layer backprop)",
)
def d_linear_layer_dW(X, W, b, G):
    return sumall(G * _affine(X, W, b))


@ident(
    wrt="X",
    shapes=LAYER,
    derivative=lambda X, W, b, G: G @ W.T,
    text="d sum(G o (XW + b))/dX = G W^T",
    source=ML,
)
def d_linear_layer_dX(X, W, b, G):
    return sumall(G * _affine(X, W, b))


@ident(
    wrt="b",
    shapes=LAYER,
    derivative=lambda X, W, b, G: G.sum(axis=0),
    text="d sum(G o (XW + b))/db = 1^T G",
    source=ML,
)
def d_linear_layer_db(X, W, b, G):
    return sumall(G * _affine(X, W, b))


MSE = {"X": "n m", "W": "m p", "b": "p", "T": "n p"}


@ident(
    wrt="W",
    shapes=MSE,
    derivative=lambda X, W, b, T: X.T @ (X @ W + b - T),
    text="d (1/2)||XW + b - T||^2/dW = X^T (XW + b - T)",
    source=ML,
)
def d_linear_mse_dW(X, W, b, T):
    return 0.5 * sumall((_affine(X, W, b) - T) ** 2)


@ident(
    wrt="b",
    shapes=MSE,
    derivative=lambda X, W, b, T: (X @ W + b - T).sum(axis=0),
    text="d (1/2)||XW + b - T||^2/db = 1^T (XW + b - T)",
    source=ML,
)
def d_linear_mse_db(X, W, b, T):
    return 0.5 * sumall((_affine(X, W, b) - T) ** 2)


@ident(
    wrt="W",
    shapes={"X": "n m", "W": "m p", "G": "n p"},
    derivative=lambda X, W, G: X.T @ (G * (1 - np.tanh(X @ W) ** 2)),
    text="d sum(G o tanh(XW))/dW = X^T (G o (1 - tanh(XW)^2))",
    source=ML,
)
def d_tanh_layer_dW(X, W, G):
    return sumall(G * np.tanh(X @ W))


@ident(
    wrt="W",
    shapes={"X": "n m", "W": "m p", "G": "n p"},
    derivative=lambda X, W, G: X.T @ (G * (X @ W > 0)),
    text="d sum(G o relu(XW))/dW = X^T (G o [XW > 0])",
    source=f"{ML} (away from the kink)",
)
def d_relu_layer_dW(X, W, G):
    return sumall(G * np.maximum(X @ W, 0))


def _dmlp(W1, W2, x, y):
    h = np.tanh(W1 @ x)
    return np.outer((1 - h**2) * (W2.T @ (W2 @ h - y)), x)


@ident(
    wrt="W1",
    shapes={"W1": "p n", "W2": "m p", "x": "n", "y": "m"},
    derivative=_dmlp,
    text="d (1/2)||W2 tanh(W1 x) - y||^2/dW1 = ((1 - h^2) o W2^T (W2 h - y)) x^T",
    source=f"{ML} (backprop through tanh)",
)
def d_two_layer_mlp_dW1(W1, W2, x, y):
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


@ident(
    wrt="V",
    shapes=ATTN,
    derivative=lambda Q, K, V, G: _attention_backward(Q, K, V, G)[0].T @ G,
    text="d sum(G o softmax(QK^T/sqrt(p)) V)/dV = P^T G",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dV(Q, K, V, G):
    return _attention(Q, K, V, G)


def _dscores(S, V, G):
    P = softmax(S)
    dP = G @ V.T
    return P * (dP - np.sum(dP * P, axis=1, keepdims=True))


@ident(
    wrt="S",
    shapes={"S": "n m", "V": "m q", "G": "n q"},
    derivative=_dscores,
    text="dS = P o (dP - rowsum(dP o P)), dP = G V^T",
    source=f"{ML} (row-softmax backward)",
)
def d_attention_dScores(S, V, G):
    return sumall(G * (softmax(S) @ V))


@ident(
    wrt="Q",
    shapes=ATTN,
    derivative=lambda Q, K, V, G: (lambda P, dS, p: dS @ K / np.sqrt(p))(
        *_attention_backward(Q, K, V, G)
    ),
    text="dQ = dS K / sqrt(p)",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dQ(Q, K, V, G):
    return _attention(Q, K, V, G)


@ident(
    wrt="K",
    shapes=ATTN,
    derivative=lambda Q, K, V, G: (lambda P, dS, p: dS.T @ Q / np.sqrt(p))(
        *_attention_backward(Q, K, V, G)
    ),
    text="dK = dS^T Q / sqrt(p)",
    source=f"{ML} (scaled dot-product attention)",
)
def d_attention_dK(Q, K, V, G):
    return _attention(Q, K, V, G)


@ident(
    wrt="w",
    shapes=LS,
    constraints={"y": "positive"},
    derivative=lambda X, w, y: X.T @ (np.exp(X @ w) - y),
    text="d sum(exp(Xw) - y o Xw)/dw = X^T (exp(Xw) - y)",
    source=f"{ML} (Poisson regression NLL)",
)
def d_poisson_glm_dw(X, w, y):
    z = mv(X, w)
    return np.sum(np.exp(z) - y * z, axis=-1)


MF = {"Y": "n m", "U": "n p", "V": "m p"}


@ident(
    wrt="U",
    shapes=MF,
    derivative=lambda Y, U, V: -2 * (Y - U @ V.T) @ V,
    text="d||Y - U V^T||_F^2/dU = -2 (Y - U V^T) V",
    source=f"{ML} (matrix factorisation)",
)
def d_matfact_dU(Y, U, V):
    return fro(Y - U @ T(V)) ** 2


@ident(
    wrt="V",
    shapes=MF,
    derivative=lambda Y, U, V: -2 * (Y - U @ V.T).T @ U,
    text="d||Y - U V^T||_F^2/dV = -2 (Y - U V^T)^T U",
    source=f"{ML} (matrix factorisation)",
)
def d_matfact_dV(Y, U, V):
    return fro(Y - U @ T(V)) ** 2


def _dcos(x, y):
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    return y / (nx * ny) - (x @ y) * x / (nx**3 * ny)


@ident(
    wrt="x",
    shapes={"x": "n", "y": "n"},
    conditions=("n >= 2",),
    derivative=_dcos,
    text="d cos(x, y)/dx = y/(|x||y|) - (x^T y) x/(|x|^3 |y|)",
    source=ML,
    note="for n = 1 the cosine is constant (+-1)",
)
def d_cosine_similarity_dx(x, y):
    return dot(x, y) / (norm(x) * norm(y))


@ident(
    wrt="w",
    shapes=LS,
    constraints={"y": "pm1"},
    derivative=lambda X, w, y: -2 * X.T @ (y * np.maximum(0, 1 - y * (X @ w))),
    text="d sum(max(0, 1 - y o Xw)^2)/dw = -2 X^T (y o max(0, 1 - y o Xw))",
    source=f"{ML} (L2-SVM / squared hinge)",
)
def d_squared_hinge_dw(X, w, y):
    return np.sum(np.maximum(0, 1 - y * mv(X, w)) ** 2, axis=-1)
