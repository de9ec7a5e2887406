"""``python -m gradcheck``: the command line (see :mod:`gradcheck._cli`)."""

from ._cli import console_main

console_main()
