"""Lesson 02, fix round 17d: exercise 4's checker draws random cases (a lookup table fails), never prints the
answer, names the first wrong pixel and why, and names the padded-side-index slip; section references."""

import pathlib
import re

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex

TABLE = {case: ex.lost_pixels_reference(*case) for case in ex.LOST_CASES}


def _failure(answer) -> str:
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    return str(failed.value)


def test_random_cases_are_new_and_valid():
    cases = ex.random_lost_cases(50, torch.Generator().manual_seed(0))
    assert len(set(cases)) == 50 and not set(cases) & set(ex.LOST_CASES)
    assert all(k <= n and 1 <= s <= k + 3 and 0 <= p < k for n, k, s, p in cases)
    assert any(s > k for n, k, s, p in cases) and any(ex.lost_pixels_reference(*c) for c in cases)


def test_a_lookup_table_fails():
    with pytest.raises(ExerciseFailed):
        ex.check_lost_pixels(lambda n, k, s, p: TABLE[(n, k, s, p)])


def test_constant_empty_names_no_lost_pixel():  # review 18c: naming pixel 50 gave part of the answer away
    message = _failure(lambda n, k, s, p: [])
    assert "the lost ones" not in message and "pixel 50" not in message and "50" not in message.split("),")[-1]
    assert "you returned 0 pixels: this split loses some" in message


def test_padded_side_indices_are_named():
    assert "on the padded side" in _failure(lambda n, k, s, p: [i + p for i in ex.lost_pixels_reference(n, k, s, p)])
    assert "the floor drops" in _failure(lambda n, k, s, p: range(n + 2 * p - (n + 2 * p - k) % s, n + 2 * p))


def test_generic_failures_name_the_pixel_and_why():
    outside = _failure(lambda n, k, s, p: [27] if n == 22 else ex.lost_pixels_reference(n, k, s, p))
    assert "pixel 27 is outside the image: the image's pixels are 0 .. 21" in outside
    padding = _failure(
        lambda n, k, s, p: [22] if (n, k, s, p) == (22, 7, 4, 3) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert "you returned 1 pixel:" in padding and "pixel 22 is a padding position" in padding
    covered = _failure(
        lambda n, k, s, p: [0] if (n, k, s, p) == (22, 7, 4, 3) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert "pixel 0 is covered by window 0 (image pixels 0 .. 3)" in covered


def test_no_failure_prints_the_full_answer():
    lost = ex.lost_pixels_reference(60, 20, 15, 0)
    message = _failure(
        lambda n, k, s, p: lost[:3] if (n, k, s, p) == (60, 20, 15, 0) else ex.lost_pixels_reference(n, k, s, p)
    )
    assert not re.search(r"50 \.\. 59|\[50, 51", message)


def test_rounding_down_points_to_section_2():
    source = pathlib.Path(ex.__file__).read_text()
    assert "section 3)" not in source and source.count("section 2)") >= 2


def test_t2t_map_does_not_call_the_sinusoid_learned():
    import matplotlib.pyplot as plt

    from vit_explained import ViT
    from vit_explained.plotting.lesson02 import plot_vit_map_t2t
    from vit_explained.vit_map import trace_vit

    with torch.device("meta"):
        model = ViT(32, patch_size=16, num_classes=10, dim=16, depth=1, heads=2, mlp_dim=32)
        fig = plot_vit_map_t2t(trace_vit(model, torch.empty(1, 3, 32, 32)))
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert "learned pos_embedding" not in texts and "pos_embedding" in texts
    legend = "orange: tensors added to the sequence (class token learned; T2T's positions fixed)"  # review 18a
    assert any(legend in text for text in texts)
    plt.close(fig)
