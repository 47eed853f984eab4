"""Layer arguments as the edit form and the spec checks read them: values, ranges, messages.

Every refusal reads "<name>=<what was given> is not valid; use <range>[, e.g. <example>]",
so each case here pins the whole sentence a user sees.
"""

from __future__ import annotations

import pytest

from cnn_tui.core.layers import (
    LAYER_SCHEMAS,
    REQUIRED,
    ArgValueError,
    coerce_arg,
    resolve_layer_args,
    show_value,
)
from cnn_tui.core.limits import bytes_text, digit_count


def refusal(type_name: str, arg: str, value: object) -> str:
    with pytest.raises(ArgValueError) as info:
        coerce_arg(type_name, arg, value)
    return str(info.value)


@pytest.mark.parametrize(
    ("type_name", "arg", "value", "message"),
    [
        # typed text is shown as typed, quoted
        ("Conv2D", "filters", "2.5", "filters='2.5' is not valid; use an integer >= 1, e.g. 32"),
        ("Conv2D", "use_bias", "maybe", "use_bias='maybe' is not valid; use true or false, "
                                        "e.g. true"),
        ("Conv2D", "kernel_size", "3x3x3", "kernel_size='3x3x3' is not valid; "
                                           "use an integer or [h, w] >= 1, e.g. 3"),
        # a single typed number is that number, not a one-item list
        ("Conv2D", "kernel_size", "0", "kernel_size=0 is not valid; "
                                       "use an integer or [h, w] >= 1, e.g. 3"),
        # JSON values
        ("Conv2D", "use_bias", 3, "use_bias=3 is not valid; use true or false, e.g. true"),
        ("Conv2D", "filters", False, "filters=false is not valid; use an integer >= 1, e.g. 32"),
        ("Conv2D", "strides", [1, 2, 3], "strides=[1, 2, 3] is not valid; "
                                         "use an integer or [h, w] >= 1, e.g. 1"),
        ("Conv2D", "kernel_size", [3, 2.5], "kernel_size=3x2.5 is not valid; "
                                            "use an integer or [h, w] >= 1, e.g. 3"),
        ("Dropout", "rate", float("nan"), "rate=nan is not valid; "
                                          "use a number with 0 <= value < 1, e.g. 0.25"),
        ("Dropout", "rate", [0.5], "rate=[0.5] is not valid; "
                                   "use a number with 0 <= value < 1, e.g. 0.25"),
        # a choice gives no example: the range already lists every value
        ("Conv2D", "padding", "full", "padding='full' is not valid; use one of 'valid', 'same'"),
        ("Conv2D", "padding", 1, "padding=1 is not valid; use one of 'valid', 'same'"),
        # an argument with a Keras default suggests that default
        ("BatchNormalization", "momentum", 1.5, "momentum=1.5 is not valid; "
                                                "use a number with 0 <= value <= 1, e.g. 0.99"),
        ("MaxPooling2D", "strides", 0, "strides=0 is not valid; "
                                       "use an integer or [h, w] >= 1 (or None)"),
    ],
)
def test_a_refusal_names_the_value_the_range_and_an_example(
    type_name: str, arg: str, value: object, message: str
) -> None:
    assert refusal(type_name, arg, value) == message


@pytest.mark.parametrize(
    ("item", "shown"), [("3", "'3'"), (True, "true"), (None, "None"), ([3], "[3]")]
)
def test_a_pair_with_an_item_that_is_no_number_is_refused_as_written(
    item: object, shown: str
) -> None:
    """Not int("3"), not True as 1, and not shown as the valid-looking window 3x3."""
    assert refusal("Conv2D", "kernel_size", [item, 3]) == (
        f"kernel_size=[{shown}, 3] is not valid; use an integer or [h, w] >= 1, e.g. 3"
    )


def test_a_pair_with_a_huge_item_is_refused_with_a_sentence() -> None:
    """str() of a 5,000-digit int raises ValueError; the form gets its ArgValueError."""
    assert refusal("Conv2D", "kernel_size", [10**5000, 3]) == (
        "kernel_size=[a 5001-digit number, 3] is too large; use at most 4,096 "
        "(a larger value would not fit in memory)"
    )


def test_an_inclusive_maximum_accepts_the_bound_and_an_exclusive_one_does_not() -> None:
    assert coerce_arg("BatchNormalization", "momentum", 1) == 1.0
    assert coerce_arg("BatchNormalization", "momentum", "1.0") == 1.0
    assert refusal("Dropout", "rate", 1).startswith("rate=1 is not valid")


def test_the_ceiling_is_inclusive_and_named_when_exceeded() -> None:
    assert coerce_arg("Conv2D", "kernel_size", 4096) == 4096
    assert refusal("Conv2D", "kernel_size", [3, 4097]) == (
        "kernel_size=3x4097 is too large; use at most 4,096 "
        "(a larger value would not fit in memory)"
    )


@pytest.mark.parametrize(
    ("type_name", "arg", "phrase"),
    [
        ("BatchNormalization", "momentum", "a number with 0 <= value <= 1"),
        ("Dropout", "rate", "a number with 0 <= value < 1"),
        ("BatchNormalization", "epsilon", "a number >= 1e-12"),
        ("Conv2D", "filters", "an integer >= 1"),
        ("MaxPooling2D", "strides", "an integer or [h, w] >= 1 (or None)"),
        ("ZeroPadding2D", "padding", "an integer or [h, w] >= 0"),
        ("Conv2D", "use_bias", "true or false"),
        ("Conv2D", "padding", "one of 'valid', 'same'"),
    ],
)
def test_each_range_reads_as_a_phrase(type_name: str, arg: str, phrase: str) -> None:
    assert LAYER_SCHEMAS[type_name].arg(arg).describe_range() == phrase


def test_a_required_argument_shows_an_empty_field() -> None:
    filters = LAYER_SCHEMAS["Conv2D"].arg("filters")
    assert filters.default is REQUIRED
    assert filters.to_text(REQUIRED) == ""
    assert filters.to_text(32) == "32"


def test_an_unknown_argument_name_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError) as info:
        LAYER_SCHEMAS["Conv2D"].arg("filter")
    assert info.value.args == ("filter",)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "None"),
        (True, "true"),
        (False, "false"),
        ((3, 5), "3x5"),
        ([2, 2], "2x2"),
        ([3, 2.5], "3x2.5"),
        ([10**30 - 1, 3], "9" * 30 + "x3"),
        ([10**30, 3], "[a 31-digit number, 3]"),
        ([1, 2, 3], "[1, 2, 3]"),
        (["a", None, False], "['a', None, false]"),
        (list(range(30)), str(list(range(30)))[:57] + "..."),
        (0.0, "0"),
        (-0.0, "0"),
        (3.0, "3"),
        (999_999.0, "999999"),
        (1e6, "1000000.0"),
        (0.25, "0.25"),
        (10**30 - 1, "9" * 30),
        (10**30, "a 31-digit number"),
        pytest.param(-(10**5000), "a 5001-digit number", id="5001-digits"),
        ("x" * 58, "'" + "x" * 58 + "'"),
        ("x" * 59, "'" + "x" * 56 + "..."),
    ],
)
def test_values_in_messages_are_short_and_json_like(value: object, shown: str) -> None:
    assert show_value(value) == shown


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (2.5e12, "2.5 TB"),
        (1e12, "1.0 TB"),
        (999.9e9, "999.9 GB"),
        (1e9, "1.0 GB"),
        (12e6, "12.0 MB"),
        (1e6, "1.0 MB"),
        (1e3, "1.0 kB"),
        (999, "999 bytes"),
        (0, "0 bytes"),
    ],
)
def test_sizes_are_written_in_powers_of_a_thousand(size: float, text: str) -> None:
    assert bytes_text(size) == text


@pytest.mark.parametrize("digits", [1, 2, 30, 300, 4300, 5000, 40_000, 100_000])
def test_digit_count_is_exact_around_powers_of_ten(digits: int) -> None:
    """Exact where str() refuses (over 4300 digits), at the edges where an estimate slips."""
    power = 10 ** (digits - 1)
    assert digit_count(power) == digits
    assert digit_count(-power) == digits
    assert digit_count(power * 10 - 1) == digits
    if digits > 1:
        assert digit_count(power - 1) == digits - 1


def test_zero_has_one_digit() -> None:
    assert [digit_count(n) for n in (0, 5, -9, 10)] == [1, 1, 1, 2]


@pytest.mark.parametrize(
    ("layer", "problems"),
    [
        ({"type": "Flatten", "units": 3}, ["unknown argument 'units'; valid arguments are: none"]),
        ({"type": "Dropout", "rate": 0.5, "p": 1, "seed": 2},
         ["unknown argument 'p', 'seed'; valid arguments are: rate"]),
        ({"type": "Conv2D"}, ['filters is required; add "filters": 32',
                              'kernel_size is required; add "kernel_size": 3']),
        ({"type": "Dropout"}, ['rate is required; add "rate": 0.25']),
        ({"type": "Activation"}, ['activation is required; add "activation": "relu"']),
    ],
)
def test_unknown_and_missing_arguments_say_how_to_fix_them(
    layer: dict[str, object], problems: list[str]
) -> None:
    assert resolve_layer_args(LAYER_SCHEMAS[str(layer["type"])], layer)[1] == problems
