"""Checkers for lesson 01 (patches and embeddings).

- :func:`check_token_count`: how many tokens a ViT sees, class token included;
- :func:`check_build_z0`: Eq. 1's input, the class token in front of the patch tokens, then the position table;
- :func:`check_patchify`: cutting ``(B, C, H, W)`` into ``(B, N, ph * pw * C)`` in the package's order;
- :func:`check_conv_to_linear`: a ``Conv2d`` patch kernel as the ``Linear`` weight of the rearrange layout;
- :func:`check_interpolate_positions`: a learned position table resized to a new patch grid in 2-D.

Each checker runs the learner's function on several cases (square and non-square images and
patches, gray and RGB) and compares it with the package (:func:`vit_explained.patchify`,
:class:`vit_explained.PatchEmbedding`, :func:`vit_explained.positional.interpolate_positions`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from itertools import combinations
from typing import NoReturn

import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange

from ..patch_embedding import PatchEmbedding
from ..patches import patch_grid, patchify, unpatchify
from ..positional import interpolate_positions, vit_at_resolution
from ..vit import add_class_token
from . import ExerciseFailed, _type_name, attempt, close, fail, forbid, passed
from . import as_int as _as_any_int

__all__ = [
    "check_build_z0",
    "check_conv_to_linear",
    "check_interpolate_positions",
    "check_patchify",
    "check_token_count",
]


def as_tensor(value: object, what: str = "your answer") -> torch.Tensor:
    """Exercises 2-5 ask for a tensor: a ``torch.Tensor`` or a numpy array passes (any dtype; the lesson says numpy
    is fine, so an array goes through ``torch.as_tensor``); a list or tuple is refused."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return torch.as_tensor(np.ascontiguousarray(value))
    if value is None:
        fail(f"{what} is None: does your function end with a `return`?")
    if isinstance(value, tuple):  # `(weight,)` or `(a, b)`: a tuple holding the answer, not the answer
        fail(f"return a tensor, not a tuple: {what} is a {_type_name(value)}; return the tensor itself")
    hint = "; wrap it in torch.as_tensor(...)" if isinstance(value, np.ndarray) else ""
    if isinstance(value, list):
        fail(f"return a tensor, not a list: {what} is a {_type_name(value)}{_list_hint(value)}")
    fail(f"return a tensor (a numeric numpy array is fine too): {what} is a {_type_name(value)}{hint}")


def _list_hint(value: list) -> str:
    """How to turn a returned list into one tensor: ``torch.as_tensor`` takes numbers and arrays but raises on a
    list of tensors with more than one element each, which ``torch.stack`` joins along a new first axis."""
    if value and all(isinstance(item, torch.Tensor) for item in value):
        return (
            "; stack the pieces into one tensor with torch.stack(pieces, dim=...), dim being the axis the list runs "
            "over (0 for one piece per image)"
        )
    if value and all(
        isinstance(item, list | tuple) and item and all(isinstance(inner, torch.Tensor) for inner in item)
        for item in value
    ):
        return "; stack each inner list, then the outer one: torch.stack([torch.stack(row) for row in ...])"
    return "; wrap it in torch.as_tensor(...)"


def _view_after_permute(error: ExerciseFailed, case: str) -> None:
    """Fail naming the slip if the learner's code called ``.view`` on a permuted (non-contiguous) tensor."""
    if "view size is not compatible with input tensor's size and stride" in str(error):
        fail(
            f"for {case} your function called .view on a permuted tensor: use reshape: the permuted tensor is not "
            "contiguous (permute only changes the strides), and .view needs memory laid out in order"
        )


def as_int(value: object, what: str = "your answer") -> int:
    """Exercise 1 asks for an int: a Python or numpy integer passes, and so does a 0-d integer tensor or array
    (``torch.tensor(197)``, read as ``int(...)`` reads it); a tensor or array with an axis, a float or a bool is
    refused."""
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim != 0:
        fail(f"return an int, not a tensor or array: {what} is a {_type_name(value)} of shape {tuple(value.shape)}")
    return _as_any_int(value, what)  # a 0-d tensor or array: its one number, refused if a float or a bool


# (height, width, patch height, patch width): square and non-square images and patches.
TOKEN_CASES = (
    (224, 224, 16, 16),
    (384, 384, 16, 16),
    (32, 32, 4, 4),
    (28, 28, 7, 7),
    (224, 160, 16, 16),
    (96, 64, 8, 16),
    (240, 320, 16, 32),
)

# (batch, channels, height, width, patch height, patch width)
PATCH_CASES = (
    (1, 3, 8, 8, 4, 4),
    (2, 3, 12, 8, 4, 4),
    (2, 1, 6, 9, 3, 3),
    (1, 3, 8, 12, 4, 2),
    (2, 2, 6, 10, 3, 5),
    (3, 1, 8, 12, 4, 4),  # B = 3, one channel, a non-square image
)

# (dim, channels, patch height, patch width)
KERNEL_CASES = ((8, 3, 4, 4), (6, 3, 2, 3), (5, 1, 3, 2), (4, 2, 4, 2))

#: Exercise 3 asks for ``reshape`` and ``permute`` only: no einops, no unfold, not the package's own.
_NO_PATCHIFY_SHORTCUTS = forbid(
    "einops",
    patchify,
    unpatchify,
    PatchEmbedding,
    torch.nn.functional.unfold,
    reason="patchify with reshape and permute",
)

#: Exercise 4 is the reordering that ``PatchEmbedding`` does for you.
_NO_WEIGHT_COPY = forbid(PatchEmbedding.copy_weights_from, PatchEmbedding.load_kernel, reason="the weight reordering")


def _expected_tokens(height: int, width: int, patch_height: int, patch_width: int) -> int:
    rows, cols = patch_grid(height, width, (patch_height, patch_width))
    return rows * cols + 1


def _token_count_grid_slips(answer: int, case: str, height: int, width: int, ph: int, pw: int) -> None:
    """Reject a token count that miscounts the patch grid or the special tokens."""
    rows, cols = patch_grid(height, width, (ph, pw))
    if answer == rows * cols:
        fail(f"for {case} you counted the patches but forgot the class token that ViT prepends")
    if answer == rows * cols + 2:
        fail(
            f"for {case} you got {answer}: that adds two special tokens; a ViT has one, the class token "
            "(DeiT adds a second, the distillation token)"
        )
    if answer in (rows, cols):
        fail(
            f"for {case} your {answer} is the number of patches along one side; "
            "the patches form a 2-D grid (rows x columns)"
        )
    if answer in (rows + 1, cols + 1):
        fail(
            f"for {case} your {answer} is one side's patches plus the class token; "
            "the patches form a 2-D grid (rows x columns)"
        )
    if ph != pw:
        for used, side in ((ph, "patch_height"), (pw, "patch_width")):
            if answer in ((height // used) * (width // used) + 1, (height // used) * (width // used)):
                formula = "(H // ph) * (W // ph) + 1" if used == ph else "(H // pw) * (W // pw) + 1"
                fail(
                    f"for {case} you got {answer}: that is {formula}, {side} used for both sides, as if "
                    "the patches were square; divide the height by patch_height and the width by patch_width"
                )
    if ph != pw and answer in ((height // pw) * (width // ph) + 1, (height // pw) * (width // ph)):
        fail(f"for {case} you got {answer}: that is (H // pw) * (W // ph) + 1, patch height and width swapped")
    if answer in (rows * rows + 1, cols * cols + 1, rows * rows, cols * cols):
        fail(
            f"for {case} you got {answer}: it looks as if you assumed a square image; "
            "count rows from the height and columns from the width"
        )


def _token_count_arithmetic_slips(answer: int, case: str, height: int, width: int, ph: int, pw: int) -> NoReturn:
    """Reject a token count that slips in the arithmetic, naming the slip when it is a known one."""
    rows, cols = patch_grid(height, width, (ph, pw))
    if answer in (ph * pw * 3, ph * pw * 3 + 1, ph * pw, ph * pw + 1):
        fail(
            f"for {case} you got {answer}: that is the length of one flattened patch (ph * pw * C numbers, "
            "768 for a 16x16 RGB patch, the coincidence with ViT-B's D = 768), not the number of tokens; "
            "count the patches in the grid"
        )
    if answer in (height * width + 1, height * width):
        fail(
            f"for {case} you got {answer}: that counts pixels, not patches (if you wrote h * w // ph * pw: "
            "// and * bind equally tightly, left to right, so that multiplies by pw again)"
        )
    if answer in ((rows + 1) * cols, rows * (cols + 1)):
        fail(
            f"for {case} you got {answer}: that is (H // ph + 1) * (W // pw), the 1 added to one side before "
            "multiplying, which adds a whole row (or column) of tokens where the class token is a single one"
        )
    if answer == (rows + 1) * (cols + 1):
        fail(
            f"for {case} you got {answer}: that is (H // ph + 1) * (W // pw + 1), one extra row and one extra "
            "column of patches, where the class token is a single token"
        )
    pixels = height * width
    if answer in (pixels // ph + 1, pixels // pw + 1, pixels // ph, pixels // pw):
        fail(
            f"for {case} you got {answer}: that is h * w // ph + 1, the pixel count divided by one side of the "
            "patch only (// binds as tightly as *, left to right)"
        )
    if answer in ((pixels // ph) * pw + 1, (pixels // pw) * ph + 1):
        fail(
            f"for {case} you got {answer}: that is h * w // ph * pw + 1, which multiplies by pw instead of "
            "dividing by it (// and * bind equally tightly, left to right); write h * w // (ph * pw) + 1"
        )
    fail(f"for {case} you got {answer} tokens, which is not right; count the grid of patches, then the extras")


def _token_count_hard_coded(count_vit_tokens: Callable[[int, int, int, int], int]) -> None:
    """r34c minor 3: a count that does not follow its arguments (the same for every case, or right only where the
    patch is 16x16 or the image 224x224) is named as a hard-coded size. Else return."""
    answers = {}
    for case in TOKEN_CASES:
        try:
            answers[case] = int(count_vit_tokens(*case))
        except Exception:
            return  # a case that raises or returns a non-number: the usual messages name it
    values = set(answers.values())
    if len(values) == 1:
        fail(
            f"your count is {values.pop()} for every image and patch size: it does not follow the arguments; "
            "read the image and patch sizes from them"
        )
    right = {case: answer == _expected_tokens(*case) for case, answer in answers.items()}
    for what, size, holds in (
        ("patch size", "16x16 patches", lambda h, w, ph, pw: ph == pw == 16),
        ("image size", "a 224x224 image", lambda h, w, ph, pw: h == w == 224),
    ):
        if all(right[case] == holds(*case) for case in TOKEN_CASES):
            fail(
                f"your count is right only for {size}: it does not follow the {what} (is a 16, 256 or 224 written "
                f"into your code?); read the {what} from the arguments"
            )


def check_token_count(count_vit_tokens: Callable[[int, int, int, int], int]) -> None:
    """Check ``count_vit_tokens(height, width, patch_height, patch_width) -> int``: the number
    of tokens a ViT feeds its encoder, patches plus the class token."""
    for height, width, ph, pw in TOKEN_CASES:
        answer = as_int(  # 197.0 is refused: the prompt asks for an int
            attempt(count_vit_tokens, height, width, ph, pw), f"your count for a {height}x{width} image"
        )
        rows, cols = patch_grid(height, width, (ph, pw))  # the package's count of the patch grid
        expected = rows * cols + 1
        if answer == expected:
            continue
        case = f"a {height}x{width} image with {ph}x{pw} patches"
        _token_count_hard_coded(count_vit_tokens)
        _token_count_grid_slips(answer, case, height, width, ph, pw)
        _token_count_arithmetic_slips(answer, case, height, width, ph, pw)
    passed(
        f"a ViT sees (H // ph) * (W // pw) patch tokens plus 1 class token: "
        f"{_expected_tokens(224, 224, 16, 16)} for 224x224 with 16x16 patches."
    )


#: Plausible wrong layouts (einops patterns), each with the right shape, and what each one did wrong.
_WRONG_LAYOUTS = (
    (
        "b c (h p1) (w p2) -> b (w h) (p1 p2 c)",
        "the patches are in column-major order (down the first column, then the next); "
        "`vit_explained.patchify` numbers them row by row, left to right, like reading text",
    ),
    (
        "b c (h p1) (w p2) -> b (h w) (c p1 p2)",
        "each patch is flattened channel by channel, (c p1 p2); `vit_explained.patchify` keeps the channels "
        "innermost, (p1 p2 c), so the numbers of one pixel sit next to each other",
    ),
    (
        "b c (h p1) (w p2) -> b (h w) (p2 p1 c)",
        "inside each patch the pixels are read column by column; read them row by row",
    ),
    (
        "b c (h p1) (w p2) -> b (w h) (c p1 p2)",
        "the patches are in column-major order and each is flattened channel by channel; "
        "`vit_explained.patchify` numbers patches row by row and keeps channels innermost",
    ),
    (
        "b c (p1 h) (p2 w) -> b (h w) (p1 p2 c)",
        "each token gathers pixels spread all over the image instead of one contiguous square: "
        "when you split H (and W) into two axes, which one is the patch's row and which the grid's?",
    ),
)


def _patch_variants(images: torch.Tensor, ph: int, pw: int) -> dict[str, torch.Tensor]:
    """Plausible wrong layouts, each with the right shape, keyed by what went wrong."""
    return {mistake: rearrange(images, pattern, p1=ph, p2=pw) for pattern, mistake in _WRONG_LAYOUTS}


_LESSON_SIZES = ("16", "224", "768", "7", "64")  # ViT-B/16's sizes, the MNIST grid's 7, the MNIST ViT's width


def _channels_not_second(code: str, tensor: str) -> bool:
    """a35b audit item 3: does ``code`` unpack ``tensor.shape`` into four names with the channel name (the one starting
    with c) not second, such as ``b, h, w, c = images.shape``?"""
    four = r"\(?\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,?\s*\)?"
    for names in re.findall(rf"{four}\s*=\s*{tensor}\.(?:shape|size\(\))", code):
        channel = [i for i, name in enumerate(names) if name.lower().startswith("c")]
        if channel and 1 not in channel:
            return True
    return False


def _every_case_raised(
    error: ExerciseFailed, answer: Callable[..., object], calls: list[tuple], unpack: tuple[str, str] | None = None
) -> None:
    """r27d minor 3: when the answer raises a shape error on every case, fail naming the lesson's sizes (16, 224,
    768, 7, 64) found in its source: the likeliest cause is one of them written into the code. ``unpack`` (the
    tensor's name and its axes, such as ("images", "(B, C, H, W), channels first")): if the source unpacks that
    tensor's shape with the channels not second, name the unpacking (r35a minor 6: ``b, h, w, c = images.shape``);
    with neither slip in the source, ask for the intermediate shapes (a35b audit item 3). Else return."""
    text = str(error).removeprefix("Not yet: ")
    if not text.startswith("your function raised") or ("shape" not in text and "size" not in text):
        return
    for args in calls:
        try:
            answer(*args)
        except Exception:
            continue
        return  # one case runs: not this slip
    try:
        code = inspect.getsource(answer)
    except (OSError, TypeError):
        code = ""
    if unpack and _channels_not_second(code, unpack[0]):
        fail(
            f"{text.rstrip('.')}: a shape error on every case. Check how you unpack "
            f"{unpack[0]}.shape: it is {unpack[1]}"
        )
    seen = [size for size in _LESSON_SIZES if re.search(rf"(?<![\w.]){size}(?![\w.])", code)]
    if not seen and unpack:
        fail(f"{text.rstrip('.')}: a shape error on every case: print each intermediate tensor's shape")
    named = f" (your code has {', '.join(seen)})" if seen else ""
    fail(
        f"{text.rstrip('.')}: a shape error on every case. Is a size such as 16, 224, 768, 7 or 64 written into your "
        f"code{named}? Read the sizes from the tensors' shapes and the arguments"
    )


def _hard_coded(works: Callable[[dict[str, int]], bool], probes: dict[str, dict[str, int]]) -> list[str]:
    """The fewest ``probes`` (name -> the sizes it changes) that, applied together, make ``works`` true: what the
    learner's answer seems to have hard-coded (an empty list when no combination of them helps)."""
    for count in range(1, len(probes) + 1):
        for names in combinations(probes, count):
            sizes = {key: value for name in names for key, value in probes[name].items()}
            if works(sizes):
                return list(names)
    return []


def _patchify_probes(
    batch: int, channels: int, height: int, width: int, ph: int, pw: int, worked: tuple[int, int] | None = None
) -> dict[str, dict[str, int]]:
    """Sizes a hard-coded patchify might assume, each as the sizes it changes (only those that still divide).
    ``worked``: the patch size of a case the answer got right (tried on this case's grid of patches)."""
    probes: dict[str, dict[str, int]] = {}
    if batch != 1:
        probes[f"the batch size (B = 1 works, B = {batch} does not)"] = {"batch": 1}
    if channels != 3:
        probes[f"the channel count (C = 3 works, C = {channels} does not)"] = {"channels": 3}
    if height != width and height % pw == 0:
        probes[f"a square image (H = W works, {height}x{width} does not)"] = {"width": height}
    elif height != width and width % ph == 0:
        probes[f"a square image (H = W works, {height}x{width} does not)"] = {"height": width}
    if ph != pw and height % ph == 0 and width % ph == 0:
        probes[f"square patches (ph = pw works, {ph}x{pw} does not)"] = {"pw": ph}
    if worked is not None and worked != (ph, pw):  # the same grid of patches, each the size that worked
        rows, cols = height // ph, width // pw
        wph, wpw = worked
        probes[f"the patch size ({wph}x{wpw} works, {ph}x{pw} does not)"] = {
            "ph": wph,
            "pw": wpw,
            "height": rows * wph,
            "width": cols * wpw,
        }
    return probes


def _patchify_hard_coded(
    my_patchify: Callable[..., object],
    case: str,
    *sizes: int,
    error: object = None,
    worked: tuple[int, int] | None = None,
) -> None:
    """Fail naming what the answer hard-coded, if changing only those sizes makes it right; else return.
    ``worked``: the patch size of a case the answer got right, if any."""
    batch, channels, height, width, ph, pw = sizes

    def works(changed: dict[str, int]) -> bool:
        b, c, h, w = (
            changed.get(k, v) for k, v in zip(("batch", "channels", "height", "width"), sizes[:4], strict=True)
        )
        patch = (changed.get("ph", ph), changed.get("pw", pw))
        images = (torch.arange(b * c * h * w, dtype=torch.float32) / 3).reshape(b, c, h, w)
        expected = patchify(images, patch)
        try:
            answer = as_tensor(_NO_PATCHIFY_SHORTCUTS(my_patchify, images, patch))
        except (ExerciseFailed, TypeError, ValueError):
            return False
        return tuple(answer.shape) == tuple(expected.shape) and close(answer, expected)

    # a34a audit item 5: before any case passed, each patch size of the cases is tried as the one that works
    tries = [worked] if worked is not None else [None, *dict.fromkeys(row[4:] for row in PATCH_CASES)]
    for tried in tries:
        found = _hard_coded(works, _patchify_probes(batch, channels, height, width, ph, pw, tried))
        if found:
            break
    if found:
        fail(
            f"for {case} your function goes wrong, yet it is right once only these change: "
            f"{'; '.join(found)}. It looks hard-coded: read B, C, H, W from images.shape and ph, pw from patch_size"
        )
    if isinstance(error, ExerciseFailed):  # raised on this case: on every case?
        calls = [((torch.arange(b * c * h * w) / 3).reshape(b, c, h, w), (i, j)) for b, c, h, w, i, j in PATCH_CASES]
        _every_case_raised(error, my_patchify, calls, unpack=("images", "(B, C, H, W), channels first"))


def _batch_and_channels_mixed(answer: torch.Tensor, images: torch.Tensor, case: str, patch: tuple[int, int]) -> None:
    """Fail if ``answer`` is the patchify of the images' memory read as ``(C, B, H, W)``: the two axes mixed up."""
    batch, channels, height, width = images.shape
    mixed = images.reshape(channels, batch, height, width).transpose(0, 1)
    if batch > 1 and channels > 1 and close(answer, patchify(mixed, patch)):
        fail(
            f"for {case} your function mixes up the batch and channel axes: it reads the images' memory as "
            "(C, B, H, W). The first axis of images is the batch B, the second the channels C"
        )


def _input_kept(images: torch.Tensor, original: torch.Tensor, case: str) -> None:
    """Fail if the answer wrote into the caller's ``images``."""
    if not torch.equal(images, original):
        fail(
            f"your function changed the input tensor in place ({case}): the caller's images are now different. "
            "Build the output from reshape and permute (they do not write into their input), or work on a copy"
        )


def _dtype_kept(answer: torch.Tensor, images: torch.Tensor, case: str) -> None:
    """Fail if the answer's dtype is narrower than the images' (patchify only moves pixels)."""
    if not answer.is_floating_point() or torch.finfo(answer.dtype).bits < torch.finfo(images.dtype).bits:
        fail(
            f"for {case} your output is {answer.dtype} but the images are {images.dtype}: patchify only "
            "moves pixels, so a narrower dtype rounds them (a .long(), .int() or .half(); float64 is fine)"
        )


def _size_type_slip(error: ExerciseFailed) -> None:
    """a35b audit item 2: a TypeError naming a tuple operand is patch_size used as an int; a float size is `/` for
    `//`. Each message only on its own slip; else return."""
    text = str(error).removeprefix("Not yet: ")
    if not text.startswith("your function raised TypeError"):
        return
    if "'tuple'" in text and ("unsupported operand" in text or "can't multiply sequence" in text):
        fail(f"{text.rstrip('.')}: patch_size is a tuple (ph, pw), not an int: unpack it first, ph, pw = patch_size")
    if "got float" in text or "element of type float" in text:
        fail(f"{text.rstrip('.')}: a float size: h / ph gives a float; use h // ph (tensor sizes are ints)")


def check_patchify(my_patchify: Callable[[torch.Tensor, tuple[int, int]], torch.Tensor]) -> None:
    """Check ``my_patchify(images, (ph, pw))`` -> ``(B, N, ph * pw * C)``, row by row, ``(p1 p2 c)``: the package's."""
    worked = None  # the patch size of the last case the answer got right
    for batch, channels, height, width, ph, pw in PATCH_CASES:
        # Distinct values that are not whole numbers: any misplaced value shows, and so does rounding.
        images = torch.arange(batch * channels * height * width, dtype=torch.float32) / 3
        images = images.reshape(batch, channels, height, width)
        original = images.clone()
        case = f"images of shape (B, C, H, W) = {tuple(images.shape)} and {ph}x{pw} patches"
        sizes = (batch, channels, height, width, ph, pw)
        try:
            answer = as_tensor(_NO_PATCHIFY_SHORTCUTS(my_patchify, images, (ph, pw)), f"your output for {case}")
        except ExerciseFailed as error:
            _view_after_permute(error, case)
            _size_type_slip(error)
            if "your function raised" in str(error):
                _patchify_hard_coded(my_patchify, case, *sizes, error=error, worked=worked)
            raise
        _input_kept(images, original, case)
        expected = patchify(images, (ph, pw))
        swapped = patchify(images, (pw, ph)) if ph != pw and height % pw == 0 and width % ph == 0 else None
        if swapped is not None and tuple(answer.shape) == tuple(swapped.shape) and close(answer, swapped):
            fail(
                f"for {case} your patches are {pw} high and {ph} wide: the patch height and width are swapped. "
                "patch_size is (ph, pw): ph goes with the image height H, pw with the width W"
            )
        if tuple(answer.shape) != tuple(expected.shape):
            _patchify_hard_coded(my_patchify, case, *sizes, worked=worked)
            rows, cols = height // ph, width // pw
            fail(
                f"for {case} your output has shape {tuple(answer.shape)}; it should be (B, N, ph * pw * C) "
                f"with N = {rows} * {cols} patches (rows x columns)"
            )
        _dtype_kept(answer, images, case)
        if close(answer, expected):
            worked = (ph, pw)
            continue
        for problem, wrong in _patch_variants(images, ph, pw).items():
            if close(answer, wrong):
                fail(f"for {case}: {problem}")
        _batch_and_channels_mixed(answer, images, case, (ph, pw))
        _patchify_hard_coded(my_patchify, case, *sizes, worked=worked)
        if close(answer, images.reshape(expected.shape)):
            fail(
                f"for {case} your tokens are the images' memory cut into rows, a reshape without a permute: "
                "each token must be one ph x pw square, so the grid axes have to move in front of the patch axes"
            )
        if close(answer.reshape(-1).sort().values, expected.reshape(-1).sort().values):
            fail(
                f"for {case} every pixel is there but in the wrong places: check that each token is one "
                "ph x pw square of the image, numbered row by row, flattened as (p1 p2 c)"
            )
        fail(f"for {case} your output holds different numbers from the image's pixels: patchify only moves pixels")
    note = _numpy_note(my_patchify, torch.zeros(1, 1, 2, 2), (1, 1), needs="nn.Linear needs a tensor of tokens")
    passed(f"your patchify matches vit_explained.patchify on square and non-square images and patches.{note}")


def _kernel_variants(weight: torch.Tensor) -> dict[str, torch.Tensor]:
    dim = weight.shape[0]
    return {
        "your columns are in (c, ph, pw) order: that is nn.Unfold's layout; for the rearrange layout "
        "(p1 p2 c) the channels must come last, so move the axes before flattening": weight.reshape(dim, -1),
        "your columns are in (pw, ph, c) order: the patch's rows and columns are swapped; "
        "keep the kernel's height axis before its width axis": weight.permute(0, 3, 2, 1).reshape(dim, -1),
        "your columns are in (c, pw, ph) order: channels first and the patch transposed": weight.permute(
            0, 1, 3, 2
        ).reshape(dim, -1),
        "your columns are in (ph, c, pw) order, (p1 c p2): the channels sit between the patch's rows and "
        "columns; for (p1 p2 c) move the channel axis last, after both patch axes": weight.permute(0, 2, 1, 3).reshape(
            dim, -1
        ),
    }


def _conv_case(dim: int, channels: int, ph: int, pw: int, generator: torch.Generator) -> PatchEmbedding:
    """A conv patch embedding with random weights and bias, on a 2x3 grid of ``ph x pw`` patches."""
    conv = PatchEmbedding((2 * ph, 3 * pw), (ph, pw), channels, dim, method="conv")
    with torch.no_grad():
        conv.proj.weight.copy_(torch.randn(conv.proj.weight.shape, generator=generator))
        conv.proj.bias.copy_(torch.randn(dim, generator=generator))
    return conv


def _gives_conv_tokens(
    answer: torch.Tensor, target: torch.Tensor, conv: PatchEmbedding, patch: tuple[int, int], generator: torch.Generator
) -> bool:
    """Whether the rearrange embedding with ``answer`` as its weight gives the conv's tokens."""
    # The proof: the rearrange embedding with this weight gives the conv's tokens, up to what
    # the answer's rounding of the weights can move a token (|x| summed over a patch, times it).
    dim, channels = conv.proj.weight.shape[:2]
    images = torch.randn(2, channels, *conv.image_size, generator=generator)
    mine = PatchEmbedding(conv.image_size, patch, channels, dim, method="rearrange")
    rounding = (answer.detach().to(torch.float64) - target.to(torch.float64)).abs().max().item()
    reach = patchify(images, patch).abs().sum(dim=-1).max().item()
    with torch.no_grad():
        mine.proj.weight.copy_(answer)
        mine.proj.bias.copy_(conv.proj.bias)
        return close(mine(images), conv(images), atol=1e-5 + 2 * rounding * reach)


def _diagnose_conv_weight(answer: torch.Tensor, weight: torch.Tensor, case: str, rounded: str | None) -> NoReturn:
    """Reject a weight that is not the kernel in the (p1 p2 c) order, naming the slip."""
    for problem, wrong in _kernel_variants(weight).items():
        if close(answer, wrong):
            fail(f"for {case}: {problem}")
    if rounded is not None:
        fail(rounded)
    mine_sorted = answer.detach().to(torch.float64).flatten().sort().values  # exact: reordering moves, never rounds
    if not torch.equal(mine_sorted, weight.to(torch.float64).flatten().sort().values):
        fail(
            f"for {case} your weight has the right shape but different values: it should hold exactly the "
            "kernel's numbers, only moved to new places (no scaling, rounding or arithmetic on them)"
        )
    fail(
        f"for {case} your weight holds the kernel's numbers, but not in the (p1 p2 c) order "
        "that the rearrange layout feeds the Linear"
    )


def _kernel_hard_coded(
    conv_to_linear: Callable[..., object], case: str, dim: int, channels: int, ph: int, pw: int, error: object = None
) -> None:
    """Fail naming a hard-coded channel count or square patch, if changing only that makes the answer right."""
    probes: dict[str, dict[str, int]] = {}
    if channels != 3:
        probes[f"the channel count (C = 3 works, C = {channels} does not)"] = {"channels": 3}
    if ph != pw:
        probes[f"square patches (ph = pw works, {ph}x{pw} does not)"] = {"pw": ph}

    def works(changed: dict[str, int]) -> bool:
        shape = (dim, changed.get("channels", channels), ph, changed.get("pw", pw))
        weight = torch.randn(shape, generator=torch.Generator().manual_seed(2))
        try:
            answer = as_tensor(_NO_WEIGHT_COPY(conv_to_linear, weight.clone()))
        except (ExerciseFailed, TypeError, ValueError):
            return False
        expected = weight.permute(0, 2, 3, 1).reshape(dim, -1)  # (D, C, ph, pw) -> (D, ph * pw * C)
        return tuple(answer.shape) == tuple(expected.shape) and close(answer, expected)

    found = _hard_coded(works, probes)
    if found:
        fail(
            f"for {case} your function goes wrong, yet it is right once only these change: "
            f"{'; '.join(found)}. It looks hard-coded: read D, C, ph, pw from weight.shape"
        )
    if isinstance(error, ExerciseFailed):  # raised on this case: on every case?
        calls = [(torch.randn(shape),) for shape in KERNEL_CASES]
        _every_case_raised(error, conv_to_linear, calls, unpack=("weight", "(D, C, ph, pw)"))


def check_conv_to_linear(conv_to_linear: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``conv_to_linear(weight)``: a ``Conv2d`` patch kernel ``(D, C, ph, pw)`` -> the ``(D, ph * pw * C)``
    weight of the ``Linear`` after ``Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)')``: the same tokens."""
    generator = torch.Generator().manual_seed(1)
    right_for = None  # the first kernel shape the function got right
    for dim, channels, ph, pw in KERNEL_CASES:
        conv = _conv_case(dim, channels, ph, pw, generator)
        weight = conv.proj.weight.detach().clone()
        case = f"a Conv2d kernel of shape (D, C, ph, pw) = {tuple(weight.shape)}"
        given = weight.clone()
        try:
            returned = _NO_WEIGHT_COPY(conv_to_linear, given)
        except ExerciseFailed as error:
            _view_after_permute(error, case)
            if "your function raised" in str(error):
                _kernel_hard_coded(conv_to_linear, case, dim, channels, ph, pw, error=error)
                if right_for and "shape" in str(error):
                    fail(
                        f"for {case} your function raised a shape error, yet it was right for {right_for}: "
                        "it looks hard-coded: read D, C, ph, pw from weight.shape"
                    )
            raise
        if not isinstance(returned, (torch.Tensor, np.ndarray, list, tuple)):  # a weight is an array, never a number
            fail(
                f"your weight for {case} is a {type(returned).__name__}; return a torch.Tensor of shape "
                "(D, ph * pw * C)"
            )
        answer = as_tensor(returned, f"your weight for {case}")
        if not torch.equal(given, weight):
            fail(
                f"your function changed the kernel it was given ({case}); build a new tensor "
                "(permute and reshape do not write into their input)"
            )
        expected = PatchEmbedding(conv.image_size, (ph, pw), channels, dim, method="rearrange")
        expected.copy_weights_from(conv)
        target = expected.proj.weight.detach()
        if tuple(answer.shape) != tuple(target.shape):
            _kernel_hard_coded(conv_to_linear, case, dim, channels, ph, pw)
            fail(
                f"for {case} your weight has shape {tuple(answer.shape)}; nn.Linear(ph * pw * C, D) "
                f"stores its weight as (out_features, in_features) = (D, ph * pw * C)"
            )
        narrower = not answer.is_floating_point() or torch.finfo(answer.dtype).bits < torch.finfo(weight.dtype).bits
        rounded = (
            f"for {case} your weight is {answer.dtype} but the kernel is {weight.dtype}: the reordering only moves "
            "numbers, so a narrower dtype rounds them (a .half(), .bfloat16() or .long(); float64 is fine), and the "
            "tokens are then no longer exactly the Conv2d's"
        )
        if close(answer, target):  # to the answer's own precision (float16 keeps ~3 digits)
            if narrower:
                fail(rounded)
            exact = torch.equal(answer.detach().to(torch.float64), target.to(torch.float64))  # no value changed
            if exact and _gives_conv_tokens(answer, target, conv, (ph, pw), generator):
                right_for = right_for or str(tuple(weight.shape))
                continue
        if not narrower:
            _kernel_hard_coded(conv_to_linear, case, dim, channels, ph, pw)
        _diagnose_conv_weight(answer, weight, case, rounded if narrower else None)
    note = _numpy_note(conv_to_linear)  # a numpy weight passes (as_tensor), with exercise 2's note
    passed(f"your weight makes Rearrange + Linear give the Conv2d's tokens, to float32 rounding.{note}")


def _numpy_note(answer: Callable[..., torch.Tensor], *args: object, needs: str = "nn.Linear's weight needs one") -> str:
    """The note for an answer that returns numpy, for exercises 3 and 4 (empty when it returns a tensor)."""
    try:
        returned = answer(*(args or (torch.randn(4, 3, 2, 2, generator=torch.Generator().manual_seed(0)),)))
    except Exception:  # it passed every case above; a failure here only means no note
        return ""
    if not isinstance(returned, np.ndarray):
        return ""
    return f" It returns numpy; the stub says torch.Tensor, and {needs}: stay in torch (or wrap it in torch.as_tensor)."


# --- exercise 5: a learned position table on a new grid ------------------------------------------------

# (old rows, old cols, new rows, new cols, D): square and non-square grids, growing and shrinking.
GRID_CASES = ((3, 3, 5, 5, 4), (2, 3, 4, 5, 6), (4, 3, 6, 7, 3), (5, 4, 3, 3, 5))

#: Exercise 5 asks for the resize that the package's ``interpolate_positions`` does for you.
_NO_RESIZE_SHORTCUT = forbid(interpolate_positions, vit_at_resolution, reason="the 2-D resize of the position table")


def _resize(image: torch.Tensor, size: tuple[int, int], mode: str = "bilinear", **options: bool) -> torch.Tensor:
    """``F.interpolate`` of a ``(1, D, rows, cols)`` image; bilinear without antialias unless told."""
    if mode in ("bilinear", "bicubic"):  # the nearest modes and "area" take neither option
        options = {"align_corners": False, "antialias": False, **options}
    return F.interpolate(image, size=size, mode=mode, **options)


def _on_grid(table: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """``(1, rows * cols, D)`` patch rows -> ``(1, D, rows, cols)``, row by row."""
    return table.reshape(1, rows, cols, -1).permute(0, 3, 1, 2)


def _off_grid(image: torch.Tensor) -> torch.Tensor:
    """``(1, D, rows, cols)`` -> ``(1, rows * cols, D)``, row by row."""
    return image.permute(0, 2, 3, 1).reshape(1, -1, image.shape[1])


def _resize_method_variants(
    grid: torch.Tensor, new: tuple[int, int], with_head: Callable[..., list[torch.Tensor]]
) -> dict[str, list[torch.Tensor]]:
    """The slips of exercise 5 that lay the grid out right but resize it another way."""
    return {
        "your corners are aligned (align_corners=True, as the ViT paper's scipy zoom does); this exercise "
        "asks for align_corners=False, torch's default (timm and Hugging Face also use it)": with_head(
            _off_grid(_resize(grid, new, align_corners=True))
        ),
        "that is a bicubic resize; this exercise asks for bilinear": with_head(
            _off_grid(_resize(grid, new, "bicubic")),
            _off_grid(_resize(grid, new, "bicubic", antialias=True)),
        ),
        "you resized with mode='nearest' (each new patch copies one old patch); use mode='bilinear'": with_head(
            _off_grid(_resize(grid, new, "nearest"))
        ),
        "you resized with mode='nearest-exact' (each new patch copies its closest old patch); use "
        "mode='bilinear'": with_head(_off_grid(_resize(grid, new, "nearest-exact"))),
        "you resized with mode='area' (each new patch averages a block of old ones); use mode='bilinear'": with_head(
            _off_grid(_resize(grid, new, "area"))
        ),
        "you resized with antialias=True (it changes the result when the grid shrinks); this exercise "
        "asks for antialias=False": with_head(_off_grid(_resize(grid, new, antialias=True))),
    }


def _resize_variants(pos: torch.Tensor, old: tuple[int, int], new: tuple[int, int]) -> dict[str, list[torch.Tensor]]:
    """The slips of exercise 5, each as the tables it gives (same shape as the right one)."""
    (rows, cols), (new_rows, new_cols), dim = old, new, pos.shape[-1]
    head, table = pos[:, :1], pos[:, 1:]
    grid = _on_grid(table, rows, cols)

    def with_head(*tables: torch.Tensor) -> list[torch.Tensor]:
        return [torch.cat([head, patch_rows], dim=1) for patch_rows in tables]

    raw = table.reshape(1, dim, rows, cols)  # no permute: each "channel" is a strip of the table
    stretched = [
        F.interpolate(table.transpose(1, 2), size=new_rows * new_cols, mode="linear", align_corners=corners)
        for corners in (False, True)
    ]
    whole = F.interpolate(pos.transpose(1, 2), size=1 + new_rows * new_cols, mode="linear").transpose(1, 2)
    flipped = table.reshape(1, cols, rows, dim).permute(0, 3, 1, 2)  # read as cols x rows
    inside = _on_grid(pos[:, : rows * cols], rows, cols)  # the class token's row taken into the grid
    right = _off_grid(_resize(grid, (new_rows, new_cols)))
    return {
        "the class token's row must stay in front (row 0), the resized patch rows after it": [
            torch.cat([right, head], dim=1)
        ],
        "your grid starts with the class token's row, and the last patch is left out: the patch rows are "
        "pos_embedding[:, 1:]; keep row 0 (the class token's) as it is": with_head(
            _off_grid(_resize(inside, (new_rows, new_cols)))
        ),
        "you reshaped the patch rows straight into (1, D, rows, cols) without a permute, so each 'channel' "
        "mixes numbers of different patches; lay them out as (1, rows, cols, D) first, then move D in front": with_head(
            _resize(raw, (new_rows, new_cols)).reshape(1, -1, dim), _off_grid(_resize(raw, (new_rows, new_cols)))
        ),
        "you laid the patch rows out on the grid correctly, but read the resized (1, D, new_rows, new_cols) grid "
        "back with a reshape and no permute, so each new row mixes numbers of different patches; move D last "
        "first, (1, new_rows, new_cols, D), then reshape (or use .flatten(2).transpose(1, 2))": with_head(
            _resize(grid, (new_rows, new_cols)).reshape(1, -1, dim)
        ),
        "you read the resized grid back column by column (permute(0, 3, 2, 1)); "
        "patches are numbered row by row": with_head(
            _resize(grid, (new_rows, new_cols)).permute(0, 3, 2, 1).reshape(1, -1, dim)
        ),
        "you stretched the patch rows along the sequence (1-D): that is the sheared table of section 7; "
        "lay them out on their (rows, cols) grid and resize in 2-D": with_head(*(s.transpose(1, 2) for s in stretched)),
        "you stretched the whole table along the sequence (1-D), the class token's row resized with the patch rows: "
        "keep row 0 (the class token's) as it is, lay the patch rows out on their (rows, cols) grid and resize in "
        "2-D (a 1-D stretch is the sheared table of section 7)": [whole],
        "rows and columns are swapped: a grid (rows, cols) has rows * cols patches numbered row by row, so the "
        "patch rows reshape to (rows, cols, D), and the new size is (new_rows, new_cols)": with_head(
            _off_grid(_resize(flipped, (new_rows, new_cols))),
            _off_grid(_resize(grid, (new_cols, new_rows))),
            _off_grid(_resize(flipped, (new_cols, new_rows))),
        ),
        **_resize_method_variants(grid, new, with_head),
    }


def _check_resized_shape(answer: torch.Tensor, expected: torch.Tensor, case: str, given: torch.Tensor) -> None:
    if tuple(answer.shape) == tuple(expected.shape):
        return
    _, tokens, dim = expected.shape
    if tuple(answer.shape) == tuple(given.shape):
        fail(
            f"for {case} your table still has the old grid's {given.shape[1]} rows: resize it to new_grid. "
            "Your function takes old_grid, then new_grid; the package's interpolate_positions takes new_grid first"
        )
    if tuple(answer.shape) in ((1, tokens - 1, dim), (tokens - 1, dim)):
        fail(
            f"for {case} your table has no class-token row, shape {tuple(answer.shape)}: keep row 0 "
            "(the class token's) as it is and put it back in front of the resized patch rows"
        )
    if tuple(answer.shape) == (tokens, dim):
        fail(
            f"for {case} your table has shape {tuple(answer.shape)}; "
            f"keep the leading batch axis: {tuple(expected.shape)}"
        )
    fail(
        f"for {case} your table has shape {tuple(answer.shape)}; it should be (1, 1 + new_rows * new_cols, D) "
        f"= {tuple(expected.shape)}"
    )


def _matching_slips(answer: torch.Tensor, pos: torch.Tensor, old: tuple[int, int], new: tuple[int, int]) -> list[str]:
    """The slips of exercise 5 whose table equals ``answer`` for this grid."""
    return [
        problem for problem, wrongs in _resize_variants(pos, old, new).items() if any(close(answer, w) for w in wrongs)
    ]


def _narrow_slips(function: Callable[..., object], slips: list[str], generator: torch.Generator) -> str:
    """Two slips can give the same table on one grid (``area`` and ``align_corners=True`` do from 3x3 to
    5x5): keep the slips that also match on the other grids, and name the first left."""
    for rows, cols, new_rows, new_cols, dim in GRID_CASES:
        if len(slips) == 1:
            break
        pos = torch.randn(1, 1 + rows * cols, dim, generator=generator)
        try:
            answer = torch.as_tensor(function(pos.clone(), (rows, cols), (new_rows, new_cols)))
        except Exception:  # the first case already named what matters; a later error is not this slip's
            break
        if answer.shape != (1, 1 + new_rows * new_cols, dim):
            break
        kept = [slip for slip in _matching_slips(answer, pos, (rows, cols), (new_rows, new_cols)) if slip in slips]
        slips = kept or slips
    return slips[0]


def _grid_order_hint(
    function: Callable[..., object], pos: torch.Tensor, old: tuple[int, int], new: tuple[int, int]
) -> Callable[[Exception], str | None]:
    """When the learner's function raises: does it run with the two grids swapped? Then it unpacks
    them in the package's order (``interpolate_positions`` takes the new grid first)."""

    def hint(error: Exception) -> str | None:
        try:
            function(pos.clone(), new, old)
        except Exception:
            calls = [(torch.randn(1, 1 + r * c, d), (r, c), (nr, nc)) for r, c, nr, nc, d in GRID_CASES]
            raised = ExerciseFailed(f"your function raised {type(error).__name__}: {error}")
            try:  # r27d minor 3: a shape error on every case names the lesson's sizes
                _every_case_raised(raised, function, calls)
            except ExerciseFailed as every:
                return "A shape error on every case. " + str(every).split(": a shape error on every case. ", 1)[-1]
            return None
        return (
            "Called with the two grids swapped it runs, so your function reads them in the package's order: "
            "interpolate_positions takes the new grid first, but this exercise passes old_grid, then new_grid"
        )

    return hint


def _square_grid_slip(square_passed: str | None, case: str) -> str | None:
    """Exercise 5's square-grid slip: right on a square grid, wrong on a non-square one."""
    if square_passed is None:
        return None
    return (
        f"right on the square grid ({square_passed}), wrong for {case}: a square-grid slip. Rows and columns "
        "differ here: do not assume H == W (no int(sqrt(N)) for a side), nor use one side for both"
    )


def _new_grid_ignored(
    fn: Callable[..., object], pos: torch.Tensor, grids: tuple, answer: torch.Tensor, case: str
) -> None:
    """r35a minor 6: fail when the answer's table keeps its size for another ``new_grid`` (a grid written into the
    code, such as ``(5, 5)`` from the first case), before the square-grid slip is named. Else return."""
    old, (new_rows, new_cols) = grids
    other = (new_rows + 1, new_cols + 2)
    try:
        again = as_tensor(fn(pos.clone(), old, other))
    except Exception:  # any failure: the probe found nothing
        return
    if tuple(again.shape) == tuple(answer.shape):
        fail(
            f"for {case} your table has shape {tuple(answer.shape)}, and the same for new_grid = {other}: "
            "the new grid looks written into your code. Read new_rows, new_cols from new_grid"
        )


def _hard_coded_dim(fn: Callable[..., object], case: str, grids: tuple, dim: int, dim_right: int | None) -> None:
    """Fail naming a hard-coded width D when ``fn`` is right on the same grids with the D it got right before."""
    if dim_right is None or dim_right == dim:
        return
    (rows, cols), new_grid = grids
    probe = torch.randn(1, 1 + rows * cols, dim_right, generator=torch.Generator().manual_seed(5))
    try:
        answer = as_tensor(fn(probe.clone(), (rows, cols), new_grid))
    except Exception:  # any failure: the probe found nothing
        return
    expected = interpolate_positions(probe, new_grid, (rows, cols), mode="bilinear", antialias=False)
    if tuple(answer.shape) == tuple(expected.shape) and close(answer, expected):
        fail(
            f"for {case} your function goes wrong, yet on the same grids it is right with D = {dim_right}: it works "
            f"for D = {dim_right}, not D = {dim}. It looks hard-coded: read D from pos_embedding.shape[-1]"
        )


def _check_table_values(answer: torch.Tensor, original: torch.Tensor, case: str) -> None:
    """check_interpolate_positions: a resized table of the right shape that is all zeros or of a narrower dtype."""
    if answer.is_floating_point() and not bool(answer.any()):
        fail(
            f"for {case} your table is all zeros (a placeholder such as torch.zeros left in?): keep the class "
            "token's row and fill the patch rows by resizing the given ones"
        )
    if not answer.is_floating_point() or torch.finfo(answer.dtype).bits < torch.finfo(original.dtype).bits:
        fail(
            f"for {case} your table is {answer.dtype} but the given one is {original.dtype}: a narrower dtype "
            "(a .half(), .bfloat16() or .long(); float64 is fine) rounds the position vectors the model adds"
        )


def _fail_where_rows_differ(
    answer: torch.Tensor, original: torch.Tensor, expected: torch.Tensor, case: str, new_cols: int
) -> None:
    """check_interpolate_positions' last word on a wrong table: the class token's row changed, or the first new
    patch whose row differs from the 2-D bilinear resize."""
    if not close(answer[:, 0], original[:, 0]):
        fail(
            f"for {case} the class token's row changed: it has no place on the grid, so keep it "
            "as it is and resize only the patch rows"
        )
    gaps = (answer.to(torch.float64) - expected.to(torch.float64)).abs().amax(dim=-1)[0, 1:]
    first = int(torch.nonzero(gaps > 1e-4)[0]) if bool((gaps > 1e-4).any()) else 0
    fail(
        f"for {case} your patch rows differ from a 2-D bilinear resize, first at new patch {first} "
        f"(row {first // new_cols}, column {first % new_cols}); "
        "check how you lay them out on the grid and read them back"
    )


def _same_answer_as_before(answer: torch.Tensor, case: str, answers: list[tuple[str, torch.Tensor]]) -> None:
    """Fail if ``answer`` is a table returned for an earlier case (a cached or constant answer); else record it."""
    for earlier_case, earlier in answers:
        if answer.shape == earlier.shape and torch.equal(answer, earlier):
            fail(
                f"for {case} your answer does not change with the input: it is the table you returned for "
                f"{earlier_case}. Compute it from the pos_embedding, old_grid and new_grid of each call"
            )
    answers.append((case, answer.detach().clone()))


def check_interpolate_positions(
    my_interpolate_positions: Callable[[torch.Tensor, tuple[int, int], tuple[int, int]], torch.Tensor],
) -> None:
    """Check ``my_interpolate_positions(pos_embedding, old_grid, new_grid)``: a ``(1, 1 + rows * cols, D)``
    table -> ``(1, 1 + new_rows * new_cols, D)``, the class token's row kept, the patch rows resized on
    their grid by bilinear interpolation (``align_corners=False``, no antialias), as
    ``interpolate_positions(pos_embedding, new_grid, old_grid, mode="bilinear", antialias=False)``."""
    generator = torch.Generator().manual_seed(4)
    square_passed = None  # the first square case the function got right, e.g. "3x3 to 5x5"
    dim_right = None  # the width D of the first case the function got right
    answers: list[tuple[str, torch.Tensor]] = []  # every table returned so far, to spot a constant answer
    for rows, cols, new_rows, new_cols, dim in GRID_CASES:
        pos = torch.randn(1, 1 + rows * cols, dim, generator=generator)
        original = pos.clone()
        case = f"a table (1, 1 + {rows} * {cols}, {dim}) on a {rows}x{cols} grid resized to {new_rows}x{new_cols}"
        square = rows == cols and new_rows == new_cols
        slip = _square_grid_slip(square_passed, case) if not square else None
        grids = ((rows, cols), (new_rows, new_cols))
        if slip:
            try:
                my_interpolate_positions(pos.clone(), (rows, cols), (new_rows, new_cols))
            except Exception:
                _hard_coded_dim(my_interpolate_positions, case, grids, dim, dim_right)
                fail(slip)
        result = _NO_RESIZE_SHORTCUT(
            my_interpolate_positions,
            pos,
            (rows, cols),
            (new_rows, new_cols),
            hint=_grid_order_hint(my_interpolate_positions, pos, (rows, cols), (new_rows, new_cols)),
        )
        answer = as_tensor(result, f"your output for {case}")
        if not torch.equal(pos, original):
            fail(f"your function changed the table it was given ({case}); build a new one")
        _same_answer_as_before(answer, case, answers)
        expected = interpolate_positions(original, (new_rows, new_cols), (rows, cols), mode="bilinear", antialias=False)
        if tuple(answer.shape) != tuple(expected.shape):
            _hard_coded_dim(my_interpolate_positions, case, grids, dim, dim_right)
        if slip and tuple(answer.shape) != tuple(expected.shape):
            _new_grid_ignored(my_interpolate_positions, original, grids, answer, case)
            fail(slip)
        _check_resized_shape(answer, expected, case, original)
        _check_table_values(answer, original, case)
        if close(answer, expected):
            square_passed = square_passed or (f"{rows}x{cols} to {new_rows}x{new_cols}" if square else None)
            dim_right = dim_right or dim
            continue
        _hard_coded_dim(my_interpolate_positions, case, grids, dim, dim_right)
        slips = _matching_slips(answer, original, (rows, cols), (new_rows, new_cols))
        if slips:
            fail(f"for {case}: {_narrow_slips(my_interpolate_positions, slips, generator)}")
        if slip:
            fail(slip)
        _fail_where_rows_differ(answer, original, expected, case, new_cols)
    passed(
        "your resize matches interpolate_positions(..., mode='bilinear', antialias=False) on square and "
        "non-square grids, growing and shrinking."
    )


# --- exercise 2: Eq. 1, the encoder's input z0 ------------------------------------------------------------

# (batch, patches, dim): one image first (a missing expand passes there), then batches, one patch, a narrow D.
Z0_CASES = ((1, 4, 3), (3, 6, 5), (2, 1, 4), (4, 9, 2))

#: Exercise 2 is what ``vit.add_class_token`` does for you.
_NO_ADD_CLASS_TOKEN = forbid(add_class_token, reason="Eq. 1's input")


def _z0_inputs(batch: int, patches: int, dim: int, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Patch tokens (B, N, D), a class token (1, 1, D) and a position table (1, N + 1, D), all distinct."""
    tokens = torch.randn(batch, patches, dim, generator=generator)
    class_token = torch.randn(1, 1, dim, generator=generator)
    positions = torch.randn(1, patches + 1, dim, generator=generator)
    return tokens, class_token, positions


def _z0_hint(batch: int, patches: int) -> Callable[[Exception], str | None]:
    """The sentence after 'your function raised ...': the two shape errors Eq. 1's slips produce."""

    def hint(error: Exception) -> str | None:
        text = str(error)
        if "Sizes of tensors must match except in dimension 0" in text:
            return (
                "torch.cat joined the pieces along dim 0, the batch axis: put the class token in front of the "
                "patch tokens along the token axis, dim 1"
            )
        if "must match the size of tensor" in text and {f"({patches})", f"({patches + 1})"} <= set(text.split()):
            return (
                f"The table has N + 1 = {patches + 1} rows (row 0 is the class token's position) and the patch "
                f"tokens N = {patches}: put the class token in front as a row of its own first (torch.cat along "
                "dim 1), then add the whole table; positions added before the cat, or a class token added to the "
                "patch tokens, leave one row short"
            )
        if "Sizes of tensors must match except in dimension" in text and batch > 1:
            return (
                f"The class token is (1, 1, D) but the batch holds B = {batch} images: give every image its own "
                "copy first, class_token.expand(B, -1, -1), then cat along dim 1"
            )
        return None

    return hint


def _diagnose_z0(answer: torch.Tensor, inputs: tuple[torch.Tensor, ...], case: str) -> NoReturn:
    """Fail naming the slip whose z0 the answer equals, else the shapes or the largest difference."""
    tokens, class_token, positions = inputs
    batch, patches, dim = tokens.shape
    front = class_token.expand(batch, -1, -1)
    if tuple(answer.shape) == (batch, patches, dim):
        fail(
            f"for {case} your z0 has shape {tuple(answer.shape)}, one row short of (B, N + 1, D): the class token "
            "is added to the patch tokens instead of put in front of them as a token of its own "
            "(torch.cat along dim 1)"
        )
    slips = {
        "the class token is last: ViT puts it first, as row 0 (its table row is row 0 too)": torch.cat(
            [tokens, front], dim=1
        )
        + positions,
        "the positions are missing: add the table after the cat": torch.cat([front, tokens], dim=1),
        "the class token got no position: add the whole table, row 0 included, after the cat": torch.cat(
            [front, tokens + positions[:, 1:]], dim=1
        ),
    }
    shifted = (  # table rows 0..N-1 given to the patches, pos[:, :-1]: with or without row 0 on the class token
        "the positions are shifted by one row: the patches got table rows 0..N-1 (pos[:, :-1]); patch i needs "
        "row i + 1, row 0 is the class token's: add the whole table after the cat"
    )
    for front_row in (front + positions[:, :1], front):
        if close(answer, torch.cat([front_row, tokens + positions[:, :-1]], dim=1)):
            fail(f"for {case} {shifted}")
    for message, value in slips.items():
        if close(answer, value):
            fail(f"for {case} {message}")
    if tuple(answer.shape) != (batch, patches + 1, dim):
        want = (batch, patches + 1, dim)
        fail(f"for {case} your z0 has shape {tuple(answer.shape)}; Eq. 1 gives (B, N + 1, D) = {want}")
    added = answer.double() - torch.cat([front, tokens], dim=1).double()  # what each token got added
    same = (added[..., None, :] - positions[0].double()).abs().amax(-1) < 1e-4  # (B, N + 1, N + 1): token i got row j
    if same.any(-1).all() and same.any(-2).all() and not same.diagonal(dim1=-2, dim2=-1).all():
        fail(
            f"for {case} the table's rows are added out of order (reversed or shuffled): token i needs row i, row 0 "
            "being the class token's: add pos_embedding as it is, without flipping or reordering its rows"
        )
    difference = (answer.to(torch.float64) - (torch.cat([front, tokens], dim=1) + positions).double()).abs()
    wrong_rows = difference.amax(dim=(0, 2)) > 1e-4  # (N + 1,): which token rows differ, over the batch
    if wrong_rows[0] and not wrong_rows[1:].any():  # r34e minor 7: only the class token's row is wrong
        fail(
            f"for {case}: row 0 (the class token) differs from Eq. 1's by up to {difference[:, 0].max().item():.3g}; "
            "the patch rows are right: use the class_token you were given, plus table row 0"
        )
    if not wrong_rows[0] and wrong_rows[1:].all():
        fail(
            f"for {case}: row 0 (the class token) is right, but every patch row differs from Eq. 1's by up to "
            f"{difference[:, 1:].max().item():.3g}: patch row i is tokens[:, i - 1] plus table row i, nothing more"
        )
    fail(f"for {case} your z0 differs from Eq. 1's by up to {difference.max().item():.3g}")


def _z0_batch_hard_coded(build_z0: Callable[..., object], case: str, batch: int, patches: int, dim: int) -> None:
    """Fail naming a hard-coded batch size (say ``class_token.expand(3, -1, -1)``) when ``build_z0`` is right for
    another B > 1 with the same N and D; else return (a class token never expanded is right for B = 1 only: the
    caller names that slip)."""
    for other in (2, 3, 4, 5, 8):
        if other == batch:
            continue
        inputs = _z0_inputs(other, patches, dim, torch.Generator().manual_seed(5))
        try:
            answer = as_tensor(_NO_ADD_CLASS_TOKEN(build_z0, *inputs))
        except Exception:  # the learner's code may raise anything here (ExerciseFailed included)
            continue
        if tuple(answer.shape) == (other, patches + 1, dim) and close(answer, add_class_token(*inputs)):
            fail(
                f"for {case} your function goes wrong, yet it is right once only this changes: the batch size "
                f"(B = {other} works, B = {batch} does not). It looks hard-coded: read B from tokens.shape"
            )


def _z0_pieces(returned: list | tuple, case: str, patches: int, dim: int) -> NoReturn:
    """Fail on a list or tuple returned for z0: one z0 per image (``(N + 1, D)`` or ``(1, N + 1, D)`` each) is
    told to stack or cat the images along the batch axis; other pieces to join the class token and the patch
    tokens along dim 1."""
    count = len(returned)
    said = f"for {case} your function returned a {_type_name(returned)} of {count} piece{'' if count == 1 else 's'}"
    each = "it is" if count == 1 else "each is"
    tensors = all(isinstance(piece, torch.Tensor) for piece in returned)
    if count == 1 and isinstance(returned, tuple) and (tensors or isinstance(returned[0], np.ndarray)):
        fail(f"{said}: return a tensor, not a tuple; return the tensor itself (a comma after it makes a tuple)")
    if tensors or all(isinstance(piece, np.ndarray) for piece in returned):
        stack, cat, axis = ("torch.stack", "torch.cat", "dim") if tensors else ("np.stack", "np.concatenate", "axis")
        shapes = {tuple(piece.shape) for piece in returned}
        if shapes == {(patches + 1, dim)}:
            fail(
                f"{said}, {each} one image's z0 of shape (N + 1, D) = {(patches + 1, dim)}; z0 is one tensor "
                f"(B, N + 1, D): stack the images with {stack}(..., {axis}=0)"
            )
        if shapes == {(1, patches + 1, dim)}:
            fail(
                f"{said}, {each} one image's z0 of shape (1, N + 1, D) = {(1, patches + 1, dim)}; z0 is one tensor "
                f"(B, N + 1, D): join the images with {cat}(..., {axis}=0)"
            )
    fail(
        f"{said}; z0 is one tensor (B, N + 1, D): join the class token and the patch tokens with "
        "torch.cat(..., dim=1), then add the table"
    )


def check_build_z0(build_z0: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``build_z0(tokens, class_token, pos_embedding)``: Eq. 1's ``(B, N + 1, D)`` input, the class token
    put in front of every image's ``(B, N, D)`` patch tokens, then the ``(1, N + 1, D)`` table added."""
    generator = torch.Generator().manual_seed(2)
    right_for: str | None = None  # the first case the function got right
    for batch, patches, dim in Z0_CASES:
        inputs = _z0_inputs(batch, patches, dim, generator)
        given = tuple(tensor.clone() for tensor in inputs)
        case = f"a batch of B = {batch}, N = {patches} patch tokens of width D = {dim}"
        try:
            returned = _NO_ADD_CLASS_TOKEN(build_z0, *given, hint=_z0_hint(batch, patches))
        except ExerciseFailed as error:
            _z0_batch_hard_coded(build_z0, case, batch, patches, dim)
            if right_for and batch > 1 and "Sizes of tensors must match" in str(error):
                fail(
                    f"right for {right_for}, but for {case} your function raised a shape error: the class token "
                    "is (1, 1, D) for one image: expand it to (B, 1, D) before the cat, "
                    "class_token.expand(B, -1, -1)"
                )
            raise
        if isinstance(returned, list | tuple):
            _z0_pieces(returned, case, patches, dim)
        answer = as_tensor(returned, f"your z0 for {case}")
        if not all(torch.equal(a, b) for a, b in zip(given, inputs, strict=True)):
            fail(
                f"your function changed a tensor it was given ({case}); build a new one "
                "(write `x = x + ...`, not `x += ...`)"
            )
        expected = add_class_token(*inputs)
        if close(answer, expected):
            if not answer.is_floating_point() or torch.finfo(answer.dtype).bits < 32:
                fail(f"for {case} your z0 is {answer.dtype}: keep float32 (float64 is fine); a narrower dtype rounds")
            right_for = right_for or case
            continue
        if tuple(answer.shape) == (patches + 1, dim):  # a squeeze(0) on B = 1: nothing is hard-coded
            fail(
                f"for {case} your z0 has shape {tuple(answer.shape)}, (N + 1, D): the batch axis was dropped "
                f"(a squeeze?); keep the leading batch axis: (B, N + 1, D) = {tuple(expected.shape)}"
            )
        _z0_batch_hard_coded(build_z0, case, batch, patches, dim)
        _diagnose_z0(answer, inputs, case)
    _check_z0_gradient(build_z0)
    passed("your z0 is Eq. 1's input: the class token in front of every image's patch tokens, then the table added.")


def _check_z0_gradient(build_z0: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Fail when z0, built from inputs that need gradients, carries none back to the class token or the table:
    a ``.detach()`` or a numpy round trip, which would leave both untrained."""
    inputs = tuple(tensor.requires_grad_() for tensor in _z0_inputs(2, 3, 4, torch.Generator().manual_seed(3)))
    slip = (
        "z0 carries no gradient to the class token / position table: did you detach or go through numpy? "
        "Both are learned (section 5), so training could never change them: stay in torch, without .detach()"
    )
    try:
        answer = build_z0(*inputs)
    except RuntimeError as error:  # numpy refuses a tensor that requires grad: "Can't call numpy() on Tensor ..."
        if "numpy" in str(error):
            fail(f"{slip} (numpy refuses tensors that need gradients: your function raised for them)")
        if "leaf Variable" in str(error) or "in-place" in str(error):
            fail(
                "your function writes in place into a tensor it was given, which changes the caller's tensor: "
                "build z0 as new tensors (torch.cat, +), not += or add_ on an input"
            )
        return  # another error only with gradients: the probe cannot tell
    if not isinstance(answer, torch.Tensor) or not answer.requires_grad:
        fail(slip)
    grads = torch.autograd.grad(answer.sum(), inputs[1:], allow_unused=True)
    missing = [name for name, grad in zip(("class token", "position table"), grads, strict=True) if grad is None]
    if missing:
        fail(f"{slip} (none reaches the {' or the '.join(missing)})")
