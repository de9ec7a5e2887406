"""The project seed notes' identities, in the layout the notes state them (numerator rows).

The same facts appear elsewhere in the catalogue in the denominator layout; here they are
checked exactly as written, with gradients of scalars as explicit rows ``(1, n)``.
"""

import numpy as np

from gradcheck import identity

from ._helpers import dot, mv, quad

seed_dAx_dx = identity(
    "seed_dAx_dx",
    f="A @ x",
    derivative="A",
    variables={"A": "m n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_dxTA_dx = identity(
    "seed_dxTA_dx",
    f="x @ A",
    derivative="A.T",
    variables={"x": "n", "A": "n m"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_dnormsq_dx = identity(
    "seed_dnormsq_dx",
    f="x @ x",
    derivative="2 * x[None, :]",
    variables={"x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_daTx_dx = identity(
    "seed_daTx_dx",
    f="a @ x",
    derivative="a[None, :]",
    variables={"a": "n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_dxTa_dx = identity(
    "seed_dxTa_dx",
    f="x @ a",
    derivative="a[None, :]",
    variables={"a": "n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_dxTa_squared_dx = identity(
    "seed_dxTa_squared_dx",
    f="(x @ a) ** 2",
    derivative="(2 * x @ outer(a, a))[None, :]",
    variables={"x": "n", "a": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


seed_dxTAx_dx = identity(
    "seed_dxTAx_dx",
    f="x @ A @ x",
    derivative="(x @ (A + A.T))[None, :]",
    variables={"x": "n", "A": "n n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)


def _product_rule(A, B, x):
    u, v = A @ x, np.tanh(B @ x)
    du, dv = A, (1 - v**2)[:, None] * B  # numerator-layout Jacobians
    return (u @ dv + v @ du)[None, :]


@identity(
    derivative=_product_rule,
    variables={"A": "m n", "B": "m n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)
def seed_product_rule_uTv(A, B, x):
    """d(u^T v)/dx = u^T dv/dx + v^T du/dx (numerator), u = Ax, v = tanh(Bx)"""
    return dot(mv(A, x), np.tanh(mv(B, x)))


def _product_rule_A(B, M, C, x):
    u, v = np.tanh(B @ x), C @ x
    du, dv = (1 - u**2)[:, None] * B, C
    return (u @ M @ dv + v @ M.T @ du)[None, :]


@identity(
    derivative=_product_rule_A,
    variables={"B": "p n", "M": "p q", "C": "q n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)
def seed_product_rule_uTAv(B, M, C, x):
    """d(u^T A v)/dx = u^T A dv/dx + v^T A^T du/dx (numerator), u = tanh(Bx), v = Cx"""
    return quad(np.tanh(mv(B, x)), M, mv(C, x))


@identity(
    derivative=lambda A, x: (2 * x @ A.T @ A / (1 + np.linalg.norm(A @ x) ** 2))[None, :],
    variables={"A": "m n", "x": "n"},
    wrt="x",
    layout="numerator",
    source="project seed notes",
)
def seed_chain_rule(A, x):
    """chain rule: d log(1 + u)/dx = (1/(1 + u)) du/dx, u = ||Ax||^2 (numerator)"""
    ax = mv(A, x)
    return np.log(1 + dot(ax, ax))
