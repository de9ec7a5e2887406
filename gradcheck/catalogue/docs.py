"""Describing identities for people: cards, listings and the Markdown catalogue document."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..engine import CONVENTIONS
from ..expressions import Expression, infer_shape, render_text
from ..verdict import counted, render_table
from .layout_text import SYMMETRIC_CONSTRAINTS, transposed_claim
from .registry import Catalogue, Identity, _example_shapes

__all__ = [
    "IdentityCard",
    "fit_table",
    "identity_card",
    "layout_relation",
    "other_layout_claim",
    "render_listing",
    "render_markdown",
    "to_latex",
]

_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "lambda",
    "mu",
    "sigma",
    "phi",
    "psi",
    "pi",
    "theta",
    "Sigma",
    "Phi",
}
_OPERATORS = {
    "tr": r"\operatorname{tr}",
    "det": r"\det",
    "log": r"\log",
    "exp": r"\exp",
    "sin": r"\sin",
    "cos": r"\cos",
    "tanh": r"\tanh",
    "max": r"\max",
    "min": r"\min",
    "sum": r"\sum",
    "kron": r"\otimes",
    "o": r"\circ",
}


def to_latex(text: str) -> str:
    """A LaTeX rendering of a plain-text formula (``A^T``, ``X^-1``, ``a o b``, ``tr(X)``)."""
    out = text.replace("||", r"\|")
    out = re.sub(r"\^\(([^)]*)\)", r"^{\1}", out)
    out = re.sub(r"\^(-?[A-Za-z0-9+]+)", r"^{\1}", out)
    out = re.sub(r"_([A-Za-z0-9]{2,})", r"_{\1}", out)

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        if w == "d":
            return r"\partial "
        if w.startswith("d") and (len(w) == 2 or w[1:] in _GREEK):
            rest = w[1:]
            return r"\partial " + ("\\" + rest if rest in _GREEK else rest) + " "
        if w in _OPERATORS:
            return _OPERATORS[w] + " "
        if w in _GREEK:
            return "\\" + w + " "
        if len(w) == 1:
            return w
        return r"\operatorname{" + w + "}"

    return re.sub(r"(?<![\\{])\b[A-Za-z]+\b", word, out)


def layout_relation(f_ndim: int, x_ndim: int, stated: str) -> str:
    """How the derivative in the other layout relates to the one in the `stated` layout, for a
    function value with `f_ndim` axes and a variable with `x_ndim` axes (the conventions of
    :mod:`gradcheck.engine.layouts`)."""
    if stated == "tensor":
        return (
            "stated in the tensor layout (F.shape + X.shape); numerator: d vec(F)/d vec(X)^T, "
            "denominator: its transpose"
        )
    other = _other(stated)
    if f_ndim == 0 and x_ndim == 0:
        return "the same in both layouts (a scalar)"
    if f_ndim + x_ndim == 1:
        row = "denominator" if f_ndim == 1 else "numerator"
        return (
            "the same 1-D array in both layouts (read as a row in the "
            f"{row} layout, a column in the other)"
        )
    if (f_ndim, x_ndim) in ((0, 2), (2, 0), (1, 1)):
        return f"{other} layout: the transpose"
    if f_ndim == 0 or x_ndim == 0:
        return f"{other} layout: the axes reversed"
    return f"{other} layout: the transpose of the vec form d vec(F)/d vec(X)^T"


def _other(layout: str) -> str:
    return "numerator" if layout == "denominator" else "denominator"


def other_layout_claim(entry: Identity) -> Expression | None:
    """The entry's claim in the other layout (numerator for denominator and back), derived
    from its expression tree; None for a claim written in Python or stated as a tensor."""
    if entry.claim is None or entry.layout == "tensor":
        return None
    symmetric = [v for v, c in entry.constraints.items() if c in SYMMETRIC_CONSTRAINTS]
    return transposed_claim(entry.claim, _example_shapes(entry.shapes, entry.conditions), symmetric)


def _ndims(entry: Identity) -> tuple[int, int]:
    """Numbers of axes of the entry's function value and of its variable."""
    x_ndim = len(entry.shapes[entry.wrt].replace(",", " ").split())
    if entry.formula is not None:
        shapes = _example_shapes(entry.shapes, entry.conditions)
        return len(infer_shape(entry.formula, shapes)), x_ndim
    _, point = entry.draw(np.random.default_rng(0))
    return int(np.ndim(entry.f(**point))), x_ndim


def _other_formula(entry: Identity) -> str:
    """The other layout's formula text, or "" when there is none to show."""
    claim = other_layout_claim(entry)
    if claim is None:
        return ""
    text = render_text(claim, _example_shapes(entry.shapes, entry.conditions))
    return text + (" (the same formula)" if claim.root == entry.claim.root else "")


@dataclass(frozen=True, kw_only=True)
class IdentityCard:
    """Everything a person reads about one catalogue entry, as text.

    Attributes
    ----------
    name, family, wrt, source, note : str
        As in the :class:`Identity`.
    kind : str
        "identity", or "pitfall" for a known-wrong claim; for a second derivative or a VJP,
        prefixed by its form ("hessian identity", "vjp pitfall (transpose) of vjp_linear").
    formula : str
        The identity's formula (for a pitfall: the wrong claim, or a sentence saying it is a
        Python function when it has no formula text), in the stated layout.
    latex : str
        The formula in LaTeX.
    layout : str
        The stated layout and how the other one relates to it (or, for a hand-written formula,
        that its other-layout form is not derived).
    other_layout : str
        "numerator" or "denominator": the layout of `other_formula` ("" for a tensor claim).
    other_formula : str
        The claim in `other_layout`, derived from its expression tree; "" when the claim is
        written in Python (no correct text can be derived) or stated as a tensor.
    mistake : str
        For a pitfall, its mistake class (see :data:`MISTAKES`); else "".
    corrects, corrects_formula : str
        For a pitfall, the identity it corrects and that identity's (right) formula; else "".
    variables, conditions : str
        The variables with shapes and constraints; the conditions on the dimensions.
    convention : str
        For a derivative by a complex variable, its convention and what it is
        (``"conjugate_wirtinger: ∂f/∂z̄"``, see :data:`gradcheck.CONVENTIONS`); else "".
    """

    name: str
    family: str
    kind: str
    formula: str
    latex: str
    layout: str
    other_layout: str
    other_formula: str
    mistake: str
    corrects: str
    corrects_formula: str
    wrt: str
    variables: str
    conditions: str
    source: str
    note: str
    convention: str = ""

    @property
    def formula_cell(self) -> str:
        """`formula` for a table, with the convention's name for a complex variable."""
        name = self.convention.partition(":")[0]
        return f"{self.formula} [{name}]" if name else self.formula

    @property
    def other_cell(self) -> str:
        """`other_formula` for a table: "not derived" for a hand-written formula, "-" for a
        claim stated as a tensor."""
        if self.other_formula:
            return self.other_formula
        return "-" if not self.other_layout else "not derived"

    def lines(self) -> list[tuple[str, str]]:
        """The card's (label, text) pairs in reading order, the empty ones left out."""
        is_pitfall = bool(self.mistake)
        kind = {"identity": "", "pitfall": f"pitfall ({self.mistake}): a known-wrong claim"}
        pairs = [
            ("name", self.name),
            ("family", self.family),
            ("kind", kind.get(self.kind, self.kind)),
            ("wrong claim" if is_pitfall else "formula", self.formula),
            ("mistake", self.mistake),
            ("corrects", f"{self.corrects}: {self.corrects_formula}" if is_pitfall else ""),
            ("latex", self.latex),
            ("convention", self.convention),
            ("layout", self.layout),
            (self.other_layout, self.other_formula),
            ("variables", self.variables),
            ("conditions", self.conditions),
            ("source", self.source),
            ("note", self.note),
        ]
        return [(label, text) for label, text in pairs if text]


def identity_card(entry: Identity, catalogue: Catalogue | None = None) -> IdentityCard:
    """The card of one entry; a pitfall's card shows the right formula of the identity it
    corrects when that identity is in `catalogue`. A Hessian's, a mixed block's or a VJP's
    kind and layout say which form it is."""
    return _card(entry, catalogue, with_layout=True)


def _card(entry: Identity, catalogue: Catalogue | None, *, with_layout: bool) -> IdentityCard:
    """:func:`identity_card`; without `with_layout`, the card's `layout` is left "" (working
    it out evaluates a Python-written f at a drawn point, which a listing does not show)."""
    card = _first_order_card(entry, catalogue, with_layout=with_layout)
    if entry.form == "jacobian":
        return card
    stated, other = entry.layout_text()  # type: ignore[attr-defined]
    other_layout, _, other_formula = other.partition(": ")
    kind = f"{entry.form} {card.kind}"
    if entry.is_pitfall:
        kind += f" ({entry.mistake}) of {entry.corrects}"
    return replace(
        card,
        kind=kind,
        layout=stated,
        other_layout=other_layout,
        other_formula=other_formula,
    )


def _first_order_card(
    entry: Identity, catalogue: Catalogue | None, *, with_layout: bool
) -> IdentityCard:
    variables = "; ".join(
        f"{v}: ({spec or 'scalar'})"
        + (f" {entry.constraints[v]}" if entry.constraints.get(v, "any") != "any" else "")
        for v, spec in entry.shapes.items()
    )
    other = _other_formula(entry)
    layout = _layout_text(entry, other) if with_layout else ""
    known = entry.is_pitfall and catalogue is not None and entry.corrects in catalogue
    corrected = catalogue[entry.corrects] if known else None
    return IdentityCard(
        name=entry.name,
        family=entry.family,
        kind="pitfall" if entry.is_pitfall else "identity",
        formula=_claim_text(entry),
        latex=entry.latex or ("" if _claim_unwritten(entry) else to_latex(entry.text)),
        layout=layout,
        other_layout="" if entry.layout == "tensor" else _other(entry.layout),
        other_formula=other,
        mistake=entry.mistake or "",
        corrects=entry.corrects or "",
        corrects_formula="" if corrected is None else corrected.text,
        wrt=entry.wrt,
        variables=variables,
        conditions=", ".join(entry.conditions),
        source=entry.source,
        note=entry.note,
        convention=_convention_text(entry.convention),
    )


def _layout_text(entry: Identity, other: str) -> str:
    """The stated layout of a first-derivative entry and how the other one relates to it
    (`other`: the other layout's formula text, "" when it is not derived)."""
    if entry.layout == "tensor":
        layout = layout_relation(0, 0, "tensor")
    else:
        layout = f"stated in the {entry.layout} layout; " + layout_relation(
            *_ndims(entry), entry.layout
        )
        if not other and not layout.endswith("(a scalar)"):
            layout += (
                f"; the formula is hand-written in the {entry.layout} layout: its "
                f"{_other(entry.layout)}-layout form is not derived"
            )
    if entry.convention is not None:
        layout += "; for a complex variable the layouts transpose, never conjugate"
    return layout


def _convention_text(name: str | None) -> str:
    """A convention's name and value (``"wirtinger: ∂f/∂z"``), "" for a real variable."""
    if name is None:
        return ""
    return f"{name}: {CONVENTIONS[name].what}"


def _claim_unwritten(entry: Identity) -> bool:
    """A pitfall whose wrong claim is a Python function: it has no formula text."""
    return entry.is_pitfall and entry.claim is None


def _claim_text(entry: Identity) -> str:
    """The entry's formula; for a pitfall without one, a sentence saying so."""
    if _claim_unwritten(entry):
        return "a Python function (no formula text; see the note and the source)"
    if entry.is_pitfall and entry.formula is None:  # a formula claim for a hand-written f
        shapes = _example_shapes(entry.shapes, entry.conditions)
        return f"d/d{entry.wrt} = {render_text(entry.claim, shapes)}"
    return entry.text


#: Table formats whose rows may be wrapped to fit a terminal (the others are documents).
FITTED_FORMATS = ("plain", "simple", "grid")
#: Narrowest width a wrapped column is given before columns are left out.
_NARROWEST = 16
#: tabulate makes a column at least two characters wider than its header.
_HEADER_PADDING = 2


def render_listing(
    catalogue: Catalogue, tablefmt: str = "simple", *, width: int | None = None
) -> str:
    """The identities as a table (family, name, formula in the stated and the other layout,
    variables, source), then the pitfalls (wrong claim, mistake, the identity it corrects and
    its right formula).

    With `width` (and a format of :data:`FITTED_FORMATS`), every line fits in `width`
    characters: long cells are wrapped and, when even wrapped columns would be too narrow,
    the least important columns are left out (a last line names them); names are never cut.
    """
    entries = list(catalogue)
    tables = []
    cards = [_card(e, catalogue, with_layout=False) for e in entries]
    identities = [c for c, e in zip(cards, entries, strict=True) if not e.is_pitfall]
    pitfalls = [c for c, e in zip(cards, entries, strict=True) if e.is_pitfall]
    if identities or not pitfalls:
        rows = [
            [c.name, c.formula_cell, c.other_cell, c.family, c.variables, c.source]
            for c in identities
        ]
        headers = ["identity", "formula (stated layout)", "other layout", "family"]
        tables.append(_table(rows, [*headers, "variables", "source"], tablefmt, width))
    if pitfalls:
        rows = [
            [c.name, c.formula_cell, c.mistake, c.corrects, c.corrects_formula, c.family]
            for c in pitfalls
        ]
        headers = ["pitfall", "wrong claim", "mistake", "corrects", "right formula", "family"]
        tables.append(_table(rows, headers, tablefmt, width))
    return "\n\n".join(tables)


def _table(rows: list[list[str]], headers: list[str], tablefmt: str, width: int | None) -> str:
    if width is None or tablefmt not in FITTED_FORMATS:
        return render_table(rows, headers, tablefmt=tablefmt)
    return fit_table(rows, headers, width=width, tablefmt=tablefmt)


def fit_table(
    rows: Sequence[Sequence[str]],
    headers: Sequence[str],
    *,
    width: int,
    tablefmt: str = "simple",
) -> str:
    """A table whose lines are at most `width` characters (when the first column fits at all).

    The first column (the names) is never wrapped. The others are wrapped at word boundaries
    to share the remaining width; when that would leave a column narrower than 16 characters,
    columns are left out from the last one on, and a last line says which.

    Examples
    --------
    >>> rows = [["dxTAx_dx", "d(x A x)/dx = (A + A^T) x, a formula long enough to wrap"]]
    >>> print(fit_table(rows, ["identity", "formula"], width=40))
    identity    formula
    ----------  ----------------------------
    dxTAx_dx    d(x A x)/dx = (A + A^T) x, a
                formula long enough to wrap
    """
    rows = [[str(c) for c in row] for row in rows]
    for keep in range(len(headers), 1, -1):
        widths = _shared_widths(rows, headers[:keep], width, _overhead(tablefmt, keep))
        if widths is not None:
            break
    else:
        keep, widths = 1, [0]
    wrapped = [[_wrap(c, w) for c, w in zip(row[:keep], widths, strict=True)] for row in rows]
    heads = [_wrap(h, w - _HEADER_PADDING) for h, w in zip(headers[:keep], widths, strict=True)]
    table = render_table(wrapped, heads, tablefmt=tablefmt)
    if keep < len(headers):
        left = ", ".join(headers[keep:])
        note = f"(not shown at {width} columns: {left}; --wide shows every column)"
        table += "\n" + textwrap.fill(note, width=max(width, 20))
    return table


def _overhead(tablefmt: str, columns: int) -> int:
    """Characters of a row that are not cell text."""
    return 3 * columns + 1 if tablefmt == "grid" else 2 * (columns - 1)


def _natural(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _shared_widths(
    rows: list[list[str]], headers: Sequence[str], width: int, overhead: int
) -> list[int] | None:
    """Column widths within `width`: the first column's natural width, the others' natural
    widths capped at one level; None when a capped column would be narrower than needed."""
    natural = [
        max([_natural(h) + _HEADER_PADDING, *(_natural(row[i]) for row in rows)])
        for i, h in enumerate(headers)
    ]
    room = width - overhead - natural[0]
    rest = natural[1:]
    if sum(rest) <= room:
        return natural
    cap = room // len(rest)
    while cap < max(rest) and sum(min(w, cap + 1) for w in rest) <= room:
        cap += 1
    if cap < _NARROWEST:
        return None
    return [natural[0], *(min(w, cap) for w in rest)]


def _wrap(text: str, width: int) -> str:
    if width <= 0 or _natural(text) <= width:
        return text
    lines = []
    for line in text.splitlines() or [""]:
        lines += textwrap.wrap(line, width=width, break_on_hyphens=False) or [""]
    return "\n".join(lines)


def render_markdown(catalogue: Catalogue) -> str:
    """The catalogue as a Markdown document with LaTeX formulas (renders on GitHub)."""
    identities = [e for e in catalogue if not e.is_pitfall]
    pitfalls = [e for e in catalogue if e.is_pitfall]
    lines = [
        "# The gradcheck identity catalogue",
        "",
        "Generated by `gradcheck list --format markdown`; do not edit by hand. "
        f"{counted(len(identities), 'identity', 'identities')} and "
        f"{counted(len(pitfalls), 'pitfall')} (known-wrong claims that must fail). "
        "Every entry is checked on random shapes in both layouts by `gradcheck catalogue`.",
        "",
    ]
    for family in catalogue.families:
        members = [e for e in identities if e.family == family]
        if not members:
            continue
        lines += [f"## {family}", ""]
        for entry in members:
            lines += _markdown_entry(identity_card(entry, catalogue))
    lines += ["## Pitfalls", ""]
    for entry in pitfalls:
        lines += _markdown_entry(identity_card(entry, catalogue))
    return "\n".join(lines).rstrip() + "\n"


def _markdown_entry(card: IdentityCard) -> list[str]:
    out = [f"### `{card.name}`", ""] + ([f"$${card.latex}$$", ""] if card.latex else [])
    if card.mistake:
        out.append(f"- pitfall ({card.mistake}): the wrong claim `{card.formula}`")
        right = f": `{card.corrects_formula}`" if card.corrects_formula else ""
        out.append(f"- corrects `{card.corrects}`{right}")
    out.append(f"- {card.kind}; d/d`{card.wrt}`; {card.layout}")
    if card.convention:
        out.append(f"- convention {card.convention}")
    if card.other_formula:
        out.append(f"- in the {card.other_layout} layout: `{card.other_formula}`")
    out.append(f"- variables: {card.variables}")
    if card.conditions:
        out.append(f"- conditions: {card.conditions}")
    out.append(f"- source: {card.source}")
    if card.note:
        out.append(f"- note: {card.note}")
    out.append("")
    return out
