"""Numerical derivatives by a complex variable in a named convention: what
:func:`gradcheck.estimate_jacobian` and :func:`gradcheck.jacobian` return at a complex point."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConventionError, InvalidArgumentError
from .complex_pair import ComplexPairTarget, make_complex_target, partials, wirtinger_pair
from .conventions import CONVENTIONS, Convention, apply_convention, convention_named
from .estimate import JacobianEstimate, _value_tensor, estimate_tensor, validate_method
from .layouts import convert_layout, validate_layout
from .stencils import Method
from .target import Point

__all__ = [
    "ComplexRequest",
    "complex_estimate_jacobian",
    "complex_jacobian",
    "pair_step",
    "refuse_convention_for_real",
    "validate_complex_method",
    "validated_convention",
]


def refuse_convention_for_real(convention: object, label: str) -> None:
    """A `convention` given for a real variable is a mistake (a complex point written as a real
    array, most likely): refuse it, saying so."""
    if convention is not None:
        raise ConventionError(
            f"`convention`={convention!r} applies to complex variables, but {label} is real. "
            f"Pass the point as a complex array (e.g. `x.astype(complex)`) to differentiate by a "
            f"complex variable, or drop `convention` for a real one."
        )


def validated_convention(
    convention: object, target: ComplexPairTarget, *, allow_auto: bool
) -> Convention | None:
    """The convention for a complex point: required, known, and meaningful for f."""
    if convention is None:
        names = ", ".join(map(repr, [*CONVENTIONS, *(["auto"] if allow_auto else [])]))
        raise ConventionError(
            f"the variable is complex, so the derivative depends on a convention: pass "
            f"`convention=` one of {names} (see gradcheck.CONVENTIONS)."
        )
    conv = convention_named(convention, allow_auto=allow_auto)
    if conv is not None and conv.real_only and target.complex_output:
        raise ConventionError(
            f"convention {conv.name!r} is defined for real-valued f, but f returns complex "
            f"values; use 'wirtinger' / 'conjugate_wirtinger' (or 'holomorphic' for an "
            f"analytic f), or 'pytorch' / 'jax' for those frameworks' Jacobians."
        )
    if conv is not None and conv.holomorphic and not target.complex_output:
        raise ConventionError(
            "convention 'holomorphic' needs a complex-valued f; f returns real values, and a "
            "real-valued f is holomorphic only where it is constant. Use 'wirtinger', "
            "'complex_gradient', 'pytorch' or 'jax'."
        )
    return conv


def validate_complex_method(method: str) -> Method:
    """The method for a complex point: any real difference, not the complex step."""
    m = validate_method(method)
    if m.kind == "complex":
        raise InvalidArgumentError(
            "method='complex' (the complex step) needs a real variable; a complex variable is "
            "differentiated along its real and imaginary directions with real differences: "
            "use 'central', 'central4' or 'richardson'."
        )
    return m


def pair_step(step: object) -> object:
    """A user's `step` for a complex variable (scalar or shape of z) as steps of the pair."""
    if step is None or np.ndim(step) == 0:
        return step
    return np.asarray(step, dtype=float)[..., None]


@dataclass(frozen=True, kw_only=True)
class ComplexRequest:
    """What `estimate_jacobian` / `jacobian` were asked for at a complex point."""

    layout: str
    convention: object
    method: str
    step: object
    vectorized: bool | None
    chunk_bytes: int
    executor: Executor | None = None

    def engine(self) -> dict[str, Any]:
        """The keywords of the engine's estimate (steps of the real pair)."""
        return {
            "step": pair_step(self.step),
            "vectorized": self.vectorized,
            "chunk_bytes": self.chunk_bytes,
            "executor": self.executor,
        }


def _prepared(
    f: Callable[..., Any], point: Point, wrt: str | None, options: ComplexRequest
) -> tuple[ComplexPairTarget, str, Convention, Method]:
    """The bound target, layout, convention and method, validated."""
    target = make_complex_target(f, point, wrt)
    layout = validate_layout(options.layout)
    conv = validated_convention(options.convention, target, allow_auto=False)
    assert conv is not None
    return target, layout, conv, validate_complex_method(options.method)


def complex_estimate_jacobian(
    f: Callable[..., Any], point: Point, *, wrt: str | None, options: ComplexRequest
) -> JacobianEstimate:
    """:func:`gradcheck.estimate_jacobian` at a complex point (see its docstring)."""
    target, layout, conv, m = _prepared(f, point, wrt, options)
    est = estimate_tensor(target, m, **options.engine())
    pair = wirtinger_pair(est, target.complex_output)
    value, error = apply_convention(conv, pair.dz, pair.dzbar, pair.error)
    f_shape, z_shape = pair.f_shape, target.z.shape

    def convert(a: np.ndarray) -> np.ndarray:
        return convert_layout(a, f_shape, z_shape, source="tensor", target=layout)

    return JacobianEstimate(
        value=convert(value),
        error=convert(error),
        reliable=convert(pair.reliable),
        layout=layout,
        method=m.name,
        wrt=target.wrt,
        f_shape=f_shape,
        x_shape=z_shape,
        f_value=pair.f_value,
        step=est.step[..., 0] + 1j * est.step[..., 1],
        evaluations=est.evaluations + 1,
        calls=est.calls + 1,
        vectorized=est.vectorized,
    )


def complex_jacobian(
    f: Callable[..., Any], point: Point, *, wrt: str | None, options: ComplexRequest
) -> np.ndarray:
    """:func:`gradcheck.jacobian` at a complex point (see its docstring)."""
    target, layout, conv, m = _prepared(f, point, wrt, options)
    tensor, f0 = _value_tensor(target, m, **options.engine())
    n_out = f0.ndim - (1 if target.complex_output else 0)
    fx, fy = partials(tensor, target.complex_output, n_out)
    value, _ = apply_convention(conv, 0.5 * (fx - 1j * fy), 0.5 * (fx + 1j * fy), np.zeros(()))
    f_shape = f0.shape[:n_out]
    return convert_layout(value, f_shape, target.z.shape, source="tensor", target=layout)
