# ruff: noqa: E501  (the tables quote printed lines whole)
"""Lesson 06: what the notebooks say and print, pinned as facts (numbers, verdicts, places), not wording.

Folded from the per-round files tests/test_lesson06_fix_*.py. Each table row names a notebook and a section
heading ("3 ·", "D ·", "Summary", "Exercise 2"); a fact must appear in that section (case-insensitive, whitespace
collapsed). Content moved between sections -> move its row; prose tightened -> the fact stays. The behaviour tests
(package code, checkers, plots, stored runs) live in tests/test_lesson06_code.py.
"""

from __future__ import annotations

import re

import pytest

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "06_train_a_vit_solutions.ipynb"
BOOKS = {"lesson": LESSON, "appendix": APPENDIX, "solutions": SOLUTIONS}

# the main-path targets of this round's lesson brief (visible cells and markdown words before the Summary)
# brief fix06i item D: 2,700 -> 2,496 words (the verdict box moved to section 5, second readings to the appendix)
# brief fix06n item 1 (review r29a): 2,494 -> 2,414 (init numbers, the lr grid, four table rows and asides to the appendix)
# brief fix06o (review r29b): 2,414 -> 2,412 (links cut to one per paragraph paid for the data-scale sentence)
# brief fix06p (review r29c): 2,412 -> 2,383 (3b folded into 3a, the stem's provenance, seed bookkeeping and a budget aside to appendix D)
# brief fix06q (review r29d): 2,383 -> 2,311 (the size study, the augmentation table, 3a's init paragraph and the card's
# pointer list to the appendix; cell 37's check and the untrained null added)
# brief fix06r (review r30a): 2,311 -> 2,307 (the intervals of cells 31, 37, 66 and 68 and the MNIST-benchmark clause
# paid for by cuts in sections 0-5; the growth and augmentation intervals are printed, not written)
# brief fix06s (review r30b): 2,307 -> 2,299 (cell 32's bookkeeping to its check, cell 18 one line per picture; the
# MNIST-benchmark sentence, cell 7's pointer, the warm-up's 400 steps and section 6's hint paid for by cuts)
# brief fix06t (review r30c): 49 -> 48 cells, 2,299 -> 2,291 words (the verdict table up to "How sure?", cell 10 into
# cell 7, cell 18 split at its figures, section 5's two verdict cells merged; the warm-up paragraph, the running-tally
# sentence and the step-0 prediction to appendices C and H paid for the preset, floor, AdamW and interval clauses)
# brief fix06u (review r31a): 2,291 -> 2,224 words, 48 cells (cell 62 merged into the package's section_5_table, cell 64
# split; the MNIST-benchmark and ImageNet sentences to appendix D, the two causes and the decayed-weights rule to
# appendix C, the mean-pooling sentence to appendix F paid for the AdamW fraction, the lone-comparison row, the
# smoothing rise's interval and the epochs 1-5 clause)
# brief fix06x (review r31c, session 32): 2,224 -> 2,124 words, 48 cells (the verdict table moved to section 5's start; cell 35's
# per-seed lines, seed 2's bump and the label-smoothing paragraph to appendix C #overfitting-seeds; the Annotated
# Transformer's LayerNorm to appendix H #annotated-layernorm; sections 3-5 in plain sentences) after adding the patch-size
# knob, the 3-seed hint, the 5-point threshold, input standardisation and the scale sentence
# brief fix06y (review r32a, session 32): 2,124 -> 2,084 words, 48 cells (cell 61's growth and augmentation rows and check 6's
# 400-step arms to appendices D and F, the duplicated test-set sentence, section 3's and 5's asides cut) after adding the
# pooling knob, the parameter counts, the 8x8 tally's measured cause, section 4's map pointer and the peak-lr clause
# brief fix06z (review r32b, session 32): 2,084 -> 2,082 words, 48 cells (parentheses and clipped hedges rewritten as
# sentences in cells 7, 25, 34, 46-52 and 62; cell 0's no-CIFAR sentence kept; the floor clause of 3b, the augmentation
# bullet and exercise 5's convention aside cut) after adding the two tally causes in words, the benchmark clause and
# the growth's 6.3 points
# brief fix06_33a (review r33a, session 33): 2,082 -> 2,081 words, 48 cells (cell 6 folded into cell 4; the recipe's words
# and the smoothed-target figure moved from section 2 to 3a beside the loop; cell 62's five claims split in two
# paragraphs; section 4's asides trimmed) after adding the printed model, the one-run eval-mode sentence, the "leans"
# gloss, the torchvision version and the validation-vs-test line of section 5
# brief fix06_33b (review r33b, session 33): 2,081 -> 2,076 words, 48 cells (the exploratory rule, the 1,860-step and
# seeds + digits readings, the MNIST-benchmark clause, the Normalize versions, the Annotated Transformer clause and the
# "Go deeper" line to the appendix; sentences shortened) after adding the locality paragraph of section 5, the
# attention-mixing caveat, the check-order caveat and the undecayed weights
# brief quick_33d (review r33c, session 33): 2,076 kept, 48 cells (check 5's batch_first sentence, "init and rate" and
# "(not run here)" paid for by cell 52's bug-or-slow clause (the takeaway says it), cell 55's repeated "no image reaches
# the head" and three connectives)
# brief quick06_35a (audit a35a): 2,074 -> 2,073 words, 48 cells (the box's t-interval clause, "or hint", "longer", "only"
# and "before rounding" paid for by cell 63's "Both are printed below" and cell 22's unversioned "as PyTorch does")
# brief fix06_35b (review r35a): 2,073 -> 2,075 words, 48 -> 47 cells (section 2's accuracy and confusion-matrix cells
# merged, paying for section 5's family-rows figure; the ViT paper's condition and the MNIST benchmark's latest row paid
# for by cuts in sections 2-5)
# brief quick06_35b (audit a35b): 2,075 -> 2,076 words, 47 cells (the benchmark's tuned recipe and touching ranges, paid
# for by its repeated "3 seeds:", "split alike", "its step is at fault" and "the full recipe, 12 epochs")
# brief quick06_36d (audit a36d): 2,076 kept, 47 cells (the full leans/finding rule, "which chooses nothing" and
# "`batch_first` not re-run" paid for by "One print shows a wrong scale" -> "Print its range", "reads the images" ->
# "learns", "12 epochs," (printed), section 6's heading and "the class axis" -> "classes")
# brief fix06_37a (reviews r36g, r36h): 2,076 kept, 47 -> 48 cells (check 5 in its own cell; section 2 opens on the shipped
# ViT, the mnist-fast curve beside the 8x8 one in 3b; plain sentences in cells 11, 16, 62, 65; the zero-head aside, "two of
# the 20" and the rounding note to appendices F and D; the check-order sentence said once, at check 5)
# brief fix06_37b (reviews r37a, r37b): 2,076 kept, 48 cells (section 2's Fisher line to appendix E, a pointer left; cell
# 30's MNIST causes and "no dropout" to appendix C; the 1-batch takeaway shortened) after adding the conv-stem sentence,
# the augmentation's sizes, cell 30's "what ties with what" and cell 52's one-idea sentences
# brief quick06_37b (audit a37b): 2,076 kept, 48 cells (the takeaway's "a slow optimiser", "per axis", the map pointer in
# section 4's opening, "`load_mnist()` returns them" and "asked after seeing results") after adding the shared rate, the MNIST causes
# and the ViT paper's "a few points below comparable ResNets"
# brief quick06_37d: 2,075 of 2,076, 48 cells (the 8x8 eval-mode epochs to appendix C's pointer, "shipped in installed
# packages", "a part with no gradient cannot learn", "on the confidence side", the floor's pointer: printed in cell 18 now)
# after the MNIST benchmark clause, Adam's lr-sized step, the paired t-interval pointer and Xiao et al.'s stem
# brief fix06_38a: 48 -> 45 cells, 2,076 -> 1,925 words (section 5's family rows, the augmentation sentence and the two
# ViT knobs moved to appendices D and I; section 4's verdict-word paragraph went; the card's statistics behind its
# links; check 4's in-view norms named in 12 words); the freed room stays free
# brief fix06_38c: 45 -> 47 cells, 1,925 -> 1,973 words (brief cap 47 / 1,990): section 3a split into AdamW and label
# smoothing (a markdown and a code cell), cell 30's cause in plain words first, the stored validation-loss run named
# brief fix06_38d (audit a38b): 1,973 -> 1,990 words, 47 cells (MNIST's lead range, the tally as a possible cause, the
# stored run's tolerance in digits, the link to seed 1's loss curves; "the check below confirms" and "same" cut)
# brief fix06_38e: 47 cells, 1,990 words kept (Adam's coupled decay in plain words, section 5's three reading lines,
# section 6's "run the notebook"; section 3b's provenance moved to its hidden checks)
# brief fix06_38f (audit a38c): 47 cells, 1,990 words kept (Adam's first step scoped to the printed wd, the stored
# run named as this same run; paid for by check 1's figure sentence, check 4's "computed in view", check 6's "can
# memorise 64 digits" and section 1's 8x8 split in a clause)
# brief fix06_38g (reviews r38e, r38f; brief cap 48 / 2,040): 47 -> 48 cells, 1,990 -> 2,039 words (Adam against
# AdamW with a real loss gradient, the takeaway scoped to training seeds on these test digits, section 3a's schedule
# sentences in their own cell before the figure; the family-of-20 accounting cut to one sentence)
# brief fix06_38i (audit a38d; brief cap 48 / 2,060): 48 cells, 2,039 -> 2,059 words (Adam's decay scoped to a loss
# gradient much larger than wd·w, with AdamW's two clauses merged; the family's 18 planned and 2 asked after results;
# over-fitting with training loss still falling; "ahead" in the takeaway)
# brief fix06_38j (reviews r38g, r38h M1; brief cap 48 / 2,070): 48 cells, 2,059 -> 2,050 words (Adam against AdamW
# on seeded gradient noise at two scales, cell 17 in three sentences, the lr-sized step scoped to wd·w above eps)
# audit a38e (lead, within fix06_38j's cap 48 / 2,070): 2,050 -> 2,061 words (Adam's uneven decay said only for the
# two printed runs, seed 0, and the cap behind "20 times")
# brief lead39 (reviews r39a, r39b): 48 -> 47 cells (the mnist-fast curve left for appendix C, where the same run is
# drawn), 2,061 words kept (Adam against AdamW as a rule with three noise scales; check 1's slip; check 4's reference;
# the family's correction in plain words; locality cited)
# brief lead39b (reviews r39c minors 1-2, r39d minor 1, both 9): 2,060 -> 2,119 words, the cap raised on purpose: Adam's
# coupled decay shown with its mechanism (m/√v; √v ≈ σ or ≈ wd·w), why it matters and the identical grey path, where
# the 9-reviewers found the rule stated but not explained; the running tally's mechanism reworded; the reading key split
# audit a39b (lead): +3 words for precision (bias-corrected averages, zero-mean noise, "on average")
# brief lead39c (reviews r39e minor 3, r39f minor 1): 47 -> 48 cells, 2,122 -> 2,140 words: the Adam/AdamW setting
# before its figure and the mechanism ("Why.") after it, in a cell of its own; SGD's momentum; the benchmark's equal
# seconds and seed ranges; border patches said plainly
# audit a39c and review r39h (lead): 2,140 -> 2,147 words (the measured 18.83 beside the cap of 20; the late two named)
# reviews r39g (lead): the learning goals name the recipe and over-fitting; seed 2's bump linked; Xiao et al.'s stem
# audit a39d (lead): the per-weight range beside "about 20"; the goal names the recipe `fit` runs
# reviews r39i, r39j (lead): why single weights exceed 20; the loop says it runs plain Adam; training loss linked
# reviews r39k, r39l (lead): check 6's 'fits' defined (last loss under 0.1); fit's optimizer per recipe
MAIN_PATH_CELLS, MAIN_PATH_WORDS = 48, 2205
# r32 decision (brief fix06z item 2, review r32b minor 11): the takeaway names the package's MNIST benchmark in one
# clause, "no stable order over its four runs", keeping the r30 decisions (no "97.8 %" in the lesson, no direction):
# the reviewer's "the ViT slightly ahead" holds for the last run only (ViT higher in two runs of four)
# r30 decision (brief fix06r item 2, review r30a minor 3): the takeaway names the package's MNIST benchmark without
# quoting "97.8 %", which stays forbidden in the lesson: the benchmark's rows and caveats live in appendix D.
# brief fix06s item 1 (review r30b major 1): it says "no stable order" over the four runs (ViT higher in two, lower in
# two, by 0.1-0.4 points); "points the other way" is forbidden
# r30 decisions (brief fix06q item 1, review r29d minors 8-9): cell 0 keeps two prose links (section 5's augmentation
# verdict, appendix C's DeiT recipe), so its pins on #augmentation-main and #appendix-c are dropped; the recipe card's
# pointer list (#weight-decay, #real-loop, ...) and its repeat of the label-smoothing sentence are dropped (the claim
# stays pinned in section 3, "no seed's 5-epoch mean ..."); the "### Augmentation" sub-heading and the size study's
# #training-set-size link left with the size study and the augmentation table for appendix D (#less-data-main)


def _short(heading: str) -> str | None:
    """The key a heading line opens: "3 ·" for "## 3 · ...", "Exercise 2" for "### Exercise 2 · ...", "Summary" for
    "## Summary"; None for the title and sub-headings ("### 3a · ..."), which stay in the section around them."""
    if heading.startswith("### Exercise"):
        return heading[4:].split(" · ")[0].strip()
    if heading.startswith("## "):
        title = heading[3:].strip()
        return title.split(" · ")[0] + " ·" if " · " in title else title
    return None


def sections(book: str) -> dict[str, dict[str, str]]:
    """The notebook's sections by short key ("(top)" before the first): tests/_notebook.py's sections_by_heading,
    its sub-headings folded into the "## " section (or exercise) around them, an anchor line moved to the heading
    right below it."""
    out: dict[str, dict[str, list[str]]] = {}
    current, carried = "(top)", ""
    for heading, parts in nb.sections_by_heading(BOOKS[book]).items():
        current = _short(heading) or current
        # an anchor line right above a heading (`<a id="appendix-e"></a>` then "## E · ...") is that heading's
        lead = re.search(r"(?:<a id=\"[\w-]+\"></a>\s*)+$", parts["md"])
        parts = {**parts, "md": carried + (parts["md"][: lead.start()] if lead else parts["md"])}
        carried = lead.group(0) if lead else ""
        for kind, text in parts.items():
            out.setdefault(current, {}).setdefault(kind, []).append(text)
    return {key: {kind: "\n".join(texts) for kind, texts in parts.items()} for key, parts in out.items()}


def section(book: str, heading: str) -> dict[str, str]:
    found = sections(book)
    assert heading in found, (book, heading, list(found))
    return found[heading]


def section_text(book: str, heading: str) -> str:
    """The section's markdown (its prose), flattened and lower-cased."""
    return nb.flat(section(book, heading)["md"]).lower()


def section_printed(book: str, heading: str) -> str:
    return nb.flat(section(book, heading)["printed"])


def section_source(book: str, heading: str) -> str:
    """The section's markdown and code, as written."""
    found = section(book, heading)
    return found["md"] + "\n" + found["code"]


def book_text(book: str) -> str:
    """Sources and printed outputs of a whole notebook, flattened."""
    return nb.flat(nb.all_text(BOOKS[book]) + "\n" + nb.all_printed(BOOKS[book]))


def cell_with(book: str, needle: str) -> tuple[list[dict], int]:
    cells = nb.cells(BOOKS[book])
    return cells, nb.unique_index([nb.source(c) for c in cells], needle)


PROSE = [
    # r31 density (brief fix06x, review r31c minor 6): section 3's label-smoothing paragraph and seed 2's bump moved to
    # appendix C (#overfitting-seeds) with their printed lines and checks; the lesson keeps a link
    (
        "appendix",
        "C ·",
        (
            "**no detectable difference**",
            "no detectable difference",
            "**Does label smoothing stop the rise?**",
            "Exploratory",
            "exploratory",
            "#verdict-words",
            "bumps up, before its lowest (printed above)",
            "no seed's 5-epoch mean validation loss ends more than 0.02 above its lowest (unregularised: 0.09-0.10), on 3 seeds",
            "validation accuracy shows **no detectable difference** (−0.4 points, 95 % [−6.6, +5.9]): the accuracy gap stays",
            "paired by seed, the rise changes by −0.10, 95 % [−0.12, −0.07] (printed above)",
            "95 % [",
            "95 %",
            "95",
        ),
    ),
    (
        "appendix",
        "(top)",
        (
            "test",
            "corrected",
            "leans",
            "appendix-e",
            "exploratory",
            "path",
            "#verdict-words",
            "#appendix-",
            "confidence",
        ),
    ),
    (
        "appendix",
        "A ·",
        (
            "**leans**",
            "**no detectable difference**",
            "test",
            "leans",
            "corrected",
            "95 %",
            "Back to the lesson's plateau",
            "3",
            "100",
            "after 100 steps",
            "13.7 to 24.8 points",
            "torch's q/k",
            "other init differences",
            "qk-plateau",
            "`clinic.verdict_word`",
            "+18.9",
            "+65.9",
            "0,",
            "0",
            "no detectable difference",
            "+23.3",
            "−16.4",
            "+63.1",
            "[+18.9, +65.9]",
            "no row gets a corrected verdict",
            "exploratory",
            "10",
        ),
    ),
    (
        "appendix",
        "B ·",
        (
            "**no detectable difference**",
            "corrected",
            "leans",
            "over ten seeds",
            "three learning rates",
            "#verdict-words",
        ),
    ),
    (
        "appendix",
        "C ·",
        (
            "3",
            "8",
            "lowest-loss epoch (all 6 runs)",
            '<a id="confidence-split"></a>**Why accuracy hides it**',
            '<a id="eval-mode"></a>',
            "19",
            "29",
            "68",
            "58",
            "1",
            "LambdaLR",
            "grad_norm_clip = 1.0",
            "1.0",
            '<a id="regularisers"></a>',
            "torch 2.13",
            "360",
            "leans",
            "−3.3",
            "95",
            "−5.7",
            "−0.8",
            "−2.0",
            "−4.8",
            "+0.8",
            "5",
            "2",
            "4",
            "512",
            "(its Table 3, pre-training)",
            "**leans**",
            "**no detectable difference**",
            "#regularisers",
            "no detectable difference",
            "98.3",
            "−1.4",
            "2022,",
            "global average pooling",
            "class token",
            "90 epochs",
            "keeps `pool 'cls'`",
            "08",
            "3 seeds cannot tell",
            "test",
            "10",
            "40",
            "2.0",
            "without warm-up",
            "rule it out",
            "corrected",
            "95 %",
            "mnist",
            "1.006",
            "274",
            "2,750",
            "consistent with growing confidence",
            "3,",
            "17",
            "stochastic depth and repeated augmentation",
            "13",
            "180",
            "Cross-entropy charges",
            "lr-factor",
            "timm-decay",
            "5 of its 300 epochs",
            "`QUICK`",
            "2021,",
            "2104.05704",
            "2112.13492",
            "(not measured here)",
            '<a id="deit-recipe"></a>',
            "**Which regulariser stops the rise?**",
            "Baseline.",
            "Next steps",
            "400",
            "on 10 seeds",
            "−0.3",
            "a finding",
            "not measured",
            "300",
            "Beyer et al. (2022",
            "Hassani et al. (2021, CCT",
            "growing confidence",
            "more mistakes",
            "8x8 digits",
            "96.3",
            "96.2",
            "path",
            "**The verdict**",
            "Dropping weight decay changes",
            "Dropping the warm-up:",
            "95 % interval",
            "**behind**",
            "Steiner et al. (2021",
            "RandAugment",
            "Mixup",
            "CutMix",
            "random erasing",
            "stochastic depth",
            "repeated augmentation",
            "narrows on all 6 runs",
            "0",
            "a hint, not a finding",
            "#appendix-",
            "confidence",
            "95 % [",
            "`TRAIN_HERE = True`",
            "28x28",
            "`mnist-fast`",
            '<a id="mnist-in-view"></a>',
            "One seed, no",
            "hypothesis (untested)",
            "caps its confidence",
            "caps the loss, not the errors",
            "training tally",
            "before each step",
            "augmented",
            "about 25 s",
            "10,",
        ),
    ),
    (
        "appendix",
        "D ·",
        (
            "twenty comparisons",
            "one family",
            "whole-pixel shifts",
            "validation",
            "**ahead** (or **behind**)",
            "**leans**",
            "**no detectable difference**",
            "400",
            "8x8",
            "97.8 % against 97.4 %",
            "99.8",
            "97.7",
            "`mnist-fast`",
            "`SmallCNN` at width 32",
            "tuned for the ViT",
            "reused by the CNN",
            "no verdict word",
            "order flips",
            "four runs",
            "10",
            "3 seeds cannot tell",
            "test",
            "| **no detectable difference** | even the plain 95 % interval holds 0",
            "| **leans**",
            "`leans_or_better`",
            "interpolation",
            "blurs",
            "12.5",
            "leans",
            "−0.02",
            "+2.97",
            "9",
            "99.75",
            "blur is not needed",
            "exploratory",
            "-17.0",
            "8",
            "-2.3",
            "5",
            "corrected",
            "95 %",
            "**ahead**",
            "99.75 %",
            "1",
            "0.05",
            "18",
            "99.7",
            "2",
            "97.5",
            "20",
            "+1.31",
            "+4.52",
            "0",
            "+5.86",
            "94.1",
            "93.7",
            "3",
            "without downloads",
            "augmentation and patch size",
            "mnist",
            "near-ties",
            "97.8",
            "97.2",
            '<a id="locality-control"></a>',
            '<a id="lead-longer"></a>',
            "**The package's benchmark**",
            "3x3",
            "1,860",
            "**ahead** of every ViT (corrected for the six)",
            "ahead",
            "family-23",
            "2021",
            "-21",
            "14",
            "300",
            "99.2",
            "on 10 seeds",
            '<a id="why-6-seeds"></a>',
            '<a id="wilson"></a>',
            "(p+z²/2n",
            "#lead-longer",
            "behind",
            "#section-5-tables",
            "only **leans**",
            "8x8 digits",
            "95 % interval",
            "**behind**",
            "Steiner et al. (2021",
            "rotations up to 10 degrees",
            "1 ± 0.1",
            "up to 1 pixel",
            "3 seeds cannot tell if longer training recovers the cost",  # brief fix06_36a (review r35c item 4): the 1,860-step result stated
            "#appendix-",
            "on 9 of 10 seeds",
            "may not carry",
            "95 % [",
            "4.3",
            "overlapping at ImageNet-21k",
            "ViT above at JFT-300M",
            "On seeds 3-9 alone",
            "+0.7",
            "+4.6",
            "soft-split ViT (`mnist-fast`)",
            "the order flips over the four runs",
        ),
    ),
    (
        "appendix",
        "E ·",
        (
            "**the tokens at inked positions**",
            "test",
            "+43.5",
            "95",
            "+40.0",
            "+47.0",
            "473",
            "38",
            "95 %",
            "+0.72",
            "interior pairs fall from +0.44",
            '<a id="paired-digits"></a>',
            "2",
            "position-split",
            "2020",
            "+0.44",
            "+0.09",
            "−0.09",
            "#position-split",
            "0.08",
            "appendix-e",
            "exploratory",
            "(McNemar p = 1e-96)",
            '<a id="vit-payoff"></a>',
            "95 % interval",
            "#verdict-words",
            "95 % [",
            "2,",
            "8",
            "4",
            "42.5",
            "nearest centre",
            "digit by digit",
            "#paired-digits",
            "class token",
            "final LayerNorm",
            "96",
        ),
    ),
    (
        "appendix",
        "F ·",
        ("`class_token`", "0,", "0", "1.94", "`batch_first`", "150", "path", "fixed model", "karpathy"),
    ),
    (
        "appendix",
        "G ·",
        (
            "test",
            "corrected",
            "95 %",
            "97.5",
            "98.3",
            "on 10 seeds",
            "exploratory",
            "#lead-longer",
            "8x8 digits",
            "#appendix-c",
            "1 ± 0.1",
            "up to 1 pixel",
            "#appendix-",
        ),
    ),
    (
        "appendix",
        "H ·",
        (
            "within 0.20 of ln 10",
            "The margin: 1 nat",
            "`STEP0_MARGIN`",
            "1",
            "0.2",
            "One **hypothesis**",
            "2.27 to 313",
            "drown the position embeddings (0.118)",
            "255",
            "54",
            "69",
            "2",
            "17",
            '<a id="update-ratio"></a>',
            "CS231n",
            "test",
            '<a id="x255-positions"></a>',
            "exploratory",
            "path",
            '<a id="small-gradients"></a>',
            '<a id="one-direction"></a>',
            "fixed model",
            "#appendix-",
        ),
    ),
    (
        "appendix",
        "Summary",
        (
            "**leans**",
            "**no detectable difference**",
            "3 seeds cannot tell",
            "test",
            "leans",
            "10",
            "corrected",
            "95 %",
            "99.75 %",
            "99.7",
            "99.75",
            "mnist",
            "[+18.9, +65.9]",
            "3",
            "+23.3",
            "−16.4",
            "+63.1",
            "0",
            "exploratory",
            "three learning rates",
            "2",
            "+0.45",
            "+0.14",
            "58",
            "33",
            "+25.2",
            "95",
            "+24.3",
            "+26.1",
            "only **leans**",
            "#verdict-words",
            "fixed model",
            "95 % [",
        ),
    ),
    (
        "lesson",
        "(top)",
        (
            "test",
            "the course downloads no data or weights",  # brief fix06_36c (review r36c minor 7); audit a36c item 5: Colab pip-installs the package
            "10",
            "#deit-recipe",
            "Mixup/CutMix",
            "RandAugment",
            "stochastic depth",
            "described",
            "not measured",
            "#augmentation-verdict",
            "5",
            "8x8 digits",
            "MNIST ViT is loaded",
            "path",
        ),
    ),
    (
        "lesson",
        "1 ·",
        (
            "#stratified",
            "test",
            "mnist",
            "8x8 digits",
            # the "why not choose on the test set" paragraph above section 2's heading line (section 1's, by line);
            # r32 density (brief fix06y item 4, review r32a minor 9): its second sentence duplicated the goals, so section 5's
            # opening says it ("reused to report, not to choose", pinned there); cell 3's "chooses nothing" stays
            "chooses nothing",
            "appendix-e",
            '<a id="why-not-test"></a>',
        ),
    ),
    (
        "lesson",
        "2 ·",
        (
            "9",
            "0",
            "3",
            "5",
            "test",
            "**95 % interval**",
            # brief fix06_34a (review r34b minor 9): appendix E re-reads it, choosing nothing; audit a34a item 1: scoped to
            # the shipped model (section 5 reports every model on the 8x8 test digits)
            # brief fix06_36b (review r36a minor 3): the training script read the test set once; this recomputes it
            # brief fix06_37a (review r36h item 2): the same two facts as two plain sentences
            "the cell below recomputes the training script's one test read",
            "one test read. nothing was chosen on it",  # audit a36d item 2 (brief quick06_36d): the caveat restored
            "test images",
            "95 %",
            "95",
            "100",
            "1",
            "06_train_a_vit_appendix.ipynb#wilson",
            "95 % interval",
            "#appendix-",
        ),
    ),
    (
        "lesson",
        "3 ·",
        (
            "levels off at 0.70",
            # r33b density (brief fix06_33b item 5, "the Go deeper line"): its links (#stopping, #regularisers, 28x28
            # MNIST) cut from section 3; the anchors stay pinned in the appendix and the recipe card links #regularisers
            "#real-loop",
            "**Over-fitting**: a model fits",
            "plateau",
            "7",
            "[appendix C](06_train_a_vit_appendix.ipynb#real-loop)",
            "0",
            "plain cross-entropy",
            "no smoothing",
            "mnist",
            "3",
            "cross-entropy",
            "06_train_a_vit_appendix.ipynb#lr-factor",
            "0.09",
            "0.10",
            "lr-factor",
            "1",
            "#lr-factor",
            "11",
            "16",
            "6",
            "confidence side",
            "guard against over-fitting",
            "are meant to guard against over-fitting",  # review r27c minor 5
            "only the schedule's length differs (warm-up and cosine stretch)",  # review r28d M1: the warm-up (4 -> 24 steps) stretches too
            "300",
            "switch both off",
            "#appendix-",
            "gap between training and validation accuracy",
            "confidence",
        ),
    ),
    (
        "lesson",
        "4 ·",
        (
            "4",
            "1",
            "1.35",
            "0.61",
            "0",
            "0.01",
            "3",
            "a margin set on healthy starts",  # r29 density: "within 0.20 of ln 10" moved to appendix H (its row pins it)
            "seed 0",
            "400",
            "10",
            # brief fix06_37b item b (review r37a minor 1): the takeaway narrowed (a rate set too high was not run)
            # audit a37b item 4 (brief quick06_37b): the takeaway says the body's and the recap's "slow optimiser"
            "suspect the model or a slow optimiser",
            "0.95",  # brief fix06_36c item a: the head's ratio, no longer rounded to 1.0
            "1.5",
            "one seed",
            "[appendix H](06_train_a_vit_appendix.ipynb#step-0-margin)",
            "not isolated",
            "hypothesis",
            "#x255-positions",
            "test",
            "#step-0-margin",
            "small gradient alone does not prove",
            # review r35c MAJOR 1: the exact-0 rule holds for a random head; a zero head zeroes the rest at step 0
            # brief fix06_36b (reviews r36a minor 4, r36b minor 1): scoped to this clinic; audit a36b item 1 (brief
            # quick06_36b): to a random head, as recap row 4 (BlogViT's class token and LayerNorm biases start at zero)
            # brief fix06_37a (review r36g minor 4): the zero-head aside moved to appendix F (#zero-head, pinned there); a link stays
            "with a random ([not zero-initialised](06_train_a_vit_appendix.ipynb#zero-head)) head, an exact 0 shows a part cut off from the loss (here, always a bug); a small gradient alone does not prove one",
            # brief fix06_36d (review r36f minor 1): the cause first, then the exact 0
            "no patch reaches the head, so the patch embedding's gradient is exactly 0",
            "without proving it",
            "at either rate",  # fix06d: 0.00, 0.69-1.22, 0.65-1.48 are printed (PRINTED row)
            # review r27c M1: "a hand-written layernorm that matches `f.layer_norm` (checked below), and `batch_first=true`"
            # moved to appendix H (#annotated-layernorm) with the Annotated Transformer's sentence (r31 density, brief fix06x)
            "`batch_first=True`",
            "balanced classes",
            "label entropy",
            "6",
            "`batch_first`",
            "`embed`",
            "150",
            # r33d minor 2: the 10x arms ran on two bugs (SGD, the hand-written LayerNorm), not on `batch_first`
            # brief fix06_34a (main-path cap): the takeaway's second sentence repeated the paragraph; "run on two bugs" moved there
            "Takeaway: if one batch does not fit, suspect the model or a slow optimiser.",
            # brief fix06_36b (review r36a MAJOR 1): the steps fit the batch, at SGD's own rate too (the 0.01, 400-step arm)
            # brief fix06_36d (review r36e minor 7): the 400-step arms named, the fixed model at 10x as the control
            # audit a36d item 3 (brief quick06_36d): the 400-step re-runs exclude `batch_first`
            # brief fix06_37b item f (review r37b minor 3): one idea a sentence, 100 steps first, then 400, then the control
            "in 100 steps, the fixed model fits the batch. `batch_first` stops at the batch's label entropy.",
            "given 4x the steps (400; `batch_first` not re-run), sgd fits at adam's rate and at 10x. the hand-written layernorm line does not, at either rate. the fixed model at 10x (control) fits.",  # audit a37c: a word paid for item 3
            "exactly the fixed model's gradients",
            "its step is at fault",  # brief quick06_35b: reworded (was "its fault lies in the step")
            "5",
            "21",
            "#small-gradients",
            "#one-direction",
            "fixed model",
            # review r27b minor 10, r27d major 1, r27e major 1: the unlinked blog post dropped; the slip named against
            # the Annotated Transformer's line (`x.mean(...)` for `(x - mean)`: several characters, not one)
            # review r38g minor: one name, "the hand-written LayerNorm line", in prose and figures; the printed key beside it
            "the **hand-written layernorm line** `w * x.mean(-1, keepdim=True)",
            "(printed `layernorm w*x.mean/(x.std+eps)+b`)",
            # r33b density: the Annotated Transformer's line moved to appendix H (#annotated-layernorm), pinned there
            "only $\\mu$",
            "$x - \\mu$ belongs",
        ),
    ),
    # review r27d minor 1: the verdict box (its words, table and the paired t-interval) moved to section 2
    (
        "lesson",
        "2 ·",
        ("**95 % interval**",),
    ),
    (
        "lesson",
        "5 ·",
        (
            "corrected",
            "**leans**",
            "test",
            "**corrected**",
            "**ahead**",
            "leans",
            "ahead",
            "**behind**",
            "5",
            "20",
            "corrected",
            "1",
            "0.05",
            "99.75",
            "**leans**",
            '<a id="verdict-words"></a>',  # brief fix06_36a: the table is section 5's (the rule above check 1 links to it)
            "test",
            "ahead",
            "**corrected**",
            "32,",
            "8x8",
            "2x2",
            "95 %",
            "**ahead**",
            "99.75 %",
            "99.7",
            "3x3",
            "8",
            "leans",
            "21",
            "2021)",  # r31 density (brief fix06u): "Dosovitskiy et al., 2021," moved to appendix D with its sentence
            "3",
            "0",
            "2",
            # r32 density (brief fix06y item 4, review r32a minor 9): the augmentation's -10.0 and the growth's row left cell 61
            # and this paragraph for appendix D (its row pins "ViT: augmented - plain 10 -10.0"); the verdicts stay here
            "test digits are reused to report, not to choose",  # brief fix06_36a (review r35d minor 1): with the post-hoc disclosure below
            # audit a36a item 4 (brief quick06_36a): "its" had no antecedent; appendix D names the two
            # brief fix06_36c item b (review r36d minor 3): right after the family of 20 is defined (99.75 %)
            # brief fix06_37a (reviews r36h item 3, r36g minor 2): the post-hoc note moved to where the growth is stated (appendix D
            # names both post-hoc questions: "the last two questions were asked after their results were seen", pinned there)
            # brief quick06_37e item 1 (review r37h minor 1): "ahead" by its interval, but post hoc and confounded: a hypothesis
            "| **ahead** (or **behind**) | even the corrected interval excludes 0: a finding, if asked before the results |",
            "2,",
            "behind",
            "400",
            # r33b density (brief fix06_33b item 5, "second intervals"): the 1,860-step and seeds + digits readings
            # ("it only leans") moved to the appendix's summary table, pinned there; the lesson's Summary keeps 1,860
            "9",
            # brief fix06_37b item d (review r37b minor 1): the digits preset's sizes, printed in cell 61 and asserted
            "8x8 digits",
            "[+0.8, +5.0]",
            "**behind**",
            # brief fix06a item 1: the growth under both budgets, corrected (its 95 % printed)
            "95",
            "#appendix-",
            "#why-not-test",
            "test digits are reused to report",
        ),
    ),
    ("lesson", "6 ·", ("#slow-optimiser", "fixed model")),
    # fix25c_06 (review r25b_06 items 3, 7, 9): the plateau depends on init and rate; the blur and 1,860-step facts; both defaults
    (
        "lesson",
        "3 ·",
        (
            "3 seeds",
            "same init and peak rate",  # brief fix06_35a item 1 (review r34e minor 1): only the peak rate is shared
            "#appendix-a",
        ),
    ),
    # r29 density (brief fix06n item 1): 3b's init numbers moved to appendix A, the rule stays in section 3
    ("appendix", "A ·", ("42.4", "lr 1e-2", "3 seeds", "plateau length not measured")),
    (
        "lesson",
        "4 ·",
        ("same init scheme and rate", "33-64"),
    ),  # brief fix06_36a (review r35d minor 6): seeds 1-2 differ from the bugs' seed 0
    ("appendix", "(top)", ("at 1,860 steps",)),  # r33b density: the lesson's 1,860-step clause moved (Summary keeps it)
    # brief fix06i item D: the augmentation verdicts live in the printed table; the 1,860-step reading in appendix G
    ("appendix", "G ·", ("neither model's cost is detectable",)),
    (
        "appendix",
        "D ·",
        (
            "does not hinge on which budget is held equal",
            "part of that +12.3 may be start-up speed",
            "the 400-step arm is the cleaner test",
        ),
    ),
    ("appendix", "C ·", ("each batch is counted before its step",)),
    (
        "appendix",
        "G ·",
        ("9.1 %", "0.3 %"),
    ),  # fix06d: section 5's verdict cut to its conclusions; the numbers in appendix G
    (
        "appendix",
        "A ·",
        ("the default of the `ViT(...)` class", "the default of `Recipe`", "`QUICK`, `LOOP` and the presets"),
    ),
    (
        "appendix",
        "C ·",
        ("11-16 with neither", "8-17 points", "0.00, 0.00, 0.01", "sign test p = 0.25", "[−0.19, +0.18]"),
    ),
    ("lesson", "Exercise 1", ("passes",)),
    (
        "lesson",
        "Exercise 2",
        (
            "### Exercise 2",
            "two layers or more",
            "`nn.Linear`",
            # review r32a minor 3; brief fix06_37c (review r37d minor 6): "that" named
            "fix the cause of those two, and with the checker's sgd with momentum the losses swing more and more, and climb, within some 30 steps cycling its three batches.",
            "leaves the weights where they were",
            "the losses swing more and more, and climb",  # brief quick06_37f item 4 (review r37j minor 5)
            "eval mode",
            "training mode",
            "passes",
        ),
    ),
    ("lesson", "Exercise 3", ("integer tensor passes", "passes")),
    ("lesson", "Exercise 4", ("**leans**", "corrected", "95 %", "**ahead**", "leans", "ahead", "95", "5", ": leans")),
    ("lesson", "Exercise 6", ("test", "fixed model", "4", "0", "6 over-fitting")),
    (
        "lesson",
        "Summary",
        (
            # audit a36a item 3; brief fix06_37c (r37c minor 2): the paired t-interval, printed in appendix C
            # brief quick06_37d item 5 (reviews r37e minor 7, r37f minor 3): plainer; the corrected interval stays in appendix C
            # review r29a minor 1; brief fix06_34a (r34a item 3); brief fix06_37a (r36g minor 2): flagged post hoc, as in section 5
            # brief fix06_37c (review r37c item 4): one claim and one link per bullet
            # brief quick06_37e item 3 (review r37g minor 2): which items rest on this lesson's runs, which on the papers
            # brief fix06_38c item e (review r38a minor 1): 7's checkpoint and 5's stopping point are common practice
            # brief fix06_38e item d (reviews r38c minor 6, r38d minor 1): a short source tag ends each item
            "(#a-bug-or-a-plateau) (measured here).",
            "for each model separately (measured here).",
            # review r39d minor 7: the stopping point and the checkpoint are one piece of advice, in item 7 (common practice)
            "regularise (weight decay: deit, augreg; label smoothing: deit)",  # review r39h minor 1: AugReg does not smooth labels
            "(06_train_a_vit_appendix.ipynb#lead-longer) (measured here).",
            "keep the checkpoint that scores best on validation, [on the metric you report](06_train_a_vit_appendix.ipynb#stopping) (common practice).",
            "06_train_a_vit_appendix.ipynb#warm-up",
            "**leans**",
            "#regularisers",
            "leans",
            "06_train_a_vit_appendix.ipynb#lead-longer",
            "[at more than one budget](06_train_a_vit_appendix.ipynb#lead-longer)",
            "#baseline",
            "test",
            "95 %",
            "**ahead**",
            "ahead",
            "06_train_a_vit_appendix.ipynb#lr-grid",
            "3",
            "8",
            "weight decay",
            "#how-sure",
            "97.4",
            "95",
            "96.2",
            "98.2",
            "label smoothing",
            "300",
            "6. Before crediting the ViT",  # brief fix06p item 3: the card at 6 items
            "#augmentation-main",
            "#lead-longer",
            "06_train_a_vit_appendix.ipynb#baseline",
            "zero_grad",
            "before backward",
            "only **leans**",
            "8x8 digits",
            "95 % interval",
            "[section 1](#why-not-test)",
            "#appendix-",
            "#lr-grid",
            "same init and peak rate",  # brief fix06_35a item 1 (review r34e minor 1): only the peak rate is shared
            "`zero_grad`",
            # review r27d major 2: one seed's 5-epoch mean rose by 0.01, so the claim is "within 0.02", in 3 places
            # review r27d minor 15: the card's advice follows DeiT and AugReg, this lesson's runs are the caveat
            # review r29c major 2: competitive (with CNNs, at ImageNet scale), not trainable: DeiT's and AugReg's claim
            # fix06v item 2 (review r31b minor 5): DeiT's recipe has more than augmentation and regularisation. r31 density
            # (brief fix06x item 3, review r31c minor 8): the card's why-paragraph is one line; its sentence moved to appendix C
            "why items 4 and 5: deit's and augreg's results at imagenet scale",
            "keep augmentation on real data (deit, augreg). caveat: here, at 400 steps on 8x8 digits",
        ),
    ),
    ("solutions", "(top)", ("passes",)),
    ("solutions", "Exercise 1", ("passes",)),
    (
        "solutions",
        "Exercise 2",
        (
            "### Exercise 2",
            "two layers or more",
            "`nn.Linear`",
            # review r32a minor 3; brief fix06_37c (review r37d minor 6): "that" named
            "fix the cause of those two, and with the checker's sgd with momentum the losses swing more and more, and climb, within some 30 steps cycling its three batches.",
            "leaves the weights where they were",
            "the losses swing more and more, and climb",  # brief quick06_37f item 4 (review r37j minor 5)
            "eval mode",
            "training mode",
            "passes",
        ),
    ),
    ("solutions", "Exercise 3", ("integer tensor passes", "passes")),
    (
        "solutions",
        "Exercise 4",
        ("**leans**", "corrected", "95 %", "**ahead**", "leans", "ahead", "95", "5", ": leans"),
    ),
    ("solutions", "Exercise 6", ("test", "fixed model", "4", "0", "6 over-fitting")),
    # moved with section 3b's regulariser study (review r25b_06 item 1): the facts now live in appendix C
    (
        "appendix",
        "C ·",
        (
            "3 seeds cannot tell",
            "−0.19",
            "+0.18",
            "17",
            "95 % interval",
            "sign test p = 0.25",
            "no rise on any of 3 seeds",
            "0.00, 0.00, 0.01",
        ),
    ),
    # fix25d_06 (review r25d_06 items 1, 2, 3, 4, 5, 7): the init gap's per-seed range and word; what the Wilson interval
    # covers; DeiT and Beyer named in the main path; the recap's numbers in the symptom table; the goal's wording
    ("lesson", "(top)", ("choose nothing on the test set",)),
    ("lesson", "3 ·", ("`LOOP`",)),
    # r29 density: moved to appendix A
    ("appendix", "A ·", ("42.4", "leans", "95 %\n[+18.9, +65.9]: it only **leans**")),
    # review r27d major 2: section 3's regulariser sentence (seed 2 rose 0.01); r31 density (brief fix06x): appendix C
    (
        "appendix",
        "C ·",
        ("no seed's 5-epoch mean validation loss ends more than 0.02 above its lowest (unregularised: 0.09-0.10)",),
    ),
    (
        "lesson",
        "2 ·",
        (
            "one trained model",
            "test digits' sampling, not another seed",
        ),
    ),
    # r33 density (brief fix06_33a item 3, review r33a minor 3): the recipe's words (AdamW, weight decay, label smoothing
    # and its floor) moved from section 2 to section 3a, where train_loop and fit use them; their pins moved with them
    (
        "lesson",
        "3 ·",
        (
            "touvron et al. 2021",
            "deit",
            "weight decay 0.05",
            "label smoothing 0.1",
            "#deit-recipe",
            "#timm-decay",
            "torch 2.13",
            "timm-decay",
            "its floor is that target's entropy, 0.50 nats at ε = 0.1",
            # r33: "the shipped model's" peak lr, now that the words sit beside QUICK (lr 1e-2)
            # brief fix06_34a (review r34b item 5): Adam's L2 term against AdamW's decoupled decay (torch 2.13 torch/optim/adam.py)
            # reviews r39a minor 1, r39b minor 2: the sum (gradient + wd·w) is what Adam divides, by the sum's running size
            # audit a39a item 4: the sum feeds both moments (torch 2.13 adam.py): its running mean over its running size
            # audit a39b item 3: torch 2.13 divides the bias-corrected averages (adam.py); eps aside
            "`torch.optim.adam(weight_decay=wd)` instead adds wd·w to the gradient.",
            # reviews r39e minor 3, r39f minor 1: the mechanism after the figure, in its own cell
            "**why.** adam steps by lr·m/√v, m and v the bias-corrected running averages of the gradient plus wd·w (g + wd·w) and of its square (eps aside).",
            # brief quick06_37e item 6 (review r37g minor 3); review r39a verified torch 2.7 as the first release with the flag
            "`adam(decoupled_weight_decay=true)` is adamw (torch 2.7 and later)",
            # audit a38c item 5 (brief fix06_38f): "multiplies", not "shrinks by"
            "**adamw** multiplies every decayed weight by 1 − lr·wd each step, whatever its gradient;",
        ),
    ),
    (
        "lesson",
        "4 ·",
        ("#mean-pooling-bf", "step 33-64"),
    ),
    # r31 density (brief fix06u): the mean-pooling sentence (Beyer et al. 2022's default; the exact 0 moves to the class
    # token) moved to appendix F (#mean-pooling-bf); the lesson's bullet says "under mean pooling the 0 moves"
    (
        "appendix",
        "F ·",
        ("beyer et al. 2022", "the exact 0 moves to the class token"),
    ),
    (
        "lesson",
        "4 ·",
        ("mean pooling moves it to the class token",),  # brief fix06_36d (main-path cap): "it" is the exact 0
    ),  # r33b plain wording (review r33b minor 6)
    (
        "lesson",
        "Summary",
        ("one trained model", "not another seed", "nothing chosen on the test set"),
    ),
    # brief fix06h (review r27e): M2 over-fitting defined as in section 3c (the gap grows and the validation loss turns
    # up); M3 the size runs' shared rate 1e-2 named, CNN-8 off its own best rate; M4 the 0.74 is the validation loss
    (
        "lesson",
        "Summary",
        (
            # brief fix06_35b item 2 (review r35a MAJOR 1): what this lesson's over-fitting runs show (printed in section 3)
            "over-fitting, as run here (300 digits, no regulariser): training accuracy reaches 100 %; the vit's validation accuracy ends 11-16 points lower and its 5-epoch mean validation loss 0.09-0.10 above its lowest",
            # brief fix06_36a (reviews r35c minor 1, r35d minor 2, r35e minor 2): the accuracy gap's narrowing after the
            # lowest-loss epoch left the Summary and section 3; appendix C (#stopping) states and prints it (its rows)
            "above its lowest ([section 3](#over-fitting-runs))",
            # brief fix06_36a (review r35e item 4): the augmentation verdict, as section 5 states it
            # brief fix06_36d (review r36f minor 3): the rate, and the 1,860-step result
            # audit a36d item 5; brief fix06_37c (review r37c item 4): the augmentation's details and rate stay in section 5
            # audit a37c item 1: the dataset, the one change, the rate and the wide intervals, so the bullet stands alone
            "from the v0.8 dev pre-releases; first stable release v0.9.0",
        ),
    ),
    # brief fix06e item 4 (review r27b minor 12): the checks' recap table left section 4 for the Summary (a reference card)
    (
        "lesson",
        "Summary",
        (
            '<a id="symptom-table"></a>',
            "step 33-64",
            "0.27-0.61",
            "a LayerNorm bug (in this clinic)",
            "`class_token`",
            "#appendix-f",
            "ends high but below ln 10, input fine",  # r33c M1: batch_first ends at ln 10 and also passes check 5
        ),
    ),
    # brief fix06b item 2: the equal-epochs table in appendix D
    (
        "appendix",
        "D ·",
        (
            '<a id="size-epochs"></a>',
            '<a id="training-set-size"></a>',
            "+12.3, +4.0, +1.9 points",
            "ViT −13.6 points, CNN-8 −9.6",
        ),
    ),
    # brief fix06c (review r26c_06 M1, minors 1-6, 13): batch_first sits on the label entropy, SGD below it; the
    # plateau "can depend" (leans); exploratory defined; the LayerNorms' own ratio; both 'leans' on the boundary
    (
        "lesson",
        "4 ·",
        (
            # brief fix06_36b (review r36a minor 1): equal only to 4 decimals, so no "exactly"
            "`batch_first` stops at the batch's label entropy",
            # audit a38a item 8 (brief fix06_38b): "given 400 steps it fits" said once, in the next paragraph
            "ends just below the entropy on every seed (0.01-0.03): it learns, slowly",
            # r29 density (brief fix06p item 3): the seeds 0-4 ratios live in check 4's printed line (its PRINTED row)
            # brief fix06_36a (review r35e minor 3): the overlapping 7-334x range named; the falling loss tells them apart
            # brief quick06_37e item 4 (review r37h minor 2): one claim per sentence; the [why] link moved here from cell 45
            # brief quick06_37f item 1 (review r37i item 1): no "only ... also"; both ranges from check 4's printed lines
            # lead fix (review r37k MAJOR 1): the 7-334x / 5-21x ranges are the other parts', not the LayerNorms' own (3-7x, 2-5x)
            "both layernorm bugs shrink non-layernorm gradients (hand-written line 7-334x, precedence slip 5-21x), but only the hand-written line's loss stays at ln 10: a falling loss with smaller gradients ([why](06_train_a_vit_appendix.ipynb#small-gradients)) points to the precedence slip, without proving it",
        ),
    ),
    # r31 density (brief fix06t, review r30c): section 3's warm-up paragraph and its running-tally sentence moved to
    # appendix C (its warm-up and eval-mode paragraphs say and print them); the recipe card keeps the #warm-up link
    (
        "appendix",
        "C ·",
        (
            "holds 0",
            "−2.0",
            "−4.8",
            "+0.8",
            "0,",
            '<a id="warm-up"></a>',
            "the printed training accuracy",
            "running tally",
            "eval mode",
            '<a id="eval-mode"></a>',
        ),
    ),
    ("lesson", "Summary", ("06_train_a_vit_appendix.ipynb#warm-up",)),
    # review r27d minor 1: the definition moved to section 2, before its first use
    (
        "lesson",
        "2 ·",
        (),
    ),
    (
        "lesson",
        "5 ·",
        (
            # review r27b minor 5: "both" named
            # review r27c minor 4: each reading named
        ),
    ),
    (
        "lesson",
        "(top)",
        ("[appendix d](06_train_a_vit_appendix.ipynb#augmentation-verdict)",),
    ),  # brief fix06_38a item a
    # brief fix06o item 2 (review r29b_06 minor 1: one link per paragraph): section 5's augmentation paragraph keeps
    # one link (appendix G); its Steiner et al. link, r29 density: moved to appendix D (#augmentation-main) and the
    # lesson's top cell ("[why](...#augmentation-main)")
    ("appendix", "D ·", ("Steiner et al. (2021", '<a id="augmentation-main"></a>')),
    # brief fix06o item 4 (review r29b_06 "what a learner misses"): the ViT paper's data-scale result beside the verdict
    # r31 density (brief fix06u): moved to appendix D, which states both in full (#section-5-limits, the benchmark
    # paragraph); the benchmark's check moved to tests/test_lesson06_moved_checks.py
    (
        "appendix",
        "D ·",
        (
            "the vit paper reports bit resnets above its large vits pre-trained on imagenet-1k",
            "jft-300m",
            "2021,",
            # brief fix06s item 1 (review r30b major 1): the benchmark's four MNIST runs, no direction
            "on mnist it shows no stable order",
            "over the benchmark's four runs the mnist order flips",
        ),
    ),
    # brief fix06f (review r27c): the 3e-3 clause with its seeds' range, the widget's caption, check 5's whole range,
    # the recipe card's practical knobs, appendix A and D's summary bullets
    (
        "lesson",
        "3 ·",
        (
            # review r29c minor 7: section 3b (init and warm-up) folded into 3a; the curves are 3b now
            "judge a plateau against a longer run with the same init and peak rate",
            # r33c (brief quick_33d, review r33c minor 2): "validation accuracy goes with init and rate"; brief fix06_34a (main-path cap):
            # that 3-seed hint moved to appendix A (pinned there), the rule links to it
            "**judge a plateau against a longer run with the same init and peak rate** ([appendix a](06_train_a_vit_appendix.ipynb#appendix-a))",
            "### 3b · curves and over-fitting",  # brief fix06_36c (review r36d minor 7)
        ),
    ),
    # brief fix06t item 3 (review r30c minor 4): one seed of the bug against three of the fixed model, said so
    (
        "lesson",
        "4 ·",
        (
            # brief fix06_36a (review r35d minor 9): a full sentence, the seeds named
            "1.35 on seed 0, above the fixed model's range over seeds 0-2 (0.27-0.61): one observation, no interval",  # r33a minor 12; r35a minor 1
            # r33c (brief quick_33d, review r33c M1): the permutation test misreads batch_first; asserted in the hidden check
            "`batch_first` with the class token also leaves the logits unchanged (exactly 0), so read check 5 only on a "
            "loss that falls",
            "the usual guard standardises the input (not run here)",  # r33c minor 4
        ),  # fix06z (r32b list 1): one hedge, no parentheses
    ),
    (
        "lesson",
        "6 ·",
        # brief fix06j item 1 (review r28a major 1): the one-seed rise sized and linked; 52 inside section 4's seed range
        (
            # brief fix06s item 2 (review r30b minor 4): one seed, no interval: "it may be noise", no tie to 3b's rule;
            # r31 density (brief fix06x): the two readings moved to appendix F (#widget-runs), pinned there
            "two stored runs of the fixed model (seed 0) are drawn, on 300 training digits and on all 1,257",
            # 52 against 64 lies inside section 4's seed range (33-64): the sentence went; its check stays hidden
        ),
    ),
    # r29 density (brief fix06p item 3): the Summary's equal-epoch caveat moved to appendix D
    ("appendix", "D ·", ("the equal-epoch arm agrees, but gives 300 digits only 100 steps, near the vit's plateau",)),
    # r29 density (brief fix06p item 3, review r29c minor 8): the card's untested item 9 moved to appendix C
    (
        "appendix",
        "C ·",
        (
            "`model.state_dict()`",
            "global norm (the vit paper: 1)",
            "lr = 5e-4 × b/512",
            "beyond these runs (untested here)",
        ),
    ),
    (
        "appendix",
        "Summary",
        (
            "the corrected-for-eight interval holds 0, so no more than a lean",
            "at equal steps and the shared rate 1e-2, only cnn-32's lead",
            "each at its own rate, cnn-8's is too (section 5's headline)",
        ),
    ),
    # brief fix06e (review r27b minors 1-4, 7, 11, 13): words defined before use, the inits named, the data-scale result
    # review r27d minor 1: the forward line became the box itself (section 2); section 5 points back to it
    ("lesson", "5 ·", ("1 − 0.05/20 = 99.75 %",)),
    (
        "lesson",
        "3 ·",
        (
            # r29 density: "95 % [+18.9, +65.9]: it only leans" moved to appendix A (its rows pin 42.4, [+18.9, +65.9] and leans)
            # review r27c M3
            # review r27c minor 3
        ),
    ),
    # review r29c major 1: 3 seeds and a 95 % interval only: x255 leans worse (the verdict table's rule), not a firm cost.
    # r32 decision (review r31c minor 5): the verdict table now opens section 5, so section 4 says the same in plain words
    # (the printed line keeps "leans worse ... exploratory"); review r31c minor 10: standardise the input
    (
        "lesson",
        "4 ·",
        (
            # r33 (brief fix06_33a item 3, review r33a minor 1): the printed "leans" glossed where it first appears, with a link
            # r33b plain wording (brief fix06_33b item 5, review r33b minor 6): the same gloss as one sentence
            # brief fix06_35a item 3: the table is defined above (section 2), so the gloss is a pointer
            # brief fix06_36a (reviews r35d minor 4, r35e item 1): the two-line rule sits right above check 1, so the gloss went;
            # review r35c minor 3: the step-0 reading is seed 0's
            "pixels x255 do not show in the step-0 loss (seed 0); the input's range shows them. they cost validation accuracy on every seed (11-19 points, 3 seeds)",
            # brief fix06z item 1 (review r32b minor 2): Normalize computes nothing, it applies the mean and std passed to
            # it; torchvision is not installed here, so no version is named (brief: "a version you can verify or none")
            # r33 (brief fix06_33a item 5, review r33a minor 10): the version named, checked against torchvision 0.2.1's
            # normalize (t.sub_(m).div_(s)) and torchvision 0.28's documentation ((input - mean) / std)
            # r33b (brief fix06_33b item 5): the guard stays in words; torchvision's tool and its versions moved to appendix H
            "the usual guard standardises the input",
        ),
    ),
    (
        "appendix",
        "H ·",
        (
            # r31 density: moved to appendix H (#x255-positions); r33b (review r33b minor 3): only the versions read are named
            "passes the training set's channel means and stds to",
            "`transforms.normalize(mean, std)`, which subtracts the mean and divides by the std. that is what torchvision 0.2.1's code does",
            "and what 0.28's documentation states; other releases were not read",
        ),
    ),
    # r31 density (brief fix06x): section 4's last LayerNorm sentences moved to appendix H (#annotated-layernorm)
    (
        "appendix",
        "H ·",
        (
            "a hand-written layernorm that matches `f.layer_norm` (checked below), and `batch_first=true`",
            "the annotated transformer's layernorm fails that check: its unbiased std shrinks the output 1.6 % at d = 32",
        ),
    ),
    # r31 density (brief fix06x): section 2's preset detail to appendix C (#mnist-in-view; the printed line keeps "60 epochs
    # by default"); section 5's verdict on the two other pairs to appendix D (#section-5-tables; the printed table keeps
    # both rows and their words); section 6's two readings of the widget's runs to appendix F (#widget-runs), which prints them
    ("appendix", "C ·", ("mnist-fast is shortened to 10 epochs (its default is 60; the schedule shortens with it",)),
    (
        "appendix",
        "C ·",
        (
            "at imagenet scale, deit's training recipe (touvron et al. 2021), mostly augmentation and regularisation, is "
            "what makes vits trained from scratch on imagenet-1k competitive with cnns;",
            "augreg (steiner et al. 2021) finds them, with more compute, worth about as much as ten times more training data",
        ),
    ),
    (
        "appendix",
        "D ·",
        (
            "at the vits' shared rate, 1e-2, cnn-8 only **leans**",
            "#section-5-tables",
            "**the verdict**",
            "only **leans**",
            "360",
        ),
    ),
    (
        "appendix",
        "F ·",
        (
            "rises a little after step 110 (0.07 on 180 validation digits, one seed: it may be noise)",
            "on all 1,257 digits the validation loss falls to 0.74 and does not turn up",
            "falls to 0.74",
        ),
    ),
    (
        "lesson",
        "5 ·",
        (
            # review r27d minor 4: the paper's word
        ),
    ),
    # brief fix06i (review r27f minors 5-7, item D): the verdict box moved to section 5's start (section 2 keeps the
    # Wilson paragraph); second readings, provenance and version detail moved to the appendix with their pins
    # brief fix06t item 1 (review r30c minor 7): the verdict table moved up to "How sure?" (section 2), before the first
    # verdict word; section 5 keeps the pairing, the t-interval and the family correction.
    # r32 decision (brief fix06x item 1, review r31c minor 5): the table opens section 5 again, right after the corrected
    # interval it reads; section 2 keeps one line (an accuracy comes with its 95 % interval) and a link to it; no bold
    # verdict word appears before the table (sections 3-4 say "a hint" in plain words)
    # brief fix06_35a item 3 (review r34e minor 2): the table and the exploratory rule back in "How sure?", before check 1
    # prints "leans worse (3 seeds: exploratory)"; section 5 keeps the paired and corrected intervals
    # brief fix06_36a (reviews r35c minor 5, r35d minor 4, r35e item 1): a two-line rule before check 1 (section 4), the
    # full table after section 5's figure, below the corrected interval it reads
    (
        "lesson",
        "5 ·",
        (
            "**ahead** (or **behind**)",
            "even the corrected interval excludes 0: a finding",
            "**holds 0**",
            "| **leans** (better or worse) | only the 95 % interval excludes 0: a hint |",
            # r33b density (brief fix06_33b item 5): the exploratory rule, its `clinic.rise_word` and its link moved to
            # appendix D (#why-6-seeds), pinned there
            "**no detectable difference**",
            '<a id="verdict-words"></a>',
        ),
    ),
    (
        "lesson",
        "5 ·",
        (
            "**paired**",
            "**Student t-interval**",
            "the wider **corrected** interval gives **ahead**",  # brief fix06_38e item c: the third reading line
            "1 − 0.05/20 = 99.75 %",
            # brief quick06_37d item 3 (review r37e minor 2): how Xiao et al.'s stem differs (arXiv 2106.14881: "a small number of
            # stacked stride-two 3x3 convolutions" replace the patchify)
            # review r39a minor 6: their stem replaces the patchify (stride-2 3x3 convs, then a 1x1 conv)
            "(one stride-1 3x3 conv, 8 channels, batchnorm and relu before the patchify; xiao et al. (2021) replace the patchify with a stack of 3x3 convs, most of stride 2, and a final 1x1 conv)",  # review r39g minor 5  # fix06v item 2 (r31b minor 9)
        ),
    ),
    # r29 density (brief fix06p, review r29c minor 8): the stem's provenance moved to appendix D's locality control
    (
        "appendix",
        "D ·",
        ("a minimal version of Xiao et al.'s idea (2021); their stem replaces the patchify with stride-2 3x3 convs",),
    ),
    (
        "lesson",
        "2 ·",
        (
            # brief fix06l item 2 (review r28c minor 7): one uncorrected p = 0.059 on the most extreme pair supports this
            # brief fix06j item 2 (review r28a minor 1): overlapping intervals are no test; the pairwise test is
            # brief fix06z item 1 (review r32b minor 1): "pair" read as a confusion pair; the two digits named
            # r33b plain wording (brief fix06_33b item 5): the same fact, the test named first
            # brief fix06_37b item a (reviews r37a minor 3, r37b minor 4): Fisher's line and the per-digit intervals moved to
            # appendix E (#confusion-extremes, pinned there); a pointer stays
            "([per digit: appendix e](06_train_a_vit_appendix.ipynb#confusion-extremes))",
            "06_train_a_vit_appendix.ipynb#appendix-e",  # brief fix06_34a: the 1,000-test-digit reading stays in appendix E
            "**what it learned about space**",
        ),
    ),
    (
        "lesson",
        "3 ·",
        (
            "ends 11-16 points lower",
            "then rises, ends 0.09-0.10 above it",  # brief fix06_36d (review r36f minor 2): printed "at the end 0.09 to 0.10 above it"
            # brief fix06t item 3 (review r30c minor 3): the paired interval of validation accuracy, not two ranges (r31
            # density, brief fix06x: both moved to appendix C, pinned in its row at the top of PROSE)
            "judge a plateau against a longer run with the same init and peak rate",
        ),
    ),
    ("lesson", "4 ·", ("hand-written LayerNorm line does not",)),
    (
        "appendix",
        "F ·",
        ("0.07 on 180 validation digits, one seed: it may be noise",),
    ),  # brief fix06s (review r30b minor 4); r31 density (brief fix06x): moved to appendix F
    (
        "appendix",
        "A ·",
        (
            "+33.3 to +52.2 per seed",
            "at lr 3e-3 every init's mean is lower (torch's by 23.3-53.9 points per seed)",
            "the package's `vit(init='jax')` zeroes the head, as timm's `weight_init='jax'` does (timm v1.0.28 and main at 1.0.29.dev0;",
        ),
    ),
    (
        "appendix",
        "C ·",
        (
            "weight decay alone makes",
            "switch each regulariser back on",
            "3 seeds cannot tell",
            "hypothesis",
            "confidence",
            "sign test p = 0.25",
            "it **leans** worse: −3.3 points, 95 % [−5.7, −0.8]",
            "about 160x deit's linearly scaled rate (5e-4 x 64/512, about 6e-5)",
            "section 5's validation grid (lr 3e-3 to 1e-1) picks 1e-2",
            "the simplest optimizer that trains at this rate within a few hundred steps",
            "at least v0.6.12 to 1.0.28",
        ),
    ),
    (
        "appendix",
        "D ·",
        (
            "corrected [−0.02, +2.97]",
            "the corrected one holds 0 ([−0.02, +5.86])",
            "bit resnets above its large vits pre-trained on imagenet-1k",
            "overlapping at imagenet-21k",
            "vit above at jft-300m",
            "§4.3 and figure 3",
            "95 % [−0.4, +4.2]: **no detectable difference**",
        ),
    ),
    # brief fix06m items 1-3 (review r28d minors 1, 5-8, 13, 14): one qualifier per sentence, the softened plateau advice,
    # the recap's LayerNorm rows, the card's imperatives, the longer budget named
    (
        "lesson",
        "3 ·",
        ("**judge a plateau against a longer run with the same init and peak rate**",),
    ),
    # r29 density (brief fix06n item 1): the numbers, the hint and the caution moved to appendix A
    (
        "appendix",
        "A ·",
        (
            "it only **leans**",
            "a hint from 3 seeds",
            "to be safe (plateau length not measured), **judge a plateau against a longer run with the same init and peak rate**",
            # audit a35a item 6: the reference run was longer (12 epochs, not 2); appendix A states the lesson's rule
            "so **judge a plateau against a longer run with the same init and peak rate**.",
        ),
    ),
    # brief fix06_34c item 1 (review r34c MAJOR 1): the share stated as printed, against the image-blind mean map
    # brief fix06_36c item d (review r36d item 3): section 2's attention-on-ink reading moved to appendix E
    (
        "appendix",
        "E ·",
        (
            "the class token's last-block patch attention puts 57 % on inked patches, which are a third of the patches",  # r36b minor 9
        ),  # brief fix06_35a item 4
    ),
    (
        "lesson",
        "5 ·",
        (
            # review r39c minor 5: a circle is one difference; their spread is the training noise
            "both models share ten seeds (**paired**): each gives one difference a − b (a circle below; their spread is **training noise**)",
            # brief fix06_38e item c (review r38c make-it-9 3): three short lines; the family as appendix D states it
            "their mean's **student t-interval** (a **95 % interval**) gives **leans** if it excludes 0.",
            # brief fix06_38g item d (review r38e minor 3): one sentence and a link; the first-18 detail in appendix D
            # brief fix06_38i item 2 (audit a38d item 2): one family, with appendix D's 18 planned and 2 asked after results
            # review r39a minor 3: what the correction is for, in plain words; appendix D keeps the 18 + 2 bookkeeping
            # audit a39a item 3: the guarantee is for the comparisons planned in advance
            # review r39d minor 3: split in two sentences
            "the wider **corrected** interval gives **ahead**. it is widened to 1 − 0.05/20 = 99.75 % for the 20 comparisons of one family ([all twenty](06_train_a_vit_appendix.ipynb#appendix-d); the last two were asked after seeing results).",
            "then the chance of even one false **ahead** among those planned in advance is at most 5 %.",
        ),  # brief quick06_37f item 2: the reading key before the figure  # brief fix06_34a (review r34b item 2): after the figure
    ),
    (
        "lesson",
        "Summary",
        (
            # audit a37a item 3 (brief quick06_37a): the 1,860-step lead was asked after its results (appendix D)
            "or at 1,860 steps (asked after seeing results), it only **leans**",  # brief fix06_37c: one claim, one link
            "the fixed model leaves ln 10 at step 33-64",
            # review r35a minor 3: the two LayerNorm rows told apart by the loss (seed 0: 2.30 at the end, 0.57)
            # audit a35b item 4 (brief quick06_35b): the loss readings are seed 0's (stored_clinic_runs)
            # brief fix06_37c (review r37c minor 5): symptoms in the recap; the seed-range ratios stay in section 4 (printed)
            "| gradients smaller, none 0; loss stays at ln 10 (seed 0) | 4 gradient norms | a layernorm bug (in this clinic): the hand-written line |",
            "| gradients smaller, none 0; loss falls (seed 0) | 4 gradient norms | a layernorm bug (in this clinic): the precedence slip |",
            # brief fix06p item 3: the card at 6 items; review r35a minor 1; audit a38a item 5: its caveat back
            # brief fix06_38e item d (review r38d minor 1): both halves of appendix C's warm-up reading (its cell 44 asserts them)
            # audit a38c item 6 (brief fix06_38f): both leans are uncorrected (appendix C holds 0 once corrected)
            # brief fix06_38g item g (review r38f minor 2): recipe item 3, one idea per sentence
            "3. keep a short warm-up, as deit does. without it, on 5 seeds, validation showed no detectable difference; training loss and test leaned worse (exploratory, uncorrected; [on and off](06_train_a_vit_appendix.ipynb#warm-up)).",  # review r39h minor 2: "exploratory" qualifies the leans only
        ),
    ),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): moved with the size study and the augmentation table to appendix D
    (
        "appendix",
        "D ·",
        (
            "80",
            "+1.9",
            "[the locality control](#locality-control)",
            "3.1",
            "under both budgets",
            "on every one of 10 seeds",
            "do not isolate",
            "the cleaner test",
            "blur",
            "#appendix-g",
            "(ten seeds, both at 1e-2: lead +1.9)",
            "depth, pooling and parameter count, and runs off its best rate (3e-2)",
            "runs off its best rate (3e-2)",
            "(ten seeds, both at 1e-2: lead +1.9)",
            "the 400-step arm is the cleaner test (above)",
            "locality predicts the growth, but: - these runs do not isolate it",
        ),
    ),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): cell 31's init paragraph moved to appendix A
    (
        "appendix",
        "A ·",
        (
            "100 steps",
            "validation accuracy goes with the init and the learning rate",
            "(cut at ±2: a normal in effect)",
            "`QUICK` and `LOOP` keep PyTorch's Linear init (torch 2.13: uniform in ±1/√fan-in)",
            "draws a truncated normal with std 0.02 for its linear weights",
            "timm's (v0.6-1.0.28, default `weight_init`)",
        ),
    ),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): the card's pointer list dropped; the link stays in section 3a
    (
        "lesson",
        "3 ·",
        ("06_train_a_vit_appendix.ipynb#real-loop",),
    ),
]

# r29 density (brief fix06n item 1): moved from lesson cell 8, section 5 and section 2 to the appendix
PROSE.append(("appendix", "C ·", ("two possible causes, not separated for this run",)))
# brief fix06_37b items a, c, e (reviews r37a minors 2-3, r37b minors 2, 4): Fisher beside Newcombe in appendix E; the conv
# stem concluded in section 5 with the lesson's verdict words; the eval-mode caveat beside the stored recount
PROSE.append(
    (
        "appendix",
        "E ·",
        (
            "fisher's exact test on the same pair gives p = 0.059 uncorrected",
            "allowing for the 45 pairs, neither tells 0 and 4 apart",
            "the mistakes made more than once), is printed below: these 100-digit counts do not tell any two digits apart",
        ),
    )
)
PROSE.append(
    (
        "lesson",
        "5 ·",
        # audit a37b item 1 (brief quick06_37b): both rows are at the shared rate 1e-2, not CNN-8's own rate
        (
            "at the shared rate 1e-2, the conv stem **leans** better than the vit and shows **no detectable difference** from cnn-8",
        ),
    )
)
PROSE.append(("appendix", "C ·", ("with that epoch's final weights (no dropout here, so the mode changes nothing",)))
# brief fix06_37b item g (review r37a minor 5): why the warm-up starts at 1 % and overshoots (vit_explained/training.py)
PROSE.append(("appendix", "C ·", ("as it adds 1e-3 to the progress (`(progress + 1e-3) / warmup`)",)))
# review r29d minors 5-6 (brief fix06q item 5): cell 8 prints only the epochs, the two likely causes said in section 2's
# markdown; the untrained model's null for the ink share
PROSE.append(
    (
        "lesson",
        "2 ·",
        (
            # brief fix06r item 3 (review r30a minor 5): "likely" -> "possible"; brief fix06s item 2 (review r30b
            # minor 2): the first cause is checked for the 8x8 run (section 3b, appendix C), the second is not
            # brief fix06t item 4 (review r30c minors 1-2): the sentence parses; the preset's shortening said; the
            # first cause's check in appendix C (section 3b's sentence moved there, r31 density)
            # r31 density (brief fix06u): the two causes moved to appendix C (#mnist-in-view), the lesson points there
            # r31c MAJOR (review r31c_06 major 1, brief quick_w): appendix C does not say why for this run; the two
            # possible causes, not separated, and the link to the MNIST run's paragraph (#mnist-in-view)
            # brief fix06z item 4 (review r32b minor 6): the two causes in words, still not separated, still linked
            # r33 (brief fix06_33a, review r33a density remark): "tally" defined where it first appears
            # r33b plain wording (brief fix06_33b item 5, review r33b minor 6): the tally defined in one sentence, the two
            # causes named in appendix C, still not separated, still linked
            # brief fix06t items 4-5 (review r30c minors 6, 8): the floor where label smoothing is defined; AdamW's
            # decay scaled by the lr (torch 2.13: param.mul_(1 - lr * weight_decay))
            # r33 density: the floor and AdamW's fraction moved to section 3a with the recipe's words (pinned in its row)
            # brief fix06u item 3 (review r31a minor 3): a fraction of the weight, not an absolute amount
            # review r32a minor 7: the fraction at the peak lr; the schedule scales it step by step
            # brief fix06z item 4 (review r32b list 1): the same facts without the parentheses
            # brief fix06t item 2 (review r30c minors 10-11): the position and attention claims above their figure,
            # correlational wording
            # brief fix06_34c item 1 (review r34c MAJOR 1): uniform attention is the wrong null; the null is the mean map over
            # the same validation digits (lesson 08's ink_lift_over_mean_map), and the own map's gain over it is paired
            # brief fix06_35a item 4 (review r34e minor 4): the same facts in two sentences
            # audit a35a item 7: the mean of the same 500 maps (not image-blind); "only" keeps the gain small; the link to #vit-payoff
            # brief fix06_36c item d (review r36d item 3): one pointer sentence; the reading and its caveat: appendix E
            # audit a36c item 1 (brief quick06_36c): the pixels caveat back beside the figure, in few words
            # brief fix06_37a (reviews r36g minor 5, r36h minor 2): the same facts in plain sentences
            "the right panels show the class token's attention in the last block. its input has already been mixed by 3 blocks, so this is not attention on pixels. [appendix e](06_train_a_vit_appendix.ipynb#ink-validation) measures how much of it sits on ink",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "E ·",
        (
            "the 500 maps' mean already puts 52 % there; each digit's own map adds only 5.7 points, 95 % [+4.4, +7.0]",
            "this is not attention on pixels",
            # audit a36c item 6 (brief quick06_36c): the reason before the claim, with its pointer
            "after 3 blocks the tokens have mixed ([below](#vit-payoff)): this is not attention on pixels",
            "[the validation digits](#ink-validation) read the same",
        ),
    )
)
PROSE.append(("appendix", "D ·", ("whether a stronger locality prior would, these runs cannot say",)))
# brief fix06_34c item 1 (review r34c MAJOR 1): the untrained model's near-uniform attention moved to appendix E with the
# test digits' mean-map control; the appendix summary carries the control too
PROSE.append(
    (
        "appendix",
        "E ·",
        (
            "an untrained model's near-uniform attention puts 32 % there",
            "most of that needs no image: the mean map, the same for every digit, puts 53 % there",
            "each digit's own map adds 5.3 points, 95 % [+4.4, +6.2]",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "Summary",
        ("the mean map, the same for every digit, puts 53 % there, and each digit's own map adds 5.3 points",),
    )
)
# brief fix06_34c (review r34c minor 1): exercise 2's listing also returns the loss tensor
PROSE.append(("lesson", "Exercise 2", ("and it returns the loss tensor where a float is asked",)))
# r33b density (brief fix06_33b item 5): moved from the lesson's section 5 and section 4
PROSE.append(
    (
        "appendix",
        "D ·",
        (
            "than 6 seeds is called **exploratory** (`clinic.rise_word` adds it to a finding)",
            '<a id="why-6-seeds"></a>',
            "so a finding or hint on fewer",
        ),
    )
)
PROSE.append(("appendix", "(top)", ("counting the test digits' sampling too; at 1,860 steps | **leans**; **leans**",)))
PROSE.append(
    (
        "appendix",
        "H ·",
        (
            "the clinic's hand-written layernorm line writes `x.mean(...)` where the annotated transformer has `(x - mean)`",
        ),
    )
)
# r32c MAJOR (review r32c_06 major 1): the own-rate headline over seeds + digits, printed as the table's last row
PROSE.append(
    (
        "appendix",
        "D ·",
        ("+2.9 [+1.3, +4.5] over seeds and digits", "counting the test digits' sampling too it only **leans**"),
    )
)
# r31c MAJOR (review r31c_06 major 2, brief quick_w): appendix B's sign change is a point estimate's, the rate change only
# leans; "direction depends on the rate" stays out
PROSE.append(
    (
        "appendix",
        "B ·",
        ("but its point estimate changes sign with the rate (a hint: the change from 0.01 to 0.03 only leans, below)",),
    )
)
# r31 density (brief fix06u): moved to appendix C (#mnist-in-view, #timm-decay): the two causes of validation above the
# MNIST tally; which weights the package decays ("minus `no_weight_decay()`" in the lesson until r31)
PROSE.append(
    (
        "appendix",
        "C ·",
        (
            "not separated for this run: the tally is taken during the epoch, while the weights still change, and on augmented digits",
            "the package applies both rules: its `model.no_weight_decay()` names",
        ),
    )
)
# brief fix06u item 3 (review r31a minors 4-5): a lone comparison's verdict; the label-smoothing rise with its interval;
# item 1 (review r31a minor 2): cell 32's epochs 1-5 print is read in the prose
PROSE.append(
    (
        "appendix",  # brief fix06_38a item a: with the knobs, in appendix I
        "I ·",
        ("each is a lone comparison (in no family), so it has only its 95 % interval: at most **leans**",),
    )
)
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            # fix06v item 2 (r31b minor 2): epochs 1 and 5 within a point; r32 (review r31c minor 2): the 5-point threshold stated
            # brief fix06_37a (review r36h item 1): the mnist-fast curve beside the 8x8 one; both leads in one place
            # audit a37a item 1 (brief quick06_37a): the 5-point margin is the 8x8 run's only (MNIST: above in epochs 1-7)
            # brief fix06_37c (reviews r37c minor 4, r37d minor 8): the "why" first, one fact per sentence
            # brief quick06_37e item 4 (reviews r37g minor 6, r37h minor 4): one claim per sentence
            # brief fix06_38c item b (reviews r38b minor 1, r38a minor 5): the cause in plain words first; "(one run)"
            # review r39d minor 2: the tally lags because it averages the epoch's older weights
            "why is validation above training early on? the training number is a *running tally*: each batch is scored "
            "with the weights of that moment, older than the end-of-epoch weights validation uses.",
            # audit a38b item 1 (brief fix06_38d): MNIST's lead stated with its own range, not read as "more than 5 points"
            # brief lead39 (review r39b minor 4): the mnist-fast curve left the main path (appendix C draws the same run)
            "validation sits above it by more than 5 points in epochs 2-4.",
            # brief fix06_37b (main-path cap): the two causes are stated in appendix C (its row pins them); a pointer stays
            # audit a37b item 2 (brief quick06_37b): the two causes named again, in short
            # audit a38b item 2 (brief fix06_38d): on MNIST the tally too is only a possible cause
            # brief fix06_38c item c (review r38b minor 3): the validation-loss curve is the stored run, and what is checked
            # audit a38b item 4 (brief fix06_38d): the tolerance in digits, as cell 30 asserts it
            # brief fix06_38e item a (reviews r38c minors 1-2, r38d minor 2): the stored run's match, the preset's command and
            # "not the shipped model" moved to the hidden checks (test_section_3b_provenance_in_its_checks)
            # audit a38c item 4 (brief fix06_38f): the stored copy is this same run (cell 30 asserts the accuracies' match)
            # review r38g minor: "to within a few images" (not decimal digits)
            "the 8x8 validation loss is from the stored copy of this same run (`fit` records none; the accuracies match to within a few images).",
            "(a larger vit on mnist: [appendix c](06_train_a_vit_appendix.ipynb#mnist-in-view)).",  # audit a37a item 5
        ),
    )
)
PROSE.append(("appendix", "E ·", ("these 100-digit counts do not tell any two digits apart",)))
# audit a38b item 3 (brief fix06_38d): section 3 links seed 1's training and validation loss (appendix C, anchored)
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            "seed 1's training and validation loss, each epoch: [appendix c](06_train_a_vit_appendix.ipynb#overfitting-seed1);",
            "seed 2's early bump: [appendix c](06_train_a_vit_appendix.ipynb#overfitting-seeds).",  # review r39g minor 4
        ),
    )
)
PROSE.append(("appendix", "C ·", ('<a id="overfitting-seed1"></a>seed 1\'s loss curves',)))
# a33b audit (brief quick_33b): the headline's caveats restored (items 1), the exploratory rule's scope (2), the payoff
# figure's validation digits and appendix E's split (3, 4), the LayerNorm pointer (5), check 4's untimed cost (6), the
# eval-mode epochs (9)
PROSE.append(
    (
        "lesson",
        "5 ·",  # brief fix06_38a item b: a row of section 5's table (section 4 uses no verdict word)
        # audit a35a item 1: check 1's hint is one; brief fix06_37c: "hint" and "finding" are defined in section 5's table
        (
            "| **exploratory** | leans or stronger on fewer than 6 seeds ([why 6](06_train_a_vit_appendix.ipynb#why-6-seeds)) |",
        ),
    )
)
PROSE.append(
    ("appendix", "D ·", ("the first 18 were planned together; the last two questions were asked",))
)  # fix06_38g item d
# brief fix06_38g item f (review r38f minor 5): the definition says what the loss panel draws (training loss: appendix C)
# brief fix06_38i item 3 (audit a38d item 3): "while training loss keeps falling" tells over-fitting from other rises
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            "on the confidence side, as validation loss rising after its lowest point while training loss keeps falling ([training loss: appendix c](06_train_a_vit_appendix.ipynb#overfitting-seed1)).",  # reviews r39h minor 4, r39j minor 4
        ),
    )
)
# brief fix06_38g item b: the scope sentence stays with the takeaway
PROSE.append(
    (
        "lesson",
        "5 ·",
        (
            'this vit is one block, d = 32, on 8x8 digits, 2x2 patches: no general "cnns beat vits on small data" follows.',
        ),
    )
)
# brief fix06_38g item a (review r38f minor 1): Adam's L2 term against AdamW with a real loss gradient, printed in cell 18
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            # brief fix06_38j item 1 (reviews r38g, r38h M1): noisy gradients, not a constant one; Adam's coupled decay is uneven
            # reviews r39a minor 1, r39b minors 1-2: stated as the rule the printed runs show (ten weights, three noise scales:
            # mean Adam / AdamW 0.10 at σ = 10, 0.95 at σ = 1, 18.83 at σ = 0.01, capped near a full lr per step)
            # audit a39a item 1: scoped to where σ sits against wd·w (σ = 10 and 1 well above 0.05, σ = 0.01 below), seed 0,
            # the averages only ("never" was false for single weights); "in between" is not printed, so not stated
            # reviews r39c minors 1-2, r39d minor 1: the mechanism (√v ≈ σ or ≈ wd·w), why it matters, the grey path
            # audit a39b items 1, 4: zero-mean noise (a steady gradient gets almost none of Adam's decay), on average
            "where the noise dominates (σ ≫ wd·w), √v ≈ σ, so the decay adds on average about lr·wd·w/σ per step: adamw's divided by σ.",
            "where wd·w dominates, the step is about lr (0.002): about 1/(wd·w) = 20 times adamw's (18.83 on average here; 16.27-21.77 per weight, as the no-decay path wanders too).",  # audit a39d item 1: not "up to"  # review r39h minor 5
            "so adam's decay depends on a weight's gradients; adamw's does not.",
            "below: ten weights (w = 1, wd 0.05, seed 0), 100 steps of zero-mean gradient noise of size σ.",
            "without decay (grey) the path is the same at every σ: scaling every gradient leaves adam's step unchanged.",
        ),
    )
)
# brief lead39c (reviews r39e, r39f): the summary names section 3a; SGD's momentum in the bug list; border patches plainly
PROSE.append(
    (
        "lesson",
        "Summary",
        (
            "- weight decay: adam adds wd·w to the gradient and divides that sum's running average by its running size, so how much it decays a "
            "weight depends on that weight's gradients; adamw's decay does not ([section 3a](#the-loop)).",
            "label smoothing 0.1 over 10 classes keeps the training loss above 0.50 nats (its target's entropy).",  # audit a39c item 3: K = 10
        ),
    )
)
PROSE.append(("lesson", "4 ·", ("sgd (momentum 0.9) at adam's learning rate.",)))
PROSE.append(
    (
        "lesson",
        "2 ·",
        ("neighbouring patches get similar position vectors, and border patches resemble other border patches.",),
    )
)
# review r39l MAJOR: check 6 was never run on the missing activation; the recap row says what was run, and "fits" is defined
PROSE.append(
    (
        "lesson",
        "Summary",
        (
            "| checks 1-5 do not fire (check 6 was not run on it) | unit test against a reference (lessons 03, 04) | no mlp activation |",
        ),
    )
)
PROSE.append(("lesson", "4 ·", ("a working model memorises it: its last loss falls under 0.1.",)))
# brief fix06_36d (review r36e minor 4): "1,860 steps" said as a longer run
PROSE.append(
    (
        "lesson",
        "5 ·",
        # brief fix06_38g item b (review r38e minor 1): the takeaway scoped to training seeds on these 360 test digits
        (
            # brief fix06_38i item 4 (audit a38d item 4): the verdict word the "only **leans**" contrasts with
            "cnn-8 beat this vit on all 10 training seeds (**ahead** over seeds: corrected interval [+0.8, +5.0], on these 360 test digits).",
            "counting the test digits' sampling too, or training longer (1,860 steps, asked after seeing results), it only **leans**",
        ),
    )
)
# audit a37a (brief quick06_37a): item 4, check 1's 3-seed hint flagged without "exploratory" (banned in that cell);
# item 2, the appendix points to the MNIST curve's new place
PROSE.append(
    ("appendix", "H ·", ("x255 **leans** worse (printed below; 3 seeds: exploratory)",))  # brief fix06_38a item b
)  # brief quick06_37b (main-path cap)
PROSE.append(("appendix", "C ·", ("the lesson's section 3b points here; mnist-fast is shortened to 10 epochs",)))
# brief fix06_36d (review r36f minor 3): the augmentation verdict names its rate and the 1,860-step result
PROSE.append(
    (
        "lesson",
        "5 ·",
        ("the runs below do not isolate locality",),
    )
)
# brief fix06_34a (main-path cap): the 1,000-test-digit reading (58 %) left section 2; appendix E states it
PROSE.append(("appendix", "E ·", ("58 % of its patch attention on",)))
# audit a36a item 6: lesson section 3 shows only the ViT; CNN-8's runs are the appendix's
PROSE.append(
    (
        "appendix",
        "C ·",
        ("(the stored runs behind lesson section 3: its vit, plus cnn-8, which the lesson does not show; seeds 0-2)",),
    )
)
PROSE.append(("appendix", "A ·", ("after 100 steps, validation accuracy goes with the init and the learning rate",)))
# r33d minor 1: in eval mode the lead of epochs 2-4 is gone: epoch 2 within a point (16.7 % / 17.2 %, printed 17 % / 17 %
# by appendix C), eval-mode training above validation in epochs 3-4
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            # brief fix06_34a (review r34a item 2): the lead goes with the recount, not the mode (no dropout, no BatchNorm here)
            # brief fix06_37b item e (review r37b minor 2): what ties with what; "no dropout here" moved to appendix C (#eval-mode)
            # brief quick06_37d (main-path cap): the epoch-by-epoch numbers live in appendix C (#eval-mode prints and asserts them)
            "rescored with each epoch's final weights, [training accuracy catches up](06_train_a_vit_appendix.ipynb#eval-mode) (one run)",
        ),
    )
)
# r33d minor 2: only SGD and the hand-written LayerNorm (and the fixed model) ran at 10x, not `batch_first`
# brief fix06_36b (review r36a MAJOR 1): the recap row credits the steps, not the rate
# audit a36b item 4 (brief quick06_36b): the 400-step arm is a rerun with its whole schedule stretched, not resumed
PROSE.append(
    (
        "lesson",
        "Summary",
        (
            # brief fix06_37c (review r37c minor 5): the row in plain words
            # brief quick06_37e item 7 (review r37g minor 5): one cause per row; the row's scope moved to a footnote
            "| one batch fits only in a 400-step rerun¹ | 6, rerun at 4x the steps | a slow optimiser |",  # audit a37c item 6
            "¹ a rerun with the whole schedule stretched; in this clinic, of the two bugs rerun at 400 steps, only the slow optimiser fits.",
        ),
    )
)
PROSE.append(
    (
        "lesson",
        "4 ·",
        # brief fix06_34a (reviews r34a item 5, r34b item 6): the reason check 4 comes before check 5, not a cost disclaimer
        (
            "[its effect](06_train_a_vit_appendix.ipynb#one-direction)",
            # brief fix06_36c (review r36c minor 4): check 5 named where it is referred to ahead
            "so read check 5 only on a loss that falls",  # audit a36c item 3; brief fix06_37a: said once in section 4, where check 5 is
        ),
    )
)
PROSE.append(
    (
        "lesson",
        "Summary",
        (
            # brief fix06_38g item b (review r38e make-it-9 2): scoped as the takeaway
            "cnn-8 beat this 1-block vit on every training seed (**ahead** over seeds, on these test digits); counting the test digits' sampling too, or at 1,860 steps",
            "check 5 reads only on a loss that falls):",
        ),  # brief fix06_34a
    )
)

PRINTED = [
    # review r29c minor 5: the ink comparison, digit by digit
    # r33b (brief fix06_33b item 2, review r33b minor 2): read on the 500 validation digits, not the test digits again
    # brief fix06_34c item 1 (review r34c MAJOR 1): the paired gap over the image-blind mean map replaces "480 of 500"
    # brief fix06_36c item d (review r36d item 3): moved to appendix E with its check
    (
        "appendix",
        "E ·",
        (
            "the mean map, the same for every digit: 52% on inked patches; own map - mean map, paired over the 500 digits: +5.7 points, 95 % [+4.4, +7.0]",
            "last block, 500 validation digits:",
        ),
    ),
    (
        "appendix",
        "E ·",
        (
            "the mean map, the same for every digit: 53% on ink; own map - mean map: +5.3 points, 95 % [+4.4, +6.2]",
            "an untrained model of the same shape: 32% on inked patches",
        ),
    ),
    # brief fix06j item 3 (review r28a minor 9): the visible loop's validation pass (eval mode, no gradients)
    ("lesson", "3 ·", ("epoch 1: validation accuracy 10.0%\nepoch 2: validation accuracy 10.0%",)),
    # brief fix06j item 2 (review r28a minor 1): the most different pair's Fisher test
    # brief fix06_37b item a (reviews r37a minor 3, r37b minor 4): printed in appendix E now
    (
        "appendix",
        "E ·",
        (
            "most different pair: 0 (100 of 100) against 4 (95): Fisher's exact p = 0.059 (two-sided, one of 45 pairs, uncorrected)",
            "0: 100 [96, 100]; 1: 98 [93, 99]; 2: 97 [92, 99]; 3: 97 [92, 99]; 4: 95 [89, 98]; 5: 97 [92, 99]; 6: 96 [90, 98]; 7: 99 [95, 100]; 8: 98 [93, 99]; 9: 97 [92, 99]",
            "mistakes made more than once: 1 read as 7 (2x), 3 read as 9 (2x), 4 read as 9 (2x), 5 read as 1 (2x), 6 read as 0 (3x)",
        ),
    ),
    # brief fix06_37b item d (review r37b minor 1): the augmentation's sizes, printed where its verdict is read
    (
        "appendix",  # brief fix06_38a item a: appendix D prints the sizes where the augmentation verdict now lives
        "D ·",
        ("augmentation: rotations up to 10 degrees, scaling by 1 ± 0.1, sub-pixel moves up to 1 pixel",),
    ),
    ("appendix", "(top)", ("torch 2.13",)),
    # brief fix06e item 5 (review r27b minor 3): the x255 cost with its interval
    (
        "lesson",
        "4 ·",
        (
            # review r27d minor 2: check 1 is no part of section 5's family: its 95 % interval only
            "validation accuracy lost to the scale, seed by seed: 11, 19, 15 points",  # brief fix06_38a item b: no interval here
        ),
    ),
    # brief fix06d item 3 (review r26e_06 minor 7): check 6's and section 5's numbers left the prose for the printed lines;
    # r32 density (brief fix06y item 4, review r32a minor 9): check 6's four 400-step arms printed in appendix F
    # (#one-batch-400); the lesson's picture still draws them and its prose states them
    (
        "appendix",
        "F ·",
        (
            "that LayerNorm at 10x (0.1), 400 steps 1.20, 1.22, 0.69",
            "the fixed model at 10x (0.1), 400 steps 0.00, 0.00, 0.00",
            "that LayerNorm at its 0.01, 400 steps 1.48, 0.65, 1.21",
        ),
    ),
    (
        "lesson",
        "5 ·",
        ("95 % [",),
    ),
    # r29 density (brief fix06n item 1): section 5's main-path table keeps three rows; the others and the lr grid print in appendix D
    (
        "appendix",
        "D ·",
        (
            "CNN-8 - ViT 400 steps 10 seeds +1.9 [+0.8, +3.1]",
            "[+0.8, +3.1]",
            "53.5 (18.3..72.8)",
            "97.2 (96.7..97.8)",
        ),
    ),
    (
        "appendix",
        "A ·",
        (
            "corrected",
            "95 %",
            "after 100 steps",
            "paired 95 % t-interval [+13.7, +24.8] (3 seeds)",
            "timm init with torch's q/k",
            "torch - timm                     0.01  +42.4",
            "[+18.9, +65.9]",
        ),
    ),
    ("appendix", "B ·", ("corrected", "95 %")),
    (
        "appendix",
        "C ·",
        (
            "per model, 3 of 3, p = 0.25 each",
            "higher without on 5 of 5 (sign test p = 0.06)",
            "last-epoch training loss, without - with: +0.036, 95 % t-interval [+0.010, +0.062] (5 seeds)",  # r37c minor 2
            "corrected for four readings (98.75%): [-0.005, +0.076], holds 0",  # audit a37c item 2
            "label smoothing, by hand: differences",
            "epoch 1, largest difference from train_loop's 20 losses",
            "no decay - decay: -0.3 points, 95 % interval [-1.1, +0.6], corrected (98.3%) [-1.4, +0.8] (10 seeds): no detectable difference",
            "test",
            "warm-up in these 400 steps: 40 steps, 2.0 epochs",
            "corrected",
            "95 %",
            "98.3",
            "92.8",
            "lr_factor at step 0: 0.010 of the peak; its largest over the shipped model's 2,750 steps: 1.006 at step 274",
            "leans",
            "of 180: ViT seed 0 +13; ViT seed 1 +4; ViT seed 2 +1; ",
            "CNN-8 seed 0 +3; CNN-8 seed 1 +7; CNN-8 seed 2 +1",
            "1.006 at step 274",
            "no warm-up - warm-up, validation (180 digits): -2.0 points, 95 % [-4.8, +0.8]",
            "(5 seeds): no detectable difference",
            "no warm-up - warm-up, validation (180 digits): -2.0 points, 95 % t-interval [-4.8, +0.8]",
            "eval mode on all 1,257 training digits: 96.2% (the running tally: 96.3%",
            "95 % interval",
            "ViT, end minus lowest-loss epoch: mean +3.3 points, 95 % t-interval [-5.3, +11.9] (3 seeds)",
            "CNN-8, end minus lowest-loss epoch: mean +2.0 points, 95 % t-interval [-2.2, +6.3] (3 seeds)",
            "no warm-up - warm-up, test (360 digits): -3.3 points, 95 % [-5.7, -0.8]",
            ": leans",
            "higher without on 5 of 5",
            "95 % [",
            "depth 2; validation accuracy per epoch (",
            "after 10 epochs 92.8%; the shipped model after its 50: 97.2%",
            "epochs with validation accuracy above the training tally: [1, 2, 3, 4, 5, 6, 7]",
            "validation accuracy per epoch (stored, 2026-12-05): 55.0%",
            "trained here as well: 3 epochs of the same recipe (dashed in the figure)",
            "stored, 2026-12-05",
            "after 10 epochs 92.8%",
        ),
    ),
    (
        "appendix",
        "D ·",
        (
            "each at its own rate, 1,860 steps, 10 seeds: CNN-8 (lr 0.03)",
            "benchmark, MNIST 28x28, 60 s, 3 seeds: ViT 97.8% (97.7%..97.9%)",
            "benchmark, 8x8 digits, 30 s, 3 seeds: ViT 97.7% (97.2%..98.3%)",
            "benchmark, 8x8 digits, 30 s, 3 seeds: ViT 97.7% (97.2%..98.3%), 1,934 steps; SmallCNN 99.8% (99.7%..100.0%), 4,874 steps",
            "benchmark, MNIST 28x28, 60 s, 3 seeds: ViT 97.8% (97.7%..97.9%), 3,782 steps; SmallCNN 97.4% (97.2%..97.7%), 2,103 steps",
            "ViT / SmallCNN on MNIST: 97.2 / 97.4, 97.0 / 97.2, 97.6 / 97.5, 97.8 / 97.4",
            "CNN-8 - ViT at 1,860 steps: ",
            "corrected (99.75%) [-0.02, +2.97]: leans",
            "test",
            "corrected",
            "95 %",
            "99.75 %",
            "99.75 % (corrected)",
            "99.7",
            "97.5",
            "98.3",
            "99.75",
            "over seeds and test digits, 400 steps: 95.00% [+1.31, +4.52], 99.75% [-0.02, +5.86]",
            "over seeds and test digits, 1,860 steps: 95.00% [+0.26, +2.68], 99.75% [-0.75, +3.69]",
            "92.8",
            "CNN-8 3e-2 97.8 % (3 seeds: 97.8..97.8) against 1e-1 97.2 % (3 seeds: 96.7..97.8)",
            "a finer rate between them, validation: ViT 0.005 ",
            "CNN-8 0.05 ",
            "the ViT at 5e-3 instead:",
            "conv stem - ViT, test accuracy, mean of 10 seeds: 300 digits",
            "conv stem's lead at 300 minus at 1,257:",
            "verdict (section 5's twenty)",
            "leans",
            "ahead",
            "CNN-8 - ViT",
            "CNN-32 - ViT",
            "ViT 97.8% (97.7%..97.9%)",
            "SmallCNN 97.4% (97.2%..97.7%)",
            "99.2 % (the six alone)",
            "no detectable difference; larger at 300 on 7 of 10 seeds",
            "ViT augmented - unaugmented: -10.0 points",
            "CNN-8 augmented - unaugmented: -4.0 points",
            "8x8 digits",
            "the lead's change (with - without)",
            "[+0.8, +3.1]",
            "860 : 400 steps",
            "95 % interval",
            "rotations up to 10 degrees",
            "1 ± 0.1",
            "up to 1 pixel",
            "augmentation: rotations up to 10 degrees, scaling by 1 ± 0.1, sub-pixel moves up to 1 pixel",
            "12.5% of the 8-pixel width",
            ": leans",
            "on 9 of 10 seeds",
            "95 % [",
            "corrected (99.75%)",
            "ViT augmented",
            "CNN-8 augmented",
            "ViT's - CNN-8's augmented",
            "53.5 (18.3..72.8)",
            "97.2 (96.7..97.8)",
            "benchmark, MNIST 28x28, 60 s, 3 seeds: ViT 97.8% (97.7%..97.9%), 3,782 steps; SmallCNN 97.4% (97.2%..97.7%), 2,103 steps",
            "benchmark, its four runs, ViT / SmallCNN on MNIST: 97.2 / 97.4, 97.0 / 97.2, 97.6 / 97.5, 97.8 / 97.4",
            "the headline on seeds 3-9 alone (not used to choose a rate): +2.6 points, 95 % [+1.7, +3.6], corrected (99.75%) [+0.7, +4.6]: ahead",
            "CNN-8 - ViT at 1,860 steps: +1.5 points, 95 % [+0.7, +2.3], corrected (99.75%) [-0.02, +2.97]: leans",
        ),
    ),
    (
        "appendix",
        "E ·",
        (
            "1: +0.45, 2: +0.14",
            "left-right +0.54, up-down +0.36",
            "58% of the class token's patch attention on inked patches, which are 33% of the patches",
            "a random 1,000: [99, 99, 85, 104, 111, 109, 98, 99, 101, 95]",
            "test",
            "the same 1,000 test digits: features - pixels: +43.5 points, 95 % interval [+40.0, +47.0]",
            "right with the features only: 473 digits; with the pixels only: 38",
            "95 %",
            "interior pairs: 1: +0.44, 2: +0.09, 3: -0.09; border pairs: +0.26 to +0.72 at every distance",
            "class token, last block: attention on ink - ink's share of the patches: +25.2 points",
            "12: +0.72",
            "by grid steps, interior pairs: 1: +0.44, 2: +0.09, 3: -0.09; border pairs: +0.26 to +0.72",
            "mean cosine of two patches' positions, by grid steps apart: 1: +0.45, 2: +0.14",
            "attention on ink - ink's share of the patches: +25.2 points, 95 % interval [+24.3, +26.1]",
            "95 % interval",
            "head's features [83.7, 88.0], raw pixels [39.5, 45.6]",
            "mix-ups on the plane, 7 or more of a digit's 100: 5 as 8: 17, 9 as 0: 13, 9 as 2: 10, 2 as 9: 10, 8 as 5: 8, 3 as 0: 8, 0 as 9: 8, 8 as 4: 7",
            "paired: right with the features only 473, with the pixels only 38; exact sign test p = 1e-96",
            "9 as 0: 13, 9 as 2: 10, 2 as 9: 10",
            "3 as 0: 8, 0 as 9: 8",
            "3 as 0",
        ),
    ),
    (
        "appendix",
        "F ·",
        (
            "SGD bug, lr 0.1, 600 steps",
            "mean pooling (seed 0, 150 steps), batch_first: step-0 gradient class_token 0, embed 0.33;",
            "last-20 mean loss 1.94, validation 3",  # trained here: the validation digit moves with the CPU (38 % or 39 %), so nbval ignores this output
            "fixed model",
        ),
    ),
    (
        "appendix",
        "G ·",
        (
            "ViT   whole-pixel shifts - none: -17.0 points",
            "CNN-8 whole-pixel shifts - none: -2.3 points",
            "95 %",
            "98.3",
            "92.8",
            "CNN-8 - ViT",
            "augmented training digits: 0.3% of pixels at full ink",
            "before augmentation: 9.1% of pixels at full ink",
            "with ink on the frame (blank margin 0): 1,257 of 1,257",
            "the lead's change (with - without)",
        ),
    ),
    (
        "appendix",
        "H ·",
        (
            "the clinic's BlogViT, seed 0, clinic.run's first batch",
            "check 3 FIRES",
            "patch token norm 2.27 (x1) and 313 (x255); position embedding norm 0.118: 5.2 % of a token at x1, 0.04 % at x255",
            "pixels x255 and positions x255, 150 steps, seeds 0-2: validation 54%-69%",
            "minus pixels x255 alone, seed by seed: -4, -17, -2 points",
            "head weights x2.5",
            "fixed model",
            "passes",
        ),
    ),
    ("lesson", "(top)", ("torch 2.13",)),
    ("lesson", "1 ·", ("test",)),
    (
        "lesson",
        "2 ·",
        (
            "test",
            "95 %",
            "97.4 %, 95 % interval [96.2, 98.2] %",
            "974/1000 correct",
            "interpolated (non-integer) translations of up to 2 pixels",
            "95 % interval",
            "rotations up to 10 degrees",
            "1 ± 0.1",
        ),
    ),
    (
        "lesson",
        "3 ·",
        (
            "training minus validation accuracy at the end, ViT seeds 0-2: 10.6, 13.9, 16.1 points",  # brief fix06_36a: the ViT's
            "95 %",
            "QUICK: lr 0.01, warm-up 10% of the steps, then cosine; optimizer adamw",
            "from 1% of the peak lr at step 0",
            "accuracy in epochs 1-5, running training tally / validation: 9% / 10%, 11% / 17%, 43% / 58%, 77% / 85%, 85% / 86%",
            "95 % interval",
            "more than 0.05 above that lowest from epoch 42, 32, 97 on",
        ),
    ),
    # brief fix06u item 3 (review r31a minor 5): the label-smoothing comparison, printed with its intervals; r31 density
    # (brief fix06x item 1, review r31c minor 6): cell 35 prints its two headline lines, these moved to appendix C
    (
        "appendix",
        "C ·",
        (
            "label smoothing - none, seeds 0-2: the rise (5-epoch mean, end - lowest) -0.10, 95 % [-0.12, -0.07]; validation accuracy -0.4 points, 95 % [-6.6, +5.9]",
            "seed 2: 5-epoch mean 1.21 at epoch 52 (after 0.85 at epoch 33), before its lowest 0.79 at epoch 72",
        ),
    ),
    (
        "lesson",
        "4 ·",
        (
            "the clinic's BlogViT, seed 0: each run's loss at step 0",
            "torch 2.13",
            "final loss of the two quiet bugs (one seed, seed 0)",
            "SGD at 10x that (0.1)                    1.47, 1.91, 2.22",
            "validation accuracy lost to the scale, seed by seed: 11, 19, 15 points",
            "fixed model",
            "seed 0, step 0: batch_first (default False, torch 2.13",
            "embed gradient 0 seed 0, step 0: SGD's norms equal the fixed model's exactly",  # brief fix06_38a item g: one fact per line
            "SGD's norms equal the fixed model's exactly",
            # brief fix06_36c item a (reviews r36c minor 1, r36d minor 1): the head's 0.95x shown, not rounded to 1.0
            "no MLP activation: 0.95-1.5x the fixed model's (the head's below 1x)",
            "seeds 0-4, fixed model / LayerNorm x - mean / std: other parts 5-21x smaller, LayerNorm γ, β 2-5x",
        ),
    ),
    (
        "lesson",
        "5 ·",
        ("92.8",),
    ),
    ("solutions", "Exercise 2", ("zero_grad", "before backward")),
    ("solutions", "Exercise 4", ("95 %", "leans", "passes")),
    ("solutions", "Exercise 6", ("test",)),
    # moved with section 3b's regulariser study (review r25b_06 item 1): the facts now live in appendix C
    (
        "appendix",
        "C ·",
        (
            "test",
            "corrected",
            "98.3",
            "corrected (98.3%) [-0.14, -0.05] (3 seeds): a smaller rise: exploratory (corrected interval below 0)",
            "-ln(eps/K) = 4.6",
            "(3 seeds): a smaller rise: exploratory (corrected interval below 0)",
            "(3 seeds): no detectable difference",
            "(3 seeds): a smaller rise",
            "label smoothing alone, seeds 0-2: its own rise at the end 0.00, 0.00, 0.01",
            "per seed: -0.10, -0.10, -0.08; below 0 on 3 of 3 seeds, sign test p = 0.25",
            "label smoothing alone (rerun) 8.3, 16.7, 16.7 points; neither 10.6, 13.9, 16.1 points",
            "a confidently wrong digit's loss is about -ln(eps/K) = 4.6 at the training optimum",
            "exploratory",
            "weight decay - neither, the rise: -0.01, 95 % [-0.19, +0.18]",
            "95 % [",
        ),
    ),
    # brief fix06b item 2: the equal-epochs table beside the 400-step one
    (
        "appendix",
        "D ·",
        (
            "20 epochs each: test accuracy (%), mean of 10 seeds",
            "300                100  72.5   84.8        +12.3                  [+8.0, +16.6]",
            "600                200  89.3   93.3         +4.0                   [+2.4, +5.6]",
            "300 digits, 100 steps minus 400: ViT -13.6 points, 95 % [-18.2, -8.9]; CNN-8 -9.6 points, 95 % [-11.2, -7.9]",
        ),
    ),
    # brief fix06f item 5 (review r27c minor 1): the 3e-3 clause's seeds' range, printed in appendix A
    (
        "appendix",
        "A ·",
        ("lr 0.01 - lr 0.003, seed by seed (points): timm +1.1..+15.6; jax -1.7..+31.7; torch +23.3..+53.9",),
    ),
    # brief fix06m item 1 (review r28d minors 2-4): cell 8 in short lines, the two causes named and not separated
    # brief lead39 (review r39b minor 4): the mnist-fast curve left section 3b; appendix C prints and draws the same run
    (
        "appendix",
        "C ·",
        (
            "75,338 parameters, depth 2; validation accuracy per epoch",
            "after 10 epochs 92.8%; the shipped model after its 50: 97.2% (validation, 500 digits)",
        ),
    ),
    # r29 density (brief fix06n item 1, review r29a minor 6): cell 8's tally aside moved to appendix C, printed and said there
    ("appendix", "C ·", ("epochs with validation accuracy above the training tally: [1, 2, 3, 4, 5, 6, 7]",)),
    # brief fix06o item 3 (review r29b minor 3): the first curve's validation-above-training named where it is drawn, in
    # one printed line (the r29 density decision kept: the detail stays in appendix C); the overshoot of lr_factor
    # printed where the schedule is drawn, as a percentage (review r29b minor 8; the forbidden "1.006" stays out)
    (
        "lesson",
        "2 ·",
        (
            # review r29c minor 1: section 3c never named augmentation; the two likely causes said here, no pointer
        ),
    ),
    # review r29c minor 3 (brief fix06p item 2): the overshoot line left section 3a for appendix C, which prints it
    # (r29 density: moved to appendix C; section 3a keeps a one-clause code comment)
    (
        "appendix",
        "C ·",
        (
            "lr_factor at step 0: 0.010 of the peak; its largest over the shipped model's 2,750 steps: 1.006 at step 274",
        ),
    ),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): moved with the size study and the augmentation table to appendix D
    (
        "appendix",
        "D ·",
        (
            "ViT: augmented - plain 10 -10.0",
            "CNN-8: augmented - plain 10 -4.0",
            "test",
            "lead at 300 minus at 1,257: +6.3 points, seeds +0.8..+10.0, 95 % [+3.9, +8.7], corrected [+1.9, +10.7]: ahead; larger at 300 on 10 of 10 seeds",
            "20 epochs: CNN-8 - ViT in test accuracy, mean of 10 seeds: 300 digits +12.3, 600 digits +4.0, 1,257 digits +1.9",
            "lead at 300 minus at 1,257: +10.4 points, seeds +1.9..+19.7, 95 % [+6.1, +14.6], corrected [+2.6, +18.1]: ahead; larger at 300 on 10 of 10 seeds",
            "ViT: augmented - plain 10 -10.0 [-13.2, -6.8] [-15.8, -4.2] behind",
            "CNN-8: augmented - plain 10 -4.0 [-5.4, -2.6] [-6.5, -1.5] behind",
            "the ViT's change - CNN-8's 10 -6.0 [-9.9, -2.1] [-13.1, +1.1] leans",
        ),
    ),
    # r30 density: the rest of that row's facts stay in section 5 (the headline table)
    (
        "lesson",
        "5 ·",
        (
            "92.8",
            "corrected (99.75%) [+0.8, +5.0]: ahead",
            "corrected",
            "95 %",
            "99.75 %",
            "99.75 % (corrected)",
            "99.7",
            "99.75",
            "leans",
            "ahead",
            "CNN-8 - ViT",
            "CNN-32 - ViT",
            "[+0.8, +5.0]",
            "95 % interval",
            " leans",
            "95 % [",
            "corrected (99.75%)",
        ),
    ),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): cell 8 prints only the epochs; the two causes are said in the markdown above it
    (
        "appendix",
        "C ·",
        ("epochs with validation accuracy above the training tally: [1, 2, 3, 4, 5, 6, 7]",),
    ),
]

SOURCE = [
    (
        "appendix",
        "(top)",
        (
            "test",
            "99.75 %",
            "99.7",
            "99.75",
            "mnist",
            "CORRECTED_SIX = 1 - 0.05 / len(PAIRS)",
            "TWENTY = 1 - 0.05 / 20",
            "8x8 digits",
        ),
    ),
    (
        "appendix",
        "A ·",
        (
            "corrected",
            "95 %",
            "after 100 steps",
            "(13.7, 24.8)",
            "timm init with torch's q/k",
            "leans",
            "qk = paired_seeds(",
            "clinic.verdict_word(paired_seeds(",
            'words["1e-2", "torch", "timm"] == "leans"',
            "== (42.4, 18.9, 65.9)",
        ),
    ),
    ("appendix", "B ·", ("test", "corrected", "95 %")),
    (
        "appendix",
        "C ·",
        (
            "scipy.stats.t.ppf",
            "d.std(ddof=1) / np.sqrt(len(d))",
            "DataLoader(train_set",
            "LambdaLR",
            "clip_grad_norm_",
            "real[:20] == plain[:20]",
            "torch 2.13",
            'regularised = RUNS["regularisers"]',
            "label smoothing, by hand: differences",
            "epoch 1, largest difference from train_loop's 20 losses",
            "test",
            "assert abs(higher_p - 0.0625) < 1e-12",
            "corrected",
            "95 %",
            "98.3",
            "mnist",
            "CORRECTED_3",
            "leans",
            "[13, 4, 1, 3, 7, 1]",
            "overshoot = max(",
            "gains = {",
            "all(d > 0 for d",
            "zero_grad",
            "95 % interval",
            '"06_warmup"',
            "confidence",
            "95 % [",
            "TRAIN_HERE = False",
            "fit(mnist_vit, mnist, MNIST_FAST",
            "epochs=10, seed=0",
            "if TRAIN_HERE:",
            "92.8",
            "MNIST_FAST.label_smoothing == 0.1",
            "about 25 s",
            "LIVE_EPOCHS = 3",
            "fit(LIVE.build_model(mnist), mnist, LIVE",
            "live=live_history",
            "live_history.val_accuracy[-1] > 0.5",
            "path",
        ),
    ),
    (
        "appendix",
        "D ·",
        (
            "`mnist-fast`",
            "the order flips over the four runs",
            "test",
            "test_correct",
            'clinic.verdict_word(longer, AT_20) == "leans"',
            "corrected",
            "95 %",
            "99.75 %",
            "FAMILY = 20",
            "AT_18, TWO = 1 - 0.05 / 18, 1 - 0.05 / 2",
            "99.7",
            "97.5",
            "98.3",
            "99.75",
            "{0.95: [2.92, 1.31, 4.52], AT_20: [2.92, -0.02, 5.86]}",
            "clinic.training_benchmark(benchmark)",
            "mnist",
            "the ViT at 5e-3 instead:",
            "conv stem's lead at 300 minus at 1,257:",
            "verdict (section 5's twenty)",
            "in section 5's twenty\n# it leans against both (printed)",
            "leans",
            "ahead",
            "CNN-8 - ViT",
            "CNN-32 - ViT",
            '"99.3% (98.6%..99.7%)"',
            'long_own = RUNS["own_rate_long"]  # the headline',
            "bench = clinic.training_benchmark(benchmark)",
            'augmented = RUNS["augment"]',
            "1 - 0.05 / 23",
            "size_conv",
            "99.2 % (the six alone)",
            'RUNS["size_conv"]',
            'clinic.verdict_word(stem_growth, AT_20) == "no detectable difference"',
            '["behind", "behind", "leans"]',
            "8x8 digits",
            "the lead's change (with - without)",
            "860 : 400 steps",
            "path",
            "95 % interval",
            "long_",
            ": leans",
            "95 % [",
            "fig = plot_lr_grid(",
            'later = paired_seeds(own_cnn[3:], test["ViT"][3:])',
            "[2.6, 1.7, 3.6, 0.7, 4.6]",
            "all(d > 0 for d in later.difference.values)",
        ),
    ),
    (
        "appendix",
        "E ·",
        (
            "by_distance",
            "class_counts(all_labels",
            "test",
            "test_correct",
            "corrected",
            "95 %",
            "97.5",
            "mnist",
            "near_count = mcnemar(",
            "position_similarity_split(",
            "lift_shown == [5.3, 4.4, 6.2]",
            'f"{untrained_ink.mean():.0%}" == "32%"',
            "95 % interval",
            "confidence",
            "(3, 0)",
            "(only_features, only_pixels) == (473, 38)",
        ),
    ),
    (
        "appendix",
        "F ·",
        (
            "sgd_long = RUNS",
            'pooled[BF].gradient_norms["class_token"] == 0.0',
            '"loss": (pooled_end[BF], 1.94, 0.02), "fixed loss": (pooled_end["none"], 0.27, 0.02), "validation": (pooled[BF].val_accuracy, 0.38, 0.03)',
            'pool="mean")',
            'pool="mean") for bug in (BF, "none")',
            "fixed model",
        ),
    ),
    (
        "appendix",
        "G ·",
        ("test", "corrected", "95 %", "CNN-8 - ViT", "the lead's change (with - without)", "up to 1 pixel", "long_"),
    ),
    (
        "appendix",
        "H ·",
        (
            "the clinic's BlogViT, seed 0, clinic.run's first batch",
            "[-4, -17, -2]",
            "first_step_size",
            "feature_rank",
            "head weights x2.5",
            "fixed model",
            "passes",
        ),
    ),
    ("lesson", "(top)", ("test", "mnist", "path")),  # review r27d minor 7: the unused imports left the setup cell
    ("lesson", "1 ·", ("test", "mnist", "16 patch tokens")),
    (
        "lesson",
        "2 ·",
        (
            "test",
            "95 %",
            "mnist",
            "95 % interval",
        ),
    ),
    (
        "lesson",
        "3 ·",
        (
            "levels off at 0.70",
            "clinic.overfitting_seed_lines(",  # brief fix06o: the printed line (still pinned in PRINTED) is built there
            "95 %",
            "MNIST",  # r33b: the "Go deeper" link (#mnist-in-view) cut; "As on MNIST" stays
            "floor=floor",
            "< 0.11",
            "epoch_2.low > 0.1",
            "zero_grad",
            "8x8 digits",
            "95 % interval",
            "loop_long",
            "plot_overfitting_seeds(overfitting, rise",
            "plot_overfitting_seeds(",
        ),
    ),
    # fix06d: seed 2's numbers printed, the rest in test_lesson06_moved_checks.py; r31 density (brief fix06x): appendix C
    (
        "appendix",
        "C ·",
        ("exploratory", "seed_means[2][bump - 5] > min(seed_means[2][: bump - 5]) + 0.3 and bump < lowest_epoch[2]"),
    ),
    (
        "lesson",
        "4 ·",
        (
            "plot_shuffle_changes(",
            "the clinic's BlogViT, seed 0: each run's loss at step 0",
            "final loss of the two quiet bugs (one seed, seed 0)",
            "assert all(abs(r.losses[0] - chance) < 0.2 for r in runs.values())",
            'max(last["none at lr 0.1, 400 steps"] + last["SGD at lr 0.1, 400 steps"]) < 0.1',  # fix06d: the 0.69-1.48 numbers printed
            "> 0.6  # the hand-written LayerNorm does not fit, at either rate",
            "fixed model",
        ),
    ),
    (
        "appendix",
        "H ·",
        ("F.layer_norm(x, (32,), eps=1e-6)",),
    ),  # r31 density (brief fix06x): the LayerNorm check moved there
    (
        "lesson",
        "5 ·",
        (
            "d_head.std(ddof=1) / np.sqrt(len(d_head))",
            "scipy.stats.t.ppf",
            "test",
            "corrected",
            "95 %",
            "99.75 %",
            # brief fix06t item 2 (review r30c minor 9): the family and its level come from the package
            # (tests/test_lesson06_code.py pins SECTION_5_FAMILY == 20); the cell prints both
            "clinic.section_5(RUNS)",
            "clinic.SECTION_5_FAMILY",
            "99.7",
            "99.75",
            "leans",
            "ahead",
            "CNN-8 - ViT",
            "CNN-32 - ViT",
            "clinic.rate_lines(",
            'set(lr_grid["seeds"]) < set(own["seeds"])',
            "torch.cdist(digits.val_images",
            "clinic.verdict_word(paired_seeds(",
            "own_shown ==",
            "95 % interval",
            "95 % [",
            "t_head * d_head.std(ddof=1) / np.sqrt(len(d_head))",
        ),
    ),
    ("lesson", "6 ·", ("fixed model",)),
    ("lesson", "Exercise 4", ("95 %", "leans", "passes")),
    ("solutions", "Exercise 2", ("zero_grad",)),
    ("solutions", "Exercise 4", ("95 %", "leans", "passes")),
    ("solutions", "Exercise 6", ("fixed model",)),
    # moved with section 3b's regulariser study (review r25b_06 item 1): the facts now live in appendix C
    (
        "appendix",
        "C ·",
        (
            "test",
            "corrected",
            "-ln(eps/K) = 4.6",
            "[-0.01, -0.19, 0.18]",
            "clinic.rise_change_line(",
            "[0.00, 0.00, 0.01]",
            "sign_p == 0.25",
            "all(d < 0 for d in smooth.difference.values)",
            "smooth_gap",
            "smooth_word ==",
        ),
    ),
    # fix25c_06, fix25d_06: the checks behind section 3's init sentence (42.4, +33.3 to +52.2, leans, 3e-3), moved to
    # appendix A's check cell by fix06d (review r26e_06 minor 6: appendix numbers are asserted in the appendix)
    (
        "appendix",
        "A ·",
        (
            "(round(100 * init_gap, 1),",
            "== (42.4, 18.9, 65.9)",
            '== (33.3, 52.2)  # the lesson\'s "+33.3 to +52.2 per seed"',
            'words["1e-2", "torch", "timm"] == "leans"',
            "the lesson's \"at lr 3e-3 every init's mean is lower\"",
        ),
    ),
    ("appendix", "C ·", ("assert [round(g) for g in neither_gap] == [11, 14, 16]",)),
    # brief fix06f items 1, 5 (review r27c minors 1, 10, 11): QUICK's rate in context; the family's outside named
    (
        "appendix",
        "C ·",
        (
            "about 160x DeiT's linearly scaled rate (5e-4 x 64/512, about 6e-5)",
            "section 5's validation grid (lr 3e-3 to 1e-1) picks 1e-2",
        ),
    ),  # brief fix06i (review r27f minor 8): cell 23's six-line comment moved to appendix C's prose
    (  # brief fix06j item 5 (review r28a minor 7): the family's accounting moved from section 5 to appendix D
        "appendix",
        "D ·",
        ("outside it: the locality control's growth readings", "the readings over seeds and test digits"),
    ),
    ("lesson", "6 ·", ("(clinic.plateau(small.losses), clinic.plateau(full.losses)) == (52, 64)",)),
    (
        "appendix",
        "F ·",
        ("assert turn[0] == 110",),
    ),  # r31 density (brief fix06x): with its sentence, appendix F #widget-runs
    ("appendix", "A ·", ('(round(min(slower["torch"]), 1), round(max(slower["torch"]), 1)) == (23.3, 53.9)',)),
    # r30 density (brief fix06q item 1, review r29d minors 8-9): moved with the size study and the augmentation table to appendix D
    (
        "appendix",
        "D ·",
        (
            "80 epochs of 300 digits, 20 of 1,257",
            'clinic.verdict_word(growth, TWENTY) == "ahead"',
            '["behind", "behind", "leans"]',
            "[-10.0, -4.0, -6.0]",
            "clinic.readings_table(aug, TWENTY)",
            "== [9.1, 0.3]",
            "all(t.low < 0 < t.high for t in long_t)",
        ),
    ),
]

FORBIDDEN = [
    # brief fix06_38i (audit a38d items 1-2): Adam's decay unscoped, and the family as if all 20 were planned together
    ("barely decays the weight", "audit a38d item 1: only for a loss gradient much larger than wd·w", ("lesson",)),
    (
        "about adamw's rate where the loss gradient is large",
        "audit a38e item 1: σ = 10 gives about a tenth",
        ("lesson",),
    ),
    # brief fix06_38j (reviews r38g, r38h M1): the constant-gradient generalisation
    ("barely changes the step", "reviews r38g/r38h M1: uneven with noisy gradients", ("lesson",)),
    (
        "real loss gradient",
        "reviews r38g/r38h M1: the constant gradient was the one case where it cancels",
        ("lesson",),
    ),
    ("as it would at any larger wd", "review r38h minor 1: any wd with wd·w well above eps", ("lesson",)),
    ("this lesson makes together", "audit a38d item 2: the last two were asked after seeing results", ("lesson",)),
    # brief quick06_37d item 1 (reviews r37e, r37f MAJOR 1): the CNN is higher in two of the four MNIST runs
    ("the two swap places", "reviews r37e/r37f MAJOR 1: no stable order on MNIST", ("lesson",)),
    # audit a36b (brief quick06_36b): items 1-4's replaced wording
    (
        "with no zero-initialised layer",
        "audit a36b item 1: BlogViT starts its class token and biases at zero",
        ("lesson",),
    ),
    ("and 10 more in", "audit a36b item 2: appendix D lists all 13 of the family's other rows", ("lesson",)),
    ("the corrected one does not", "audit a36b item 3: a lone comparison has no corrected interval", ("lesson",)),
    ("6, run longer", "audit a36b item 4: the 400-step arm reruns a stretched schedule", ("lesson",)),
    # brief fix06_36b (review r36a MAJOR 1): SGD fits one batch at its own rate given 400 steps: the steps, not the rate
    ("fitted only at a 10x larger rate", "review r36a MAJOR 1: SGD at 0.01 fits in 400 steps", ("lesson", "solutions")),
    ("6 at the larger rate", "review r36a MAJOR 1: the recap row credits the steps", ("lesson",)),
    ("one batch fits at a larger lr", "review r36a MAJOR 1: the steps, not the rate", ("solutions",)),
    ("stops exactly at the batch's label entropy", "review r36a minor 1: equal to 4 decimals only", ("lesson",)),
    # review r35a: MAJOR 1 (the textbook picture the runs contradict: the gap ends smaller, validation accuracy rises),
    # minor 1 ("hint" only where the box defines it)
    (
        "validation stops: a growing gap",
        "review r35a MAJOR 1: the accuracy gap ends smaller than at the lowest epoch",
        ("lesson",),
    ),
    ("0.27-0.61: a hint", "review r35a minor 1: one seed against three has no interval", ("lesson",)),
    ("hint only", "review r35a minor 1: 5 of 5 seeds with no interval excluding 0 is not a hint", ("lesson",)),
    ("the order changes between its four runs", "review r35a minor 2: the latest row, then the four runs", ("lesson",)),
    # audit a35a: item 7 (the mean map is the same 500 digits' maps, not image-blind), item 2 (the box moved to section 2,
    # and "paired" is defined in section 5), item 6 (the reference run was longer)
    ("an image-blind mean map", "audit a35a item 7: the mean of the same 500 maps", ("lesson",)),
    ("(section 5's box)", "audit a35a item 2a: the verdict box is in section 2", ("appendix",)),
    (
        "the lesson's one statistics box",
        "audit a35a item 2b: the lesson's statistics words sit in sections 2 and 5",
        ("appendix",),
    ),
    (
        "the lesson's statistics box",
        "audit a35a item 2b: the lesson's statistics words sit in sections 2 and 5",
        ("appendix",),
    ),
    ("against a run with the same init", "audit a35a item 6: against a longer run", ("lesson", "appendix")),
    # brief fix06_34c item 1 (review r34c MAJOR 1): uniform attention is not the null for "goes with this digit's ink"
    ("33 % is the null", "review r34c major 1: the image-blind mean map is the null", ("lesson", "appendix")),
    ("480 of 500", "review r34c major 1: a blind map beats the inked share on 500 of 500", ("lesson",)),
    ("direction depends", "r31c MAJOR (review r31c_06 major 2): no interval supports a direction", ("appendix",)),
    (
        "#eval-mode) says why",
        "r31c MAJOR (review r31c_06 major 1): appendix C does not separate the MNIST run's causes",
        ("lesson",),
    ),
    (
        "of the kind [section 3b measured",
        "review r30b minor 4: a one-seed 0.07 rise is not section 3b's windowed rule",
        ("lesson",),
    ),
    ("section 3c's curves", "review r30b minor 1: there is no section 3c", ("lesson",)),
    (
        "for two possible causes, not measured here",
        "review r30b minor 2: section 3b checks the tally cause",
        ("lesson",),
    ),
    (
        "points the other way",
        "review r30b major 1: over the benchmark's four MNIST runs the ViT is higher in two and lower in two",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "only the longer cosine differs",
        "review r28d major 1: the warm-up is 10 % of the steps, so it stretches too (4 -> 24 steps)",
        ("lesson", "appendix", "solutions"),
    ),
    # brief fix06j (review r28a): no one-seed "earlier"; no bare "turns up ... by 0.07"; overlap is no test; clipped phrases
    (
        "leaves ln 10 earlier",
        "review r28a major 1: 52 lies inside the 33-64 seed range",
        ("lesson", "appendix", "solutions"),
    ),
    ("unexplained", "review r28a major 1: no cause to look for", ("lesson",)),
    ("turns up after step 110, by 0.07", "review r28a major 1: a 0.07 rise on 180 digits, one seed", ("lesson",)),
    # audit a36c (brief quick06_36c): the replaced wordings
    ("The course downloads nothing", "audit a36c item 5: Colab pip-installs the package", ("lesson",)),
    ("Right: the class token's attention;", "audit a36c item 1: the pixels caveat was lost", ("lesson",)),
    ("turns up after step 110 (printed)", "audit a36c item 2: one step up, then a plateau, one seed", ("lesson",)),
    (
        "which needs a falling loss",
        "audit a36c item 3: the test runs on untrained models; reading it needs the fall",
        ("lesson",),
    ),
    (
        "(a different, soft-split ViT)",
        "audit a36c item 4: both benchmark ViTs are soft-split; no referent",
        ("lesson",),
    ),
    ("The tokens have mixed by then: this", "audit a36c item 6: the claim before its reason", ("appendix",)),
    ("overlaps every other's, so these counts", "review r28a minor 1: overlapping intervals are no test", ("lesson",)),
    ("Checks 4 and 6 tell them apart", "review r28a minor 6: say what each shows", ("lesson",)),
    ("its confidence side, a validation loss", "review r28a minor 6: clipped", ("lesson",)),
    ("gradient is exactly 0, so no patch reaches", "review r36f minor 1: the cause is the missing path", ("lesson",)),
    ("its order flips over four runs", "review r36f minor 7: cryptic", ("lesson",)),
    ("four arms also ran 400 steps:", "review r28a minor 6: say why", ("lesson",)),
    (
        "the smallest blank margin (in pixels) over all sides",
        "review r28a minor 4: the stub gives the answer",
        ("lesson",),
    ),
    # brief fix06g (review r27d): no plural, unsourced "blog posts"; no "no seed ... rises" (one rose 0.01); no borrowed
    # family interval for check 1; "the larger ViTs" on JFT-300M; the CNN-8 gap beside the ViT's without its interval
    ("seen in blog posts", "review r27d major 1: one blog post, no link", ("lesson", "appendix", "solutions")),
    (
        "one-character",
        "review r27e major 1: `x.mean` for `(x - mean)` is several characters",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "Over-fitting = a train-validation gap",
        "review r27e major 2: section 3c's gap without a rise is not over-fitting",
        ("lesson", "appendix", "solutions"),
    ),
    ("parameter count and rate", "review r27e major 3: the size runs share the rate 1e-2", ("lesson",)),
    ("On all 1,257 it falls to 0.74", "review r27e major 4: the 0.74 is the validation loss", ("lesson",)),
    ("timm (from v0.9.0)", "review r27e minor 2: the tag is in the v0.8 dev pre-releases", ("lesson", "appendix")),
    ("no seed's validation loss rises", "review r27d major 2: seed 2 rose 0.01", ("lesson", "appendix", "solutions")),
    ("no seed's validation loss rose", "review r27d major 2: seed 2 rose 0.01", ("lesson", "appendix", "solutions")),
    ("no validation-loss rise on any of 3 seeds", "review r27d major 2: seed 2 rose 0.01", ("lesson",)),
    ("corrected (99.75 %) [-36.2, +66.2]", "review r27d minor 2: check 1 is not in section 5's family", ("lesson",)),
    ("on JFT-300M the ViTs are above", "review r27d minor 4: only the larger ViTs", ("lesson", "appendix")),
    ("(grey band; CNN-8's", "review r27d minor 3: no ViT-vs-CNN gap comparison without its interval", ("lesson",)),
    # brief fix06d item 2 (review r26e_06 minor 5): the lesson's five verdict words only, in the appendix and exercise 4
    (
        "clears the training noise",
        "review r26e_06: the lesson's five verdict words only",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "clears its family's noise",
        "review r26e_06: the lesson's five verdict words only",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "clear the training noise",
        "review r26e_06: the lesson's five verdict words only",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "shown (uncorrected)",
        "review r26e_06: the lesson's five verdict words only",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "clears_training_noise",
        "review r26e_06: exercise 4's function is leans_or_better",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "**holds 0**",
        "review r26e_06: 'holds 0' describes an interval; the verdict is no detectable difference",
        ("appendix",),
    ),
    ("part of that +12.3 is start-up speed", "not measured: 'may be'", ("lesson",)),
    (
        "How long a plateau lasts",
        "review r26e_06: appendix A measured accuracy after 100 steps, not plateau length",
        ("lesson",),
    ),
    (
        "has the digits run's reason",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "test digits that made no choice",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(check 6 tells which)",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(grey band; printed)",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "7-8 points; printed)",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "a finding; printed above)",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    ("= 4.6 (printed)", "clipped or tagged wording replaced by whole sentences", ("lesson", "appendix", "solutions")),
    ("not proves it", "clipped or tagged wording replaced by whole sentences", ("lesson", "appendix", "solutions")),
    (
        "a running tally counted before each step",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    ("(neither: 11-16)", "clipped or tagged wording replaced by whole sentences", ("lesson", "appendix", "solutions")),
    (
        "The controls, Adam for 400 steps:",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(to 0.05, each seed)",
        "clipped or tagged wording replaced by whole sentences",
        ("lesson", "appendix", "solutions"),
    ),
    ("CORRECTED =", "item 6 appendix d six pair level is an illustration without a verdict", ("appendix", "solutions")),
    ("CORRECTED)", "item 6 appendix d six pair level is an illustration without a verdict", ("appendix", "solutions")),
    (
        "three runs still at ln 10 after 150 steps do:",
        "a stuck run points to a bug or a slow optimiser and no calibration is claimed",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(calibration)",
        "a stuck run points to a bug or a slow optimiser and no calibration is claimed",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "`model.train()` once",
        "exercise two says the model may arrive in eval mode in lesson and solutions",
        ("lesson", "appendix", "solutions"),
    ),
    ("one group per digit", "feature plane groups and validation loss level", ("lesson", "appendix", "solutions")),
    ("So section 3's 40 steps", "checks are named check 1 to 6", ("lesson", "appendix", "solutions")),
    (
        "Why accuracy hides it** below",
        "gap printed where it is stated and sign test per model",
        ("lesson", "appendix", "solutions"),
    ),
    ("a hint (per model, the", "hedged stopping sentence split", ("lesson", "appendix", "solutions")),
    ("for 17", "one correction family of 20 stated in section 5", ("lesson", "appendix", "solutions")),
    ("sixteen", "one correction family of 20 stated in section 5", ("lesson", "appendix", "solutions")),
    (
        "Measured in eval mode",
        "confidence split and eval mode count live in appendix c",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "Check 1's print already showed",
        "the no position end loss is credited to the clinic table",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "has not moved",
        "sgd at 1e 2 reaches the label entropy rather than not moving",
        ("lesson", "appendix", "solutions"),
    ),
    ("about 42 %", "scale cost is labelled not isolated and exact figures", ("lesson", "appendix", "solutions")),
    (
        "Try augmentation only with a longer budget",
        "the two step 0 models are named and clinic numbers say seed 0",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "dropping it showed no detectable difference here",
        "warm up verdict follows the test digits in prose summary and card",
        ("lesson", "appendix", "solutions"),
    ),
    ("points towards", "verdict rows confounds and notes", ("lesson", "appendix", "solutions")),
    ("the training column", "verdict rows confounds and notes", ("lesson", "appendix", "solutions")),
    ("placeholder", "verdict rows confounds and notes", ("lesson", "appendix", "solutions")),
    (
        "leaned worse on the test digits",
        "recipe card warm up rests on validation and training loss",
        ("lesson", "appendix", "solutions"),
    ),
    ("a larger rate tells which", "one batch rule runs its negative control", ("lesson", "appendix", "solutions")),
    ("plateau: no bug", "wording plateau plane cnn gap and clipping", ("lesson", "appendix", "solutions")),
    ("prove nothing", "wording plateau plane cnn gap and clipping", ("lesson", "appendix", "solutions")),
    (
        "leave the model behind",
        "verdict words defined in the how sure box before first use",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "fixed model / no activation in the MLP",
        "quiet bug ratio printed exactly as the prose states",
        ("lesson", "appendix", "solutions"),
    ),
    ("0.27-0.61): no loss symptom finds them", "quiet bugs claim only one seed", ("lesson", "appendix", "solutions")),
    (
        "a margin set after seeing these three starts",
        "check 3 margin states its basis",
        ("lesson", "appendix", "solutions"),
    ),
    ("ahead (97.8 %", "headline names the results that weaken it", ("lesson", "appendix", "solutions")),
    ("it is not run here", "pixels x255 hypothesis is measured and labelled", ("lesson", "appendix", "solutions")),
    ("#update-ratio", "update ratio aside lives in the appendix only", ("lesson", "appendix", "solutions")),
    ("has the ViT ahead", "1 benchmark quoted with both rows and its caveats", ("lesson", "appendix", "solutions")),
    (
        "benchmark has the ViT **ahead**",
        "1 benchmark quoted with both rows and its caveats",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "lr 1e-2 both, 3 seeds",
        "2 own rate rerun at 1860 steps on 10 seeds is stored and read",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "was not detectable at 1,860 steps",
        "2 own rate rerun at 1860 steps on 10 seeds is stored and read",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "the runs do not show it",
        "2 own rate rerun at 1860 steps on 10 seeds is stored and read",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "so the 400-step lead may go with the short schedule",
        "2 own rate rerun at 1860 steps on 10 seeds is stored and read",
        ("lesson", "appendix", "solutions"),
    ),
    ("±3", "3 no detectable difference row has no undefined margin", ("lesson", "appendix", "solutions")),
    ("follow-up family", "4 data size growth gets a verdict in its family", ("lesson", "appendix", "solutions")),
    ("a family of their own", "4 data size growth gets a verdict in its family", ("lesson", "appendix", "solutions")),
    (
        "nbval-skip",
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "The margin's basis, the fixed model's own starts on 3 seeds",
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "Comparing two models: the words",
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "- **Holds 0**",
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "**Paired**",
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "appendix", "solutions"),
    ),
    ("torch's init is ahead of timm's", "7 appendix summary a leans not ahead", ("lesson", "appendix", "solutions")),
    (
        "CNN-8 is ahead of the ViT at 400 and at 1,860 steps",
        "1 longer lead in the family of 20 only leans",
        ("lesson", "appendix", "solutions"),
    ),
    ("counted with the 18", "1 longer lead in the family of 20 only leans", ("lesson", "appendix", "solutions")),
    (
        "at 1,860 steps CNN-8 is **ahead** again",
        "1 longer lead in the family of 20 only leans",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "95 % intervals [83.7, 88.0] and [39.5, 45.6]",
        "3 feature plane gap is paired",
        ("lesson", "appendix", "solutions"),
    ),
    ("Read the curves", "6 statistics box opens section 3 in its own cell", ("lesson", "appendix", "solutions")),
    (
        "one time the lesson reads the shipped model's test images",
        "the test images are scored once and read again without choosing",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "a small gradient is a diagnostic, not a broken model",
        "a small gradient alone does not prove a bug",
        ("lesson", "appendix", "solutions"),
    ),
    ("these runs separate neither", "the blur is not needed for the drop", ("lesson", "appendix", "solutions")),
    ("FOLLOW_UP", "1 one family of 20 declared up front and one verdict each", ("lesson", "appendix", "solutions")),
    ("ALL_20", "1 one family of 20 declared up front and one verdict each", ("lesson", "appendix", "solutions")),
    ("it was not run", "9 vit rate choice is nearly a tie", ("lesson", "appendix", "solutions")),
    ("scale-invariant", "8 weight decay with pre norm is a possible reading", ("lesson", "appendix", "solutions")),
    ("van Laarhoven, 2017", "8 weight decay with pre norm is a possible reading", ("lesson", "appendix", "solutions")),
    ("re.findall", "2 benchmark parsing lives in clinic", ("lesson", "appendix", "solutions")),
    ("which measure", "2 lab notebook words renamed", ("lesson", "appendix", "solutions")),
    ("Section 3's third", "2 lab notebook words renamed", ("lesson", "appendix", "solutions")),
    (
        "not flattered by its metric",
        "3 label smoothing verdict and capped confidence",
        ("lesson", "appendix", "solutions"),
    ),
    ("van Laarhoven", "4 weight decay scale invariance dropped", ("lesson", "appendix", "solutions")),
    (
        "a linear warm-up from 1 % of the peak",
        "5 lr factor start and overshoot stated",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "clear choice",
        "1 both rate choices are near ties and the finer grid is read",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "A run with the positions scaled by 255 too would test it",
        "2 named controls are run and stated",
        ("lesson", "appendix", "solutions"),
    ),
    ("no shape-matched control", "2 named controls are run and stated", ("lesson", "appendix", "solutions")),
    ("0.001 / warm-up fraction", "3 lr factor clause is one parenthesis", ("lesson", "appendix", "solutions")),
    ("little else", "conv stem is described as built", ("lesson", "appendix", "solutions")),
    ("one 3x3 convolution of locality", "conv stem is described as built", ("lesson", "appendix", "solutions")),
    ("bounded near", "the smoothing cost is stated at the training optimum", ("lesson", "appendix", "solutions")),
    ("(section 5: **ahead**)", "2 appendix d family of six has its own word", ("lesson", "appendix", "solutions")),
    ("(the latter just)", "2 appendix d family of six has its own word", ("lesson", "appendix", "solutions")),
    (
        "a one-conv stem does not reproduce it",
        "3 benchmark hybrid row and summary",
        ("lesson", "appendix", "solutions"),
    ),
    ("(**behind**; expected", "4 label smoothing a smaller rise", ("lesson", "appendix", "solutions")),
    ("the rise is **behind**", "4 label smoothing a smaller rise", ("lesson", "appendix", "solutions")),
    (
        "weight decay did not",
        "weight decay prose says three seeds cannot tell never did not",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "alone it did not stop the rise",
        "weight decay prose says three seeds cannot tell never did not",
        ("lesson", "appendix", "solutions"),
    ),
    ("7 places apart", "position table starts random not seven places apart", ("lesson", "appendix", "solutions")),
    (
        "+3.7 points at 300 digits",
        "locality verdict is short and summary bullet is one sentence",
        ("lesson", "appendix", "solutions"),
    ),
    ("wider stem", "locality verdict is short and summary bullet is one sentence", ("lesson", "appendix", "solutions")),
    ("looks at the strokes", "wording items", ("lesson", "appendix", "solutions")),
    ("Check 4 flags", "wording items", ("lesson", "appendix", "solutions")),
    ("Section 5's 95 % rule", "wording items", ("lesson", "appendix", "solutions")),
    ("if smooth_word ==", "verdict strings live in clinic helpers", ("lesson", "appendix", "solutions")),
    ("head_row", "verdict strings live in clinic helpers", ("lesson", "appendix", "solutions")),
    ("figure_rows.insert", "verdict strings live in clinic helpers", ("lesson", "appendix", "solutions")),
    ("oscillate", "wording items", ("lesson", "appendix", "solutions")),
    (
        "with label smoothing the rise is smaller",
        "6 label smoothing stops the rise everywhere",
        ("lesson", "appendix", "solutions"),
    ),
    ("in these few steps", "item 2 loop comment true to its output", ("lesson", "appendix", "solutions")),
    ("level at ImageNet-21k", "items 6 to 8 wording", ("lesson", "appendix", "solutions")),
    ("(printed): the tally counts before", "items 6 to 8 wording", ("lesson", "appendix", "solutions")),
    (
        "In epochs 1-5 validation accuracy sits above",
        "item 8 epoch 1 is at chance then validation above",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "Label smoothing stopped the validation loss's rise; its effect",
        "item 7 recipe card label smoothing scoped",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "a 10x rate fitted only the latter here",
        "item 3 plain sentences and no printed tags",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "consistent with the tally counting before each step",
        "item 3 plain sentences and no printed tags",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "predicts 2.52 (printed above)",
        "item 3 plain sentences and no printed tags",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "nearly flat after it (printed)",
        "item 3 plain sentences and no printed tags",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(three seeds; a finding",
        "item 3 label smoothing exploratory on three seeds",
        ("lesson", "appendix", "solutions"),
    ),
    ("[section 5](#lead-longer)", "item 7 appendix links name appendix d", ("lesson", "appendix", "solutions")),
    ("near 0 from", "item 8 within 008", ("lesson", "appendix", "solutions")),
    ("suggest it pays with more compute", "item 4 steiner scale", ("lesson", "appendix", "solutions")),
    (
        "Label smoothing stops it here",
        "item 3 label smoothing removes the rise and its accuracy gap is printed",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "this appendix reads them as a family of its own",
        "item 6 appendix d six pair level is an illustration without a verdict",
        ("lesson", "appendix", "solutions"),
    ),
    ("is ahead of torch's", "item 7 init verdicts use the course words", ("lesson", "appendix", "solutions")),
    (
        "Dropping weight decay made no detectable difference;",
        "item 5 card and summary scope label smoothing and weight decay",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(06_train_a_vit.ipynb#locality-control)",
        "item 1 locality control moved to appendix d with its check",
        ("lesson", "appendix", "solutions"),
    ),
    ("jax is ahead of torch", "item 7 appendix summary uses the same words", ("lesson", "appendix", "solutions")),
    ("is ahead in 2 of its 4", "item 1 benchmark sessions are higher not ahead", ("lesson", "appendix", "solutions")),
    ("BiT ResNets ahead", "ahead only with a corrected interval", ("lesson", "appendix", "solutions")),
    ("ViT ahead at JFT", "ahead only with a corrected interval", ("lesson", "appendix", "solutions")),
    ("Here a 10x rate fixed only", "item 2 takeaway names the extra steps", ("lesson", "appendix", "solutions")),
    ("above its ViTs", "item 8 large vits as the paper says", ("lesson", "appendix", "solutions")),
    (
        "check 6 tells them apart",
        "item 2 check 4 separates the stuck runs as exercise 6 expects",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "DeiT's and Steiner et al.'s ingredients",
        "item 1 augmentation measured on the main path",
        ("lesson", "appendix", "solutions"),
    ),
    ("not weight decay", "item 1 weight decay not ruled out", ("lesson", "appendix", "solutions")),
    (
        "expected from how the metric works",
        "item 2 capped confidence is a hypothesis",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "expected from its capped confidence",
        "item 2 capped confidence is a hypothesis",
        ("lesson", "appendix", "solutions"),
    ),
    ("sub-pixel moves up to 2", "items 7 8 translations and summary interval", ("lesson", "appendix", "solutions")),
    ("Warm-up on and off (400 steps, 5 seeds)", "item 5 warm up result in 3a", ("lesson", "appendix", "solutions")),
    (
        "0, 2, 3 and 9 overlap",
        "item 7 feature plane overlaps follow the printed mix ups",
        ("lesson", "appendix", "solutions"),
    ),
    ("by −10.0", "the augmentation sentence gives both drops and only leans", ("lesson", "appendix", "solutions")),
    (
        "the gap between training and validation grows",
        "overfitting is the accuracy gap with the loss as its confidence side",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "(yet)",
        "overfitting is the accuracy gap with the loss as its confidence side",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "stops carrying over",
        "overfitting is the accuracy gap with the loss as its confidence side",
        ("lesson", "appendix", "solutions"),
    ),
    ("plausibly", "the training accuracy sentence quotes the eval mode count", ("lesson", "appendix", "solutions")),
    ("Bootstrap", "statistics words live in section 5", ("lesson", "appendix", "solutions")),
    (
        "guards against over-fitting",
        "no forecast and no unsupported weight decay claim",
        ("lesson", "appendix", "solutions"),
    ),
    ("hide-input", "check 3 fires in view on a 2 5x head", ("lesson", "appendix", "solutions")),
    (
        "The 12-epoch run below answers",
        "the plateau answer no longer rests on the curves run",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "the 2-epoch loop above stopped inside this plateau",
        "the plateau answer no longer rests on the curves run",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "whether that explains the gap is not measured",
        "the plateau answer no longer rests on the curves run",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "default head gives the logits different values",
        "the plateau answer no longer rests on the curves run",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "weight matrices only",
        "the plateau answer no longer rests on the curves run",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "in epochs 1-2 both are at chance",
        "the stored 12 epoch run has eval mode training accuracy",
        ("lesson", "appendix", "solutions"),
    ),
    ("to provoke", "review s wording", ("lesson", "appendix", "solutions")),
    ("Steiner et al. (2022", "review s wording", ("lesson", "appendix", "solutions")),
    (
        "lesson 04's hand-written LayerNorm",
        "layernorm line is the blogs not lesson 04s",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "accuracy barely moves",
        "validation accuracy keeps rising where the loss rises",
        ("lesson", "appendix", "solutions"),
    ),
    ("accuracy keeps", "validation accuracy keeps rising where the loss rises", ("lesson", "appendix", "solutions")),
    ("shade_from", "overfitting figure marks each seeds crossing in its colour", ("lesson", "appendix", "solutions")),
    ("barely excludes 0", "the stopping point is a hint with per model intervals", ("lesson", "appendix", "solutions")),
    (
        "**stop on the metric you\nreport**",
        "the stopping point is a hint with per model intervals",
        ("lesson", "appendix", "solutions"),
    ),
    ("over-fitting in the loss, not in", "review 16f wording", ("lesson", "appendix", "solutions")),
    ("epochs 2-5", "review 16f wording", ("lesson", "appendix", "solutions")),
    ("shortest optimizer", "review 16f wording", ("lesson", "appendix", "solutions")),
    ("since timm", "review 16f wording", ("lesson", "appendix", "solutions")),
    (
        "so little carries",
        "the augmentation intervals and their difference are printed in view",
        ("lesson", "appendix", "solutions"),
    ),
    ("add label smoothing", "recipe card and summary state what the runs show", ("lesson", "appendix", "solutions")),
    ("1 − 0.05/18", "one correction family of 20 stated in section 5", ("lesson", "solutions")),
    ("Why accuracy hides it", "confidence split and eval mode count live in appendix c", ("lesson", "solutions")),
    (
        "DataLoader(train_set",
        "notebook has the dataloader loop its check and the timm version",
        ("lesson", "solutions"),
    ),
    ("sgd_long = RUNS", "side material moved to the appendix", ("lesson", "solutions")),
    ('regularised = RUNS["regularisers"]', "side material moved to the appendix", ("lesson", "solutions")),
    ("class_counts(all_labels", "side material moved to the appendix", ("lesson", "solutions")),
    ("STEP0_MARGIN = 1.0", "main path is shorter and the moved checks live in the appendix", ("lesson", "solutions")),
    ("head_cases", "main path is shorter and the moved checks live in the appendix", ("lesson", "solutions")),
    ("def train_loop_real", "main path is shorter and the moved checks live in the appendix", ("lesson", "solutions")),
    ("97.8 %", "1 benchmark quoted with both rows and its caveats", ("solutions",)),  # the lesson: see test below
    (
        'RUNS["weight_decay"]',
        "5 main path shorter one box and the moved parts in the appendix",
        ("lesson", "solutions"),
    ),
    ("binomtest", "5 main path shorter one box and the moved parts in the appendix", ("lesson", "solutions")),
    ("higher_p", "5 main path shorter one box and the moved parts in the appendix", ("lesson", "solutions")),
    ("sign test p = 0.06", "5 main path shorter one box and the moved parts in the appendix", ("lesson", "solutions")),
    ("own family", "1 longer lead in the family of 20 only leans", ("lesson", "solutions")),
    ("97.5 %", "1 one family of 20 declared up front and one verdict each", ("lesson", "solutions")),
    ("section 3's three readings", "2 lab notebook words renamed", ("lesson", "solutions")),
    ("WARM_LEVEL", "2 lab notebook words renamed", ("lesson", "solutions")),
    ("conv stem's lead at 300 minus", "2 named controls are run and stated", ("lesson", "solutions")),
    ("McNemar", "4 verdict cell split and main path statistics", ("lesson", "solutions")),
    ("mcnemar", "4 verdict cell split and main path statistics", ("lesson", "solutions")),
    ("paired_difference(", "4 verdict cell split and main path statistics", ("lesson", "solutions")),
    (
        "drown the position embeddings",
        "x255 positions hypothesis moved to appendix h with its checks",
        ("lesson", "solutions"),
    ),
    (
        "position embedding norm",
        "x255 positions hypothesis moved to appendix h with its checks",
        ("lesson", "solutions"),
    ),
    ("Cross-entropy charges", "side studies moved to the appendix with their checks", ("lesson", "solutions")),
    ("timm 1.0.12", "side studies moved to the appendix with their checks", ("lesson", "solutions")),
    ("**Beside DeiT's recipe.**", "deit paragraph moved to appendix with a pointer", ("lesson", "solutions")),
    ("quieter", "item 2 card split and mean pooling in appendix f", ("lesson", "solutions")),
    ("1.94", "item 2 card split and mean pooling in appendix f", ("lesson", "solutions")),
    (
        '<a id="locality-control"></a>',
        "item 1 locality control moved to appendix d with its check",
        ("lesson", "solutions"),
    ),
    ('RUNS["size_conv"]', "item 1 locality control moved to appendix d with its check", ("lesson", "solutions")),
    ('<a id="vit-payoff"></a>', "item 5 space read out and caveats moved", ("lesson", "solutions")),
    ("leans on normality", "item 5 space read out and caveats moved", ("lesson", "solutions")),
    ("1.006", "item 5 space read out and caveats moved", ("lesson", "solutions")),
    ("sub-pixel", "items 7 8 translations and summary interval", ("lesson", "solutions")),
    (
        "neighbouring patches learned",
        "item 4 appendix e claims move to the appendix summary with their figures",
        ("lesson", "solutions"),
    ),
    (
        "inked positions",
        "item 4 appendix e claims move to the appendix summary with their figures",
        ("lesson", "solutions"),
    ),
    ("first_step_size", "section 4 keeps one step and rank in appendix h", ("lesson", "solutions")),
    ("feature_rank", "section 4 keeps one step and rank in appendix h", ("lesson", "solutions")),
    ("+0.02", "the stopping point is a hint with per model intervals", ("lesson", "solutions")),
    ("is not tested here", "review 16f wording", ("lesson", "solutions")),
    ("timm 1.0's", "recipe card and summary state what the runs show", ("lesson", "solutions")),
    (
        "removes the validation-loss rise",
        "review r25a item 2: 3 seeds, sign test p = 0.25: exploratory",
        ("lesson", "appendix", "solutions"),
    ),
    ("exploratory: clear", "review r25a item 2: no 'clear' on 3 seeds", ("lesson", "appendix", "solutions")),
    (
        "label smoothing stopped",
        "review r25a item 2: 'no rise on any of 3 seeds', not 'stopped'",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "label smoothing stops the rise",
        "review r25a item 2: 'no rise on any of 3 seeds', not 'stops'",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "a yardstick, not this model",
        "review r25a items 4, 8: the MNIST benchmark line lives in appendix D",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "read the test set once",
        "review r25d_06 item 7: the goal is 'choose nothing on the test set' (section 5 reads the test digits often)",
        ("lesson", "appendix", "solutions"),
    ),
    ("test read once", "review r25d_06 item 7: the Summary says nothing is chosen on the test set", ("lesson",)),
    (
        "recap = clinic.recap_table(",
        "review r25d_06 item 1: the recap's numbers live in the symptom table, each printed and checked in check 1 to 4",
        ("lesson",),
    ),
    (
        "SGD at Adam's rate stop at",
        "review r26c_06 M1: SGD ends below the label entropy; only batch_first stops on it",
        ("lesson", "appendix", "solutions"),
    ),
    (
        "# appendix C: the ViT and CNN-8 on nested",
        "review r26c_06 minor 4: the size runs are in appendix D",
        ("lesson",),
    ),
    ("Section 3's **exploratory**:", "review r26c_06 minor 3: the line reads as a definition", ("lesson",)),
    # brief fix06f (review r27c M1-M4, minors 1-3, 5): the old wordings stay out
    (
        "`nn.LayerNorm` and `batch_first=True`",
        "review r27c M1: the fixed model's LayerNorm is clinic._LayerNorm",
        ("lesson",),
    ),
    ("its LayerNorm matches torch's", "review r27c M1: it matches F.layer_norm, checked", ("lesson",)),
    ("(timm 1.0.29;", "review r27c M3: 1.0.29 is no release (v1.0.28; main at 1.0.29.dev0)", ("lesson", "appendix")),
    (
        "no corrected interval, so no more than a lean",
        "review r27c M4: appendix A computes the corrected interval",
        ("appendix",),
    ),
    (
        "only CNN-32's lead over the plain ViT is **ahead** at equal steps",
        "review r27c M2: at its own rate CNN-8's is too",
        ("appendix",),
    ),
    ("timm's draws a normal with std 0.02", "review r27c minor 2: a truncated normal", ("lesson",)),
    (
        "on the test digits, which choose nothing, it leans worse",
        "review r27c minor 3: the test reading is reported only",
        ("lesson",),
    ),
    (
        "every init's mean is lower (no interval)",
        "review r27c minor 1: the clause carries its seeds' range",
        ("lesson",),
    ),
    (
        "Weight decay and label smoothing guard against",
        "review r27c minor 5: they are meant to; weight decay alone shows none here",
        ("lesson",),
    ),
    (
        "a running tally on augmented digits, so validation",
        "review r28d minor 2: two possible causes, neither separated for the mnist-fast run",
        ("lesson",),
    ),
    ("exploratory; its corrected interval holds 0", "review r28d minor 5: one qualifier per sentence", ("lesson",)),
    ("; norms 3-7x, 2-5x", "review r28d minor 6: one recap row per LayerNorm bug, 'LayerNorm γ, β'", ("lesson",)),
    ("mostly at ink", "review r28d minor 13: 58 % is 'more than half'", ("lesson",)),
    # audit a37b (brief quick06_37b): items 3, 4, 5 and 7's replaced wording
    ("give modest accuracy", "audit a37b item 3: the paper says a few points below comparable ResNets", ("lesson",)),
    ("the optimiser's setting", "audit a37b item 4: one batch fits given 4x the steps: a slow optimiser", ("lesson",)),
    ("section 2's per-digit counts", "audit a37b item 5: section 2 prints no per-digit counts", ("appendix",)),
    (
        "of 8 pixels",
        "audit a37b item 7: the shift limit holds per axis (a diagonal shift reaches about 1.4)",
        ("lesson",),
    ),
]


# Negative pins scoped to one cell (the phrase is right elsewhere in the same notebook): (book, cell, phrase, why).
CELL_FORBIDDEN = [
    ("lesson", '<a id="how-sure"></a>', "- **Holds 0**", "the box defines the words once"),
    ("lesson", '<a id="how-sure"></a>', "Bootstrap", "no bootstrap wording in the box"),
    ("lesson", '<a id="verdict-words"></a>', "wider than", "no undefined margin in the no-difference row"),
    ("lesson", '<a id="verdict-words"></a>', "±3", "no undefined margin in the no-difference row"),
    ("lesson", '<a id="verdict-words"></a>', '<a id="warm-up-main"></a>', "the box is its own cell"),
    ("lesson", '<a id="verdict-words"></a>', "Read the curves", "the box is its own cell"),
    ("lesson", '<a id="verdict-words"></a>', "points towards", "the unused verdict row is gone"),
    ("lesson", '<a id="verdict-words"></a>', "Bootstrap", "no bootstrap wording in the box"),
    ("lesson", '<a id="verdict-words"></a>', "97.5", "the box names no corrected level (section 5 does)"),
    ("lesson", '<a id="verdict-words"></a>', "98.3", "the box names no corrected level (section 5 does)"),
    ("lesson", '<a id="student-t"></a>', "**Paired**", "defined once, in section 3's box"),
    ("lesson", '<a id="student-t"></a>', "Bonferroni", "the family's wording lives in appendix D"),
    (
        "lesson",
        "clinic.section_5_lines(s5, RUNS, QUICK.lr)",  # brief quick06_37c (r37d minor 1): named lines
        "long_own",
        "the longer budget moved to appendix D",
    ),
    (
        "lesson",
        "clinic.section_5_lines(s5, RUNS, QUICK.lr)",  # brief quick06_37c (r37d minor 1): named lines
        "benchmark",
        "the benchmark moved to appendix D",
    ),
    ("appendix", "**Does label smoothing stop the rise?**", "a finding", "3 seeds are exploratory, not a finding"),
    (
        "appendix",
        "**Does label smoothing stop the rise?**",
        "leans on normality",
        "the 3-seed caveat lives in appendix D",
    ),
    (
        "appendix",
        "**Does label smoothing stop the rise?**",
        "removes",
        "review r25a item 2: no rise on 3 seeds is exploratory, not a finding",
    ),
    (
        "appendix",
        "**Does label smoothing stop the rise?**",
        "clear",
        "review r25a item 2: no rise on 3 seeds is exploratory, not a finding",
    ),
    (
        "appendix",
        "**Does label smoothing stop the rise?**",
        "stopped",
        "review r25a item 2: no rise on 3 seeds is exploratory, not a finding",
    ),
    (
        "appendix",
        "**Does label smoothing stop the rise?**",
        "3 of 3 seeds",
        "review r25a item 2: no rise on 3 seeds is exploratory, not a finding",
    ),
    ("appendix", "**Does label smoothing stop the rise?**", "Label smoothing stops it here", "exploratory only"),
    ("lesson", "With `batch_first` off and class-token pooling", "1.94", "mean pooling's loss lives in appendix F"),
    ("lesson", "## Summary", "a finding", "3 seeds are exploratory, not a finding"),
    ("lesson", "## Summary", "(three seeds; a finding", "3 seeds are exploratory, not a finding"),
    ("lesson", "## Summary", "quieter", "mean pooling's reading lives in appendix F"),
    ("lesson", "## Summary", "1.94", "mean pooling's loss lives in appendix F"),
    ("lesson", "## Summary", "wider stem", "the locality bullet stays one claim"),
    ("lesson", "## Summary", "neighbouring patches learned", "the appendix E claims moved to its summary"),
    ("lesson", "## Summary", "inked positions", "the appendix E claims moved to its summary"),
    ("lesson", "clinic.overfitting_seed_lines(", "reg_change", "curves and regularisers are separate cells"),
    ("appendix", "smooth = reg_change[", "plot_overfitting", "curves and regularisers are separate cells"),
    # the regulariser reading moved to appendix C (review r25b_06 item 1): its negative pins moved with it
    ("appendix", "The lesson's one-line reading, in numbers", "a finding", "3 seeds are exploratory, not a finding"),
    (
        "appendix",
        "The lesson's one-line reading, in numbers",
        "removes",
        "no rise on 3 seeds is exploratory, not a finding",
    ),
    (
        "appendix",
        "The lesson's one-line reading, in numbers",
        "stopped",
        "no rise on 3 seeds is exploratory, not a finding",
    ),
    (
        "appendix",
        "The lesson's one-line reading, in numbers",
        "3 of 3 seeds",
        "no rise on 3 seeds is exploratory, not a finding",
    ),
    ("appendix", "The lesson's one-line reading, in numbers", "Label smoothing stops it here", "exploratory only"),
    (
        "appendix",
        "The lesson's one-line reading, in numbers",
        "leans on normality",
        "the 3-seed caveat lives in appendix D",
    ),
    ("lesson", "d_head = np.array(s5.own_cnn)", "plot_paired_differences", "the headline by hand is its own cell"),
    ("lesson", "fig = plot_paired_differences(s5.drawn", "d_head", "the headline by hand is its own cell"),
    (
        "lesson",
        "Pixels x255 do not show in the step-0 loss",
        "exploratory",
        "exploratory only where its definition holds",
    ),
    ("lesson", "Pixels x255 do not show in the step-0 loss", "drown the position embeddings", "moved to appendix H"),
    (
        "lesson",
        "Pixels x255 do not show in the step-0 loss",
        "its 95 % interval excludes 0",
        "review r29c major 1: 3 seeds: leans",
    ),
    ("lesson", '<a id="recipe-card"></a>', "trainable from scratch", "review r29c major 2: competitive, not trainable"),
    ("lesson", "### 3a · The recipe, then the loop", "1.006", "lr_factor's overshoot lives in appendix C"),
    ("lesson", "### Exercise 2", "zero_grad", "the starter names symptoms, not the bug"),
    ("lesson", "### Exercise 2", "never cleared", "the starter names symptoms, not the bug"),
    ("lesson", "### Exercise 2", "before backward", "the starter names symptoms, not the bug"),
    ("appendix", "**Beside DeiT's recipe.**", "gradient clipping", "the DeiT paragraph names what it measured"),
    ("appendix", "Back to the lesson's plateau", "on every seed", "the q/k reading is an interval, 3 seeds"),
    ("appendix", "So this stem does not reproduce", "+3.7 points at 300 digits", "the locality reading is short"),
    ("appendix", "So this stem does not reproduce", "one 3x3 convolution of locality", "the stem adds more than that"),
    ("appendix", "What the ablations suggest (exploratory).", "torch's init is ahead of timm's", "only leans"),
    ("appendix", "What the ablations suggest (exploratory).", "is ahead of torch's", "only leans"),
    ("appendix", "Neighbouring patches learned similar positions", "near 0 from", "within ±0.08, as printed"),
    # brief fix06f item 2 (review r27c minor 8): the Summary, the checks' recap and the recipe card are three cells
    ("lesson", "## Summary", '<a id="symptom-table"></a>', "the recap is its own cell"),
    ("lesson", "## Summary", '<a id="recipe-card"></a>', "the recipe card is its own cell"),
    ("lesson", '<a id="symptom-table"></a>', '<a id="recipe-card"></a>', "the recipe card is its own cell"),
]

# Printed outputs: (book, cell needle, phrase that must not be printed there).
PRINTED_FORBIDDEN = [
    ("appendix", "equal_steps_rows = verdict_rows(", "clears its family's noise"),
    ("appendix", "equal_steps_rows = verdict_rows(", "corrected for the six"),
    ("appendix", "smooth = reg_change[", "a finding"),
]

# Code cells followed by their hidden check: (book, a text of the code cell).
HIDDEN_AFTER = [
    ("appendix", "LIVE_EPOCHS = 3"),
    ("appendix", "_, near_pixels = nearest_centre_plane("),
    (
        "appendix",
        'aug_400 = RUNS["augment"]',
    ),  # r30 density (brief fix06q item 1): moved with the augmentation table to appendix D
    ("lesson", "d_head = np.array(s5.own_cnn)"),
    (
        "appendix",
        "aug_read, aug_table = clinic.readings_table(",
    ),  # r30 density (brief fix06q item 1): moved with the augmentation table to appendix D
    ("appendix", "later = paired_seeds(own_cnn[3:]"),
    # brief fix06j item 4 (review r28a minor 5): seed 2's bump moved into the hidden check (its line still prints)
    ("lesson", "seeds, _ = clinic.overfitting_seed_lines("),
    ("appendix", 'decay = reg_change["weight decay"][0]'),
    (
        "lesson",
        'print(clinic.overfitting_model_lines(overfitting, rise)["ViT"])',
    ),  # fix06o item 2; r37d minor 1: by name
    ("lesson", "fig = plot_paired_differences(s5.drawn"),
    ("appendix", 'save_figure(fig, "06_knobs")'),  # brief fix06_38a item a: moved to appendix I with its check
    ("appendix", 'save_figure(fig, "06_family_rows")'),  # brief fix06_35b item 2; fix06_38a: appendix D, with its check
    ("lesson", 'save_figure(fig, "06_input_scale")'),
    ("appendix", 'RUNS["size_conv"]'),
    ("appendix", 'RUNS["weight_decay"]'),
    ("appendix", 'aug_runs = RUNS["augment"]'),
    ("appendix", 'augmented = RUNS["augment"]'),
    ("appendix", "bench = clinic.training_benchmark("),
    ("appendix", "both_400 = {level: clinic.seeds_and_digits_interval("),
    ("appendix", "def train_loop_real"),
    ("appendix", "equal_steps_rows = verdict_rows("),
    ("appendix", 'long_own = RUNS["own_rate_long"]  # the headline'),
    ("appendix", "near_count = mcnemar("),
    ("appendix", 'pool="mean")'),
    ("appendix", "position embedding norm"),
    ("appendix", "qk = paired_seeds("),
    ("appendix", 'save_figure(fig, "06_vit_payoff")'),
    ("appendix", "overshoot = max("),
    ("appendix", "gains = {"),
    ("appendix", "position_similarity_split("),
]

# (book, earlier text, later text): the first cell holding each comes in this order.
ORDER = [
    # r31 density (brief fix06t): the step-0 prediction moved from section 3 to appendix H, which derives and prints it
    ("appendix", "for logits of small variance $\\sigma^2$", "predicted ln 10 + sigma^2 / 2 ="),
    # r30 decision (brief fix06q item 1, review r29d minor 8): the card's pointer list (#weight-decay) dropped; its
    # one remaining appendix pointer (a modern baseline) comes after section 3a
    ("lesson", "### 3a · The recipe, then the loop", "06_train_a_vit_appendix.ipynb#baseline"),
    # brief fix06f item 2 (review r27c minor 9): init and warm-up get their own sub-section between the loop and the curves
    ("lesson", "### 3a · The recipe, then the loop", "### 3b · Curves and over-fitting"),
    (
        "lesson",
        "judge a plateau against a longer run with the same init and peak rate",
        "CURVES = dataclasses.replace(QUICK, epochs=12)",
    ),
    (
        "lesson",
        '<a id="a-bug-or-a-plateau"></a>',
        "judge a plateau against a longer run with the same init and peak rate",
    ),
    # brief fix06f item 4 (review r27c minor 12): the schedule drawn where section 3a names it, before the loop
    (
        "lesson",
        "The figure below draws it over 12 epochs.",  # brief fix06_38g item c: the schedule sentence right before its figure
        'save_figure(fig, "06_lr_schedule")',
    ),  # fix06z: one claim per sentence
    ("lesson", 'save_figure(fig, "06_lr_schedule")', "def train_loop("),
    # review r27d minor 1: the box sits in section 2's "How sure?" (r24e had it open section 5), before every use
    # brief fix06i (review r27f minor 6): the box opens section 5, before its first comparison; sections 3 and 4 link forward
    # brief fix06_34a (review r34b item 2): section 5 opens with locality and the baseline (about 100 words), then the figure, then
    # "How to read a comparison" and the box, before the headline by hand and every verdict word in prose
    # brief fix06_35a item 3 (review r34e minor 2): the box sits in "How sure?" again, before check 1's printed "leans"
    # brief quick06_37f item 2 (reviews r37i minor 2, r37j item 1): the reading key and the table before the figure
    (
        "lesson",
        '<a id="verdict-words"></a>',
        "fig = plot_paired_differences(s5.drawn",
    ),
    ("lesson", "**How to read a comparison.**", "s5 = clinic.section_5(RUNS)"),
    ("lesson", "s5 = clinic.section_5(RUNS)", "d_head = np.array(s5.own_cnn)"),
    # review r34a item 1: the plateau drawn before the sentence that reads it
    ("lesson", 'save_figure(fig, "06_plateau")', "The loss sits near ln 10 for two epochs"),
    # review r34b item 4: the x1 / x255 seeds drawn before "on every seed (11-19 points)", the knobs before their verdict
    ("lesson", 'save_figure(fig, "06_input_scale")', "They cost validation accuracy on every seed"),
    (
        "appendix",
        'save_figure(fig, "06_knobs")',
        "For either knob, 5 seeds at lr 1e-2 give **no detectable difference**",
    ),
    # brief fix06_35b item 2 (review r35a MAJOR 2): the fewer-digits and augmentation rows drawn before their prose,
    # the knobs after, with their own prose, code and figure
    # brief fix06_38a item a: both in the appendix, the family rows drawn after the growth's reading, before the knobs
    ("appendix", '<a id="less-data"></a>', 'save_figure(fig, "06_family_rows")'),
    ("appendix", "Under both budgets the lead is larger at 300 digits", 'save_figure(fig, "06_family_rows")'),
    ("appendix", 'save_figure(fig, "06_family_rows")', 'save_figure(fig, "06_knobs")'),
    ("appendix", '<a id="appendix-h"></a>', '<a id="appendix-i"></a>'),
    ("appendix", '<a id="appendix-i"></a>', "## Summary"),
    ("lesson", "matrix = np.bincount(pairs, minlength=100)", 'save_figure(fig, "06_vit_learned")'),
    ("lesson", 'save_figure(fig, "06_vit_learned")', "### 3a · The recipe, then the loop"),
    ("appendix", 'regularised = RUNS["regularisers"]', "smooth = reg_change["),  # the reading follows the study
    # brief fix06e item 2 (review r27b minor 6): the forest plot (the picture) before the headline by hand (the proof)
    ("lesson", "fig = plot_paired_differences(s5.drawn", "d_head = np.array(s5.own_cnn)"),
    (
        "appendix",  # brief fix06_38a item a: the verdict line joined appendix D's
        '<a id="augmentation-verdict"></a>',
        "## Summary",
    ),  # r30 density: the table moved to appendix D
    # brief fix06e item 2: augmentation after the ViT-CNN story (brief fix06t: one cell now; the order inside it is
    # asserted in test_verdict_table_sits_in_how_sure_before_any_verdict_word)
    ("lesson", 'save_figure(fig, "06_paired_differences")', "The top row by hand"),
    ("appendix", '<a id="paired-digits"></a>', 'save_figure(fig, "06_vit_payoff")'),
    ("appendix", 'save_figure(fig, "06_vit_payoff")', '<a id="position-split"></a>'),
    ("appendix", '<a id="vit-payoff"></a>', 'save_figure(fig, "06_vit_payoff")'),
    ("appendix", 'save_figure(fig, "06_vit_payoff")', "**the tokens at inked positions**"),
    ("appendix", '<a id="step-0-margin"></a>', '<a id="head-sweep"></a>'),
    ("appendix", '<a id="step-0-margin"></a>', 'scale_runs = RUNS["input_scale"]'),
    ("appendix", '<a id="real-loop"></a>', '<a id="warm-up"></a>'),
    ("appendix", '<a id="real-loop"></a>', "real[:20] == plain[:20]"),
    ("appendix", '<a id="weight-decay"></a>', "WARM_LEVEL = 1 - 0.05 / 3"),
    ("appendix", "## D · Section 5 in depth", '<a id="lead-longer"></a>'),
    ("appendix", '<a id="lead-longer"></a>', "## E ·"),
    ("appendix", 'long_own = RUNS["own_rate_long"]  # the headline', '<a id="lead-longer"></a>'),
    ("appendix", "bench = clinic.training_benchmark(benchmark)", "**The package's benchmark**"),
    ("appendix", '<a id="locality-control"></a>', '<a id="family-23"></a>'),
    ("appendix", '<a id="family-23"></a>', '<a id="appendix-e"></a>'),
    ("appendix", '<a id="locality-control"></a>', 'RUNS["size_conv"]'),
    ("appendix", '<a id="appendix-f"></a>', '<a id="mean-pooling-bf"></a>'),
    ("appendix", '<a id="mean-pooling-bf"></a>', 'pool="mean") for bug in (BF, "none")'),
    ("appendix", '<a id="x255-positions"></a>', "x255_table = clinic.input_scale_table"),
    ("appendix", '<a id="augmentation-main"></a>**With augmentation**', "Both models are **behind**"),
    ("appendix", "fig = plot_lr_grid(", "At lr 0.1 the ViT falls to 53.5 %"),
    # brief fix06m item 2 (review r28d minor 9): each seed's difference drawn before section 5's verdict table
    # brief fix06u item 2 (review r31a minors 7-8): the table now prints from the package, after the by-hand headline
    # brief fix06_34a (review r34b item 2): the table, its headline row dropped, prints in the by-hand cell, after it
    ("lesson", "seeds=s5.seed_points", "print(lines.rows)"),
]

# Cells whose stored output holds a picture: (book, a text of the cell).
IMAGES = [
    ("appendix", "TRAIN_HERE = False  # True"),
    ("lesson", "w = training_widget(runs, size_runs="),
    ("lesson", 'save_figure(fig, "06_lr_schedule")'),
    ("lesson", 'save_figure(fig, "06_smoothed_target")'),  # review r27d minor 11: the smoothed target, drawn once
    ("appendix", 'save_figure(fig, "06_vit_payoff")'),
    ("appendix", 'warm = RUNS["warmup"]  # the plain ViT'),
    ("appendix", "fig = plot_lr_grid("),
    ("lesson", "seeds=s5.seed_points"),
]

# (book, text, how many times the notebook's sources hold it): each figure drawn once, each pointer once.
COUNTS = [
    ("lesson", "plot_smoothed_target(", 1),
    ("lesson", "| **leans** (better or worse) |", 1),  # the verdict table lives in section 5's box only (brief fix06i)
    (
        "lesson",
        "plot_trained_vit_payoff(",
        1,
    ),  # brief fix06i item 3: what the MNIST ViT learned, in section 2, shown once
    (
        "lesson",
        "plot_seed_dots(",
        2,
    ),  # r30 density: the size study's dots moved to appendix D; brief fix06_34a: + x1 / x255
    ("lesson", "plot_lr_schedule(", 1),  # brief fix06f item 4: moved from appendix C to section 3a, shown once
    # brief fix06_38j item 3 (review r38h minor 2): Adam's and AdamW's decay under gradient noise, before cell 19's proof
    ("lesson", "plot_weight_decay_paths(", 1),
    ("appendix", "plot_weight_decay_paths(", 0),
    ("appendix", "plot_lr_schedule(", 0),
    ("appendix", "plot_seed_dots(", 2),  # r30 density: + the size study's dots (appendix D)
    ("lesson", "plot_shuffle_changes(", 1),
    ("appendix", "](#confidence-split)", 1),
    # r31c MAJOR (review r31c_06 major 1): cell 7 points to #mnist-in-view instead; r32 decision (brief fix06y item 3,
    # review r32a minor 5): section 3's 8x8 run links #eval-mode once, where its cause is measured (no augmentation there)
    ("lesson", "#eval-mode)", 1),
    (
        "lesson",
        "#mnist-in-view)",
        1,
    ),  # r31c MAJOR: cell 7; r33b density: section 3's "Go deeper" line cut (its links live in the appendix)
    ("lesson", "**Over-fitting**: a model fits", 1),
    ("appendix", "[appendix D](#lead-longer)", 2),
    ("lesson", "returning the step's loss as a float, unrounded (within 1e-5;", 1),
    ("solutions", "returning the step's loss as a float, unrounded (within 1e-5;", 1),
    ("lesson", "plot_paired_differences(", 1),  # brief fix06_38a item a: the two knobs moved to appendix I
    ("appendix", "plot_paired_differences(", 1),
    ("lesson", "plot_paired_comparisons(", 0),  # brief fix06_38a item a: the three family rows moved to appendix D
    ("appendix", "plot_paired_comparisons(", 1),
    ("lesson", "plot_epoch_losses(", 1),
]

# Texts moved from the lesson to the appendix: never back in the lesson, still in the appendix.
# brief fix06_37a (review r36g minor 4): the zero-head caveat, moved whole to appendix F with its own printed check
PROSE.append(
    (
        "appendix",
        "F ·",
        (
            'a zero-initialised head (`vit(init="jax")`; the vit paper §3.2 attaches one for fine-tuning) zeroes all other step-0 gradients: read check 4 after one step',
        ),
    )
)
PRINTED.append(("appendix", "F ·", ("exact 0 gradient (all but the head's); after one Adam step: 0",)))
# brief fix06_37a (review r36h item 3): the growth's rounding note moved to appendix D
PROSE.append(
    (
        "appendix",
        "D ·",
        ("its growth, +6.3 points, comes from the unrounded leads; the rounded +8.3 and +1.9 differ by 6.4",),
    )
)

MOVED_TO_APPENDIX = [
    # brief fix06_37a (reviews r36g minor 4, r36h item 3): the zero-head aside and the 6.3-vs-6.4 rounding note
    'A zero-initialised head (`ViT(init="jax")`; the ViT paper §3.2 attaches one for fine-tuning) zeroes all other step-0 gradients: read check 4 after one step',
    "the rounded +8.3 and +1.9 differ by 6.4",
    "the last two questions were asked",
    "qk = paired_seeds(",
    "overshoot = max(",
    "1 - 0.05 / 23",
    "gains = {",
    "position_similarity_split(",
    "Cross-entropy charges",
    "sgd_long = RUNS",
    'regularised = RUNS["regularisers"]',
    "class_counts(all_labels",
    "DataLoader(train_set",
    "first_step_size",
    "feature_rank",
    '<a id="locality-control"></a>',
    'RUNS["size_conv"]',
    '<a id="vit-payoff"></a>',
    "**Beside DeiT's recipe.**",
    "TRAIN_HERE = False",  # the 28x28 MNIST run in view: appendix C (#mnist-in-view)
    '<a id="what-it-learned"></a>',  # the feature plane: appendix E
    "BiT ResNets above",  # the ViT paper at ImageNet scale: appendix D (#section-5-limits); r32 decision (brief fix06x
    # item 3): section 5 says it in one sentence of its own ("ResNets lead ViTs pre-trained on ImageNet-1k alone"), the
    # appendix keeps the detail (ImageNet-21k, ViT-L below ViT-B)
]
# brief fix06x item 2 (review r31c "what would make it a 9", item 4): one ViT knob in view, patch size 2 against 4 on the
# 8x8 digits, 400 steps, 5 seeds, paired by seed, from benchmarks/bench_lesson06_patch.py's stored runs; a lone
# comparison, so at most "leans"; its interval holds 0
PROSE.append(
    (
        "lesson",
        "5 ·",
        (
            # brief fix06y item 2 (review r32a "what would make it a 9", item 2): a second knob, class token vs mean pooling
            # brief fix06_36d (review r36e minor 6): one knob at a time, in plain words
            # review r31c: the scale story; brief fix06_34a (review r34b item 2, about 100 words before the figure): cited by figure
            # here, its ImageNet-1k and JFT-300M detail in appendix D (pinned there)
            # audit a34a item 3: the argument is the paper's §1 ("such as ImageNet"); its 1.3M images: §4.1
            # brief fix06_34c (review r34c minor 9): the argument is §1, the dataset size §4.1
            # review r35a minor 10: the paper's condition, "without strong regularization" (§1)
            # brief fix06_37b item g (review r37b minor 5): the paper's own words, "mid-sized datasets such as ImageNet"
            # audit a37b item 3 (brief quick06_37b): "a few percentage points below ResNets of comparable size", which "may be expected"
            "the vit paper (§1): on mid-sized data such as imagenet-1k, without strong regularisation, vits score a few points below comparable resnets, which it says may be expected",
        ),
    )
)
PROSE.append(
    (
        "lesson",
        "Summary",
        (),
    )
)
PRINTED.append(
    (
        "appendix",  # brief fix06_38a item a: the two knobs moved to appendix I
        "I ·",
        (
            "patch 4 (4 tokens) - patch 2 (16 tokens), validation, 5 seeds, 400 steps, lr 0.01: +1.9 points, 95 % [-0.1, +3.9]: no detectable difference",
            # brief fix06y item 2 (review r32a "what would make it a 9", item 2): the second ViT knob, class token vs mean
            # pooling (benchmarks/bench_lesson06_pool.py, 400 steps, seeds 0-4), a lone comparison: at most leans
            "mean pooling - class token, validation, 5 seeds, 400 steps, lr 0.01: +0.7 points, 95 % [-0.8, +2.2]: no detectable difference",
        ),
    )
)
PRINTED.append(
    (
        "appendix",  # brief fix06_38a item a: the growth and augmentation rows, drawn in appendix D (the leads: its table)
        "D ·",
        (
            "400 steps: CNN-8 - ViT in test accuracy, mean of 10 seeds: 300 digits +8.3, 600 digits +4.9, 1,257 digits +1.9",
            "lead on 300 digits - on 1,257 (both lr 1e-2): +6.3 points, 95 % [+3.9, +8.7], corrected [+1.9, +10.7]: ahead",
            "ViT, augmented - plain: -10.0 points, 95 % [-13.2, -6.8], corrected [-15.8, -4.2]: behind",
            "CNN-8, augmented - plain: -4.0 points, 95 % [-5.4, -2.6], corrected [-6.5, -1.5]: behind",
            "augmentation: rotations up to 10 degrees, scaling by 1 ± 0.1, sub-pixel moves up to 1 pixel (12.5% of the 8-pixel width)",
        ),
    )
)
PRINTED.append(
    (
        "lesson",
        "5 ·",
        (
            # brief fix06y item 3 (review r32a minor 6): CNN-8 is the smaller model, printed in view; brief fix06_38a item g:
            # one model per line, what it is beside its parameters
            "ViT         QUICK: 1 block, D = 32, 2x2 patches                9,674 parameters",
            "soft split  the ViT, overlapping 4x4 patches, stride 2         10,058 parameters",
            "conv stem   the ViT after one 3x3 conv, 8 channels             10,666 parameters",
            "CNN-8       3 conv stages, 8, 16, 32 channels                  6,218 parameters",
            "CNN-32      3 conv stages, 32, 64, 128 channels               93,962 parameters",
        ),
    )
)
PROSE.append(("lesson", "5 ·", ("cnn-8 has about two-thirds of the vit's parameters (printed)",)))
# brief fix06_36c item c (reviews r36c minors 2, 3, 6, 7; r36d minor 8): the plain wordings, each checked in its cell
PROSE.append(("lesson", "(top)", ("the course downloads no data or weights, so there is no cifar-10",)))
PROSE.append(
    (
        "lesson",
        "3 ·",
        ("below, the 8x8 vit, unaugmented (a larger vit on mnist",),
    )  # brief fix06_37a: section 2 starts with the shipped ViT
)
PROSE.append(
    (
        "lesson",
        "3 ·",
        # brief quick06_36c (main-path cap): the same init and peak rate are stated above (only the length differs) and in the rule
        ("falls in epoch 3 and ends at 0.63: the 2-epoch loop was too short",),
    )
)
PROSE.append(("lesson", "4 ·", ("`clinic.blogvit`, a 1-block vit written in tutorial style, has one bug at a time",)))
# audit a36c item 2 (brief quick06_36c): what the one run shows, flagged as one seed
PROSE.append(
    (
        "lesson",
        "6 ·",
        # brief fix06_37b (main-path cap): "not a finding" is printed right below (the widget cell's line, pinned)
        ("on 300 digits the validation loss ends 0.07 above its step-110 lowest (one seed)",),
    )
)
# audit a35a item 3: the box says which interval its verdict words read (the paired t-interval over seeds, section 5)
PROSE.append(
    (
        "lesson",
        "4 ·",  # brief fix06_36a: the rule reads the 95 % interval over seeds; section 5's table follows its t-interval
        (
            # audit a36a item 7 (brief quick06_36a): hint, finding and the corrected interval glossed where the rule uses them
            # brief fix06_36b (review r36b minor 2): the rule in full words
            # audit a36b item 3 (brief quick06_36b): a lone comparison (x255, check 1) has no corrected interval
            # brief fix06_36d (reviews r36e item 3, r36f minor 4): one line; the full table only in section 5
            # audit a36d item 1 (brief quick06_36d): leans only when the stricter interval holds 0; a finding when it too excludes 0
            # brief fix06_37c (review r37d minor 2): defined once, in section 5's table; here the one-line rule
            # brief quick06_37d item 6 (review r37f minor 2): the interval named where it first prints, pointing forward
            # brief fix06_38f: the same figure caption in fewer words (paying for audit a38c items 1 and 4)
            # review r39b minor 3: the slip check 1 catches, named before its figure
            "print its range. a common slip: pixels 0-255 fed to a model built for 0-1 (here, the fixed model's input x255). the figure: each seed's validation accuracy, x1 against x255:",  # review r37d minor 3; brief quick06_37e item 2
        ),
    )
)
# audit a35a item 2: the appendix points to section 2 for the interval and "holds 0", to section 5 for paired and Student's t
PROSE.append(
    (
        "appendix",
        "(top)",
        (
            # audit a36a item 1: "holds 0" is defined in the lesson's section 5 table, no longer in section 2's box
            "interval in [the lesson's section 2](06_train_a_vit.ipynb#how-sure), holds 0 in [its section 5](06_train_a_vit.ipynb#verdict-words), paired and student's t-interval in [its section 5](06_train_a_vit.ipynb#student-t)",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "D ·",
        (
            "the lesson's five words (its section 5's table)",  # audit a36a item 1; audit a38a item 3: section 4's rule went
            "(section 5's *exploratory*)",
            # audit a36a item 8: the same scope as the lesson's rule (a 3-seed "no detectable difference" is no hint)
            "| **exploratory** | a finding or hint on fewer than 6 seeds ([why 6](#why-6-seeds)) | too few seeds for a sign test to reach 5 % |",
        ),
    )
)
# audit a35a items 4 and 8: the three family rows named; the stored runs record no lr, so the 1,257-digit arm's rate is
# read from the stored rate grid (section 5's seeds 0-2 are its lr 0.01 arm)
SOURCE.append(
    (
        "appendix",  # brief fix06_38a item a: the family rows moved to appendix D
        "D ·",
        (
            "# three rows of section 5's family of 20 (the growth, two augmentation changes)",
            "# the benchmark's QUICK (bench_lesson06.py); the stored runs record no lr",
            'size_test["1257"]["ViT"] == compare["equal_steps"]["test"]["ViT"]',
            'compare["equal_steps"]["val"][m][:3] == RUNS["lr"]["val"]["0.01"][m] for m in ("ViT", "SmallCNN width 8")',
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "E ·",
        (
            "95 % interval and holds 0 ([the lesson's section 5](06_train_a_vit.ipynb#verdict-words)), paired ([its section 5](06_train_a_vit.ipynb#student-t))",
        ),
    )
)
# r32 decision (brief fix06y item 4, review r32a minor 9 "open section 4 with the symptom table"): the table stays its own
# cell below the Summary (review r27c minor 8's reference card; ~250 words the main-path cap cannot pay for); section 4
# opens by pointing to it as its map
# brief quick06_37b (main-path cap): the map, in the opening
PROSE.append(("lesson", "4 ·", ("has one bug at a time ([recapped](#symptom-table)):",)))
PROSE.append(("appendix", "F ·", ('<a id="one-batch-400"></a>', "check 6's five 400-step arms")))
PRINTED.append(("appendix", "F ·", ("SGD at 10x that (0.1), 400 steps         0.00, 0.02, 0.01",)))
# brief fix06_37c: review r37d minor 5 (Adam and AdamW, one step in view); review r37c minor 2 (the warm-up loss interval)
PRINTED.append(
    ("lesson", "4 ·", ("other parts 7-334x smaller, LayerNorm γ, β 3-7x",))
)  # moved from the recap table (r37c minor 5)
# reviews r39a minor 2, r39b minor 2: the zero-gradient step left cell 18 (the three noise scales show the cap)
PROSE.append(("appendix", "C ·", ("training loss **leans** higher, +0.036 [+0.010, +0.062]",)))
# audit a37c item 2: a fourth reading, added after seeing results; corrected, it holds 0 (printed in appendix C)
PROSE.append(
    ("appendix", "C ·", ("added after seeing results; corrected for the four readings it holds 0, [−0.005, +0.076]",))
)
# brief fix06_36b (review r36a MAJOR 1): SGD at its own rate, given 400 steps, fits the batch on every seed
PRINTED.append(("appendix", "F ·", ("SGD at Adam's rate (0.01), 400 steps     0.03, 0.04, 0.05",)))
PRINTED.append(("lesson", "4 ·", ("the five 400-step arms: right of the line in the figure below",)))
# brief fix06z item 1 (review r32b minor 4): the widget's +0.07 rise is labelled where it prints
PRINTED.append(("lesson", "6 ·", ("one seed, 180 digits, no interval: not a finding",)))
# brief fix06_38j item 1 (reviews r38g, r38h M1): seeded gradient noise at two scales, printed in cell 18
PRINTED.append(
    (
        "lesson",
        "3 ·",
        (
            # reviews r39a, r39b: ten weights at three noise scales, each a range over the weights and the mean ratio
            "10 weights, each from 1, seed 0, 100 steps of gradient noise N(0, σ²), lr 0.002: the movement towards 0 that wd 0.05 adds",
            "σ = 10    AdamW 0.0098-0.0102, Adam 0.0008-0.0012; Adam / AdamW 0.08-0.12, mean 0.10 (1 / σ = 0.1)",
            "σ = 1     AdamW 0.0098-0.0102, Adam 0.0081-0.0120; Adam / AdamW 0.80-1.21, mean 0.95 (1 / σ = 1)",
            "σ = 0.01  AdamW 0.0098-0.0102, Adam 0.1592-0.2210; Adam / AdamW 16.27-21.77, mean 18.83 (1 / σ = 100)",
        ),
    )
)
# brief quick06_37d items 4 and 7 (r37f): Adam(decoupled_weight_decay=True) and the 0.50-nat floor, printed where stated
PRINTED.append(
    (
        "lesson",
        "3 ·",
        # brief fix06_38c item a: AdamW and label smoothing in cells of their own, each line printed in its cell
        ("the label-smoothing floor at ε = 0.1, K = 10: 0.50 nats",),
    )
)
PROSE.append(
    (
        "lesson",
        "5 ·",
        # r33b density (brief fix06_33b item 5, ruling r31): the MNIST benchmark clause moved to appendix D, which pins
        # "on mnist it shows no stable order" and "over the benchmark's four runs the mnist order flips"
        # brief fix06_34a (reviews r34a item 3, r34b item 3): the growth at the shared rate, its two ends named (6.3: appendix D)
        (
            # brief fix06_36c (review r36d minor 6): the growth in its own sentence, still from the unrounded leads
            # audit a34a item 5: its ViT is not this section's (the `digits` preset, appendix D)
            # brief fix06_35a item 6 (review r34e minor 5): its own paragraph, two sentences
            # brief fix06_34c item 3 (review r34c minor 3); brief fix06_35b item 2 (review r35a minor 2): the latest MNIST row
            # audit a35b item 2 (brief quick06_35b): the benchmark's caveats beside its MNIST numbers
            # brief fix06_36a (review r35d minor 5): one clause and a pointer; the rows, seed ranges and caveats: appendix D
            # audit a36a item 2: its rows carry no interval (appendix D: no verdict word)
            # audit a36c item 4; brief fix06_36d (review r36f minor 7); brief fix06_37c (review r37c minor 3): what it agrees with
            # brief quick06_37e item 5 (reviews r37g minor 7, r37h item 4): two sentences (8x8; MNIST); the benchmark's models,
            # seconds and MNIST rows stay in appendix D (cell "The package's benchmark", pinned there)
            # brief quick06_37f item 3 (review r37i minor 3): it names its other models (cell 60 asserts them)
            # audit a39c item 1: "wall-clock" once; the missing interval is on the difference, after the runs it qualifies
            "the package's benchmark, on other models (a depth-2 soft-split vit, the width-32 cnn) at equal wall-clock seconds, puts the cnn higher on the 8x8 digits in each of its four stored runs (no interval on the difference), and on 28x28 mnist in no stable order ([appendix d](06_train_a_vit_appendix.ipynb#section-5-more)).",
            # audit a34a item 2: the augmentation verdict keeps its budget (at 1,860 steps appendix D finds no cost)
            # brief fix06_36b (review r36a minor 2): 3 of the 13 are drawn in section 5's family-rows figure
            # audit a36b item 2 (brief quick06_36b): appendix D lists all 13, the 3 drawn below among them
            # brief fix06_38g item d: the family in one sentence (7 rows drawn, 13 in appendix D: asserted after the figure)
            "for the 20 comparisons of one family ([all twenty](06_train_a_vit_appendix.ipynb#appendix-d); the last two were asked after seeing results)",
        ),
    )
)

# audit a34a items 7-8: exercise 5's floor is approached, not reached (ε = 0 and 1 leave zeros in the target); appendix
# D counts the headline among the figure's rows
PROSE.append(("lesson", "Exercise 5", ("the lowest cross-entropy any logits can approach",)))
PROSE.append(
    (
        "appendix",
        "D ·",
        (
            "section 5's figure draws the headline and, at lr 1e-2, **six comparisons**; section 5 counts all seven in its family of twenty",
        ),
    )
)
SOURCE.append(
    ("lesson", "5 ·", ('benchmark = pathlib.Path(clinic.__file__).resolve().parents[1] / "benchmarks"',))
)  # audit a34a item 5


APPENDIX_ANCHORS = [
    "zero-head",  # brief fix06_37a: check 4's zero-initialised-head caveat
    "ink-validation",  # brief fix06_36c item d
    "one-batch-400",  # brief fix06y: check 6's four 400-step arms, printed
    "widget-runs",  # brief fix06x: section 6's readings of the widget's runs
    "overfitting-seeds",  # brief fix06x: section 3's per-seed detail and the label-smoothing paragraph
    "annotated-layernorm",  # brief fix06x: section 4's Annotated Transformer sentence
    "mnist-in-view",
    "what-it-learned",
    "qk-plateau",
    "lr-factor",
    "family-23",
    "position-split",
    "timm-decay",
    "regularisers",
    "real-loop",
    "warm-up",
    "weight-decay",
    "step-0-margin",
    "head-sweep",
    "lead-longer",
    "section-5-tables",
    "paired-digits",
    "why-6-seeds",
    "wilson",
    "baseline",
    "mean-pooling-bf",
    "appendix-f",
    "x255-positions",
    "confidence-split",
    "eval-mode",
    "small-gradients",
    "one-direction",
    "locality-control",
    "vit-payoff",
    "position-split",
]


# r31 density (brief fix06t): section 3's step-0 prediction (sigma^2 = 0.44 -> 2.52) moved to appendix H, which prints
# the same prediction for the clinic's fixed model
PRINTED.append(
    (
        "appendix",
        "H ·",
        (
            "fixed model                              loss at step 0 2.49; sigma^2 0.40, predicted ln 10 + sigma^2 / 2 = 2.50",
        ),
    )
)


# brief fix06_35b item 2 (review r35a MAJOR 1): the numbers the Summary's over-fitting sentence states, printed in section 3
# brief fix06_36a (reviews r35c minor 2, r35d minor 3, r35e item 2): cell 31 prints only the two lines its prose uses; the
# per-seed rise line and the lowest-loss-epoch gap line are appendix C's (the gap's drop left with the Summary's sentence)
PRINTED.append(
    (
        "lesson",
        "3 ·",
        (
            "training minus validation accuracy at the end, ViT seeds 0-2: 10.6, 13.9, 16.1 points",
            "ViT, 5-epoch mean validation loss, seeds 0-2: lowest at epoch 25, 29, 72; more than 0.05 above that lowest from epoch 42, 32, 97 on; at the end 0.09 to 0.10 above it",
        ),
    )
)
PRINTED.append(
    (
        "appendix",
        "C ·",
        (
            "ViT, seeds 0-2: 5-epoch mean lowest at epoch 25, 29, 72; the end 0.10, 0.10, 0.09 above it",
            "train minus validation accuracy, lowest-loss epoch -> end (points; ViT seeds 0-2, then CNN-8): 15.4 -> 10.6, 14.4 -> 13.9, 16.7 -> 16.1, 8.8 -> 7.8, 11.9 -> 8.3, 7.8 -> 7.2",
        ),
    )
)

# brief fix06_38a item a: section 5 ends at its takeaway; the family rows (fewer digits, augmentation) live in appendix D,
# the two ViT knobs in appendix I; the main path points there and claims no result
PROSE.append(
    (
        "lesson",
        "5 ·",
        (
            # brief lead39: one pointer line (the summary names the rows: fewer digits, augmentation, patch size, pooling)
            "more rows of this family ([appendix d](06_train_a_vit_appendix.ipynb#less-data)) and two vit knobs ([appendix i](06_train_a_vit_appendix.ipynb#appendix-i)).",
        ),
    )
)
PROSE.append(
    (
        "lesson",
        "Summary",
        (
            # reviews r39a minor 4, audit a39a item 2: the plateau rule and the running tally, scoped to section 3b's one run
            "before calling a loss stuck, compare it with [a longer run of the same init and peak rate](#a-bug-or-a-plateau).",
            "a training accuracy tallied during the epoch can lag validation early on: by more than 5 points in epochs 2-4 of [section 3b's run](#running-tally) (one run).",
            # audit a38a item 7 (brief fix06_38b): the body's "more rows of the same family", not side experiments
            "more rows of section 5's family (fewer training digits, augmentation) and two vit knobs (patch size, pooling) are in the appendix, with their verdicts ([index](06_train_a_vit_appendix.ipynb#index))",
            # brief fix06_38a item h: each card item is advice, one clause and its link; the statistics live behind the links
            # audit a38a item 5 (brief fix06_38b): the label-smoothing caveat back on the card
            "5. regularise (weight decay: deit, augreg; label smoothing: deit) and judge it by the accuracy gap too (here, label smoothing alone did not close it: [3 seeds, no detectable difference](06_train_a_vit_appendix.ipynb#regularisers)).",  # review r39e minor 2: a null result is not "exploratory"
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "D ·",
        (
            '<a id="less-data"></a>',
            "the growth was asked after seeing results ([the tables below](#section-5-tables)) and 300 digits get 4x the epochs: a hypothesis, not a finding",
            "three of section 5's twenty rows, drawn (the growth and [the augmentation costs](#augmentation-main)), corrected at 99.75 %",
            "these runs do not isolate it: cnn-8 differs in depth, pooling and parameter count",
            "(random rotations up to 10 degrees, scalings by 1 ± 0.1, sub-pixel moves up to 1 pixel)",
            '<a id="augmentation-verdict"></a>**augmentation**',
            "puts both models **behind** their plain runs",
            "at the `digits` preset's 1,860 steps (appendix g's runs, 3 seeds) augmentation makes **no detectable difference** to either model",
            "300",
            "1,257",
            "25",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "C ·",
        (
            # brief fix06_38a item h: the recipe card's warm-up and label-smoothing statistics, behind its links
            "on the 180 validation digits: no detectable difference, −2.0 points [−4.8, +0.8]",
            "without the warm-up the last-epoch training loss **leans** higher, +0.036 [+0.010, +0.062]",
            "(5 seeds: exploratory), from one more reading of the same runs, added after seeing results",
            "its accuracy gap stays",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "Summary",
        (
            "with depth, pooling, size and rate not separated from locality",
            # audit a38a item 4 (brief fix06_38b): the growth's post-hoc caveat in the summary too
            "not separated from locality; asked after seeing results, and 300 digits get 4x the epochs: a hypothesis, not a finding.",
            # audit a38a item 2: the x255 interval's verdict, moved to H, in H's summary and the index
            "pixels x255 cost the fixed model 11-19 points of validation accuracy on each of 3 seeds: x255 **leans** worse, +15.0 [+4.0, +26.0] (exploratory).",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "(top)",
        (
            "pixels x1 − x255, validation, 3 seeds | no verdict word; **leans** (exploratory) | [h](#appendix-h), [h](#x255-positions) |",
        ),  # audit a38a item 2
    )
)
PROSE.append(
    (
        "appendix",
        "D ·",
        # audit a38a item 6: section 5's table no longer prints the augmentation rows; its family of twenty counts them
        ("only **leans** (section 5's family of twenty, corrected at 99.75 %; drawn [above](#less-data))",),
    )
)
# audit a38a item 1 (brief fix06_38b): exercise 6's B and D give no magnitude (check 4's ranges are seeds 0-4's, the
# exercise's run seed 0's); the loss tells them apart, as the recap table's two rows do
PROSE.append(
    (
        "lesson",
        "Exercise 6",
        (
            "at step 0 every part's gradient norm is smaller than the fixed model's, none exactly 0; one batch of 64 digits is not fitted in 100 steps.",
            "**d.** the loss ends next to the fixed model's. at step 0 every part's gradient norm is smaller than the fixed model's, none exactly 0.",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "I ·",
        (
            '<a id="patch-size"></a>on validation, one knob at a time on the lesson\'s `quick` vit: 4x4 patches instead of 2x2',
            "or mean pooling instead of the class token",
            "for either knob, 5 seeds at lr 1e-2 give **no detectable difference**, though patch 4 uses a quarter of the tokens",
        ),
    )
)
PROSE.append(
    (
        "appendix",
        "Summary",
        (
            "**i · two vit knobs.** on validation (400 steps, lr 1e-2, 5 seeds), patch size 4 against 2 (+1.9 points, 95 % [−0.1, +3.9]) and mean pooling against the class token (+0.7, [−0.8, +2.2]): **no detectable difference** for either",
        ),
    )
)
PROSE.append(
    ("appendix", "(top)", ("# 06 · appendix: nine side experiments", "**i** two vit knobs (patch size, pooling)"))
)
# brief fix06_38a item f: the 2-epoch LOOP's own schedule, printed
PROSE.append(
    (
        "lesson",
        "3 ·",
        (
            # brief fix06_38g item c (reviews r38e minor 2, r38f minors 2-3): plain sentences, right before the figure
            "each batch gets its learning rate from a schedule: a linear warm-up, then cosine decay to 0",
            "the figure below draws it over 12 epochs. `loop` runs it over 2 epochs, 40 steps, with plain adam (no weight decay); `fit` uses each recipe's optimizer (adamw in `quick`).",  # review r39i minor 2
        ),
    )
)
PRINTED.append(("lesson", "3 ·", ("LOOP (2 epochs): the same shape in 40 steps, warm-up 4 steps",)))
PRINTED.append(
    (
        "appendix",
        "H ·",
        ("x1 - x255, validation: +15.0 points, 95 % [+4.0, +26.0]: x255 leans worse (3 seeds: exploratory)",),
    )
)


def test_section_3_prints_no_lowest_loss_gap_and_no_cnn_numbers():
    # brief fix06_36a: cell 31 prints only what its prose uses (the ViT's end gaps and 5-epoch rise)
    cells, at = cell_with("lesson", "plot_overfitting_seeds(overfitting")
    out = nb.printed(cells[at])
    assert len(out.strip().splitlines()) == 2 and "CNN-8" not in out and "lowest-loss epoch" not in out


@pytest.mark.parametrize(("book", "heading", "facts"), PROSE, ids=[f"{b}:{h}" for b, h, _ in PROSE])
def test_prose_states_the_facts(book, heading, facts):
    text = section_text(book, heading)
    missing = [fact for fact in facts if nb.flat(fact).lower() not in text]
    assert not missing, missing


@pytest.mark.parametrize(("book", "heading", "lines"), PRINTED, ids=[f"{b}:{h}" for b, h, _ in PRINTED])
def test_printed_numbers(book, heading, lines):
    out = section_printed(book, heading)
    missing = [line for line in lines if nb.flat(line) not in out]
    assert not missing, missing


@pytest.mark.parametrize(("book", "heading", "codes"), SOURCE, ids=[f"{b}:{h}" for b, h, _ in SOURCE])
def test_code_and_checks_in_their_section(book, heading, codes):
    code = section_source(book, heading)
    text = nb.flat(code) + " " + nb.flat(code.replace("#", ""))
    missing = [piece for piece in codes if nb.flat(piece) not in text]
    assert not missing, missing


@pytest.mark.parametrize(("phrase", "why", "books"), FORBIDDEN, ids=[p[:40] for p, _, _ in FORBIDDEN])
def test_forbidden_phrases_do_not_come_back(phrase, why, books):
    for book in books:
        assert nb.flat(phrase) not in book_text(book), (book, why)


@pytest.mark.parametrize(("book", "needle", "phrase", "why"), CELL_FORBIDDEN)
def test_forbidden_in_one_cell(book, needle, phrase, why):
    cells, at = cell_with(book, needle)
    assert nb.flat(phrase) not in nb.flat(nb.source(cells[at])), why


@pytest.mark.parametrize(("book", "needle", "phrase"), PRINTED_FORBIDDEN)
def test_forbidden_in_one_output(book, needle, phrase):
    cells, at = cell_with(book, needle)
    assert phrase not in nb.printed(cells[at])


@pytest.mark.parametrize(("book", "needle"), HIDDEN_AFTER)
def test_each_stated_number_has_its_hidden_check(book, needle):
    cells, at = cell_with(book, needle)
    assert cells[at]["cell_type"] == "code" and not nb.hidden(cells[at]) and nb.hidden(cells[at + 1])


@pytest.mark.parametrize(("book", "first", "second"), ORDER)
def test_order(book, first, second):
    sources = nb.sources(BOOKS[book])
    assert nb.unique_index(sources, first) < nb.unique_index(sources, second)


@pytest.mark.parametrize(("book", "needle"), IMAGES)
def test_pictures_are_stored(book, needle):
    cells, at = cell_with(book, needle)
    assert any("image/png" in output.get("data", {}) for output in cells[at]["outputs"])


@pytest.mark.parametrize(("book", "text", "count"), COUNTS)
def test_shown_once(book, text, count):
    assert nb.all_text(BOOKS[book]).count(text) == count


@pytest.mark.parametrize("text", MOVED_TO_APPENDIX)
def test_moved_to_the_appendix(text):
    assert text not in nb.all_text(LESSON) and text in nb.all_text(APPENDIX)


def test_appendix_anchors_exist_and_every_lesson_link_resolves():
    appendix = nb.all_text(APPENDIX)
    for anchor in APPENDIX_ANCHORS:
        assert f'<a id="{anchor}"></a>' in appendix, anchor
    lesson = nb.all_text(LESSON)
    for target in re.findall(r"06_train_a_vit_appendix\.ipynb#([\w-]+)", lesson):
        assert f'<a id="{target}"></a>' in appendix, target
    for target in re.findall(r"\]\(#([\w-]+)\)", lesson):
        assert f'<a id="{target}"></a>' in lesson, target


def test_main_path_within_the_brief_targets():
    main = nb.main_path(LESSON)
    assert len(main) <= MAIN_PATH_CELLS and nb.markdown_words(main) <= MAIN_PATH_WORDS, (
        len(main),
        nb.markdown_words(main),
    )


def test_every_check_cell_is_tagged_and_folded():
    for path in (LESSON, APPENDIX):
        for cell in nb.cells(path):
            if nb.source(cell).startswith("# @title A check of the claim above"):
                assert nb.hidden(cell) and cell["metadata"].get("jupyter", {}).get("source_hidden"), path


def test_checks_are_named_check_1_to_6():
    text = "\n".join(nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == "markdown")
    for n in range(1, 7):
        assert f"**Check {n} · " in text and f"**{n} · " not in text


def test_verdict_rule_sits_before_check_1_and_the_table_before_section_5s_figure():
    # review r24e item 2 put the box in section 5, r27d minor 1 moved it to section 2, review r27f minor 6 (brief
    # fix06i item 1) back to section 5 with forward links; review r30c minor 7 (brief fix06t item 1): the table sat in
    # "How sure?" (section 2). r32 decision (brief fix06x item 1, review r31c minor 5): the table opened section 5 again.
    # Brief fix06_35a item 3 (review r34e minor 2): check 1 prints "leans worse (3 seeds: exploratory)" before section
    # 5, so the table went back to "How sure?". Brief fix06_36a (reviews r35c minor 5, r35d minor 4, r35e item 1): a
    # two-line rule (leans, no detectable difference, exploratory) right before check 1, the only verdict words used
    # before section 5; the full table after section 5's figure, in "How to read a comparison", where "corrected" and
    # "family" are defined; "How sure?" keeps Wilson, accuracy from logits, the confusion matrix and Fisher
    cells = nb.cells(LESSON)
    how_sure = nb.source(cells[cell_with("lesson", '<a id="how-sure"></a>')[1]])
    # brief fix06_37b item a (reviews r37a minor 3, r37b minor 4): Fisher's test moved to appendix E, a pointer stays
    assert "Wilson" in how_sure and "**Accuracy from logits.**" in how_sure and "#confusion-extremes" in how_sure
    assert "Fisher" not in how_sure
    assert "| **" not in how_sure and "**leans**" not in how_sure and "corrected" not in how_sure
    # brief fix06_38a item b (reviews r37k minor 2, r37l minor 2): section 4 without statistics. The verdict words and
    # intervals appear first in section 5's table; check 1 prints the seed-by-seed costs (appendix H the interval)
    assert '<a id="verdict-rule"></a>' not in nb.all_text(LESSON)
    five = cell_with("lesson", "## 5 · A ViT and a CNN")[1]
    words = (
        "**leans**",
        "**ahead**",
        "**behind**",
        "**exploratory**",
        "**no detectable difference**",
        "[leans]",
        "t·s",
    )
    assert not any(w in nb.source(c) for c in cells[:five] if c["cell_type"] == "markdown" for w in words)
    before = "\n".join(nb.printed(c) for c in cells[:five])
    assert not any(w in before for w in ("leans", "exploratory", "t-interval"))
    assert all(
        "(n = " in line or "Wilson" in line for line in before.splitlines() if "interval" in line
    )  # one accuracy's (Wilson's)
    check_1 = cells[cell_with("lesson", "check_1 = clinic.input_check(")[1]]
    assert "validation accuracy lost to the scale, seed by seed: 11, 19, 15 points" in nb.printed(check_1)
    assert "paired=True" in nb.source(check_1)  # each seed's x1 and x255 dots joined
    opening, figure, reading = (
        cell_with("lesson", "## 5 · A ViT and a CNN")[1],
        cell_with("lesson", "fig = plot_paired_differences(s5.drawn")[1],
        cell_with("lesson", "**How to read a comparison.**")[1],
    )
    section_5 = nb.source(cells[reading])
    assert opening < reading == figure - 1  # brief quick06_37f item 2: the reading key right before the figure
    assert '<a id="student-t"></a>' in section_5 and "**paired**" in section_5
    assert "1 − 0.05/20 = 99.75 %" in section_5 and "the 20 comparisons" in section_5 and "**corrected**" in section_5
    table = section_5.split('<a id="verdict-words"></a>')[1]
    assert section_5.index("**corrected**") < section_5.index('<a id="verdict-words"></a>')  # defined, then used
    assert "**95 % interval**" in section_5 and "| **leans**" in table and "| **ahead** (or **behind**)" in table
    rows = [line for line in table.splitlines() if line.startswith("| **")]
    levels = ("99.7", "97.5", "98.3", "99.75")  # the table names no corrected level; the line above it does
    assert len(rows) == 4 and not any(level in row for row in rows for level in levels)
    # brief fix06_38a items a-b: the lone-comparison row went with the knobs (appendix I); exploratory is defined here
    assert "a lone comparison" not in table and "| **exploratory** | leans or stronger on fewer than 6 seeds" in table
    assert len(nb.source(cells[opening]).split()) < 160
    assert nb.source(cells[cell_with("lesson", "### 3a · The recipe, then the loop")[1]]).startswith("## 3 · ")
    # brief fix06_38a item a: the fewer-digits and augmentation readings moved to appendix D, fewer digits first
    sources = nb.sources(APPENDIX)
    assert nb.unique_index(sources, '<a id="less-data"></a>') < nb.unique_index(
        sources, '<a id="augmentation-verdict"></a>'
    )


@pytest.mark.parametrize("heading", ["### Exercise 2", "### Exercise 3", "### Exercise 6"])
def test_exercise_text_is_the_same_in_lesson_and_solutions(heading):
    def text(path):
        (found,) = [nb.source(c) for c in nb.cells(path) if nb.source(c).startswith(heading)]
        return found

    assert text(LESSON) == text(SOLUTIONS)


def test_exercise_2_starter_has_no_comment_and_says_eval_mode_once():
    (text,) = [nb.source(c) for c in nb.cells(LESSON) if nb.source(c).startswith("### Exercise 2")]
    code = text.split("```python")[1].split("```")[0]
    assert "#" not in code  # no comment names a bug
    assert text.count("eval mode") == 1


def test_symptom_table_rows_follow_section_4s_check_numbers():
    cells, at = cell_with("lesson", '<a id="symptom-table"></a>')
    numbers = [int(n) for n in re.findall(r"^\| [^|]+\| (\d) ", nb.source(cells[at]), re.M)]
    assert numbers == sorted(numbers) and set(numbers) == {1, 2, 3, 4, 5, 6}


def test_check_4_prints_two_seed_ranges_and_keeps_the_raw_norms_in_its_check():
    # review r25a item 5: check 4 prints one seed-0 line, the two seed ranges and the figure; the raw norms are asserted
    cells, at = cell_with("lesson", "grads = clinic.gradient_check(runs")  # brief fix06t: the plumbing in the package
    out = nb.printed(cells[at])
    assert (
        "step-0 gradient norms" not in out
        and len(out.strip().splitlines()) == 6  # fix06_38a item j: + the norms in view
    )  # brief fix06_38a item g: one fact per line
    assert out.startswith("fixed model, seed 0, step 0, gradient norm per part: class_token 1.45,")  # fix06_38a item j
    assert "embed gradient 0\n" in out and "SGD's norms equal the fixed model's exactly" in out
    assert sum(line.startswith("seeds 0-4, fixed model / ") for line in out.splitlines()) == 2
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and 'norms["MultiheadAttention without batch_first"]["embed"] == 0.0' in check
    assert 'norms[BLOG_NORM]["norm"] < norms["none"]["norm"] / 3' in check
    # brief fix06d item 3: the recap's raw-norm assert moved to tests/test_lesson06_moved_checks.py
    moved = (nb.ROOT / "tests" / "test_lesson06_moved_checks.py").read_text()
    assert 'assert norms[SGD] == norms["none"] and norms[BF]["embed"] == 0.0' in moved


def test_ahead_is_printed_only_with_a_corrected_interval():
    ahead_lines = [line for line in nb.all_printed(LESSON).splitlines() if "ahead" in line]
    # seeds 3-9 alone: appendix D; brief fix06a item 1 adds the equal-epochs growth line (5 lines); r30 density (brief
    # fix06q item 1): both growth lines moved to appendix D (3 lines); r30 decision (brief fix06r item 1, review r30a
    # minor 1): the 400-step growth line is printed again beside section 5's verdict, with both intervals (4 lines);
    # r32 decision (brief fix06y item 4, review r32a minor 9, the r31 density ruling on secondary intervals): cell 61's
    # growth and augmentation rows moved to appendix D, which prints them with both intervals; section 5's sentence
    # keeps the verdict word and links there (3 lines); brief fix06_34a (review r34b item 2): the table's headline row
    # dropped (the by-hand line above it prints the headline with both intervals) (2 lines)
    # brief fix06_35a item 2 (review r34e minor 6): the growth row printed again in section 5, with both intervals (3 lines)
    # brief fix06_38a item a: the growth row moved to appendix D (printed there with both intervals, pinned) (2 lines)
    assert len(ahead_lines) == 2 and all(line.count("[") >= 2 for line in ahead_lines)


def test_weight_decay_row_is_printed_after_label_smoothing():
    cells, at = cell_with("appendix", 'decay = reg_change["weight decay"][0]')
    out = nb.printed(cells[at])
    smooth = out.index("label smoothing - neither, the rise:")
    decay = out.index("weight decay - neither, the rise: -0.01, 95 % [-0.19, +0.18], corrected (98.3%) [-0.33, +0.32]")
    assert decay > smooth and "(3 seeds): no detectable difference" in out[decay:]


def test_feature_plane_mix_ups_of_3_go_only_into_0():
    cells, at = cell_with("appendix", "_, near_pixels = nearest_centre_plane(")
    out = nb.printed(cells[at])
    mix = out.split("mix-ups on the plane, 7 or more of a digit's 100: ")[1].splitlines()[0]
    assert [p.split(":")[0] for p in mix.split(", ") if p.startswith("3 as") or p.endswith("as 3")] == ["3 as 0"]


def test_position_cosines_within_008_from_three_to_eight_steps():
    cells, at = cell_with("appendix", 'save_figure(fig, "06_vit_payoff")')
    out = nb.printed(cells[at])
    assert out.startswith("mean cosine of two patches' positions, by grid steps apart")
    values = {int(k): float(v) for k, v in re.findall(r"(\d+): ([+-]\d\.\d\d)", out.splitlines()[0])}
    assert max(abs(values[k]) for k in range(3, 9)) == 0.08


def test_six_pair_table_words_follow_section_5s_twenty():
    cells, at = cell_with("appendix", "equal_steps_rows = verdict_rows(")
    out = nb.printed(cells[at])
    words = [line.split()[-1] for line in out.splitlines() if line.startswith(("CNN-8 - ViT", "CNN-32 - ViT"))]
    assert words == ["leans", "ahead"]


def test_the_widget_picture_shows_fewer_digits_and_the_mnist_cell_runs_everywhere():
    # brief fix06a item 2: the stored picture is the fixed model on 300 training digits beside all 1,257
    cells, at = cell_with("lesson", "w = training_widget(runs, size_runs=")
    outputs = cells[at]["outputs"]
    shown = "\n".join("".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")) for o in outputs)
    # brief fix06i (review r27f minor 11): the size of the 300-digit run's rise prints first, then the widget
    # brief fix06_34c (review r34c minor 6): the line says what to look at (the turn-up, as in section 3b)
    # brief fix06_35a item 7 (review r34e minor 8): one line, the rise and the caveat together
    assert shown.startswith(
        "300 digits, seed 0: the validation loss ends 0.07 above its lowest (0.95, step 110); one seed, 180 digits, no interval: not a finding"
    )
    assert "\nTrainingWidget: none: adam lr 0.01, pool cls, 150 steps, seed 0, 300 training digits:" in shown
    cells, at = cell_with("appendix", "TRAIN_HERE = False  # True")
    assert "nbval-skip" not in cells[at]["metadata"].get("tags", [])  # the stored path runs on nbval too
    assert nb.printed(cells[at]).count("trained here") == 1  # no live number is printed: they vary
    assert (nb.NOTEBOOKS.parent / "figures" / "06_warmup.png").exists()


def test_the_12_epoch_loop_cell_reads_the_stored_run_and_never_trains_it():
    cells, at = cell_with("lesson", 'RUNS["loop_long"]')
    code = nb.source(cells[at])
    assert all("fit(" not in line.split("#")[0] for line in code.splitlines() if "loop_long" in line or "long_" in line)


@pytest.mark.parametrize(
    ("book", "prefix"),
    [
        (
            "lesson",
            "**Takeaway:** at 400 steps, each at its own rate",  # brief fix06_38g item b
        ),  # r31 density (brief fix06x): "The verdict" moved to appendix D; r32 (review r32a minor 10): fewer stacked qualifiers
        ("appendix", "Dropping weight decay changes"),
        ("appendix", "Dropping the warm-up:"),
    ],
)
def test_every_interval_a_verdict_quotes_is_in_a_visible_output(book, prefix):
    (text,) = [nb.source(c) for c in nb.cells(BOOKS[book]) if prefix in nb.source(c)]
    visible = "\n".join(nb.printed(c) for c in nb.cells(BOOKS[book]) if not nb.hidden(c))
    quoted = re.findall(r"\[[−+-]\d+\.\d, [−+-]\d+\.\d\]", text)
    assert quoted
    for interval in quoted:
        assert interval.replace("−", "-") in visible, interval


def test_recipe_card_has_no_seed_counts_before_its_pointers():
    cells, at = cell_with("lesson", '<a id="recipe-card"></a>')
    card = nb.source(cells[at]).split('<a id="recipe-card"></a>')[1]
    # review r25b_06 item 6 (brief fix25c_06 item 3): item 5 alone names its sample, "(3 seeds)"; audit a35b item 3
    # (brief quick06_35b): item 3 names its 5 seeds too, below the 6-seed line
    # brief fix06_38a item h: each item is advice, at most one clause and its link; the statistics (item 3's warm-up
    # reading, item 5's label-smoothing gap) live behind the links, pinned in appendix C
    # audit a38a item 5 (brief fix06_38b): items 3 and 5 keep their caveat in one clause (seed count, no interval)
    items = [line for line in card.splitlines() if line[:3] in {f"{n}. " for n in range(1, 8)}]
    assert len(items) == 7 and not any(w in "\n".join(items) for w in ("95 %", "**leans**"))
    assert [line[:2] for line in items if "seeds" in line] == ["3.", "5."]
    (item_3,) = [line for line in items if line.startswith("3. ")]
    assert "test digits" not in item_3 and "(06_train_a_vit_appendix.ipynb#warm-up)" in item_3
    (item_5,) = [line for line in items if line.startswith("5. ")]
    (item_7,) = [line for line in items if line.startswith("7. ")]
    assert "#regularisers" in item_5 and "#stopping" in item_7  # review r39d minor 7: stopping and checkpoint in item 7


# Phrases the lesson's markdown (or code) must not hold, though its other cells may: (kind, phrase, why).
LESSON_FORBIDDEN = [
    ("markdown", "falls every epoch", "the validation loss levels off"),
    ("markdown", "Bonferroni", "the family's wording lives in appendix D"),
    ("markdown", "SGD at lr 0.01", "one name: SGD at Adam's rate"),
    ("code", "DataLoader", "the DataLoader loop lives in appendix C"),
    ("code", "STEP0_MARGIN = 1.0", "the margin's basis lives in appendix H"),
    ("code", "head_cases", "the head sweep lives in appendix H"),
    ("code", 'pool="mean")', "the mean-pooling run lives in appendix F"),
    ("code", "training_benchmark", "review r25a items 4, 8: the benchmark yardstick lives in appendix D"),
    ("code", "own_rate_long", "review r25a item 1: the 1,860-step line lives in appendix D"),
    ("code", "own_cnn[3:]", "review r25a item 1: seeds 3-9 alone live in appendix D"),
    ("code", "step-0 gradient norms", "review r25a item 5: check 4 prints no raw norms"),
    ("code", "w._beside(", "review r30b minor 7: the hidden check calls the widget's public beside()"),
]


@pytest.mark.parametrize(("kind", "phrase", "why"), LESSON_FORBIDDEN)
def test_forbidden_in_the_lessons_markdown_or_code(kind, phrase, why):
    text = "\n".join(nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == kind)
    assert phrase not in text, why


def test_appendix_opens_with_an_index_of_its_results_each_with_a_verdict_and_a_link():
    # review r25a item 9: a one-screen index before section A
    cells = nb.cells(APPENDIX)
    (at,) = [i for i, c in enumerate(cells) if '<a id="index"></a>' in nb.source(c)]
    first = min(i for i, c in enumerate(cells) if nb.source(c).startswith('<a id="appendix-a"></a>'))
    assert at < first
    rows = [line for line in nb.source(cells[at]).splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 12 and len(nb.source(cells[at]).split()) < 260
    words = (
        "**ahead**",
        "**leans**",
        "**no detectable difference**",
        "**exploratory**",
        "**behind**",
        "no verdict word",
        "no interval",
    )
    for row in rows:
        assert any(w in row for w in words) and "](#" in row, row


def test_section_5_opens_by_pointing_back_to_why_the_test_digits_are_reused():
    # review r25a item 6
    (text,) = [nb.source(c) for c in nb.cells(LESSON) if nb.source(c).startswith("## 5 · ")]
    first = text.split("\n\n")[1]
    assert "(#why-not-test)" in first and "test digits" in first


def test_batch_first_recap_row_matches_appendix_fs_stored_dependence():
    # brief fix06o item 1 (review r29b_06 M1): with class-token pooling image 0's loss reaches no image, not even its own
    # pixels; with mean pooling it reaches the others. The recap row says both, as appendix F's stored output shows.
    cells, at = cell_with("appendix", "dependence[bug, pool] = clinic.batch_dependence(")
    found = dict(
        re.findall(r"without batch_first\s+pool (cls|mean)\s*: own (\S+, images 1-7 \S+)\n", nb.printed(cells[at]))
    )
    own_others = {pool: [float(v) for v in text.split(", images 1-7 ")] for pool, text in found.items()}
    assert own_others["cls"] == [0.0, 0.0] and min(own_others["mean"]) > 0
    cells, at = cell_with("lesson", '<a id="symptom-table"></a>')
    (row,) = [line for line in nb.source(cells[at]).splitlines() if "one image's backward" in line]
    assert (
        "reaches other images (mean pooling), or not even its own pixels (class token)" in row
        and "`batch_first`" in row
    )


def test_section_5_table_prints_after_the_headline_by_hand_in_one_cell():
    # brief fix06_34a (review r34b item 2): the table (its headline row dropped) joined the by-hand cell, after it
    cells, at = cell_with("lesson", "d_head = np.array(s5.own_cnn)")
    code = nb.source(cells[at])
    assert code.index("d_head = np.array(s5.own_cnn)") < code.index("print(lines.rows)")  # r37d minor 1: named rows
    out = nb.printed(cells[at])
    assert out.index("mean +2.9 points, 95 % [+1.8, +4.0]") < out.index("CNN-32 - ViT")
    assert "CNN-8 (lr 3e-2) - ViT (1e-2)" not in out  # the headline row: printed once, by hand


def test_the_benchmark_is_one_clause_in_the_lesson_and_its_rows_in_appendix_d():
    # brief fix06_35b item 2 (review r35a minor 2) quoted the latest MNIST row beside the four runs; brief fix06_36a
    # (review r35d minor 5) cut the lesson to one clause: the rows, their seed ranges (review r35e minor 4) and the
    # flipping order live in appendix D's benchmark paragraph
    lesson = [nb.flat(nb.source(c)) for c in nb.cells(LESSON) if c["cell_type"] == "markdown"]
    assert not any("97.8 %" in text or "99.8 %" in text for text in lesson)
    prose = [
        nb.flat(nb.source(c)) for c in nb.cells(APPENDIX) if nb.source(c).startswith("**The package's benchmark**")
    ]
    assert len(prose) == 1
    text = prose[0]
    assert "99.8 % (99.7..100.0) against the ViT's 97.7 % (97.2..98.3), seed ranges apart" in text
    assert "97.8 % against 97.4 % in its latest run (seed ranges 97.7..97.9 and 97.2..97.7 touch)" in text
    assert "the order flips over the four runs (the CNN is higher in two)" in text


def test_the_benchmark_check_says_when_it_cannot_check(tmp_path, capsys):
    # brief fix06_36a (review r35d minor 7): after a pip install there is no benchmarks/ folder; the hidden check says so
    (code,) = [nb.source(c) for c in nb.cells(LESSON) if nb.hidden(c) and 'results" / "training.md"' in nb.source(c)]
    package = tmp_path / "vit_explained"
    package.mkdir()
    fake_clinic = type("Clinic", (), {"__file__": str(package / "clinic.py")})
    exec(code, {"clinic": fake_clinic})
    assert "absent (a pip install): the benchmark clause above is not checked here" in capsys.readouterr().out
    exec(
        code, {"clinic": __import__("vit_explained.clinic", fromlist=["clinic"])}
    )  # in the repository: checked, silent
    assert capsys.readouterr().out == ""


def test_rates_print_before_the_comparison_figure():
    # brief fix06_37a (review r36h item 3): "each at its own rate" is defined (printed) before the figure is read
    cells, at = cell_with("lesson", "seeds=s5.seed_points")
    code, out = nb.source(cells[at]), nb.printed(cells[at])
    assert code.index("print(lines.rates)") < code.index("plot_paired_differences(")  # r37d minor 1: named lines
    assert (
        "rate chosen on validation (4 rates, mean over seeds 0-2): ViT 0.01, soft split 0.01, conv stem 0.01, CNN-8 0.03"
        in out
    )
    assert "each at its own rate, 400 steps: CNN-8 (lr 0.03) 97.9 %" in out
    later = nb.printed(cells[cell_with("lesson", "d_head = np.array(s5.own_cnn)")[1]])
    assert "rate chosen on validation" not in later and "each at its own rate" not in later  # printed once


# audit a38b item 5 (brief fix06_38d): appendix C's seed-1 figure says which panels are seed 1's alone
def test_the_seed1_figure_names_its_seed_1_panels():
    import json
    from pathlib import Path

    book = json.loads((Path(__file__).parents[1] / "notebooks" / "06_train_a_vit_appendix.ipynb").read_text())
    code = next(
        "".join(c["source"])
        for c in book["cells"]
        if 'save_figure(fig, "06_overfitting_seed1")' in "".join(c["source"])
    )
    assert (
        'title="Left and right: seed 1 alone (training loss, validation loss each epoch and its 5-epoch mean; accuracy); '
        in code
    )
    assert "middle: every seed's 5-epoch mean\"" in code and 'accuracy_title="accuracy (seed 1)"' in code


def test_section_3b_provenance_in_its_checks():
    # brief fix06_38e item a: the bookkeeping the prose dropped sits in the hidden checks, by the asserts it names
    cells = nb.cells(LESSON)
    curves_check = nb.source(cells[cell_with("lesson", 'stored_curves = RUNS["curves_eval"]')[1]])
    assert "within 3 of 1,257 training and 2 of 180 validation digits" in curves_check
    assert "<= 3 / 1257" in curves_check and "<= 2 / 180" in curves_check
    # brief lead39 (review r39b minor 4): the mnist-fast curve is drawn in appendix C only, its provenance checked there
    assert 'fast = clinic.stored_runs("lesson06_mnist_fast.json")' not in nb.all_text(LESSON)
    appendix_check = nb.source(
        nb.cells(APPENDIX)[cell_with("appendix", 'assert stored_fast["epochs"] == MNIST_FAST.epochs')[1]]
    )
    assert 'stored_fast["recipe"] == "mnist-fast"' in appendix_check and "92.8 % against 97.2 %" in appendix_check


def test_round_38e_small_items():
    # brief fix06_38e item f (reviews r38c minors 7, 8, 10; r38d minors 5, 7)
    cells = nb.cells(LESSON)
    ex2 = nb.source(cells[cell_with("lesson", "### Exercise 2 ·")[1]])
    assert ex2.index("Write a correct `train_step(") < ex2.index("**Hint (symptoms).**")
    ex3 = nb.source(cells[cell_with("lesson", "### Exercise 3 ·")[1]])
    assert "Return an `int` (a one-number integer tensor passes too)" in ex3 and "as in exercises 1 and 2" not in ex3
    assert "Run the notebook, press **train**" in nb.source(cells[cell_with("lesson", "## 6 ·")[1]])
    # audit a38c item 3: the figure prints no numbers; .rows gives two of its rows in numbers
    assert ".rows: two of the figure's rows in numbers (the figure prints none)" in nb.all_text(LESSON)
    assert "the figure does not print" not in nb.all_text(LESSON)
    assert "# one thread is faster for these tiny models (benchmarks/results/training.md)" in nb.all_text(LESSON)
    # brief fix06_38e item e (review r38d minor 3): checks 1 and 6 computed in view, checked against the package's
    assert "(k * x).min()" in nb.all_text(LESSON) and "(k * x).std()" in nb.all_text(LESSON)
    text = nb.all_text(LESSON)
    # audit a38c item 2 (brief fix06_38f): the loop in view matches the stored loss to its 4 stored decimals
    assert 'fixed = clinic.BlogViT("none")' in text and 'abs(loss.item() - last["none"][0]) < 1e-4' in text
    assert 'round(last["none"][0], 2)' not in text
    # brief fix06_38f: check 1 prints the package's other lines as a field, no string filtering on the main path
    assert "print(check_1.runs_text)" in text and "if line not in ranges" not in text
    assert "ranges == check_1.scale.ranges" in text
