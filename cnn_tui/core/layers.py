"""The catalogue of Keras layers a spec may use, and how to read their arguments.

Each supported Keras layer class has a ``LayerSchema`` listing its arguments
(kind, Keras's default, bounds or choices, a one-line help). Validation, the
shape inference, the Keras builder and the TUI's edit form are all driven by
this table. How a layer type changes shapes and counts parameters is its rule
in ``layer_rules`` (one module per family); a supported type has both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnn_tui.core.layer_args import (
    ACTIVATIONS,
    REQUIRED,
    ArgSchema,
    ArgValueError,
    pair,
    show_value,
)
from cnn_tui.core.limits import MAX_DEPTH_MULTIPLIER, MAX_LAYER_WIDTH, MAX_WINDOW

__all__ = [
    "ACTIVATIONS",
    "LAYER_SCHEMAS",
    "REQUIRED",
    "ArgSchema",
    "ArgValueError",
    "LayerSchema",
    "coerce_arg",
    "new_layer",
    "pair",
    "resolve_layer_args",
    "show_value",
]


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


# The argument factories below run once, while this module is imported to build
# LAYER_SCHEMAS; mutmut forks its mutants after that import, so it could never
# deliver a mutant of theirs (see docs/MUTATION.md). The catalogue is checked
# against Keras by tests/test_spec.py and its ranges by tests/test_layer_args.py.
# pragma: no mutate start
def _filters() -> ArgSchema:
    return ArgSchema("filters", "int", REQUIRED, "number of output channels (feature maps)",
                     minimum=1, suggested=32, ceiling=MAX_LAYER_WIDTH)


def _kernel() -> ArgSchema:
    return ArgSchema("kernel_size", "int_or_pair", REQUIRED,
                     "height and width of the convolution window (3 or [3, 5])",
                     minimum=1, suggested=3, ceiling=MAX_WINDOW)


def _strides(default: Any = 1, nullable: bool = False, help_: str = "") -> ArgSchema:
    return ArgSchema("strides", "int_or_pair", default,
                     help_ or "step of the window; 2 halves the height and width",
                     minimum=1, nullable=nullable, ceiling=MAX_WINDOW)


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
                     minimum=1, suggested=2, ceiling=MAX_WINDOW)


def _depth_multiplier() -> ArgSchema:
    return ArgSchema("depth_multiplier", "int", 1, "output channels per input channel",
                     minimum=1, ceiling=MAX_DEPTH_MULTIPLIER)


# pragma: no mutate end


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
                               suggested=128, ceiling=MAX_LAYER_WIDTH),
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
                               "rows (and columns) of zeros added on each side", minimum=0,
                               ceiling=MAX_WINDOW),)),
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
    return show_value(value)
