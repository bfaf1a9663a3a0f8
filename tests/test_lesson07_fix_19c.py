"""Lesson 07, fixes of 5 December 2026 (the review scored 8.5): the `Linear` arm is named a linear (affine) stem and
its linearity printed; T2T-ViT_c-14's activation is unknown (only its __init__ is released); the token-MLP arm is
paired with a T2T rerun from the same invocation; no verdict line beside "ahead"; Tables 6 and 7 cited by their
labels without a hedge; exercise 3 asks for gradients; section 6's figure draws the overlap pair only; less
meta-prose and a 4-row table of section 6's findings; the paper's reason for a small token_dim; the Summary's
published pair with its caveats."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "07_tokens_to_token_vit_solutions.ipynb"
RESULT = nb.ROOT / "benchmarks" / "results" / "lesson07_token_mlp.md"


def _index(sources, start):
    (i,) = [i for i, s in enumerate(sources) if s.startswith(start)]
    return i


def _section_6(sources):
    return sources[_index(sources, "## 6. Does T2T help?") : _index(sources, "## Summary")]


def test_the_linear_arm_is_called_an_affine_map_and_its_linearity_is_printed_and_checked():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat("\n".join(_section_6(sources)))
    assert "The `Linear` run above is a convolution stem" not in text
    # 20e (review r20d item 1): the affine/Conv2d argument moved to the Audits appendix; section 6 points there
    # 23a (review r22i item 1): this caveat moved to the appendix's Sources, next to the `Linear` arm
    assert 'the stem becomes one affine map of the pixels: appendix, "Audits"' in nb.flat(nb.all_text(APPENDIX))
    audits = nb.flat(sources[nb.unique_index(sources, "## Appendix · Audits")])
    assert "the `Linear` arm's T2T module is one affine map of the pixels" in audits
    assert (
        "a *linear* convolution stem, not the nonlinear kind later models use (convolution, BatchNorm, ReLU" in audits
    )
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    pattern = r"Linear arm below 1e-12 \(float64 rounding: one affine map\), token transformers \d+\.\d\d"
    assert re.search(pattern, printed)
    (check,) = [s for s in sources if 'affine_residual["Linear"] < 1e-12' in s]
    assert check.startswith("# @title A check")
    summary = nb.flat(sources[_index(sources, "## Summary")])
    # 24c (review r24b item 2): the Summary is a recap; the affine-map fact is the appendix's (Sources)
    assert "## Summary" in summary
    assert '(the stem becomes one affine map of the pixels: appendix, "Audits")' in nb.flat(nb.all_text(APPENDIX))
    further = nb.flat(sources[_index(sources, "## Going further")])
    assert "each with BatchNorm and ReLU" in further and "one affine map of the pixels" in further


def test_t2t_vit_c_14s_activation_is_stated_as_unknown():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "three `Conv2d` with no activation between" not in text
    assert (
        "defines three `Conv2d` and no activation or norm module; its forward, which would show any `F.relu`,"
        " is not released, so whether it had an activation is unknown" in text
    )


def test_the_token_mlp_arm_is_paired_with_a_t2t_rerun_of_the_same_invocation():
    result = RESULT.read_text()
    assert "Intel" in result or "AMD" in result  # the machine is named
    assert re.search(r"Measured on 2026-12-\d\d", result)
    assert "runs (6 seeds x 2 arms) in this one invocation on the machine named above" in result
    assert "| seed | with token transformers | token MLP in their place |" in result
    assert "(stored)" not in result.split("| seed |")[1]
    counts = re.findall(r"^\| \d+ \| ([\d.]+) % \| ([\d.]+) % \|", result, re.M)
    assert len(counts) == 6
    rerun = [round(float(t2t) * 1.8) for t2t, _ in counts]
    assert f"with token transformers, this run: {rerun}" in result
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "The benchmark's T2T rerun scored the same digits as the stored run." in text
    assert "trained in one invocation beside a rerun of the # T2T arm on one machine" in text  # the cell's comment


def test_no_verdict_line_beside_ahead_and_the_fresh_digit_caveat():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    (table,) = [i for i, s in enumerate(sources) if s.startswith("t2t_arm = [count / 180")]  # 24a: the intervals
    printed = nb.printed(cells[table])
    assert "token transformers - token MLP" not in printed and "no consistent difference" not in printed
    assert (  # 24a (review r23f item 2): token transformers minus the arm, the one convention
        "token transformers minus token MLP: -1.2 points, 95 % t-interval [-2.2, -0.2]; 5 of 6 seeds favour the"
        " token MLP, 1 ties; sign test p = 0.062" in printed
    )
    text = nb.flat("\n".join(_section_6(sources)))
    # review r19d: "matched or beat it on these 180 digits, 10 epochs"
    assert "The token MLP matched or beat the token transformers on these 180 digits, 10 epochs" in text
    # 21i (review r21h item 6): one caveat per arm in section 6; this one moved to the appendix's Sources
    sources_appendix = nb.flat(sources[nb.unique_index(sources, "## Appendix · Sources")])
    # 24c (review r24b item 1): the fixed-digits sentence moved here from section 6
    assert "The intervals cover seeds on one fixed set of 180 validation digits, not a new draw of digits." in (
        sources_appendix
    )
    summary = nb.flat(sources[_index(sources, "## Summary")])
    ahead = "a token MLP as large matched or beat them (section 6)"  # 24c: the Summary is a one-line recap
    assert ahead in summary


def test_tables_6_and_7_are_cited_by_their_labels_without_a_hedge():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "not rechecked" not in text and "not checked" not in text
    assert 'section 4.3, "Ablation study results on T2T module, Deep-Narrow(DN) structure"' in text
    for row in ("| T2T-ViT-14 (wo T2T) | no T2T module", "| T2T-ViT_c-14 | three convolutions", "| T2T-ViT-d768-4 |"):
        assert row in text, row
    assert "| deep-narrow (ViT-DN) | 16 x 384 | 24.5M | 5.5G | 79.0 % |" in text
    assert "section 4.2, From CNN to ViT" in text


def test_exercise_3_asks_for_gradients_in_both_notebooks():
    for path in (LESSON, SOLUTIONS):
        (exercise,) = [s for s in nb.sources(path) if s.startswith("### Exercise 3")]
        assert "Keep the gradients flowing" in exercise and "`.detach()`" in exercise, path.name


def test_section_6s_figure_draws_the_overlap_pair_and_the_scale_pair_sits_in_going_further():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    (main,) = [i for i, s in enumerate(sources) if 'save_figure(fig, "07_seed_pairs")' in s]
    (scale,) = [i for i, s in enumerate(sources) if 'save_figure(fig, "07_seed_pairs_scale")' in s]
    assert "scale_correct" not in sources[main] and "T2T's scale" in sources[scale]
    assert _index(sources, "## Summary") < _index(sources, "## Going further") < scale
    assert "scale-only run" not in nb.flat("\n".join(_section_6(sources)))
    assert (nb.ROOT / "figures" / "07_seed_pairs_scale.png").exists()


def test_meta_prose_is_cut_and_section_6_ends_on_a_four_row_table():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    for meta in (
        "What the cell below prints and draws",
        "Where to find the hard-patch row",
        "Section 6's summary gives",
        "Section 6 keeps one thread",
    ):
        assert meta not in text, meta
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    # the 2026-12-05 cut: the findings table repeated the two arm paragraphs; section 6 ends on the ImageNet sentence
    shows = nb.flat("\n".join(_section_6(sources)).split("**The `Linear` arm.**")[1])
    assert "### What section 6 shows" not in shows and "not comparable sizes." not in shows  # 24c: appendix
    assert "not comparable sizes." in nb.flat(nb.all_text(APPENDIX))
    assert "+8.8 points (95 % t-interval [+4.3, +13.3]" in shows and "95 % t-interval [-2.2, -0.2]" in shows


def test_the_small_token_dim_cites_the_papers_section_3_1():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "Why `token_dim` is 64, not the backbone's 384: the tokens are many, so the paper (section 3.1)" in text
    assert "32 or 64, to reduce MACs" in text


def test_the_summarys_published_pair_carries_its_caveats():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    summary = nb.flat(sources[_index(sources, "## Summary")])
    # 24c (review r24b item 2): the caveats stay in section 6 and the appendix; the Summary keeps the ratio
    assert "T2T-ViT_t-14 runs at 1.32x the MACs by this lesson's count." in summary
    section_6 = nb.flat("\n".join(_section_6(sources)))
    assert "Module, backbone and recipe all change together." in section_6
    assert 'each number is one run (appendix, "Sources")' in section_6
