"""The catalogue of Keras layers a spec may use, and how to read their arguments.

Each supported Keras layer class has a ``LayerSchema`` listing its arguments
(kind, Keras's default, bounds or choices, a one-line help). Validation, the
shape inference, the Keras builder and the TUI's edit form are all driven by
this table, so adding a layer here is most of the work of supporting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Marks an argument that Keras requires (it has no default).
REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()

#: Activations that keep the tensor's shape and take no extra argument
#: (Keras's ``glu`` halves the last axis and ``threshold`` needs parameters).
ACTIVATIONS: tuple[str | None, ...] = (
    None, "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu",
    "swish", "mish", "softplus", "softsign", "sigmoid", "hard_sigmoid", "hard_silu",
    "tanh", "exponential", "softmax", "log_softmax",
)

_NONE_WORDS = {"", "none", "null"}
_TRUE_WORDS = {"true", "yes", "on", "1"}
_FALSE_WORDS = {"false", "no", "off", "0"}


class ArgValueError(ValueError):
    """An argument value that cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class ArgSchema:
    """One argument of a layer: how to read it and what values it accepts."""

    name: str
    kind: str
    """``int``, ``float``, ``bool``, ``choice`` or ``int_or_pair`` (an int or [h, w])."""
    default: Any
    """Keras's default, or ``REQUIRED`` when Keras has none."""
    help: str
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False
    choices: tuple[Any, ...] = ()
    nullable: bool = False
    """``None`` is a valid value (pooling strides: None means the pool size)."""
    suggested: Any = None
    """The value a freshly added layer starts with when Keras has no default."""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe_range(self) -> str:
        """A short phrase for the accepted values, used in error messages and form hints."""
        if self.kind == "choice":
            return "one of " + ", ".join(_show(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        noun = {"int": "an integer", "float": "a number", "int_or_pair": "an integer or [h, w]"}
        text = noun[self.kind]
        if self.minimum is not None and self.maximum is not None:
            upper = "<" if self.maximum_exclusive else "<="
            text += f" with {_show(self.minimum)} <= value {upper} {_show(self.maximum)}"
        elif self.minimum is not None:
            text += f" >= {_show(self.minimum)}"
        if self.nullable:
            text += " (or None)"
        return text

    def coerce(self, value: Any) -> Any:
        """Turn a JSON value or a typed string into this argument's value.

        Raises ArgValueError("<name> ...; use ...") when the value is unusable.
        Pairs come back as tuples, with equal halves folded to one int.
        """
        if isinstance(value, str) and self.kind != "choice":
            value = self._parse_text(value)
        if value is None:
            if self.nullable or None in self.choices:
                return None
            raise self._error(value)
        if self.kind == "choice":
            return self._coerce_choice(value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise self._error(value)
        if self.kind == "int_or_pair":
            return self._coerce_pair(value)
        number = self._coerce_number(value)
        self._check_bounds(number, value)
        return number

    def _parse_text(self, text: str) -> Any:
        stripped = text.strip()
        lowered = stripped.lower()
        if lowered in _NONE_WORDS:
            return None
        if self.kind == "bool":
            if lowered in _TRUE_WORDS:
                return True
            if lowered in _FALSE_WORDS:
                return False
            raise self._error(text)
        if self.kind == "int_or_pair":
            parts = [p for p in re.split(r"[\s,x×()\[\]]+", lowered) if p]
            if len(parts) in (1, 2) and all(re.fullmatch(r"[+-]?\d+", p) for p in parts):
                numbers = [int(p) for p in parts]
                return numbers[0] if len(numbers) == 1 else numbers
            raise self._error(text)
        try:
            return int(stripped) if self.kind == "int" else float(stripped)
        except ValueError:
            raise self._error(text) from None

    def _coerce_choice(self, value: Any) -> Any:
        for choice in self.choices:
            if value == choice or (
                isinstance(value, str) and isinstance(choice, str) and value.lower() == choice
            ):
                return choice
        if isinstance(value, str) and value.strip().lower() in _NONE_WORDS and None in self.choices:
            return None
        raise self._error(value)

    def _coerce_number(self, value: Any) -> int | float:
        # JSON booleans are ints in Python; "filters": true is a mistake, not 1.
        if isinstance(value, bool):
            raise self._error(value)
        if self.kind == "int":
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise self._error(value)
        if isinstance(value, (int, float)):
            return float(value)
        raise self._error(value)

    def _coerce_pair(self, value: Any) -> int | tuple[int, int]:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if len(items) not in (1, 2):
            raise self._error(value)
        numbers = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise self._error(value)
            if isinstance(item, float) and not item.is_integer():
                raise self._error(value)
            numbers.append(int(item))
            self._check_bounds(int(item), value)
        if len(numbers) == 1 or numbers[0] == numbers[1]:
            return numbers[0]
        return (numbers[0], numbers[1])

    def _check_bounds(self, number: float, original: Any) -> None:
        too_low = self.minimum is not None and number < self.minimum
        too_high = self.maximum is not None and (
            number >= self.maximum if self.maximum_exclusive else number > self.maximum
        )
        if too_low or too_high:
            raise self._error(original)

    def _error(self, value: Any) -> ArgValueError:
        example = self.suggested if self.default in (REQUIRED, None) else self.default
        hint = f"; use {self.describe_range()}"
        if example is not None and self.kind != "choice":
            hint += f", e.g. {_show(example)}"
        return ArgValueError(f"{self.name}={_show(value)} is not valid{hint}")


@dataclass(frozen=True)
class LayerSchema:
    """A supported Keras layer class and its arguments."""

    type: str
    help: str
    args: tuple[ArgSchema, ...] = ()

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)

    def arg(self, name: str) -> ArgSchema:
        for schema in self.args:
            if schema.name == name:
                return schema
        raise KeyError(name)


def pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """(h, w) from an int-or-pair argument value."""
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def show_value(value: Any) -> str:
    """How a value is written in messages: JSON-ish, pairs as 3x5."""
    return _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return f"{value[0]}x{value[1]}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return f"{value:g}" if value != 0 else "0"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _filters() -> ArgSchema:
    return ArgSchema("filters", "int", REQUIRED, "number of output channels (feature maps)",
                     minimum=1, suggested=32)


def _kernel() -> ArgSchema:
    return ArgSchema("kernel_size", "int_or_pair", REQUIRED,
                     "height and width of the convolution window (3 or [3, 5])",
                     minimum=1, suggested=3)


def _strides(default: Any = 1, nullable: bool = False, help_: str = "") -> ArgSchema:
    return ArgSchema("strides", "int_or_pair", default,
                     help_ or "step of the window; 2 halves the height and width",
                     minimum=1, nullable=nullable)


def _padding() -> ArgSchema:
    return ArgSchema("padding", "choice", "valid",
                     "'valid' shrinks the output by the window; 'same' keeps ceil(size / stride)",
                     choices=("valid", "same"))


def _activation(default: Any = None) -> ArgSchema:
    return ArgSchema("activation", "choice", default,
                     "function applied to the output (None = linear)",
                     choices=ACTIVATIONS, suggested="relu")


def _use_bias() -> ArgSchema:
    return ArgSchema("use_bias", "bool", True, "add a learned bias per output channel")


def _rate() -> ArgSchema:
    return ArgSchema("rate", "float", REQUIRED, "fraction of inputs dropped while training",
                     minimum=0.0, maximum=1.0, maximum_exclusive=True, suggested=0.25)


def _pool_size(default: Any) -> ArgSchema:
    return ArgSchema("pool_size", "int_or_pair", default,
                     "height and width of the pooling window (2 halves the image)",
                     minimum=1, suggested=2)


def _depth_multiplier() -> ArgSchema:
    return ArgSchema("depth_multiplier", "int", 1, "output channels per input channel",
                     minimum=1)


_POOL_STRIDES = "step of the window; None means the pool size"

LAYER_SCHEMAS: dict[str, LayerSchema] = {
    s.type: s
    for s in (
        LayerSchema("Conv2D", "2-D convolution: learns filters that slide over the image",
                    (_filters(), _kernel(), _strides(), _padding(), _activation(), _use_bias())),
        LayerSchema("SeparableConv2D", "depthwise then 1x1 convolution: fewer parameters",
                    (_filters(), _kernel(), _strides(), _padding(), _depth_multiplier(),
                     _activation(), _use_bias())),
        LayerSchema("DepthwiseConv2D", "one filter per input channel (no mixing of channels)",
                    (_kernel(), _strides(), _padding(), _depth_multiplier(), _activation(),
                     _use_bias())),
        LayerSchema("MaxPooling2D", "keeps the largest value of each window",
                    (_pool_size(2), _strides(None, True, _POOL_STRIDES), _padding())),
        LayerSchema("AveragePooling2D", "keeps the mean of each window",
                    (_pool_size(REQUIRED), _strides(None, True, _POOL_STRIDES), _padding())),
        LayerSchema("GlobalAveragePooling2D", "mean over height and width: one value per channel"),
        LayerSchema("GlobalMaxPooling2D", "max over height and width: one value per channel"),
        LayerSchema("Flatten", "unrolls height x width x channels into one vector"),
        LayerSchema("Dense", "fully connected layer",
                    (ArgSchema("units", "int", REQUIRED, "number of outputs", minimum=1,
                               suggested=128),
                     _activation(), _use_bias())),
        LayerSchema("Dropout", "randomly zeroes inputs while training (regularisation)",
                    (_rate(),)),
        LayerSchema("SpatialDropout2D", "drops whole feature maps while training",
                    (_rate(),)),
        LayerSchema("BatchNormalization", "normalises each channel over the batch",
                    (ArgSchema("momentum", "float", 0.99, "momentum of the moving mean/variance",
                               minimum=0.0, maximum=1.0),
                     ArgSchema("epsilon", "float", 0.001, "small number added to the variance",
                               minimum=1e-12),
                     ArgSchema("center", "bool", True, "learn an offset (beta) per channel"),
                     ArgSchema("scale", "bool", True, "learn a scale (gamma) per channel"))),
        LayerSchema("Activation", "applies an activation function",
                    (ArgSchema("activation", "choice", REQUIRED, "function to apply",
                               choices=ACTIVATIONS, suggested="relu"),)),
        LayerSchema("ZeroPadding2D", "adds rows and columns of zeros around the image",
                    (ArgSchema("padding", "int_or_pair", 1,
                               "rows (and columns) of zeros added on each side", minimum=0),)),
    )
}


def new_layer(type_name: str) -> dict[str, Any]:
    """A layer dict for ``type_name`` with its required arguments set to sensible values."""
    schema = LAYER_SCHEMAS[type_name]
    layer: dict[str, Any] = {"type": type_name}
    for arg in schema.args:
        if arg.required:
            layer[arg.name] = arg.suggested
    return layer


def coerce_arg(type_name: str, arg_name: str, value: Any) -> Any:
    """Read a typed string or JSON value for one argument; ArgValueError says what to type."""
    return LAYER_SCHEMAS[type_name].arg(arg_name).coerce(value)


def resolve_layer_args(
    schema: LayerSchema, layer: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Every argument's value (given or Keras's default) and the problems found.

    Problems are phrased "what is wrong; what would fix it", without the layer
    prefix, which the caller adds. Arguments with a problem are left out.
    """
    problems: list[str] = []
    unknown = [key for key in layer if key != "type" and key not in schema.arg_names]
    if unknown:
        valid = ", ".join(schema.arg_names) or "none"
        problems.append(
            f"unknown argument {', '.join(repr(k) for k in unknown)}; "
            f"valid arguments are: {valid}"
        )
    values: dict[str, Any] = {}
    for arg in schema.args:
        if arg.name not in layer:
            if arg.required:
                problems.append(
                    f"{arg.name} is required; add \"{arg.name}\": {_json(arg.suggested)}"
                )
            else:
                values[arg.name] = arg.default
            continue
        try:
            values[arg.name] = arg.coerce(layer[arg.name])
        except ArgValueError as exc:
            problems.append(str(exc))
    return values, problems


def _json(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return _show(value)
