"""Describing identities for people: cards, listings and the Markdown catalogue document."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..verdict import render_table
from .registry import Catalogue, Identity

__all__ = ["identity_card", "layout_relation", "render_listing", "render_markdown", "to_latex"]

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


def layout_relation(f_ndim: int, x_shape_spec: str, stated: str) -> str:
    """How the derivative in the other layout relates to the stated one."""
    x_ndim = len(x_shape_spec.replace(",", " ").split())
    if stated == "tensor":
        return (
            "stated in the tensor layout (F.shape + X.shape); numerator: d vec(F)/d vec(X)^T, "
            "denominator: its transpose"
        )
    other = "numerator" if stated == "denominator" else "denominator"
    if f_ndim == 0 and x_ndim == 0:
        return "the same in both layouts"
    if (f_ndim == 0 and x_ndim == 1) or (f_ndim == 1 and x_ndim == 0):
        return (
            f"{other} layout: the same entries as a {'row' if other == 'numerator' else 'column'}"
        )
    if f_ndim <= 2 and x_ndim <= 2 and (f_ndim == 0 or x_ndim == 0 or f_ndim == x_ndim == 1):
        return f"{other} layout: the transpose"
    return f"{other} layout: the transpose of the vec form"


def other_layout_formula(text: str, relation: str) -> str:
    """The claim's formula in the other layout, derived from the stated one's right-hand side."""
    if "(numerator)" in text and "(denominator)" in text:
        return "both layouts are stated above"
    if "=" not in text:
        return relation
    rhs = text.rsplit("=", 1)[1].strip()
    rhs = re.sub(r"\s*\((numerator|denominator)\)\s*$", "", rhs)
    if "the transpose of the vec form" in relation or "tensor layout" in relation:
        return relation
    if "the same in both" in relation:
        return rhs
    if relation.endswith("the transpose") or "same entries" in relation:
        return f"({rhs})^T"
    return relation


def _f_ndim(entry: Identity) -> int:
    _, point = entry.draw(np.random.default_rng(0))
    return int(np.ndim(entry.f(**point)))


def identity_card(entry: Identity) -> dict[str, Any]:
    """Everything a person reads about one identity, as strings (a Hessian's, a mixed
    block's or a VJP's kind and layout say which form it is)."""
    card = _first_order_card(entry)
    if entry.form != "jacobian":
        stated, other = entry.layout_text()  # type: ignore[attr-defined]
        card.update(kind=f"{entry.form} {card['kind']}", layout=stated, other_formula=other)
    return card


def _first_order_card(entry: Identity) -> dict[str, Any]:
    variables = "; ".join(
        f"{v}: ({spec or 'scalar'})"
        + (f" {entry.constraints[v]}" if entry.constraints.get(v, "any") != "any" else "")
        for v, spec in entry.shapes.items()
    )
    relation = layout_relation(_f_ndim(entry), entry.shapes[entry.wrt], entry.layout)
    other = "numerator" if entry.layout == "denominator" else "denominator"
    return {
        "name": entry.name,
        "family": entry.family,
        "kind": f"pitfall ({entry.mistake}) of {entry.corrects}"
        if entry.is_pitfall
        else "identity",
        "formula": entry.text,
        "latex": entry.latex or to_latex(entry.text),
        "layout": f"stated in the {entry.layout} layout; " + relation,
        "other_formula": (
            ""
            if entry.layout == "tensor"
            else f"{other}: {other_layout_formula(entry.text, relation)}"
        ),
        "wrt": entry.wrt,
        "variables": variables,
        "conditions": ", ".join(entry.conditions),
        "source": entry.source,
        "note": entry.note,
    }


def render_listing(catalogue: Catalogue, tablefmt: str = "simple") -> str:
    """One row per identity: family, name, formula, variables, source."""
    rows = []
    for entry in catalogue:
        card = identity_card(entry)
        rows.append(
            [
                card["family"],
                card["name"],
                card["formula"],
                card["other_formula"],
                card["variables"],
                card["source"],
            ]
        )
    headers = [
        "family",
        "identity",
        "formula (stated layout)",
        "other layout",
        "variables",
        "source",
    ]
    return render_table(rows, headers, tablefmt=tablefmt)


def render_markdown(catalogue: Catalogue) -> str:
    """The catalogue as a Markdown document with LaTeX formulas (renders on GitHub)."""
    identities = [e for e in catalogue if not e.is_pitfall]
    pitfalls = [e for e in catalogue if e.is_pitfall]
    lines = [
        "# The gradcheck identity catalogue",
        "",
        "Generated by `gradcheck list --format markdown`; do not edit by hand. "
        f"{len(identities)} identities and {len(pitfalls)} pitfalls (known-wrong claims that "
        "must fail). Every entry is checked on random shapes in both layouts by "
        "`gradcheck catalogue`.",
        "",
    ]
    for family in catalogue.families:
        members = [e for e in identities if e.family == family]
        if not members:
            continue
        lines += [f"## {family}", ""]
        for entry in members:
            lines += _markdown_entry(identity_card(entry))
    lines += ["## Pitfalls", ""]
    for entry in pitfalls:
        lines += _markdown_entry(identity_card(entry))
    return "\n".join(lines).rstrip() + "\n"


def _markdown_entry(card: dict[str, Any]) -> list[str]:
    out = [f"### `{card['name']}`", "", f"$${card['latex']}$$", ""]
    out.append(f"- {card['kind']}; d/d`{card['wrt']}`; {card['layout']}")
    if card["other_formula"]:
        out.append(f"- in the {card['other_formula'].replace(': ', ' layout: `', 1)}`")
    out.append(f"- variables: {card['variables']}")
    if card["conditions"]:
        out.append(f"- conditions: {card['conditions']}")
    out.append(f"- source: {card['source']}")
    if card["note"]:
        out.append(f"- note: {card['note']}")
    out.append("")
    return out
