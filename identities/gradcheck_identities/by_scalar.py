"""Derivatives by a scalar t along the path A + tB (Matrix Cookbook Sec. 2.1)."""

import numpy as np

from gradcheck import identity

from ._helpers import bm, det, inv, tr

SMALL_T = {"A": "invertible", "t": "small"}


dA_dt_zero = identity(
    "dA_dt_zero",
    f="A + 0.0 * t",
    derivative="zeros_like(A)",
    variables={"A": "n m", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (33)",
)


d_alphaX_dt = identity(
    "d_alphaX_dt",
    f="c * (A + t * B)",
    derivative="c * B",
    variables={"c": "", "A": "n m", "B": "n m", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (34)",
)


d_sum_dt = identity(
    "d_sum_dt",
    f="A + t * B + (C + t ** 2 * D)",
    derivative="B + 2 * t * D",
    variables={"A": "n m", "B": "n m", "C": "n m", "D": "n m", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (35)",
)


d_trace_dt = identity(
    "d_trace_dt",
    f="trace(A + t * B + t ** 2 * C)",
    derivative="trace(B + 2 * t * C)",
    variables={"A": "n n", "B": "n n", "C": "n n", "t": ""},
    wrt="t",
    source="Matrix Cookbook (36)",
)


d_product_dt = identity(
    "d_product_dt",
    f="(A + t * B) @ (C + t * D)",
    derivative="B @ (C + t * D) + (A + t * B) @ D",
    variables={"A": "n m", "B": "n m", "C": "m p", "D": "m p", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (37)",
)


d_hadamard_dt = identity(
    "d_hadamard_dt",
    f="(A + t * B) * (C + t * D)",
    derivative="B * (C + t * D) + (A + t * B) * D",
    variables={"A": "n m", "B": "n m", "C": "n m", "D": "n m", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (38)",
)


d_kron_dt = identity(
    "d_kron_dt",
    f="kron(A + t * B, C + t * D)",
    derivative="kron(B, C + t * D) + kron(A + t * B, D)",
    variables={"A": "n m", "B": "n m", "C": "p q", "D": "p q", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (39)",
)


d_inverse_dt = identity(
    "d_inverse_dt",
    f="inv(A + t * B)",
    derivative="-inv(A + t * B) @ B @ inv(A + t * B)",
    variables={"A": ("n n", "invertible"), "B": "n n", "t": ("", "small")},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (40), (59); Giles 2008 Sec. 3.1; project seed notes",
)


d_det_adj_dt = identity(
    "d_det_adj_dt",
    f="det(A + t * B)",
    derivative="trace(det(A + t * B) * inv(A + t * B) @ B)",
    variables={"A": ("n n", "invertible"), "B": "n n", "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (41)",
)


d_det_dt = identity(
    "d_det_dt",
    f="det(A + t * B)",
    derivative="det(A + t * B) * trace(inv(A + t * B) @ B)",
    variables={"A": ("n n", "invertible"), "B": "n n", "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (42), (46); Giles 2008 Sec. 3.1; project seed notes",
)


d_logabsdet_dt = identity(
    "d_logabsdet_dt",
    f="slogdet(A + t * B)[1]",
    derivative="trace(inv(A + t * B) @ B)",
    variables={"A": ("n n", "invertible"), "B": "n n", "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (43)",
)


d_transpose_dt = identity(
    "d_transpose_dt",
    f="(A + t * B).T",
    derivative="B.T",
    variables={"A": "n m", "B": "n m", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (44), (45) (the Hermitian version is identical for real matrices)",
)


def _d2_det(A, B, C, t):
    Y, dY, d2Y = A + t * B + t**2 * C, B + 2 * t * C, 2 * C
    Yi = inv(Y)
    return det(Y) * (np.trace(Yi @ d2Y) + np.trace(Yi @ dY) ** 2 - np.trace(Yi @ dY @ Yi @ dY))


@identity(
    derivative=_d2_det,
    variables={"A": ("n n", "invertible"), "B": "n n", "C": "n n", "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (48)",
    note="checked as the t-derivative of (46)",
)
def d2_det_dt2(A, B, C, t):
    """d^2 det(Y) = det(Y) [tr(Y^-1 d2Y) + tr(Y^-1 dY)^2 - tr(Y^-1 dY Y^-1 dY)]"""
    s = bm(t)
    Y, dY = A + s * B + s**2 * C, B + 2 * s * C
    return det(Y) * tr(inv(Y) @ dY)


d_solve_dt = identity(
    "d_solve_dt",
    f="solve(A + t * B, b)",
    derivative="-inv(A + t * B) @ B @ solve(A + t * B, b)",
    variables={"A": ("n n", "invertible"), "B": "n n", "b": "n", "t": ("", "small")},
    wrt="t",
    source="Giles 2008 Sec. 3.1 (inverse product)",
)


@identity(
    derivative=lambda A, B, t: (A + t * B) @ B + B @ (A + t * B),
    variables={"A": "n n", "B": "n n", "t": ""},
    wrt="t",
    layout="numerator",
    source="Matrix Cookbook (37) instance",
)
def d_square_dt(A, B, t):
    """d(Y^2) = (dY) Y + Y (dY), not 2 Y dY"""
    Y = A + bm(t) * B
    return Y @ Y


d_logdet_spd_dt = identity(
    "d_logdet_spd_dt",
    f="slogdet(A + t * B)[1]",
    derivative="trace(solve(A + t * B, B))",
    variables={"A": ("n n", "spd"), "B": ("n n", "symmetric"), "t": ("", "small")},
    wrt="t",
    source="Matrix Cookbook (43)",
)
