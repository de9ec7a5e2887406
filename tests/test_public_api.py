"""The public surface: every exported name is documented, typed and mentioned in the README."""

import inspect
from pathlib import Path

import gradcheck

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
INTERNAL_HELPERS = {"LAYOUTS", "METHOD_NAMES", "Layout", "__version__"}


def test_all_names_exist_and_are_documented():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if name in INTERNAL_HELPERS or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        assert inspect.getdoc(obj), f"{name} has no docstring"


def test_public_functions_have_type_hints():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, name
            for param in sig.parameters.values():
                assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name})"


def test_main_entry_points_are_described_in_the_readme():
    for name in (
        "check",
        "assert_gradient",
        "jacobian",
        "estimate_jacobian",
        "taylor_test",
        "convert_layout",
        "layout_shapes",
        "run_catalogue",
        "identity",
        "pitfall",
    ):
        assert f"{name}" in README, name


def test_errors_derive_from_gradcheck_error():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isclass(obj) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, gradcheck.GradcheckError), name
