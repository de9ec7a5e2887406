"""Derivatives by a scalar t along the path A + tB (Matrix Cookbook Sec. 2.1)."""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import T, bm, det, inv, kron, logabsdet, solve, tr

ident = partial(identity, family="by_scalar", vectorized=True)
SMALL_T = {"A": "invertible", "t": "small"}


@ident(
    wrt="t",
    shapes={"A": "n m", "t": ""},
    layout="numerator",
    derivative=lambda A, t: np.zeros_like(A),
    text="dA/dt = 0 for constant A",
    source="Matrix Cookbook (33)",
)
def dA_dt_zero(A, t):
    return A + 0.0 * bm(t)


@ident(
    wrt="t",
    shapes={"c": "", "A": "n m", "B": "n m", "t": ""},
    layout="numerator",
    derivative=lambda c, A, B, t: c * B,
    text="d(c Y)/dt = c dY/dt",
    source="Matrix Cookbook (34)",
)
def d_alphaX_dt(c, A, B, t):
    return c * (A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n m", "B": "n m", "C": "n m", "D": "n m", "t": ""},
    layout="numerator",
    derivative=lambda A, B, C, D, t: B + 2 * t * D,
    text="d(X + Y) = dX + dY",
    source="Matrix Cookbook (35)",
)
def d_sum_dt(A, B, C, D, t):
    return (A + bm(t) * B) + (C + bm(t) ** 2 * D)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "C": "n n", "t": ""},
    derivative=lambda A, B, C, t: np.trace(B + 2 * t * C),
    text="d tr(X) = tr(dX)",
    source="Matrix Cookbook (36)",
)
def d_trace_dt(A, B, C, t):
    return tr(A + bm(t) * B + bm(t) ** 2 * C)


@ident(
    wrt="t",
    shapes={"A": "n m", "B": "n m", "C": "m p", "D": "m p", "t": ""},
    layout="numerator",
    derivative=lambda A, B, C, D, t: B @ (C + t * D) + (A + t * B) @ D,
    text="d(XY) = (dX) Y + X (dY)",
    source="Matrix Cookbook (37)",
)
def d_product_dt(A, B, C, D, t):
    return (A + bm(t) * B) @ (C + bm(t) * D)


@ident(
    wrt="t",
    shapes={"A": "n m", "B": "n m", "C": "n m", "D": "n m", "t": ""},
    layout="numerator",
    derivative=lambda A, B, C, D, t: B * (C + t * D) + (A + t * B) * D,
    text="d(X o Y) = (dX) o Y + X o (dY)",
    source="Matrix Cookbook (38)",
)
def d_hadamard_dt(A, B, C, D, t):
    return (A + bm(t) * B) * (C + bm(t) * D)


@ident(
    wrt="t",
    shapes={"A": "n m", "B": "n m", "C": "p q", "D": "p q", "t": ""},
    layout="numerator",
    derivative=lambda A, B, C, D, t: np.kron(B, C + t * D) + np.kron(A + t * B, D),
    text="d(X kron Y) = (dX) kron Y + X kron (dY)",
    source="Matrix Cookbook (39)",
)
def d_kron_dt(A, B, C, D, t):
    return kron(A + bm(t) * B, C + bm(t) * D)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints=SMALL_T,
    layout="numerator",
    derivative=lambda A, B, t: -inv(A + t * B) @ B @ inv(A + t * B),
    latex=r"d(X^{-1}) = -X^{-1} (dX) X^{-1}",
    text="d(X^-1) = -X^-1 (dX) X^-1",
    source="Matrix Cookbook (40), (59); Giles 2008 Sec. 3.1; project seed notes",
)
def d_inverse_dt(A, B, t):
    return inv(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints=SMALL_T,
    derivative=lambda A, B, t: np.trace(det(A + t * B) * inv(A + t * B) @ B),
    text="d det(X) = tr(adj(X) dX)",
    source="Matrix Cookbook (41)",
)
def d_det_adj_dt(A, B, t):
    return det(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints=SMALL_T,
    derivative=lambda A, B, t: det(A + t * B) * np.trace(inv(A + t * B) @ B),
    latex=r"d|X| = |X| \operatorname{tr}(X^{-1} dX)",
    text="d det(X) = det(X) tr(X^-1 dX)",
    source="Matrix Cookbook (42), (46); Giles 2008 Sec. 3.1; project seed notes",
)
def d_det_dt(A, B, t):
    return det(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints=SMALL_T,
    derivative=lambda A, B, t: np.trace(inv(A + t * B) @ B),
    text="d ln|det X| = tr(X^-1 dX)",
    source="Matrix Cookbook (43)",
)
def d_logabsdet_dt(A, B, t):
    return logabsdet(A + bm(t) * B)


@ident(
    wrt="t",
    shapes={"A": "n m", "B": "n m", "t": ""},
    layout="numerator",
    derivative=lambda A, B, t: B.T,
    text="d(X^T) = (dX)^T",
    source="Matrix Cookbook (44), (45) (the Hermitian version is identical for real matrices)",
)
def d_transpose_dt(A, B, t):
    return T(A + bm(t) * B)


def _d2_det(A, B, C, t):
    Y, dY, d2Y = A + t * B + t**2 * C, B + 2 * t * C, 2 * C
    Yi = inv(Y)
    return det(Y) * (np.trace(Yi @ d2Y) + np.trace(Yi @ dY) ** 2 - np.trace(Yi @ dY @ Yi @ dY))


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "C": "n n", "t": ""},
    constraints=SMALL_T,
    derivative=_d2_det,
    text="d^2 det(Y) = det(Y) [tr(Y^-1 d2Y) + tr(Y^-1 dY)^2 - tr(Y^-1 dY Y^-1 dY)]",
    source="Matrix Cookbook (48)",
    note="checked as the t-derivative of (46)",
)
def d2_det_dt2(A, B, C, t):
    s = bm(t)
    Y, dY = A + s * B + s**2 * C, B + 2 * s * C
    return det(Y) * tr(inv(Y) @ dY)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "b": "n", "t": ""},
    constraints=SMALL_T,
    derivative=lambda A, B, b, t: -inv(A + t * B) @ B @ np.linalg.solve(A + t * B, b),
    text="d(Y^-1 b) = -Y^-1 (dY) Y^-1 b",
    source="Giles 2008 Sec. 3.1 (inverse product)",
)
def d_solve_dt(A, B, b, t):
    return solve(A + bm(t) * B, b)


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    layout="numerator",
    derivative=lambda A, B, t: (A + t * B) @ B + B @ (A + t * B),
    text="d(Y^2) = (dY) Y + Y (dY), not 2 Y dY",
    source="Matrix Cookbook (37) instance",
)
def d_square_dt(A, B, t):
    Y = A + bm(t) * B
    return Y @ Y


@ident(
    wrt="t",
    shapes={"A": "n n", "B": "n n", "t": ""},
    constraints={"A": "spd", "B": "symmetric", "t": "small"},
    derivative=lambda A, B, t: np.trace(np.linalg.solve(A + t * B, B)),
    text="d log det(Y) = tr(Y^-1 dY), Y spd",
    source="Matrix Cookbook (43)",
)
def d_logdet_spd_dt(A, B, t):
    return np.linalg.slogdet(A + bm(t) * B)[1]
