"""The command line as a user runs it: ``python -m gradcheck`` in a fresh interpreter."""

import subprocess
import sys


def gradcheck_cli(*argv: str, cwd) -> subprocess.CompletedProcess:
    """Run ``gradcheck ARGV...`` in `cwd`; its exit status and captured output."""
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
