"""Bad input gets a clear GradcheckError (or a warning), never a silent wrong answer."""

import numpy as np
import pytest

import gradcheck as gc

X = np.array([0.5, -1.0, 2.0])


def sq(x):
    return np.sum(x**2, axis=-1)


def test_errors_form_a_hierarchy_with_builtin_bases():
    assert issubclass(gc.ShapeMismatchError, gc.GradcheckError)
    assert issubclass(gc.ShapeMismatchError, ValueError)
    assert issubclass(gc.InvalidInputError, TypeError)
    assert issubclass(gc.UnknownNameError, KeyError)
    assert issubclass(gc.GradientAssertionError, AssertionError)


def test_claim_fitting_no_layout_lists_the_shapes_of_both_layouts():
    with pytest.raises(gc.ShapeMismatchError) as info:
        gc.check(lambda W: np.sum(W), np.ones((3, 2)), np.ones((2, 4)))
    message = str(info.value)
    assert "(3, 2)" in message and "(2, 4)" in message and "(4, 2)" in message


def test_nonfinite_at_the_point_names_the_output_entry():
    with pytest.raises(gc.NonFiniteValueError, match=r"point itself"):
        gc.jacobian(lambda x: np.log(x), X)


def test_nonfinite_at_a_perturbed_point_names_coordinate_and_step():
    x = np.array([1.0, 2.0, 1e-300])

    def f(x):
        return np.sum(np.where(x > 0, np.sqrt(np.abs(x)), np.nan), axis=-1)

    with pytest.raises(gc.NonFiniteValueError) as info:
        gc.jacobian(f, x)
    message = str(info.value)
    assert "coordinate (2)" in message and "-h" in message and "h = " in message


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda x: None, "returned None"),
        (lambda x: "1.0", "string"),
        (lambda x: x > 0, "boolean"),
        (lambda x: np.array([object()]), "dtype object"),
        (lambda x: x + 1j, "complex"),
    ],
)
def test_outputs_that_are_not_real_numbers_are_rejected(f, match):
    with pytest.raises(gc.OutputTypeError, match=match):
        gc.jacobian(f, X)


def test_output_shape_depending_on_the_point_is_rejected():
    def f(x):
        return np.ones(3) if x[0] == 0.5 else np.ones(4)

    with pytest.raises(gc.OutputTypeError, match="shape"):
        gc.jacobian(f, X, vectorized=False)


def test_in_place_modification_of_the_variable_is_detected():
    def f(x):
        x *= 2
        return np.sum(x)

    x = X.copy()
    with pytest.raises(gc.InPlaceModificationError, match="in place"):
        gc.jacobian(f, x)
    assert np.array_equal(x, X)


def test_in_place_modification_of_another_argument_is_detected():
    def f(x, A):
        A[0, 0] = 0.0
        return x @ A @ x

    A = np.eye(3)
    with pytest.raises(gc.InPlaceModificationError, match="`A`"):
        gc.jacobian(f, {"x": X, "A": A}, wrt="x")
    assert A[0, 0] == 1.0


def test_nondeterministic_function_is_detected():
    rng = np.random.default_rng(0)
    with pytest.raises(gc.NonDeterministicFunctionError, match="different values"):
        gc.jacobian(lambda x: np.sum(x) + rng.standard_normal(), X)


@pytest.mark.parametrize(
    ("point", "match"),
    [
        (np.array([1, 2, 3]), "integer"),
        (np.array([True, False]), "boolean"),
        (np.array([1.0 + 2j]), "complex"),
        (np.array(["a"]), "not a real floating-point"),
        (np.array([1.0, np.nan]), "non-finite"),
    ],
)
def test_unusable_points_are_rejected(point, match):
    with pytest.raises(gc.GradcheckError, match=match):
        gc.jacobian(sq, point)


def test_complex_input_needs_a_convention_and_real_differences():
    with pytest.raises(gc.ConventionError, match="convention"):
        gc.jacobian(sq, np.array([1.0 + 0j]), method="complex")
    with pytest.raises(gc.InvalidArgumentError, match="method='complex'"):
        gc.jacobian(sq, np.array([1.0 + 0j]), method="complex", convention="wirtinger")


@pytest.mark.parametrize(
    ("f", "why"),
    [
        (lambda x: np.sum(np.abs(x), axis=-1), "abs"),
        (lambda x: np.sum(x * np.conj(x), axis=-1), "conj"),
        (lambda x: np.sum(np.real(x) ** 2, axis=-1), "real"),
        (lambda x: np.sum(x * np.sign(x), axis=-1), "sign"),
    ],
)
def test_complex_step_on_unsafe_functions_suggests_central(f, why):
    with pytest.raises(gc.ComplexStepError, match="method='central'"):
        gc.jacobian(f, X, method="complex")
    assert np.all(np.isfinite(gc.jacobian(f, X)))  # central works


def test_unknown_wrt_suggests_close_names():
    with pytest.raises(gc.UnknownNameError, match="Did you mean 'weights'"):
        gc.jacobian(lambda weights, bias: weights @ bias, {"weights": X, "bias": X}, wrt="weight")


def test_wrt_required_with_several_variables():
    with pytest.raises(gc.InvalidArgumentError, match="`wrt` is required"):
        gc.jacobian(lambda a, b: a @ b, {"a": X, "b": X})


def test_wrt_with_a_bare_array_point_is_rejected():
    with pytest.raises(gc.InvalidArgumentError, match="mapping point"):
        gc.jacobian(sq, X, wrt="x")


def test_missing_and_extra_arguments_are_named():
    with pytest.raises(gc.InvalidArgumentError, match=r"missing argument\(s\) \['b'\]"):
        gc.jacobian(lambda a, b: a @ b, {"a": X}, wrt="a")
    with pytest.raises(gc.UnknownNameError, match=r"\['c'\]"):
        gc.jacobian(lambda a, b: a @ b, {"a": X, "b": X, "c": X}, wrt="a")


def test_f_raising_names_the_call():
    def f(x):
        raise ZeroDivisionError("boom")

    with pytest.raises(gc.FunctionCallError, match=r"f raised ZeroDivisionError: boom .*point"):
        gc.jacobian(f, X)


def test_derivative_raising_names_the_derivative():
    def grad(x):
        raise ValueError("bad formula")

    with pytest.raises(gc.FunctionCallError, match="the derivative raised ValueError: bad formula"):
        gc.check(sq, grad, X)


@pytest.mark.parametrize(
    ("claimed", "match"),
    [(np.array([1.0, np.inf, 0.0]), "non-finite"), (np.array(["a", "b", "c"]), "dtype")],
)
def test_unusable_claims_are_rejected(claimed, match):
    with pytest.raises(gc.GradcheckError, match=match):
        gc.check(sq, claimed, X)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "centre"}, "Did you mean 'central'"),
        ({"layout": "denom"}, "Did you mean 'denominator'"),
        ({"mode": "fast"}, "unknown option 'mode'.*check_directional"),
        ({"step": -1.0}, "`step`"),
        ({"step": np.ones(4)}, "`step`"),
        ({"chunk_bytes": 0}, "`chunk_bytes`"),
        ({"directions": 8}, "unknown option 'directions'.*check_directional"),
        ({"atol": float("nan")}, "`atol`"),
    ],
)
def test_invalid_arguments_are_named(kwargs, match):
    with pytest.raises(gc.InvalidArgumentError, match=match):
        gc.check(sq, 2 * X, X, **kwargs)


def test_step_below_float_spacing_is_rejected():
    with pytest.raises(gc.InvalidArgumentError, match="spacing"):
        gc.jacobian(sq, np.array([1e10]), step=1e-10)


def test_taylor_test_rejects_wrong_shapes():
    with pytest.raises(gc.ShapeMismatchError):
        gc.taylor_test(sq, np.ones(4), X)
    with pytest.raises(gc.InvalidArgumentError, match="direction"):
        gc.taylor_test(sq, 2 * X, X, direction=np.ones(2))


def test_function_needing_writable_buffers_still_works():
    def cython_like(x):  # refuses read-only buffers, as typed memoryviews do, but never writes
        if not x.flags.writeable:
            raise ValueError("buffer source array is read-only")
        return np.sum(x**2, axis=-1)

    assert np.allclose(gc.jacobian(cython_like, X), 2 * X, rtol=1e-8)


def test_results_cannot_be_edited_into_another_verdict():
    import dataclasses

    x = np.array([1.0, 2.0])
    result = gc.check(lambda x: np.sum(x**2), 2 * x, x)
    assert result.passed
    edited = dataclasses.replace(result, status="failed")
    assert not edited.passed and not edited
    with pytest.raises(ValueError):
        result.numerical[0] = 0.0
    with pytest.raises(ValueError):
        result.tolerance[0] = 1.0
    taylor = gc.taylor_test(lambda x: np.sum(x**2), 2 * x, x)
    assert dataclasses.replace(taylor, status="failed").passed is False
    with pytest.raises(ValueError):
        taylor.remainders[0] = 0.0


def test_taylor_test_is_reproducible_by_default():
    x = np.array([1.0, 2.0, 3.0])
    first = gc.taylor_test(lambda x: np.sum(np.sin(x)), np.cos(x), x)
    second = gc.taylor_test(lambda x: np.sum(np.sin(x)), np.cos(x), x)
    assert np.array_equal(first.direction, second.direction)


def test_sys_exit_inside_f_is_a_function_call_error():
    """SystemExit is not an Exception: it escaped the check and ended the caller's program."""
    import sys

    def f(x):
        sys.exit(5)

    with pytest.raises(gc.FunctionCallError, match="SystemExit"):
        gc.check(f, np.ones(2), np.ones(2))
