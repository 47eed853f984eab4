"""Precision and XLA settings: their checks, and what ``auto`` picks on given hardware (no TF)."""

from __future__ import annotations

from typing import Any

import pytest

from cnn_tui.cli.parser import build_parser
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.precision import Choice, choose_jit, choose_precision, cpu_bf16_unit
from cnn_tui.core.runs.config import (
    SETTING,
    SETTING_GROUPS,
    TUI_FIELDS,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)

SAPPHIRE_RAPIDS = ("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
                   "flags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8\n")
COOPER_LAKE = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"
SKYLAKE = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512bw avx512_vnni\n"
# A flag in the model name is no flag.
NAMED_ONLY = "processor\t: 0\nmodel name\t: imaginary avx512_bf16 chip\nflags\t\t: fpu avx2\n"
A100 = {"device_name": "NVIDIA A100-SXM4-80GB", "compute_capability": (8, 0)}
V100 = {"device_name": "Tesla V100", "compute_capability": (7, 0)}
P100 = {"device_name": "Tesla P100", "compute_capability": (6, 0)}


def test_the_settings_are_choices_in_the_compute_group_with_train_tab_fields() -> None:
    assert TrainConfig().precision == "auto" and TrainConfig().jit == "auto"
    assert SETTING["precision"].choices == ("auto", "float32", "mixed")
    assert SETTING["jit"].choices == ("auto", "on", "off")
    assert "compute" in SETTING_GROUPS
    for name in ("precision", "jit"):
        assert SETTING[name].group == "compute" and SETTING[name] in TUI_FIELDS


@pytest.mark.parametrize(("name", "text"), [("precision", "half"), ("precision", "fp16"),
                                            ("jit", "yes"), ("jit", "True")])
def test_bad_values_are_one_sentence(name: str, text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SETTING[name].parse(text)
    message = str(caught.value)
    assert message.startswith(f"{SETTING[name].title} must be one of ")
    assert repr(text) in message and message.count(".") == 1


def test_validate_rejects_a_bad_value_in_a_config() -> None:
    with pytest.raises(ConfigError, match="precision must be one of auto, float32, mixed"):
        TrainConfig(precision="float16").validate()
    with pytest.raises(ConfigError, match="XLA must be one of auto, on, off"):
        TrainConfig(jit="maybe").validate()


def test_config_json_round_trip_and_old_runs_default_to_auto() -> None:
    config = TrainConfig(precision="mixed", jit="off")
    assert config_from_dict(config_to_dict(config)) == config
    old = config_to_dict(TrainConfig())
    del old["precision"], old["jit"]  # written before these settings existed
    assert config_from_dict(old) == TrainConfig()


def test_cli_flags() -> None:
    args = build_parser().parse_args(["train", "--precision", "mixed", "--jit", "on"])
    assert (args.precision, args.jit) == ("mixed", "on")


@pytest.mark.parametrize(("cpuinfo", "unit"), [
    (SAPPHIRE_RAPIDS, "AMX"), (COOPER_LAKE, "AVX-512 BF16"), (SKYLAKE, ""), (NAMED_ONLY, ""),
    ("", ""),
])
def test_cpu_bf16_unit_reads_the_flags_lines(cpuinfo: str, unit: str) -> None:
    assert cpu_bf16_unit(cpuinfo) == unit


@pytest.mark.parametrize(("gpus", "cpuinfo", "expected"), [
    ([], COOPER_LAKE, Choice("mixed_bfloat16", "auto: CPU has AVX-512 BF16")),
    ([], SAPPHIRE_RAPIDS, Choice("mixed_bfloat16", "auto: CPU has AMX")),
    ([], SKYLAKE, Choice("float32", "auto: CPU has no bfloat16 units")),
    ([A100], SKYLAKE, Choice("mixed_float16", "auto: GPU compute capability 8.0")),
    ([V100, A100], COOPER_LAKE, Choice("mixed_float16", "auto: GPU compute capability 7.0")),
    # The GPUs compute: a CPU's bfloat16 units do not matter then, the weakest GPU does.
    ([P100], SAPPHIRE_RAPIDS, Choice("float32", "auto: GPU compute capability 6.0 < 7.0")),
    ([A100, P100], SKYLAKE, Choice("float32", "auto: GPU compute capability 6.0 < 7.0")),
    ([{}], SKYLAKE, Choice("float32", "auto: GPU compute capability unknown")),
    ([{"compute_capability": "8.0"}], SKYLAKE,
     Choice("float32", "auto: GPU compute capability unknown")),
])
def test_auto_precision_follows_the_hardware(gpus: list[dict[str, Any]], cpuinfo: str,
                                             expected: Choice) -> None:
    assert choose_precision("auto", gpus, cpuinfo) == expected


def test_forced_precision_ignores_the_hardware() -> None:
    assert choose_precision("float32", [A100], SAPPHIRE_RAPIDS) == Choice("float32")
    assert choose_precision("mixed", [], SKYLAKE) == Choice("mixed_bfloat16")
    assert choose_precision("mixed", [P100], SKYLAKE) == Choice("mixed_float16")
    assert Choice("mixed_bfloat16", "auto: CPU has AMX").shown() == (
        "mixed_bfloat16 (auto: CPU has AMX)")
    assert Choice("float32").shown() == "float32"


def test_jit_follows_keras_auto_rule() -> None:
    assert choose_jit("auto", has_gpu=False) == Choice("off", "auto: CPU only")
    assert choose_jit("auto", has_gpu=True) == Choice("on", "auto: GPU")
    assert choose_jit("auto", has_gpu=True, distributed=True) == Choice(
        "off", "auto: tf.distribute")
    assert choose_jit("on", has_gpu=False) == Choice("on")
    assert choose_jit("off", has_gpu=True) == Choice("off")


def test_the_cli_prints_the_compute_line_once_in_ascii() -> None:
    import io
    from pathlib import Path

    from cnn_tui.cli.progress import ProgressPrinter
    from cnn_tui.core.runs.events import RunStarted

    out = io.StringIO()
    printer = ProgressPrinter(out, live=False)
    compute = {"precision": "mixed_bfloat16 (auto: CPU has AVX-512 BF16)",
               "xla": "off (auto: CPU only)"}
    printer(RunStarted(run_dir=Path("runs/x"), config=TrainConfig(), report=None,  # type: ignore[arg-type]
                       dataset_info=None, n_train=200, n_val=100,  # type: ignore[arg-type]
                       steps_per_epoch=4, compute=compute))
    lines = out.getvalue().splitlines()
    assert lines[0] == "run runs/x: 200 training images, 100 validation images, 4 steps per epoch"
    assert lines[1] == ("precision mixed_bfloat16 (auto: CPU has AVX-512 BF16); "
                        "xla off (auto: CPU only)")
    assert lines[1].isascii() and len(lines) == 2


def test_the_folded_compute_group_title_fits_the_side() -> None:
    from cnn_tui.ui.widgets.settings_form import group_title

    assert group_title("compute", {}) == "precision auto · XLA auto"
    assert group_title("compute", {"precision": "float32", "jit": "off"}) == (
        "precision float32 · XLA off")
    busiest = group_title("compute", {"precision": "float32", "jit": "auto",
                                      "tensorboard": "yes"})
    assert busiest == "float32 · XLA auto · TB" and len(busiest) <= 29
