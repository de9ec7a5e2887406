"""Complex variables as real pairs: the target that feeds ``z = x + iy`` to f, and the Wirtinger
derivatives from the real machinery's estimate.

A complex variable ``z`` of shape ``s`` is seen by the engine as the real array ``v`` of shape
``s + (2,)`` with ``v[..., 0] = Re z`` and ``v[..., 1] = Im z``; f is called with
``z = v[..., 0] + 1j v[..., 1]`` (batched like any real variable: a stack of pairs is a stack
of complex points). A complex-valued f is seen as the real array ``(Re f, Im f)`` along a new
last axis. The real engine (same steps, error model, step search, second estimates) then gives
``∂/∂x`` and ``∂/∂y`` of every real output, hence ``∂f/∂x`` and ``∂f/∂y`` of every output entry
and, from them, the Wirtinger pair (see :mod:`gradcheck.engine.conventions`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import (
    ComplexUnsafeFunctionError,
    FunctionCallError,
    InvalidInputError,
    NonFiniteValueError,
    OutputTypeError,
)
from .estimate import TensorEstimate
from .target import Point, Target, _as_real_output, _locked, make_target

__all__ = ["ComplexPairTarget", "WirtingerPair", "is_complex_point", "make_complex_target"]


def _variable_of(point: Point, wrt: str | None) -> object:
    if isinstance(point, Mapping):
        if wrt is None and len(point) == 1:
            return next(iter(point.values()))
        return point.get(wrt) if wrt is not None else None
    return point


def is_complex_point(point: Point, wrt: str | None) -> bool:
    """Whether the variable of `point` (the one `wrt` names) holds complex numbers."""
    value = _variable_of(point, wrt)
    if value is None:
        return False
    try:
        return np.asarray(value).dtype.kind == "c"
    except Exception:  # ragged lists and the like: make_target says what is wrong
        return False


@dataclass(frozen=True)
class ComplexPairTarget(Target):
    """A :class:`Target` over the real pair ``(Re z, Im z)`` (its `x`, shape ``s + (2,)``) of a
    complex variable. `inner` calls f with the complex value; `complex_output` says whether
    f's value is complex (then seen as ``(Re f, Im f)`` along a new last axis)."""

    inner: Target | None = None
    complex_output: bool = False

    @property
    def z(self) -> np.ndarray:
        """The complex variable at the point (read-only)."""
        assert self.inner is not None
        return self.inner.x

    def call(self, value: np.ndarray, where: str) -> Any:
        assert self.inner is not None
        v = np.asarray(value)
        z = _locked(np.asarray(v[..., 0] + 1j * v[..., 1], dtype=np.complex128))
        out = _complex_call(self.inner, z, where)
        arr = _as_real_output(out, role=self.role, where=where, allow_complex=True)
        if self.complex_output:
            arr = arr.astype(np.complex128)
            return np.stack([arr.real, arr.imag], axis=-1)
        if arr.dtype.kind == "c":
            raise OutputTypeError(
                f"{self.role} returned complex values (when called {where}) but a real value at "
                f"the point itself; its type must not depend on the point. Return "
                f"`np.asarray(value, dtype=complex)` everywhere if it is complex-valued."
            )
        return arr


def _complex_call(inner: Target, z: np.ndarray, where: str) -> Any:
    """f at the complex value `z`, with numpy's ComplexWarning (the imaginary part discarded)
    and refusals of complex numbers reported as ComplexUnsafeFunctionError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            return inner.call(z, where)
        except FunctionCallError as exc:
            cause = exc.__cause__
            discards = isinstance(cause, np.exceptions.ComplexWarning)
            refuses = isinstance(cause, TypeError) and "complex" in str(cause).lower()
            if not (discards or refuses):
                raise
            what = "discards the imaginary part of" if discards else "refuses"
            raise ComplexUnsafeFunctionError(
                f"{inner.role} {what} its complex input (when called {where}: "
                f"{type(cause).__name__}: {cause}); a derivative by a complex variable needs f "
                f"written with operations defined on complex numbers (np.sqrt, not math.sqrt; "
                f"no float(z) or real-typed buffers)."
            ) from exc


def make_complex_target(f: Callable[..., Any], point: Point, wrt: str | None) -> ComplexPairTarget:
    """Validate `f`, `point` and `wrt` (whose variable is complex) and bind them into a
    :class:`ComplexPairTarget`; f is evaluated once at the point to learn whether its value is
    complex."""
    value = _variable_of(point, wrt)
    if isinstance(value, np.matrix):
        raise InvalidInputError(
            "a complex np.matrix variable is not supported; pass `np.asarray(z)`."
        )
    z = np.array(value, dtype=np.complex128, copy=True)
    if not np.all(np.isfinite(z)):
        raise NonFiniteValueError("the complex point has a non-finite entry.")
    pair = np.stack([z.real, z.imag], axis=-1)
    if isinstance(point, Mapping):
        name = wrt if wrt is not None else next(iter(point))
        real_point: Point = {**point, name: pair}
        bound = make_target(f, real_point, name)
    else:
        bound = make_target(f, pair, None)
    inner = Target(f=f, x=_locked(z), wrt=bound.wrt, others=bound.others, shared=bound.shared)
    out = _complex_call(inner, inner.x, "at the point")
    complex_output = np.asarray(out).dtype.kind == "c"
    return ComplexPairTarget(
        f=f,
        x=bound.x,
        wrt=bound.wrt,
        others=bound.others,
        shared=bound.shared,
        inner=inner,
        complex_output=complex_output,
    )


@dataclass(frozen=True, kw_only=True)
class WirtingerPair:
    """Both Wirtinger derivatives of every output entry by every entry of a complex variable,
    in tensor layout (``f_shape + z_shape``), with one error bound for each.

    Attributes
    ----------
    dz, dzbar : numpy.ndarray
        ``∂f/∂z`` and ``∂f/∂z̄`` (complex128).
    error : numpy.ndarray
        Bound on the error of either (real): ``(e_x + e_y) / 2``.
    reliable : numpy.ndarray of bool
        Where all four real differences behind the entry are trustworthy.
    frozen : numpy.ndarray of bool
        Where f's entry did not change at all along either direction of the coordinate.
    complex_output : bool
        Whether f's value is complex.
    f_value : numpy.ndarray
        f at the point (complex when `complex_output`).
    """

    dz: np.ndarray
    dzbar: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    frozen: np.ndarray
    complex_output: bool
    f_value: np.ndarray

    @property
    def f_shape(self) -> tuple[int, ...]:
        return self.f_value.shape


def split_pair(a: np.ndarray, complex_output: bool, n_out: int) -> tuple[np.ndarray, ...]:
    """(Re f by x, Im f by x, Re f by y, Im f by y) of a tensor-layout array of the pair target
    (`n_out` the number of axes of f's own value); the Im parts are None for a real f."""
    by_x, by_y = a[..., 0], a[..., 1]
    if not complex_output:
        return by_x, None, by_y, None
    return (
        np.take(by_x, 0, axis=n_out),
        np.take(by_x, 1, axis=n_out),
        np.take(by_y, 0, axis=n_out),
        np.take(by_y, 1, axis=n_out),
    )


def partials(value: np.ndarray, complex_output: bool, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(∂f/∂x, ∂f/∂y) as complex arrays (``f_shape + z_shape``) from the pair target's tensor."""
    rx, ix, ry, iy = split_pair(value, complex_output, n_out)
    if not complex_output:
        return rx.astype(np.complex128), ry.astype(np.complex128)
    return rx + 1j * ix, ry + 1j * iy


def wirtinger_pair(est: TensorEstimate, complex_output: bool) -> WirtingerPair:
    """The Wirtinger pair from the real engine's estimate at a :class:`ComplexPairTarget`."""
    n_out = est.f_value.ndim - (1 if complex_output else 0)
    fx, fy = partials(est.value, complex_output, n_out)
    parts = [p for p in split_pair(est.error, complex_output, n_out) if p is not None]
    ok = [p for p in split_pair(est.reliable.astype(bool), complex_output, n_out) if p is not None]
    still = [p for p in split_pair(est.frozen.astype(bool), complex_output, n_out) if p is not None]
    f_value = est.f_value
    if complex_output:
        f_value = f_value[..., 0] + 1j * f_value[..., 1]
    return WirtingerPair(
        dz=0.5 * (fx - 1j * fy),
        dzbar=0.5 * (fx + 1j * fy),
        error=0.5 * sum(parts[1:], parts[0]),
        reliable=np.logical_and.reduce(ok),
        frozen=np.logical_and.reduce(still),
        complex_output=complex_output,
        f_value=f_value,
    )
