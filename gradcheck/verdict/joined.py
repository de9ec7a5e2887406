"""Several variables checked as one: ``wrt=("W", "b")``.

The variables are stacked into one vector ``z = [ravel(W); ravel(b)]`` (each variable in
C order, in the order of `wrt`), so that a Hessian of several variables is one Hessian of
`z` made of blocks, and a Hessian-vector product one product in `z`'s space. This module
binds f, the claims and the gradient to `z` and splits what comes back per variable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Point, convert_layout
from ..errors import InvalidArgumentError, ShapeMismatchError, UnknownNameError

#: The joined variable's name in the point (not an identifier: it never meets a variable).
JOINED = "(joined)"


def validate_names(wrt: Sequence[str], point: Point) -> tuple[str, ...]:
    """`wrt` as a tuple of distinct names of the mapping `point`, else a GradcheckError."""
    names = tuple(wrt)
    if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise InvalidArgumentError(
            f"`wrt` must be a variable name or a sequence of distinct names; got {wrt!r}."
        )
    if not isinstance(point, Mapping):
        raise InvalidArgumentError(
            f"several variables wrt={names} need a mapping point {{name: value}}; got a bare array."
        )
    unknown = [n for n in names if n not in point]
    if unknown:
        raise UnknownNameError(
            f"`wrt` names {unknown}, which the point does not have (it has {list(point)})."
        )
    return names


def parts_of(out: Any, names: tuple[str, ...], allowed: Sequence[str], what: str) -> list[Any]:
    """The per-variable parts of `out` (a mapping from the names, or a sequence in their
    order), in the order of `names`. A mapping may also hold names in `allowed` (e.g. the
    point's other variables: a layer's backward that returns dx too); it must not lack a name
    or hold one that is neither."""
    if isinstance(out, Mapping):
        missing = [n for n in names if n not in out]
        extra = [k for k in out if k not in names and k not in allowed]
        if missing or extra:
            lacks = f"lacks {missing}" if missing else ""
            has = f"has {extra}, which are not variables" if extra else ""
            raise UnknownNameError(
                f"{what} returned a mapping that {' and '.join(p for p in (lacks, has) if p)} "
                f"(it has {list(out)}); it must hold one entry for each variable in `wrt` "
                f"{list(names)}."
            )
        return [out[n] for n in names]
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = f"{len(out)} items" if isinstance(out, (tuple, list)) else type(out).__name__
        raise ShapeMismatchError(
            f"{what} returned {got}; for wrt={names} it must return a mapping from the names, "
            f"or a tuple of {len(names)} items in that order."
        )
    return list(out)


@dataclass(frozen=True)
class Joined:
    """The variables `names` of shapes `shapes` stacked into one vector (C order each)."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    point: Mapping[str, Any]

    @classmethod
    def of(cls, point: Point, wrt: Sequence[str]) -> Joined:
        names = validate_names(wrt, point)
        return cls(names, tuple(np.shape(point[n]) for n in names), point)

    @property
    def sizes(self) -> list[int]:
        return [int(np.prod(s)) for s in self.shapes]

    @property
    def slices(self) -> dict[str, slice]:
        ends = np.cumsum([0, *self.sizes])
        return {
            n: slice(int(a), int(b))
            for n, a, b in zip(self.names, ends[:-1], ends[1:], strict=False)
        }

    @property
    def label(self) -> str:
        return "(" + ", ".join(self.names) + ")"

    def split(self, z: np.ndarray) -> dict[str, np.ndarray]:
        """``z`` (leading batch axes allowed) as the variables."""
        z = np.asarray(z)
        lead = z.shape[:-1]
        return {
            n: z[..., s].reshape(lead + shape)
            for (n, s), shape in zip(self.slices.items(), self.shapes, strict=False)
        }

    def join(self, out: Any, what: str) -> np.ndarray:
        """A per-variable result (mapping or tuple) as one vector of z's size."""
        parts = parts_of(out, self.names, self.others(), what)
        flat = []
        for name, part, shape in zip(self.names, parts, self.shapes, strict=False):
            arr = np.asarray(part, dtype=np.float64)
            if arr.shape != shape:
                raise ShapeMismatchError(
                    f"{what} returned shape {arr.shape} for `{name}`; it must be the variable's "
                    f"shape {shape}."
                )
            flat.append(arr.ravel())
        return np.concatenate(flat)

    def others(self) -> list[str]:
        return [k for k in self.point if k not in self.names]

    def joined_point(self) -> dict[str, Any]:
        z = np.concatenate(
            [np.asarray(self.point[n], dtype=np.float64).ravel() for n in self.names]
        )
        return {JOINED: z, **{k: self.point[k] for k in self.others()}}

    def function(self, f: Callable[..., Any]) -> Callable[..., Any]:
        """f as a function of the joined variable (and the point's other arguments)."""

        def joined(**arguments: Any) -> Any:
            z = arguments.pop(JOINED)
            return f(**self.split(z), **arguments)

        return joined

    def gradient(self, gradient: Callable[..., Any]) -> Callable[..., Any]:
        """A gradient returning the per-variable gradients, as the gradient in z."""

        def joined(**arguments: Any) -> np.ndarray:
            z = arguments.pop(JOINED)
            return self.join(gradient(**self.split(z), **arguments), "the gradient")

        return joined

    def hvp(self, hvp: Callable[..., Any]) -> Callable[..., Any]:
        """``hvp(v, **point)``, `v` a mapping from the names, as a product in z's space."""

        def joined(vector: np.ndarray, **arguments: Any) -> np.ndarray:
            z = arguments.pop(JOINED)
            out = hvp(self.split(vector), **self.split(z), **arguments)
            return self.join(out, "the hvp")

        return joined

    def hessian(self, blocks: Any, layout: str) -> np.ndarray:
        """The claimed blocks as the Hessian in z (``z.size x z.size``).

        `blocks` is a mapping from pairs ``(a, b)`` to ``d^2 f / da db`` (a's entries first),
        where a pair missing is the transpose of its mirror ``(b, a)``; or a nested sequence,
        row ``a``, column ``b``. `layout` "vec" (``a.size x b.size``, column-major vec) or
        "tensor" (``a.shape + b.shape``).
        """
        grid = self._block_grid(blocks)
        n = sum(self.sizes)
        H = np.zeros((n, n))
        slices = self.slices
        for a, sa in zip(self.names, self.shapes, strict=False):
            for b, sb in zip(self.names, self.shapes, strict=False):
                block, mirrored = grid[a, b]
                H[slices[a], slices[b]] = self._block(block, (a, sa), (b, sb), layout, mirrored)
        return H

    def _block_grid(self, blocks: Any) -> dict[tuple[str, str], tuple[Any, bool]]:
        names = self.names
        if isinstance(blocks, Mapping):
            pairs = {(a, b) for a in names for b in names}
            extra = [k for k in blocks if k not in pairs]
            if extra:
                raise UnknownNameError(
                    f"the claimed Hessian has blocks {extra}, which are not pairs of the "
                    f"variables in `wrt` {list(names)}; key each block (a, b)."
                )
            grid = {}
            missing = []
            for a, b in sorted(pairs, key=lambda p: (names.index(p[0]), names.index(p[1]))):
                if (a, b) in blocks:
                    grid[a, b] = (blocks[a, b], False)
                elif (b, a) in blocks and a != b:
                    grid[a, b] = (blocks[b, a], True)
                else:
                    missing.append((a, b))
            if missing:
                raise UnknownNameError(
                    f"the claimed Hessian lacks the blocks {missing} (a mixed block may be given "
                    f"once, as (a, b) or (b, a)); it has {list(blocks)}."
                )
            return grid
        rows = parts_of(blocks, names, (), "the claimed Hessian")
        return {
            (a, b): (block, False)
            for a, row in zip(names, rows, strict=False)
            for b, block in zip(
                names, parts_of(row, names, (), f"row `{a}` of the claimed Hessian"), strict=False
            )
        }

    def _block(self, block: Any, a: tuple, b: tuple, layout: str, mirrored: bool) -> np.ndarray:
        """One block as the ``a.size x b.size`` part of the Hessian in z (C order)."""
        (na, sa), (nb, sb) = a, b
        if mirrored:
            (na, sa), (nb, sb) = b, a
        arr = np.asarray(block, dtype=np.float64)
        size_a, size_b = int(np.prod(sa)), int(np.prod(sb))
        shapes = {"vec": (size_a, size_b), "tensor": sa + sb}
        if arr.shape != shapes[layout]:
            hint = ""
            if arr.shape == {"vec": (size_b, size_a), "tensor": sb + sa}[layout]:
                hint = (
                    f" It has the shape of the block ({nb}, {na}): a mixed block transposed? "
                    f"Key it ({nb}, {na}), or transpose it."
                )
            raise ShapeMismatchError(
                f"the claimed Hessian block ({na}, {nb}) has shape {arr.shape}; in layout "
                f"{layout!r} it must be {shapes[layout]}.{hint}"
            )
        tensor = arr
        if layout == "vec":
            tensor = convert_layout(arr, sa, sb, source="numerator", target="tensor")
        out = tensor.reshape(size_a, size_b)
        return out.T if mirrored else out

    def block_of(self, H: np.ndarray, a: str, b: str) -> np.ndarray:
        s = self.slices
        return H[s[a], s[b]]
