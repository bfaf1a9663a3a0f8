"""Lesson 09, review r23f_09: timm starts ``cls_token`` at normal(std 1e-6), not trunc-normal 0.02 (read in
timm 0.6.5 and 1.0.28: ``VisionTransformerDistilled.init_weights`` draws ``dist_token`` with ``trunc_normal_(.02)`` and
then calls ``VisionTransformer.init_weights``, which sets ``nn.init.normal_(self.cls_token, std=1e-6)``)."""

from tests import _notebook as nb

LESSON = "notebooks/09_deit_distillation.ipynb"


def test_token_init_sentence_separates_deit_from_timm():
    text = nb.flat(" ".join(nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == "markdown"))
    assert "like DeiT and timm" not in text
    assert "like DeiT; timm starts `cls_token` at std 1e-6." in text
