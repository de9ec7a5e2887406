"""LaTeX source -> tokens: commands, letters, digits, braces and symbols, with offsets.

The tokenizer only splits text; it never expands a macro. Commands that define or include
anything (``\\def``, ``\\newcommand``, ``\\input``, ...) are refused here, so nothing a document
says can change how the rest of it is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidArgumentError

__all__ = ["LatexError", "Token", "tokenize"]

#: The longest formula read, in characters (a longer one is refused as unparsed).
MAX_SOURCE = 4000
#: Commands that define macros, include files or change the reader: always refused.
FORBIDDEN = frozenset(
    "def edef gdef xdef let newcommand renewcommand providecommand DeclareMathOperator "
    "input include includeonly write immediate openout openin read csname endcsname catcode "
    "expandafter futurelet makeatletter usepackage documentclass loop repeat".split()
)
#: Spacing and sizing commands that carry no meaning for a formula.
_SPACING = (
    ", ; : ! quad qquad displaystyle textstyle scriptstyle nonumber notag limits "
    "big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle"
)
IGNORED = frozenset([*_SPACING.split(), " "])


class LatexError(InvalidArgumentError):
    """A formula that cannot be read: the message says what and where."""


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is "cmd" (text is the command name without the backslash),
    "letter", "number" or "symbol"; ``start`` is its offset in the formula."""

    kind: str
    text: str
    start: int


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens (spaces dropped, comments removed).

    Examples
    --------
    >>> [t.text for t in tokenize(r"\\mathbf{x}^T A")]
    ['mathbf', '{', 'x', '}', '^', 'T', 'A']
    """
    if len(source) > MAX_SOURCE:
        raise LatexError(f"the formula has {len(source)} characters; at most {MAX_SOURCE} are read")
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace() or c == "~":
            i += 1
        elif c == "%":
            j = source.find("\n", i)
            i = n if j < 0 else j
        elif c == "\\":
            i = _command(source, i, tokens)
        elif c.isdigit() or (c == "." and i + 1 < n and source[i + 1].isdigit()):
            j = i
            while j < n and (source[j].isdigit() or source[j] == "."):
                j += 1
            tokens.append(Token("number", source[i:j], i))
            i = j
        elif c.isalpha() and c.isascii():
            tokens.append(Token("letter", c, i))
            i += 1
        else:
            tokens.append(Token("symbol", c, i))
            i += 1
    return tokens


def _command(source: str, i: int, tokens: list[Token]) -> int:
    j = i + 1
    while j < len(source) and source[j].isalpha() and source[j].isascii():
        j += 1
    if j == i + 1:  # a one-character command: \\ \, \| \{ ...
        name = source[i + 1 : i + 2]
        j = i + 2
    else:
        name = source[i + 1 : j]
    if name in FORBIDDEN:
        raise LatexError(
            f"\\{name} (column {i + 1}) defines macros or reads files; such commands are never "
            "run: write the formula out"
        )
    if name not in IGNORED:
        tokens.append(Token("cmd", name, i))
    return j
