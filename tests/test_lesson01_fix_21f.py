"""Lesson 01, review r21e: the canvas run's 20 epochs said plainly, the 98.75 % family named, "of these three routes",
library versions moved to a note at the lesson's end, a plain sentence before each set of statistics, the shuffle
picture's title, T2T-ViT's other ViT-S/16, and ViT-B/32's token count printed."""

from __future__ import annotations

import re

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
LESSON07 = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
VERSIONS = ("1.0.28", "8ef7380", "16fc24d", "5.23.0", "1.23.6", "1.26.14")


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return visible[:end]


def _main_text() -> str:
    return nb.flat("\n".join(nb.source(c) for c in _main_path() if c["cell_type"] == "markdown"))


def _cell(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def test_the_main_path_did_not_grow() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 51 and words <= 2988


def test_item3_the_canvas_run_is_20_epochs_not_the_recipe_s_50() -> None:
    six = _cell("## 6 · Going deeper")
    assert "trained section 5's recipe for 20 epochs instead of 50 on digits" in six
    assert "get 76.8, 83.0 and 74.5 % of the moved test digits right (printed below): partly trained models." in six
    assert "the same recipe (seed 0, 20 epochs)" not in nb.flat(nb.all_text(LESSON))
    printed = nb.all_printed(LESSON)
    assert "trained: 50 epochs on 3,500 training digits" in printed
    assert "pos_embedding (1, 65, 64), 20 epochs" in printed and "8x8 s0: moved test digits 76.8% right" in printed


def test_item6_the_family_of_four_readings_is_named_where_printed() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, 'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    assert "98.75" not in sources[at] and "98.75 %" not in nb.printed(cells[at])  # 24b: the bookkeeping left section 6
    assert "(4 readings per table)" not in sources[at]
    sources, cells = nb.sources(APPENDIX), nb.cells(APPENDIX)
    at = nb.unique_index(sources, "section6_runs = {0: stored_shifted_positions(")  # 24b: moved to appendix A
    line = "98.75 % = 1 - 0.05 / 4: a table's 4 readings (the two below; row - column and below - right above) are one "
    line += "family"
    assert line in sources[at] and nb.printed(cells[at]).count("98.75 % interval") == 6  # 24b: level on each line


def test_item7_only_unfold_among_these_three_routes() -> None:
    assert "Of these three routes, only `Unfold` also gives **overlapping raw windows**" in _main_text()
    assert "of the three, only `Unfold` also gives overlapping raw windows" in _cell("## Summary")
    assert "default. Only `Unfold`" not in _main_text()


def test_item1_versions_leave_the_main_prose_for_a_note_after_the_exercises() -> None:
    text = _main_text()
    assert not [v for v in VERSIONS if v in text]
    assert "`vit_base_patch16_224` (versions: end of the lesson)" in text
    assert "timm's `resample_abs_pos_embed` and Hugging Face's `interpolate_pos_encoding`" in text
    sources = nb.sources(LESSON)
    note = nb.unique_index(sources, "## Versions read")
    last_exercise = max(i for i, s in enumerate(sources) if s.startswith("### Exercise"))
    assert last_exercise < note < nb.unique_index(sources, "## References")
    versions = nb.flat(sources[note])
    assert all(v in versions for v in VERSIONS)
    assert "`load_pretrained` in `vit_jax/checkpoint.py`, commit 16fc24d" in versions


def test_item9_a_plain_sentence_before_each_set_of_statistics() -> None:
    assert _cell("Shuffling the patches costs").startswith(
        "Shuffling the patches costs the trained model most of its accuracy. With seed 0's permutation it gets 21.8 %"
    )
    moved = nb.sources(APPENDIX)  # 24b: moved to appendix A
    six = nb.flat(moved[nb.unique_index(moved, "What you should now see: in the inner maps")])
    plain = "In plain words: on all three runs, same-row positions are more alike than those sharing neither row"
    assert plain in six  # 23b: the closeness reading moved to appendix A
    assert "These two readings measure closeness" in nb.flat(nb.all_text(APPENDIX))
    assert "not shown, nor ruled out" not in six
    seven = _cell("**What the accuracies show**", APPENDIX)  # 24f: moved to appendix B
    plain = "In plain words: resized in 2-D, the table keeps nearly all the accuracy; stretched in 1-D, it loses about"
    assert plain in seven and seven.index(plain) < seven.index("-1.0 points")
    eight = _cell("In plain words: the patch cut follows only whole-patch shifts")
    assert eight.index("In plain words") < eight.index("(0.00)")
    assert (
        "strided CNNs are equivariant only to shifts by multiples of their stride (Azulay & Weiss 2019; Zhang 2019)"
        in eight
    )


def test_item5_the_shuffle_picture_counts_its_eight_and_all_1000() -> None:
    from vit_explained.plotting.lesson01 import plot_shuffled_digits

    digits = torch.rand(3, 1, 8, 8)
    fig = plot_shuffled_digits(digits, digits, torch.tensor([1, 2, 3]), torch.tensor([1, 0, 3]), overall=(0.218, 1000))
    assert fig._suptitle.get_text().endswith("\n2 of these 3 right; 21.8 % of all 1,000")
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, "plot_shuffled_digits(")
    assert "overall=(right_shuffled.float().mean().item(), len(right_shuffled))" in sources[at]
    assert "assert int((guessed == labels[:8]).sum()) == 4" in sources[at + 1] and nb.hidden(nb.cells(LESSON)[at + 1])


def test_item4_t2t_vit_s_16_is_another_model_as_lesson_07_says() -> None:
    said = "T2T-ViT's ViT-S/16 is another model, 8 blocks of width 768 ([lesson 07](07_tokens_to_token_vit.ipynb)"
    assert said in nb.flat(nb.all_text(APPENDIX))  # 21i: moved to appendix F
    assert "The T2T paper's ViT-S/16 is **8 blocks of width 768**" in nb.flat(nb.all_text(LESSON07))


def test_item8_vit_b32_token_count_printed_by_the_package() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "P, D = 16, 768")
    assert "patch_grid(H, W, 32)" in sources[at]
    line = "ViT-B/32: 7 x 7 = 49 patches + 1 = 50 tokens; attention matrix per head (197 / 50)^2 = 15.5 times smaller"
    assert line in nb.printed(cells[at])
    assert "(rows32, cols32) == (7, 7)" in sources[at + 1] and nb.hidden(cells[at + 1])


def test_item2_every_check_cell_is_collapsed_in_jupyterlab() -> None:
    checks = [c for c in nb.cells(LESSON) if nb.source(c).startswith("# @title A check")]
    assert len(checks) >= 15
    assert all(c["metadata"].get("jupyter", {}).get("source_hidden") is True for c in checks)
    assert not re.search(r"\bsource_hidden\b", "".join(nb.source(c) for c in checks))
