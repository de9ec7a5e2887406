"""The project seed notes' identities, in the layout the notes state them (numerator rows).

The same facts appear elsewhere in the catalogue in the denominator layout; here they are
checked exactly as written, with gradients of scalars as explicit rows ``(1, n)``.
"""

from functools import partial

import numpy as np

from gradcheck import identity

from ._helpers import dot, mv, quad, vm

ident = partial(
    identity, family="seed_notes", layout="numerator", source="project seed notes", vectorized=True
)


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: A,
    latex=r"\frac{\partial A x}{\partial x} = A",
    text="d(Ax)/dx = A (numerator)",
)
def seed_dAx_dx(A, x):
    return mv(A, x)


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n m"},
    derivative=lambda x, A: A.T,
    latex=r"\frac{\partial x^T A}{\partial x} = A^T",
    text="d(x^T A)/dx = A^T (numerator)",
)
def seed_dxTA_dx(x, A):
    return vm(x, A)


@ident(
    wrt="x",
    shapes={"x": "n"},
    derivative=lambda x: 2 * x[None, :],
    latex=r"\frac{\partial \|x\|^2}{\partial x} = 2 x^T",
    text="d||x||^2/dx = 2 x^T (numerator)",
)
def seed_dnormsq_dx(x):
    return dot(x, x)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: a[None, :],
    latex=r"\frac{\partial a^T x}{\partial x} = a^T",
    text="d(a^T x)/dx = a^T (numerator)",
)
def seed_daTx_dx(a, x):
    return dot(a, x)


@ident(
    wrt="x",
    shapes={"a": "n", "x": "n"},
    derivative=lambda a, x: a[None, :],
    latex=r"\frac{\partial x^T a}{\partial x} = a^T",
    text="d(x^T a)/dx = a^T (numerator)",
)
def seed_dxTa_dx(a, x):
    return dot(x, a)


@ident(
    wrt="x",
    shapes={"x": "n", "a": "n"},
    derivative=lambda x, a: (2 * x @ np.outer(a, a))[None, :],
    latex=r"\frac{\partial (x^T a)^2}{\partial x} = 2 x^T a a^T",
    text="d(x^T a)^2/dx = 2 x^T a a^T (numerator)",
)
def seed_dxTa_squared_dx(x, a):
    return dot(x, a) ** 2


@ident(
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    derivative=lambda x, A: (x @ (A + A.T))[None, :],
    latex=r"\frac{\partial x^T A x}{\partial x} = x^T (A + A^T)",
    text="d(x^T A x)/dx = x^T (A + A^T) (numerator)",
)
def seed_dxTAx_dx(x, A):
    return quad(x, A, x)


def _product_rule(A, B, x):
    u, v = A @ x, np.tanh(B @ x)
    du, dv = A, (1 - v**2)[:, None] * B  # numerator-layout Jacobians
    return (u @ dv + v @ du)[None, :]


@ident(
    wrt="x",
    shapes={"A": "m n", "B": "m n", "x": "n"},
    derivative=_product_rule,
    latex=r"\frac{\partial u^T v}{\partial x} = u^T \frac{\partial v}{\partial x}"
    r" + v^T \frac{\partial u}{\partial x}",
    text="d(u^T v)/dx = u^T dv/dx + v^T du/dx (numerator), u = Ax, v = tanh(Bx)",
)
def seed_product_rule_uTv(A, B, x):
    return dot(mv(A, x), np.tanh(mv(B, x)))


def _product_rule_A(B, M, C, x):
    u, v = np.tanh(B @ x), C @ x
    du, dv = (1 - u**2)[:, None] * B, C
    return (u @ M @ dv + v @ M.T @ du)[None, :]


@ident(
    wrt="x",
    shapes={"B": "p n", "M": "p q", "C": "q n", "x": "n"},
    derivative=_product_rule_A,
    latex=r"\frac{\partial u^T A v}{\partial x} = u^T A \frac{\partial v}{\partial x}"
    r" + v^T A^T \frac{\partial u}{\partial x}",
    text="d(u^T A v)/dx = u^T A dv/dx + v^T A^T du/dx (numerator), u = tanh(Bx), v = Cx",
)
def seed_product_rule_uTAv(B, M, C, x):
    return quad(np.tanh(mv(B, x)), M, mv(C, x))


@ident(
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    derivative=lambda A, x: (2 * x @ A.T @ A / (1 + np.linalg.norm(A @ x) ** 2))[None, :],
    latex=r"\frac{\partial g(u)}{\partial x} = \frac{\partial g}{\partial u}"
    r"\frac{\partial u}{\partial x}",
    text="chain rule: d log(1 + u)/dx = (1/(1 + u)) du/dx, u = ||Ax||^2 (numerator)",
)
def seed_chain_rule(A, x):
    ax = mv(A, x)
    return np.log(1 + dot(ax, ax))
