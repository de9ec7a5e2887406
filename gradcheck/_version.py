"""The package version, kept equal to the one in pyproject.toml (a test compares them)."""

__version__ = "0.1.0"
