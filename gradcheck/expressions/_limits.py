"""Budgets of a formula: how long, how deep, how big and how much work it may be.

Every budget is checked statically -- from the source text and the shapes of the variables,
before numpy allocates anything -- and a formula over budget raises
:class:`~gradcheck.expressions.ExpressionError` naming the part and the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ._nodes import ExpressionError

__all__ = ["DEFAULT_LIMITS", "Limits"]

#: A larger depth would let the parser's own recursion approach Python's recursion limit.
_DEPTH_CAP = 400


@dataclass(frozen=True, kw_only=True)
class Limits:
    """The budgets a formula must fit in.

    Attributes
    ----------
    max_length : int
        Characters of source text (2,000).
    max_depth : int
        Nesting depth of the syntax tree: ``-(-x)`` is 3 deep, a sum of k terms k deep (200;
        at most 400).
    max_elements : int
        Elements of any array the evaluation makes for one point: every variable, every
        intermediate, the result (10**7, i.e. 80 MB of float64).
    max_work : int
        Estimated floating-point operations of one evaluation at one point, summed over the
        operations: n**3 for an n x n inverse, 2*m*k*n for a product, the product of all index
        sizes (times the operand count) for ``einsum`` (10**9).
    max_ndim : int
        Dimensions of any array, variables included (8).
    max_exponent : int
        Magnitude of a constant exponent in ``x ** p``, in constant folding and in
        ``matrix_power`` (64).
    max_list : int
        Entries of an integer index list, arrays in ``stack``/``concatenate``/``block`` and
        operands of ``einsum`` (64).
    """

    max_length: int = 2000
    max_depth: int = 200
    max_elements: int = 10**7
    max_work: int = 10**9
    max_ndim: int = 8
    max_exponent: int = 64
    max_list: int = 64

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if type(value) is not int or value < 1:
                raise ExpressionError(
                    f"`Limits.{f.name}` must be a positive integer; got {value!r}."
                )
        if self.max_depth > _DEPTH_CAP:
            raise ExpressionError(
                f"`Limits.max_depth` must be at most {_DEPTH_CAP} (the parser recurses once "
                f"per level); got {self.max_depth}."
            )


#: The budgets used when none are given.
DEFAULT_LIMITS = Limits()
