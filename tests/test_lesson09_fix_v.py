"""Lesson 09, fix round v: DeiT's soft-term normalisation (divided by batch x classes) printed against the package's,
a random-resized crop picture with the teacher's label per crop, timm facts with their version, and an opening that
says what DeiT's recipe is and where the slice comes up."""

from pathlib import Path

from tests import _lesson09

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "09_deit_distillation.ipynb"


def _cells() -> list[dict]:
    return _lesson09.cells(LESSON)


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _printed() -> str:
    return "\n".join("".join(o.get("text", "")) for cell in _cells() for o in cell.get("outputs", []))


def test_the_package_soft_term_is_printed_as_exactly_ten_times_deits():
    text = "\n".join(_source(c) for c in _cells())
    assert 'reduction="sum", log_target=True) * (T * T) / outputs_kd.numel()' in text and "7e160fe" in text
    assert "package / DeiT at tau = 1, 3, 10: 10.0000, 10.0000, 10.0000" in _printed()
    assert "`lam = 1/11`" in text and "up to a factor" not in text


def test_the_crop_picture_follows_the_papers_crop_argument():
    sources = [_source(c) for c in _cells()]
    argument = next(i for i, s in enumerate(sources) if "the teacher labels\nthe augmented crop" in s)
    crop = next(i for i, s in enumerate(sources) if 'save_figure(fig, "09_teacher_crops")' in s)
    assert argument < crop < argument + 4
    assert (ROOT / "figures" / "09_teacher_crops.png").exists()


def test_the_opening_says_the_recipe_and_where_the_slice_comes_up_and_timm_facts_name_a_version():
    opening = _source(_cells()[0])
    assert "random-resized crops, Mixup, CutMix, stochastic depth" in opening and "(sections 4 and 5)" in opening
    text = "\n".join(_source(c) for c in _cells())
    assert "recent timm" not in text and "Older timm" not in text
    assert "timm is not installed here" in text and "8ef7380" in text
