"""The training-memory estimate, and oom_advice naming the real cause: the model or the batch."""

from __future__ import annotations

import pytest

from cnn_tui.core.limits import bytes_text
from cnn_tui.core.memory import (
    OPTIMIZER_SLOTS,
    activation_bytes,
    model_bytes,
    oom_advice,
    training_memory,
)
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.runs.settings import OPTIMIZERS
from cnn_tui.core.shapes import infer_shapes

CIFAR = (32, 32, 3)


def test_every_optimizer_of_the_settings_has_its_slots() -> None:
    assert set(OPTIMIZER_SLOTS) == set(OPTIMIZERS)
    # RMSprop: one mean square per weight; Adam: m and v; SGD with momentum: a velocity.
    assert OPTIMIZER_SLOTS == {"rmsprop": 1, "adam": 2, "sgd": 1}


def test_seed_cnn_at_batch_256_with_rmsprop_by_hand() -> None:
    report = infer_shapes(PRESETS["seed-cnn"], CIFAR, 10)
    memory = training_memory(report, 256, "rmsprop")
    params = 276_138  # every one trainable
    assert (memory.weights, memory.gradients, memory.optimizer_state) == (params * 4,) * 3
    # The input and every layer's output, per image: 32x32x3, 32x32x32, 30x30x32, ...
    values = (3072 + 32768 + 28800 + 7200 + 7200 + 14400 + 10816 + 2304 + 2304 + 2304 + 1024
              + 256 + 256 + 256 + 512 + 512 + 10)
    assert values == 113_994
    assert memory.activations == values * 4 * 256 == 116_729_856
    assert memory.model == 3 * params * 4
    assert memory.total == 116_729_856 + 3_313_656 == 120_043_512
    assert (memory.batch_size, memory.optimizer) == (256, "rmsprop")


def test_frozen_weights_have_no_gradient_nor_optimizer_state() -> None:
    report = infer_shapes(PRESETS["bn-cnn"], CIFAR, 10)
    assert (report.total_params, report.trainable_params) == (289_642, 288_746)
    memory = training_memory(report, 32, "adam")
    assert memory.weights == 289_642 * 4  # the moving means and variances too
    assert memory.gradients == 288_746 * 4
    assert memory.optimizer_state == 2 * 288_746 * 4  # Adam's m and v
    assert training_memory(report, 32, "sgd").optimizer_state == 288_746 * 4


def test_activations_grow_with_the_batch_and_the_model_part_does_not() -> None:
    report = infer_shapes(PRESETS["lenet5"], (28, 28, 1), 10)
    small, large = training_memory(report, 1, "adam"), training_memory(report, 100, "adam")
    assert large.activations == 100 * small.activations
    assert large.model == small.model
    assert activation_bytes((28, 28, 6), 100) == 28 * 28 * 6 * 4 * 100


def test_an_invalid_layer_counts_only_the_known_outputs() -> None:
    layers = [{"type": "Conv2D", "filters": 2, "kernel_size": 3},
              {"type": "Conv2D", "filters": 2, "kernel_size": 99}, {"type": "Flatten"},
              {"type": "Dense", "units": 3}]
    report = infer_shapes({"layers": layers}, (8, 8, 1), 3)
    assert not report.ok
    assert training_memory(report, 2, "sgd").activations == (64 + 6 * 6 * 2) * 4 * 2


def test_model_bytes_assume_the_largest_optimizer_state() -> None:
    assert model_bytes(1000) == 1000 * 4 * (2 + 2)


# --- the advice after running out of memory ---------------------------------------------------


def test_a_huge_dense_layer_blames_the_model_not_the_batch() -> None:
    layers = [{"type": "Flatten"}, {"type": "Dense", "units": 100_000},
              {"type": "Dense", "units": 10}]
    report = infer_shapes({"layers": layers}, (28, 28, 1), 10)
    assert report.total_params == 784 * 100_000 + 100_000 + 100_000 * 10 + 10 == 79_500_010
    advice = oom_advice(report, 32, "adam")
    # 79.5 M parameters * 4 bytes * (weights, gradients, m, v) = 1.3 GB, the batch 12.9 MB.
    assert advice.startswith("out of memory: this model needs about 1.3 GB to train at batch 32"
                             ", and the model's size is the cause: its 79,500,010 parameters "
                             "take 1.3 GB with their gradients and adam's state")
    assert "fewer filters or units" in advice and "batch size" not in advice


def test_large_images_in_a_large_batch_blame_the_batch_and_suggest_half() -> None:
    report = infer_shapes(PRESETS["seed-cnn"], (512, 512, 3), 10)
    memory = training_memory(report, 256, "rmsprop")
    advice = oom_advice(report, 256, "rmsprop")
    assert advice.startswith(
        f"out of memory: this model needs about {bytes_text(memory.total)} to train at batch "
        f"256, and the batch is the cause: its activations take {bytes_text(memory.activations)} "
        f"while the 126,105,258 parameters take {bytes_text(memory.model)} with their gradients "
        "and rmsprop's state")
    assert memory.activations > 20 * memory.model  # 512x512 images: 35.5 GB against 1.5 GB
    assert advice.endswith("use a smaller batch size, e.g. 128.")


def test_one_image_too_large_asks_for_smaller_images() -> None:
    layers = [{"type": "Conv2D", "filters": 64, "kernel_size": 1},
              {"type": "GlobalAveragePooling2D"}, {"type": "Dense", "units": 3}]
    report = infer_shapes({"layers": layers}, (4096, 4096, 3), 3)
    advice = oom_advice(report, 1, "sgd")
    assert "although the batch is one 4096x4096x3 image" in advice and "smaller images" in advice


@pytest.mark.parametrize(("model", "batch"), [("seed-mlp", 8), ("seed-cnn", 512),
                                              ("lenet5", 1)])
def test_advice_is_one_sentence(model: str, batch: int) -> None:
    advice = oom_advice(infer_shapes(PRESETS[model], CIFAR, 10), batch, "adam")
    sentence = advice.replace("e.g. ", "")
    assert sentence.count(". ") == 0 and advice.endswith(".") and "\n" not in advice
