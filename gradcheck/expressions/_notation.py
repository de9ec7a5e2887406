"""Mathematical spellings people type, rewritten to the language's Python syntax.

``X'`` and ``X^T`` (also ``X^{T}``, ``X^\\top``, ``X^{\\top}``, ``Xᵀ``) are transposes,
``X^H`` (also ``X^{H}``, ``Xᴴ``) is the conjugate transpose ``X.H``,
``x^2`` and ``x^{p}`` are powers (``x**2``), ``⊙`` is the elementwise product; everything
else is left as it is, string literals (einsum subscripts) included. What is rewritten is
what the error messages then show, so that a column always points into the text that was
parsed.
"""

from __future__ import annotations

import re

__all__ = ["PRODUCT_HINT", "juxtaposed", "to_python"]

#: The hint given where two operands stand side by side, as in ``x^T A x``.
PRODUCT_HINT = (
    "write products with @ (matrix product) or * (elementwise), e.g. `x.T @ A @ x` for x^T A x"
)

_TRANSPOSE = re.compile(r"\^\s*(?:\{\s*(?:T|\\top)\s*\}|T(?![A-Za-z0-9_])|\\top(?![A-Za-z]))")
_CONJUGATE_TRANSPOSE = re.compile(r"\^\s*(?:\{\s*H\s*\}|H(?![A-Za-z0-9_]))")
_BRACED_POWER = re.compile(r"\^\s*\{([^{}]*)\}")
#: Characters after which a quote is a transpose (``X'``, ``(A + B)'``, ``X''``), not a string.
_OPERAND_END = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_)]'")
#: An operand, white space, and another operand: ``x A``, ``) (``, ``.T A``.
_JUXTAPOSED = re.compile(r"[A-Za-z0-9_)\]]\s+[A-Za-z_(](?<!\bfor\b)")
_KEYWORDS = {"if", "else", "for", "in", "and", "or", "not", "is", "lambda"}


def to_python(text: str) -> str:
    """`text` with the mathematical spellings replaced by Python ones.

    Examples
    --------
    >>> to_python("x^T A' x^{2}")
    'x.T A.T x**(2)'
    >>> to_python("z^H A z")
    'z.H A z'
    >>> to_python("einsum('ij,j->i', A, x)")
    "einsum('ij,j->i', A, x)"
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"" and not (c == "'" and out and out[-1][-1:] in _OPERAND_END):
            end = text.find(c, i + 1)
            end = n - 1 if end < 0 else end
            out.append(text[i : end + 1])
            i = end + 1
        elif c == "'":
            out.append(".T")
            i += 1
        elif c == "^":
            i = _caret(text, i, out)
        else:
            out.append({"ᵀ": ".T", "ᴴ": ".H", "⊙": "*"}.get(c, c))
            i += 1
    return "".join(out)


def _caret(text: str, i: int, out: list[str]) -> int:
    """Rewrite the ``^`` at `i`; returns the index after what was consumed."""
    transpose = _TRANSPOSE.match(text, i)
    if transpose:
        out.append(".T")
        return transpose.end()
    conjugate = _CONJUGATE_TRANSPOSE.match(text, i)
    if conjugate:
        out.append(".H")
        return conjugate.end()
    braced = _BRACED_POWER.match(text, i)
    if braced:
        out.append(f"**({braced.group(1)})")
        return braced.end()
    out.append("**")
    return i + 1


def juxtaposed(text: str) -> int | None:
    """The index where two operands stand side by side with no operator (``x A``), if any."""
    for match in _JUXTAPOSED.finditer(text):
        before = re.findall(r"[A-Za-z_]\w*$", text[: match.start() + 1])
        after = re.match(r"\s+([A-Za-z_]\w*)", text[match.start() + 1 :])
        if (before and before[0] in _KEYWORDS) or (after and after.group(1) in _KEYWORDS):
            continue
        return match.start() + 1
    return None
