"""LaTeX in, verdict out: check the matrix calculus in a researcher's notes where it is written.

A LaTeX front-end to the expression language: formulas are tokenized and parsed by our own code
(nothing is expanded or executed; ``\\def``, ``\\input`` and other macros are refused), each
symbol's kind comes from its typography and the document's declarations, dimensions from
unification, and the formula is lowered to the typed expression tree of
:mod:`gradcheck.expressions`, so its shape inference and budgets apply unchanged.

- :func:`check_latex`: one statement (``\\frac{\\partial F}{\\partial X} = G``, ``dF = L(dX)``,
  ``A = B``, a rule with unspecified u(x), v(x); index sums ``\\sum_{i,j} A_{ij}B_{ij}``; vec
  and Kronecker derivatives; chains checked link by link) -> an :class:`Outcome`;
- :func:`check_notes` / :func:`check_notes_text`: every statement of a Markdown or LaTeX
  document -> one :class:`NoteRecord` each, unparsed ones with their reason.

Examples
--------
>>> from gradcheck.latex import check_latex
>>> o = check_latex(r"\\frac{\\partial x^T A x}{\\partial x} = (A + A^T) x")
>>> o.kind, o.verdict, o.layouts
('derivative', 'passed', ('denominator',))
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidArgumentError
from ._check import Outcome, check_latex
from ._notes import NoteRecord, check_notes_text
from ._numpy import read_rendered, read_rendered_expression
from ._report import notes_document, notes_summary, notes_table
from ._tokens import LatexError
from ._typing import Kind

__all__ = [
    "Kind",
    "LatexError",
    "NoteRecord",
    "Outcome",
    "check_latex",
    "check_notes",
    "check_notes_text",
    "notes_document",
    "notes_summary",
    "notes_table",
    "read_rendered",
    "read_rendered_expression",
]

#: The file suffixes read as LaTeX (any other is read as Markdown).
TEX_SUFFIXES = (".tex", ".ltx", ".latex")


def check_notes(path: str | Path) -> list[NoteRecord]:
    """The records of every statement of the Markdown or LaTeX file at `path`.

    Parameters
    ----------
    path : str or Path
        A ``.md`` (or any text) file, or a ``.tex`` file.

    Returns
    -------
    list of NoteRecord

    Raises
    ------
    InvalidArgumentError
        When the file cannot be read as UTF-8 text.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
    ...     _ = f.write("$$d(X^{-1}) = -X^{-1}\\\\,dX\\\\,X^{-1}$$\\n")
    >>> [(r.kind, r.verdict) for r in check_notes(f.name)]
    [('differential', 'passed')]
    >>> os.unlink(f.name)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(
            f"cannot read the notes file {str(path)!r}: {exc}; give a UTF-8 .md or .tex file."
        ) from exc
    return check_notes_text(text, str(path), tex=path.suffix.lower() in TEX_SUFFIXES)
