"""Lesson 06, review r19d: three sentences said more than the runs show: the test images are scored once
(section 2's attention read-out passes them through again, choosing nothing); a small gradient alone does not
prove a bug (the precedence bug's is small and it still trains); the blur is not needed for augmentation's
drop (appendix G's whole-pixel shifts lower both models too)."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
TEXT = nb.flat(nb.all_text(LESSON))
APPENDIX_TEXT = nb.flat(
    nb.all_text(nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb")
)  # round 21b: section 5's augmentation


def test_the_test_images_are_scored_once_and_read_again_without_choosing():
    assert "one time the lesson reads the shipped model's test images" not in TEXT
    assert "the one time the lesson scores the shipped model on its test images" in TEXT
    # round 21b: tightened; r23f: the attention read-out moved to the appendix
    assert "(the feature read-out below chooses nothing)" in TEXT


def test_a_small_gradient_alone_does_not_prove_a_bug():
    assert "a small gradient is a diagnostic, not a broken model" not in TEXT
    assert "a small gradient alone does not prove one" in TEXT


def test_the_blur_is_not_needed_for_the_drop():
    text = TEXT + " " + APPENDIX_TEXT  # round 21b: the augmentation reading moved to appendix D
    assert "these runs separate neither" not in text
    assert "The blur is not needed for the drop, in exploratory runs" in text and "moves ink off the 8x8 frame" in text
    assert "(ViT -17.0, CNN-8 -2.3 points, 5 seeds, exploratory)" in text
    appendix = nb.all_printed(nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb")
    assert "ViT   whole-pixel shifts - none: -17.0 points" in appendix
    assert "CNN-8 whole-pixel shifts - none: -2.3 points" in appendix
