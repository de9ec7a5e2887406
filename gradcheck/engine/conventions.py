"""Conventions for derivatives by a complex variable: one table, one linear map per name.

A complex variable ``z = x + iy`` is differentiated as the real pair ``(x, y)`` (see
:mod:`gradcheck.engine.complex_pair`). From ``∂f/∂x`` and ``∂f/∂y`` of every output entry
(``f`` real or complex) come the two Wirtinger derivatives

    ``∂f/∂z = (∂f/∂x - i ∂f/∂y) / 2``,    ``∂f/∂z̄ = (∂f/∂x + i ∂f/∂y) / 2``.

Every convention is the entrywise map

    ``value = a ∂f/∂z + b ∂f/∂z̄ + c conj(∂f/∂z) + d conj(∂f/∂z̄)``

with the coefficients below (per output entry ``f_k`` and variable entry ``z_j``; layouts
arrange the entries afterwards exactly as for real variables, so a conjugate transpose is a
convention with ``c`` or ``d`` followed by the transposing layout, never a layout of its own):

=====================  ===  ===  ===  ===  ========================================  ==========
name                    a    b    c    d   value; for real f; for holomorphic f       f
=====================  ===  ===  ===  ===  ========================================  ==========
wirtinger               1    0    0    0   ∂f/∂z; same; f'(z)                         any
conjugate_wirtinger     0    1    0    0   ∂f/∂z̄; conj(∂f/∂z); 0                      any
cookbook                1    0    0    0   as wirtinger (the Cookbook's "generalized  any
                                           complex derivative")
holomorphic             1    0    0    0   f'(z), and ∂f/∂z̄ = 0 is checked           complex
                                           (Cauchy-Riemann)
complex_gradient        0    2    0    0   ∂f/∂x + i ∂f/∂y = 2 ∂f/∂z̄                  real only
pytorch                 0    1    1    0   ∂Re f/∂x + i ∂Re f/∂y; 2 ∂f/∂z̄;            any
                                           conj(f'(z))
tensorflow              0    1    1    0   as pytorch                                 any
jax                     1    0    0    1   ∂Re f/∂x - i ∂Re f/∂y; 2 ∂f/∂z;            any
                                           f'(z)
=====================  ===  ===  ===  ===  ========================================  ==========

(The "for real f" column uses ``∂f/∂z̄ = conj(∂f/∂z)``, the holomorphic column ``∂f/∂z̄ = 0``;
``pytorch`` is ``conj(jax)`` entry by entry.) The error estimate of ``value`` is
``(|a| + |c|) e + (|b| + |d|) e`` with ``e = (e_x + e_y) / 2`` the error bound of either
Wirtinger derivative (``e_x``, ``e_y`` those of ``∂f/∂x`` and ``∂f/∂y``, each the sum of the
bounds of its real and imaginary parts).

Sources, as verified
--------------------
* The Matrix Cookbook (Petersen & Pedersen, version of 15 November 2012), §4.1 "Complex
  Derivatives": eq. (229) the generalized complex derivative ``df/dz = ½(∂f/∂ℜz - i ∂f/∂ℑz)``,
  eq. (230) the conjugate complex derivative ``df/dz* = ½(∂f/∂ℜz + i ∂f/∂ℑz)``; the same
  section defines, for real f, the complex gradient ``∇f = 2 df/dz* = ∂f/∂ℜz + i ∂f/∂ℑz``
  (its equation number was not verified here).
* PyTorch, ``torch/autograd/gradcheck.py`` (``get_numerical_jacobian`` / ``_compute_numerical_
  jvps_wrt_specific_input``): the numerical column is ``grad_out.conjugate() * conj_w_d +
  grad_out * w_d.conj()`` with ``w_d = 0.5 * (ds_dx - ds_dy * 1j)`` and ``conj_w_d = 0.5 *
  (ds_dx + ds_dy * 1j)``; with ``grad_out = 1`` this is ``b = c = 1`` above. Its note
  ``docs/source/notes/gradcheck.rst`` ("backward mode AD computes exactly twice the CW
  derivative") and the autograd note ("Autograd for Complex Numbers": the gradient computed is
  the conjugate Wirtinger derivative ∂L/∂z*, the direction for gradient descent) agree for
  real L: ``2 ∂L/∂z̄``.
* JAX, ``docs/notebooks/autodiff_cookbook.md`` "Complex numbers and differentiation":
  ``grad(f)(z) = vjp(f, z)(1.0)``, the VJP with cotangent ``c + di`` being ``[c, -d] J [1, -i]^T``
  for ``J`` the real 2x2 Jacobian of ``(Re f, Im f)`` by ``(x, y)``; with ``1.0`` that is
  ``∂u/∂x - i ∂u/∂y`` (``u = Re f``): ``a = d = 1`` above; its example ``x² + y²`` at
  ``3 + 4j`` gives ``6 - 8j``, and ``grad(f, holomorphic=True)`` gives ``f'(z)``.
* TensorFlow, issue #3348 "tf.gradients() gives the conjugate of what is expected":
  ``tf.gradients(x*x, x)`` at ``0.1j`` returns ``-0.2j = conj(2z)``; issue #20613: the result is
  ``d Re y / d Re x + i d Re y / d Im x``; both are the pytorch map.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import ConventionError

__all__ = [
    "CONVENTIONS",
    "Convention",
    "apply_convention",
    "convention_named",
    "convert_convention",
]


@dataclass(frozen=True)
class Convention:
    """One row of the table in :mod:`gradcheck.engine.conventions`.

    Attributes
    ----------
    name : str
        The name `convention=` takes.
    a, b, c, d : float
        ``value = a ∂f/∂z + b ∂f/∂z̄ + c conj(∂f/∂z) + d conj(∂f/∂z̄)``.
    real_only : bool
        Defined for real-valued f only (the complex gradient).
    holomorphic : bool
        Also requires ``∂f/∂z̄ = 0`` (the Cauchy-Riemann equations).
    what : str
        The value in words.
    source : str
        Where the convention is documented (see the module docstring).
    """

    name: str
    a: float
    b: float
    c: float
    d: float
    real_only: bool
    holomorphic: bool
    what: str
    source: str

    @property
    def error_weights(self) -> tuple[float, float]:
        """Factors of the Wirtinger derivatives' error bound in this convention's value."""
        return abs(self.a) + abs(self.c), abs(self.b) + abs(self.d)


_TABLE = (
    Convention("wirtinger", 1, 0, 0, 0, False, False, "∂f/∂z", "Matrix Cookbook §4.1 eq. (229)"),
    Convention(
        "conjugate_wirtinger",
        0,
        1,
        0,
        0,
        False,
        False,
        "∂f/∂z̄",
        "Matrix Cookbook §4.1 eq. (230)",
    ),
    Convention(
        "cookbook",
        1,
        0,
        0,
        0,
        False,
        False,
        "∂f/∂z (generalized complex derivative)",
        "Matrix Cookbook §4.1 eq. (229)",
    ),
    Convention(
        "holomorphic",
        1,
        0,
        0,
        0,
        False,
        True,
        "f'(z), with ∂f/∂z̄ = 0",
        "Cauchy-Riemann; Matrix Cookbook §4.1 eqs. (226)-(228)",
    ),
    Convention(
        "complex_gradient",
        0,
        2,
        0,
        0,
        True,
        False,
        "∂f/∂x + i ∂f/∂y = 2 ∂f/∂z̄ (real f)",
        "Matrix Cookbook §4.1, complex gradient",
    ),
    Convention(
        "pytorch",
        0,
        1,
        1,
        0,
        False,
        False,
        "∂f/∂z̄ + conj(∂f/∂z) = ∂Re f/∂x + i ∂Re f/∂y",
        "torch/autograd/gradcheck.py, grad_out=1",
    ),
    Convention(
        "tensorflow",
        0,
        1,
        1,
        0,
        False,
        False,
        "∂f/∂z̄ + conj(∂f/∂z), as pytorch",
        "tensorflow issues #3348, #20613",
    ),
    Convention(
        "jax",
        1,
        0,
        0,
        1,
        False,
        False,
        "∂f/∂z + conj(∂f/∂z̄) = ∂Re f/∂x - i ∂Re f/∂y",
        "JAX autodiff cookbook, complex numbers",
    ),
)

#: The named conventions for complex variables, by name (see the table in
#: :mod:`gradcheck.engine.conventions`).
CONVENTIONS: dict[str, Convention] = {c.name: c for c in _TABLE}


def convention_named(name: object, *, allow_auto: bool = False) -> Convention | None:
    """The convention called `name` (None for ``"auto"`` when allowed), else ConventionError
    listing the names."""
    names = list(CONVENTIONS) + (["auto"] if allow_auto else [])
    if isinstance(name, str) and name in CONVENTIONS:
        return CONVENTIONS[name]
    if allow_auto and name == "auto":
        return None
    msg = f"`convention` must be one of {', '.join(map(repr, names))}; got {name!r}."
    if isinstance(name, str):
        close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.5)
        if close:
            msg += f" Did you mean {close[0]!r}?"
    raise ConventionError(msg)


def apply_convention(
    convention: Convention, dz: np.ndarray, dzbar: np.ndarray, error: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(value, error) of `convention` from the Wirtinger pair and its error bound (entrywise,
    any shape; `error` is real and bounds the error of each of `dz`, `dzbar`)."""
    c = convention
    value = np.zeros(np.broadcast_shapes(dz.shape, dzbar.shape), dtype=np.complex128)
    for coefficient, term in (
        (c.a, dz),
        (c.b, dzbar),
        (c.c, np.conj(dz)),
        (c.d, np.conj(dzbar)),
    ):
        if coefficient:
            value = value + coefficient * term
    wz, wzbar = c.error_weights
    return value, (wz + wzbar) * error


#: What f is known to be, for :func:`convert_convention`.
FunctionKind = Literal["real", "holomorphic"]


def _in_terms_of_dz(convention: Convention, function: FunctionKind) -> tuple[float, float]:
    """``(α, β)`` with ``value = α ∂f/∂z + β conj(∂f/∂z)`` for f of the given kind."""
    c = convention
    if function == "real":  # ∂f/∂z̄ = conj(∂f/∂z)
        return c.a + c.d, c.b + c.c
    return c.a, c.c  # holomorphic: ∂f/∂z̄ = 0


def convert_convention(
    value: np.ndarray | complex,
    *,
    source: str,
    target: str,
    function: FunctionKind = "real",
) -> np.ndarray:
    """A derivative in convention `source` expressed in convention `target`.

    One convention determines the others only when f's Wirtinger pair is determined by one
    number per entry: for a real-valued f (``∂f/∂z̄ = conj(∂f/∂z)``) and for a holomorphic f
    (``∂f/∂z̄ = 0``). Each value is then ``α ∂f/∂z`` or ``β conj(∂f/∂z)`` with ``α, β`` in
    ``{1, 2}`` (see the table in :mod:`gradcheck.engine.conventions`), so conversions are exact:
    a conjugation and a factor 2 or 1/2.

    Parameters
    ----------
    value : array_like
        The derivative in `source` (entrywise; any layout).
    source, target : str
        Names from :data:`gradcheck.CONVENTIONS`.
    function : {"real", "holomorphic"}
        What f is.

    Returns
    -------
    numpy.ndarray
        complex128, shape of `value`.

    Raises
    ------
    ConventionError
        For an unknown name, ``complex_gradient`` or ``holomorphic`` with the wrong `function`,
        or a `source` that is identically zero for that kind of f (``conjugate_wirtinger`` of
        a holomorphic f).

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([1 + 2j])                      # f = |z|^2: ∂f/∂z = conj(z)
    >>> convert_convention(np.conj(z), source="wirtinger", target="pytorch")
    array([2.+4.j])
    >>> convert_convention(2 * z, source="pytorch", target="jax")
    array([2.-4.j])
    """
    if function not in ("real", "holomorphic"):
        raise ConventionError(f"`function` must be 'real' or 'holomorphic'; got {function!r}.")
    conventions = [convention_named(source), convention_named(target)]
    for conv in conventions:
        assert conv is not None
        if conv.real_only and function != "real":
            raise ConventionError(
                f"{conv.name!r} is defined for real-valued f only; got function={function!r}."
            )
        if conv.holomorphic and function != "holomorphic":
            raise ConventionError(
                f"{conv.name!r} is the derivative of a holomorphic f; a real-valued f is "
                f"holomorphic only where it is constant. Use 'wirtinger' or 'complex_gradient'."
            )
    alpha, beta = _in_terms_of_dz(conventions[0], function)  # type: ignore[arg-type]
    v = np.asarray(value, dtype=np.complex128)
    if alpha:
        dz = v / alpha
    elif beta:
        dz = np.conj(v) / beta
    else:
        raise ConventionError(
            f"{source!r} is zero for every {function} f, so it does not determine {target!r}."
        )
    alpha, beta = _in_terms_of_dz(conventions[1], function)  # type: ignore[arg-type]
    out = np.zeros_like(dz)
    if alpha:
        out = out + alpha * dz
    if beta:
        out = out + beta * np.conj(dz)
    return out
