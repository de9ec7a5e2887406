"""The built-in catalogue of matrix-calculus identities, one module per family.

Built from the project's reference table (The Matrix Cookbook Sec. 2, the Wikipedia layout
tables, Giles' results for algorithmic differentiation, machine-learning gradients), each entry
written here in batch-polymorphic form. ``pitfalls`` holds the known-wrong claims.
"""

from __future__ import annotations

from gradcheck.catalogue.registry import Catalogue, load_catalogue

FAMILY_MODULES = (
    "identities.linear",
    "identities.by_scalar",
    "identities.quadratic",
    "identities.trace",
    "identities.determinant",
    "identities.inverse",
    "identities.norm",
    "identities.elementwise",
    "identities.eigen_svd",
    "identities.matrix_function",
    "identities.ml_loss",
    "identities.product_chain_rule",
    "identities.vector_by_vector",
    "identities.structured",
    "identities.seed_notes",
    "identities.pitfalls",
)


def builtin_catalogue() -> Catalogue:
    """Every identity and pitfall of the built-in catalogue."""
    return load_catalogue(*FAMILY_MODULES)
