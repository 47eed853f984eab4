"""Known class names, and guessing them from a file or folder name.

A path source carries only integer labels; when its name says it is one of the
standard sets (``cifar10``, ``fashion``...) and its images have that set's
shape, we show the real class names instead of "0".."9".
"""

from __future__ import annotations

DIGITS = tuple(str(i) for i in range(10))

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

CIFAR100_CLASSES = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle",
    "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel",
    "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
    "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
    "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster",
    "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse",
    "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
    "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
    "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea",
    "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
    "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank",
    "telephone", "television", "tiger", "tractor", "train", "trout", "tulip",
    "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
)  # fmt: skip

# (name fragment, image shape, class names); cifar100 before cifar10 because
# "cifar100" contains "cifar10".
_NAME_HINTS: tuple[tuple[str, tuple[int, int, int], tuple[str, ...]], ...] = (
    ("cifar100", (32, 32, 3), CIFAR100_CLASSES),
    ("cifar-100", (32, 32, 3), CIFAR100_CLASSES),
    ("cifar10", (32, 32, 3), CIFAR10_CLASSES),
    ("cifar-10", (32, 32, 3), CIFAR10_CLASSES),
    ("fashion", (28, 28, 1), FASHION_MNIST_CLASSES),
    ("mnist", (28, 28, 1), DIGITS),
)


def known_class_names(path_text: str, image_shape: tuple[int, ...]) -> tuple[str, ...] | None:
    """The standard class names when the path's name and the image shape both say so."""
    lowered = path_text.lower().replace("_", "")
    for fragment, shape, names in _NAME_HINTS:
        if fragment.replace("_", "") in lowered and tuple(image_shape) == shape:
            return names
    return None


def numbered_class_names(num_classes: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(num_classes))
