"""Lesson 04, fix round q2: section 6 opens with its answer, the init and depth variants live in the appendix,
and the post-norm - pre-norm difference of slopes uses Welch's interval (the two fits' spreads differ)."""

import json
import math
from pathlib import Path

from vit_explained.evidence import _t_quantile
from vit_explained.plotting.lesson04 import depth_report, depth_slope, slope_difference

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = ROOT / "notebooks" / "04_gelu_mlp_and_block_appendix.ipynb"


def _sources(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def test_slope_difference_is_welch() -> None:
    depths = (2, 4, 8, 16)
    noisy = {d: [d**0.0 * f for f in (0.7, 1.0, 1.4)] for d in depths}  # flat, wide spread
    tight = {d: [d**-0.5 * f for f in (0.98, 1.0, 1.02)] for d in depths}  # falling, narrow spread
    difference, low, high, df = slope_difference(noisy, tight)
    assert math.isclose(difference, depth_slope(noisy)[0] - depth_slope(tight)[0])
    errors = [(fit[2] - fit[0]) / _t_quantile(0.975, 10) for fit in (depth_slope(noisy), depth_slope(tight))]
    expected_df = (errors[0] ** 2 + errors[1] ** 2) ** 2 / (errors[0] ** 4 / 10 + errors[1] ** 4 / 10)
    assert math.isclose(df, expected_df) and 10 <= df < 20  # Welch-Satterthwaite, not the pooled 20
    half = _t_quantile(0.975, df) * math.hypot(*errors)
    assert math.isclose(high - difference, half) and math.isclose(difference - low, half)


def test_depth_report_prints_the_welch_difference() -> None:
    depths = (2, 4, 8, 16)
    flat = {d: [1.0 + 0.1 * s for s in range(3)] for d in depths}
    falling = {d: [d**-0.5 * (1 + 0.01 * s) for s in range(3)] for d in depths}
    report = depth_report({"post-norm": flat, "pre-norm": falling}, {})
    assert report.difference == slope_difference(flat, falling)
    assert report.text.splitlines()[-1].startswith("post-norm - pre-norm slope: +0.50 [")
    assert "Welch's t" in report.text


def test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix() -> None:
    sources = _sources(LESSON)
    start = next(i for i, s in enumerate(sources) if s.startswith("## 6 · Where the norm sits"))
    end = next(i for i, s in enumerate(sources) if s.startswith("## 7 ·"))
    assert sources[start].split("\n\n")[1].startswith("**Does the norm's place change the last block's gradient?**")
    section = "\n".join(sources[start:end])
    assert "timm" not in section
    assert section.count("16-128") == 1 and "16-128 blocks: appendix A." in section  # 20e: one sentence (21i: merged)
    assert "-0.62" not in section.replace("$L^{-0.62}$ [-0.72, -0.52] (appendix A)", "").replace("[-0.62, -0.32]", "")
    # 21i: [-0.62, -0.32] is 6a's per-seed interval, not the 16-128-block slope -0.62
    assert "Take-away" not in section  # the answer is at the top now
    appendix = "\n".join(_sources(APPENDIX))
    assert "Welch" in appendix and "Welch" not in section  # 21a: the Welch line moved to appendix A
    assert "unit-variance tokens" in appendix and "-0.62" in appendix


def test_relu_runs_on_all_digits() -> None:  # fix round s: all 1,000 digits, no subset to explain
    prose = next(s for s in _sources(APPENDIX) if "ReLU also cuts" in s)  # fix round 17a: moved to appendix C
    assert "1,000 digits" in prose and "250" not in prose
