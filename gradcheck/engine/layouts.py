"""Layout conventions for derivatives, and the one function that converts between them.

Treat 1-D arrays as column vectors. For a function value ``F`` and a variable ``X``:

============  ========================  ===============================  ====================
F \\ X         scalar                    vector (n,)                      matrix (p, q)
============  ========================  ===============================  ====================
scalar        scalar                    numerator: row (n,) or (1, n);   numerator (q, p);
                                        denominator: (n,) or (n, 1)      denominator (p, q)
vector (m,)   numerator: (m,), (m, 1);  numerator (m, n) (Jacobian);     vec
              denominator: (m,), (1, m) denominator (n, m)
matrix (p,q)  numerator (p, q);         vec                              vec
              denominator (q, p)
============  ========================  ===============================  ====================

"vec": the numerator layout is ``d vec(F) / d vec(X)^T`` of shape ``(F.size, X.size)``, with the
column-major ``vec`` of Magnus & Neudecker; the denominator layout is its transpose. Arrays of
three or more dimensions also use "vec", except when the other side is a scalar: a scalar by an
array ``X`` has the shape of ``X`` in the denominator layout and of ``X`` with its axes reversed
in the numerator layout (the table's matrix column, generalised); an array by a scalar likewise.

The ``"tensor"`` layout is ``F.shape + X.shape`` with entry ``[i..., j...] = dF[i...]/dX[j...]``,
the convention of ``jax.jacobian``. In every case the denominator layout is the transpose
(all axes reversed) of the numerator layout.
"""

from __future__ import annotations

import difflib
import math
from typing import Literal

import numpy as np

from ..errors import InvalidArgumentError, ShapeMismatchError

__all__ = ["LAYOUTS", "Layout", "convert_layout", "layout_shapes"]

Layout = Literal["numerator", "denominator", "tensor"]
LAYOUTS: tuple[str, ...] = ("numerator", "denominator", "tensor")

Shape = tuple[int, ...]


def validate_layout(layout: object, *, allowed: tuple[str, ...] = LAYOUTS, name: str = "layout"):
    """Return `layout` if it is one of `allowed`, else raise with a suggestion."""
    if isinstance(layout, str) and layout in allowed:
        return layout
    choices = ", ".join(repr(a) for a in allowed)
    msg = f"`{name}` must be one of {choices}; got {layout!r}."
    if isinstance(layout, str):
        close = difflib.get_close_matches(layout, allowed, n=1, cutoff=0.3)
        close = close or [a for a in allowed if a.startswith(layout[:3])]
        if close:
            msg += f" Did you mean {close[0]!r}?"
    raise InvalidArgumentError(msg)


def _validate_shape(shape: object, name: str) -> Shape:
    """`shape` as a tuple of non-negative Python ints (an int ``n`` is ``(n,)``, as in numpy)."""
    if _is_int(shape):
        shape = (shape,)
    entries = None
    if not isinstance(shape, (str, bytes)):
        try:
            entries = tuple(shape)  # type: ignore[arg-type]
        except TypeError:
            entries = None
    if entries is None or not all(_is_int(d) and d >= 0 for d in entries):
        raise InvalidArgumentError(
            f"`{name}` must be a shape: a tuple of non-negative integers such as (3,) or () for a "
            f"scalar; got {shape!r}."
        )
    return tuple(int(d) for d in entries)


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _numerator_shapes(f_shape: Shape, x_shape: Shape) -> tuple[Shape, ...]:
    if f_shape == () and x_shape == ():
        return ((), (1,), (1, 1))
    if f_shape == ():
        canonical = x_shape[::-1]
        return (canonical, (1, x_shape[0])) if len(x_shape) == 1 else (canonical,)
    if x_shape == ():
        return (f_shape, (f_shape[0], 1)) if len(f_shape) == 1 else (f_shape,)
    if len(f_shape) == 1 and len(x_shape) == 1:
        return ((f_shape[0], x_shape[0]),)
    return ((math.prod(f_shape), math.prod(x_shape)),)


def layout_shapes(f_shape: Shape, x_shape: Shape, layout: Layout) -> tuple[Shape, ...]:
    """Shapes a derivative of a value of shape `f_shape` by a variable of shape `x_shape` may have.

    Parameters
    ----------
    f_shape, x_shape : tuple of int
        Shapes of the function value ``F`` and of the variable ``X``.
    layout : {"numerator", "denominator", "tensor"}
        The layout convention (see the module docstring for the table).

    Returns
    -------
    tuple of tuple of int
        The accepted shapes, the canonical one (returned by :func:`convert_layout` and
        :func:`gradcheck.jacobian`) first. Vectors may also be given as explicit rows or columns
        in the orientation their layout prescribes.

    Raises
    ------
    InvalidArgumentError
        If `layout` is unknown or a shape is not a tuple of non-negative integers (an integer
        ``n`` stands for ``(n,)``, as in numpy).

    Examples
    --------
    >>> layout_shapes((), (3,), "numerator")
    ((3,), (1, 3))
    >>> layout_shapes((2, 3), (4,), "denominator")
    ((4, 6),)
    """
    layout = validate_layout(layout)
    f_shape, x_shape = _validate_shape(f_shape, "f_shape"), _validate_shape(x_shape, "x_shape")
    if layout == "tensor":
        return (f_shape + x_shape,)
    numerator = _numerator_shapes(f_shape, x_shape)
    if layout == "numerator":
        return numerator
    return tuple(dict.fromkeys(s[::-1] for s in numerator))


def _group_reversal(nf: int, nx: int) -> list[int]:
    """Axis permutation reversing the first `nf` axes and the last `nx` axes (an involution)."""
    return list(range(nf - 1, -1, -1)) + list(range(nf + nx - 1, nf - 1, -1))


def _tensor_to_numerator(tensor: np.ndarray, f_shape: Shape, x_shape: Shape) -> np.ndarray:
    if f_shape == () and x_shape == ():
        return tensor.reshape(())
    if f_shape == ():
        return np.transpose(tensor)
    if x_shape == () or (len(f_shape) == 1 and len(x_shape) == 1):
        return tensor
    perm = _group_reversal(len(f_shape), len(x_shape))
    return tensor.transpose(perm).reshape(math.prod(f_shape), math.prod(x_shape))


def _numerator_to_tensor(numerator: np.ndarray, f_shape: Shape, x_shape: Shape) -> np.ndarray:
    if f_shape == ():
        return np.transpose(numerator.reshape(x_shape[::-1]))
    if x_shape == ():
        return numerator.reshape(f_shape)
    if len(f_shape) == 1 and len(x_shape) == 1:
        return numerator
    perm = _group_reversal(len(f_shape), len(x_shape))
    return numerator.reshape(f_shape[::-1] + x_shape[::-1]).transpose(perm)


def _describe_shapes(shapes: tuple[Shape, ...]) -> str:
    return " or ".join(str(s) for s in shapes)


def convert_layout(
    derivative: np.ndarray,
    f_shape: Shape,
    x_shape: Shape,
    *,
    source: Layout,
    target: Layout,
) -> np.ndarray:
    """Convert a derivative between the numerator, denominator and tensor layouts, exactly.

    Only entries are moved; no arithmetic is done, so a round trip returns the input bit for bit
    (in the canonical shape of its layout).

    Parameters
    ----------
    derivative : array_like
        The derivative of ``F`` (shape `f_shape`) with respect to ``X`` (shape `x_shape`) in the
        `source` layout; any shape :func:`layout_shapes` accepts for that layout.
    f_shape, x_shape : tuple of int
        Shapes of the function value and of the variable.
    source, target : {"numerator", "denominator", "tensor"}
        Layout of `derivative`, and layout wanted.

    Returns
    -------
    numpy.ndarray
        The derivative in the canonical shape of `target` (the first of
        ``layout_shapes(f_shape, x_shape, target)``).

    Raises
    ------
    ShapeMismatchError
        If `derivative` has a shape the `source` layout does not allow.
    InvalidArgumentError
        If a layout is unknown or a shape is not a tuple of non-negative integers.

    Examples
    --------
    >>> import numpy as np
    >>> J = np.arange(6.0).reshape(2, 3)       # d(Ax)/dx for A of shape (2, 3), numerator
    >>> convert_layout(J, (2,), (3,), source="numerator", target="denominator").shape
    (3, 2)
    >>> G = np.arange(6.0).reshape(2, 3)       # gradient of a scalar by a 2x3 matrix
    >>> convert_layout(G, (), (2, 3), source="denominator", target="numerator").shape
    (3, 2)
    """
    source = validate_layout(source, name="source")
    target = validate_layout(target, name="target")
    f_shape, x_shape = _validate_shape(f_shape, "f_shape"), _validate_shape(x_shape, "x_shape")
    derivative = np.asarray(derivative)
    allowed = layout_shapes(f_shape, x_shape, source)
    if derivative.shape not in allowed:
        raise ShapeMismatchError(
            f"a derivative of a value of shape {f_shape} by a variable of shape {x_shape} in the "
            f"{source} layout has shape {_describe_shapes(allowed)}; got {derivative.shape}."
        )
    if source == "tensor":
        tensor = derivative
    elif source == "numerator":
        tensor = _numerator_to_tensor(derivative, f_shape, x_shape)
    else:
        tensor = _numerator_to_tensor(np.transpose(derivative), f_shape, x_shape)
    if target == "tensor":
        out = tensor
    elif target == "numerator":
        out = _tensor_to_numerator(tensor, f_shape, x_shape)
    else:
        out = np.transpose(_tensor_to_numerator(tensor, f_shape, x_shape))
    return np.array(out, order="C")
