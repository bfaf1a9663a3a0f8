"""Lesson 01, review r19d: the Summary states no absence the lesson does not show (columns are not detected,
nor the row-versus-column difference), and the border cluster's explanation is called what appendix A gives:
one tested, confounded hypothesis for centred digits."""

from __future__ import annotations

from tests import _notebook as nb

TEXT = nb.flat(nb.all_text(nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"))


def test_the_summary_says_not_detected_rather_than_absent():
    assert "alike within a row, not within a column" not in TEXT
    # 20a: each table read as its own family of 4; the summary states what those lines print
    appendix = nb.flat(nb.all_text(nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"))
    assert "**Row - column** is detected in the shipped model only (+0.29)" in appendix  # 20c: moved to appendix A
    assert "on no single 6x6 run, and not in the shipped model (+0.08)" in appendix  # 20e: the summary names neither


def test_the_border_cluster_pointer_claims_only_what_appendix_a_shows():
    assert "appendix A shows why the border patches cluster" not in TEXT
    appendix = nb.flat(nb.all_text(nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"))  # 20e: moved there
    assert "measures the border cluster and tests one explanation, confounded, for centred digits" in appendix
