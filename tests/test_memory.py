"""oom_advice names the real cause of running out of memory: the model or the batch."""

from __future__ import annotations

from cnn_tui.core.memory import batch_bytes, model_bytes, oom_advice
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import infer_shapes


def test_estimates_count_weights_gradients_optimizer_and_kept_activations() -> None:
    assert model_bytes(1000) == 1000 * 4 * 4
    # One 28x28x1 input and one 10-value output per image, kept with their gradients.
    assert batch_bytes(32, (28, 28, 1), [(10,)]) == 32 * (784 + 10) * 4 * 2


def test_a_huge_dense_layer_blames_the_model_not_the_batch() -> None:
    advice = oom_advice(400_000_000, 32, (28, 28, 1), [(784,), (500_000,), (10,)])
    assert advice.startswith("out of memory, and the model's size is the cause")
    assert "400,000,000 parameters" in advice and "6.4 GB" in advice
    assert "fewer filters or units" in advice and "batch size" not in advice


def test_large_images_in_a_large_batch_blame_the_batch_and_suggest_half() -> None:
    report = infer_shapes(PRESETS["seed-cnn"], (512, 512, 3), 10)
    outputs = [row.output_shape for row in report.rows]
    advice = oom_advice(report.total_params, 256, report.input_shape, outputs)
    assert advice.startswith("out of memory, and the batch is the cause: 256 images")
    assert advice.endswith("use a smaller batch size, e.g. 128.")


def test_one_image_too_large_asks_for_smaller_images() -> None:
    advice = oom_advice(1_000, 1, (4096, 4096, 3), [(4096, 4096, 64)])
    assert "one 4096x4096x3 image" in advice and "smaller images" in advice


def test_advice_is_one_sentence() -> None:
    for advice in (oom_advice(10**8, 8, (32, 32, 3)), oom_advice(10, 512, (32, 32, 3))):
        sentence = advice.replace("e.g. ", "")
        assert sentence.count(". ") == 0 and advice.endswith(".") and "\n" not in advice
