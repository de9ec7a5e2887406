"""The function under test together with its point: validation of inputs and safe calls.

A :class:`Target` binds ``f``, the variable it is differentiated by and the other arguments, so
that the rest of the engine can evaluate ``f`` at any value of that variable. Every call goes
through :func:`Target.call`, which turns whatever ``f`` does wrong into a
:class:`~gradcheck.GradcheckError` that says which call failed.

What ``f`` receives
-------------------
The variable is a float64 ``numpy.ndarray`` (complex128 under ``method="complex"``); a list,
tuple, scalar or ``np.memmap`` is converted to one. An ``np.matrix`` variable is passed as an
``np.matrix`` and is never batched (a stack of points cannot be an ``np.matrix``). float16,
float32 and longdouble variables are computed in float64 with a :class:`GradcheckWarning`
(for longdouble always: f's own arithmetic is then float64 too, and the warning says whether
the point itself was rounded). Masked arrays, other ``ndarray`` subclasses and object,
integer, boolean or complex arrays are refused with an :class:`InvalidInputError` naming the
conversion to make; so is a masked array returned by f, a derivative or a product
(:func:`refuse_masked`: its mask would be dropped).

Other arguments keep their type, and ``f`` never sees the caller's objects:

* arrays (``ndarray``, ``np.matrix``, masked arrays) are private copies that cannot be
  written: their memory ends in a read-only buffer, so numpy also refuses to set
  ``x.flags.writeable = True`` (or ``x.base.flags.writeable = True``). Each call gets a fresh
  view, so even rebinding ``A.shape`` inside ``f`` does not reach the next call;
* numbers, strings, None, functions, classes, modules and tuples of those are passed as they
  are (they cannot be changed);
* anything else (lists, dicts, object arrays, ndarray subclasses, objects) is deep-copied for
  every call, and a change ``f`` makes to its copy (seen by comparing its pickle before and
  after the call) raises :class:`InPlaceModificationError`. An object that cannot be
  deep-copied is passed as it is, with a warning.

A function that insists on writable inputs (a Cython memoryview, say) and raises on read-only
ones is called again with writable copies, which are compared with the originals afterwards;
so is one that tries to make its input writable. A difference is reported as in-place
modification.
"""

from __future__ import annotations

import copy
import difflib
import inspect
import io
import pickle
import types
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import (
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

#: Words in an exception's message that mean "f wanted a writable input".
_WRITE_COMPLAINTS = ("read-only", "readonly", "writeable", "writable")


def _variable_kind(value: object, label: str) -> bool:
    """Whether the variable is an np.matrix; refuse array types whose meaning would be lost."""
    if isinstance(value, np.ma.MaskedArray):
        raise InvalidInputError(
            f"{label} is a masked array; gradcheck would drop its mask and differentiate the "
            f"values underneath. Pass `x.filled(value)` to give the masked entries a value, or "
            f"`np.ma.getdata(x)` to use the stored data as it is."
        )
    if isinstance(value, np.matrix):
        return True
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        if not isinstance(value, np.memmap):
            raise InvalidInputError(
                f"{label} is a {type(value).__name__} (a numpy.ndarray subclass); f would receive "
                f"plain float64 numpy arrays instead, without what the subclass adds. Pass "
                f"`np.asarray(x)` if f works on plain arrays."
            )
    return False


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
            f"{label} is complex ({arr.dtype}); this check takes real variables only. "
            f"gradcheck.check, jacobian, estimate_jacobian, check_vjp and check_jvp take complex "
            f"points with a `convention` (see gradcheck.CONVENTIONS); for the complex step, "
            f"pass the real point: method='complex' adds the imaginary step itself."
        )
    if kind == "O":
        raise InvalidInputError(
            f"{label} has dtype object (Python objects such as Decimal, Fraction or None, not "
            f"machine floats); gradcheck does not convert them. Pass `x.astype(float)` (or "
            f"`np.asarray(x, dtype=float)`) if the entries are plain numbers."
        )
    if kind != "f":
        raise InvalidInputError(
            f"{label} has dtype {arr.dtype}, which is not a real floating-point type; "
            f"pass a numpy array of float64."
        )
    if arr.dtype != np.float64:
        arr = _to_float64(arr, label)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise NonFiniteValueError(
            f"{label} contains a non-finite value at index {bad}; derivatives exist only at "
            f"finite points."
        )
    return arr


def _to_float64(arr: np.ndarray, label: str) -> np.ndarray:
    """float16/float32/longdouble -> float64, with a warning that says what changes."""
    if arr.dtype.itemsize < 8:
        warnings.warn(
            f"{label} has dtype {arr.dtype}; gradcheck computes in float64 because finite "
            f"differences in {arr.dtype} lose most of their digits to rounding. Your function "
            f"receives float64 arrays.",
            GradcheckWarning,
            stacklevel=5,
        )
        return arr.astype(np.float64)
    with np.errstate(over="ignore"):
        rounded = arr.astype(np.float64)
    overflow = np.isfinite(arr) & ~np.isfinite(rounded)
    if overflow.any():
        index = tuple(int(i) for i in np.argwhere(overflow)[0])
        raise InvalidInputError(
            f"{label} has an entry beyond the float64 range at index {describe_index(index)} "
            f"({arr[index]}); gradcheck computes in float64. Rescale the problem."
        )
    changed = np.isfinite(arr) & (rounded.astype(arr.dtype) != arr)
    if changed.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs((rounded.astype(arr.dtype) - arr) / arr)[changed]
        what = (
            f"{int(changed.sum())} of {arr.size} entries change, by up to "
            f"{float(np.max(rel)):.1e} relative"
        )
    else:
        what = "its values are float64 numbers and do not change"
    warnings.warn(
        f"{label} has dtype {arr.dtype}; gradcheck computes in float64, so the point is rounded "
        f"to float64 ({what}) and your function receives float64 arrays, not {arr.dtype}. "
        f"Pass `x.astype(np.float64)` to make the conversion yours.",
        GradcheckWarning,
        stacklevel=5,
    )
    return rounded


def describe_index(index: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(i) for i in index) + ")" if index else "()"


def _locked(a: np.ndarray) -> np.ndarray:
    """A view of `a` (copied first if not C-contiguous) that no one can make writable.

    numpy sets ``writeable = True`` on an array only when the chain of its bases ends at
    writable memory; here it ends at a read-only memoryview, so ``x.flags.writeable = True``
    and ``x.base.flags.writeable = True`` both raise. Costs O(1), no copy of the data.
    """
    if not a.flags.c_contiguous:
        a = a.copy(order="C")
    buffer = memoryview(a.reshape(-1).view(np.uint8)).toreadonly()
    return np.frombuffer(buffer, dtype=a.dtype).reshape(a.shape)


def _is_atomic(value: object) -> bool:
    """Whether `value` cannot be changed in place, so f may receive it as it is."""
    atomic = (
        type(None),
        bool,
        int,
        float,
        complex,
        str,
        bytes,
        range,
        slice,
        type(Ellipsis),
        type,
        types.FunctionType,
        types.BuiltinFunctionType,
        types.ModuleType,
        np.dtype,
        np.ufunc,
    )
    if isinstance(value, atomic):
        return True
    if isinstance(value, np.generic):
        return value.dtype.kind != "O"
    if isinstance(value, (tuple, frozenset)):
        return all(_is_atomic(v) for v in value)
    return False


def _lockable(value: object) -> bool:
    """Arrays whose private copy is locked (see :func:`_locked`) rather than deep-copied."""
    return (
        type(value) in (np.ndarray, np.matrix, np.memmap, np.ma.MaskedArray)
        and value.dtype.kind != "O"  # type: ignore[union-attr]
    )


def _private_argument(name: str, value: Any) -> tuple[Any, bool]:
    """A private copy of another argument; the flag is False when it could not be copied."""
    if _is_atomic(value):
        return value, True
    if _lockable(value):
        if isinstance(value, np.ma.MaskedArray):
            mask = np.ma.getmask(value)
            return np.ma.MaskedArray(
                _locked(np.array(np.ma.getdata(value), copy=True)),
                mask=mask if mask is np.ma.nomask else _locked(np.array(mask, copy=True)),
                fill_value=value.fill_value,
                hard_mask=value.hardmask,
                copy=False,
            ), True
        private = _locked(np.array(value, copy=True))
        return (private.view(np.matrix) if isinstance(value, np.matrix) else private), True
    try:
        return copy.deepcopy(value), True
    except Exception as exc:
        warnings.warn(
            f"the argument `{name}` (a {type(value).__name__}) cannot be copied ({exc}); your "
            f"function receives the object itself, so a change it makes there reaches your "
            f"object and later calls.",
            GradcheckWarning,
            stacklevel=5,
        )
        return value, False


def _fresh(value: Any, copied: bool) -> Any:
    """What f receives for a private argument in one call."""
    if _is_atomic(value) or not copied:
        return value
    if _lockable(value):
        return value.view()  # a new array object over the same locked memory
    return copy.deepcopy(value)


def _writable_copy(value: Any) -> tuple[Any, Any]:
    """(what f receives, the copy to compare afterwards) for a call with writable inputs."""
    if isinstance(value, np.ma.MaskedArray):
        owner = value.copy()
        return owner, owner
    owner = np.array(value, copy=True, subok=True)
    return owner.view(), owner  # a view, so that `x.base` is an array as usual


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit-for-bit equality of two arrays (and of their masks): NaN-safe, any dtype."""
    da, db = np.ma.getdata(a), np.ma.getdata(b)
    if da.dtype != db.dtype or da.shape != db.shape or not _same_bytes(da, db):
        return False
    if isinstance(a, np.ma.MaskedArray) or isinstance(b, np.ma.MaskedArray):
        return _same_bytes(np.ma.getmaskarray(a), np.ma.getmaskarray(b))
    return True


def _same_bytes(a: np.ndarray, b: np.ndarray, block: int = 1 << 16) -> bool:
    """Whether two arrays of one dtype and shape hold the same bytes, compared in blocks of
    `block` words (no temporary the size of the arrays: ~20 ms per 256 MiB)."""

    def words(v: np.ndarray) -> np.ndarray:
        v = v if v.flags.c_contiguous else v.copy(order="C")
        raw = v.reshape(-1).view(np.uint8)
        return raw.view(np.uint64) if raw.size % 8 == 0 else raw

    wa, wb = words(a), words(b)
    return all(
        np.array_equal(wa[i : i + block], wb[i : i + block]) for i in range(0, wa.size, block)
    )


class _ByReference(pickle.Pickler):
    """A pickler that records functions, classes and modules by identity, not by name, so that
    instances of classes defined inside functions (and attributes holding lambdas) pickle."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType)):
            return id(obj)
        return None


def _fingerprint(value: Any) -> bytes | None:
    """The pickled state of a deep-copied argument, to see whether f changed it (None when it
    cannot be pickled: a change then goes unnoticed, but later calls get fresh copies)."""
    buffer = io.BytesIO()
    try:
        _ByReference(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    except Exception:
        return None
    return buffer.getvalue()


@dataclass(frozen=True)
class Target:
    """A function, the variable it is differentiated by, and the fixed other arguments.

    Attributes
    ----------
    f : callable
        The function, called as ``f(x)`` (no names) or ``f(**arguments)``.
    x : numpy.ndarray
        Float64 copy of the variable's value at the point (read-only).
    wrt : str or None
        Name of the variable, None when the point is a bare array.
    others : Mapping
        The other arguments: private copies of the caller's objects (arrays locked, see
        :func:`_locked`), of the caller's types; every call gets fresh views or copies.
    role : str
        "f" or "the derivative": how error messages name the callable.
    as_matrix : bool
        Whether the variable is passed to f as an ``np.matrix`` (never batched then).
    shared : frozenset of str
        Other arguments that could not be copied and are passed as the caller's objects.
    """

    f: Callable[..., Any]
    x: np.ndarray
    wrt: str | None
    others: Mapping[str, Any]
    role: str = "f"
    as_matrix: bool = False
    shared: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return "the point" if self.wrt is None else f"`{self.wrt}`"

    @property
    def batchable(self) -> bool:
        """Whether f may be called on a stack of points (not for an np.matrix variable)."""
        return not self.as_matrix

    def variable_value(self) -> np.ndarray:
        """A writable copy of the variable at the point, of the caller's type (np.matrix or
        numpy.ndarray)."""
        value = np.array(self.x)
        return value.view(np.matrix) if self.as_matrix else value

    def call(self, value: np.ndarray, where: str) -> Any:
        """Call the function with the variable set to `value`; `where` describes the call.

        The function receives locked, read-only arrays (see :func:`_locked`), so modifying an
        array input in place fails at once and costs nothing to detect; other mutable
        arguments are fresh deep copies, compared with their pickle after the call. A function
        that needs writable buffers (a Cython memoryview, say) or tries to make its input
        writable is called again with writable copies, which are compared with the originals
        afterwards; a difference is reported as in-place modification.
        """
        value = np.asarray(value)
        others = {k: _fresh(v, k not in self.shared) for k, v in self.others.items()}
        before = self._fingerprints(others)
        try:
            out = self._invoke(self._variable(_locked(value)), others)
        except GradcheckError:
            raise
        except (Exception, SystemExit) as exc:  # sys.exit in f is f's failure, not ours
            if not any(word in str(exc).lower() for word in _WRITE_COMPLAINTS):
                raise _call_error(self.role, exc, where, self.is_point(value)) from exc
            return self._call_writable(value, where)
        self._check_unchanged(self._changed_objects(others, before), where)
        return out

    def is_point(self, value: np.ndarray) -> bool:
        """Whether `value` is the point itself (not a perturbed point or a stack of them)."""
        return value.shape == self.x.shape and bool(np.array_equal(value, self.x))

    def _variable(self, value: np.ndarray) -> Any:
        if not self.as_matrix:
            return value
        if value.ndim != 2:  # np.matrix would silently drop axes of a stack of points
            raise InvalidArgumentError(
                f"{self.label} is an np.matrix, so {self.role} cannot be called on a stack of "
                f"points (shape {value.shape}); pass vectorized=None or False."
            )
        return value.view(np.matrix)

    def _invoke(self, value: Any, others: Mapping[str, Any]) -> Any:
        return self.f(value) if self.wrt is None else self.f(**others, **{self.wrt: value})

    def _fingerprints(self, others: Mapping[str, Any]) -> dict[str, bytes | None]:
        return {
            k: _fingerprint(v)
            for k, v in others.items()
            if not (_is_atomic(v) or _lockable(self.others[k]))
        }

    def _changed_objects(
        self, others: Mapping[str, Any], before: Mapping[str, bytes | None]
    ) -> list[str]:
        return [
            f"`{k}`" for k, fp in before.items() if fp is not None and _fingerprint(others[k]) != fp
        ]

    def _check_unchanged(self, changed: list[str], where: str) -> None:
        if not changed:
            return
        name = changed[0].strip("`")
        hint = ""
        if isinstance(self.others.get(name), (np.random.Generator, np.random.RandomState)):
            hint = (
                " It is a random generator that f draws from: pass a seed instead and create "
                "the generator inside f, so that every call sees the same numbers."
            )
        what = ", ".join(changed[:-1]) + " and " + changed[-1] if len(changed) > 1 else changed[0]
        raise InPlaceModificationError(
            f"{self.role} modified {what} in place (when called {where}). "
            f"gradcheck evaluates it many times and needs every call to see the same "
            f"inputs: copy the array or object inside the function before changing it.{hint}"
        )

    def _call_writable(self, value: np.ndarray, where: str) -> Any:
        passed, owner = _writable_copy(value)
        arrays = {k: _writable_copy(v) for k, v in self.others.items() if _lockable(v)}
        others = {
            k: arrays[k][0] if k in arrays else _fresh(v, k not in self.shared)
            for k, v in self.others.items()
        }
        before = self._fingerprints(others)
        try:
            out = self._invoke(self._variable(passed), others)
        except GradcheckError:
            raise
        except (Exception, SystemExit) as exc:
            raise _call_error(self.role, exc, where, self.is_point(value)) from exc
        changed = [] if _same_array(owner, value) else [self.label]
        changed += [f"`{k}`" for k, (_, o) in arrays.items() if not _same_array(o, self.others[k])]
        changed += self._changed_objects(others, before)
        self._check_unchanged(changed, where)
        return out


def _split_point(
    f: Callable[..., Any], point: Point, wrt: str | None
) -> tuple[str | None, object, dict[str, Any]]:
    """Return (wrt, raw value of the variable, the caller's other arguments) after validating
    names."""
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
    return wrt, point[wrt], {k: v for k, v in point.items() if k != wrt}


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


def make_target(f: Callable[..., Any], point: Point, wrt: str | None) -> Target:
    """Validate `f`, `point` and `wrt` and bind them into a :class:`Target`."""
    wrt, raw, given = _split_point(f, point, wrt)
    label = "`point`" if wrt is None else f"the variable `{wrt}`"
    as_matrix = _variable_kind(raw, label)
    x = _as_float_variable(raw, label)
    x.flags.writeable = False
    others, shared = {}, set()
    for name, value in given.items():
        others[name], copied = _private_argument(name, value)
        if not copied:
            shared.add(name)
    return Target(f=f, x=x, wrt=wrt, others=others, as_matrix=as_matrix, shared=frozenset(shared))


def refuse_masked(value: object, label: str) -> None:
    """InvalidInputError when `value` is a masked array: converting it would drop its mask.

    Examples
    --------
    >>> refuse_masked(np.ones(2), "the claimed `derivative`")  # plain arrays pass
    >>> try:
    ...     refuse_masked(np.ma.array([1.0, 2.0], mask=[0, 1]), "f's output")
    ... except InvalidInputError as error:
    ...     print(str(error)[:32])
    f's output is a masked array; ma
    """
    if isinstance(value, np.ma.MaskedArray):
        raise InvalidInputError(
            f"{label} is a masked array; masked arrays are not supported: gradcheck would drop "
            f"the mask and use the data underneath. Pass `.filled(value)` or the data you mean "
            f"(`np.ma.getdata(...)`)."
        )


def refuse_empty(target: Target, caller: str) -> None:
    """InvalidArgumentError when the variable of `target` has no entries (`caller` names the
    check, which needs at least one entry to perturb).

    Examples
    --------
    >>> refuse_empty(make_target(np.sin, np.ones(2), None), "check_vjp")  # not empty: passes
    """
    if target.x.size == 0:
        what = "the point" if target.wrt is None else f"the variable `{target.wrt}`"
        raise InvalidArgumentError(
            f"{what} is empty (shape {target.x.shape}): {caller} has no entry to perturb and "
            f"nothing to check. Drop the empty variable from the point (gradcheck.jacobian "
            f"and estimate_jacobian return its Jacobian, which has no entries)."
        )


def _as_real_output(out: Any, *, role: str, where: str, allow_complex: bool = False) -> np.ndarray:
    """Validate what a function returned and convert it to a float64 (or complex) array."""
    refuse_masked(out, f"what {role} returned (when called {where})")
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


def first_nonfinite(arr: np.ndarray) -> tuple[int, ...] | None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])


def _call_error(role: str, exc: BaseException, where: str, at_point: bool) -> FunctionCallError:
    """FunctionCallError for an exception of `role` called `where`; away from the point (every
    check calls f at the point first, so f ran there) it says what usually causes that and
    what to do."""
    message = f"{role} raised {type(exc).__name__}: {exc} (when called {where})."
    if not at_point:
        message += (
            " It ran at the point itself, so the point may lie within a step of the edge of its"
            " domain (a matrix that is nearly singular or nearly indefinite, a value near a"
            " pole): pass a smaller `step`, choose a point farther from the edge, or let it"
            " return nan outside its domain so that gradcheck names the coordinate."
        )
    return FunctionCallError(message)
