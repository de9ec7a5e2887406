"""The built-in catalogue of matrix-calculus identities, one module per family.

Built from the project's reference table (The Matrix Cookbook Sec. 2, the Wikipedia layout
tables, Giles' results for algorithmic differentiation, machine-learning gradients), each entry
written here in batch-polymorphic form: as formulas of gradcheck's expression language where it
can state them (evaluated batched), otherwise as Python functions built from ``_helpers``, all
of which treat leading axes as a batch. ``pitfalls`` holds the known-wrong claims.
"""

from __future__ import annotations

from dataclasses import replace

from gradcheck import Catalogue, load_catalogue

FAMILY_MODULES = (
    "gradcheck_identities.linear",
    "gradcheck_identities.by_scalar",
    "gradcheck_identities.quadratic",
    "gradcheck_identities.trace",
    "gradcheck_identities.determinant",
    "gradcheck_identities.inverse",
    "gradcheck_identities.norm",
    "gradcheck_identities.elementwise",
    "gradcheck_identities.eigen_svd",
    "gradcheck_identities.matrix_function",
    "gradcheck_identities.ml_loss",
    "gradcheck_identities.product_chain_rule",
    "gradcheck_identities.vector_by_vector",
    "gradcheck_identities.structured",
    "gradcheck_identities.seed_notes",
    "gradcheck_identities.second_order",
    "gradcheck_identities.vjp",
    "gradcheck_identities.complex",
    "gradcheck_identities.pitfalls",
)


def builtin_catalogue() -> Catalogue:
    """Every identity and pitfall of the built-in catalogue.

    The Python functions among them are batch-polymorphic (every helper of ``_helpers`` is),
    so they are marked ``vectorized=True`` here, once for the whole catalogue.
    """
    entries = load_catalogue(*FAMILY_MODULES)
    return Catalogue(
        e if e.vectorized is not None else replace(e, vectorized=True) for e in entries
    )
