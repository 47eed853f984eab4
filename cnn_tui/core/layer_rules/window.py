"""The sliding-window arithmetic shared by convolution and pooling layers.

Both slide a window over height and width with a stride and a padding, and
Keras gives both the same output size per axis:

* 'valid' (no padding): O = floor((W - K) / S) + 1, which needs K <= W;
* 'same' (zeros added so the window fits): O = ceil(W / S), whatever K is.

This is the general O = floor((W - K + 2P) / S) + 1 with P = 0 for 'valid',
which is why the formula the Model tab shows keeps the "+ 2*0". Keeping the
rule and its formula in one module means they cannot disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from cnn_tui.core.layer_args import pair
from cnn_tui.core.layer_rules.base import Args, LayerProblem
from cnn_tui.core.report import Shape


def window_and_strides(args: Args, window_arg: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """((kh, kw), (sh, sw)); a pooling layer's strides of None mean its pool size (Keras)."""
    window = pair(args[window_arg])
    strides = args.get("strides")
    return window, pair(strides) if strides is not None else window


def out_size(size: int, window: int, stride: int, padding: str, window_arg: str) -> int:
    """Keras's output size along one axis, or LayerProblem when 'valid' would reach zero."""
    if padding == "same":
        return -(-size // stride)  # ceil without floats
    if window > size:  # window == size is fine: one output position
        raise LayerProblem(
            f"{window_arg} {window} is larger than its input size {size} (the output size "
            f"would reach zero); use a {window_arg} <= {size}, padding='same', or remove an "
            "earlier pooling layer"
        )
    return (size - window) // stride + 1


def window_output(args: Args, shape: Shape, window_arg: str) -> tuple[int, int]:
    """(height, width) after the window; height is checked first, as it is listed first."""
    window, strides = window_and_strides(args, window_arg)
    height = out_size(shape[0], window[0], strides[0], args["padding"], window_arg)
    width = out_size(shape[1], window[1], strides[1], args["padding"], window_arg)
    return height, width


def formula(size: int, window: int, stride: int, padding: str) -> str:
    """The worked-out rule for one axis, as the learner would write it."""
    if padding == "same":
        return f"out = ceil({size} / {stride}) = {-(-size // stride)}"
    out = (size - window) // stride + 1
    return f"out = floor(({size} - {window} + 2*0) / {stride}) + 1 = {out}"


def window_size_lines(args: Args, shape: Shape, window_arg: str) -> list[str]:
    """The output-size arithmetic of a windowed layer: one formula, or one per axis when
    they differ."""
    window, strides = window_and_strides(args, window_arg)
    height, width = (formula(shape[axis], window[axis], strides[axis], args["padding"])
                     for axis in (0, 1))
    if height == width:
        return [height]
    return [f"height: {height}", f"width: {width}"]


def size_lines_for(window_arg: str) -> Callable[[Args, Shape], list[str]]:
    """The ``size_lines`` of a layer whose window is the argument ``window_arg``."""
    # Runs while the rules are built at import: mutmut could not deliver its mutants.
    return functools.partial(window_size_lines, window_arg=window_arg)  # pragma: no mutate


__all__ = [
    "formula",
    "out_size",
    "size_lines_for",
    "window_and_strides",
    "window_output",
    "window_size_lines",
]
