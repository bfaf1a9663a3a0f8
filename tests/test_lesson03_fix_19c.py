"""Review r19b_03's items, checked on the stored lesson 03 and its new appendix notebook."""

from __future__ import annotations

import inspect

from tests import _notebook as nb
from vit_explained.plotting import lesson03 as plots

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
APPENDIX_LINK = "03_attention_shapes_appendix.ipynb#appendix-"


def _index(path, text: str) -> int:
    found = [i for i, cell in enumerate(nb.cells(path)) if text in nb.flat(nb.source(cell))]
    assert found, text
    return found[0]


def _main_path(path=LESSON) -> list[dict]:
    cells = nb.cells(path)
    return cells[: _index(path, "## Summary")]


def test_appendix_exists_in_the_common_form():
    cells = nb.cells(APPENDIX)
    title = nb.source(cells[0])
    assert title.startswith("# 03 · Appendix:") and "labpath=notebooks%2F03_attention_shapes_appendix.ipynb" in title
    assert "(03_attention_shapes.ipynb)" in title and "section numbers are the lesson's" in title
    assert nb.source(cells[1]).startswith("# On Google Colab, install the package first")
    assert "torch.manual_seed(0)" in nb.source(cells[2])
    for letter in "abcdefghij":
        assert any(f'<a id="appendix-{letter}"></a>' in nb.source(c) for c in cells), letter
    hidden = [c for c in cells if "hide-input" in c["metadata"].get("tags", [])]
    assert len(hidden) >= 19  # the moved sections keep their checks (r19c: E's four-head check is in the lesson)


def test_tail_moved_to_the_appendix_and_lesson_keeps_copy_task_and_mask_polarity():
    lesson, appendix = nb.all_text(LESSON), nb.all_text(APPENDIX)
    for moved in (
        "def saved_for_backward",
        "profile_attention(",
        "fold_scale_report",
        "mean_attention_distance(",
        "scale_toggle_rows",
        "inspect.getsource(getattr(Attention",
        "explore_heads = heads_widget(",
        "first_look = ",
    ):
        assert moved in appendix and moved not in lesson, moved
    assert "stored_copy_task" in lesson and "## Going further: mask polarity" in lesson
    assert [nb.source(c).splitlines()[0] for c in nb.cells(LESSON) if nb.source(c).startswith("## Going further")] == [
        "## Going further: attention learns the pattern a task needs",
        "## Going further: mask polarity",
        "## Going further: QK-norm",  # review r24a: where practice moved (tests/test_lesson03_fix_24b.py)
    ]
    assert "This appendix" not in lesson and 'the appendix "' not in lesson
    # every appendix the lesson names is a link to one of its anchors
    for cell in nb.cells(LESSON):
        text = nb.source(cell).replace(APPENDIX_LINK, "")
        assert "(appendix)" not in text and 'appendix "' not in text


def test_section_3_training_is_one_paragraph_and_the_seed_history_moved():
    main = "\n".join(nb.source(c) for c in _main_path())
    assert "The seeds, as run" not in main and "first_look" not in main and "A confound." not in main
    assert "7.4 points less accuracy, 95 % interval 4.4 to 10.4" in nb.flat(main)
    appendix = nb.all_text(APPENDIX)
    assert "**The seeds, as run.**" in appendix and "seeds 0..2, the first look:" in nb.all_printed(APPENDIX)


def test_summary_bullets_5_and_6():
    summary = nb.flat(nb.source(nb.cells(LESSON)[_index(LESSON, "## Summary")]))
    assert (
        "Without the scale one head of $d = 64$ trained worse on the 8x8 digits at the recipe's LR; "
        "four heads of $d = 16$ showed no detectable difference"
    ) in summary
    assert "sign test" not in summary and "nominal" not in summary
    # review r23c: the tenth left the Summary; it stands in appendix I, where it is printed (0.10) and checked
    appendix_i = nb.flat(nb.all_text(APPENDIX))
    assert "The fused path's peak at 3136 tokens is about a tenth of one matrix" in appendix_i
    assert "fused at 3136: 0.10" in nb.all_printed(APPENDIX) and "peaked at a tenth" not in summary
    text = nb.flat(nb.all_text(LESSON))
    assert "8.5 times less gradient than the others at $d = 64$" in text


def test_cell_9_wording_and_check():
    text = nb.flat(nb.all_text(LESSON))
    assert "mostly token 2's value" not in text and "weighted most towards token 2's value $(1, 0)$" in text
    assert "int(head0[3].argmax()) == 2" in text


def test_layout_explorer_opens_on_the_correct_split():
    cells = nb.cells(LESSON)
    i = _index(LESSON, "explore_split = head_layout_widget(")
    assert 'split="reshape + permute"' in nb.source(cells[i])
    assert "HeadLayoutWidget: reshape + permute" in "".join(cells[i]["outputs"][0]["data"]["text/plain"])
    assert "GPT-NeoX" not in nb.source(cells[i - 1])
    assert "third split loads an (h three d) weight" in nb.flat(
        nb.source(cells[_index(LESSON, "UvA's deep-learning tutorial 6")])
    )


def test_heads_widget_left_the_main_path():
    assert not any("heads_widget(" in nb.source(c) for c in _main_path())


def test_trained_head_picked_by_a_stated_rule():
    cells = nb.cells(APPENDIX)  # review r20g: section 0's trained half moved to appendix E
    i = _index(APPENDIX, "mnist_vit = load_mnist_vit()")
    code = nb.source(cells[i])
    assert (
        "block, head = 1, 2" not in code and "plots.pick_head_and_query(" in code
    )  # review r19c: the rule in the package
    assert "head = int(ink_by_head.argmax())" in inspect.getsource(plots.pick_head_and_query)
    assert "weight on the ink per head: 86%, 89%, 91%, 89% -> head 2" in nb.printed(cells[i])
    prose = nb.flat(nb.source(cells[i + 1]))
    assert "by eye" not in prose and "91 %" in prose and "86 to 89 %" in prose
    assert "head == 2" in nb.source(cells[i + 2])


def test_exercise_3_prompt_does_not_list_the_slips():
    prompt = nb.flat(nb.source(nb.cells(LESSON)[_index(LESSON, "### Exercise 3")]))
    assert "The checker names the usual slips." in prompt
    for slip in ("1/\\sqrt{N}", "hard-coded", "wrong axis", "instead of $v$"):
        assert slip not in prompt


def test_timm_version_is_a_checkable_commit():
    text = nb.flat(nb.all_text(APPENDIX) + nb.all_text(LESSON))
    assert "1.0.31" not in text
    assert "commit `aa4b5850` of huggingface/pytorch-image-models" in text and "`1.0.29.dev0`" in text
