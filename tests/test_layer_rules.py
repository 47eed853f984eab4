"""The layer rules: one per supported type, no import cycles, texts that agree with the numbers."""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_tui.core import layer_rules
from cnn_tui.core.layer_rules import FAMILIES, RULES, LayerRule, summarize_args
from cnn_tui.core.layer_rules.base import keep_shape
from cnn_tui.core.layer_rules.receptive import keep_field
from cnn_tui.core.layers import LAYER_SCHEMAS, new_layer
from cnn_tui.core.memory import oom_advice
from cnn_tui.core.shape_format import format_count, format_shape, format_short_count
from cnn_tui.core.shapes import ShapeReport, infer_shapes, layer_arithmetic
from tests.spec_strategies import Case, random_specs

CORE = Path(__file__).resolve().parents[1] / "cnn_tui" / "core"


def test_every_schema_has_a_rule_and_every_rule_a_schema() -> None:
    assert set(RULES) == set(LAYER_SCHEMAS)


def test_a_rule_cannot_leave_out_its_cost() -> None:
    """The cost has no default: a rule without it fails when its family is imported."""
    required = {f.name for f in dataclasses.fields(LayerRule)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    assert required == {"output", "mac_terms", "mac_note", "field_step"}
    with pytest.raises(TypeError, match="mac_terms"):
        LayerRule(output=keep_shape, mac_note="", field_step=keep_field)  # type: ignore[call-arg]


@pytest.mark.parametrize("type_name", sorted(LAYER_SCHEMAS))
def test_every_type_in_the_catalogue_has_a_cost(type_name: str) -> None:
    layer = new_layer(type_name)
    vector = not RULES[type_name].needs_image and type_name != "Flatten"
    layers = [{"type": "Flatten"}, layer] if vector else [layer, {"type": "Flatten"}]
    report = infer_shapes({"layers": [*layers, {"type": "Dense", "units": 3}]}, (9, 8, 3), 3)
    assert report.ok, report.errors
    row = next(row for row in report.rows if row.type == type_name)
    assert isinstance(row.macs, int) and row.macs >= 0
    assert row.receptive_field is not None
    lines = layer_arithmetic(report, row.index)
    assert any(line.startswith("MACs = ") for line in lines), lines
    assert any("RF = " in line for line in lines), lines


def test_no_layer_type_is_in_two_families() -> None:
    names = [type_name for family in FAMILIES for type_name in family.RULES]
    assert len(names) == len(set(names))


# --- the shape modules import each other without a cycle -------------------------------------

SHAPE_MODULES = ("errors", "limits", "layer_args", "layers", "presets", "spec", "memory",
                 "shape_format", "report", "shape_text", "shapes", "keras_model")


def _module_files() -> dict[str, Path]:
    files = {f"cnn_tui.core.{name}": CORE / f"{name}.py" for name in SHAPE_MODULES}
    for path in (CORE / "layer_rules").glob("*.py"):
        name = "cnn_tui.core.layer_rules" + ("" if path.stem == "__init__" else f".{path.stem}")
        files[name] = path
    return files


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every cnn_tui module ``path`` imports anywhere: top level, functions, TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            # "from package import module" imports the module, not only the package.
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & known
            found |= subs or {node.module}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name in known}


def test_the_shape_modules_have_no_import_cycle() -> None:
    files = _module_files()
    graph = {name: _imports(path, set(files)) - {name} for name, path in files.items()}
    # A package's __init__ importing its own modules is not a cycle.
    graph["cnn_tui.core.layer_rules"] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " -> ".join((*path, name))
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())
    assert "cnn_tui.core.shapes" not in graph["cnn_tui.core.shape_text"]


def test_the_rules_know_nothing_of_reports_views() -> None:
    for path in (CORE / "layer_rules").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"cnn_tui\.core\.(shapes|shape_text|keras_model)\b", text), path


# --- one shape formatter ---------------------------------------------------------------------


def test_one_formatter_for_every_style() -> None:
    shape = (28, 28, 32)
    assert format_shape(shape) == "28x28x32"
    assert format_shape(shape, "×") == "28×28×32"
    assert format_shape(shape, "*") == "28*28*32"
    assert format_shape(shape, "tuple") == "(28, 28, 32)"
    assert format_shape((10,), "tuple") == "(10,)" and format_shape((10,)) == "10"
    assert format_shape(None) == "-" and format_shape(None, "×", missing="—") == "—"
    assert format_shape((), "x") == "scalar" and format_shape((), "tuple") == "()"
    assert format_count(276_138) == "276,138"
    assert [format_short_count(n) for n in (0, 896, 9_248, 884_736, 999_950, 21_609_472,
                                            1_234_567_890)] == [
        "0", "896", "9.2K", "884.7K", "1.0M", "21.6M", "1.2G"]
    with pytest.raises(ValueError, match="unknown shape style"):
        format_shape(shape, "by")  # type: ignore[arg-type]


def test_the_formatter_is_the_only_one_in_the_core() -> None:
    """No hand-made "x".join of a shape left in the core (the UI and CLI are listed apart)."""
    for path in CORE.rglob("*.py"):
        if path.name == "shape_format.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""["'][x×*]["']\.join""", text), path


def test_oom_advice_writes_the_image_with_the_formatter() -> None:
    report = infer_shapes({"layers": [{"type": "Conv2D", "filters": 8, "kernel_size": 1},
                                      {"type": "GlobalMaxPooling2D"}]}, (28, 28, 1), 8)
    assert "one 28x28x1 image" in oom_advice(report, 1, "sgd")


# --- the texts agree with the numbers --------------------------------------------------------

_PARAMS = re.compile(r"^(params|trainable) = ([\d*+ ]+) = ([\d,]+)")
_VALID = re.compile(r"out = floor\(\((\d+) - (\d+) \+ 2\*0\) / (\d+)\) \+ 1 = (\d+)$")
_SAME = re.compile(r"out = ceil\((\d+) / (\d+)\) = (\d+)$")
_MACS = re.compile(r"^MACs = (?:([\d*+ ]+) = ([\d,]+)|0)( \(|$)")
_FIELD = re.compile(r"^RF = (\d+) \+ \((\d+)-1\)\*(\d+) = (\d+), jump = (\d+)\*(\d+) = (\d+)$")


def _evaluate(expression: str) -> int:
    return sum(math.prod(int(f) for f in term.split("*")) for term in expression.split(" + "))


def assert_arithmetic_adds_up(report: ShapeReport) -> None:
    """Every formula of every row evaluates to the number it shows, and that is the row's."""
    for row in report.rows:
        if row.output_shape is None:
            continue
        lines = layer_arithmetic(report, row.index)
        expected = {"params": row.params, "trainable": row.trainable_params}
        sizes: list[int] = []
        fields: list[tuple[int, int]] = []
        macs_lines = 0
        for line in lines:
            text = line.split(": ", 1)[-1]  # "height: out = ..."
            if found := _MACS.match(line):
                expression, shown, _ = found.groups()
                macs = _evaluate(expression) if expression else 0
                assert macs == int((shown or "0").replace(",", "")) == row.macs, line
                macs_lines += 1
            elif found := _FIELD.match(text):
                size, span, jump, out, jump_again, stride, out_jump = map(int, found.groups())
                assert jump == jump_again and size + (span - 1) * jump == out, line
                assert jump * stride == out_jump, line
                fields.append((out, out_jump))
            elif found := _PARAMS.match(text):
                kind, expression, shown = found.groups()
                assert _evaluate(expression) == int(shown.replace(",", "")) == expected[kind], line
            elif found := _VALID.match(text):
                size, window, stride, out = map(int, found.groups())
                assert (size - window) // stride + 1 == out, line
                sizes.append(out)
            elif found := _SAME.match(text):
                size, stride, out = map(int, found.groups())
                assert math.ceil(size / stride) == out, line
                sizes.append(out)
        assert f"shape = {format_shape(row.output_shape)}" in " ".join(lines)
        if len(sizes) == 1:  # one line when both axes agree
            assert (sizes[0], sizes[0]) == row.output_shape[:2], lines
        elif sizes:  # else height, then width
            assert tuple(sizes) == row.output_shape[:2], lines
        assert macs_lines == 1, lines
        field = row.receptive_field
        assert field is not None
        if len(fields) == 1:  # a window; one line when both axes agree
            assert field.size == (fields[0][0],) * 2 and field.jump == (fields[0][1],) * 2, lines
        elif fields:
            assert field.size == (fields[0][0], fields[1][0]), lines
            assert field.jump == (fields[0][1], fields[1][1]), lines


VARIANTS = [{}, {"use_bias": False}, {"depth_multiplier": 2}, {"strides": 2, "padding": "same"},
            {"kernel_size": (3, 1), "strides": (1, 2)}, {"pool_size": (3, 2), "strides": 1},
            {"center": False}, {"scale": False, "center": False}]
# Each type with its new_layer() arguments, then with every variant that applies to it.
TYPE_VARIANTS = [
    (type_name, variant) for type_name, schema in LAYER_SCHEMAS.items() for variant in VARIANTS
    if set(variant) <= set(schema.arg_names)
] + [("ZeroPadding2D", {"padding": (1, 2)})]


@pytest.mark.parametrize(("type_name", "variant"), TYPE_VARIANTS, ids=str)
def test_arithmetic_of_every_type_adds_up(type_name: str, variant: dict[str, object]) -> None:
    layer = {**new_layer(type_name), **variant}
    vector = not RULES[type_name].needs_image and type_name != "Flatten"
    layers = [{"type": "Flatten"}, layer] if vector else [layer, {"type": "Flatten"}]
    report = infer_shapes({"layers": [*layers, {"type": "Dense", "units": 3}]}, (9, 8, 3), 3)
    assert report.ok, report.errors
    assert_arithmetic_adds_up(report)


@settings(max_examples=60, deadline=None)
@given(random_specs(shapes=st.sampled_from([(9, 7, 2), (5, 5, 1), (12, 12, 3)]), max_body=4))
def test_arithmetic_lines_add_up_to_the_rows_numbers(case: Case) -> None:
    assert_arithmetic_adds_up(infer_shapes(*case))


def test_summaries_of_every_family() -> None:
    assert summarize_args("Conv2D", {"filters": 32, "kernel_size": 3, "strides": 1,
                                     "padding": "same", "activation": "relu",
                                     "use_bias": True}) == "32 3x3 same relu"
    assert summarize_args("DepthwiseConv2D", {"kernel_size": (3, 5), "strides": 2,
                                              "depth_multiplier": 2, "padding": "valid",
                                              "activation": None,
                                              "use_bias": False}) == "3x5 x2 stride 2x2 no bias"
    assert summarize_args("MaxPooling2D", {"pool_size": 2, "strides": None,
                                           "padding": "valid"}) == "2x2"
    assert summarize_args("MaxPooling2D", {"pool_size": 3, "strides": 1,
                                           "padding": "same"}) == "3x3 stride 1 same"
    assert summarize_args("Dense", {"units": 512, "activation": "relu",
                                    "use_bias": True}) == "512 relu"
    assert summarize_args("BatchNormalization", {"momentum": 0.9, "epsilon": 0.001,
                                                 "center": True, "scale": True}) == "momentum 0.9"
    assert summarize_args("ZeroPadding2D", {"padding": (1, 2)}) == "pad 1x2"
    assert summarize_args("Dropout", {"rate": 0.25}) == "0.25"
    assert summarize_args("Flatten", {}) == "" and summarize_args("Nope", {}) == ""


def test_the_registry_is_the_package_api() -> None:
    assert layer_rules.RULES is RULES
    assert all(rule.output is not None for rule in RULES.values())
