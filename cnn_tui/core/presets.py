"""Ready-made model specs.

Every preset ends with ``Dense(softmax)`` whose units follow the dataset's
number of classes (see ``spec.py``), so each one builds on MNIST (28x28x1),
CIFAR (32x32x3) and other image sizes alike.
"""

from __future__ import annotations

from typing import Any


def _conv(filters: int, padding: str = "valid", **extra: Any) -> dict[str, Any]:
    return {"type": "Conv2D", "filters": filters, "kernel_size": 3, "padding": padding,
            "activation": "relu", **extra}


def _seed_block(filters: int) -> list[dict[str, Any]]:
    # The tutorial's block: a padded conv, an unpadded conv, 2x2 max pooling, dropout.
    return [
        _conv(filters, "same"),
        _conv(filters),
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Dropout", "rate": 0.25},
    ]


def _bn_block(filters: int) -> list[dict[str, Any]]:
    # conv (no bias: BatchNorm's beta replaces it) -> BN -> relu, twice, then pool.
    unit: list[dict[str, Any]] = [
        {"type": "Conv2D", "filters": filters, "kernel_size": 3, "padding": "same",
         "use_bias": False},
        # momentum 0.9 (Keras: 0.99) so the moving statistics used for validation settle
        # within an epoch even on small --limit runs; with 0.99 and 2,000 CIFAR images the
        # validation accuracy stayed near chance for 10 epochs.
        {"type": "BatchNormalization", "momentum": 0.9},
        {"type": "Activation", "activation": "relu"},
    ]
    return [*unit, *[dict(layer) for layer in unit], {"type": "MaxPooling2D", "pool_size": 2}]


_SOFTMAX = {"type": "Dense", "units": 10, "activation": "softmax"}

PRESETS: dict[str, dict[str, Any]] = {
    "seed-cnn": {
        "name": "seed-cnn",
        "layers": [
            *_seed_block(32),
            *_seed_block(64),
            *_seed_block(64),
            {"type": "Flatten"},
            {"type": "Dense", "units": 512, "activation": "relu"},
            {"type": "Dropout", "rate": 0.5},
            dict(_SOFTMAX),
        ],
    },
    "seed-mlp": {
        "name": "seed-mlp",
        "layers": [
            {"type": "Flatten"},
            {"type": "Dense", "units": 512, "activation": "relu"},
            {"type": "Dropout", "rate": 0.5},
            {"type": "Dense", "units": 512, "activation": "relu"},
            {"type": "Dropout", "rate": 0.5},
            dict(_SOFTMAX),
        ],
    },
    "lenet5": {
        "name": "lenet5",
        "layers": [
            # 'same' on the first conv plays the role of LeCun's 32x32 padded input,
            # so 28x28 MNIST gives the classic 5x5x16 before Flatten (32x32 gives 6x6x16).
            {"type": "Conv2D", "filters": 6, "kernel_size": 5, "padding": "same",
             "activation": "tanh"},
            {"type": "AveragePooling2D", "pool_size": 2},
            {"type": "Conv2D", "filters": 16, "kernel_size": 5, "activation": "tanh"},
            {"type": "AveragePooling2D", "pool_size": 2},
            {"type": "Flatten"},
            {"type": "Dense", "units": 120, "activation": "tanh"},
            {"type": "Dense", "units": 84, "activation": "tanh"},
            dict(_SOFTMAX),
        ],
    },
    "bn-cnn": {
        "name": "bn-cnn",
        "layers": [
            *_bn_block(32),
            *_bn_block(64),
            *_bn_block(128),
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dropout", "rate": 0.3},
            dict(_SOFTMAX),
        ],
    },
}

PRESET_DESCRIPTIONS: dict[str, str] = {
    "seed-cnn": (
        "The tutorial's CNN: a conv32 block then two conv64 blocks (conv same, conv valid, "
        "maxpool 2, dropout .25), Flatten (2x2x64 on CIFAR), Dense 512, dropout .5, softmax."
    ),
    "seed-mlp": "The tutorial's baseline: Flatten, two Dense 512 relu with dropout .5, softmax.",
    "lenet5": "LeNet-5 adapted: conv 6@5x5 same, avgpool, conv 16@5x5, avgpool, "
    "Dense 120, 84 (tanh), softmax.",
    "bn-cnn": "Modern: three (conv-BN-relu)x2 + maxpool blocks of 32/64/128 filters, "
    "global average pooling, dropout .3, softmax; learns faster per epoch than seed-cnn.",
}

for _name, _spec in PRESETS.items():
    _spec["description"] = PRESET_DESCRIPTIONS[_name]
