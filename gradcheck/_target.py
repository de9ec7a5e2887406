"""The function under test together with its point: validation of inputs and safe calls.

A :class:`_Target` binds ``f``, the variable it is differentiated by and the other arguments, so
that the rest of the engine can evaluate ``f`` at any value of that variable. Every call goes
through :func:`_Target.call`, which turns whatever ``f`` does wrong into a
:class:`~gradcheck.GradcheckError` that says which call failed.
"""

from __future__ import annotations

import difflib
import inspect
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._errors import (
    FunctionCallError,
    GradcheckError,
    GradcheckWarning,
    InPlaceModificationError,
    InvalidArgumentError,
    InvalidInputError,
    NonFiniteValueError,
    OutputTypeError,
    UnknownNameError,
)

Point = np.ndarray | float | Mapping[str, Any]


def _as_float_variable(value: object, label: str, *, name: str = "point") -> np.ndarray:
    """Return a float64 copy of the variable `value`, rejecting dtypes that cannot be perturbed."""
    try:
        arr = np.array(value, copy=True)
    except Exception as exc:  # ragged lists and the like
        raise InvalidInputError(
            f"{label} cannot be turned into an array ({exc}); pass a numpy array of floats."
        ) from exc
    kind = arr.dtype.kind
    if kind == "b":
        raise InvalidInputError(
            f"{label} is a boolean array; derivatives need real floating-point values. "
            f"Pass `{name}` with dtype float64 (e.g. `x.astype(float)`)."
        )
    if kind in "iu":
        raise InvalidInputError(
            f"{label} has integer dtype {arr.dtype}; derivatives need real floating-point values "
            f"(integers cannot be perturbed by a small step). Pass it as float64 "
            f"(e.g. `x.astype(float)`)."
        )
    if kind == "c":
        raise InvalidInputError(
            f"{label} is complex ({arr.dtype}); gradcheck differentiates real functions of real "
            f"variables. Pass the real point; method='complex' adds the imaginary step itself."
        )
    if kind != "f":
        raise InvalidInputError(
            f"{label} has dtype {arr.dtype}, which is not a real floating-point type; "
            f"pass a numpy array of float64."
        )
    if arr.dtype != np.float64:
        if arr.dtype.itemsize < 8:
            warnings.warn(
                f"{label} has dtype {arr.dtype}; gradcheck computes in float64 because finite "
                f"differences in {arr.dtype} lose most of their digits to rounding. Your function "
                f"receives float64 arrays.",
                GradcheckWarning,
                stacklevel=4,
            )
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise NonFiniteValueError(
            f"{label} contains a non-finite value at index {bad}; derivatives exist only at "
            f"finite points."
        )
    return arr


def _describe_index(index: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(i) for i in index) + ")" if index else "()"


@dataclass(frozen=True)
class _Target:
    """A function, the variable it is differentiated by, and the fixed other arguments.

    Attributes
    ----------
    f : callable
        The function, called as ``f(x)`` (no names) or ``f(**arguments)``.
    x : numpy.ndarray
        Float64 copy of the variable's value at the point.
    wrt : str or None
        Name of the variable, None when the point is a bare array.
    others : Mapping
        The other arguments (private copies, so ``f`` never sees the caller's arrays).
    role : str
        "f" or "the derivative": how error messages name the callable.
    """

    f: Callable[..., Any]
    x: np.ndarray
    wrt: str | None
    others: Mapping[str, Any]
    role: str = "f"

    @property
    def label(self) -> str:
        return "the point" if self.wrt is None else f"`{self.wrt}`"

    def call(self, value: np.ndarray, where: str) -> Any:
        """Call the function with the variable set to `value`; `where` describes the call.

        The function receives read-only arrays, so modifying an input in place fails at once
        and costs nothing to detect. A function that merely needs writable buffers (a Cython
        memoryview, say) is called again with writable copies, which are compared with the
        originals afterwards; a difference is reported as in-place modification.
        """
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        try:
            return self._invoke(value, self.others)
        except GradcheckError:
            raise
        except Exception as exc:
            if "read-only" not in str(exc):
                raise FunctionCallError(
                    f"{self.role} raised {type(exc).__name__}: {exc} (when called {where})."
                ) from exc
        return self._call_writable(value, where)

    def _invoke(self, value: Any, others: Mapping[str, Any]) -> Any:
        return self.f(value) if self.wrt is None else self.f(**others, **{self.wrt: value})

    def _call_writable(self, value: Any, where: str) -> Any:
        def copy(v: Any) -> Any:
            return np.array(v, copy=True) if isinstance(v, np.ndarray) else v

        writable = copy(value)
        others = {k: copy(v) for k, v in self.others.items()}
        try:
            out = self._invoke(writable, others)
        except GradcheckError:
            raise
        except Exception as exc:
            raise FunctionCallError(
                f"{self.role} raised {type(exc).__name__}: {exc} (when called {where})."
            ) from exc
        changed = [] if np.array_equal(writable, value) else [self.label]
        changed += [
            f"`{k}`"
            for k, v in self.others.items()
            if isinstance(v, np.ndarray) and not np.array_equal(others[k], v, equal_nan=True)
        ]
        if changed:
            raise InPlaceModificationError(
                f"{self.role} modified its input {changed[0]} in place (when called {where}). "
                f"gradcheck evaluates it many times and needs every call to see the same "
                f"inputs: copy the array inside the function before changing it."
            )
        return out


def _split_point(
    f: Callable[..., Any], point: Point, wrt: str | None
) -> tuple[str | None, object, dict[str, Any]]:
    """Return (wrt, raw value of the variable, other arguments) after validating names."""
    if not callable(f):
        raise InvalidArgumentError(f"`f` must be callable; got {type(f).__name__}.")
    if not isinstance(point, Mapping):
        if wrt is not None:
            raise InvalidArgumentError(
                f"`wrt` names a variable of a mapping point; got wrt={wrt!r} with a bare array "
                f"point. Pass point={{{wrt!r}: x}} or drop `wrt`."
            )
        return None, point, {}
    if not point:
        raise InvalidArgumentError("`point` is an empty mapping; give the value of every argument.")
    names = list(point)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise InvalidArgumentError(f"`point` keys must be argument names (str); got {bad[0]!r}.")
    if wrt is None:
        if len(names) > 1:
            raise InvalidArgumentError(
                f"`wrt` is required when `point` has more than one variable; choose one of {names}."
            )
        wrt = names[0]
    if wrt not in point:
        close = difflib.get_close_matches(str(wrt), names, n=3, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"`wrt`={wrt!r} is not a variable of the point; the point has {names}.{hint}"
        )
    _check_signature(f, names)
    others = {k: _private_read_only(v) for k, v in point.items() if k != wrt}
    return wrt, point[wrt], others


def _private_read_only(value: Any) -> Any:
    """A read-only copy of an array argument (other objects are passed as they are)."""
    if not isinstance(value, np.ndarray):
        return value
    private = np.array(value, copy=True)
    private.flags.writeable = False
    return private


def _check_signature(f: Callable[..., Any], names: list[str]) -> None:
    """Compare the point's names with f's parameters where f's signature can be read."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return
    params = sig.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        accepted = None
    else:
        accepted = {
            p.name
            for p in params
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        }
    required = [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    missing = [n for n in required if n not in names]
    if missing:
        raise InvalidArgumentError(
            f"`point` is missing argument(s) {missing} of {getattr(f, '__name__', 'f')}; "
            f"add their values to the point."
        )
    if accepted is not None:
        extra = [n for n in names if n not in accepted]
        if extra:
            raise UnknownNameError(
                f"`point` has variable(s) {extra} that {getattr(f, '__name__', 'f')} does not "
                f"accept; its parameters are {sorted(accepted)}."
            )


def _make_target(f: Callable[..., Any], point: Point, wrt: str | None) -> _Target:
    """Validate `f`, `point` and `wrt` and bind them into a :class:`_Target`."""
    wrt, raw, others = _split_point(f, point, wrt)
    label = "`point`" if wrt is None else f"the variable `{wrt}`"
    x = _as_float_variable(raw, label)
    x.flags.writeable = False
    return _Target(f=f, x=x, wrt=wrt, others=others)


def _as_real_output(out: Any, *, role: str, where: str, allow_complex: bool = False) -> np.ndarray:
    """Validate what a function returned and convert it to a float64 (or complex) array."""
    if out is None:
        raise OutputTypeError(
            f"{role} returned None (when called {where}); it must return a number or an array of "
            f"real numbers. Did you forget a `return`?"
        )
    if isinstance(out, (str, bytes)):
        raise OutputTypeError(
            f"{role} returned a string (when called {where}); it must return a number or an array "
            f"of real numbers."
        )
    try:
        arr = np.asarray(out)
    except Exception as exc:
        raise OutputTypeError(
            f"{role} returned a {type(out).__name__} that is not an array (when called {where})."
        ) from exc
    kind = arr.dtype.kind
    if kind == "c" and not allow_complex:
        raise OutputTypeError(
            f"{role} returned complex values (when called {where}) for a real input; gradcheck "
            f"checks real functions. Return the real part (e.g. `.real`) if that is what you mean."
        )
    if kind == "b":
        raise OutputTypeError(
            f"{role} returned booleans (when called {where}); a boolean output has no derivative. "
            f"Return real numbers."
        )
    if kind not in "fiuc":
        raise OutputTypeError(
            f"{role} returned an array of dtype {arr.dtype} (when called {where}); it must return "
            f"a number or an array of real numbers."
        )
    if kind == "c":
        return arr.astype(np.complex128)
    return arr.astype(np.float64)


def _first_nonfinite(arr: np.ndarray) -> tuple[int, ...] | None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])
