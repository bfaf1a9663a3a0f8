"""Lesson 09, fix 24c (review r24b_09): the class head's claim worded to its measure (none of 50 on any of 3 seeds,
Wilson upper bound 7 %, printed and asserted); section 3 split into the two losses and a planted mistake (3b), the
8-epoch arms and the soft tau = 3 arm moved to appendix B; the 40-epoch figure drawn from one run; the printed
``_make_tokens`` keeps its ``trunc_normal_`` lines; exercise 2b names a softened class term; "in DeiT", not DeiT-B;
the two-heads-one-token control (``TwoHeadsOneToken``) and the 40-epoch one-token arm in the bench script."""

import sys

import pytest
import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained.distill import DEIT_CONFIG, OneToken, TwoHeadsOneToken
from vit_explained.exercises import ExerciseFailed, lesson09

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = nb.NOTEBOOKS / "09_deit_distillation_appendix.ipynb"
BOUND = "the class head calls none of the 50 validation 7s a 1 on any of 3 seeds (Wilson upper bound 7 %"


def _main_text() -> str:
    return "\n".join(nb.source(c) for c in nb.main_path(LESSON) if c["cell_type"] == "markdown")


def _summary() -> str:
    sources = nb.sources(LESSON)
    return sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0]


def test_the_class_heads_claim_names_its_measure_and_the_bound_is_printed_and_asserted():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    assert "does not pick up the mistake" not in _main_text() + _summary()
    assert BOUND in nb.flat(_main_text()).replace("**", "") and BOUND in nb.flat(_summary())
    at = nb.unique_index(sources, "class_bound = max(s.high for s in class_1)")
    assert "class head, 7 → 1 teacher: 0, 0, 0 of the 50 on seeds 0, 1, 2; Wilson 95 % upper bound 7.1 %" in nb.printed(
        cells[at]
    )
    assert nb.hidden(cells[at + 1]) and "round(100 * class_bound) == 7" in sources[at + 1]
    assert "a higher p(1) on the 7s, is not measured there" in nb.flat(_main_text())


def test_section_3_is_split_and_the_8_epoch_arms_live_in_appendix_b():
    main = _main_text()
    assert "## 3 · Hard distillation: the two losses" in main
    assert "## 3b · A planted mistake: does each head follow its own targets?" in main
    assert "**In 8-epoch runs**" not in main and "\\tau = 3$ the class head calls" not in main
    assert "too noisy" not in main and "Fisher" not in main
    appendix = nb.sources(APPENDIX)
    at = nb.unique_index(appendix, "**In 8-epoch runs**")
    assert nb.unique_index(appendix, "## Appendix B") < at < nb.unique_index(appendix, "## Appendix C")
    assert 'id="eight-epoch-arms"' in appendix[at - 1]
    assert "09_deit_distillation_appendix.ipynb#eight-epoch-arms" in main


def test_the_summary_points_to_the_limits_box_without_repeating_it():
    (line,) = [x for x in _summary().splitlines() if x.startswith("**Limitations.**")]
    assert line == "**Limitations.** Section 3b's Limits box; the 8-epoch arms and their caveats are in appendix B."
    box = next(s for s in nb.sources(LESSON) if "> **Limits.**" in s).split("> **Limits.**")[1]
    assert nb.flat(box)[:40] not in line


def test_the_40_epoch_figure_takes_its_7_to_1_groups_from_one_run_and_names_the_threads():
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, 'fig = plot_relabel_ablation(bars, digits="50 validation 7s", epochs=40,')
    assert 'called_1["7 → 1", head]' not in sources[at] and 'run[f"{head}_says_1"]) for run in rerun]' in sources[at]
    assert "1 torch thread per run" in sources[at] and "(one torch thread per run)" in nb.printed(nb.cells(LESSON)[at])


def test_the_printed_make_tokens_shows_its_trunc_normal_lines():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "made = [line for line in inspect.getsource(DeiT._make_tokens)")
    out = nb.printed(cells[at])
    assert "nn.init.trunc_normal_(self.class_token, std=0.02)" in out
    assert "nn.init.trunc_normal_(self.distillation_token, std=0.02)" in out
    assert "Not printed: its `trunc_normal_` lines" not in _main_text()


def test_the_paper_cosine_is_said_of_deit_not_deit_b():
    main = nb.flat(_main_text())
    assert "In DeiT (the paper's section 4) the two learned tokens' cosine is 0.06" in main
    assert "DeiT-B the two tokens" not in main


def test_cells_20_and_22_are_full_sentences_opening_with_the_takeaway():
    main = nb.flat(_main_text())
    assert "Not by accuracy, as Table 3 does." not in main and "Only on one planted mistake" not in main
    assert "This lesson never compares their accuracy, as Table 3 does." in main
    assert "(Table 3's soft and hard rows use one head and no distillation token.) They" not in main


def _soft(class_logits, distillation_logits, labels, teacher_logits, tau, lam, *, class_tau=1.0):
    kl = F.kl_div(
        F.log_softmax(distillation_logits / tau, -1),
        F.log_softmax(teacher_logits / tau, -1),
        reduction="batchmean",
        log_target=True,
    )
    return (1 - lam) * F.cross_entropy(class_logits / class_tau, labels) + lam * tau**2 * kl


def test_exercise_2b_names_a_class_term_softened_by_tau():
    def slip(c, d, y, t, tau, lam):
        return _soft(c, d, y, t, tau, lam, class_tau=tau)

    with pytest.raises(ExerciseFailed, match="the class term uses the raw logits, not logits / tau"):
        lesson09.check_soft_distillation(slip)


def _by_hand(c, d, y, t, tau, lam):
    log_s, log_t = (d / tau).log_softmax(-1), (t / tau).log_softmax(-1)
    kl = (log_t.exp() * (log_t - log_s)).sum(-1).mean()
    return -(1 - lam) * c.log_softmax(-1).gather(1, y[:, None]).mean() + lam * tau**2 * kl


def _probabilities(c, d, y, t, tau, lam):
    p_t = F.softmax(t / tau, dim=-1)
    kl = F.kl_div(F.log_softmax(d / tau, dim=-1), p_t, reduction="sum") / len(y)
    return (1 - lam) * F.nll_loss(F.log_softmax(c, dim=-1), y) + (lam * tau * tau) * kl


@pytest.mark.parametrize("answer", [_soft, _by_hand, _probabilities])
def test_exercise_2b_still_passes_right_answers(answer):
    lesson09.check_soft_distillation(answer)


def test_two_heads_one_token_has_two_heads_on_the_class_token():
    torch.manual_seed(0)
    model = TwoHeadsOneToken(**DEIT_CONFIG).train()
    assert not hasattr(model, "distillation_token") and model.pos_embedding.shape[1] == model.num_patches + 1
    images = torch.randn(3, 1, 28, 28)
    class_logits, distillation_logits = model(images)  # training mode: both heads
    assert class_logits.shape == distillation_logits.shape == (3, 10)
    token = model.forward_features(images)[:, 0]
    assert torch.allclose(class_logits, model.head(token))
    assert torch.allclose(distillation_logits, model.head_dist(token))
    assert not torch.allclose(class_logits, distillation_logits)  # two heads, not one read twice
    one = OneToken(**DEIT_CONFIG)
    assert sum(p.numel() for p in model.parameters()) - sum(p.numel() for p in one.parameters()) == 64 * 10 + 10
    model.eval()
    assert torch.allclose(model(images), (class_logits + distillation_logits) / 2, atol=1e-6)


def test_the_bench_script_has_the_two_new_arms_and_scores_them():
    sys.path.insert(0, str(nb.ROOT / "benchmarks"))
    from bench_lesson09_relabel import ARMS, SCORED_ARMS, STUDENTS, _scores

    assert ARMS["one-token"] == (True, "hard", 40) and ARMS["short-two-heads-one-token"] == (True, "hard", 8)
    assert STUDENTS["one-token"] is OneToken and STUDENTS["short-two-heads-one-token"] is TwoHeadsOneToken
    assert set(SCORED_ARMS) == {"one-token", "short-two-heads-one-token"}
    torch.manual_seed(0)
    model = TwoHeadsOneToken(**DEIT_CONFIG).eval()
    images = torch.randn(4, 1, 28, 28)
    scores = _scores(model, images)
    with torch.no_grad():
        class_logits, _ = model.forward_heads(images)
    assert scores["class_p1_mean"] == round(class_logits.softmax(-1)[:, 1].mean().item(), 4)
    assert scores["class_margin_mean"] == round((class_logits[:, 1] - class_logits[:, 7]).mean().item(), 4)
    names = {f"{head}_{measure}" for head in ("class", "distillation", "averaged") for measure in ("p1", "margin")}
    assert set(scores) == {f"{name}_mean" for name in names}


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 2838


def test_appendix_b_reads_the_two_heads_one_token_control_for_what_it_shows():
    sources, cells = nb.sources(APPENDIX), nb.cells(APPENDIX)
    at = nb.unique_index(sources, 'two_heads = arms["short-two-heads-one-token"]')
    assert nb.unique_index(sources, "## Appendix B") < at < nb.unique_index(sources, "## Appendix C")
    out = nb.printed(cells[at])
    assert "two heads, one token  3 [1, 8], 37 [28, 47], 11 [6, 19]" in out
    assert "Wilson intervals apart, per seed: [False, True, False]" in out
    assert nb.hidden(cells[at + 1]) and "apart_two == [False, True, False]" in sources[at + 1]
    prose = nb.flat(sources[at - 1])
    assert "Only on seed 1 do the Wilson intervals lie apart." in prose and "do not settle" in prose
    assert "Whether it needs its own token is not tested." not in nb.flat(" ".join(sources))
