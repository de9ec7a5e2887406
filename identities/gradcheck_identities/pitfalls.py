"""Wrong-but-plausible identities: each must FAIL, labelled with its mistake class.

Each pitfall reuses the function, variable and shapes of the correct identity it corrupts
(``corrects``), overriding shapes where a square matrix turns a transposition error into a
wrong value rather than a wrong shape, and requiring ``n >= 2`` where a 1 x 1 matrix or a
length-1 vector would make the mistake vanish (a scalar equals its transpose, commutes, ...).
"""

import numpy as np

from gradcheck import pitfall

from . import (
    by_scalar,
    determinant,
    eigen_svd,
    inverse,
    linear,
    matrix_function,
    ml_loss,
    norm,
    product_chain_rule,
    quadratic,
    structured,
    trace,
    vector_by_vector,
)
from ._helpers import chol, cosm, eigsort, expm, inv, mpow, softmax, sym, symlow
from ._helpers import sigmoid as _sigmoid

N2 = ("n >= 2",)
SQUARE = {"A": "n n", "X": "n n", "B": "n n"}

# -- factor 2 -------------------------------------------------------------------------------

w_seed_quadform_row = pitfall(
    "w_seed_quadform_row",
    corrects=quadratic.dxTAx_dx,
    mistake="scale",
    derivative="2 * x @ (A + A.T)",
    source="a published mistake (project seed notes)",
    note="spurious factor 2 (and a row vector)",
)
w_least_squares_no_2 = pitfall(
    "w_least_squares_no_2",
    corrects=ml_loss.d_least_squares_dw,
    mistake="scale",
    derivative="X.T @ (X @ w - y)",
    note="gradient of (1/2)||Xw - y||^2 passed off as that of ||Xw - y||^2",
)
w_ridge_reg_factor = pitfall(
    "w_ridge_reg_factor",
    corrects=ml_loss.d_ridge_dw,
    mistake="scale",
    derivative="2 * X.T @ (X @ w - y) + lam * w",
)
w_frob_norm_not_squared = pitfall(
    "w_frob_norm_not_squared",
    corrects=norm.d_frob_dX,
    mistake="scale",
    derivative="2 * X",
    note="derivative of ||X||_F^2 given for ||X||_F",
)
w_det_XTAX_square_no_2 = pitfall(
    "w_det_XTAX_square_no_2",
    corrects=determinant.ddet_XTAX_square_dX,
    mistake="scale",
    derivative="det(X.T @ A @ X) * inv(X).T",
)

# -- symmetric only -------------------------------------------------------------------------

w_quadform_sym_only = pitfall(
    "w_quadform_sym_only",
    corrects=quadratic.dxTAx_dx,
    mistake="symmetric_only",
    derivative="2 * A @ x",
    variables={"x": "n where n >= 2"},
    note="valid only for symmetric A",
)
w_nonsym_eig_vvT = pitfall(
    "w_nonsym_eig_vvT",
    corrects=eigen_svd.giles_nonsym_eigval_dA,
    mistake="symmetric_only",
    derivative=lambda A: (lambda w, V: np.outer(V[:, -1], V[:, -1]) / (V[:, -1] @ V[:, -1]))(
        *eigsort(A)
    ),
    variables={"A": "n n where n >= 2"},
    note="d lambda/dA = v v^T holds only for symmetric A",
)
w_trWTAW_sym_only = pitfall(
    "w_trWTAW_sym_only",
    corrects=trace.dtrWTAW_dW,
    mistake="symmetric_only",
    derivative="2 * A @ W",
    variables={"W": "n m where n >= 2"},
)
w_trBTXTCXB_sym_only = pitfall(
    "w_trBTXTCXB_sym_only",
    corrects=trace.dtrBTXTCXB_dX,
    mistake="symmetric_only",
    derivative="2 * C @ X @ B @ B.T",
    variables={"X": "n m where n >= 2"},
)
w_wls_ds_sym_only = pitfall(
    "w_wls_ds_sym_only",
    corrects=quadratic.d_wls_ds_general_W,
    mistake="symmetric_only",
    derivative="-2 * A.T @ W @ (x - A @ s)",
    variables={"x": "n where n >= 2"},
    note="Cookbook (85) assumes symmetric W",
)
w_det_XTAX_sym_only = pitfall(
    "w_det_XTAX_sym_only",
    corrects=determinant.ddet_XTAX_general_dX,
    mistake="symmetric_only",
    derivative="2 * det(X.T @ A @ X) * A @ X @ inv(X.T @ A @ X)",
    note="Cookbook (53) used for non-symmetric A",
)
w_trXBXT_sym_only = pitfall(
    "w_trXBXT_sym_only",
    corrects=trace.dtrXBXT_dX,
    mistake="symmetric_only",
    derivative="2 * X @ B",
    variables={"X": "n m where m >= 2"},
)
w_cookbook_128_nonsym_A = pitfall(
    "w_cookbook_128_nonsym_A",
    corrects=trace.dtr_AplusXTCXinv_XTBX_dX_general_A,
    mistake="symmetric_only",
    derivative=lambda X, A, C, B: (lambda M: -2 * C @ X @ M @ X.T @ B @ X @ M + 2 * B @ X @ M)(
        inv(A + X.T @ C @ X)
    ),
    variables={"X": "n m where m >= 2"},
    note="Cookbook (128) as printed, with a non-symmetric A (its stated assumptions only "
    "require B, C symmetric)",
)

# -- missing transpose ----------------------------------------------------------------------

w_aTXb_transposed = pitfall(
    "w_aTXb_transposed",
    corrects=linear.daTXb_dX,
    mistake="transpose",
    derivative="outer(b, a)",
    variables={"a": "n where n >= 2", "X": "n n", "b": "n"},
    note="square non-symmetric X so the error is numeric, not just a shape clash",
)
w_trXA_no_transpose = pitfall(
    "w_trXA_no_transpose",
    corrects=trace.dtrXA_dX,
    mistake="transpose",
    derivative="A",
    variables={"X": "n n where n >= 2", "A": "n n"},
)
w_trAB_dA_no_transpose = pitfall(
    "w_trAB_dA_no_transpose",
    corrects=trace.dtrAB_dA,
    mistake="transpose",
    derivative="B",
    variables={"A": "n n where n >= 2", "B": "n n"},
)
w_trX2_no_transpose = pitfall(
    "w_trX2_no_transpose",
    corrects=trace.dtrX2_dX,
    mistake="transpose",
    derivative="2 * X",
    variables={"X": "n n where n >= 2"},
)
w_det_no_transpose = pitfall(
    "w_det_no_transpose",
    corrects=determinant.ddetX_dX,
    mistake="transpose",
    derivative="det(X) * inv(X)",
    variables={"X": "n n where n >= 2"},
)
w_logdet_no_transpose = pitfall(
    "w_logdet_no_transpose",
    corrects=determinant.dlogabsdet_dX,
    mistake="transpose",
    derivative="inv(X)",
    variables={"X": "n n where n >= 2"},
)
w_aTXinvb_no_transpose = pitfall(
    "w_aTXinvb_no_transpose",
    corrects=inverse.daTXinvb_dX,
    mistake="transpose",
    derivative="-inv(X) @ outer(a, b) @ inv(X)",
    variables={"X": "n n where n >= 2"},
)
w_trAXinvB_no_transpose = pitfall(
    "w_trAXinvB_no_transpose",
    corrects=trace.dtrAXinvB_dX,
    mistake="transpose",
    derivative="-inv(X) @ B @ A @ inv(X)",
    variables={"A": "n n where n >= 2", "X": "n n", "B": "n n"},
)
w_trsin_no_transpose = pitfall(
    "w_trsin_no_transpose",
    corrects=trace.dtr_sinX_dX,
    mistake="transpose",
    derivative=lambda X: cosm(X),
    variables={"X": "n n where n >= 2"},
)
w_expm_reverse_no_transpose = pitfall(
    "w_expm_reverse_no_transpose",
    corrects=matrix_function.giles_expm_reverse,
    mistake="transpose",
    derivative=lambda A, G: expm(np.block([[A, G], [np.zeros_like(A), A]]))[: len(A), len(A) :],
    variables={"A": "n n where n >= 2"},
)


def _cookbook_93_printed(a, X, b):
    X3 = mpow(X, 3)
    return sum(
        mpow(X, 2 - j) @ np.outer(a, b) @ X3.T @ mpow(X, j)
        + mpow(X, j).T @ X3 @ np.outer(a, b) @ mpow(X, 2 - j).T
        for j in range(3)
    )


w_cookbook_93_as_printed = pitfall(
    "w_cookbook_93_as_printed",
    corrects=matrix_function.daTXnTXnb_dX,
    mistake="transpose",
    derivative=_cookbook_93_printed,
    variables={"X": "n n where n >= 2"},
    note="Matrix Cookbook (93) as it reads in a public transcription (compare with the PDF "
    "before calling it an erratum); n = 3",
)

# -- sign -----------------------------------------------------------------------------------

w_least_squares_sign = pitfall(
    "w_least_squares_sign",
    corrects=ml_loss.d_least_squares_dw,
    mistake="sign",
    derivative="2 * X.T @ (y - X @ w)",
)
w_aTXinvb_sign = pitfall(
    "w_aTXinvb_sign",
    corrects=inverse.daTXinvb_dX,
    mistake="sign",
    derivative="inv(X).T @ outer(a, b) @ inv(X).T",
)
w_logistic_sign = pitfall(
    "w_logistic_sign",
    corrects=ml_loss.d_logistic_01_dw,
    mistake="sign",
    derivative=lambda X, w, y: X.T @ (y - _sigmoid(X @ w)),
)
w_softmax_ce_sign = pitfall(
    "w_softmax_ce_sign",
    corrects=ml_loss.d_softmax_ce_dz,
    mistake="sign",
    derivative="y - softmax(z)",
    variables={"z": "n where n >= 2"},
)
w_det_inv_sign = pitfall(
    "w_det_inv_sign",
    corrects=determinant.ddet_Xinv_dX,
    mistake="sign",
    derivative="det(inv(X)) * inv(X).T",
)

# -- wrong layout ---------------------------------------------------------------------------

w_aTXb_transposed_nonsquare = pitfall(
    "w_aTXb_transposed_nonsquare",
    corrects=linear.daTXb_dX,
    mistake="layout",
    derivative="outer(b, a)",
    variables={"X": "n m where n != m"},
    note="on non-square X the numerator-layout answer has the wrong shape",
)
w_dAx_numerator = pitfall(
    "w_dAx_numerator",
    corrects=linear.dAx_dx,
    mistake="layout",
    derivative="A",
    variables={"A": "n n where n >= 2"},
    note="the seed's numerator-layout statement read as denominator layout",
)
w_dAx_numerator_nonsquare = pitfall(
    "w_dAx_numerator_nonsquare",
    corrects=linear.dAx_dx,
    mistake="layout",
    derivative="A",
    variables={"x": "n where m != n"},
    note="on non-square A the shape is wrong",
)
w_dxTA_numerator = pitfall(
    "w_dxTA_numerator",
    corrects=linear.dxTA_dx,
    mistake="layout",
    derivative="A.T",
    variables={"A": "n n where n >= 2"},
)
w_log_softmax_numerator = pitfall(
    "w_log_softmax_numerator",
    corrects=ml_loss.d_log_softmax_jacobian,
    mistake="layout",
    derivative=lambda z: np.eye(len(z)) - np.outer(np.ones(len(z)), softmax(z)),
    variables={"z": "n where n >= 2"},
)
w_cumsum_numerator = pitfall(
    "w_cumsum_numerator",
    corrects=vector_by_vector.d_cumsum_dx,
    mistake="layout",
    derivative=lambda x: np.tril(np.ones((len(x), len(x)))),
    variables={"x": "n where n >= 2"},
)
w_vec_chain_numerator = pitfall(
    "w_vec_chain_numerator",
    corrects=product_chain_rule.d_vec_chain_tanh_Wx,
    mistake="layout",
    derivative="(1 - tanh(W @ x) ** 2)[:, None] * W",
    variables={"W": "n n where n >= 2"},
    note="diag(g') W is the numerator-layout Jacobian",
)
w_wls_dA_transposed = pitfall(
    "w_wls_dA_transposed",
    corrects=quadratic.d_wls_dA,
    mistake="layout",
    derivative="-2 * outer(s, W @ (x - A @ s))",
    variables={"A": "n m where n != m"},
)

# -- missing term / chain factor ------------------------------------------------------------

w_quadform_missing_term = pitfall(
    "w_quadform_missing_term",
    corrects=quadratic.dxTAx_dx,
    mistake="missing_term",
    derivative="A @ x",
    variables={"x": "n where n >= 2"},
)
w_rss_missing_term = pitfall(
    "w_rss_missing_term",
    corrects=ml_loss.d_rss_dbeta,
    mistake="missing_term",
    derivative="-2 * X.T @ y",
    variables={"X": "n m where n >= 2, m >= 2"},
)
w_bTXTXc_missing_term = pitfall(
    "w_bTXTXc_missing_term",
    corrects=quadratic.dbTXTXc_dX,
    mistake="missing_term",
    derivative="X @ outer(b, c)",
    variables={"X": "n m where m >= 2"},
)
w_product_rule_missing_term = pitfall(
    "w_product_rule_missing_term",
    corrects=product_chain_rule.d_uTv_product_rule_1,
    mistake="missing_term",
    derivative="A.T @ tanh(B @ x)",
    note="only (du/dx) v",
)
w_softmax_jacobian_missing_term = pitfall(
    "w_softmax_jacobian_missing_term",
    corrects=ml_loss.d_softmax_jacobian,
    mistake="missing_term",
    derivative="diag(softmax(z))",
)
w_norm_missing_normalisation = pitfall(
    "w_norm_missing_normalisation",
    corrects=norm.d_norm_x_minus_a_dx,
    mistake="missing_term",
    derivative="x - a",
)


def _attention_no_rowsum(Q, K, V, G):
    p = Q.shape[1]
    P = softmax(Q @ K.T / np.sqrt(p))
    return (P * (G @ V.T)) @ K / np.sqrt(p)


w_attention_missing_rowsum = pitfall(
    "w_attention_missing_rowsum",
    corrects=ml_loss.d_attention_dQ,
    mistake="missing_term",
    derivative=_attention_no_rowsum,
    note="softmax backward without the row-sum correction",
)
w_logistic_missing_link = pitfall(
    "w_logistic_missing_link",
    corrects=ml_loss.d_logistic_01_dw,
    mistake="missing_term",
    derivative="X.T @ (X @ w - y)",
    variables={"X": "n m where n >= 2, m >= 2"},
    note="least-squares residual used instead of sigmoid(Xw) - y",
)
w_chain_missing_inner = pitfall(
    "w_chain_missing_inner",
    corrects=product_chain_rule.d_chain_log1p_normsq_dx,
    mistake="missing_term",
    derivative="2 * A @ x / (1 + norm(A @ x) ** 2)",
    variables={"A": "n n"},
    note="A x instead of A^T A x",
)

# -- missing 1/2 ----------------------------------------------------------------------------

w_gauss_sigma_missing_half = pitfall(
    "w_gauss_sigma_missing_half",
    corrects=ml_loss.d_gauss_loglik_dSigma,
    mistake="scale",
    derivative=lambda X, mu, S: -len(X) * inv(S) + inv(S) @ (X - mu).T @ (X - mu) @ inv(S),
)


def _cholesky_no_half(A, G):
    L = chol(sym(A))
    return sym(inv(L).T @ np.tril(L.T @ np.tril(G)) @ inv(L))


w_cholesky_no_half_diag = pitfall(
    "w_cholesky_no_half_diag",
    corrects=matrix_function.giles_cholesky_reverse,
    mistake="scale",
    derivative=_cholesky_no_half,
    note="Phi without halving the diagonal",
)
w_sqrt_quad_missing_half = pitfall(
    "w_sqrt_quad_missing_half",
    corrects=quadratic.d_sqrt_quad_dx,
    mistake="scale",
    derivative="2 * A @ x / sqrt(x @ A @ x)",
)

# -- wrong order ----------------------------------------------------------------------------

w_trAXB_wrong_order = pitfall(
    "w_trAXB_wrong_order",
    corrects=trace.dtrAXB_dX,
    mistake="wrong_order",
    derivative="B.T @ A.T",
    variables={"A": "n n where n >= 2", "X": "n n", "B": "n n"},
    note="(AB)^T instead of A^T B^T",
)
w_inverse_dt_commuted = pitfall(
    "w_inverse_dt_commuted",
    corrects=by_scalar.d_inverse_dt,
    mistake="wrong_order",
    derivative="-inv(A + t * B) @ inv(A + t * B) @ B",
    variables={"A": "n n where n >= 2"},
    note="assumes B commutes with (A + tB)^-1",
)
w_square_dt_commuted = pitfall(
    "w_square_dt_commuted",
    corrects=by_scalar.d_square_dt,
    mistake="wrong_order",
    derivative="2 * (A + t * B) @ B",
    variables={"A": "n n where n >= 2"},
    note="d(Y^2) = 2 Y dY only if Y and dY commute",
)

# -- structured-matrix conventions ------------------------------------------------------------

w_logdet_cookbook_in_sympart = pitfall(
    "w_logdet_cookbook_in_sympart",
    corrects=structured.dlogdet_sympart_convention,
    mistake="structured_convention",
    derivative=lambda S: 2 * inv(sym(S)) - inv(sym(S)) * np.eye(len(S)),
    variables={"S": "n n where n >= 2"},
    note="Cookbook (142) used where the symmetric-part gradient is expected",
)
w_logdet_unstructured_in_lowtri = pitfall(
    "w_logdet_unstructured_in_lowtri",
    corrects=structured.dlogdetX_symmetric_structured,
    mistake="structured_convention",
    derivative=lambda L: np.tril(inv(symlow(L))),
    variables={"L": "n n where n >= 2"},
    note="unstructured gradient X^-1 used for the independent-entries derivative",
)
w_toeplitz_as_unstructured = pitfall(
    "w_toeplitz_as_unstructured",
    corrects=structured.dtrAT_toeplitz,
    mistake="structured_convention",
    derivative="A.T",
    variables={"t": "2*n-1 where n >= 2"},
    note="unstructured d tr(AT)/dT = A^T: the wrong shape for the Toeplitz parameters",
)
