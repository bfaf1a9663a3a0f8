"""Lesson 07, review r24f: exercise 1's message points to the Explore section; full sentences in sections 3, 4, 6
and "Going further"; the CPU SDPA backends printed and checked; a pointer to lucidrains' class of the same name."""

from tests import _notebook as nb
from vit_explained.exercises.lesson07 import check_receptive_field

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "07_tokens_to_token_vit_solutions.ipynb"


def _cell(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _field(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def test_exercise_1_points_to_the_explore_section_for_the_16_times(capsys):  # item 5
    check_receptive_field(_field)
    out = capsys.readouterr().out
    assert "Correct!" in out
    assert "has 16 times the attention entries (Explore, 'The T2T chain')." in out
    assert "(section 5)" not in out
    explore = _cell("## Explore · The T2T chain")
    assert "16 times T2T's attention entries" in explore  # the place the message names
    assert "16 times as much (section 5)" not in nb.all_printed(SOLUTIONS)


def test_the_clipped_sentences_are_full_sentences():  # item 1
    scale = _cell("**The scale uses the input width: `qk_scale`.**")
    definition = scale.split("```python")[0]
    assert "backbone scale" not in definition and "`q` and `k`." in definition
    assert scale.index("```python") < scale.index("its fact 3 gives the released weights' backbone scale.")
    models = _cell("**Two models are called ViT-S/16.**")
    assert "i.e. timm 0.3.4's `vit_small_patch16_224`, with `qkv_bias=False`." in models and "otherwise" not in models
    section_6 = _cell("## 6. Does T2T help?")
    assert "² The appendix recounts that row with section 5's counters (21.5M, 4.54G as built)." in section_6
    assert "² That row's" not in section_6
    arms = _cell("**The `Linear` arm.**")
    assert arms.endswith('Appendix, "What training does to the first token transformer", draws the trained layer.')
    going_further = _cell("## Going further · Where T2T stands today")
    assert "What follows the convolutions" not in going_further and "CvT/PVTv2:" not in going_further


def test_the_cpu_sdpa_backends_are_printed_and_checked():  # item 6
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    index = nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')
    assert "  on CPU, only the flash and math backends run" in nb.printed(cells[index]).splitlines()
    check = sources[index + 1]
    assert nb.hidden(cells[index + 1]) and '== ["MATH", "FLASH_ATTENTION"]' in check and "sdpa_kernel" in check


def test_going_further_points_to_lucidrains_class():  # item 4
    going_further = _cell("## Going further · Where T2T stands today")
    assert (
        "lucidrains' `vit_pytorch/t2t.py` is a different model of the same name: "
        '[appendix, "For porters", fact 4](07_tokens_to_token_vit_appendix.ipynb#porters).'
    ) in going_further


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2755
