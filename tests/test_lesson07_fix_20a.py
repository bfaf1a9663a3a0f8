"""Lesson 07, fixes of 5 December 2026 (review r19e_07): the Summary gives one takeaway line per section-6 finding;
the Linear-arm cell is split (table and intervals; the affine test right before its paragraph; the border Conv2d
comparison in the audits appendix); a nested-windows picture shows "tokens to token"; Table 7's 21.1M is explained
by measured arithmetic ("most likely"), its 4.2G still flagged; where to get T2T-ViT today (timm, transformers) and
T2T-ViT issue #62 in the porter note; typos and labels.

Read on 5 December 2026: huggingface/pytorch-image-models, newest snapshot `aa4b585` (version 1.0.29.dev0, latest
tag v1.0.28): no timm/models/t2t_vit.py; a port (commits bd46b55 and b283c24, January 2025) is on a branch not merged
into main; issue #2364 ("[FEATURE] add t2t_vit") is open. transformers 5.23.0 (this venv): no T2T model.
yitu-opensource/T2T-ViT issue #62, "Attention scale value from pretrained model" (2021-08-30): open, no answer.
"""

import torch
from matplotlib.patches import Rectangle

from tests import _notebook as nb
from vit_explained import t2t_chain
from vit_explained.plotting.lesson07 import nested_windows, plot_nested_windows
from vit_explained.t2t import T2T_SPLITS
from vit_explained.widgets.lesson07 import chain_summary

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _markdown(index: int) -> str:
    return nb.flat((nb.sources(LESSON) + nb.sources(APPENDIX))[index])


def test_the_summary_has_one_line_per_section_6_finding():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    summary = sources[nb.unique_index(sources, "## Summary")]
    # 23c (review r23b item 1): the Linear arm's bullet follows with no blank line; the bullet ends at it
    bullet = summary.split("- **Does T2T help?**")[1].split("\n\n")[0].split("\n- **")[0]
    # 24c (review r24b item 2): about 6 one-line bullets; this one names Table 7 and the two digit arms, no sub-list
    findings = [line for line in bullet.splitlines() if line.startswith("  - ")]
    assert not findings and len(bullet.splitlines()) == 1 and "Table 7:" in bullet and "(section 6)" in bullet
    assert all(line.startswith("- ") for line in summary.strip().splitlines()[2:]) and summary.count("\n- ") == 6
    assert bullet.count("[") == 0  # the intervals are section 6's
    assert "+3.1" not in bullet and "+8.8" not in bullet


def test_the_linear_arm_cell_is_split_and_the_border_comparison_is_in_the_audits_appendix():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    table = nb.unique_index(sources, "linear_correct = [145, 163, 161, 156, 163, 158]")
    affine = nb.unique_index(sources, "f(a + b) - f(a) - f(b) + f(torch.zeros_like(a))")
    paragraph = nb.unique_index(sources, "With nothing nonlinear left,")
    border = nb.unique_index(sources, "patch = nn.Conv2d(1, 64, 31, stride=16, padding=14")
    audits = nb.unique_index(sources, "## Appendix · Audits")
    porters = nb.unique_index(sources, "## Appendix · For porters")
    assert table < affine and "affine" not in sources[table] and "Conv2d" not in sources[affine]
    # 20c: the affine test moved to the Audits appendix, right before the border cells that reuse its stems
    assert nb.hidden(cells[affine]) and nb.hidden(cells[affine + 1]) and border == affine + 2 and paragraph == audits
    # 20e (review r20d item 1): the "With nothing nonlinear left" paragraph moved into the Audits appendix
    assert "The `Linear` arm is one affine map** (section 6)" in sources[audits]
    assert "affine_residual" in sources[affine + 1] and "affine_residual" not in sources[table + 1]
    assert len(sources[table].splitlines()) < 35 and len(sources[affine].splitlines()) < 15
    assert audits < border < porters and nb.hidden(cells[border]) and nb.hidden(cells[border + 1])
    assert "assert patch_tokens == [(1, 1), (1, 2), (2, 1), (2, 2)]" in sources[border + 1]
    assert sum("4 of the 9 tokens" in s for s in sources) == 1 and "4 of the 9 tokens" in sources[audits]
    assert "4 of 9" in nb.printed(cells[border]) and "below 1e-12" in nb.printed(cells[affine])


def test_the_nested_windows_picture_comes_before_the_second_split():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    picture = nb.unique_index(sources, "plot_nested_windows(")
    assert 'save_figure(fig, "07_nested_windows")' in sources[picture] and sources[picture].endswith("fig")
    assert nb.hidden(cells[picture + 1]) and "[7, 15, 31]" in sources[picture + 1]
    assert sources[picture + 2].startswith("with torch.no_grad():\n    tokens = t2t.soft_splits[1](feature_map)")
    assert "7 x 7 -> 15 x 15 -> 31 x 31" in nb.printed(cells[picture])
    assert any("image/png" in output.get("data", {}) for output in cells[picture]["outputs"])
    # 24a: the caption names the picture; the sides are the printed line above (7 x 7 -> 15 x 15 -> 31 x 31)
    # 24c (review r24b item 6): a 4 x 4 grid has no central token; the caption names the one drawn
    assert "The picture nests the windows of one interior final token, row 2 and column 2 (from 0) of the 4 x 4" in (
        nb.flat(sources[picture - 1])
    )
    assert "central" not in sources[picture - 1]


def test_nested_windows_geometry_and_drawing():
    assert nested_windows(T2T_SPLITS, 64) == [
        (30, 7, list(range(30, 37))),
        (26, 15, [26, 30, 34]),
        (18, 31, [18, 26, 34]),
    ]
    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    axes = fig.axes
    assert len(axes) == 3
    counts = [sum(isinstance(p, Rectangle) for p in ax.patches) for ax in axes]
    # the window over its parts: split 1 all its pixels; 20e (review r20d item 5): later splits only the middle
    # row's 3 parts, shaded, so the overlapping windows read
    assert counts == [1 + 49, 1 + 3, 1 + 3]
    assert all(p.get_fill() for p in axes[1].patches[:3]) and not axes[1].patches[-1].get_fill()
    assert "15 x 15 px" in axes[1].get_title() and "31 x 31 px" in axes[2].get_title()


def test_table_7s_21_1m_is_explained_by_measured_arithmetic():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat("\n".join(sources))
    assert "the gap is flagged there, not explained" not in text
    # 20e (review r20d item 2): the forensic account only in the Audits appendix; section 6 keeps one sentence
    audits = nb.flat(sources[nb.unique_index(sources, "## Appendix · Audits")])
    assert "The 21.1M is most likely a count without the T2T module" in audits
    assert "T2T-ViT-14 less its T2T module and its fixed position table is 21,078,376" in audits
    assert "The 4.2G is not explained that way" in audits and text.count("21,078,376") == 1
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "T2T-ViT-14 21,545,550 - T2T module 391,526 - fixed table 75,648 = 21,078,376" in printed
    assert "21,094,120 (Table 7: 21.1M); that backbone's MACs: 4.48 G (Table 7: 4.2G)" in printed
    (check,) = [s for s in sources if "assert without_module == 21_078_376" in s]
    assert check.startswith("# @title A check") and "round(backbone_macs / 1e9, 2) == 4.48" in check


def test_where_to_get_t2t_vit_and_issue_62():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    porters = nb.flat(sources[nb.unique_index(sources, "## Appendix · For porters")])
    assert "timm does not: neither its release 1.0.28 nor its main branch (commit `aa4b585`, August 2026)" in porters
    assert "timm issue #2364" in porters and "Hugging Face transformers (5.23.0) has no T2T model" in porters
    assert '`yitu-opensource/T2T-ViT` issue #62 ("Attention scale value from pretrained model"' in porters


def test_typos_labels_and_imports():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    assert "in exact arithmetic; Going further" not in nb.flat("\n".join(sources))
    assert "in exact arithmetic ([the appendix](07_tokens_to_token_vit_appendix.ipynb#weights-above-0)" in nb.flat(
        "\n".join(sources)
    )
    small = t2t_chain(16, 16, in_channels=1)
    assert small[-1].grid.total == 1 and chain_summary(small).endswith("1x1 = 1 token")
    assert chain_summary(t2t_chain(224, 224, in_channels=3)).endswith("= 196 tokens")
    (fold,) = [s for s in sources if "plot_trained_fold(" in s]
    assert 'image_label="input digit #0"' in fold
    # the lesson's (the appendix has its own); 21i: contextlib and io were unused there and went
    imports = nb.unique_index(nb.sources(LESSON), "import math\nimport pathlib")
    assert "import re\n" in sources[imports]
    for index, cell in enumerate(cells):
        if nb.hidden(cell):
            assert "\nimport re\n" not in sources[index] and "\nimport pathlib\n" not in sources[index], index
            assert "\nimport inspect\n" not in sources[index], index
