"""Lesson 08's exercise 4 (an insertion curve): the checker accepts right answers written several ways,
names each plausible slip in one line, and its reference is the plain rule the exercise states."""

import contextlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vit_explained.attention_maps import deletion_curve, deletion_curves, insertion_areas
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson08 import (
    INSERTION_CASES,
    _insertion_case,
    _insertion_variants,
    check_insertion_curve,
    reference_insertion_curve,
)


def _sides(images, scores):
    rows, cols = scores.shape[-2:]
    return rows, cols, images.shape[-2] // rows, images.shape[-1] // cols


def insertion_loop(model, images, labels, scores, counts):  # the solutions notebook's answer
    batch = len(images)
    rows, cols, ph, pw = _sides(images, scores)
    order = scores.flatten(1).argsort(dim=-1, descending=True)
    curve = torch.zeros(batch, len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(batch, rows * cols)
        keep.scatter_(1, order[:, :k], 1.0)
        pixels = keep.reshape(batch, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
        with torch.no_grad():
            curve[:, j] = model(images * pixels).softmax(-1)[torch.arange(batch), labels]
    return curve


def insertion_vectorised(model, images, labels, scores, counts):  # every count at once, masks by rank
    batch, _, height, width = images.shape
    rows, cols = scores.shape[-2:]
    rank = scores.flatten(1).argsort(-1, descending=True).argsort(-1)  # (B, P): each patch's place
    keep = rank[:, None, :] < torch.tensor(counts)[None, :, None]  # (B, S, P)
    masks = F.interpolate(keep.reshape(-1, 1, rows, cols).float(), size=(height, width), mode="nearest")
    shown = images[:, None] * masks.reshape(batch, len(counts), 1, height, width)
    with torch.no_grad():
        probabilities = model(shown.flatten(0, 1)).softmax(-1).reshape(batch, len(counts), -1)
    return probabilities.gather(-1, labels[:, None, None].expand(-1, len(counts), 1))[..., 0]


def insertion_topk_per_image(model, images, labels, scores, counts):  # one image at a time, topk, numpy out
    _, cols, ph, pw = _sides(images, scores)
    out = np.zeros((len(images), len(counts)), dtype=np.float64)
    for b in range(len(images)):
        for j, k in enumerate(counts):
            canvas = torch.zeros_like(images[b])
            for p in scores[b].flatten().topk(k).indices.tolist():
                r, c = divmod(p, cols)
                window = (slice(None), slice(r * ph, (r + 1) * ph), slice(c * pw, (c + 1) * pw))
                canvas[window] = images[b][window]
            with torch.no_grad():
                out[b, j] = model(canvas[None]).softmax(-1)[0, labels[b]].item()
    return out


def insertion_by_deleting_the_rest(model, images, labels, scores, counts):  # keep top k = delete the P - k lowest
    rows, cols, ph, pw = _sides(images, scores)
    patches = rows * cols
    lowest_first = scores.flatten(1).argsort(-1)
    readings = []
    for k in counts:
        mask = torch.ones(len(images), patches)
        mask.scatter_(1, lowest_first[:, : patches - k], 0.0)
        pixels = mask.reshape(-1, 1, rows, cols).repeat_interleave(ph, -2).repeat_interleave(pw, -1)
        with torch.no_grad():
            readings.append(F.softmax(model(images * pixels).double(), dim=1).gather(1, labels[:, None]))
    return torch.cat(readings, 1)


@pytest.mark.parametrize(
    "answer", [insertion_loop, insertion_vectorised, insertion_topk_per_image, insertion_by_deleting_the_rest]
)
def test_insertion_curve_accepts_right_answers(answer, capsys):
    check_insertion_curve(answer)
    assert "Correct!" in capsys.readouterr().out


def _slip(*, lowest=False, delete=False, read="probability", four=False, transpose=False, shape=None, fill=None):
    def wrong(model, images, labels, scores, counts):
        batch = len(images)
        if transpose:
            scores = scores.transpose(-2, -1)
        rows, cols, ph, pw = _sides(images, scores)
        if four:
            ph = pw = 4
        order = scores.flatten(1).argsort(-1, descending=not lowest)
        curve = torch.zeros(batch, len(counts))
        for j, k in enumerate(counts):
            keep = torch.zeros(batch, rows * cols)
            keep.scatter_(1, order[:, :k], 1.0)
            if delete:
                keep = 1 - keep
            pixels = keep.reshape(batch, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
            with torch.no_grad():
                blank = {"image mean": images.mean((1, 2, 3), keepdim=True), "batch mean": images.mean()}.get(fill, 0.0)
                logits = model(images * pixels + blank * (1 - pixels))
                predicted = model(images).argmax(-1)
            values = {"logits": logits, "log": logits.log_softmax(-1)}.get(read, logits.softmax(-1))
            curve[:, j] = values[torch.arange(batch), predicted if read == "predicted" else labels]
        return {"transposed": curve.T, "mean": curve.mean(0)}.get(shape, curve)

    return wrong


def four_by_slicing(model, images, labels, scores, counts):  # a side of 4 written into the slices
    cols = scores.shape[-1]
    order = scores.flatten(1).argsort(-1, descending=True)
    curve = torch.zeros(len(images), len(counts))
    for j, k in enumerate(counts):
        mask = torch.zeros_like(images)
        for b in range(len(images)):
            for p in order[b, :k].tolist():
                r, c = divmod(p, cols)
                mask[b, :, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = 1
        with torch.no_grad():
            curve[:, j] = model(images * mask).softmax(-1)[torch.arange(len(images)), labels]
    return curve


def top_pixels(model, images, labels, scores, counts):  # the map upsampled, then the top k pixels
    batch, _, height, width = images.shape
    rows, cols = scores.shape[-2:]
    up = scores.repeat_interleave(height // rows, 1).repeat_interleave(width // cols, 2).flatten(1)
    order = up.argsort(-1, descending=True)
    curve = torch.zeros(batch, len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(batch, height * width)
        keep.scatter_(1, order[:, :k], 1.0)
        with torch.no_grad():
            curve[:, j] = model(images * keep.reshape(batch, 1, height, width)).softmax(-1)[torch.arange(batch), labels]
    return curve


def column_by_column(model, images, labels, scores, counts):  # patch p placed at (p % rows, p // rows)
    rows, cols, ph, pw = _sides(images, scores)
    order = scores.flatten(1).argsort(-1, descending=True)
    curve = torch.zeros(len(images), len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(len(images), rows * cols)
        keep.scatter_(1, order[:, :k], 1.0)
        grid = keep.reshape(-1, 1, cols, rows).transpose(-2, -1)
        with torch.no_grad():
            shown = images * grid.repeat_interleave(ph, 2).repeat_interleave(pw, 3)
            curve[:, j] = model(shown).softmax(-1)[torch.arange(len(images)), labels]
    return curve


def bilinear_mask(model, images, labels, scores, counts):  # vit-explain's habit: upsample the map bilinearly
    rows, cols = scores.shape[-2:]
    order = scores.flatten(1).argsort(dim=-1, descending=True)
    curve = torch.zeros(len(images), len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(len(images), rows * cols).scatter_(1, order[:, :k], 1.0).reshape(-1, 1, rows, cols)
        mask = torch.nn.functional.interpolate(keep, size=images.shape[-2:], mode="bilinear")  # soft edges
        with torch.no_grad():
            curve[:, j] = model(images * mask).softmax(-1)[torch.arange(len(images)), labels]
    return curve


def one_more(model, images, labels, scores, counts):
    patches = scores[0].numel()
    return insertion_loop(model, images, labels, scores, [min(k + 1, patches) for k in counts])


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_slip(lowest=True), "LOWEST-scored patches first"),
        (_slip(delete=True), "that is a deletion curve"),
        (_slip(read="predicted"), "the class the model predicts"),
        (_slip(read="logits"), "you returned logits"),
        (_slip(fill="image mean"), "blank pixels must be 0"),
        (_slip(fill="batch mean"), "blank pixels must be 0"),
        (_slip(read="log"), "log-probabilities"),
        (  # fix08r (review r30a minor 5): the named slip comes first, before the error's own text
            _slip(four=True),
            r"^Not yet: for images [^:]*: your function passed with 4 x 4 patches but raised \w+ on these 2 x 4 ones: "
            r"is the patch side 4 written in",
        ),
        (four_by_slicing, "your patch side is 4 pixels, written in: here the patches are"),
        (top_pixels, "you ranked pixels"),
        (_slip(transpose=True), r"read the map as \(cols, rows\)"),
        (
            column_by_column,
            r"placed column by column \(your scores read column by column\); they are numbered row by row",
        ),
        (_slip(shape="transposed"), r"your result is \(len\(counts\), B\)"),
        (_slip(shape="mean"), "you averaged over the batch"),
        (one_more, "off by one: you put back k \\+ 1 patches"),
        (bilinear_mask, r"soft edges \(bilinear upsampling, as vit-explain's cv2.resize\)"),  # fix08p (r29c minor 13)
        (lambda *args: torch.full((3, 5), 0.2), "does not depend on the image or the map"),
    ],
)
def test_insertion_curve_names_the_slips_in_one_line(wrong, message):
    with pytest.raises(ExerciseFailed, match=message) as caught:
        check_insertion_curve(wrong)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


def test_insertion_curve_names_an_exception_and_an_unfilled_stub():
    def raises(*args):
        raise ValueError("boom at step 3")

    with pytest.raises(ExerciseFailed, match=r"^Not yet: your function raised ValueError: boom at step 3\. That was"):
        check_insertion_curve(raises)
    with pytest.raises(ExerciseNotAttempted):
        check_insertion_curve(lambda *args: (_ for _ in ()).throw(NotImplementedError("your code here")))


def test_insertion_curve_names_images_changed_in_place():
    def blanks_in_place(model, images, labels, scores, counts):
        curve = insertion_loop(model, images, labels, scores, counts)
        images.zero_()
        return curve

    with pytest.raises(ExerciseFailed, match="changed the images in place"):
        check_insertion_curve(blanks_in_place)


@pytest.mark.parametrize(
    "shortcut",
    [
        lambda m, x, y, s, c: insertion_areas(m, x, y, {"s": s}, counts=list(range(s[0].numel() + 1)))[0]["s"][:, c],
        lambda m, x, y, s, c: deletion_curve(m, x, y, -s)[:, [s[0].numel() - k for k in c]],
        lambda m, x, y, s, c: deletion_curves(m, x, y, {"s": -s})["s"][:, [s[0].numel() - k for k in c]],
    ],
)
def test_insertion_curve_refuses_the_package(shortcut):
    with pytest.raises(ExerciseFailed, match=r"build the insertion curve yourself; your function called"):
        check_insertion_curve(shortcut)


@pytest.mark.parametrize("seed", range(12))
def test_reference_is_the_plain_rule_and_every_slip_differs_from_it(seed):
    """The package's insertion_areas (the checker's reference) equals the rule the exercise states, on the
    checker's random cases and on images with blank (all-zero) patches, which the package runs once; and no
    named slip gives the right curve on any case (so the checker never names a slip for a right answer)."""
    generator = torch.Generator().manual_seed(seed)
    for case in INSERTION_CASES:
        model, images, labels, scores, counts = _insertion_case(generator, *case)
        if seed % 2:  # blank some patches: the package skips re-running images that did not change
            images[:, :, : images.shape[-2] // scores.shape[-2], :] = 0  # the top row of patches
        variants = _insertion_variants(model, images, labels, scores, counts)
        expected = reference_insertion_curve(model, images, labels, scores, counts)
        torch.testing.assert_close(expected, variants["right"], rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(expected, insertion_loop(model, images, labels, scores, counts))
        for name, curve in variants.items():
            side_four = name == "patch side 4" and _sides(images, scores)[2:] == (4, 4)  # right there
            blank_top = seed % 2 and name == "one patch at 0"  # the top patch may be a blanked one: same image
            ph, pw = _sides(images, scores)[2:]
            square = name == "sides swapped" and ph == pw  # r31 (r30c minor 1): on square patches, the right curve
            if name != "right" and not side_four and not blank_top and not square:
                assert not torch.allclose(curve, expected, rtol=1e-4, atol=1e-5), (seed, case, name)


def test_insertion_cases_vary_what_an_answer_could_hard_code():
    sides = {(h // r, w // c) for _, _, h, w, r, c, _ in INSERTION_CASES}
    assert (4, 4) in sides and len(sides) >= 3  # a side-4 answer passes the first case only
    assert all(r != c for *_, r, c, _ in INSERTION_CASES)  # rows and cols never interchangeable
    assert any(h % c == 0 and w % r == 0 for _, _, h, w, r, c, _ in INSERTION_CASES)  # a transposed map fits
    assert len({channels for _, channels, *_ in INSERTION_CASES}) > 1


def _insertion_by_rule(model, images, labels, scores, counts, grid=None):
    batch = len(images)
    rows, cols = grid or scores.shape[-2:]
    ph, pw = images.shape[-2] // rows, images.shape[-1] // cols
    order = scores.reshape(batch, -1).argsort(-1, descending=True)
    out = []
    for k in counts:
        keep = torch.zeros(batch, rows * cols)
        keep.scatter_(1, order[:, :k], 1.0)
        pixels = keep.reshape(batch, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
        with torch.no_grad():
            out.append(model(images * pixels).softmax(-1))
    return out


def test_insertion_names_a_grid_written_in_a_b_by_b_block_and_a_list():
    def written_in(m, x, y, s, c):  # the lesson's 7 x 7 grid written in
        return torch.stack([p[torch.arange(len(x)), y] for p in _insertion_by_rule(m, x, y, s, c, grid=(7, 7))], 1)

    def every_label(m, x, y, s, c):  # probs[:, labels]: (B, B) per count
        return torch.stack([p[:, y] for p in _insertion_by_rule(m, x, y, s, c)], 1)

    def a_list(m, x, y, s, c):
        return list(torch.stack([p[torch.arange(len(x)), y] for p in _insertion_by_rule(m, x, y, s, c)], 1))

    with pytest.raises(ExerciseFailed, match=r"7 x 7 grid or the 28-pixel image is written in"):
        check_insertion_curve(written_in)
    with pytest.raises(ExerciseFailed, match=r"\(B, B\) block: indexing by the labels alone reads every label"):
        check_insertion_curve(every_label)
    with pytest.raises(ExerciseFailed, match=r"returned a Python list, not a tensor"):
        check_insertion_curve(a_list)
    check_insertion_curve(lambda m, x, y, s, c: a_list(m, x, y, s, c)[0].new_tensor(torch.stack(a_list(m, x, y, s, c))))


def ranked_by_columns(model, images, labels, scores, counts):  # ranked column by column, placed row by row
    rows, cols, ph, pw = _sides(images, scores)
    order = scores.transpose(-2, -1).flatten(1).argsort(-1, descending=True)
    curve = torch.zeros(len(images), len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(len(images), rows * cols)
        keep.scatter_(1, order[:, :k], 1.0)
        grid = keep.reshape(-1, 1, rows, cols)
        with torch.no_grad():
            shown = images * grid.repeat_interleave(ph, 2).repeat_interleave(pw, 3)
            curve[:, j] = model(shown).softmax(-1)[torch.arange(len(images)), labels]
    return curve


def test_insertion_curve_names_ranking_by_columns_and_placing_by_rows():
    with pytest.raises(ExerciseFailed, match=r"column order: you ranked the patches column by column") as caught:
        check_insertion_curve(ranked_by_columns)
    assert "check count 0" not in str(caught.value)


def right_at_every_count_0(model, images, labels, scores, counts):  # wrong only where k > 0
    curve = insertion_loop(model, images, labels, scores, counts)
    return curve + 0.05 * torch.tensor([k > 0 for k in counts], dtype=curve.dtype)


def test_insertion_curve_says_check_count_0_only_when_count_0_is_wrong():
    with pytest.raises(
        ExerciseFailed, match=r"differs from the reference; count \d+ is the first that differs"
    ) as caught:
        check_insertion_curve(right_at_every_count_0)
    assert "check count 0" not in str(caught.value)

    def wrong_at_0(model, images, labels, scores, counts):
        return insertion_loop(model, images, labels, scores, counts) + 0.05

    with pytest.raises(ExerciseFailed, match=r"differs from the reference") as caught:
        check_insertion_curve(wrong_at_0)
    assert "count" in str(caught.value)


def first_label_for_every_image(model, images, labels, scores, counts):  # labels[0] read for every image
    return insertion_loop(model, images, labels[:1].expand_as(labels), scores, counts)


def test_insertion_curve_names_a_wrong_label():
    with pytest.raises(ExerciseFailed, match=r"the right patches, the wrong class: for image \d+ you read class \d+"):
        check_insertion_curve(first_label_for_every_image)


# --- fix round 08b: a side from isqrt on a non-square map; fixed cases ----------------------------------------


def side_from_isqrt(model, images, labels, scores, counts):  # rows = cols = isqrt(patch count): square maps only
    import math

    side = math.isqrt(scores[0].numel())
    return insertion_loop(model, images, labels, scores.reshape(len(scores), side, -1)[:, :, :side], counts)


def test_insertion_curve_names_a_side_from_isqrt_on_a_non_square_map():
    with pytest.raises(ExerciseFailed, match=r"works on a square map but not on this \d+ x \d+ one.*isqrt"):
        check_insertion_curve(side_from_isqrt)


def top_k_from_the_end(model, images, labels, scores, counts):  # numpy habit: order[:, -k:], whole row at k = 0
    rows, cols, ph, pw = _sides(images, scores)
    order = scores.flatten(1).argsort(-1)
    curve = torch.zeros(len(images), len(counts))
    for j, k in enumerate(counts):
        keep = torch.zeros(len(images), rows * cols).scatter_(1, order[:, -k:], 1.0)
        pixels = keep.reshape(-1, 1, rows, cols).repeat_interleave(ph, 2).repeat_interleave(pw, 3)
        with torch.no_grad():
            curve[:, j] = model(images * pixels).softmax(-1)[torch.arange(len(images)), labels]
    return curve


def at_least_one(model, images, labels, scores, counts):  # a guard against topk(0): max(k, 1)
    return insertion_loop(model, images, labels, scores, [max(k, 1) for k in counts])


def test_insertion_cases_hold_count_0_and_every_patch():  # review r30b major 1
    generator = torch.Generator().manual_seed(1216)
    for case in INSERTION_CASES:
        *_, scores, counts = _insertion_case(generator, *case)
        patches = scores[0].numel()
        assert counts[0] == 0 and counts[-1] == patches and len(set(counts)) == 5 == len(counts)
        assert len(scores) != len(counts)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (top_k_from_the_end, r"with k = 0 you put back every patch: order\[:, -k:\] at k = 0 is order\[:, -0:\]"),
        (at_least_one, r"with k = 0 you put back one patch \(max\(k, 1\)"),
    ],
)
def test_insertion_curve_names_the_count_0_slips(wrong, message):  # review r30b major 1
    with pytest.raises(ExerciseFailed, match=message) as caught:
        check_insertion_curve(wrong)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


def test_insertion_curve_cases_are_fixed_so_a_failure_reproduces():
    messages = []
    for _ in range(2):
        with pytest.raises(ExerciseFailed) as failure:
            check_insertion_curve(one_more)
        messages.append(str(failure.value))
    assert messages[0] == messages[1]


def left_in_train_mode(model, images, labels, scores, counts):  # right numbers, the model left in train mode
    curve = insertion_loop(model, images, labels, scores, counts)
    model.train()
    return curve


def test_insertion_curve_fails_an_answer_that_leaves_the_model_in_train_mode():
    with pytest.raises(ExerciseFailed, match=r"left the model in train mode \(model.training is True"):
        check_insertion_curve(left_in_train_mode)


def test_first_wrong_count_has_no_before_it_clause_for_the_first_count():
    from vit_explained.exercises.lesson08 import _first_wrong_count

    expected = torch.zeros(2, 3)
    first_wrong = expected.clone()
    first_wrong[:, 0] = 1
    assert _first_wrong_count(first_wrong, expected, [1, 2, 4]) == "; count 1 is the first that differs"
    later_wrong = expected.clone()
    later_wrong[:, 1] = 1
    assert "(the counts before it are right)" in _first_wrong_count(later_wrong, expected, [1, 2, 4])


def _swallowed_wrong_call(m, x, y, s, c):  # review r28a minor 1: the banned call, wrong arguments, caught
    with contextlib.suppress(Exception):  # the dodge the checker must see through
        deletion_curve(m, x, y, s, c)  # counts is keyword-only: a TypeError before the function starts
    return insertion_loop(m, x, y, s, c)


def _swallowed_module_call(m, x, y, s, c):  # the same through the module attribute, imported inside
    from vit_explained import attention_maps as am

    with contextlib.suppress(Exception):
        am.insertion_areas(m, x, y, s)  # a mapping expected, counts missing: refused all the same
    return insertion_loop(m, x, y, s, c)


@pytest.mark.parametrize("dodge", [_swallowed_wrong_call, _swallowed_module_call])
def test_insertion_curve_refuses_a_swallowed_banned_call(dodge):
    with pytest.raises(ExerciseFailed, match=r"build the insertion curve yourself; your function called"):
        check_insertion_curve(dodge)


def test_insertion_curve_ban_puts_the_functions_back():
    from vit_explained import attention_maps as am

    before = (am.deletion_curve, am.insertion_areas, deletion_curve)
    check_insertion_curve(insertion_loop)
    with pytest.raises(ExerciseFailed):
        check_insertion_curve(_swallowed_wrong_call)
    assert (am.deletion_curve, am.insertion_areas, globals()["deletion_curve"]) == before
