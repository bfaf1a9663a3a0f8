"""Lesson 08, review r19e: 'on ink more than chance' used only the 33 % share of inked patches as the bar; MNIST's ink
sits in the centre, so section 7 and the Summary say an image-blind, centre-favouring map beats that share too and
that the lift over one is not measured there."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"


def test_section_7_names_the_low_bar_and_the_image_blind_control():
    sources = nb.sources(LESSON)
    section = nb.flat(next(s for s in sources if s.startswith("## 7 · Does the attention land on the ink?")))
    assert "on ink more than chance" not in section
    reading = nb.flat(next(s for s in sources if s.startswith("**Reading the chart:**")))  # 20c: after the chart
    assert "on ink more than the 33 % chance share" in reading
    # 20a: the lift over the image-blind map is now measured there (tests/test_lesson08_fix_20a.py)
    assert "a map that favours central patches without looking at the" in section and "low bar" in section


def test_the_summary_does_not_read_the_ink_share_as_reading_the_digit():
    summary = nb.flat(next(s for s in nb.sources(LESSON) if s.startswith("## Summary")))
    assert "an image-blind" in summary and "already puts 52.7 % there" in summary  # 20a: the lift, measured
