"""Lesson 01, review r20f: the references list every work the lesson cites (Steiner et al., Azulay & Weiss, Zhang,
the anchors), the position table's initialisations beside the class token's, and the shuffle sentence says
permutation-equivariant rather than "ignores token order"."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"
SOURCES = nb.sources(LESSON)


def test_references_cover_the_works_cited():
    refs = nb.flat(SOURCES[nb.unique_index(SOURCES, "## References")])
    for cited in ("arXiv:2106.10270", "arXiv:1805.12177", "arXiv:1904.11486", "Dive into Deep Learning", "tutorial 15"):
        assert cited in refs, cited


def test_position_table_initialisations_are_named():
    appendix = nb.sources(nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb")  # 21a: moved to appendix F
    text = nb.flat(appendix[nb.unique_index(appendix, "### How code starts the class token and the table (section 5)")])
    assert "the JAX code's `posemb_init` is a normal of std 0.02" in text and "lucidrains `torch.randn`" in text


def test_shuffle_sentence_says_equivariant():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "Without positions a shuffle changes nothing")])
    assert "permutation-equivariant" in text and "ignores token order" not in text
