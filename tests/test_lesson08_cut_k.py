"""Lesson 08, fix round k: the helpers that keep the lesson's visible cells short."""

import torch

from vit_explained import attention_maps as am
from vit_explained.pretrained import load_mnist_vit


def test_rollout_map_is_the_class_tokens_row_of_rollout():
    model = load_mnist_vit()
    images = torch.rand(3, 1, 28, 28)
    grid = model.patch_embedding.grid
    with am.capture_attention(model) as weights, torch.no_grad():
        model(images)
    for residual in (True, False):
        expected = am.class_token_attention(am.attention_rollout(weights, residual=residual), grid)
        assert torch.allclose(am.rollout_map(model, images, grid, residual), expected)


def test_top_patch_table_marks_blank_top_patches_and_reads_each_head():
    maps = torch.zeros(2, 2, 2, 2)
    maps[0, 0, 0, 1], maps[0, 1, 1, 1] = 0.9, 0.6
    maps[1, 0, 1, 0], maps[1, 1, 0, 0] = 0.7, 0.4
    ink = torch.tensor([[[False, True], [False, False]], [[True, True], [True, True]]])
    top = am.top_patch_table(maps, ink, [6, 3], [0, 1])
    assert [row[:3] for row in top.rows] == [(0, 0, (0, 1)), (0, 1, (1, 1)), (1, 0, (1, 0)), (1, 1, (0, 0))]
    assert [inked for *_, inked in top.rows] == [True, False, True, True]
    lines = str(top).splitlines()
    assert lines[1].startswith("a 6") and "0.60*" in lines[1] and "0.90 " in lines[1]
    assert lines[2].startswith("a 3") and "*" not in lines[2]


def test_area_table_has_one_line_per_order_with_its_interval():
    areas = {"rollout": torch.tensor([0.1, 0.2, 0.3]), "ink first": torch.tensor([0.2, 0.2, 0.2])}
    text = am.area_table(areas, {"rollout": "map", "ink first": "control, no model"})
    lines = text.splitlines()
    assert "3 test digits" in lines[0] and len(lines) == 3
    assert lines[1].startswith("rollout") and "0.200, 95 % interval" in lines[1]


def test_the_stored_cascades_median_digit_is_the_lessons_seven():
    cascade = am.stored_cascade()
    digit = cascade.median_digit()
    assert digit == 12
    lines = cascade.digit_lines(digit).splitlines()
    assert len(lines) == len(cascade.rows) and lines[0].split()[0] == "classifier"
