"""A researcher's notes -> their statements, checked where they are written.

Markdown (``$...$``, ``$$...$$`` and bare ``equation``, ``align``, ... environments as MathJax
renders them; code fences skipped) and LaTeX (``equation``, ``align``, ``\\[...\\]``, ``$$...$$``,
``$...$``; ``aligned`` and ``split`` inside them) are read in order.
Along the way the reader keeps what the document declares:

- kinds and dimensions: ``\\mathbf{x} \\in \\mathbb{R}^n``, ``A, B \\in \\mathbb{R}^{m \\times n}``,
  and prose whose math part is recognisable, in any language: a sentence with ``$a$`` and
  then ``$m \\times 1$`` declares a as an m x 1 vector;
- definitions: ``y = a^T X b`` or ``RSS(\\beta) = ...`` (a symbol or a function of symbols on
  the left, not used on the right) are substituted into later statements;
- the layout: the first sentence naming the numerator or denominator layout, in English or
  another language ("we use the denominator layout", 分子布局, Nenner-Layout, disposition du
  numérateur, ...) states the document's convention; later mentions (a contrast with the
  other layout) do not change it. Without one, the first derivative whose written shape fits
  one layout only (a row vector for a scalar by a vector) makes that layout the document's.
  A Markdown table or a LaTeX ``tabular`` with columns headed by the layouts checks each
  cell in its column's layout (the row's first cell, ``\\frac{\\partial F}{\\partial X}``, is
  the left side);
- how bars around a matrix read: a sentence with ``$|X|$`` (or ``$\\|X\\|$``) and the word
  determinant / 行列式 / Determinante / ... reads them as the determinant, one with norm /
  范数 / Norm / ... as the norm; otherwise both readings are checked;
- which matrices are symmetric: a sentence with the word symmetric / 对称 / symmetrisch / ...
  makes the inline math it is said of drawn symmetric (``for symmetric $W$``, ``$A$ is
  symmetric``, ``$A$ and $B$ are symmetric``; in ``Let $A$ be a matrix and $W$ symmetric``
  only W), unless it only warns (``holds only for symmetric $A$``, ``not``): for the
  statements of that sentence (``For symmetric $A$, $...$``, ``$$...$$ (if $A$ symmetric)``),
  for the displays it introduces when it ends with a colon (``For symmetric $A$:`` and the
  displays up to the next sentence), or from there on when the sentence has none (``Let $A$
  be symmetric.``); a derivative with respect to such a matrix is unparsed (its value is a
  convention).

Every math part with ``=`` that is not a declaration or a definition is a statement and gets a
record; a block of rows continuing with ``&=`` is one derivation whose every link is checked
(``broken_link`` names the first that fails). A statement that cannot be read is an
``unparsed`` record with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ._check import Outcome, check_sides, split_sides
from ._syntax import FUNCTIONS, Apply, Deriv, FreeIndexed, Sym, parse_relation
from ._tokens import LatexError
from ._typing import Kind, symbols

__all__ = ["NoteRecord", "check_notes_text"]

#: The most statements read from one document.
MAX_STATEMENTS = 5000
_SHORT = 60


@dataclass(frozen=True, kw_only=True)
class NoteRecord:
    """One statement of a document and its verdict.

    Attributes
    ----------
    file, line : str, int
        Where the statement starts (line numbers from 1).
    latex : str
        The statement as written.
    kind : str
        "derivative", "hessian", "differential", "identity", "rule", or "unknown" when
        unreadable.
    verdict : str
        "passed", "failed", "inconclusive" or "unparsed".
    layouts : tuple of str
        The layouts in which a derivative holds.
    stated_layout : str or None
        The layout the document declares at that point.
    shapes : str
        The shapes assumed, e.g. ``"A=3x3 x=3"``.
    diagnosis : str
        What a failure looks like, or the assumption a pass needed.
    reason : str
        Why an unparsed statement was not read.
    broken_link : int or None
        In a chain ``A = B = C ...``, the first link that fails (1 is ``A = B``).
    """

    file: str
    line: int
    latex: str
    kind: str
    verdict: str
    layouts: tuple[str, ...] = ()
    stated_layout: str | None = None
    shapes: str = ""
    diagnosis: str = ""
    reason: str = ""
    broken_link: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        out = dict(self.__dict__)
        out["layouts"] = list(self.layouts)
        return out

    def short(self) -> str:
        """The formula shortened for a table."""
        text = " ".join(self.latex.split())
        return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


@dataclass
class _Context:
    declared: dict[str, Kind] = field(default_factory=dict)
    definitions: dict[str, tuple[tuple[str, ...], object]] = field(default_factory=dict)
    layout: str | None = None
    evident: str = ""  # "line N" when the layout is evident from a shape written there
    bars: str | None = None  # "det" or "norm" when the document says how |X| reads
    symmetric: set[str] = field(default_factory=set)  # matrices the document assumes symmetric
    sentence_symmetric: set[str] = field(default_factory=set)  # ... in the sentence so far


_WORDS = {
    "numerator": "numerator|分子|Zähler|numérateur|numerador|числител[а-я]*",
    "denominator": "denominator|分母|Nenner|dénominateur|denominador|знаменател[а-я]*",
}
_CONCEPT = (
    "layout|布局|Layout|convention|Konvention|Anordnung|disposition|disposición|diseño|"
    "convención|раскладк[а-я]*|компоновк[а-я]*"
)
_WORD = "|".join(f"(?P<{k}>{v})" for k, v in _WORDS.items())
_LAYOUT = re.compile(
    rf"(?:{_WORD})[\s-]?(?:{_CONCEPT})|(?:{_CONCEPT})\s+(?:(?:of the|du|de la|de|del|des)\s+)?"
    rf"(?:{_WORD.replace('?P<numerator>', '?P<numerator2>').replace('?P<denominator>', '?P<d2>')})",
    re.IGNORECASE,
)
_LAYOUT_WORD = re.compile(_WORD, re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.。!?！？]\s|\n\s*\n")
#: Bars around a matrix (an uppercase letter inside): ``|X|``, ``\\|A\\|``.
_MATRIX_BARS = re.compile(r"\|[^|]*[A-Z][^|]*\|")
_BAR_WORDS = {
    "det": re.compile(r"determinant|行列式|Determinante|déterminant|детерминант|определител", re.I),
    "norm": re.compile(r"\bnorms?\b|范数|\bNorm\b|\bnorme\b|\bнорм", re.I),
}
#: A sentence that assumes a matrix symmetric ("for symmetric $A$", "$A$ is symmetric").
_SYMMETRIC = re.compile(
    r"(?<![a-z-])symmetric|对称|symmetrisch|symétrique|simétric|симметричн", re.I
)
_SYMMETRIC_WORD = r"(?:symmetric|对称|symmetrisch\w*|symétrique\w*|simétric\w*|симметричн\w*)"
#: Prose right before math the word is said of: "for symmetric $A$", "a symmetric matrix $A$".
_SYMMETRIC_AFTER = re.compile(
    _SYMMETRIC_WORD + r"\s*(?:real\s+)?(?:matri(?:x|ces)|Matri(?:x|zen)|matrices?|矩阵)?\s*$", re.I
)
#: Prose right after it: "$A$ is symmetric", "$A$ symmetric", "$A$ be a symmetric matrix",
#: "$A$ ist symmetrisch", "$A$ 是对称矩阵".
_SYMMETRIC_BEFORE = re.compile(
    r"^\s*(?:is|be|are|being|ist|sei|seien|sind|est|es|是|为)?\s*(?:an?|eine?|une?)?\s*"
    + _SYMMETRIC_WORD,
    re.I,
)
#: Prose between two maths of one list: ", ", " and ", " und ".
_JOINED = re.compile(r"\s*(?:,|and|und|et|y|и|和|与|、)?\s*(?:,|and|und|et|y|и|和|与)?\s*", re.I)
#: ... and one that only warns ("holds only for symmetric $A$", "$A$ is not symmetric") or
#: names a part ("the symmetric part of $A$").
_NOT_ASSUMED = re.compile(
    r"\bonly\b|\bnot\b|\bunless\b|\bnon-|仅|只|不|\bnur\b|\bnicht\b|\bseulement\b|"
    r"\bne\b|\bsolo\b|\bno\b|только|\bне\b|\bpart\b|\bTeil\b|部分",
    re.I,
)
_FENCE = re.compile(r"^(```|~~~)")
_ENVS = r"equation\*?|align\*?|gather\*?|multline\*?|displaymath"
_TEX_BLOCK = re.compile(
    r"\\begin\{(" + _ENVS + r")\}(.*?)\\end\{\1\}|\\\[(.*?)\\\]|\$\$(.*?)\$\$", re.DOTALL
)
_INLINE = re.compile(r"(?<![\\$])\$([^$]+?)\$(?!\$)")
_NOISE = re.compile(
    r"\\(label|tag|eqref|ref)\{[^}]*\}|\\(nonumber|notag)|"
    r"\\(begin|end)\{(aligned|split|gathered)\}"
)
_CUT = re.compile(
    r"\\q?quad|\\text\{(?!("
    + "|".join(sorted({*FUNCTIONS, "d"}))
    + r")\})|\\mbox\{|\\forall|\\text\s"
)
_DIMS = re.compile(r"^\s*([A-Za-z0-9]+)\s*\\times\s*([A-Za-z0-9]+)\s*$")
_DECLARE = re.compile(r"^(.*?)\\in\s*\\mathbb\s*\{?R\}?\s*(?:\^\s*(\{[^{}]*\}|\w))?\s*$", re.DOTALL)
_FUNCTION_DEF = re.compile(
    r"^\s*(?:\\(?:mathrm|operatorname|text)\{)?([A-Za-z]{1,12})\}?\s*(?:\\left)?\(([^()=]*)"
    r"(?:\\right)?\)\s*$"
)
#: The functions the reader knows: ``\\mathrm{Tr}(AB) = ...`` is a statement, not a definition.
_KNOWN = frozenset(FUNCTIONS) | {"d", "sqrt"}


def _events(text: str, tex: bool) -> Iterator[tuple[str, int, Any, bool]]:
    """("prose", line, text, False), ("math", line, text, display) and ("table", line, rows,
    False) for a Markdown table or a ``tabular`` whose columns name layouts, in document
    order."""
    tables: list[tuple[int, int, list]] = []
    if tex:
        text = re.sub(r"(?<!\\)%[^\n]*", "", text)
        text, tables = _tex_layout_tables(text)
        pattern = re.compile(_TEX_BLOCK.pattern + r"|" + _INLINE.pattern, re.DOTALL)
    else:
        lines = text.split("\n")
        fenced = False
        for k, line in enumerate(lines):
            if _FENCE.match(line.strip()):
                fenced = not fenced
                lines[k] = ""
            elif fenced:
                lines[k] = ""
        tables = _layout_tables(lines)
        text = "\n".join(lines)
        # MathJax and KaTeX in Markdown (Jupyter, GitLab, many static sites) also render a
        # bare ``\begin{equation}...\end{equation}``; ``\[`` is an escaped bracket there
        environments = r"\\begin\{(" + _ENVS + r")\}(.*?)\\end\{\1\}|"
        pattern = re.compile(environments + r"\$\$(.*?)\$\$|" + _INLINE.pattern, re.DOTALL)
    last = 0
    for m in pattern.finditer(text):
        yield "prose", text.count("\n", 0, last) + 1, text[last : m.start()], False
        while tables and tables[0][0] < m.start():
            yield "table", tables[0][1], tables.pop(0)[2], False
        groups = [g for g in m.groups() if g is not None]
        body = groups[-1]
        display = not m.group(0).startswith("$") or m.group(0).startswith("$$")
        start = m.start() + m.group(0).find(body) if body else m.start()
        yield "math", text.count("\n", 0, start) + 1, body, display
        last = m.end()
    yield "prose", text.count("\n", 0, last) + 1, text[last:], False
    for _, line, rows in tables:
        yield "table", line, rows, False


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (a ``|`` inside ``$...$`` is not a separator)."""
    cells, current, math = [], "", False
    body = line.strip().removeprefix("|").removesuffix("|")
    for k, c in enumerate(body):
        if c == "$" and body[k - 1 : k] != "\\":
            math = not math
        if c == "|" and not math and body[k - 1 : k] != "\\":
            cells.append(current.strip())
            current = ""
        else:
            current += c
    return [*cells, current.strip()]


def _layout_tables(lines: list[str]) -> list[tuple[int, int, list]]:
    """The Markdown tables whose header names a layout in some column: (offset, line, rows),
    rows as (line, cells, layouts by column); their lines are blanked in `lines`."""
    out = []
    k = 0
    while k < len(lines):
        if not lines[k].lstrip().startswith("|"):
            k += 1
            continue
        start = k
        while k < len(lines) and lines[k].lstrip().startswith("|"):
            k += 1
        header = _cells(lines[start])
        layouts = [_layout_of(cell) for cell in header]
        if not any(layouts) or k - start < 3:
            continue
        rows = [
            (n + 1, _cells(lines[n]), layouts)
            for n in range(start + 2, k)
            if not re.fullmatch(r"[\s|:-]*", lines[n])
        ]
        offset = sum(len(x) + 1 for x in lines[:start])
        out.append((offset, start + 1, rows))
        for n in range(start, k):
            lines[n] = ""
    return out


_TABULAR = re.compile(r"\\begin\{tabular\*?\}(?:\{[^{}]*\})*(.*?)\\end\{tabular\*?\}", re.DOTALL)
_RULES = re.compile(r"\\(hline|toprule|midrule|bottomrule|cline\{[^}]*\})")


def _tex_layout_tables(text: str) -> tuple[str, list[tuple[int, int, list]]]:
    """The ``tabular`` environments whose first row names a layout in some column, as in
    :func:`_layout_tables`; their text is blanked (newlines kept) in the text returned."""
    out = []
    for m in _TABULAR.finditer(text):
        body, start = m.group(1), m.start(1)
        rows, at = [], 0
        for part in re.split(r"(?<!\\)\\\\", body):
            part = _RULES.sub(lambda r: " " * len(r.group()), part)  # same length
            offset = start + at + len(part) - len(part.lstrip())
            at += len(part) + 2
            cells = [c.strip() for c in re.split(r"(?<!\\)&", part)]
            if any(cells):
                rows.append((text.count("\n", 0, offset) + 1, cells))
        layouts = [_layout_of(cell) for cell in rows[0][1]] if rows else []
        if not any(layouts):
            continue
        out.append((m.start(), rows[0][0], [(n, cells, layouts) for n, cells in rows[1:]]))
    for offset, _, _ in reversed(out):
        end = _TABULAR.match(text, offset).end()
        text = text[:offset] + re.sub(r"[^\n]", " ", text[offset:end]) + text[end:]
    return text, out


def _layout_of(cell: str) -> str | None:
    m = _LAYOUT_WORD.search(cell)
    if not m:
        return None
    return "numerator" if m.group("numerator") else "denominator"


def _table(file: str, rows: list, ctx: _Context) -> list[NoteRecord]:
    """The statements of a layout table: each layout column's cell (with the row's first cell
    as the left side when the cell has no ``=``), checked in that column's layout."""
    records = []
    saved = ctx.layout, ctx.evident
    for line, cells, layouts in rows:
        left = _math_of(cells[0]) if cells else ""
        for cell, layout in zip(cells, layouts, strict=False):
            math = _math_of(cell)
            if layout is None or not math:
                continue
            latex = math if "=" in math or not left else f"{left} = {math}"
            ctx.layout, ctx.evident = layout, ""
            record = _statement(file, line, latex, split_sides(latex), ctx)
            if record is not None:
                said = record.diagnosis.replace("the document states the", "its column is the")
                records.append(replace(record, diagnosis=said))
    ctx.layout, ctx.evident = saved
    return records


def _math_of(cell: str) -> str:
    """The math of a table cell, ``$...$`` removed ("" when it has none)."""
    parts = re.findall(r"\$([^$]+)\$", cell)
    return " ".join(parts).strip()


def _rows(line: int, text: str) -> list[tuple[int, str]]:
    """The rows of a block (split at ``\\\\``), each with its line, noise removed."""
    text = _NOISE.sub(" ", text)
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "\\" and text[i + 1 : i + 2] == "\\" and depth <= 0 and text[i - 1 : i] != "\\":
            out.append((line + _lines_before(text, start, i), text[start:i]))
            start = i + 2
    out.append((line + _lines_before(text, start, len(text)), text[start:]))
    return [(n, _clean(r)) for n, r in out if _clean(r)]


def _lines_before(text: str, start: int, end: int) -> int:
    """Newlines before the first visible character of text[start:end]."""
    segment = text[start:end]
    return text.count("\n", 0, start + len(segment) - len(segment.lstrip()))


def _clean(row: str) -> str:
    row = row.replace("&", " ")
    m = _CUT.search(row)
    if m:
        row = row[: m.start()]
    return row.strip().rstrip(",.;").strip()


def _statements(line: int, text: str) -> list[tuple[int, str, list[str]]]:
    """(line, latex, side texts) of each statement of a math part."""
    rows = _rows(line, text)
    if len(rows) > 1 and all(r.startswith("=") for _, r in rows[1:]):
        whole = " ".join(r for _, r in rows)
        return [(rows[0][0], whole, split_sides(whole))]
    return [(n, r, split_sides(r)) for n, r in rows]


def _declare(text: str, ctx: _Context) -> bool:
    """Read ``names \\in \\mathbb{R}^{...}`` into the context; whether it was one."""
    m = _DECLARE.match(text)
    if not m:
        return False
    dims_text = (m.group(2) or "").strip("{} ")
    dims = tuple(d for d in re.split(r"\s*\\times\s*|\s*,\s*", dims_text) if d) if dims_text else ()
    names = [n for n in re.split(r",", m.group(1)) if n.strip()]
    for name in names:
        try:
            sym = parse_relation(name)[0]
        except LatexError:
            continue
        if isinstance(sym, Sym):
            ctx.declared[sym.name] = _kind(dims)
    return True


def _kind(dims: tuple[str, ...]) -> Kind:
    if not dims:
        return Kind("scalar")
    if len(dims) == 1 or dims[1] == "1":
        return Kind("vector", dims[:1])
    if dims[0] == "1":
        return Kind("vector", dims[1:])
    return Kind("matrix", dims[:2])


def _prose_declaration(previous: list[str], text: str, ctx: _Context) -> None:
    """``$a$ ... $m \\times 1$`` in one sentence: a is m x 1 (whatever the language)."""
    m = _DIMS.match(text)
    if not m or not previous:
        return
    for name in previous[-1].split(","):
        try:
            sym = parse_relation(name)[0]
        except LatexError:
            continue
        if isinstance(sym, Sym):
            ctx.declared[sym.name] = _kind((m.group(1), m.group(2)))


def _substitute(node: object, defs: dict, depth: int = 0) -> object:
    """`node` with the document's definitions put in (a function applied to its arguments);
    an undefined function of symbols, ``u(x)``, becomes the symbol u (an unspecified map)."""
    if depth > 8:
        raise LatexError("the definitions refer to each other too deeply")
    if isinstance(node, Sym) and node.name in defs:  # a function by its name: f for f(x)
        return _substitute(defs[node.name][1], defs, depth + 1)
    if isinstance(node, Apply):
        if node.name not in defs:
            if len(node.args) == 1 and isinstance(node.args[0], Sym):
                return Sym(node.name, False, node.name[0].isupper())
            raise LatexError(f"the function {node.name} is not defined in the document")
        params, body = defs[node.name]
        if len(params) != len(node.args):
            raise LatexError(f"{node.name} is defined with {len(params)} arguments")
        args = [_substitute(a, defs, depth + 1) for a in node.args]
        return _substitute(_rename(body, dict(zip(params, args, strict=True))), defs, depth + 1)
    return _rebuild(node, lambda n: _substitute(n, defs, depth))


def _rename(node: object, mapping: dict) -> object:
    if isinstance(node, Sym) and node.name in mapping:
        return mapping[node.name]
    return _rebuild(node, lambda n: _rename(n, mapping))


def _rebuild(node: object, fn) -> object:
    if not hasattr(node, "__dataclass_fields__") or isinstance(node, Sym):
        return node
    changes = {}
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if name == "terms":
            changes[name] = tuple((s, fn(t)) for s, t in value)
        elif name == "args":
            changes[name] = tuple(fn(a) for a in value)
        elif name == "wrt":
            continue
        elif hasattr(value, "__dataclass_fields__"):
            changes[name] = fn(value)
    return replace(node, **changes)


def check_notes_text(text: str, file: str = "<notes>", *, tex: bool = False) -> list[NoteRecord]:
    """The records of every statement of one document's text.

    Examples
    --------
    >>> notes = ("Let $A \\\\in \\\\mathbb{R}^{n \\\\times n}$. Then "
    ...          "$\\\\operatorname{tr}(A^T) = \\\\operatorname{tr}(A)$.")
    >>> [(r.line, r.kind, r.verdict) for r in check_notes_text(notes)]
    [(1, 'identity', 'passed')]
    """
    ctx = _Context()
    records: list[NoteRecord] = []
    inline: list[str] = []  # the inline math of the sentence so far
    pieces: list[tuple[bool, str]] = []  # the sentence so far: (is inline math, text)
    said = ""  # and its prose before that math
    current: list[tuple] = []  # the sentence's statements: (index, line, latex, sides, layout)
    for what, line, body, display in _events(text, tex):
        if what == "table":
            records.extend(_table(file, body, ctx))
            continue
        if what == "prose":
            # only blank lines between two displays end no sentence ("For symmetric $A$:" and
            # the displays that follow it)
            breaks = list(_SENTENCE_END.finditer(body)) if body.strip() else []
            before = (set(ctx.sentence_symmetric), ctx.bars)
            head = body[: breaks[0].start()] if breaks else body
            _prose(body, said + head, inline, ctx)
            _symmetric_assumption(said + head, [*pieces, (False, head)], ctx)
            if before != (ctx.sentence_symmetric, ctx.bars):  # "$$...$$ (if $A$ symmetric)",
                # "$$...$$ where $|A|$ is the determinant": the sentence's statements again
                for index, *statement, layout in current:
                    kept = (ctx.layout, ctx.evident)
                    ctx.layout, ctx.evident = layout
                    records[index] = _statement(file, *statement, ctx) or records[index]
                    ctx.layout, ctx.evident = kept
            if breaks:
                # "For symmetric $A$:" and a display: for what it introduces, the statements up
                # to the next sentence's end, not for the rest of the document
                introduces = (said + head).rstrip().endswith((":", "：")) and not body[
                    breaks[0].end() :
                ].strip()
                if not current and not introduces:  # "Let $A$ be symmetric.": from here on
                    ctx.symmetric |= ctx.sentence_symmetric
                if not introduces:  # "For symmetric $A$, $...$": that sentence's statements
                    ctx.sentence_symmetric = set()
                inline, said, current = [], body[breaks[-1].end() :], []
                pieces = [(False, said)]
            else:
                said += body
                pieces.append((False, body))
            continue
        if not display:
            _prose_declaration(inline, body, ctx)
            inline.append(body)
            pieces.append((True, body))
        for row_line, latex, sides in _statements(line, body):
            if len(records) >= MAX_STATEMENTS:
                return records
            layout = (ctx.layout, ctx.evident)
            record = _statement(file, row_line, latex, sides, ctx)
            if record is not None:
                current.append((len(records), row_line, latex, sides, layout))
                records.append(record)
    return records[:MAX_STATEMENTS]


def _stated_layout(text: str) -> str | None:
    """The layout a sentence names as a layout (any of the languages of _WORDS)."""
    m = _LAYOUT.search(text)
    if not m:
        return None
    return "numerator" if m.group("numerator") or m.group("numerator2") else "denominator"


def _prose(body: str, sentence: str, inline: list[str], ctx: _Context) -> None:
    """What a piece of prose declares: the layout; how bars read, when the `sentence` (its
    prose up to the end of `body`'s first sentence) names a determinant or a norm and its
    `inline` math has bars around a matrix."""
    layout = _stated_layout(body)
    if layout and (ctx.layout is None or ctx.evident):  # the first one states the convention
        ctx.layout, ctx.evident = layout, ""
    if ctx.bars is None and any(_MATRIX_BARS.search(m) and "=" not in m for m in inline):
        for reading, words in _BAR_WORDS.items():
            if words.search(sentence):
                ctx.bars = reading
                break


def _symmetric_assumption(sentence: str, pieces: list[tuple[bool, str]], ctx: _Context) -> None:
    """The matrices a sentence assumes symmetric: the inline math the word symmetric is said of
    (``for symmetric $A$``, ``a symmetric matrix $A$``, ``$A$ is symmetric``, ``$A$ and $B$ are
    symmetric``, ``symmetric $A$ and $B$``), not every symbol of the sentence (``Let $A$ be a
    matrix and $W$ symmetric``: W only), and none when the sentence only warns."""
    if not _SYMMETRIC.search(sentence) or _NOT_ASSUMED.search(sentence):
        return
    maths = [k for k, (is_math, _) in enumerate(pieces) if is_math]

    def prose(k: int) -> str:
        return pieces[k][1] if 0 <= k < len(pieces) and not pieces[k][0] else ""

    said_of = {k for k in maths if _SYMMETRIC_AFTER.search(prose(k - 1))}
    said_of |= {k for k in maths if _SYMMETRIC_BEFORE.search(prose(k + 1))}
    for _ in maths:  # "$A$, $B$ and $C$ are symmetric", "symmetric $A$ and $B$"
        joined = {k for k in maths if _JOINED.fullmatch(prose(k + 1)) and k + 2 in said_of}
        joined |= {k for k in maths if _JOINED.fullmatch(prose(k - 1)) and k - 2 in said_of}
        if joined <= said_of:
            break
        said_of |= joined
    for k in said_of:
        for name in pieces[k][1].split(","):
            try:
                sym = parse_relation(name)[0]
            except LatexError:
                continue
            if isinstance(sym, Sym):
                ctx.sentence_symmetric.add(sym.name)


def _statement(file: str, line: int, latex: str, sides: list[str], ctx: _Context):
    if _declare(latex, ctx):
        return None
    place = {"file": file, "line": line, "latex": latex, "stated_layout": ctx.layout}
    if len(sides) < 2:
        if "=" not in latex:
            return None  # a formula, not a statement
        reason = "its `=` is inside a group: the braces or parentheses do not balance"
        return NoteRecord(**place, kind="unknown", verdict="unparsed", reason=reason)
    try:
        function = _FUNCTION_DEF.match(sides[0])
        if function and function.group(1) not in _KNOWN and len(sides) == 2:
            params = tuple(p.strip() for p in function.group(2).split(","))
            names = tuple(_symbol_name(p) for p in params)
            functions = frozenset(ctx.definitions) | {function.group(1)}
            body = parse_relation(sides[1], functions)[0]
            ctx.definitions[function.group(1)] = (names, _substitute(body, ctx.definitions))
            return None
        functions = frozenset(n for n, (p, _) in ctx.definitions.items() if p)
        parsed = [parse_relation(s, functions)[0] for s in sides]
        if _is_definition(parsed, ctx):
            ctx.definitions[parsed[0].name] = ((), _substitute(parsed[1], ctx.definitions))
            return None
        parsed = [_substitute(p, ctx.definitions) for p in parsed]
        parsed = _entrywise(parsed, sides, functions, ctx)
    except (LatexError, RecursionError) as exc:
        return NoteRecord(**place, kind="unknown", verdict="unparsed", reason=str(exc))
    outcome: Outcome = check_sides(
        parsed,
        declared=ctx.declared,
        stated_layout=ctx.layout,
        seed=latex,
        bars=ctx.bars,
        symmetric=frozenset(ctx.symmetric | ctx.sentence_symmetric),
    )
    diagnosis = outcome.diagnosis
    if ctx.evident:
        diagnosis = diagnosis.replace(
            "the document states the", f"the document writes (at {ctx.evident}) the"
        )
    evident = outcome.kind in ("derivative", "rule") and len(outcome.fits) == 1
    if ctx.layout is None and evident and outcome.verdict != "unparsed":
        ctx.layout, ctx.evident = outcome.fits[0], f"line {line}"
        place["stated_layout"] = ctx.layout
        note = f"the shape written makes the {ctx.layout} layout the document's"
        diagnosis = "; ".join(x for x in (diagnosis, note) if x)
    return NoteRecord(
        **place,
        kind=outcome.kind,
        verdict=outcome.verdict,
        layouts=outcome.layouts,
        shapes=outcome.shapes,
        diagnosis=diagnosis,
        reason=outcome.reason,
        broken_link=outcome.broken_link,
    )


def _entrywise(parsed: list, sides: list[str], functions: frozenset[str], ctx: _Context) -> list:
    """``\\partial F / \\partial x_i = G`` (or ``X_{ij}``) with x in F: the derivative by x and
    the other sides read again with i (and j) free indices, each the array of its entries
    (``2 x_i``, ``\\sum_j (A_{ij} + A_{ji}) x_j``); `parsed` unchanged otherwise."""
    first = parsed[0]
    if not isinstance(first, Deriv) or first.vec or first.transposed:
        return parsed
    base, _, letters = first.wrt.name.partition("_")
    letters = letters.replace(",", "")
    if not (letters.isalpha() and len(letters) <= 2 and len(set(letters)) == len(letters)):
        return parsed
    if base not in symbols(first.num, {}):  # x_1, or a scalar named x_i of its own
        return parsed
    free = frozenset(letters)
    rest = [parse_relation(side, functions, indices=free)[0] for side in sides[1:]]
    wrt = Sym(base, first.wrt.bold, first.wrt.upper)
    return [
        Deriv(first.num, wrt),
        *(FreeIndexed(tuple(letters), base, _substitute(r, ctx.definitions)) for r in rest),
    ]


def _symbol_name(text: str) -> str:
    sym = parse_relation(text)[0]
    if not isinstance(sym, Sym):
        raise LatexError(f"a function's parameter `{text}` is not a symbol")
    return sym.name


def _is_definition(parsed: list, ctx: _Context) -> bool:
    if len(parsed) != 2 or not isinstance(parsed[0], Sym):
        return False
    name = parsed[0].name
    return name not in ctx.declared and name not in symbols(parsed[1], {})
