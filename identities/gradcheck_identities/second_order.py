"""Second derivatives: Hessians of scalar functions and mixed blocks, with their pitfalls.

Each entry states f, its gradient and its Hessian; the gradient is checked against f and the
Hessian against the Jacobian of the gradient (:func:`gradcheck.check_hessian`). Hessians by a
vector are ``n x n``; by a matrix X they are in the vec layout
``d^2 f / d vec(X) d vec(X)^T`` (column-major vec, Magnus & Neudecker), where
``d^2 f = vec(dX)^T H vec(dX)`` and the rules used are ``vec(A dX B) = (B^T kron A) vec(dX)``
and ``vec(dX^T) = K vec(dX)`` with the commutation matrix K. A mixed block
``d/dy^T (df/dx)`` is the numerator-layout Jacobian of the gradient by x with respect to y.

Derivations (d = differential): ``d log det X = tr(X^-1 dX)``,
``d^2 log det X = -tr(X^-1 dX X^-1 dX) = -vec(dX)^T K (X^-T kron X^-1) vec(dX)``;
``tr(dX C dX D) = vec(dX)^T K (D^T kron C) vec(dX)``, symmetrised with
``K (A kron B) = (B kron A) K``.
"""

import numpy as np

from gradcheck import hessian_identity, pitfall

from ._helpers import T, dot, inv, mv, sigmoid, softmax, sumall, tr

MC = "Matrix Cookbook (96)-(98)"
MN = "Magnus & Neudecker, Matrix Differential Calculus, ch. 10 (Hessians from second differentials)"
ML = "standard ML"
VEC = {"x": "n", "A": "n n"}
LS = {"X": "n m", "w": "m", "y": "n"}


def _commutation(m, n):
    """K_{mn}: K vec(A) = vec(A^T) for A of shape (m, n) (column-major vec)."""
    K = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            K[i * n + j, j * m + i] = 1.0
    return K


def _eye_of(X):
    return np.eye(X.shape[-1])


# -- quadratic and bilinear forms ------------------------------------------------------------

h_quadratic_form = hessian_identity(
    "h_quadratic_form",
    f="x @ A @ x",
    gradient="(A + A.T) @ x",
    derivative="A + A.T",
    variables=VEC,
    wrt="x",
    source=MC,
)
h_quad_plus_linear = hessian_identity(
    "h_quad_plus_linear",
    f="x @ A @ x + b @ x",
    gradient="(A + A.T) @ x + b",
    derivative="A + A.T",
    variables={"x": "n", "A": "n n", "b": "n"},
    wrt="x",
    source=MC,
)
h_quadratic_symmetric = hessian_identity(
    "h_quadratic_symmetric",
    f="x @ S @ x",
    gradient="2 * S @ x",
    derivative="2 * S",
    variables={"x": "n", "S": ("n n", "symmetric")},
    wrt="x",
    source=f"{MC}, S symmetric",
)
h_half_quadratic = hessian_identity(
    "h_half_quadratic",
    f="x @ A @ x / 2",
    gradient="sym(A) @ x",
    derivative="sym(A)",
    variables=VEC,
    wrt="x",
    source=f"{MC} with the factor 1/2 (Newton's method on a quadratic model)",
)
h_norm_squared = hessian_identity(
    "h_norm_squared",
    f="x @ x",
    gradient="2 * x",
    derivative="2 * eye_like(outer(x, x))",
    variables={"x": "n"},
    wrt="x",
    source="Matrix Cookbook (131)-(132), differentiated again",
)
h_affine_quadratic = hessian_identity(
    "h_affine_quadratic",
    f="(A @ x + b) @ C @ (A @ x + b)",
    gradient="A.T @ (C + C.T) @ (A @ x + b)",
    derivative="A.T @ (C + C.T) @ A",
    variables={"x": "n", "A": "m n", "b": "m", "C": "m m"},
    wrt="x",
    source=f"{MC} with the chain rule (x -> Ax + b)",
)
h_weighted_distance = hessian_identity(
    "h_weighted_distance",
    f="(x - s) @ W @ (x - s)",
    gradient="2 * W @ (x - s)",
    derivative="2 * W",
    variables={"x": "n", "s": "n", "W": ("n n", "symmetric")},
    wrt="x",
    source="Matrix Cookbook (86), differentiated again",
)
h_weighted_ls_s = hessian_identity(
    "h_weighted_ls_s",
    f="(x - A @ s) @ W @ (x - A @ s)",
    gradient="-2 * A.T @ W @ (x - A @ s)",
    derivative="2 * A.T @ W @ A",
    variables={"x": "n", "A": "n m", "s": "m", "W": ("n n", "symmetric")},
    wrt="s",
    source="Matrix Cookbook (85), differentiated again",
)
h_aTx_squared = hessian_identity(
    "h_aTx_squared",
    f="(a @ x) ** 2",
    gradient="2 * (a @ x) * a",
    derivative="2 * outer(a, a)",
    variables={"x": "n", "a": "n"},
    wrt="x",
    source="chain rule on (a^T x)^2; rank one",
)
h_norm_fourth = hessian_identity(
    "h_norm_fourth",
    f="(x @ x) ** 2",
    gradient="4 * (x @ x) * x",
    derivative="4 * (x @ x) * eye_like(outer(x, x)) + 8 * outer(x, x)",
    variables={"x": "n"},
    wrt="x",
    source="product rule on ||x||^4 = (x^T x)^2",
)

# -- least squares and ridge -----------------------------------------------------------------

h_least_squares = hessian_identity(
    "h_least_squares",
    f="norm(X @ w - y) ** 2",
    gradient="2 * X.T @ (X @ w - y)",
    derivative="2 * X.T @ X",
    variables=LS,
    wrt="w",
    source=f"{ML} (normal equations)",
)
h_half_least_squares = hessian_identity(
    "h_half_least_squares",
    f="norm(X @ w - y) ** 2 / 2",
    gradient="X.T @ (X @ w - y)",
    derivative="X.T @ X",
    variables=LS,
    wrt="w",
    source=f"{ML} (Gauss-Newton is exact for linear residuals)",
)
h_ridge = hessian_identity(
    "h_ridge",
    f="norm(X @ w - y) ** 2 + lam * (w @ w)",
    gradient="2 * X.T @ (X @ w - y) + 2 * lam * w",
    derivative="2 * X.T @ X + 2 * lam * eye_like(X.T @ X)",
    variables={**LS, "lam": ("", "positive")},
    wrt="w",
    source=f"{ML} (ridge regression)",
)
h_tikhonov = hessian_identity(
    "h_tikhonov",
    f="norm(X @ w - y) ** 2 + w @ G @ w",
    gradient="2 * X.T @ (X @ w - y) + (G + G.T) @ w",
    derivative="2 * X.T @ X + G + G.T",
    variables={**LS, "G": "m m"},
    wrt="w",
    source=f"{ML} (generalised Tikhonov); {MC}",
)
h_least_squares_matrix = hessian_identity(
    "h_least_squares_matrix",
    f="norm(A @ X - B, 'fro') ** 2",
    gradient="2 * A.T @ (A @ X - B)",
    derivative="2 * kron(eye_like(X.T @ X), A.T @ A)",
    variables={"A": "p n", "X": "n m", "B": "p m"},
    wrt="X",
    source=f"{MN}: vec(A dX) = (I kron A) vec(dX)",
)


@hessian_identity(
    gradient=lambda X, w, y: 2 * mv(T(X), mv(X, w) - y) / y.shape[-1],
    derivative=lambda X: 2 * X.T @ X / X.shape[0],
    variables=LS,
    wrt="w",
    source=f"{ML} (mean squared error; n = rows of X)",
)
def h_mse(X, w, y):
    """d2 mean((Xw - y)^2)/dw dw^T = 2 X^T X / n"""
    return np.mean((mv(X, w) - y) ** 2, axis=-1)


# -- logistic, softmax cross-entropy and log-sum-exp -----------------------------------------


def _logistic_weights(X, w):
    s = sigmoid(X @ w)
    return s * (1 - s)


@hessian_identity(
    gradient=lambda X, w, y: mv(T(X), sigmoid(mv(X, w)) - y),
    derivative=lambda X, w: X.T @ (_logistic_weights(X, w)[:, None] * X),
    variables={"X": "n m", "w": "m", "y": ("n", "binary")},
    wrt="w",
    source=f"{ML} (logistic regression, labels in {{0,1}}: the Fisher matrix)",
)
def h_logistic_01(X, w, y):
    """d2 sum(log(1 + exp(Xw)) - y o Xw)/dw dw^T = X^T diag(s o (1 - s)) X, s = sigmoid(Xw)"""
    z = mv(X, w)
    return np.sum(np.logaddexp(0, z) - y * z, axis=-1)


@hessian_identity(
    gradient=lambda X, w, y: -mv(T(X), y * sigmoid(-y * mv(X, w))),
    derivative=lambda X, w: X.T @ (_logistic_weights(X, w)[:, None] * X),
    variables={"X": "n m", "w": "m", "y": ("n", "pm1")},
    wrt="w",
    source=f"{ML} (logistic regression, labels in {{-1,+1}}; y^2 = 1)",
)
def h_logistic_pm1(X, w, y):
    """d2 sum(log(1 + exp(-y o Xw)))/dw dw^T = X^T diag(s o (1 - s)) X, s = sigmoid(Xw)"""
    return np.sum(np.logaddexp(0, -y * mv(X, w)), axis=-1)


@hessian_identity(
    gradient=lambda X, w, y, lam: mv(T(X), sigmoid(mv(X, w)) - y) + lam[..., None] * w,
    derivative=lambda X, w, lam: (
        X.T @ (_logistic_weights(X, w)[:, None] * X) + lam * np.eye(len(w))
    ),
    variables={"X": "n m", "w": "m", "y": ("n", "binary"), "lam": ("", "positive")},
    wrt="w",
    source=f"{ML} (L2-regularised logistic regression)",
)
def h_logistic_l2(X, w, y, lam):
    """d2 (logistic loss + lam/2 ||w||^2)/dw dw^T = X^T diag(s o (1 - s)) X + lam I"""
    z = mv(X, w)
    return np.sum(np.logaddexp(0, z) - y * z, axis=-1) + lam * dot(w, w) / 2


def _softmax_hessian(p):
    return np.diag(p) - np.outer(p, p)


h_logsumexp = hessian_identity(
    "h_logsumexp",
    f="logsumexp(x)",
    gradient="softmax(x)",
    derivative="diag(softmax(x)) - outer(softmax(x), softmax(x))",
    variables={"x": "n where n >= 2"},
    wrt="x",
    source="Boyd & Vandenberghe, Convex Optimization, 3.1.5 (log-sum-exp)",
)
h_logsumexp_affine = hessian_identity(
    "h_logsumexp_affine",
    f="logsumexp(A @ x + b)",
    gradient="A.T @ softmax(A @ x + b)",
    derivative="A.T @ (diag(softmax(A @ x + b)) - outer(softmax(A @ x + b), softmax(A @ x + b)))"
    " @ A",
    variables={"x": "n", "A": "m n where m >= 2", "b": "m"},
    wrt="x",
    source="Boyd & Vandenberghe 3.1.5 with the chain rule",
)
h_softmax_cross_entropy = hessian_identity(
    "h_softmax_cross_entropy",
    f="logsumexp(z) - y @ z",
    gradient="softmax(z) - y",
    derivative="diag(softmax(z)) - outer(softmax(z), softmax(z))",
    variables={"z": "n where n >= 2", "y": ("n", "onehot")},
    wrt="z",
    source=f"{ML} (cross-entropy of logits z against a one-hot y)",
)


@hessian_identity(
    gradient=lambda W, x, y: mv(T(W), softmax(mv(W, x)) - y),
    derivative=lambda W, x: W.T @ _softmax_hessian(softmax(W @ x)) @ W,
    variables={"W": "k n", "x": "n", "y": ("k", "onehot")},
    wrt="x",
    source=f"{ML} (softmax regression, logits Wx)",
)
def h_softmax_ce_input(W, x, y):
    """d2 CE(softmax(Wx), y)/dx dx^T = W^T (diag(p) - p p^T) W, p = softmax(Wx)"""
    z = mv(W, x)
    return np.log(np.sum(np.exp(z - z.max(-1, keepdims=True)), -1)) + z.max(-1) - dot(y, z)


h_softplus_sum = hessian_identity(
    "h_softplus_sum",
    f="sum(logaddexp(0, x))",
    gradient="sigmoid(x)",
    derivative="diag(sigmoid(x) * (1 - sigmoid(x)))",
    variables={"x": "n"},
    wrt="x",
    source="elementwise: softplus'' = sigmoid (1 - sigmoid)",
)

# -- Gaussian negative log-likelihood ---------------------------------------------------------

h_gauss_nll_mean = hessian_identity(
    "h_gauss_nll_mean",
    f="(x - mu) @ inv(S) @ (x - mu) / 2",
    gradient="-inv(S) @ (x - mu)",
    derivative="inv(S)",
    variables={"x": "n", "mu": "n", "S": ("n n", "spd")},
    wrt="mu",
    source="Matrix Cookbook (87) with W = S^-1; Bishop PRML 2.3",
)


@hessian_identity(
    gradient=lambda X, mu, P: mv(P, X.shape[-2] * mu - np.sum(X, axis=-2)),
    derivative=lambda X, P: X.shape[0] * P,
    variables={"X": "k n", "mu": "n", "P": ("n n", "spd")},
    wrt="mu",
    source="Bishop PRML 2.3.4 (k samples, precision P)",
)
def h_gauss_nll_mean_samples(X, mu, P):
    """d2 sum_i (x_i - mu)^T P (x_i - mu)/2 /dmu dmu^T = k P"""
    R = X - mu[..., None, :]
    return np.sum(R * (R @ T(P)), axis=(-2, -1)) / 2


@hessian_identity(
    gradient=lambda P, S: (S - T(inv(P))) / 2,
    derivative=lambda P: _commutation(len(P), len(P)) @ np.kron(inv(P).T, inv(P)) / 2,
    variables={"P": ("n n", "spd"), "S": ("n n", "spd")},
    wrt="P",
    source=f"Bishop PRML 2.3.4 (NLL in the precision P, scatter S); {MN}",
    note="P differentiated as an unconstrained matrix (all n^2 entries)",
)
def h_gauss_nll_precision(P, S):
    """d2 (-log det P + tr(P S))/2 /dvec(P) dvec(P)^T = K (P^-T kron P^-1) / 2"""
    return (-np.linalg.slogdet(P)[1] + tr(P @ S)) / 2


# -- log det and traces in vec form ---------------------------------------------------------


@hessian_identity(
    gradient=lambda X: T(inv(X)),
    derivative=lambda X: -_commutation(len(X), len(X)) @ np.kron(inv(X).T, inv(X)),
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source=f"{MN}; Matrix Cookbook (57) differentiated again",
)
def h_logdet(X):
    """d2 log det X/dvec(X) dvec(X)^T = -K (X^-T kron X^-1)"""
    return np.linalg.slogdet(X)[1]


@hessian_identity(
    gradient=lambda X: T(inv(X)),
    derivative=lambda X: -np.einsum("li,jk->ijkl", inv(X), inv(X)),
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    layout="tensor",
    source=f"{MN}; Matrix Cookbook (57) differentiated again",
)
def h_logdet_tensor(X):
    """d2 log det X/dX_ij dX_kl = -(X^-1)_li (X^-1)_jk (tensor)"""
    return np.linalg.slogdet(X)[1]


def _tr_inv_hessian(X, A):
    C, D = inv(X), inv(X) @ A @ inv(X)
    return _commutation(len(X), len(X)) @ (np.kron(D.T, C) + np.kron(C.T, D))


@hessian_identity(
    gradient=lambda X, A: -T(inv(X) @ A @ inv(X)),
    derivative=_tr_inv_hessian,
    variables={"X": ("n n", "pd_nonsym"), "A": "n n"},
    wrt="X",
    source=f"{MN}: d2 tr(X^-1 A) = 2 tr(X^-1 dX X^-1 dX X^-1 A); Matrix Cookbook (113)",
)
def h_tr_inv_A(X, A):
    """d2 tr(X^-1 A)/dvec(X) dvec(X)^T = K (D^T kron C + C^T kron D), C = X^-1, D = X^-1 A X^-1"""
    return tr(inv(X) @ A)


@hessian_identity(
    gradient=lambda X: -T(inv(X) @ inv(X)),
    derivative=lambda X: _tr_inv_hessian(X, np.eye(len(X))),
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source=f"{MN}; h_tr_inv_A with A = I",
)
def h_tr_inv(X):
    """d2 tr(X^-1)/dvec(X) dvec(X)^T = K (X^-2T kron X^-1 + X^-T kron X^-2)"""
    return tr(inv(X))


@hessian_identity(
    gradient=lambda X, A: X @ (A + T(A)),
    derivative=lambda X, A: np.kron(A + A.T, np.eye(len(X))),
    variables={"X": "n m", "A": "m m"},
    wrt="X",
    source=f"{MN}: vec(dX B) = (B^T kron I) vec(dX); Matrix Cookbook (117)",
)
def h_tr_XAXT(X, A):
    """d2 tr(X A X^T)/dvec(X) dvec(X)^T = (A + A^T) kron I"""
    return tr(X @ A @ T(X))


@hessian_identity(
    gradient=lambda X, B: (B + T(B)) @ X,
    derivative=lambda X, B: np.kron(np.eye(X.shape[1]), B + B.T),
    variables={"X": "n m", "B": "n n"},
    wrt="X",
    source=f"{MN}; Matrix Cookbook (118)",
)
def h_tr_XTBX(X, B):
    """d2 tr(X^T B X)/dvec(X) dvec(X)^T = I kron (B + B^T)"""
    return tr(T(X) @ B @ X)


@hessian_identity(
    gradient=lambda X: 2 * X,
    derivative=lambda X: 2 * np.eye(X.size),
    variables={"X": "n m"},
    wrt="X",
    source="Matrix Cookbook (120) differentiated again",
)
def h_frobenius_squared(X):
    """d2 ||X||_F^2/dvec(X) dvec(X)^T = 2 I"""
    return sumall(X * X)


@hessian_identity(
    gradient=lambda X: 2 * T(X),
    derivative=lambda X: 2 * _commutation(len(X), len(X)),
    variables={"X": "n n"},
    wrt="X",
    source=f"{MN}: d2 tr(X^2) = 2 tr(dX dX) = 2 vec(dX)^T K vec(dX); Matrix Cookbook (105)",
)
def h_tr_X2(X):
    """d2 tr(X^2)/dvec(X) dvec(X)^T = 2 K"""
    return tr(X @ X)


def _tr_AXBX_hessian(X, A, B):
    return _commutation(len(X), len(X)) @ (np.kron(A.T, B) + np.kron(B.T, A))


@hessian_identity(
    gradient=lambda X, A, B: T(A) @ T(X) @ T(B) + T(B) @ T(X) @ T(A),
    derivative=_tr_AXBX_hessian,
    variables={"X": "n n", "A": "n n", "B": "n n"},
    wrt="X",
    source=f"{MN}: d2 tr(AXBX) = 2 tr(A dX B dX); Matrix Cookbook (115)",
)
def h_tr_AXBX(X, A, B):
    """d2 tr(A X B X)/dvec(X) dvec(X)^T = K (A^T kron B + B^T kron A)"""
    return tr(A @ X @ B @ X)


# -- norms and elementwise functions ---------------------------------------------------------

h_norm2 = hessian_identity(
    "h_norm2",
    f="norm(x)",
    gradient="x / norm(x)",
    derivative="(eye_like(outer(x, x)) - outer(x, x) / (x @ x)) / norm(x)",
    variables={"x": ("n", "nonzero")},
    wrt="x",
    source="Matrix Cookbook (129) differentiated again (projection onto x's complement)",
)
h_sqrt_quadratic = hessian_identity(
    "h_sqrt_quadratic",
    f="sqrt(x @ S @ x)",
    gradient="S @ x / sqrt(x @ S @ x)",
    derivative="S / sqrt(x @ S @ x) - outer(S @ x, S @ x) / (x @ S @ x) ** 1.5",
    variables={"x": ("n where n >= 2", "nonzero"), "S": ("n n", "spd")},
    wrt="x",
    source="the S-norm: quotient rule on S x / ||x||_S",
)
h_sum_exp = hessian_identity(
    "h_sum_exp",
    f="sum(exp(x))",
    gradient="exp(x)",
    derivative="diag(exp(x))",
    variables={"x": "n"},
    wrt="x",
    source="elementwise: a separable f has a diagonal Hessian",
)
h_sum_log = hessian_identity(
    "h_sum_log",
    f="sum(log(x))",
    gradient="1 / x",
    derivative="diag(-1 / x ** 2)",
    variables={"x": ("n", "positive")},
    wrt="x",
    source="elementwise (the log barrier)",
)
h_sum_sin = hessian_identity(
    "h_sum_sin",
    f="sum(sin(x))",
    gradient="cos(x)",
    derivative="diag(-sin(x))",
    variables={"x": "n"},
    wrt="x",
    source="elementwise",
)
h_sum_cube = hessian_identity(
    "h_sum_cube",
    f="sum(x ** 3)",
    gradient="3 * x ** 2",
    derivative="diag(6 * x)",
    variables={"x": "n"},
    wrt="x",
    source="elementwise",
)
h_sum_tanh_affine = hessian_identity(
    "h_sum_tanh_affine",
    f="sum(tanh(A @ x))",
    gradient="A.T @ (1 - tanh(A @ x) ** 2)",
    derivative="A.T @ diag(-2 * tanh(A @ x) * (1 - tanh(A @ x) ** 2)) @ A",
    variables={"x": "n", "A": "m n"},
    wrt="x",
    source="chain rule: tanh'' = -2 tanh (1 - tanh^2)",
)


@hessian_identity(
    gradient=lambda x, A: (
        2 * (mv(A, x) - (dot(x, mv(A, x)) / dot(x, x))[..., None] * x) / dot(x, x)[..., None]
    ),
    derivative=lambda x, A: _rayleigh_hessian(x, A),
    variables={"x": ("n where n >= 2", "nonzero"), "A": ("n n", "symmetric")},
    wrt="x",
    source="Rayleigh quotient (Golub & Van Loan 8.2); quotient rule",
)
def h_rayleigh(x, A):
    """d2 (x^T A x / x^T x)/dx dx^T = 2 (A - r I - x g^T - g x^T) / x^T x, r = f, g = grad"""
    return dot(x, mv(A, x)) / dot(x, x)


def _rayleigh_hessian(x, A):
    r = x @ x
    q = x @ A @ x / r
    g = 2 * (A @ x - q * x) / r
    return 2 * (A - q * np.eye(len(x)) - np.outer(x, g) - np.outer(g, x)) / r


def _tanh_residual_parts(X, w, y):
    t = np.tanh(X @ w)
    return t, t - y, 1 - t**2


@hessian_identity(
    gradient=lambda X, w, y: 2 * mv(T(X), (np.tanh(mv(X, w)) - y) * (1 - np.tanh(mv(X, w)) ** 2)),
    derivative=lambda X, w, y: _tanh_ls_hessian(X, w, y, residual_term=True),
    variables={"X": "n m", "w": "m", "y": "n"},
    wrt="w",
    source="nonlinear least squares (Nocedal & Wright 10.1): H = 2 J^T J + 2 sum r_i Hess r_i",
)
def h_tanh_least_squares(X, w, y):
    """d2 ||tanh(Xw) - y||^2/dw dw^T = 2 X^T diag(c^2 - 2 r o t o c) X, t = tanh(Xw), c = 1 - t^2"""
    return np.sum((np.tanh(mv(X, w)) - y) ** 2, axis=-1)


def _tanh_ls_hessian(X, w, y, *, residual_term):
    t, r, c = _tanh_residual_parts(X, w, y)
    weights = c**2 - (2 * r * t * c if residual_term else 0)
    return 2 * X.T @ (weights[:, None] * X)


# -- from f alone (second differences, no gradient) ----------------------------------------

h_quadratic_form_from_f = hessian_identity(
    "h_quadratic_form_from_f",
    f="x @ A @ x",
    derivative="A + A.T",
    variables=VEC,
    wrt="x",
    source=MC,
    note="checked against second differences of f (no gradient given)",
)
h_logsumexp_from_f = hessian_identity(
    "h_logsumexp_from_f",
    f="logsumexp(x)",
    derivative="diag(softmax(x)) - outer(softmax(x), softmax(x))",
    variables={"x": "n where n >= 2"},
    wrt="x",
    source="Boyd & Vandenberghe 3.1.5",
    note="checked against second differences of f (no gradient given)",
)


@hessian_identity(
    derivative=lambda X: -_commutation(len(X), len(X)) @ np.kron(inv(X).T, inv(X)),
    variables={"X": ("n n", "pd_nonsym")},
    wrt="X",
    source=MN,
    note="checked against second differences of f (no gradient given)",
)
def h_logdet_from_f(X):
    """d2 log det X/dvec(X) dvec(X)^T = -K (X^-T kron X^-1)"""
    return np.linalg.slogdet(X)[1]


# -- mixed blocks: d/dy^T (df/dx) -----------------------------------------------------------

h_bilinear_mixed = hessian_identity(
    "h_bilinear_mixed",
    f="x @ A @ y",
    gradient="A @ y",
    derivative="A",
    variables={"x": "n", "A": "n m", "y": "m"},
    wrt=("x", "y"),
    source="Matrix Cookbook (69)-(70), differentiated by the other vector",
)
h_ridge_mixed_lambda = hessian_identity(
    "h_ridge_mixed_lambda",
    f="norm(X @ w - y) ** 2 + lam * (w @ w)",
    gradient="2 * X.T @ (X @ w - y) + 2 * lam * w",
    derivative="2 * w",
    variables={**LS, "lam": ("", "positive")},
    wrt=("w", "lam"),
    source=f"{ML} (sensitivity of the ridge gradient to the penalty)",
)
h_least_squares_mixed_y = hessian_identity(
    "h_least_squares_mixed_y",
    f="norm(X @ w - y) ** 2",
    gradient="2 * X.T @ (X @ w - y)",
    derivative="-2 * X.T",
    variables=LS,
    wrt=("w", "y"),
    source=f"{ML} (sensitivity of the normal equations to the data)",
)
h_gauss_mixed_mu_x = hessian_identity(
    "h_gauss_mixed_mu_x",
    f="(x - mu) @ P @ (x - mu) / 2",
    gradient="-P @ (x - mu)",
    derivative="-P",
    variables={"x": "n", "mu": "n", "P": ("n n", "spd")},
    wrt=("mu", "x"),
    source="Bishop PRML 2.3 (Gaussian NLL, precision P)",
)
h_softmax_ce_mixed_y = hessian_identity(
    "h_softmax_ce_mixed_y",
    f="logsumexp(z) - y @ z",
    gradient="softmax(z) - y",
    derivative="-eye_like(outer(z, z))",
    variables={"z": "n", "y": "n"},
    wrt=("z", "y"),
    source=f"{ML} (cross-entropy of logits against targets y)",
)


@hessian_identity(
    gradient=lambda x, A: mv(A + T(A), x),
    derivative=lambda x, A: np.kron(x[None, :], np.eye(len(x))) + np.kron(np.eye(len(x)), x),
    variables={"x": "n", "A": "n n"},
    wrt=("x", "A"),
    source=f"{MN}: d((A + A^T) x) = (x^T kron I + I kron x^T) vec(dA)",
)
def h_quadratic_mixed_A(x, A):
    """d/dvec(A)^T (d x^T A x/dx) = x^T kron I + I kron x^T"""
    return dot(x, mv(A, x))


@hessian_identity(
    gradient=lambda X, A, Y: A @ Y,
    derivative=lambda X, A, Y: np.kron(np.eye(Y.shape[1]), A),
    variables={"X": "n m", "A": "n k", "Y": "k m"},
    wrt=("X", "Y"),
    source=f"{MN}: vec(A dY) = (I kron A) vec(dY); Matrix Cookbook (100)",
)
def h_trace_mixed(X, A, Y):
    """d/dvec(Y)^T (d tr(X^T A Y)/dX) = I kron A"""
    return tr(T(X) @ A @ Y)


# -- pitfalls --------------------------------------------------------------------------------

N2 = {"x": "n where n >= 2"}

hw_quadratic_2A = pitfall(
    "hw_quadratic_2A",
    corrects=h_quadratic_form,
    mistake="not_symmetric",
    derivative="2 * A",
    variables=N2,
    note="A instead of A + A^T: right only for symmetric A",
)
hw_quadratic_symmetric_no_2 = pitfall(
    "hw_quadratic_symmetric_no_2",
    corrects=h_quadratic_symmetric,
    mistake="scale",
    derivative="S",
    note="a missing factor 2",
)
hw_half_least_squares_no_half = pitfall(
    "hw_half_least_squares_no_half",
    corrects=h_half_least_squares,
    mistake="scale",
    derivative="2 * X.T @ X",
    note="a missing 1/2: the Hessian of ||Xw - y||^2 for that of half of it",
)
hw_logsumexp_sign = pitfall(
    "hw_logsumexp_sign",
    corrects=h_logsumexp,
    mistake="sign",
    derivative="outer(softmax(x), softmax(x)) - diag(softmax(x))",
    variables={"x": "n where n >= 2"},
)
hw_softmax_ce_no_outer = pitfall(
    "hw_softmax_ce_no_outer",
    corrects=h_softmax_cross_entropy,
    mistake="missing_term",
    derivative="diag(softmax(z))",
    variables={"z": "n where n >= 2"},
    note="the Jacobian of softmax taken as diagonal",
)
hw_ridge_no_penalty = pitfall(
    "hw_ridge_no_penalty",
    corrects=h_ridge,
    mistake="missing_term",
    derivative="2 * X.T @ X",
)
hw_norm2_no_projection = pitfall(
    "hw_norm2_no_projection",
    corrects=h_norm2,
    mistake="missing_term",
    derivative="eye_like(outer(x, x)) / norm(x)",
    variables={"x": "n where n >= 2"},
)
hw_sum_log_sign = pitfall(
    "hw_sum_log_sign",
    corrects=h_sum_log,
    mistake="sign",
    derivative="diag(1 / x ** 2)",
)
hw_tanh_gauss_newton = pitfall(
    "hw_tanh_gauss_newton",
    corrects=h_tanh_least_squares,
    mistake="missing_term",
    derivative=lambda X, w, y: _tanh_ls_hessian(X, w, y, residual_term=False),
    note="the Gauss-Newton matrix 2 J^T J for the Hessian: the residual term is missing",
)
hw_logdet_no_commutation = pitfall(
    "hw_logdet_no_commutation",
    corrects=h_logdet,
    mistake="not_symmetric",
    derivative=lambda X: -np.kron(inv(X).T, inv(X)),
    variables={"X": "n n where n >= 2"},
    note="the commutation matrix K is missing: -(X^-T kron X^-1) is not symmetric",
)
hw_tr_AXBX_no_commutation = pitfall(
    "hw_tr_AXBX_no_commutation",
    corrects=h_tr_AXBX,
    mistake="not_symmetric",
    derivative=lambda X, A, B: np.kron(A.T, B) + np.kron(B.T, A),
    variables={"X": "n n where n >= 2"},
    note="the commutation matrix K is missing",
)
hw_tr_XAXT_A_only = pitfall(
    "hw_tr_XAXT_A_only",
    corrects=h_tr_XAXT,
    mistake="not_symmetric",
    derivative=lambda X, A: 2 * np.kron(A, np.eye(len(X))),
    variables={"A": "m m where m >= 2"},
    note="2 A kron I instead of (A + A^T) kron I",
)
hw_gauss_precision_sign = pitfall(
    "hw_gauss_precision_sign",
    corrects=h_gauss_nll_precision,
    mistake="sign",
    derivative=lambda P: -_commutation(len(P), len(P)) @ np.kron(inv(P).T, inv(P)) / 2,
    note="the sign of d2 log det P carried into -log det P",
)
hw_bilinear_transposed = pitfall(
    "hw_bilinear_transposed",
    corrects=h_bilinear_mixed,
    mistake="layout",
    derivative="A.T",
    variables={"A": "n n where n >= 2", "y": "n"},
    note="the mixed block transposed (d/dx of df/dy): the other layout's orientation",
)
hw_logdet_from_f_no_commutation = pitfall(
    "hw_logdet_from_f_no_commutation",
    corrects=h_logdet_from_f,
    mistake="not_symmetric",
    derivative=lambda X: -np.kron(inv(X).T, inv(X)),
    variables={"X": "n n where n >= 2"},
    note="the commutation matrix K is missing (checked against second differences of f)",
)
