"""``python -m gradcheck``: the command line (see :mod:`gradcheck.cli`)."""

from .cli import console_main

console_main()
