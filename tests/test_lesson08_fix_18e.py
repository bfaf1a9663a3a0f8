"""Lesson 08, fix round 18e: section 9 reads a centred ρ (the layout all digits share subtracted) and the
gradient-weighted map's different-digit reference; section 10 names the fill's blind spot and the fitted controls;
exercise 4 names a (B, num_classes) result by its shape, exercise 2 a missing return; messages name the slip
without handing over the fix's code."""

import json
from pathlib import Path

import pytest
import torch

from tests.test_lesson08_fix_17a import _rolled, _rows_cols
from vit_explained.attention_maps import centred_rank_correlation, noise_floor, rank_correlation
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson08 as ex

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_attention_maps.ipynb"


def _sources():
    return ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]


def test_centred_rank_correlation_drops_the_shared_layout():
    generator = torch.Generator().manual_seed(0)
    layout = 10 * torch.arange(16.0).reshape(1, 4, 4)  # one strong layout every map shares
    a = layout + torch.rand(6, 4, 4, generator=generator)
    b = layout + torch.rand(6, 4, 4, generator=generator)  # the same layout, unrelated detail
    assert rank_correlation(a, b).min() > 0.99  # plain ρ: the layout alone looks like agreement
    assert centred_rank_correlation(a, b).abs().mean() < 0.5  # centred: what is left is unrelated
    assert torch.allclose(centred_rank_correlation(a, a), torch.ones(6, dtype=torch.float64))
    with pytest.raises(ValueError, match="B >= 2"):
        centred_rank_correlation(a[:1], b[:1])


def test_noise_floor_also_gives_the_centred_rho():
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(5, 1, 12, 12), torch.tensor([0, 1, 2, 3, 0])
    quiet = noise_floor(model, images, labels, (3, 3), scale=0.0)
    assert set(quiet.centred) == set(quiet.rho)
    assert all(torch.allclose(r, torch.ones_like(r)) for r in quiet.centred.values())


def test_section_9_reads_the_centred_rho_and_the_mechanism():
    sources = _sources()
    section = "\n".join(sources[next(i for i, s in enumerate(sources) if s.startswith("## 9 ")) :][:12])
    assert "below the lower reference" not in section and "lower reference" not in section
    assert "centred ρ" in section and "other-digits reference" in section  # 19d: each digit against the 31 others
    flowing = " ".join(section.split())  # 18f: "consistent with", no "because", may wrap
    appendix_text = " ".join(NOTEBOOK.with_name("08_attention_maps_appendix.ipynb").read_text().split())
    assert "block 0's trained attention on" in appendix_text and "consistent with nearly flat" in appendix_text  # 20c
    assert "**other digits** (the other 31, averaged)" in flowing  # 20c: the paired table; 23b: tightened
    assert "/ 0.51, 95 % interval [0.47, 0.55] (n = 32)" in NOTEBOOK.read_text()  # printed with the references
    summary = next(s for s in sources if s.startswith("## Summary"))
    assert "plain ρ against another digit's map" in summary and "a strong reference fitted to the score" in summary
    assert "a ceiling" not in summary  # 20c: greedy is no upper bound
    appendix = NOTEBOOK.with_name("08_attention_maps_appendix.ipynb").read_text()  # 19b: the centred ρ moved there
    assert "falls to a different digit's level (0.10)" in appendix


def test_section_10_names_the_fill_and_the_fitted_controls():
    sources = _sources()
    verdict = next(s for s in sources if s.startswith("**Verdict:** on this model and these 200 digits"))
    assert "cannot credit evidence from blank regions" in verdict
    assert "strong references fitted to the score, not peers" in verdict  # 20c: not "a ceiling"
    assert "<details>" in verdict  # 21b: attention flow's "not tested" is said once, in section 6 (the same fact)
    flow = " ".join(next(s for s in sources if "Both rank `p1` first" in s).split())
    assert "Flow is left out beyond this toy for scope" in flow
    finding = next(s for s in sources if s.startswith("## 10 "))
    assert "<details>" not in finding and "was not paired" in verdict.split("<details>")[1]  # 19d: one box
    assert not any("(not paired; the cell below pairs it)" in s for s in sources)
    assert any(s.rstrip().endswith("(sections 7 to 10).") for s in sources)  # section 6 ends in its own cell
    assert any(s.startswith("## 7 · Does the attention land on the ink?") for s in sources)


def test_exercise_4_names_class_probabilities_by_their_shape():
    def every_class(model, images, labels, scores, counts):
        with torch.no_grad():
            return model(images).softmax(-1)  # (B, num_classes): here as wide as len(counts)

    def every_class_per_count(model, images, labels, scores, counts):
        with torch.no_grad():
            return torch.stack([model(images).softmax(-1) for _ in counts], 1)

    for slip in (every_class, every_class_per_count):
        with pytest.raises(ExerciseFailed, match="one probability per class") as failure:
            ex.check_insertion_curve(slip)
        assert "(B, len(counts))" in str(failure.value)


def test_exercise_2_names_a_missing_return_without_a_number():
    with pytest.raises(ExerciseFailed, match="returned None") as failure:
        ex.check_rollout(lambda matrices, keep: None)
    assert "a number" not in str(failure.value)


def _reversed_rollout(matrices, keep):
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = eye.expand_as(matrices[0]).clone()
    for a in matrices:
        mixed = keep * eye + (1 - keep) * a
        result = result @ (mixed / mixed.sum(-1, keepdim=True))
    return result


def test_messages_name_the_slip_without_the_fix_code():
    with pytest.raises(ExerciseFailed, match="layer order reversed") as failure:
        ex.check_rollout(_reversed_rollout)
    assert "mixed @ rollout" not in str(failure.value)
    with pytest.raises(ExerciseFailed, match="column 0, the class token itself") as failure:
        ex.check_max_fusion_top_patch(lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1), c))
    assert "R[:, 0, 1:]" not in str(failure.value)
    with pytest.raises(ExerciseFailed, match="you read the last token's row") as failure:
        ex.check_max_fusion_top_patch(lambda w, r, c: _rows_cols(_rolled(w)[:, -1, 1:].argmax(-1), c))
    assert "R[:, 0, 1:]" not in str(failure.value)
    for message in ex._MAX_FUSION_MISTAKES.values():
        assert "amax(dim=1)" not in message and "R = mixed @ R" not in message
