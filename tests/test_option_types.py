"""Every numeric option of every public function refuses a string and a boolean.

``float("1e-3")`` and ``float(True)`` both succeed, so a check that converts with ``float`` took
``rtol="1e-3"`` as 1e-3 and ``step=True`` as a step of 1 (found by the adversarial review). Each
refusal is an :class:`gradcheck.InvalidArgumentError` that names the option and the type it
expects; the same call with a number of the right type runs, so the refusal is the option's.
"""

import re

import numpy as np
import pytest

import gradcheck as gc

X = np.array([0.3, -1.2, 0.8])
A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 3.0]])


def _sin(x):
    return np.sum(np.sin(x))


def _quadratic(x):
    return 0.5 * x @ A @ x


#: Each public function that takes options, called on a right claim with extra keywords.
CALLS = {
    "check": lambda **o: gc.check(_sin, np.cos(X), X, **o),
    "assert_gradient": lambda **o: gc.assert_gradient(_sin, np.cos(X), X, **o),
    "check_directional": lambda **o: gc.check_directional(_sin, np.cos(X), X, **o),
    "check_vjp": lambda **o: gc.check_vjp(np.sin, lambda v, x: np.cos(x) * v, X, **o),
    "check_jvp": lambda **o: gc.check_jvp(np.sin, lambda d, x: np.cos(x) * d, X, **o),
    "check_hessian": lambda **o: gc.check_hessian(_quadratic, A, X, **o),
    "check_hvp": lambda **o: gc.check_hvp(_quadratic, lambda v, x: A @ v, X, **o),
    "taylor_test": lambda **o: gc.taylor_test(_sin, np.cos(X), X, **o),
    "jacobian": lambda **o: gc.jacobian(_sin, X, **o),
    "estimate_jacobian": lambda **o: gc.estimate_jacobian(_sin, X, **o),
}
CHECK_OPTIONS = {"rtol": 1e-6, "atol": 0.0, "step": 1e-5, "chunk_bytes": 1 << 20}
DIRECTIONAL_OPTIONS = {**CHECK_OPTIONS, "directions": 4, "seed": 1}
ENGINE_OPTIONS = {"step": 1e-5, "chunk_bytes": 1 << 20}
#: The numeric options each function takes, with a valid value of each.
OPTIONS = {
    "check": CHECK_OPTIONS,
    "assert_gradient": CHECK_OPTIONS,
    "check_directional": DIRECTIONAL_OPTIONS,
    "check_vjp": DIRECTIONAL_OPTIONS,
    "check_jvp": DIRECTIONAL_OPTIONS,
    "check_hessian": CHECK_OPTIONS,
    "check_hvp": DIRECTIONAL_OPTIONS,
    "taylor_test": {"first_step": 0.05, "num_steps": 12, "seed": 1},
    "jacobian": ENGINE_OPTIONS,
    "estimate_jacobian": ENGINE_OPTIONS,
}
CASES = [(name, option) for name, options in OPTIONS.items() for option in options]


def _as_text(value):
    return str(int(value)) if isinstance(value, int) else repr(value)


@pytest.mark.parametrize(("name", "option"), CASES)
def test_a_valid_number_is_accepted(name, option):
    result = CALLS[name](**{option: OPTIONS[name][option]})
    assert result is not None


@pytest.mark.parametrize(("name", "option"), CASES)
@pytest.mark.parametrize("kind", ["str", "bool", "numpy bool"])
def test_a_string_or_a_boolean_is_refused_naming_the_option(name, option, kind):
    valid = OPTIONS[name][option]
    bad = {"str": _as_text(valid), "bool": True, "numpy bool": np.True_}[kind]
    with pytest.raises(gc.InvalidArgumentError) as caught:
        CALLS[name](**{option: bad})
    message = str(caught.value)
    assert f"`{option}`" in message, message
    assert re.search(r"\b(number|integer)\b", message), message


@pytest.mark.parametrize("name", ["check", "check_hessian", "jacobian", "estimate_jacobian"])
@pytest.mark.parametrize(
    "step", [np.array([True, False, True]), ["0.1", "0.1", "0.1"]], ids=["bools", "strings"]
)
def test_an_array_step_of_booleans_or_strings_is_refused(name, step):
    with pytest.raises(gc.InvalidArgumentError, match="`step`"):
        CALLS[name](step=step)


def test_an_array_step_of_numbers_is_still_one_step_per_coordinate():
    estimate = gc.estimate_jacobian(_sin, X, step=[1e-5, 2e-5, 1e-5])
    np.testing.assert_allclose(estimate.value, np.cos(X), rtol=1e-8)


@pytest.mark.parametrize("option", ["rtol", "atol"])
def test_a_tolerance_array_is_refused(option):
    with pytest.raises(gc.InvalidArgumentError, match=f"`{option}` must be one number"):
        gc.check(_sin, np.cos(X), X, **{option: [1e-6]})


def test_a_numpy_scalar_tolerance_is_used_as_its_value():
    loose = gc.check(_sin, 1.01 * np.cos(X), X, rtol=np.float32(0.5))
    strict = gc.check(_sin, 1.01 * np.cos(X), X, rtol=np.float64(1e-8))
    assert loose.passed and strict.status == "failed"
