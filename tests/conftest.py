import importlib
import os
import pkgutil

import gradcheck_identities
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

import gradcheck

# One BLAS thread in the test processes, and (through the environment, unless it says
# otherwise) in the processes the tests start: the suite's matrices are small, and with two
# xdist workers on two cores the threads of each OpenBLAS copy wait for each other (a 7 x 7
# scipy.linalg.expm took 13-29 ms instead of 0.02 ms; one diagnosis test spent 1.5 s in it).
# run_catalogue sets the same limit for its runs; the test that it restores the setting
# raises the limit around itself (tests/test_catalogue.py).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
_ONE_BLAS_THREAD = threadpool_limits(limits=1, user_api="blas")

# Reproducible: hypothesis derives its examples from the test, not from a random seed, and
# keeps no example database (derandomize implies database=None; stated for the reader).
# hypothesis's own default profile, before the suite's replaces it: for test files that run in
# this interpreter as they would in a user's (the README's pytest session, tests/test_public_api.py)
settings.register_profile("hypothesis_default", settings.get_profile("default"))
settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Hypothesis also draws some values from the literals of the project's modules imported so far
# (not of the tests), so the examples of one test would depend on which other test files were
# collected. Importing every module first makes them the same for `pytest tests/test_x.py`,
# `pytest tests/` and the full run (which imports all of gradcheck for its doctests).
for _package in (gradcheck, gradcheck_identities):
    for _module in pkgutil.walk_packages(_package.__path__, prefix=f"{_package.__name__}."):
        if not _module.name.endswith(".__main__"):
            importlib.import_module(_module.name)

pytest_plugins = ["pytester"]
