"""Lesson 09, fix 24e (review r24d_09): the paper's 0.999 is the two class tokens' learned (input) vectors, their
outputs only "quasi-identical"; no block output is compared with 0.999; the Summary's Table 3 gains are DeiT-B's;
section 3b's bold sentence keeps to the heads; the figure's 7 -> 1 bars are labelled "rerun"; exercise 1's checker
names the heads axis for ``w[:, q, s:]``."""

import pytest

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson09

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb"


def test_the_0999_is_compared_input_with_input_and_outputs_with_outputs():
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, "cosines.append(")
    prose = nb.flat(sources[at - 1])
    assert "the two learned tokens' cosine is 0.06 at the input, rising to 0.93 after its 12 layers" in prose
    assert 'converge to 0.999 at the input, their outputs "quasi-identical" (no number).' in prose
    assert "end at 0.999" not in prose and "(before the final LayerNorm; input = tokens + position embeddings)" in prose
    assert "0.999" not in sources[at + 1] and "well below" not in sources[at + 1]
    row = next(line for line in nb.sources(APPENDIX)[4].splitlines() if "two class tokens trained" in line)
    assert 'converge to cosine 0.999 as learned (input) tokens, their outputs "quasi-identical" (no number)' in row
    assert "end at cosine 0.999" not in row


def test_the_summary_names_deit_b_for_the_table_3_gains():
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0])
    assert "DeiT-B's Table 3 gains (1.2 to 1.6 points, on ImageNet)" in summary
    assert "the paper's Table 3 gains" not in summary
    assert "113 scattered mistakes" in summary and "the true one on 57 (appendix B)" in summary
    assert "(appendix B: 3 seeds, MNIST, +0.9 points [-4.5, +6.3])" in summary


def test_the_bold_sentence_keeps_to_the_heads():
    sources = nb.sources(LESSON)
    claim = nb.flat(sources[nb.unique_index(sources, "On every seed the distillation head calls most held-out 7s")])
    bold = claim.split("**")[1]
    assert bold.startswith("the distillation head follows a systematic mistake") and "averaged" not in bold
    assert "DeiT's averaged output calls 41 to 45" not in claim


def test_the_figures_7_to_1_bars_are_labelled_rerun():
    sources = nb.sources(LESSON)
    picture = sources[nb.unique_index(sources, "averaged_40 = [proportion(")]
    assert 'f"{head} head, 7 → 1 teacher (rerun)"' in picture
    assert 'bars["averaged output, 7 → 1 teacher (rerun)"]' in picture


def test_exercise_1_names_the_heads_axis_when_the_query_lands_on_it():
    def heads_dropped(w, q, s, r, c):
        return w[:, q, s:].reshape(w.shape[0], w.shape[1], r, c)

    def heads_dropped_inferred(w, q, s, r, c):
        return w[:, q, s:].reshape(-1, w.shape[1], r, c)

    for wrong in (heads_dropped, heads_dropped_inferred):
        with pytest.raises(ExerciseFailed, match="the second index picks a head, not a query") as failure:
            lesson09.check_token_map(wrong)
        assert "weights[:, :, query, special_tokens:]" in str(failure.value)
        assert "special_tokens decides where the patches start" not in str(failure.value)

    def right(w, q, s, r, c):
        return w[:, :, q, s:].reshape(w.shape[0], w.shape[1], r, c)

    lesson09.check_token_map(right)
