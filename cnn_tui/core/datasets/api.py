"""``peek_dataset`` and ``load_dataset``: a name or a path in, a dataset out.

A source is one of ``NAMED_DATASETS`` (loaded through keras.datasets), one of
``BUNDLED_SAMPLES`` (small real datasets inside the package) or a path whose
format is detected. Samples and paths never import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cnn_tui.core.datasets.named import NAMED_DATASETS, NamedDataset, is_cached, load_named
from cnn_tui.core.datasets.samples import BUNDLED_SAMPLES, BundledSample, find_sample, read_sample
from cnn_tui.core.datasets.types import Dataset, DatasetInfo, RawSplits
from cnn_tui.core.errors import DatasetError
from cnn_tui.core.limits import MAX_IMAGE_SIDE

# The readers (and numpy) are imported by the functions that read files: peeking
# a named dataset, which the TUI's first frame does, needs neither.

Progress = Callable[[float, str], None]
ImageSize = int | tuple[int, int] | None


def _named(source: str | Path) -> NamedDataset | None:
    if isinstance(source, str):
        return NAMED_DATASETS.get(source.strip().lower().replace("-", "_"))
    return None


def _path(source: str | Path) -> Path:
    path = Path(source).expanduser()
    if path.exists():
        return path
    names = ", ".join([*NAMED_DATASETS, *BUNDLED_SAMPLES])
    if isinstance(source, str) and "/" not in source and "\\" not in source and "." not in source:
        raise DatasetError(
            f"Unknown dataset {source!r}: use one of {names}, or a path to local files."
        )
    raise DatasetError(
        f"The dataset path {source} does not exist; check it, or use one of {names}."
    )


def _image_size(image_size: ImageSize) -> tuple[int, int] | None:
    if image_size is None:
        return None
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if len(size) != 2 or not all(isinstance(side, int) and side >= 1 for side in size):
        raise DatasetError(
            f"The image size must be a positive height and width (got {image_size}); "
            "e.g. 32 or (32, 32)."
        )
    if max(size) > MAX_IMAGE_SIDE:  # a 100000x100000 resize would allocate 30 GB per image
        raise DatasetError(
            f"The image size {size[0]}x{size[1]} is too large; use at most "
            f"{MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE}, e.g. 64x64."
        )
    return int(size[0]), int(size[1])


def peek_dataset(source: str | Path, image_size: ImageSize = None) -> DatasetInfo:
    """Shape, classes and counts of a dataset, reading headers only (no TensorFlow)."""
    size = _image_size(image_size)
    spec = _named(source)
    if spec is not None:
        return _named_info(spec)
    sample = find_sample(source) if isinstance(source, str) else None
    if sample is not None:
        return _sample_info(sample)
    import numpy as np

    from cnn_tui.core.datasets import arrays, sources

    path = _path(source)
    kind = sources.detect(path)
    if kind == "image-folder":
        shape, n_train, n_test, names, _ = sources.peek_image_folder(path, size)
        return DatasetInfo(str(source), shape, len(names), names, n_train, n_test, kind, True)
    if kind == "cifar-batches":
        raw = sources.read_cifar_batches(path, lambda _f, _t: None)
        return _path_info(str(source), "cifar-batches", raw)
    peekers = {
        "idx": sources.peek_idx,
        "npz": sources.peek_npz,
        "npz-folder": sources.peek_npz_folder,
    }
    stored_shape, n_train, n_test, labels = peekers[kind](path)
    height, width, channels = arrays.as_images(
        np.broadcast_to(np.uint8(0), (n_train, *stored_shape)), str(path)
    ).shape[1:]
    image_shape = (height, width, channels)
    if size is not None and size != image_shape[:2]:
        raise _size_error(path, image_shape)
    names = sources.class_names_for(path, image_shape, labels, None)
    arrays.check_labels(labels, len(names), str(path))
    if n_test == 0:
        raise DatasetError(f"The test split of {path} holds no images; add some or remove it.")
    source_kind = "npz" if kind == "npz-folder" else kind
    return DatasetInfo(
        str(source), image_shape, len(names), names, n_train, n_test, source_kind, True
    )


def load_dataset(
    source: str | Path,
    *,
    val_split: float = 0.1,
    limit: int | None = None,
    image_size: ImageSize = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Dataset:
    """The dataset as uint8 NHWC arrays, with a validation split and an optional limit.

    The validation data is the source's test split when it has one, otherwise a
    stratified ``val_split`` hold-out of its training data. ``limit`` keeps a
    class-balanced subset of that many training images (the validation data
    stays whole). ``progress(fraction, text)`` is called from this thread.
    """
    from cnn_tui.core.datasets import arrays, sources

    arrays.check_val_split(val_split)
    arrays.check_limit(limit)
    size = _image_size(image_size)
    report: Progress = progress or (lambda _fraction, _text: None)
    spec = _named(source)
    if spec is not None:
        report(0.0, f"loading {spec.name} through keras.datasets")
        x_train, y_train, x_test, y_test = load_named(spec)
        raw = RawSplits(x_train, y_train, x_test, y_test, spec.class_names)
        info = _named_info(spec)
        where = f"keras.datasets.{spec.name}"
    elif isinstance(source, str) and (sample := find_sample(source)) is not None:
        report(0.0, f"reading the bundled {sample.name}")
        raw = read_sample(sample)
        info = _sample_info(sample)
        where = sample.name
    else:
        path = _path(source)
        kind = sources.detect(path)
        report(0.0, f"reading {path}")
        if kind == "image-folder":
            raw = sources.read_image_folder(path, size, report)
        else:
            readers = {
                "idx": sources.read_idx,
                "npz": sources.read_npz,
                "npz-folder": sources.read_npz_folder,
                "cifar-batches": sources.read_cifar_batches,
            }
            raw = readers[kind](path, report)
        info = _path_info(str(source), "npz" if kind == "npz-folder" else kind, raw)
        where = str(path)
    if size is not None and size != info.input_shape[:2] and info.source != "image-folder":
        raise _size_error(where, info.input_shape)
    dataset = _split(info, raw, val_split, limit, seed)
    report(1.0, f"{len(dataset.y_train)} training and {len(dataset.y_val)} validation images")
    return dataset


def _named_info(spec: NamedDataset) -> DatasetInfo:
    return DatasetInfo(
        spec.name, spec.input_shape, len(spec.class_names), spec.class_names,
        spec.n_train, spec.n_test, "keras.datasets", is_cached(spec),
    )  # fmt: skip


def _sample_info(sample: BundledSample) -> DatasetInfo:
    return DatasetInfo(
        sample.name, sample.input_shape, len(sample.class_names), sample.class_names,
        sample.n_train, None, "bundled", True,
    )  # fmt: skip


def _path_info(name: str, kind: str, raw: RawSplits) -> DatasetInfo:
    """Checks the raw arrays in place (uint8 NHWC, int64 labels) and describes them."""
    from cnn_tui.core.datasets import arrays

    raw.x_train = arrays.as_images(raw.x_train, name)
    raw.y_train = arrays.as_labels(raw.y_train, len(raw.x_train), name)
    if raw.x_test is not None and raw.y_test is not None:
        raw.x_test = arrays.as_images(raw.x_test, f"{name} (test split)")
        raw.y_test = arrays.as_labels(raw.y_test, len(raw.x_test), f"{name} (test split)")
        if raw.x_test.shape[1:] != raw.x_train.shape[1:]:
            raise DatasetError(
                f"The test images in {name} are {raw.x_test.shape[1:]} but the training images "
                f"are {raw.x_train.shape[1:]}; both splits must have one shape."
            )
    arrays.check_labels([raw.y_train, raw.y_test], len(raw.class_names), name)
    shape = tuple(int(d) for d in raw.x_train.shape[1:])
    n_test = None if raw.x_test is None else len(raw.x_test)
    return DatasetInfo(
        name, shape, len(raw.class_names), raw.class_names,  # type: ignore[arg-type]
        len(raw.x_train), n_test, kind, True,
    )  # fmt: skip


def _split(
    info: DatasetInfo, raw: RawSplits, val_split: float, limit: int | None, seed: int
) -> Dataset:
    from cnn_tui.core.datasets import arrays

    x_train = arrays.as_images(raw.x_train, info.name)
    y_train = arrays.as_labels(raw.y_train, len(x_train), info.name)
    if raw.x_test is not None and raw.y_test is not None:
        x_val = arrays.as_images(raw.x_test, info.name)
        y_val = arrays.as_labels(raw.y_test, len(x_val), info.name)
        val_source = "test split"
    else:
        train_rows, val_rows = arrays.stratified_split(y_train, val_split, seed)
        x_val, y_val = x_train[val_rows], y_train[val_rows]
        x_train, y_train = x_train[train_rows], y_train[train_rows]
        val_source = f"{val_split:.0%} held out of train"
    if limit is not None and limit < len(y_train):
        keep = arrays.balanced_subset(y_train, limit, seed)
        x_train, y_train = x_train[keep], y_train[keep]
    return Dataset(info, x_train, y_train, x_val, y_val, val_source, list(raw.warnings))


def _size_error(where: object, shape: tuple[int, ...]) -> DatasetError:
    return DatasetError(
        f"The images in {where} are {shape[1]}x{shape[0]}; an image size applies only to "
        "image folders, so leave it unset for this dataset."
    )
