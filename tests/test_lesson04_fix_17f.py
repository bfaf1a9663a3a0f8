"""Fix round 17f of lesson 04: the fresh review 17e's items (sigma/RMS link, arm labels, data not parsing, nits)."""

import json
from pathlib import Path

from vit_explained.plotting.lesson04 import plot_final_norm_ablation

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"


def _cells() -> list[tuple[str, dict]]:
    return [(" ".join("".join(c["source"]).split()), c) for c in json.loads(LESSON.read_text())["cells"]]


def _text(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


def test_sigma_is_linked_to_the_rms_token_norm() -> None:
    sentence = "divides each token by its spread $\\sigma$, its centred norm over $\\sqrt{D}$"  # fix 20c: centred
    assert any(sentence in s for s, _ in _cells())
    appendix = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    outputs = "".join(_text(c) for c in appendix)  # fix 19b: the constant 1.33's derivation moved to appendix A
    assert "divisor at 2 blocks: 1.333;" in outputs  # round 18d: the RMS link printed beside the divisor
    assert "about the stream's RMS token norm / sqrt(D) = 10.8 / sqrt(64) = 1.35" in outputs


def test_centred_arm_sentence_and_readable_labels() -> None:
    appendix = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    assert any(  # 24b (r24a_04 item 5): section 6b's RMS and detached arms, and this sentence, moved to appendix A
        (
            "The division by the growing spread makes it fall; "
            "neither centring nor the backward path through $\\sigma$ is needed."
        )
        in " ".join("".join(c["source"]).split())
        for c in appendix
    )  # 18c
    assert any("plot_final_norm_ablation(ablation_slope, labels=FINAL_STEP_LABELS)" in s for s, _ in _cells())  # 20e
    fig = plot_final_norm_ablation({"fixed": (0.1, 0.0, 0.2), "none": (0.1, 0.0, 0.2)}, labels={"fixed": "/ 1.33"})
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["/ 1.33", "none"]


def test_depth_slopes_printed_from_data_and_nits() -> None:
    appendix_json = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]  # 21a
    cell = next(c for c in appendix_json if 'print("slope of the gradient against depth' in "".join(c["source"]))
    source = "".join(cell["source"])
    assert "split(" not in source and "report.slope.items()" in source
    assert "post-norm - pre-norm slope: +0.45 [+0.30, +0.60]" in _text(cell)
    appendix_cells = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    assert any("GELU's RMS / fc1's RMS: 0.21" in _text(c) for c in appendix_cells)  # 18c: in appendix L
    # round 18a: the lesson says "set by depth"; CaiT's numbers (the paper's Section 2) are in appendix G
    assert any("started small (set by depth: CaiT uses 0.1 up to 18 blocks" in s for s, _ in _cells())  # 19c
    appendix = json.loads(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb").read_text())["cells"]
    cait = "CaiT uses 0.1 up to 18 blocks, 1e-5 at 24, 1e-6 deeper"
    assert any(cait in " ".join("".join(c["source"]).split()) for c in appendix)
