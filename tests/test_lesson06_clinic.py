"""Lesson 06's table helpers in ``vit_explained.clinic``."""

import pytest

from vit_explained import clinic


def test_norm_ratio_ranges_reads_every_seed_and_part():
    reference = [{"embed": 1.0, "norm": 0.4, "head": 2.0}, {"embed": 3.0, "norm": 0.5, "head": 1.0}]
    broken = [{"embed": 0.1, "norm": 0.1, "head": 1.0}, {"embed": 0.01, "norm": 0.25, "head": 0.5}]
    assert clinic.norm_ratio_ranges(reference, broken) == pytest.approx((2.0, 300.0, 2.0, 4.0))


def test_norm_ratio_ranges_needs_one_dict_per_seed():
    with pytest.raises(ValueError, match="one dict per seed"):
        clinic.norm_ratio_ranges([{"embed": 1.0, "norm": 1.0}], [])
