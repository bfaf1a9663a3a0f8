"""Lesson 01, fix round t: the checkers name the batch/channel mix-up and a constant answer."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_interpolate_positions, check_patchify


def _batch_and_channels_mixed(images, patch_size):
    batch, channels, height, width = images.shape
    ph, pw = patch_size
    x = images.reshape(channels, batch, height // ph, ph, width // pw, pw)
    return x.permute(1, 2, 4, 3, 5, 0).reshape(batch, -1, ph * pw * channels)


def test_exercise_2_names_the_batch_and_channel_mix_up_not_a_hard_coded_size():
    with pytest.raises(ExerciseFailed) as failed:
        check_patchify(_batch_and_channels_mixed)
    message = str(failed.value)
    assert "mixes up the batch and channel axes" in message and "hard-coded" not in message


def test_exercise_4_names_a_memoised_answer_as_not_changing_with_the_input():
    cache: dict[str, torch.Tensor] = {}

    def memoised(pos, old_grid, new_grid):
        if "table" not in cache:
            (rows, cols), (new_rows, new_cols), dim = old_grid, new_grid, pos.shape[-1]
            grid = pos[:, 1:].reshape(1, rows, cols, dim).permute(0, 3, 1, 2)
            grid = F.interpolate(grid, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
            cache["table"] = torch.cat([pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, -1, dim)], dim=1)
        return cache["table"]

    with pytest.raises(ExerciseFailed) as failed:
        check_interpolate_positions(memoised)
    message = str(failed.value)
    assert "your answer does not change with the input" in message and "square-grid slip" not in message


def _sources_of(name):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / name
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def _sources():
    return _sources_of("01_patches_and_embeddings.ipynb")


def test_the_why_080_ablation_scrambles_the_centred_photo_and_appendix_c_is_linked():
    sources = _sources()
    appendix = list(_sources_of("01_patches_and_embeddings_appendix.ipynb"))  # fix round y: 'Why 0.80?' in appendix E
    ablation = next(s for s in appendix if "its pixels scrambled" in s and "torch.randperm" in s)
    assert "torch.rand(" not in ablation and "torch.randperm(H * W" in ablation
    prose = next(s for s in appendix if "Why 0.80?" in s)
    assert "scrambles that photo's pixel positions, one change" in prose and "centred random pixels" not in prose
    # round 17c: one appendix pointer at the end of section 4
    assert any(
        "(01_patches_and_embeddings_appendix.ipynb#appendix-e) asks why\nthe wrong tokens still correlate 0.80" in s
        for s in sources
    )
    link = "[Appendix C](01_patches_and_embeddings_appendix.ipynb#appendix-c)"  # fix round w; 24d: capital A
    assert any(link in s and "held-out test digits" in s for s in sources)  # 20e: section 6 reads the canvas model
    assert any("0.75 to 1.01 times as much as x 3: no further" in s for s in appendix)
    assert not any("within 1 %" in s for s in sources)


def test_section_6_pipeline_reuses_section_5s_model_instead_of_loading_it_again():
    sources = _sources()
    assert sum("load_mnist_vit()" in s and not s.startswith(("#", "<")) for s in sources if "=" in s) >= 1
    appendix = _sources_of("01_patches_and_embeddings_appendix.ipynb")  # 19b: the pipeline moved to appendix F
    pipeline = next(s for s in appendix if "digit_sequence = add_class_token(" in s)
    assert any("grid = mnist_vit.patch_embedding.grid" in s and "load_mnist_vit()" in s for s in sources)
    assert "load_mnist_vit()" not in pipeline and "load_mnist()" not in pipeline
