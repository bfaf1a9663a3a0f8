"""Lesson 02: what the notebooks say and print, pinned as facts by section heading.

One file for what earlier per-round test files pinned (their inventory: the fold's report). A section is the text
from one heading line to the next, across cells. FACTS must appear in a section's prose (case-insensitive,
whitespace collapsed), PRINTED in its outputs, HIDDEN_CHECKS in its folded check cells, CODE in its code cells.
When content moves, move its row; when prose is tightened, the fact stays. FORBIDDEN phrases stay out of the
lesson, its appendix and its solutions; SCOPED_FORBIDDEN ones stay out of the named sections.
"""

from __future__ import annotations

import re

import pytest

from tests import _notebook as nb

PATHS = {
    "LESSON": nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb",
    "SOLUTIONS": nb.NOTEBOOKS / "solutions/02_soft_split_token_counting_solutions.ipynb",
    "APPENDIX": nb.NOTEBOOKS / "02_soft_split_token_counting_appendix.ipynb",  # review r26b: the appendix moved here
    "L07A": nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb",
}
LESSON = PATHS["LESSON"]
SOLUTIONS = PATHS["SOLUTIONS"]
APPENDIX = PATHS["APPENDIX"]
TITLE_A = "# 02 · Appendix: held whole, folding, and the T2T module's pieces"  # the appendix's first section


def sections(key: str) -> dict[str, dict[str, str]]:
    """Heading line -> the section's prose ("md"), code, folded-check code ("hidden") and outputs ("printed")."""
    return nb.sections_by_heading(PATHS[key])


def _has(text: str, wanted: str) -> bool:
    return wanted in text or nb.flat(wanted).lower() in nb.flat(text).lower()


def _rows(table: dict) -> list[tuple[str, str, str]]:
    return [(key, heading, value) for (key, heading), values in table.items() for value in values]


def _id(row) -> str:
    return f"{row[1][:24]}|{row[2][:40]}"


FACTS = {
    ("L07A", "## A · T2T's chain against a no-overlap chain (several changes), for 10 epochs"): [
        '"whole-module"',
        "(4, 4, 0)",
    ],
    ("L07A", "### The paper's Table 7"): [
        "21.1",
        "4.2",
        "79.5",
        "5",
        "21.5",
        "4.8",
        "81.5",
        "21.3",
        "4.6",
        "80.8",
        "8",
    ],
    ("LESSON", "# 02 · Soft split and token counting"): [
        "T2T-ViT",
        "floor((n + 2p - k) / s) + 1",
        "soft split",
        "The question:",
        "share part of their input",
    ],
    ("LESSON", "## 1 · Hard split and soft split"): [
        "the last padded row and column fall in no window",  # r25b item 6: cell 5's "one short of the padded side"
        "`s`",
        "split",
        "`k - s`",
    ],
    ("LESSON", "## 2 · Counting tokens: the formula, derived"): [
        "## 2 · Counting tokens",
        "`S`",
        "both",
        "`N`",
        "`N²`",
        "60",
        "What the padding adds.",
        "coverage",
        "Coverage, counted.",
        "7",
        "`max(r - p, 0)`",
        "`(3, 2, 1)`",
        "`n`",
        "`k >= s`",
        "floor((n + 2 - 3) / 2) + 1 = ceil(n / 2)",
        "of the padded side (image pixels from `j·s - p`)",
    ],
    ("LESSON", "## 3 · Why overlap"): [
        "## 3 · Why overlap",
        "4 x 4 patches guarantee only 1 pixel",  # r25d item 3
        "Holding a line whole is geometry, not accuracy.",  # r25b item 2, r26a minor 3: said once, here
        "Held whole.",
        "held whole",
        "loses no pixel",
        "held whole.",
        "(02_soft_split_token_counting_appendix.ipynb#held-whole)",
        "#held-whole",
        "shorter split by split",
        "straddles a border",
        "tabulates the controls",
        "(7, 4, 2)",
        "neighbouring tokens share pixels",
        "`k - s + 1`",
        "`s - 1`",
        "`k`",
        "`k - s`",
        "2",
        '"the simple tokenization of input images fails to model the',
        "hold a short one whole",
        '"to avoid information loss in generating tokens from the re-structurizated image, we split it into '
        'patches with overlapping"',  # review r26b M1: the paper's reason, quoted whole (checked against its text)
        "so the loss can only be structure that straddles a border: what this section measures",
        '"each patch is correlated with surrounding patches"',
        "If no window starts after it",
        "pixels 5 to 8",
        "If no window starts after",
        "The **`k - s + 1` rule**",
        "in the strip above",
        "Overlap's cost: shared pixels are copied into each window",  # r26a minor 1: attention is counted later
    ],
    ("LESSON", "## 4 · Soft split vs ViT's patch embedding"): [
        "The order inside a token.",
        "`(c, kh, kw)`",
        "`padding_mode='zeros'`",
        "`k > s`",
        "A soft split is half a convolution.",
        "`Conv2d(C, D, k, s, p)`",
        "`SoftSplit(k, s, p)`",
        "`Linear`",
        "exercise 3",
        "(c, kh, kw)",
        "(kh, kw, c)",
        "## 4 ·",
        "Conv2d(C, D, k, s, p)",
    ],
    ("LESSON", "## 5 · A worked example on a real image"): [
        "60",
        "100",
        "## 5 · A worked",
        "200",
    ],
    ("LESSON", "## 6 · Explore: move the sliders"): [
        "<details>",
        "</details>",
        "The explorer's cell counts them.",
    ],
    ("LESSON", "## 7 · The whole T2T chain, counted"): [
        "about as the side's fourth power",  # r25b item 7: exact only when 16 divides the side
        "the position table needs 577 rows, not 197",  # r26a minor 5: a learned table is resized in 2-D
        "a learned table, as ViT's, is resized in 2-D ([lesson 01, section 7](01_patches_and_embeddings.ipynb))",
        "224",
        "56",
        "28",
        "14",
        "100",
        "25",
        "13",
        "narrow central strip",
        "Performer",
        "(02_soft_split_token_counting_appendix.ipynb#chain-run)",
        "`t2t_vit_14`",
        "Tokens2Token",
        "3",
        "the original code scrambles this image ([Going further](#non-square))",
        "the original builds its sinusoid once, from `img_size` (lines 80 and 118)",  # review r26b M2
        "a model built for 224 stops on a 384 image; one built with `img_size=384` runs",
        "`Linear`",
        "`project`",
        "`Conv2d(64, 384, 3, 2, 1)`",
        "64",
        "scrambles",
        "#chain-run",
        "384",
        "576",
        "T2T-ViT makes three soft splits",
        "merges pixels",
        "merge tokens",
        '"tokens-to-token"',
        "16",
        "4",
        "2",
        "The token layers have none.",
        "`t2t_vit_t_14`",
        "07",
        "`D = 384`",
        "6",
        "fourth power",
    ],
    ("APPENDIX", TITLE_A): [
        "# 02 · Appendix",
        "**section numbers are the lesson's**",  # review r26b item 3: the appendix is its own notebook
        "It has no exercises.",
    ],
    ("LESSON", "## Exercises"): [
        "Recap.",
        "## Exercises",
        "stops there in Colab",  # review r26b minor 8: the Run All footnote folded into one sentence
        "`(c, kh, kw)`",
        "both",
        "JupyterLab 4",
        "`raises-exception`",
        "but stops there in Colab",
        "Run All goes on past it in JupyterLab 4",
        "raises-exception",
    ],
    ("LESSON", "## Going further (optional)"): [
        "## Going further (optional)",
        "## Going further",
    ],
    ("LESSON", "## Summary"): [
        "## Summary",
        "for a square image with `img_size` equal to its side",  # r25b item 4: the 16m + 1 / 16m + 2 scope
        "`img_size // 16`",
        "`s > k`",
        "(exercise 4)",
        "lie in one window",
        "(#non-square)",
        "16",
        "`k - s + 1`",
    ],
    ("LESSON", "### Exercise 1 · The grid after a chain of splits"): [
        "### Exercise 1",
        "count_tokens",
        "All splits given fit.",  # r25d item 7
    ],
    ("SOLUTIONS", "### Exercise 1 · The grid after a chain of splits"): [
        "All splits given fit.",  # r25d item 7, the solutions' copy too
    ],
    ("LESSON", "### Exercise 2 · Choose a split for a grid"): [
        "`1.0`",
        "`k = 3`",
        "`k >= 2s - 1`",
        "### Exercise 2",
        "k >= 2s - 1",
        "A first hint",
        "A last hint",
        "`k - 2p`",
        "`padding < kernel`",
    ],
    ("LESSON", "### Exercise 3 · A soft split from slicing"): [
        "nn.Unfold(",
        "64",
        "32",
    ],
    ("LESSON", "### Exercise 4 · The pixels a split loses"): [
        "`+ 1`",
    ],
    ("APPENDIX", "## Held whole, counted"): [
        "exactly one token",
        "crosses a border",
        "19.1",
        "1",
        "6",
        "`k - s + 1 >= 4`",
        "every pixel is covered",
        "## Held whole, counted",
        '"box-rule"',
        "07",
        "100",
        "fold(unfold(",
        '"fold-identity"',
        "both sides at once",
        "`(7, 4, 2)`",
        "4",
        "box lies whole in some window",
        "56",
        "7",
        "`x`",
        "49.9",
        "9",
        "2",
        "(7, 7, 0)",
        "(5, 2, 2)",
        "`(5, 2, 2)`",
        "4.3",
        "2101.11986",
        "79.5",
        "5",
        "80.8",
        "8",
        "81.5",
        "do not separate overlap from the token layers",
        "The T2T paper tests accuracy with its ablation",
        "no seeds or intervals",
        "`(7, 7, 0)`",
        "32",
        "112",
        '"controls"',
        "`(k - s + 1) x (k - s + 1)`",
        "`k - s + 1 >= 4` (the piece's width)",
        "the stride from 4 to 7",
        "section 3's `k - s + 1` rule holds on both sides at once",
        "checked against the paper's text on 2026-12-06",  # review r26b minor 5
    ],
    ("APPENDIX", "## Lesson 07's module: reshape and a run"): [
        '"chain-run"',
        "07",
        "each feed a token layer",
        "`Linear`",
        "A run.",
        "(B, N, D) -> (B, D, N) -> (B, D, rows, cols)",
    ],
    ("LESSON", "### Non-square images and the original code"): [
        "Section 7's 384 x 384 needs a stem built with `img_size=384` (577 rows); one built for 224 stops",
        "170",
        "square",
        "200",
        "16",
        "209",
        "`h x (n / h)`",
        "`69d24fe`",
        '"note-02-versions"',
        "69",
        "24",
        "3024",
        "02761123",
        "8583",
        "5850",
        "1543",
        "488",
        "260",
        "18390",
        "46",
        "85",
        "`aa4b585`",
        "1.0.29",
        "208",
        "223",
        "h = int(math.sqrt(n))",
        "cut to fit",
        "`T2TViT`",
        "Token length in lucidrains' `T2TViT`",
        "64",
        "`layer_dim *= kernel_size ** 2`",
        "= kernel_size",
        "147",
        "1,323",
        "11,907",
        "Note 1: versions",
        "(#note-02-versions)",
        "`num_patches`",
        "80",
        "118",
    ],
    ("APPENDIX", "## The original repo's convolution stem"): [
        "overlapping patch embedding",
        '"Early convolutions help transformers see better"',
        "2021",
        "2022",
        "not unique to T2T",
        '"conv-stem"',
        "just for comparison with conolution, not our model",
        "not the paper's method",
        '"just for comparison with conolution, not our model"',
        "tokens_type='convolution'",
        "replace the soft splits and the token transformers together",
    ],
    ("LESSON", "### The same formula in PyTorch's docs, d2l and the T2T paper"): [
        "`floor((n - k + p_total + s) / s)`",
        "`p_total = 2p`",
        "1 <= k - 2p <= s",
        "60",
        "20",
        "15",
    ],
    ("LESSON", "### The window, sliding"): [
        "Every third window is drawn (21 frames), and the last",  # r25d item 6
        "### The window, sliding",
        "orange",
    ],
    ("LESSON", "### What each token holds"): [
        "16",
        "100",
        "15",
        "31",
        '"token-footprint"',
        "receptive field",
        "`size += (k - 1)·step`",
        "`step *= s`",
        "(02_soft_split_token_counting_appendix.ipynb#footprint-notes)",
        "with lesson 07's transformer token layers, not T2T-ViT-14's Performers",  # review r26b minor 6
        "[the rule on rows and columns](02_soft_split_token_counting_appendix.ipynb#held-whole)",
        "every token sees every pixel",
        "after one block",
        "`31 - 16 + 1 = 16`",
        "2",
        "### What each token holds",
        "77.6",
        "6",
        "At ViT's stride",
    ],
    ("LESSON", "### What the chain costs"): [
        "3.2",
        "14",
        "2",
        "### What the chain costs",
        "63",
        "9558",
        "192",
        "926504",
        "`0f63dc9`",
        "64",
        "`QKᵀ`",
        "`qkv`",
        "`Linear`",
        "`N`",
        "43",
        "(k / s)²",
        "3.06 times the image's values",  # r25b item 1: section 3's line, referred to
        "Split 1's single-head token layer holds about 43 times a main block's attention entries",  # r26b item 4
        "about 3.2 times all 14 main blocks together (printed below, per head, per layer and per model)",
        "is section 3's line",  # the values ratio stays section 3's
        "`tokens_type='transformer'`",
    ],
    ("APPENDIX", "## Where the windows sit: centring and T2T's padding"): [
        "attention mixes all tokens globally",
        "each token layer narrows a window's numbers",
        "`4j`",
        "56",
        '"footprint-notes"',
        "55",
        "mixes all tokens globally",
        "T2T's 7 x 7 split",
        "`4j + 1`",
        "## Where the windows sit",
        "4j + 1",
        "centred on",
        "224",
        '"centring"',
        "6.5",
        "`(7, 4, 3)`",
        "`81f0659`",
        "`padding=patch_size // 2`",
        "5",
        "it ignores two things",
    ],
}


PRINTED = {
    ("L07A", "## B · The whole module once"): [
        "return self.project(self.soft_splits[-1](images))",
        "for split, transformer, stage in stages:",
        "tokens = transformer(split(images))",
        "images = tokens_to_image(tokens",
    ],
    ("LESSON", "## 2 · Counting tokens: the formula, derived"): [
        "windows per pixel on section 1's 4 x 6 image: hard split [1] soft split [1, 2, 4]\n",
    ],
    ("LESSON", "## 4 · Soft split vs ViT's patch embedding"): [
        "(16, 16, 0)",
        "equals ViT's Conv2d(3, 8, 16, 16)(x): True",
    ],
    ("LESSON", "## 5 · A worked example on a real image"): [
        "400 - 175 = 225 = 15² image pixels",
    ],
    ("LESSON", "## 6 · Explore: move the sliders"): [
        "20 of the top row's 100 pixels are in no window",
        "rows: (60 + 2 x 0 - 20) // 15 + 1 = 3, columns: (100 + 2 x 0 - 20) // 15 + 1 = 6; ",
        "overlap k - s = 20 - 15 = 5; tokens: 3 x 6 = 18",
    ],
    ("LESSON", "## 7 · The whole T2T chain, counted"): [
        "400 x 100 x 1 -> 100 x 25 = 2500 tokens",
        ("384 x 384: 96 -> 48 -> 24 per side, 576 tokens, N² = 331,776 attention entries per main head, 8.64 times"),
        "224 through split 1: (224 + 2·2 - 7) // 4 + 1 = 56\n",
        "position table (N + 1 rows, the class token's first): 577 rows at 384 x 384, 197 at 224 x 224",
        " tokens, N² = ",
    ],
    ("APPENDIX", "## Held whole, counted"): [
        "fold(unfold(tiny)) / coverage == tiny: True",
        "fold(unfold(tiny)) / coverage",
        "fold(unfold(tiny))",
        "100.0%",
        "19.1%",
        "49.9%",
    ],
    ("APPENDIX", "## Lesson 07's module: reshape and a run"): [
        "soft split 1: (1, 3136, 147) -> token layer (1, 3136, 64) -> image (1, 64, 56, 56)",
        "soft split 1: (1, 3136, 147)",
    ],
    ("LESSON", "### Non-square images and the original code"): [
        "384 x 384, stem built with img_size=384: runs, output (1, 577, 384)",  # review r26b M2
        (
            "384 x 384, stem built with img_size=224: RuntimeError: The size of tensor a (577) must match the size "
            "of tensor b (197) at non-singleton dimension 1"
        ),
        "209 x 209, 52 -> 26 -> 13 per side, position table of 170 rows: runs, output (1, 170, 8)",
        (
            "200 x 200, 50 -> 25 -> 13 per side = 169 tokens, position table of 145 "
            "rows: RuntimeError: The size of tensor a (170) must match the size of "
            "tensor b (145) at non-singleton dimension 1"
        ),
    ],
    ("LESSON", "### The same formula in PyTorch's docs, d2l and the T2T paper"): [
        "every form == count_tokens == nn.Unfold in 1184 of 1184 cases",
    ],
    ("LESSON", "### The window, sliding"): [
        "the GIF: every third window is drawn, and the last (21 frames of the 60 windows)",
    ],
    ("LESSON", "### What each token holds"): [
        "(16, 16, 0) 77.6 %",
        ("2 x 4 piece on 224 x 224, placements held whole at stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %"),
        "(31, 16, 14) 100.0 %",
        "at stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %",
        "(31, 16, 14)",
        "a token's window spans ",
        " pixels, step ",
        "final token (3, 6): rows 34..64, columns 82..112",
        "ViT's patch (3, 6): rows 48..63, columns 96..111",
        ("centres (row, column): final token (49.0, 97.0), ViT's patch (55.5, 103.5): 6.5 pixels up and left"),
        "stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %",
    ],
    ("LESSON", "### What the chain costs"): [
        "split 1 against a main block, per head: 256 times as many entries",  # r26a minor 1: moved from section 3
        "with the class token (197 tokens in a main block): 253 and 42.2 times as many",  # r26b item 4: printed only
        ("per model: the 2 token layers 10,449,152 entries, the 14 main blocks 3,226,944: 3.2 times as many"),
        "a main block (6 heads of width 384 / 6 = 64) 230,496: 43 times as many",
        "9,834,496",
        "N = 3136 tokens, N² = 9,834,496",
    ],
    ("APPENDIX", "## Where the windows sit: centring and T2T's padding"): [
        ("pad 0 gives 55 windows, pad 1 gives 55 windows, pad 2 gives 56 windows, pad 3 gives 56 windows"),
        "pad 1 gives 55 windows, pad 2 gives 56 windows, pad 3 gives 56 windows",
    ],
    ("LESSON", "## 3 · Why overlap"): [
        "worst-placed run for (7, 4, 2): (first pixel, length) = (5, 4)",
        "split 1 makes 3.06 times the image's values",
        "overlap's cost: split 1 makes 3.06 times the image's values",  # r26a minor 1: the ratios moved later
    ],
}


HIDDEN_CHECKS = {
    ("LESSON", "## 1 · Hard split and soft split"): [
        "count_tokens(",
    ],
    ("LESSON", "## 2 · Counting tokens: the formula, derived"): [
        "max((n + 2 * p - k) % s - p, 0)",
        "math.ceil(n / 2)",
        "unpadded, padded_cov = window_coverage(8, 8, 3, 2, 0)",
        "drawn in the coverage figure above",
        "coverage(4, 6, 3, 2, 1).unique().tolist() == [1, 2, 4]",
        "import window_coverage",
    ],
    ("LESSON", "## 3 · Why overlap"): [
        "longest_held_run(32",
        "longest_held_run(n, k, s, p) == k - s + 1",
        "assert (first, length) == (5, 4)",
        "round(values, 2) == 3.06",
        "round(values, 2) == 3.06 == round((7 / 4) ** 2, 2)",
    ],
    ("LESSON", "## 7 · The whole T2T chain, counted"): [
        "T2T-ViT_t-14's widths",
        "stem = Tokens2Token(224",
        "len(stem.soft_splits) == 3 and len(stem.token_transformers) == 2",
        "[(3136, 147), (784, 576), (196, 576)]",
        "(576, 384, 196)",
        "fig.axes[0].texts",
        "Tokens2Token(224",
        "[96, 48, 24]",
        "331_776",
        "(224 + 2 * 2 - 7) // 4 + 1 == rgb[0].grid.rows == 56",
        "import pathlib",
        "import vit_explained\n",
        "nn.Conv2d(64, 384, kernel_size=3, stride=2, padding=1)",
        "assert torch.allclose(by_split_3, conv_3(image_64).flatten(2).transpose(1, 2)",
        "torch.rand(1, 64, 28, 28)",
        "conv_3.weight.copy_(project.weight.view(384, 64, 3, 3))",
        "stem = Tokens2Token(224, in_channels=3, token_dim=64, embed_dim=384)",
        "T2T_module, lines 44-103",
        'not any("pos_embed" in line',
        "module_lines = (vendored",
    ],
    ("APPENDIX", "## Held whole, counted"): [
        "a row share times a column share",
        "(row_held, len(row_starts), col_held, len(col_starts)) == (210, 223, 182, 221)",
        "product == share_held_whole(224, piece, 16, 16, 0)",
        "range(4)",
        "from fractions",
        "(k - s + 1 >= max(piece))",
        '"hard 16 x 16 patches": 79.5',
        "typed in from Table 7 (arXiv v3), checked against the paper's text on 2026-12-06",
        "[19.1, 49.9, 100.0, 100.0]",
        "[56, 32, 56, 112]",
        "[48, 147, 147, 75]",
        "[1, 1, 4, 4]",
    ],
    ("APPENDIX", "## Lesson 07's module: reshape and a run"): [
        "torch.equal(stage_1[0], image_1)",
        "unfold_counts == [3136, 784, 196]",
    ],
    ("LESSON", "### Non-square images and the original code"): [
        "== (200 // 16) ** 2 + 1 == 145",
        "square_outcome ==",
        "1323 * 3 * 3 == 11907",
        "ours = t2t_chain(224, 224, 3)[-1].grid.total",
    ],
    ("LESSON", "### The same formula in PyTorch's docs, d2l and the T2T paper"): [
        "len(forms) == 4",
    ],
    ("LESSON", "### What each token holds"): [
        "[77.6, 100.0]",
        "assert list(at_16) == [(16, 16, 0), footprints[-1].as_split()]",
        "assert pixels_used(small_stem(seen)[0, 0], seen).all()",
        "assert pixels_used(one_block.forward_features(seen)[0, 1], seen).all()",  # r26a M1: pixels_used projects
        "assert pixels_used(one_block.patch_embedding(seen)[0, 0], seen).sum() == 16 * 16",  # not all, before the block
        "assert list(at_16) == [(16, 16, 0)",
        "shift == 6.5",
        "footprints[-1].as_split()",
    ],
    ("LESSON", "### What the chain costs"): [
        "assert split_1**2 == 256 * main**2",  # r26a minor 1: the per-head ratio printed here
        "round(model_token / model_main, 1) == 3.2",
        '"head_dim = dim // num_heads" in block_file',
        "self.num_heads, self.in_dim)",
        "assert (split_1, main) == (3136, 196)",
        "line_213",
    ],
    ("APPENDIX", "## Where the windows sit: centring and T2T's padding"): [
        "assert pads ==",
        "assert pads == {0: 55, 1: 55, 2: 56, 3: 56}",
        "pads = ",
        "count_tokens(224, 224, 7, 4, 7 // 2).rows == 56",
    ],
}


CODE = {
    ("L07A", "## B · The whole module once"): [
        "inspect.getsource(Tokens2Token.forward)",
        "inspect.getsource",
    ],
    ("LESSON", "## 1 · Hard split and soft split"): [
        "plot_hard_soft_windows(4, 6",
        "print(",
        "display(fig)",
    ],
    ("LESSON", "## 2 · Counting tokens: the formula, derived"): [
        "tokens_along(60, 20, 10, 5)}",
        "plot_coverage(8, 8",
        "def coverage(",
        "nn.Fold(",
        "plot_window_strip(60",
        "from vit_explained.plotting.lesson02 import plot_coverage",
        'save_figure(fig, "02_window_strip_dropped")',
        "def coverage(height: int, width: int",
        "fig = plot_coverage(8, 8",
        "window_coverage(4, 6, 3, 2, 1).unique().tolist()",
        "plot_window_strip(60, kernel=20, stride=15",
    ],
    ("LESSON", "## 3 · Why overlap"): [
        "plot_line_on_border(",
        "tokens_holding(4, 6, line",
        'save_figure(fig, "02_line_on_border")',
        "plot_run_strip(20, *T2T_SPLITS[0])",
        'save_figure(fig, "02_run_strip")',
        "chain = t2t_chain(224, 224, 3)",
    ],
    ("LESSON", "## 4 · Soft split vs ViT's patch embedding"): [
        "plot_flatten_orders(",
        "by_conv = conv(x)",
        "by_patches = patch_linear(",
        "plot_window_to_token(4",
    ],
    ("LESSON", "## 5 · A worked example on a real image"): [
        "token_11 = padded",
        "is_image = split(",
        "fig = plot_window_grid(",
    ],
    ("LESSON", "## 6 · Explore: move the sliders"): [
        "# section 2's coverage",
        "explorer = soft_split_widget(",
        "lost_rows, lost_cols = ",
    ],
    ("LESSON", "## 7 · The whole T2T chain, counted"): [
        "plot_vit_map_t2t(",
        "plot_t2t_module(",
        "plot_t2t_chain(",
        "tall = show_chain(400, 100, 1)",
        "fig = plot_t2t_module(224, 224, 3",
        "show_chain(",
        "plot_t2t_chain(images",
        "t2t_chain(384",
        "big = t2t_chain(384, 384, 3)",
        'model="lesson 07\'s Tokens2Token"',
        "dim=384, depth=14, heads=6, mlp_dim=1152",
        "plot_vit_map_t2t(vit_14_map",
    ],
    ("LESSON", "### Exercise 1 · The grid after a chain of splits"): [
        "lesson02.check_",
    ],
    ("APPENDIX", "## Held whole, counted"): [
        "controls = {  # (kernel, stride, padding)",
        "shares = {split: share_held_whole(224, piece, *split) for split in controls}",
    ],
    ("APPENDIX", "## Lesson 07's module: reshape and a run"): [
        "built_with_seed(0, Tokens2Token, 224, in_channels=3",
        "tokens_1 = t2t.soft_splits[0](",
        "unfold_counts = [tokens_1",
        "plot_reshape_orders(",
        "t2t = built_with_seed(0, Tokens2Token",
    ],
    ("LESSON", "### Non-square images and the original code"): [
        "square_image = torch.rand(1, 1, 200, 200",
        "wide_image =",
        "for img_size in (224, 208)",
    ],
    ("LESSON", "### The same formula in PyTorch's docs, d2l and the T2T paper"): [
        '"d2l, p_total = 2p": lambda n, k, s, p: math.floor((n - k + 2 * p + s) / s)',
        "forms = {  # each gives the windows along one side",
    ],
    ("LESSON", "### What each token holds"): [
        "at_16 = {split:",
        "footprints = chain_footprints(T2T_SPLITS)",
        "piece = (2, 4)",
        "at_16 = {split: share_held_whole(224, piece",
        "plot_token_footprint(",
    ],
    ("LESSON", "### What the chain costs"): [
        "model_token, model_main = ",
        "heads_token, heads_main = 1, 6",
        "stage_tokens = [stage.grid.total",
        "readers = (",
    ],
    ("APPENDIX", "## Where the windows sit: centring and T2T's padding"): [
        "plot_window_strips(20, kernel=7, stride=4, paddings=(2, 3))",
        "plot_window_strips(20, kernel=7",
    ],
}


FORBIDDEN = [
    ("T2T's sinusoid extends to any length", "r26b M2: the original builds its table once, from img_size"),
    ("not checked here", "r26b minor 5: Table 7's numbers were checked against the paper's text"),
    ("<sub>a. In JupyterLab 4", "r26b minor 8: the Run All footnote is one sentence in the exercises' intro"),
    ("has 256 times a main block's attention entries", "fix25d_02 item 1: 256 is per head; per layer it is 43"),
    ("credit the overlap, not the window's size", "fix25d_02 item 2: true by the k - s + 1 rule, not a finding"),
    ("one per drawn window", "fix25d_02 item 3: every third window is drawn (21 frames)"),
    ("4 x 4 patches only 1.", "fix25d_02 item 4: 4 x 4 patches guarantee only 1 pixel"),
    ("gains three rows per frame", "fix25b_02 item 5: the GIF's first frame adds one row"),
    ("The box rule.", "fix25b_02 item 3: one name, the k - s + 1 rule"),
    ("*run rule*", "fix25b_02 item 3: one name, the k - s + 1 rule"),
    ("plot_edge_on_photo(photo, rim)", "fix25b_02 item 1: the controls are a 4-row table"),
    ("attention is ignored here", "fix_17c: wording items"),
    ("dark upper frame", "fix_17c: wording items"),
    ("least padding that gives", "fix_17e: reworded cells"),
    ("looks squeezed", "fix_17e: reworded cells"),
    ("fork_rng", "fix_18a: no try except or hooks in visible cells"),
    ("In short: of these", "fix_18b: held whole is shown as row share times column share"),
    ("60 x 100 grayscale crop", "fix_18c: review 18b sentences"),
    ("A hard split loses no pixel", "fix_18d: overstatements are qualified"),
    ("How the share is counted", "fix_18d: fold identity in the appendix factorised recount short"),
    ("(printed above)", "fix_18d: glossary once and note 1 says what is printed"),
    ("not centred", "fix_18e: wording"),
    ("Each later soft split feeds a token layer", "fix_19a: split 3 feeds the linear not a token layer"),
    ("*Hint*: the simplest choice", "fix_19a: exercise 2 hint k at least 2s minus 1 is folded"),
    ("T2T-ViT-14's Performers have", "fix_19a: t2t vit 14 and t2t vit t 14 named correctly"),
    (
        "Predict before you run:** the token grid after each split of a 224 x 224",
        "fix_19a: section 7 checks the module figure against the whole stem",
    ),
    ("shares[split] = share_held_whole", "fix_19a: held whole is one paragraph and one picture in the main path"),
    ("padding-or-kernel", "fix_19b: section 3 leads with same stride pairs"),
    ("Why the kernel wins", "fix_19b: the box rule is stated once and the kernel proof is merged"),
    ("**Terms**", "fix_19b: the box rule is stated once and the kernel proof is merged"),
    ("*Box rule*", "fix_19b: the box rule is stated once and the kernel proof is merged"),
    (
        "each row of the table changes one thing",
        "fix_19b: the appendix prints only the new row and names the grid change",
    ),
    ("section 3's coverage", "fix_19b: cross references name the right section"),
    ("section 2's 4 x 6 image", "fix_19b: cross references name the right section"),
    ("pairs", "fix_19c: 1 section 3 keeps the run rule and the stride 4 pair"),
    ("mix all tokens", "fix_19c: 1 section 3 keeps the run rule and the stride 4 pair"),
    ("credit the kernel", "fix_19c: 2 window size control"),
    ("SoftSplit(k=7", "fix_19c: 3 section 7 prints one chain"),
    ("show_chain(224", "fix_19c: 3 section 7 prints one chain"),
    ("count_tokens(224, 224, 7, 4, 2)", "fix_19c: 7 cell 22 checks only the floor rule"),
    ("note=", "fix_19g: the prose before the chain figure says the original scrambles it"),
    ("like for like", "fix_20c: 2 section 3 names lengths share geometry and links the appendix"),
    ("### A piece of the photo", "fix_20c: 3 receptive field named and held whole is one appendix section"),
    ("whose side 16 divides", "fix_20e: 1 square 200 stops and the summary says 16 divides"),
    ("Four more splits tell these apart", "fix_20e: 3 a smaller window with enough overlap reaches 100"),
    ("What the paper means", "fix_20h: the reading is marked as a reading"),
    ("tokens that hold all of it", "fix_21a: 3 one table of controls with the photo piece"),
    ('print(f"({kernel}, {stride}, {pad}): window', "fix_21a: 3 one table of controls with the photo piece"),
    ("row_held}/{len(row_starts)}", "fix_21a: 3 one table of controls with the photo piece"),
    ("as master", "fix_21a: 5 commits are permalinks"),
    ("why T2T's 7 x 7 split pads 2", "fix_21a: 7 over reaching leads cut"),
    ("its forward are in", "fix_21a: 7 over reaching leads cut"),
    ("keep short edges whole", "fix_21a: 7 over reaching leads cut"),
    ("one run per model", "fix_22a: 2 table 7 as reported and transcribed"),
    ("sorted(", "fix_22a: 2 table 7 as reported and transcribed"),
    ("uses Performer token layers instead", "fix_22c: item 6 one idea per sentence in section 7 and the cost"),
    ("(lines 57-58 and 246)", "fix_22c: item 6 one idea per sentence in section 7 and the cost"),
    ("(the repo's", "fix_22c: item 6 one idea per sentence in section 7 and the cost"),
    ("separates size from overlap", "fix_22e: item 1 the controls name the stride and grid they change"),
    ("(the box rule, appendix)", "fix_22e: item 3 the run rule is stated derived and swept in section 3"),
    ("(split 1: pixels)", "fix_22e: items 6 7 hints and one idea per sentence"),
    ("stride-4 caveat", "fix_22h: item 3 the footprint caveat is one explicit sentence"),
    ("as the appendix does at stride 4", "fix_22h: item 3 the footprint caveat is one explicit sentence"),
    ("illustrates window size against overlap", "fix_22h: item 3 the footprint caveat is one explicit sentence"),
    ("77.6 % of the placements do", "fix_22h: item 7 sentence pairs joined"),
    ("and a side of `n` pixels gets", "fix_23b: item 3 ceil rule names t2t split"),
    ("Whole floats pass", "fix_23b: item 7 fragments are sentences"),
    ("first case", "fix_23d: item 4 recap drops the first case request"),
    ("torch.arange(32, 513)", "fix_l: one experiment per cell"),
    ("runs silently", "fix_n: summary keeps the core and points to going further"),
    ("3744ac6", "fix_n: forensics are a few cells and one note"),
    ("(169, 1, 0)", "fix_n: exercise 2 text is identical and drops the 169 remark"),
    ("paraphrased", "fix_q: sec 3 1 is quoted exactly and not paraphrased"),
    ("short line", "fix_q: summary says k minus s plus 1"),
    ("short pieces stay whole in some token.", "fix_q: summary says k minus s plus 1"),
    ("plot_floor_staircase(", "fix_q: optional part is at most 20 visible cells"),
    ("Why compare", "fix_r: plain sentences nits and the bridge"),
    ("**Letters**", "fix_r: plain sentences nits and the bridge"),
    ("no window reaches the last padding row", "fix_s: wording fixes"),
    ("feature positions", "fix_s: wording fixes"),
    ("not how often", "fix_w: section 3 prints the shares and states the box rule once"),
    ("along a row or column stays whole", "fix_w: section 3 prints the shares and states the box rule once"),
    ("(#photo-piece)", "fix_w: photo piece and runs are in going further"),
    ("and the position table;", "fix_x: position table belongs to the final tokens only"),
    ("is drawn in two panels, one per row of windows", "fix_x: no telegraphic sentences left"),
    ("That is what the splits put into a token", "fix_x: no telegraphic sentences left"),
    ("Run it.", "fix_x: no telegraphic sentences left"),
    ("Heads change the per-layer count", "fix_x: no telegraphic sentences left"),
    ("dim=768", "fix_y: map is drawn with t2t vit 14s widths"),
    ("perfect square", "fix_y: nits and identical exercise text"),
    ("it is geometry, not accuracy", "r26a minor 3: said once, in section 3"),
    ("None of this is accuracy", "r26a minor 3: a hedge that repeated section 3"),
    ("the controls illustrate it", "r26a minor 3: a hedge that read like a review reply"),
    ("not that it keeps them", "r26a minor 3: a hedge that read like a review reply"),
]


SCOPED_FORBIDDEN = [
    (
        "56 -> 28 -> 14",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("LESSON", "## Exercises"),
            ("LESSON", "### Exercise 1 · The grid after a chain of splits"),
            ("APPENDIX", "## Held whole, counted"),
            ("LESSON", "### What the chain costs"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_17c",
    ),
    (
        "register_forward_pre_hook",
        [
            ("LESSON", "## 6 · Explore: move the sliders"),
            ("LESSON", "## 7 · The whole T2T chain, counted"),
            ("LESSON", "### Non-square images and the original code"),
        ],
        "fix_18a",
    ),
    (
        "OriginalT2TStem(",
        [
            ("LESSON", "## 6 · Explore: move the sliders"),
            ("LESSON", "## 7 · The whole T2T chain, counted"),
            ("APPENDIX", "## Lesson 07's module: reshape and a run"),
        ],
        "fix_18a",
    ),
    (
        "try:",
        [("LESSON", "## 7 · The whole T2T chain, counted"), ("LESSON", "### Non-square images and the original code")],
        "fix_18a",
    ),
    ("224", [("LESSON", "## Going further (optional)")], "fix_18d"),
    (
        "At ViT's stride 16, T2T's final tokens hold 100 %",
        [
            ("LESSON", "## 1 · Hard split and soft split"),
            ("APPENDIX", "## Held whole, counted"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_18e",
    ),
    ("(k - s + 1) x (k - s + 1)", [("LESSON", "### What each token holds")], "fix_19b"),
    (
        "77.6 %",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
            ("APPENDIX", "## Held whole, counted"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_19b",
    ),
    ("At ViT's stride 16", [("APPENDIX", "## Held whole, counted")], "fix_19b"),
    (
        "stride 16",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
            ("LESSON", "## Going further (optional)"),
            ("APPENDIX", "## Held whole, counted"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_19c",
    ),
    (
        "chain_footprints",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
            ("APPENDIX", "## Held whole, counted"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_19c",
    ),
    (
        "(31, 16, 14)",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_19c",
    ),
    (
        "31 x 31",
        [
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
            ("LESSON", "## Summary"),
            ("APPENDIX", "## Held whole, counted"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_19c",
    ),
    ("Going further", [("APPENDIX", "## Held whole, counted"), ("LESSON", "### What each token holds")], "fix_19c"),
    ("def show_chain", [("LESSON", "## Summary")], "fix_19c"),
    (
        "56 -> 28",
        [("LESSON", "# 02 · Soft split and token counting"), ("LESSON", "## Exercises"), ("LESSON", "## Summary")],
        "fix_19c",
    ),
    ("floor(", [("LESSON", "## Exercises")], "fix_19c"),
    (
        "window_coverage(8, 8",
        [("APPENDIX", TITLE_A), ("APPENDIX", "## Where the windows sit: centring and T2T's padding")],
        "fix_19c",
    ),
    (
        "math.ceil(n / 2)",
        [("APPENDIX", TITLE_A), ("APPENDIX", "## Where the windows sit: centring and T2T's padding")],
        "fix_19c",
    ),
    (
        "31 x 31 pixels",
        [("LESSON", "## Summary"), ("APPENDIX", "## Where the windows sit: centring and T2T's padding")],
        "fix_19g",
    ),
    (
        "(#token-footprint)",
        [("LESSON", "## Summary"), ("APPENDIX", "## Held whole, counted"), ("LESSON", "### What each token holds")],
        "fix_19g",
    ),
    ("count_tokens", [("LESSON", "## Summary")], "fix_20a"),
    ("not a measured gain", [("LESSON", "## 3 · Why overlap"), ("LESSON", "### What each token holds")], "fix_20c"),
    (
        "*run rule*",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    (
        "147",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    (
        "49.9 %",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    (
        "plot_run_strip",
        [
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    (
        "worst_run",
        [
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    (
        "lesson 07, section 6",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_20e",
    ),
    ("token-footprint", [("LESSON", "## Summary")], "fix_20e"),
    ("globally", [("APPENDIX", TITLE_A), ("LESSON", "### What each token holds")], "fix_22a"),
    ("6.5", [("APPENDIX", TITLE_A)], "fix_22a"),
    ("fourth power", [("LESSON", "## Summary")], "fix_22a"),
    ("lines 44-103", [("LESSON", "### What the chain costs")], "fix_22c"),
    (
        "19.1",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("LESSON", "## 6 · Explore: move the sliders"),
            ("APPENDIX", TITLE_A),
            ("LESSON", "### What each token holds"),
        ],
        "fix_22e",
    ),
    (
        "share_held_whole",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
        ],
        "fix_22e",
    ),
    (
        "controls_3",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("LESSON", "## 6 · Explore: move the sliders"),
            ("APPENDIX", TITLE_A),
            ("LESSON", "### What each token holds"),
        ],
        "fix_22e",
    ),
    (
        "a shared corner",
        [("LESSON", "## 2 · Counting tokens: the formula, derived"), ("APPENDIX", TITLE_A)],
        "fix_22h",
    ),
    ("by hand", [("LESSON", "## Exercises")], "fix_23d"),
    (
        "208",
        [
            ("LESSON", "# 02 · Soft split and token counting"),
            ("LESSON", "## 1 · Hard split and soft split"),
            ("LESSON", "## 7 · The whole T2T chain, counted"),
            ("LESSON", "## Summary"),
            ("LESSON", "### What the chain costs"),
        ],
        "fix_n",
    ),
    (
        "0f63dc9",
        [
            ("LESSON", "# 02 · Soft split and token counting"),
            ("LESSON", "## 1 · Hard split and soft split"),
            ("LESSON", "## Summary"),
        ],
        "fix_n",
    ),
    (
        "3136",
        [
            ("LESSON", "## 1 · Hard split and soft split"),
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
        ],
        "fix_n",
    ),
    (
        "Performer",
        [
            ("LESSON", "## 1 · Hard split and soft split"),
            ("LESSON", "## 2 · Counting tokens: the formula, derived"),
            ("LESSON", "## Going further (optional)"),
        ],
        "fix_n",
    ),
    ('<a id="note-02-versions"></a>', [("APPENDIX", TITLE_A)], "fix_n"),
    ("(#box-rule)", [("LESSON", "## Summary")], "fix_q"),
    (
        "line 73",
        [("LESSON", "## 4 · Soft split vs ViT's patch embedding"), ("LESSON", "## Going further (optional)")],
        "fix_s",
    ),
    (
        "conolution",
        [("LESSON", "## 4 · Soft split vs ViT's patch embedding"), ("LESSON", "## Going further (optional)")],
        "fix_s",
    ),
    ("fmean", [("APPENDIX", "## Where the windows sit: centring and T2T's padding")], "fix_v"),
    (
        "19.1 %",
        [
            ("LESSON", "## 3 · Why overlap"),
            ("LESSON", "## 4 · Soft split vs ViT's patch embedding"),
            ("APPENDIX", TITLE_A),
            ("LESSON", "### What each token holds"),
        ],
        "fix_w",
    ),
    (
        "scrambled",
        [
            ("LESSON", "## 5 · A worked example on a real image"),
            ("LESSON", "## Summary"),
            ("LESSON", "### Exercise 2 · Choose a split for a grid"),
            ("APPENDIX", "## Where the windows sit: centring and T2T's padding"),
        ],
        "fix_y",
    ),
]


@pytest.mark.parametrize("row", _rows(FACTS), ids=_id)
def test_fact_in_its_section(row):
    key, heading, fact = row
    assert heading in sections(key), heading
    assert nb.flat(fact).lower() in nb.flat(sections(key)[heading]["md"]).lower(), (heading, fact)


@pytest.mark.parametrize("row", _rows(PRINTED), ids=_id)
def test_printed_in_its_section(row):
    key, heading, text = row
    assert _has(sections(key)[heading]["printed"], text), (heading, text)


@pytest.mark.parametrize("row", _rows(HIDDEN_CHECKS), ids=_id)
def test_check_folded_in_its_section(row):
    key, heading, text = row
    assert _has(sections(key)[heading]["hidden"], text), (heading, text)


@pytest.mark.parametrize("row", _rows(CODE), ids=_id)
def test_code_in_its_section(row):
    key, heading, text = row
    assert _has(sections(key)[heading]["code"], text), (heading, text)


@pytest.mark.parametrize("phrase, why", FORBIDDEN, ids=[p[:40] for p, _ in FORBIDDEN])
def test_forbidden_phrase_stays_out(phrase, why):
    for key in PATHS:
        if key.startswith("L0"):
            continue
        text = nb.flat(nb.all_text(PATHS[key]) + "\n" + nb.all_printed(PATHS[key])).lower()
        assert nb.flat(phrase).lower() not in text, (key, phrase, why)


@pytest.mark.parametrize("phrase, scopes, why", SCOPED_FORBIDDEN, ids=[p[:40] for p, _, _ in SCOPED_FORBIDDEN])
def test_forbidden_phrase_stays_out_of_its_sections(phrase, scopes, why):
    for key, heading in scopes:
        section = sections(key).get(heading)
        if section is None:
            continue  # the section went: nothing of it can say the phrase
        text = nb.flat(section["md"] + "\n" + section["code"]).lower()
        assert nb.flat(phrase).lower() not in text, (heading, phrase, why)


# ---- placement and structure (hand-written from the folded files) ----

HEADINGS = [  # the lesson's sections, in order: where a thing lives is said by these
    "# 02 · Soft split and token counting",
    "## 1 · Hard split and soft split",
    "## 2 · Counting tokens: the formula, derived",
    "## 3 · Why overlap",
    "## 4 · Soft split vs ViT's patch embedding",
    "## 5 · A worked example on a real image",
    "### The window, sliding",
    "## 6 · Explore: move the sliders",
    "## 7 · The whole T2T chain, counted",
    "## Summary",
    "## Exercises",
    "### Exercise 1 · The grid after a chain of splits",
    "### Exercise 2 · Choose a split for a grid",
    "### Exercise 3 · A soft split from slicing",
    "### Exercise 4 · The pixels a split loses",
    "## Going further (optional)",
    "### The same formula in PyTorch's docs, d2l and the T2T paper",
    "### What each token holds",
    "### What the chain costs",
    "### Non-square images and the original code",
]

APPENDIX_HEADINGS = [  # review r26b item 3: the appendix in its own notebook, as lessons 01 and 03-09 have
    "# 02 · Appendix: held whole, folding, and the T2T module's pieces",
    "## Held whole, counted",
    "## Where the windows sit: centring and T2T's padding",
    "## The original repo's convolution stem",
    "## Lesson 07's module: reshape and a run",
]

ORDER = [  # (earlier, later) in the lesson: a picture before its proof, a definition before its use
    ("fig = plot_coverage(8, 8", "def coverage("),  # review r22b item 7: the coverage picture, then the function
    ("by_conv = conv(x)", "plot_flatten_orders("),  # section 4: the weight copy, then the order figure
    ("fig = plot_window_grid(", "token_11 = padded"),
    ("token_11 = padded", "is_image = split("),
    ("plot_run_strip(20, *T2T_SPLITS[0])", "The **`k - s + 1` rule**"),  # r25a item 2: the picture before the proof
    ("The **`k - s + 1` rule**", "chain = t2t_chain(224, 224, 3)"),  # section 3 ends with overlap's two costs
    ('<a id="box-rule"></a>', "controls = {  # (kernel, stride, padding)"),
    ("controls = {  # (kernel, stride, padding)", '<a id="fold-identity"></a>'),
    ('<a id="chain-run"></a>', "unfold_counts = [tokens_1"),  # the reshape and stage 1 come first
]

NO_FOLDED_CHECK_NEEDED = [  # visible cells that print numbers and assert them themselves or print only a story
    "fig = plot_coverage(8, 8",
    "stage_tokens = [stage.grid.total",
    "tall = t2t_chain(400, 100, 1)",
    "stem = OriginalT2TStem(img_size=img_size",
    "original_square_grids(stem, tall_image)",
]

CELL_FORBIDDEN = [  # (a code cell's label, a phrase its source must not hold, why)
    ("plot_t2t_chain(images", "T2T-ViT_t-14", "the chain figure draws lesson 07's module, not T2T-ViT_t-14"),
    ("plot_t2t_chain(images", "note=", "the chain figure carries no note"),
    ("def coverage(height: int, width: int", "print(", "the definition prints nothing; the picture's cell prints"),
]


def test_sections_in_order():
    for path, wanted in ((LESSON, HEADINGS), (APPENDIX, APPENDIX_HEADINGS)):
        headings = [
            line.strip()
            for cell in nb.cells(path)
            if cell["cell_type"] == "markdown"
            for line in nb.source(cell).splitlines()
            if line.startswith("#")
        ]
        assert headings == wanted, path.name


@pytest.mark.parametrize("earlier, later", ORDER)
def test_order(earlier, later):
    sources = nb.sources(LESSON if any(earlier in s for s in nb.sources(LESSON)) else APPENDIX)
    assert nb.unique_index(sources, earlier) < nb.unique_index(sources, later)


@pytest.mark.parametrize("path", [LESSON, APPENDIX], ids=lambda p: p.stem)
def test_every_number_printed_has_a_folded_check_after_it(path):
    cells = nb.cells(path)
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or nb.hidden(cell) or not re.search(r"\d", nb.printed(cell)):
            continue
        if any(label in nb.source(cell) for label in NO_FOLDED_CHECK_NEEDED):
            continue
        assert i + 1 < len(cells) and nb.hidden(cells[i + 1]), nb.source(cell)[:80]


def test_each_figure_is_shown_once():
    for path in (LESSON, SOLUTIONS):
        cells = nb.cells(path)
        outputs = [o for c in cells for o in c.get("outputs", [])]
        pictures = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
        assert len(pictures) == len(set(pictures)), path
        names = re.findall(r'save_figure\(\w+, "([^"]+)"', nb.all_text(path))
        assert len(names) == len(set(names)), path


@pytest.mark.parametrize("label, phrase, why", CELL_FORBIDDEN)
def test_cell_does_not_say(label, phrase, why):
    sources = nb.sources(LESSON)
    assert phrase not in sources[nb.unique_index(sources, label)], why


def test_exercise_texts_match_the_solutions_and_checks_may_raise():
    lesson = [s for s in nb.sources(LESSON) if s.startswith("### Exercise")]
    solutions = [s for s in nb.sources(SOLUTIONS) if s.startswith("### Exercise")]
    assert lesson == solutions and len(lesson) == 4
    checks = [c for c in nb.cells(LESSON) if nb.source(c).startswith("lesson02.check_")]
    assert len(checks) == 4 and all("raises-exception" in c["metadata"].get("tags", []) for c in checks)
    exercise_2 = lesson[1]  # fix 19a, 22e: the hints are folded, in order, the last one names k >= 2s - 1
    at = exercise_2.index("k >= 2s - 1")
    assert exercise_2.rfind("<details>", 0, at) > exercise_2.rfind("</details>", 0, at)
    assert exercise_2.index("A first hint") < exercise_2.index("A last hint") < at


def test_main_path_links_forward_at_most_twice_and_anchors_exist():
    cells = nb.cells(LESSON)
    sources = nb.sources(LESSON)
    going = nb.unique_index(sources, "## Going further (optional)")
    summary = nb.unique_index(sources, "## Summary")
    main = [nb.source(c) for c in cells[:summary] if c["cell_type"] == "markdown"]
    anchors = [link for text in main for link in re.findall(r"\]\((#[a-z0-9-]+)\)", text)]
    later = {a for s in sources[going:] for a in re.findall(r'<a id="([a-z0-9-]+)">', s)}
    assert len([a for a in anchors if a[1:] in later]) <= 2
    defined = {a for s in sources for a in re.findall(r'<a id="([a-z0-9-]+)">', s)}
    linked = {a[1:] for s in sources for a in re.findall(r"\]\((#[a-z0-9-]+)\)", s)}
    assert linked <= defined and "going-further-optional" in defined, linked - defined
    appendix = {a for s in nb.sources(APPENDIX) for a in re.findall(r'<a id="([a-z0-9-]+)">', s)}
    into = r"02_soft_split_token_counting_appendix\.ipynb#([a-z0-9-]+)"
    into_appendix = {a for s in sources for a in re.findall(into, s)}
    assert into_appendix and into_appendix <= appendix, into_appendix - appendix  # review r26b item 3: links resolve
    pointer = sources[nb.unique_index(sources, "Where the windows sit, and")]  # review r26b minor 1: linked
    assert "[appendix](02_soft_split_token_counting_appendix.ipynb#centring)" in pointer
    back = {
        a for s in nb.sources(APPENDIX) for a in re.findall(r"\(02_soft_split_token_counting\.ipynb#([a-z0-9-]+)\)", s)
    }
    assert back <= defined, back - defined
    lesson_07 = nb.all_text(nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb")  # section 7 links its "6-does-t2t-help"
    assert '<a id="6-does-t2t-help"></a>' in lesson_07


def test_the_controls_table_rows():
    """Appendix "Held whole, counted": one 4-row table of controls and their held-whole shares (review r25a item 1)."""
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    row = nb.unique_index(sources, "controls = {  # (kernel, stride, padding)")
    lines = nb.printed(cells[row]).splitlines()
    table = {line[:13].strip(): line[41:].split() for line in lines[1:]}
    assert list(table) == ["(4, 4, 0)", "(7, 7, 0)", "(7, 4, 2)", "(5, 2, 2)"]
    assert [r[0] for r in table.values()] == ["1", "1", "4", "4"]  # k - s + 1
    assert [r[1] for r in table.values()] == ["56", "32", "56", "112"]  # windows per side
    assert [r[3] for r in table.values()] == ["19.1%", "49.9%", "100.0%", "100.0%"]
    assert nb.hidden(cells[row + 1])


def test_overlap_costs_close_section_3():
    """Review r25a item 4: section 3 ends with one printed line of overlap's cost, checked. Review r26a minor 1:
    the attention ratios (per head, per layer) use token layers and heads, so "What the chain costs" prints them."""
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    row = nb.unique_index(sources, "chain = t2t_chain(224, 224, 3)")
    assert row + 2 == nb.unique_index(sources, "## 4 · Soft split vs ViT's patch embedding")
    (line,) = nb.printed(cells[row]).splitlines()
    assert line == "overlap's cost: split 1 makes 3.06 times the image's values"
    assert nb.hidden(cells[row + 1]) and not nb.hidden(cells[row])
    section_3 = nb.unique_index(sources, "## 3 · Why overlap")
    before = " ".join(nb.source(c) + nb.printed(c) for c in cells[section_3 : row + 2])
    assert "256" not in before and "43 times" not in before and "per head" not in before and "per layer" not in before
    # review r25b item 1: "What the chain costs" refers to section 3's line instead of printing 3.06 again
    costs = nb.unique_index(sources, "### What the chain costs")
    later = nb.unique_index(sources, "### Non-square images and the original code")
    printed = "".join(nb.printed(c) for c in cells[costs:later])
    assert "3.06" not in printed and "460,992" not in printed
    assert "256 times as many entries" in printed and "43 times as many" in printed
    assert "section 3's line" in nb.flat(nb.source(cells[costs]))


def test_version_note_is_a_three_row_table():
    note = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), '<a id="note-02-versions"></a>')]
    rows = [line for line in note.splitlines() if line.startswith("|")][2:]
    assert len(rows) == 3 and all(row.count(" | ") == 2 for row in rows)
    assert "`0f63dc9`" in rows[0] and "208 to 223" in rows[0]
    assert "`69d24fe`" in rows[1] and "h = int(math.sqrt(n))" in rows[1] and "cut to fit" in rows[1]
    assert "timm 1.0.29.dev0" in rows[2] and "`aa4b585`" in rows[2] and "no T2T-ViT model" in rows[2]


def test_count_tokens_is_derived_before_it_is_called():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    heading = nb.unique_index(sources, "## 2 · Counting tokens")
    assert "count_tokens" not in sources[heading]  # review 18a: section 2 derives it first
    assert not any("count_tokens(" in nb.source(c) for c in cells[:heading] if not nb.hidden(c))


def test_no_round_or_session_wording():
    for path in (LESSON, SOLUTIONS):
        assert not re.search(r"\b(round|session) \d", nb.all_text(path), re.IGNORECASE)


def test_main_path_targets():
    """The one cap: the main path (visible cells before the Summary) and its markdown words."""
    main = nb.main_path(LESSON)
    assert len(main) <= 45 and nb.markdown_words(main) <= 1950, (len(main), nb.markdown_words(main))
