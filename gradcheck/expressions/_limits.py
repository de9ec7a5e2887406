"""Budgets of a formula: how long, how deep, how big and how much work it may be.

Every budget is checked statically -- from the source text and the shapes of the variables,
before numpy allocates anything -- and a formula over budget raises
:class:`~gradcheck.expressions.ExpressionError` naming the part and the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ._nodes import ExpressionError

__all__ = ["DEFAULT_LIMITS", "Limits", "dense_check_work", "refuse_dense_check"]

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
    max_check_work : int
        Estimated operations of a dense finite-difference check of a derivative by one variable
        of n entries (see :func:`dense_check_work`): f is evaluated at a few points per entry,
        each costing n (to build the point) plus f's result size and its work, so the total
        grows as n**2 (n**3 for a Hessian). 10**9 is about 15 s of one core; n = 10**5 would
        take several minutes and is refused before anything is evaluated.
    """

    max_length: int = 2000
    max_depth: int = 200
    max_elements: int = 10**7
    max_work: int = 10**9
    max_ndim: int = 8
    max_exponent: int = 64
    max_list: int = 64
    max_check_work: int = 10**9

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


def dense_check_work(x_size: int, f_size: int, work: int, *, order: int = 1) -> int:
    """Estimated operations of a dense check by a variable of `x_size` entries of a function
    with `f_size` result entries and `work` operations per evaluation: one pass over the
    entries (``order=1``, a Jacobian) or over the pairs of entries (``order=2``, a Hessian),
    each evaluation costing ``x_size + f_size + work``.

    Examples
    --------
    >>> dense_check_work(100_000, 1, 100_000)
    20000100000
    """
    per_evaluation = x_size + f_size + work
    return x_size**order * per_evaluation


def refuse_dense_check(
    x_size: int,
    f_size: int,
    work: int,
    *,
    wrt: str,
    order: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """ExpressionError when a dense check by `wrt` would exceed ``limits.max_check_work``.

    Examples
    --------
    >>> refuse_dense_check(1000, 1, 1000, wrt="x")  # 2e6 operations: within the budget
    >>> try:
    ...     refuse_dense_check(100_000, 1, 100_000, wrt="x")
    ... except ExpressionError as error:
    ...     print(str(error)[:58])
    a dense check by x (100000 entries) needs about 2.0e+10 op
    """
    total = dense_check_work(x_size, f_size, work, order=order)
    if total > limits.max_check_work:
        what = "Hessian" if order == 2 else "derivative"
        raise ExpressionError(
            f"a dense check by {wrt} ({x_size} entries) needs about {total:.1e} operations; at "
            f"most {limits.max_check_work:.0e} (Limits.max_check_work). Check the {what} at "
            f"smaller --shapes, or from Python with gradcheck.check_directional (or check_vjp, "
            f"check_hvp), whose cost does not grow with the number of entries."
        )
