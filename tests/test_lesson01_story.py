# ruff: noqa: E501
"""Lesson 01: what the notebooks say and print, pinned as facts, organised by section heading.

Folded from the per-round test files. A prose pin checks that the key numbers, terms or verdicts appear in
their section's prose (case-insensitive, whitespace collapsed), not a whole sentence; printed numbers and the
hidden checks beside them are pinned exactly; wrong statements must not come back (FORBIDDEN); placement tests
say where a thing lives (appendix, before or after another). One cap test holds the main-path targets.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache

import pytest

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"
PATHS = {"lesson": LESSON, "appendix": APPENDIX, "solutions": SOLUTIONS}
HEADING = re.compile(r"#{1,3} (.*)")
# the main path's targets (fix01i lowered the words from 2,350 to 2,140 before the Summary; fix01j the cells from 46 to
# 44: section 8's shift probe moved to appendix E)
# fix01n (r29 density): 43 cells / 2,074 words (the slip picture, section 6 bookkeeping and section 7 table moved out)
# fix01q (r29d): the equivariance reason and the band caption paid for by cuts; 43 cells / 2,073 words
# fix01r (r30a): section 6's reference tables and counts moved to appendix A; they paid for the pixel-reach sizes,
# Table 8's 61.4, the BERT clause and the normalisation sentence; 43 cells / 2,071 words
# fix01s (r30b): section 6's picture and caption moved to appendix A (r29 density); they paid for section 7's
# fair comparison, Table 8's contrast, the default-weights and drop-path clauses, the
# ink-free clause (r30b minor 8), the split minor-4 sentence; 42 cells / 2,053 words
# fix01t (r30c): the split invariance cell paid for by merging section 6's cell into section 5's last; the cut pixel
# line, B/32 line and section 0's provenance (to Versions read) paid for M1's count, the nn.Parameter lines, minors 1,
# 2, 11; 42 cells / 2,050 words
# fix01u (r31a): section 6 cut to one paragraph (its verdict to appendix A), section 7's 28x28 readings and Table 8's
# three-table sentence to appendix B, the 3.4/0.02 and 0.16/0.00096 sizes left to their printed lines; they paid for
# M1's named shuffle drop, the Eq. 1 symbol table, the 30.0 % line, Table 8's 2.8 beside 'not comparable', Table 6's
# B/16-vs-B/32 numbers and section 8's DeiT-B clause (r31a minors 5, 11); 42 cells / 1,992 words
# fix01x (r31c rewrite round): section 5 split into 5 and 5b, the Pi picture before its "Why?", a fresh-run similarity
# panel in section 6, the pooling sentence and Table 6's two rows paid for by moving the kernel slip (appendix E), the
# library kernels' clause and Table 8's numbers (appendix B), the default-weights clause (Versions read) and by plainer,
# shorter sentences in sections 5, 5b and 8; 42 cells / 1,885 words (107 under the old cap)
# fix01y (r32a): the Fig. 7 sentence, the fresh-run reason, Table 6's fine-tuned clause, the 2-D bicubic name and the
# 768-number caption paid for by section 6's plainer sentences (its second interval and distance caveat to appendix A),
# the map's head clause and the Versions-read cross-reference; the red-dot legend drawn in the figure, the 164x ratio
# printed; 42 cells / 1,882 words
# fix01z (r32b): the 5b heading moved below Eq. 1's check (a cell of its own, paid for by joining the model card to
# the shuffle cell); the checkpoints, probe, learning-rate and map sentences paid for by the shuffle cell's signpost
# and the class token's 'no pixels' clause; 42 cells / 1,881 words
# fix01_33a (r33a): cells 36 and 42 slimmed (loaders named for what they return, the live re-check hidden), Table 6
# to one clause, the pooling aside, DeiT-B, the ink-free pointer, the training command and the routes' users moved to
# the appendix; they paid for learning goal 5's closing sentence, the fixed sin-cos tables and the plainer units;
# 42 cells / 1,877 words
# fix01_33b (r33b): cell 39 split into the Pi picture and the shuffle measurement, paid for by joining section 9's two
# widget cells; goal 5's ending on the paper's Fig. 3, the pooling half-sentence and the plainer units paid for by the
# 14M-300M sentence (Fig. 3's quote carries it), shorter routes, map and kernel captions
# fix01_34a (r34a): section 6's closeness sentence, the Pi lead-in before its picture and the widget moved to section 3
# paid for by the grid's 'Below' line, section 9's token-widget lines, a repeated 'for any weights' and shorter
# wording; 42 cells / 1,875 words
CAP_CELLS, CAP_WORDS = 42, 1875


@cache
def parts(where: str) -> tuple[tuple[str, str, str], ...]:
    """(heading, kind, text) for every section of a notebook; kind is prose, code, check (hidden code) or printed.

    Read from the shared ``nb.sections_by_heading`` (a section runs from one heading line to the next, across cells;
    a code cell belongs to the last heading above it), with the texts this file always read: "prose" is the markdown
    as written (the shared lookup joins its lines with an extra newline: taken out), "code" the visible cells only
    (the shared "code" also holds the folded checks: taken out), "check" the folded checks, "printed" the streams.
    """
    path = PATHS[where]
    folded = [nb.source(cell) for cell in nb.cells(path) if cell["cell_type"] == "code" and nb.hidden(cell)]
    out = []
    for line, found in nb.sections_by_heading(path).items():
        head = line.lstrip("#").strip() if line != "(top)" else line
        assert line == "(top)" or HEADING.match(line), line  # only "#" to "###" headings in these notebooks
        code = found["code"]
        for text in folded:
            code = code.replace(text, "", 1) if text in found["hidden"] else code
        out += [
            (head, "prose", re.sub("\n\n", "\n", found["md"])),
            (head, "code", code),
            (head, "check", found["hidden"]),
            (head, "printed", found["stream"]),
        ]
    return tuple(out)


# r32 (fix01x item 2, r31c minor 4): the lesson's section 5 is split into "5 · Eq. 1: ..." and "5b · What positions
# are worth"; a row written for the old section 5 (its heading "5 · The class token and position embeddings", or "5 ·")
# reads both halves, in order, so no pin moved or loosened
OLD_SECTION_5 = "5 · The class token and position embeddings"


def _under(head: str, heading: str) -> bool:
    if heading.startswith("5 ·") and OLD_SECTION_5.startswith(heading):
        return head.startswith(("5 ·", "5b ·"))
    return head.startswith(heading)


def section(where: str, heading: str, kind: str) -> str:
    """The text of one kind under a heading (the heading as printed, from its start)."""
    heads = {h for h, _, _ in parts(where)}
    assert any(_under(h, heading) for h in heads), (where, heading)
    return "\n".join(t for h, k, t in parts(where) if _under(h, heading) and k == kind)


def prose(where: str, heading: str) -> str:
    return nb.flat(section(where, heading, "prose")).lower()


def everything(where: str) -> str:
    return nb.flat("\n".join(t for _, _, t in parts(where))).lower()


# ---------------------------------------------------------------- facts in each section's prose
# (notebook, heading, facts): each fact (a number, term, version or verdict) appears in that section's prose.
FACTS = [
    ("lesson", "01 · Patches and embeddings", ["training comes in lesson 06."]),  # fix01o item 4 (r29b minor 11)
    (  # fix01j item 4 (r28a minor 4): section 8's shift probe, moved here with its pins
        "appendix",
        "The patch cut under shifts (section 8)",
        [
            "2019",
            "CNNs",
            "0.00",
            "0.32",
            "multiples",
            "whole-patch",
            "so the patch cut behaves like a strided cnn stem; what sets a vit apart is global attention and the absolute"
            " position table.",
        ],
    ),
    (  # brief fix01a item 2: the widget says what its readout is
        "appendix",
        "The digit shuffle (section 5)",
        ["accuracy on the first 200 test digits", "probability", "no accuracy"],
    ),
    (
        "appendix",
        "Three kernels in the wild: the paper's code, timm, Hugging F",
        [
            '"2d interpolation of the pre-trained position embeddings"',  # fix01i D: moved from section 7
            "5",
            "exercise",
            "assumes",
            "`scipy.ndimage.zoom(..., order=1)`",
            "corners aligned",
            "`antialias=True`",
            "`align_corners=False`",
            "new-size",
            "changes",
            "patches",
            "2",
            "1",
            "2-D",
            "1-D",
            "+45.8",
            "+41.6",
            "+50.2",
            "-1.0",
            "-2.1",
            "+0.0",
            "36x36",
            "`load_pretrained`",
            "`interpolate_posembed`",
            "43b5a45",
            "2023",
            "2020",
            "4",
            "28x28",
            "scipy.ndimage.zoom(",
            "`ViTEmbeddings.interpolate_pos_encoding`",
            "5.23.0",
            "square trained grid",
            "`timm.layers.resample_abs_pos_embed`",
            "intervals",
            "training",
            "trained",
        ],
    ),
    (
        "lesson",
        "7 · Going deeper: learned positions at a new resolution",
        [
            # r32 density (fix01x item 5): the kernels' clause moved to appendix B (row 'Three kernels in the wild' below);
            # r25d item 5's control re-worded as one sentence, the same fact: the same linear kernel, one axis
            "the control, a 1-d linear stretch along the sequence (2-d bilinear's kernel along one axis instead of two)",
            "`interpolate_positions`",
            "1",
            "1-D",
            "fine-tunes",
            "retrained",
            "nothing",
            "2",
            "2-D",
            # r32 density (fix01x item 5): the pointer joined the verdict sentence (one pointer per paragraph)
            "(01_patches_and_embeddings_appendix.ipynb#appendix-b) compares every pair.",
            # fix01o item 2 (r29b minor 1): the interval, not "keeps"
            # fix01p item 1 (r29c M1): both kernels named; bilinear's drop is detectable (appendix B's table)
            # fix01q item 5 (r29d minor 11): the colons full stops, no fact changed
            # fix01r item 3 (r30a minor 14): the observed drops, then how far the 99 % intervals reach
            # fix01s item 1 (r30b M1): the fair same-digits comparison first; bicubic no detectable difference (its
            # interval holds 0), bilinear -2.0; the 28x28-vs-36x36 gap also enlarges the digits (two changes at once)
            "on the same 36x36 digits, the 2-d bilinear resize beats the 1-d stretch (the same linear kernel) by 45.8 points"
            " (99 % interval 41.6 to 50.2)",  # printed by cell 'paired_difference(bilinear, one_d'
            "2-d bicubic, antialiased (`interpolate_positions`' default)",  # fix01p item 4 (r29c minor 5)
            # fix01u item 3 (r31a minor 3): the no-positions floor, printed by cell 'paired_difference(bilinear, one_d'
            "the 1-d stretch gets about half right; with no patch positions, 30.0 %.",  # no comparison claimed here
        ],
    ),
    (  # r31 density: moved to appendix B (fix01u item 3): the 28x28 comparisons are the section's second readings
        "appendix",
        "Three kernels in the wild: the paper's code, timm, Hugging F",
        [
            "against the 28x28 model, bicubic (timm's) shows no detectable difference (-1.0 points, 99 % interval -2.6 to"
            " +0.5), bilinear a small drop (-2.0 points, -3.8 to -0.3).",  # fix01s item 1 (r30b M1)
            "the 36x36 digits are also larger, so that gap is not the table's alone.",
        ],
    ),
    (
        "appendix",
        "The centre patch's four neighbours (section 7)",
        [
            "less neighbourhood structure",  # r25a item 8, read off the printed counts (appendix A's first table)
            "1 of its 25 inner patches picks above, below or diagonal",
            "12-16 of 36",
            "a descriptive contrast only",  # r25b item 3: grid, data and epochs all differ
            "grid",
            "data (centred or moved digits)",
            "epochs (50 or 20) all differ",
        ],
    ),
    (
        "appendix",
        "An image the patch does not divide (section 4)",
        [
            "1.0.28",
            "`strict_img_size=True`",
            "`dynamic_img_pad=True`",
            "0.9.6",
            "`PatchEmbed`",
            "`timm/layers/patch_embed.py`",
            "`8ef7380`",
            "`img_size`",
            "`strict_img_size=False`",
        ],
    ),
    (
        "lesson",
        "Summary",
        [  # fix01i D: 7 bullets of <= 30 words; the dropped pins live in their sections (5, 6, 7, 8) and appendix B
            "for one trained model",
            "`Unfold`",
            "position",
            "0",
            "gives",
            "order",
            "97.4 %",
            "1,000",
            "shuffled, 19-33 % of 1,000 digits right instead of 97.4 %",  # fix01n item 2 (r29a M1)
            # r33b item 2 (r33b minor 3): "exact" said as what it is: the Pi argument; the run up to float32 rounding
            # a33b audit (item 5): the Pi argument's condition (eval mode) kept in the summary; the class token's output
            "without positions the class token's output is blind to patch order (exactly in eval mode, by the $\\pi$"
            " argument; the run shows it up to float32 rounding)",
            # fix01o item 1 (r29b M1): both arms over 3 seeds, and the gap's range over the seed pairs
            # r32 decision (fix01z item 4, r32b minor 7): at one learning rate, as section 5b says
            "trained without them, the same recipe gets 75.1-81.0 % (3 seeds), against 96.1-97.4 % with them (3 seeds): 15-22 points at one learning rate.",
            "MNIST",
            "ViT",
            "8",
            "2",
            "2-D",
            # fix01j item 1 (r28a M1): seed 0 suggested the test; 1 of 2 fresh seeds, barely; closeness, not columns
            # fix01k item 4 (r28b minor 7): "in 2 of 3 runs", not a law
            # fix01l item 2 (r28c minor 6): the distance-only claim left (no main-path line printed it)
            # fix01m item 1 (r28d minor 2): plain words, the training run as the unit of evidence
            # fix01n item Z (r29a minor 14): one line; the seed bookkeeping lives in appendix A
            # fix01p item 2 (r29c M2): a lean in 3 of 3, shown in 1 of the 2 runs that test it, barely: a hint
            # r30 decision (fix01q item 2, r29d minor 4): the bullet matches section 6's one-sentence hedge; r29c M2's
            # '1 of the 2 runs that test it' lives in appendix A (its row: 'Section 6's three runs, with intervals')
            # fix01s item 2 (r30b M2): seed 2's interval holds 0, so two of three (appendix A prints the intervals)
            # fix01t item 1 (r30c M1): counted as the pre-stated test: 1 of 2 fresh runs, barely (appendix A's
            # 'confirmatory test'); the shipped model's +0.08 [-0.06, +0.26] (appendix A's first table); rows in every
            # run; the order-only table shows rows too (+0.24 checked in appendix A) but no columns (+0.009)
            # r31 density (fix01u): the Summary bullet leads with "a hint of 2-D closeness, not the paper's row-column
            # structure"; its rows clause lives in appendix A ('Section 6's maps': "rows show it in every run, and so
            # does a table that knows only token order")
            # fix01v item 1 (r31b M1): section 6's words: the runs and the test named, both intervals; "the third
            # suggested the question" and the shipped model's clause left to appendix A (pinned there)
            # r31c MAJOR (fix01w, r31c M1): rows in both runs (as token order alone gives), columns in 1 of 2, barely;
            # the paper's row-column structure neither shown nor ruled out (appendix A cells 40, 42, 47, 48)
            # r32 decision (fix01y item 2, r32a minor 2): the same qualifiers in three plain sentences (rows in both runs,
            # which token order alone gives; columns, the 2-D test, 1 of 2, barely; neither confirmed nor ruled out);
            # "undecided" and "one run" stay FORBIDDEN in the lesson; the 8 x 8 grid is section 6's
            # fix01_35a (r34e MAJOR 1): the row effect is learned (the table starts random: cell 48's check); the 1-D
            # sinusoid control only shows the row reading is not a 2-D test ("token order alone gives that" misread)
            # fix01_35b (r35a minor 2): "more runs (seeds 1 and 2)", not "fresh" (which elsewhere means untrained); "new run"
            # and "grid8" stay FORBIDDEN in the lesson (23d, fix01i)
            # quick01_35b (a35b audit item 1): "runs of another recipe", not "more runs" (read as section 5's seeds)
            "in two runs of another recipe (seeds 1 and 2) on digits moved around a `48x48` canvas, training made same-row"
            " positions more"
            " alike in both runs (from a random start; a fixed 1-d sinusoid table passes this reading too, so it is not"
            " a 2-d test).",
            # fix01_34a (r34a MAJOR 1): the column reading measures 2-D closeness (appendix A's closeness-only control
            # passes it), so it cannot test the paper's row-column structure; the hint named as closeness
            "same-column ones, the 2-d test, are more alike in 1 of 2 runs, barely: a hint of 2-d closeness.",
            # a34a audit item 2: a positive reading cannot tell the row-column structure from closeness ("cannot test"
            # overreached: a table without a column effect would count against both)
            "these readings cannot tell the paper's row-column structure from closeness: a table built only from closeness"
            " passes them too (appendix a).",
            # fix01_34a (r34a minor 4): the strip named for the token the lesson prints (rows 65 and 130 hold two colours)
            "without the `permute`, token 14 is a strip of one colour.",
            # fix01p item 1 (r29c M1): bicubic no detectable drop, bilinear -2 points
            # fix01r item 3 (r30a minor 14): the observed drops, not the far end of an interval
            # fix01s item 1 (r30b M1): the same-digits comparison first, then the 28x28 gap with its confound named
            # r31 density (fix01u): the Summary keeps the headline interval only; the 28x28 readings are appendix B's
            # (pinned there: 'Three kernels in the wild')
            "for one trained model, on the same larger digits, a 2-d bilinear resize beats a 1-d stretch by 45.8 points (99 %"
            " interval 41.6 to 50.2).",
            "one changed pixel reaches all 197 tokens after one block",
            "the patch cut follows only whole-patch shifts",
            # r34c MAJOR 1 (fix01_34c): the rolls' two rows, as section 8 prints them
            "the position table makes one-patch rolls cost the vit 9.2-25.0 points, where the package's small cnn"
            " (another model and recipe) loses at most 3.6.",
            # fix01_35b (r35a minor 5): learning goal 5's conclusion, as section 8's last paragraph says it
            "a vit must learn from its images what a cnn builds in: the paper's reason it needs more data (its"
            " introduction and section 3.1; fig. 3).",
        ],
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        [
            # r34c (fix01_34c): "Lesson 06 measures a small ViT against a small CNN" cut to pay for the measured CNN
            "Lesson",
            "without strong regularization",
            'which "may be expected" without these inductive biases',  # r27b minor 7: the paper's words, not "blames"
            "tokens",
            "stay",
            "in every layer",
            "equivariance",
            "whole-patch",
            "4",
            "8",
            "1",
            "equivariant",
            "shifts",
            "197",
            "3x3",
            "9",
            "25",
            "0",
            # r27a minor 9, r27c minor 1, fix01i item 3 (r27f minor 4): the patch cut is a strided stem, in plain words
            # fix01j items 3-4 (r28a minors 1, 4): 'absolute', and the shift probe itself moved to appendix E
            # r32 decision (fix01x item 4, r31c minor 7): scoped to these probes and the conv stacks they compare
            # r32 decision (fix01z item 2, r32b minor 3): the pixel probe never touches the table; each probe credited
            # with what it shows (the roll probe, next, moves the tokens against the table)
            # r33 density (fix01_33a): the section's one appendix-E link now sits here (the ink-free pointer moved)
            "the patch cut itself follows only whole-patch shifts, like a strided cnn stem"
            # r34c MAJOR 1 (fix01_34c): the roll probe's contrast with a CNN is measured below (the package's small
            # CNN, rolled the same way), so this sentence credits the pixel probe only
            " ([appendix e](01_patches_and_embeddings_appendix.ipynb#appendix-e)). in this probe, global attention"
            " sets the vit apart from the conv stacks.",
            "2",
            "#appendix-e",
            "trained",
            "3",
            "CNN",
            "2-D",
            "6",
            "ViT",
            # r27d minor 8: one short pointer; DeiT-B's ImageNet-only accuracy stays named
            # r31 decision (fix01u, r31a minor 11): DeiT-B's 81.8 % moved into section 8's text with its reason (a stronger
            # recipe); the pointer keeps the other two asides
            # r32 density (fix01x item 5): the ink-free control's pointer sits in the roll sentence; the hybrid ViT is
            # listed in appendix E's own index (row 'The hybrid ViT (section 8)')
            # r33 density (fix01_33a): the ink-free pointer and DeiT-B's 81.8 % moved to appendix E (rows 'The paper's
            # evidence for more data (section 8)' and 'A whole-patch shift through the trained ViT (section 8)')
            # r33a minor 8: learning goal 5 closed at the end of section 8, tied to section 6's result
            # r33b item 1 (r33b minor 1): goal 5 rests on the paper's Fig. 3 (appendix E quotes it), not on section 6's
            # inconclusive runs (which do not vary the data); the section-6 clause dropped
            # a33b audit (item 2): Fig. 3 holds for the paper's recipe (DeiT's is better); the pointer names this lesson's
            # appendix E (not linked: the section's one link to the appendix is in the reach paragraph)
            # r33c (r33c MAJOR 1): the data argument is the paper's introduction (section 3.1 only lists the biases);
            # r33c minor 4: the DeiT clause names what is better (its recipe), beside the paper's recipe
            # r34c MAJOR 1 (fix01_34c): the measured CNN is not invariant either, so "builds in" (the section's opening
            # names the biases and their limits: stride, zero-padded borders), not "gets by construction"
            "a vit must learn from its images what a cnn builds in: the paper's reason (its introduction;"
            " section 3.1 lists the biases) it needs more data. its fig. 3: pre-trained on imagenet alone with the"
            " paper's recipe (deit's is better: this lesson's appendix e), bit cnns beat vit; \"with the larger"
            ' datasets, vit overtakes".',
            # r33c (r33c MAJOR 1): the two quotes are the introduction's, section 3.1's are named as such
            'the paper\'s section 3.1: in a vit "only mlp layers are local and translationally equivariant".',
            'the paper\'s introduction: trained on imagenet alone, "without strong regularization", a vit trails a'
            " comparable resnet by a few points",
            # fix01q item 6 (r29d minor 9): for a classifier's output the property lost is invariance
            # r32 (fix01x item 5, r31c minor 10): two plain sentences, no fact changed
            "the absolute position table stays while the patches move. so the model's output is no longer invariant to"
            " whole-patch shifts.",
            "stays while the patches move",
            "loses 9.2 to 25.0 points by direction",  # r25b item 1: the four directions' range, printed beside it
            # fix01s item Z (r30b minor 8): the hidden check's control; r33 density: its pointer moved to appendix E
            "(printed above",  # fix01i D: the intervals are printed; the ink-free range moved to appendix E
            "the table is the only order-sensitive part",
            "so the drop is the table's",
            # r34c MAJOR 1 (fix01_34c): the package's small CNN rolled the same way, paired (cell's printed lines and
            # hidden check: -0.4/-0.9/-3.6/-1.6 points; the ViT's drop minus the CNN's +8.8 to +23.4, every interval
            # above 0, also corrected for four); another model and recipe, so "goes with", not a cause
            "the package's small cnn (another model and recipe) loses at most 3.6 points, 8.8 to 23.4 fewer than the vit"
            " (printed above): a contrast that goes with the two designs, not a measured cause.",
        ],
    ),
    (  # r29 density: moved to appendix E (fix01n item 3, r29a minor 10): the open question left section 8
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        ["open: whether a model trained with shifts larger than this recipe's 2 px"],
    ),
    (  # fix01s item 2 (r30b M2, r29 density): section 6 keeps the paper's finding, one verdict and one link
        "lesson",
        "6 · Going deeper: what a trained ViT learned about positions",
        [
            "01_patches_and_embeddings_appendix.ipynb#appendix-a",
            "(01_patches_and_embeddings_appendix.ipynb#appendix-a)",
            "appendix-a",
            "section",
            "ViT",
            "2-D",
            # fix01i-fix01r: the headline's history (r27f, r28a-d, r29a-d): seeds are the evidence, one plain hedge
            # fix01s item 2 (r30b M2): seed 2's 98.75 % interval holds 0, so "two of three", not "all three"
            # fix01t item 1 (r30c M1): the pre-stated test's count (appendix A); "two of three" forbidden here
            # r32 (fix01x item 1, r31c minor 2): the two fresh runs' maps are drawn here now, before the numbers;
            # appendix A keeps every map and prints every interval
            "[appendix a](01_patches_and_embeddings_appendix.ipynb#appendix-a) prints every interval",  # r34c: level printed
            # r34c minor 7 (fix01_34c): the red dot is not a nearest neighbour (hidden check: run 1's (2, 2) -> (1, 4))
            "each map below shows one patch (white square) against every position (red dot: the most alike, not always"
            " adjacent).",
            # fix01l item 1 (r28c M1): the paper's own finding first (section 4.5, Fig. 7; its words, verified)
            # r31 decision (fix01u item 2, r31a minor 2): the quote kept (r29b minor 4); "we look for the same effect"
            # replaced by what the test measures (appendix A's closeness-only control passes both readings)
            'the vit paper (section 4.5, fig. 7) finds that in vit-l/32 "closer patches tend to have more similar position'
            ' embeddings" and "the row-column structure appears".',
            # fix01v item 1 (r31b M1): the runs and the test named, both intervals quoted (asserted in the hidden check
            # after it); the pointer names appendix A's similarity maps (the brief's "or the appendix figure")
            # r31c MAJOR (fix01w, r31c M1): rows named (both runs, as the order-only table gives: asserted in the hidden
            # check after it), columns the 2-D test; "not the paper's row-column structure" replaced (FORBIDDEN below)
            # r32 decision (fix01y item 2, r32a minor 2): why fresh models, in half a sentence (appendix A: 93 % of the
            # shipped model's border patches hold no ink)
            # fix01_35b (r35a minor 2): the runs named by their seeds (appendix A: grid8 s1, s2); why seed 0 is left out
            # quick01_35b (a35b audit item 1): the runs are another recipe's (appendix A: `6x6` patches on a `48x48`
            # canvas, 20 epochs: cell 48's check), its seed 0 the question's source, not section 5's trained model
            "section 5's centred digits leave the border patches mostly blank, so we test two runs (seeds 1 and 2) of"
            " another recipe: digits moved around a `48x48` canvas, `6x6` patches (an 8 x 8 grid), 20 epochs; its seed 0"
            " suggested the question. are same-row or same-column positions more alike than"
            " pairs sharing neither?",
            # r32 (fix01x item 5, r31c minor 10 and MAJOR 1's wording): plain sentences; why rows do not test 2-D said
            # r32 decision (fix01y item 2, r32a minor 2): rows and columns in two plain sentences, the same facts
            # fix01_35a (r34e MAJOR 1): learned from a random start (hidden check: vit.py's trunc_normal_, a fresh
            # draw holds 0); the sinusoid control (hidden check: its row reading clears 0) limits the reading only
            # a35a audit item 2: "the row reading" named (the last sentence's reading is the column one)
            "training made same-row positions more alike in both runs (the table starts random); the row reading is not"
            # fix01_35b (r35a minor 3): why a 1-D table passes the row reading, in one clause
            " a 2-d test: a fixed 1-d sinusoid table passes it (same-row patches are near in token order too).",
            # r31 decision (fix01v item 1): two intervals to 2 places; 22c's FORBIDDEN 3-place readings stay out
            # r32 decision (fix01x item 1, r31c minor 1): the one 3-place end is named in words ("just above 0"), and the
            # level is stated as what Bonferroni over a table's four readings gives (95 % together); the strings "98.75",
            # "Bonferroni" and "family" stay FORBIDDEN in section 6 (fix01i item 2, 18d/24b): appendix A names them
            # r31 density: moved to appendix A (fix01y item 2): the +0.004 end and the second run's interval (pinned in
            # 'Section 6's three runs beyond the nearest neighbours'), the distance-only caveat (pinned in 'Section 6's
            # maps: three canvas runs'); the level joins the pointer (one sentence)
            # r33b item 2 (r33b minor 8): +0.18 named once as a difference in cosine similarity
            # a33b audit (item 4): what +0.18 is compared with (the "just above 0" wording of r32 kept)
            # r34c item 3 (fix01_34c): both runs' row and column readings are printed above the prose now (PRINTED), so
            # the prose names only the low end that makes "barely"
            # fix01_35a: "the other run's interval holds 0" cut (printed above: run 2's -0.01; "1 of 2 runs" says it)
            "same-column positions, the 2-d test, are more alike in 1 of 2 runs, barely (seed 1's interval starts at"
            " +0.004).",
            # r33 decision (fix01_33a, r33a minor 11): the level glossed in plain words, no family-wise jargon
            # r33b item 2 (r33b minor 8): Bonferroni is conservative: "at least 95 %"
            # a34a audit item 3: appendix A's control has random bump centres (cell 48's check centres them on the grid)
            # r34c item 3 (fix01_34c): the level is named in the printed header ("a run's four readings together at 95 %")
            "prints every interval and such a control.",
            # fix01y item 1 (r32a list item 1): no real table loads here (no weights, no downloads); the paper's Fig. 7
            # (centre) named as where the real table's rows and columns show
            # fix01_34a (r34a MAJOR 1): what the column reading measures (closeness, the paper's first finding; the hidden
            # check after the picture rebuilds appendix A's closeness-only control and asserts it passes), so the
            # row-column structure of Fig. 7 (centre) is neither shown nor ruled out: it is not tested
            # a34a audit item 2: closeness passes the reading, so it cannot tell the row-column structure from closeness
            # fix01_35a: "(Fig. 7, centre)" cut (the section's first sentence names Fig. 7)
            # a35a audit item 2: the column reading named; "too" cut (the sinusoid does not pass it: cell 48's check)
            "the column reading cannot tell the paper's row-column structure from closeness: a table whose similarity"
            " only falls with distance (2-d closeness, the paper's first finding) passes it.",
        ],
    ),
    (  # r31 density: moved to appendix F (fix01v item 1, r31b minor 8): section 5's appendix list
        "appendix",
        "F · Asides from section 5",
        ["the class token's alternative", "`(p1 p2 c)`", "sinusoid encoding", "why the table is **added"],
    ),
    (  # r31 density: moved to appendix C (fix01v item 1, r31b minor 8): section 5's pointer to the larger-table probe
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        ["does a larger table move the output more, in this untrained one-block model?"],
    ),
    (  # fix01_34a (carry item 1): appendix A's "directly below" reading on section 6's two fresh runs, exploratory
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        [
            "chosen after the runs were seen, so it tests nothing stated in advance.",
            "both new runs lean the 2-d way (+0.146 and +0.124, where token order alone gives -0.031), but neither 99 %"
            " interval excludes 0: this exploratory reading does not detect 2-d closeness in either run.",
        ],
    ),
    (  # r31 density: moved to appendix A (fix01u item 2): section 6's verdict in full, the runs counted
        "appendix",
        "Section 6's maps: three canvas runs",
        [
            # fix01t item 1 (r30c M1): the pre-stated test's count; "two of three" stays forbidden in the lesson
            "of two new runs (the third suggested the question), one shows same-column positions more alike than"
            " unrelated ones, barely; the shipped model shows no detectable column effect.",
            "rows show it in every run, and so does a table that knows only token order, which shows no column effect: the"
            " columns are the 2-d test.",
            "a table that knows only token order",  # fix01l item 2 (r28c minor 6)
            "they test 2-d closeness, not the paper's row-column structure: a table built from distance alone passes them too",
        ],
    ),
    (  # r29 density: moved to appendix A (fix01s item 2, r30b M2): section 6's picture, its caption and the runs
        "appendix",
        "Section 6's maps: three canvas runs",
        [
            "recipe",
            "36",
            "patches",
            "inner",
            "5",
            "20",
            "50",
            "anywhere",
            "instead",
            "digits",
            "8",
            "0",
            "16",
            "1",
            "2",
            "white-framed: the patch",  # r25d item 7: the marker is a white-framed square
            # fix01t item 1 (r30c M1): the pre-stated test's count, as the lesson's section 6 says it
            "of the two new runs (seed 0 suggested the question), one, barely (the next section prints the intervals); a"
            " table that knows only token order shows no such effect.",
            "with three small runs this is a hint of 2-d closeness, not a finding.",
            "bands along the rows are what token order alone gives; the test is the columns.",
            "small, partly trained mnist models, not imagenet vits",  # fix01j item 5 (r28a minor 12)
            "seeds 0-2",
        ],
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12): the two reference tables and their reading
        "appendix",
        "Two reference tables (section 6)",
        [
            "above",
            "bands along the rows are what token order alone gives; the test is the columns.",
            # fix01o item 3 (r29b minor 2): the 1-D map's rings explained
            # fix01r item 5 (r30a minor 7): every token ties its two sequence neighbours, not only at a row end
            "the 1-d one ties each token's two sequence neighbours (at a row end, one of them is the next row's first"
            " patch).",
            "the 2-d sin-cos table ties left/right with above/below (rings: exact ties)",
        ],
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12): section 6's counts and their caveat
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        ["each run's counts come from one table, not 36 independent patches."],
    ),
    (  # r29 density: moved to appendix A (fix01q item 2, r29d minor 4): fix01p's 'a distance-only table passes too'
        "appendix",
        "A closeness-only control",
        [
            "a table with no rows or columns built in passes both row - neither and column - neither",
            "so these two readings measure closeness.",
        ],
    ),
    (  # r29 density: moved to appendix A (fix01n item 1, r29a minor 3): section 6's "In short" bookkeeping
        "appendix",
        "Section 6's three runs, with intervals",
        [
            "the evidence is counted in training runs (seeds); the intervals below only describe one table's 36 inner"
            " patches (not independent).",
            "are same-column positions (one or more rows apart: 8, 16, ... tokens) more alike than unrelated ones? yes in 2"
            " of 3 runs, but one is seed 0, which suggested this question, so it cannot test it; of the 2 new seeds, 1"
            " shows it, barely.",
        ],
    ),
    (
        "lesson",
        "5 · The class token and position embeddings",
        [
            "extra",
            "0",
            "section",
            "input",
            "1",
            "picture",
            "sees only which patches are present, not where",  # r27d minor 2: 27.7 % is content alone by construction
            "training",
            "zeroed",
            "stripped of its table",  # r32 density (fix01x item 5): 'a model trained with its table' shortened
            "load_mnist_vit()",
            "shuffle a trained model's patches",  # r25a item 2: the trained shuffle leads
            "27.7 %",
            "10 %",
            "ViT",
            "permutation-equivariant",
            # r31 density (fix01v item 1, r31b minor 8): section 5's appendix list left the main path; appendix C and F's
            # headings name the topics (rows 'C · Section 5's probe' and 'F · Asides from section 5')
            "`(p1 p2 c)`",
            "8",
            "Table",
            "0.05",
            "embedding's",
            "below",
            # r31 density (fix01u): 3.4 and 0.02 are printed beside 0.05 (PRINTED rows); the prose says "printed above"
            "(0.05, printed above)",
            "appendix",
            # r33 decision (fix01_33a item 5, r33a minor 10): "exactly" -> "up to float32 rounding", as printed
            "untrained model shows the invariance up to float32 rounding",
            # fix01n item 2 (r29a M1): r25d item 4's "exact invariance only" kept; the shuffle shows reliance, not need
            # fix01p (r29c minor 3): "exactly" kept (r29a M1), one clause: the measured change is float32 rounding
            # fix01q item 5 (r29d minor 11): the colon a full stop, no fact changed
            # r31 decision (fix01v item 3, r31b minor 6): "exactly" said once, in the untrained model's sentence above
            # (pinned); the float32 rounding is the printed line's ("to float32 rounding: True")
            # r32 (fix01x item 2, r31c minor 5): the repeat of the invariance paragraph cut ("blind to patch order" is
            # what the Why? paragraph just showed); the table's role kept in one sentence
            # r32 decision (fix01z item 2, r32b minor 2): the table is added before the encoder: "the model's"
            "the table is the model's only order-sensitive part.",
            "the trained model relies on its table",
            # r34c item 2 (fix01_34c): the question now asked before the code: the control, then the one change
            "**the one change:** the same recipe trained with and without positions, 3 seeds each.",
            # fix01o item 1 (r29b M1): 3 seeds each; fix01q item 5 (r29d minor 11): no colon, no fact changed
            # r32 decision (fix01z item 4, r32b minor 7): both arms share the shipped recipe's one learning rate
            # r34c item 2 (fix01_34c): the same numbers, the verdict named after them ("do positions help?" cut)
            "against 96.1-97.4 % with them (3 seeds): positions help, by 15-22 points on these digits at one learning rate.",
            # fix01o item 4 (r29b minor 11): Table 8 in one sentence; r27f M1's rule kept (no 2.8 beside our numbers)
            # fix01p item 4 (r29c minor 2): the spread is 0.205, so "about", with the three numbers
            # r30 decision (fix01q item 5, r29d minor 11): the same one sentence and numbers, its colon made a clause
            # r31 decision (fix01u items 5, Z; r31a minor 4): Table 8's gap named beside ours, with "not comparable";
            # the three tables' sentence moved to appendix B (r31 density); 2.8 = 64.2 - 61.4
            # r31 decision (fix01v item 2, r31b minors 2-3): "linear probe, ViT-B/16" named; Table 8's tie in one clause
            # r32 density (fix01x item 5): Table 8's numbers moved to appendix B (row 'The paper's Table 8 (section 5)':
            # 2.8 points lower, 64.2 / 64.0 / 61.4 %, "not comparable"); section 5b keeps one pointer saying so
            "the paper's own ablation, table 8, is not comparable ([appendix b](01_patches_and_embeddings_appendix.ipynb#appendix-b)).",
            # r30 decision (fix01s item Z, r30b minor 4): "for any weights" names the Pi argument
            # r31 decision (fix01u item 1, r31a M1): "the drop" named as the shuffle's (97.4 to 19-33 %), before the
            # zeroed-table control, which is its own point (content alone)
            # fix01_34a (main-path words): "for any weights" is said once, in the sentence before ("so for any weights")
            # fix01_35b (main-path words): "(97.4 % to 19-33 %)" cut: the paragraph before states both numbers
            "by the $\\pi$ argument, the shuffle's drop in the trained model"
            " comes from patches meeting the wrong position vectors. so the trained model relies on its table.",
            "training's",
            "dropout",
            "weights",
            "97.4 %",
            "appendix F",
            "Appendix F",
            "held-out test digits",
            "2",
            "\\mathbb{R}^{(P^2",
            "\\times",
            "E_",
            "N+1",
            "`vit.class_token`",
            "`vit.pos_embedding`",
            "$$z_0",
            "21.8 %",
            "Shuffling the patches costs",
            "the check below adds it (appendix f).",  # r32 density (fix01x): appendix F's topic left to its heading
            # fix01i item 1 (r27f M1, minor 3): invariance first, then the control; r34c item 2: said in a sentence
            "**the control:** the trained model, its table zeroed.",
            # fix01j item 2: the measurement replaces the guess (benchmarks/bench_lesson01_nopos.py, 3 seeds)
            "trained without any positions, the same recipe gets 75.1-81.0 % (3 seeds",
            "a model stripped of its table is not a position-free model.",  # r32 density (fix01x item 5): shorter
            # fix01j item 5 (r28a minors 6, 10): which property is measured; the eight digits' binomial
            # r32 (fix01x item 2, r31c minor 3): said after the picture, with its reason and the eval-mode scope
            "so for any weights, in eval mode (training's dropout is random), the encoder is permutation-equivariant: the"
            " tokens move with the shuffle, and the class token's output is invariant.",
            # fix01q item 1 (r29d minor 1): why the encoder is permutation-equivariant, before its picture
            # fix01r item 2 (r30a minor 2): Pi for the permutation (P is the patch side)
            # r32 (fix01x item 2, r31c minor 3): the picture now comes first, so "Why?" follows it ("as the picture shows")
            # fix01_34a (r34a minor 1): the "Why?" and the weights' Pi A Pi^T lead into the picture; the rest follows it
            "why? attention compares every token with every other and nothing else. shuffle the tokens with a permutation"
            " $\\pi$ and its weights $a$ become $\\pi a \\pi^\\top$: the same numbers, moved (below, 4 tokens).",
            "layernorm and the mlp act on each token alone, and attention's output $av$ becomes $\\pi a v$.",
            # fix01v item 1 (r31b minor 8): the details list left; the Table 8 pointer carries appendix B's link
            "([appendix b](01_patches_and_embeddings_appendix.ipynb#appendix-b))",
            # r32 (fix01x item 3, r31c minor 8): class token vs global average pooling, verified in the ViT paper's
            # appendix D.3 ("Both work similarly well, but require different learning-rates", Fig. 9); timm 1.0.28's
            # global_pool in Versions read
            # r31 density (fix01y item 5): the cross-reference '(timm offers both: *Versions read*)' cut; the Versions
            # read row 'global_pool' (section 5) states it
            # r33 density (fix01_33a): the pooling aside moved to appendix F (row 'How code starts the class token')
            # r33 (fix01_33a item 6): the fixed tables named where positions are introduced
            "some models fix it instead: sinusoids in 1-d (the original transformer) or 2-d (mae, simplevit; appendix f).",
        ],
    ),
    (
        "lesson",
        "4 · Three ways to embed the patches, one computation",
        [
            "01_patches_and_embeddings_appendix.ipynb",
            "T2T-ViT",
            # r32 density (fix01x item 5): the details list (appendix D's filters, appendix E's asides) cut; appendix E's
            # link stays in the routes' sentence; fix01p (r29c minor 11): the lucidrains LayerNorms in Versions read
            "3",  # r32 density (fix01x): '`permute`' left with the kernel slip (appendix E's 'Why 0.80?' row)
            "`Unfold`",
            # r32 density (fix01x item 5): the kernel slip (0.80) moved to appendix E (row 'Why 0.80? (section 4)' below,
            # with r25b item 4's and r31a minor 7's wording); section 4 points there in one clause
            "without the reordering, section 3's slip happens on the kernel"
            " ([appendix e](01_patches_and_embeddings_appendix.ipynb#appendix-e)).",
            "of these three routes, only `unfold`",  # r25b item 9
            "numbers",
            "`Linear`",
            "01_patches_and_embeddings_appendix.ipynb#appendix-e",
            "the same `(c p1 p2)` layout as uva's `img_to_patch`",  # r25a item 5: UvA uses reshape/permute, not nn.Unfold
            # fix01_35b (r35a MAJOR 1): route 1 is vit-pytorch's layer only before 1.0.0 (vit_pytorch/vit.py at 0.40.2,
            # commit 105e97f: Rearrange, Linear; at 1.0.0, commit bdaf2d1: Rearrange, LayerNorm, Linear, LayerNorm)
            "(lucidrains/vit-pytorch before 1.0.0, which adds layernorms: appendix e): `patchify`, then `nn.linear(p*p*c, d)`;",
        ],
    ),
    ("appendix", "The position maps (section 6)", ["appendix A tests"]),
    (  # r29 density: moved to appendix G (fix01q item 2, r29d minor 3): the eight shown and their binomial
        "appendix",
        "The digit shuffle (section 5)",
        [
            "4 of 8 right, against 21.8 % overall",  # r25a item 3: the eight shown vs all 1,000
            "4 or more of 8 at that rate happens about 7 % of the time: a lucky draw.",  # fix01l item 2 (r28c minor 4)
        ],
    ),
    (
        "appendix",
        "The paper's Table 8 (section 5)",
        [
            "2.8 points lower",  # fix01i item 1: the paper's Table 8 left section 5 (r27f M1)
            # r31 density (fix01u item 5): section 5's one-sentence Table 8, moved here (r30 decision's wording kept)
            "in the paper's table 8 (imagenet 5-shot), 1-d, 2-d and relative tables land within about 0.2 points (64.2,"
            " 64.0, 64.0 %); no positions scores 61.4 %.",
            "imagenet 5-shot linear",
            # fix01_35b (r35a minor 1): section 5b's pointer sits under the retrain, so appendix B says why it differs too
            "section 5b's retrain (15-22 points) does train without them, but is not comparable either: a small vit trained"
            " on mnist digits and read by its test accuracy, against vit-b/16 read by a 5-shot linear classifier on its"
            " frozen features.",
            "positions",
            "removes",
            "trained",
            "8",
            "16",
            "D.4",
            "ViT-B/16",
            "2",
            "2-D",
            "27.7 %",
            "MNIST",
            "added",
            "once",
            "5",
            "4.1",
            "Its caption reads",
            "1",
            "1-D",
            "Results of the ablation study on positional embeddings with ViT-B/16 model evaluated on ImageNet 5-shot linear",
            "61.4 %",
            "64.0 %",
            "64.2 %",
        ],
    ),
    (  # r27a M1, M2: appendix A names its runs by grid and defines the four readings before their first use
        "appendix",
        "A · Trained position tables (sections 5-7)",
        [
            "| term | meaning |",
            "row - column",
            "below - right",
            "**grid6 s0-s2** (`8x8` patches, a 6 x 6 grid",
            "**grid8 s0-s2** (`6x6` patches, an 8 x 8 grid: section 6's runs)",
            "family",
        ],
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        ["learned", "table's", "index", "The row wrap, a check", "+0.00", "24", "25", "horizontal", "left/right"],
    ),
    # r32 decision (fix01z item 5, r32b minor 10): "left to right of what?": the map named, and the shape it keeps
    ("lesson", "0 · The whole ViT on one page", ["16", "ViT-B/16", "On the map, every block keeps `(B, N + 1, D)`."]),
    (  # r29 density: moved to Versions read (fix01t item Z, r30c density): the count's provenance and the MLP head
        "lesson",
        "Versions read",
        ["3.1", "`vit_base_patch16_224`", "86,567,656", "MLP", "section 0's printed 86,567,656 is the parameter count"],
    ),
    (
        "lesson",
        "Exercise 5 (going deeper) · Carry a learned table to a new g",
        [
            "5",
            "Exercise",
            "learned",
            "bilinear",
            "`align_corners=False`",
            "2",
            "2-D",
            "PyTorch",
            "interpolate_positions(pos_embedding, new_grid=new_grid, old_grid=old_grid",
            "a square grid assumed",
        ],
    ),
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        [
            "5",
            "detected",
            "rows",
            "4",
            "readings",
            "table's",
            "8 x 8",
            "0",
            "98.75 %",
            "20,000",
            "positions",
            "same-row",
            "same-column",
            "20",
            "3",
            "columns",
            "family",
            "grid8",
        ],
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        [
            "Rows** are detected in every table",
            "difference",
            "detect",
            "table",
            "This test cannot rule one out",
            "+0.19",
            "+0.01",
            "+0.38",
            "+0.29",
            "grid6",
            "+0.08",
            "per-table",
            "appendix's",
            "primary",
            "detected",
            "shipped",
            "every",
            "grid8",
        ],
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        [
            "positions",
            "same-row",
            "alike",
            "same-column ones only sometimes",
            "2",
            "3",
            "correction",
            "appendix",
            "same-column",
            "sometimes",
            "grid8 s0, s1, s2",
            "grid6",
            "+0.29",
            "+0.46",
            "+0.31",
            "+0.48",
            "grid8",
            "+0.329",
            "+0.007",
            "+0.644",
            "0",
            "closeness",
            "20",
            "prediction",
            "columns",
            "similarity",
            "distance",
            "passes",
            "- **A trained table (appendix A):",
        ],
    ),
    ("appendix", "The centre patch's four neighbours (section 7)", ["7", "9", "trained", "step", "9 x 9"]),
    (
        "lesson",
        "Versions read",
        [
            "`8ef7380`",
            "`load_pretrained`",
            "`vit_jax/checkpoint.py`",
            "16fc24d",
            "`timm.layers.resample_abs_pos_embed(pos_embed, new_size=(24, 24))`",
            "1.0.28",
            "`timm.create_model(..., img_size=384)`",
            "`model(pixel_values, interpolate_pos_encoding=True)`",
            "5.23.0",
            "transformers",
            "installed",
            "package",
            "`Linear`",
            "1.23.6",
            "1.26.14",
            "LayerNorms",
            "also wraps the `linear` in two layernorms",  # fix01p (r29c minor 11): r25b item 5's pin, moved from section 4
            "8ef7380",
            "`requirements.txt`",
            "09",
            "`vit_base_patch16_224`",
            "resample_abs_pos_embed",
            "interpolate_pos_encoding",
            "`ViTForImageClassification(ViTConfig(num_labels=1000))`",
        ],
    ),
    # fix01n item 1 (r29a minor 7): one sentence on the main path; r29 density: moved to appendix F (the numbers)
    # fix01o item 4 (r29b minor 8): one clause left; r29 density: moved to appendix F (the +3.4 points)
    ("lesson", "2 · Where the map's 196 comes from", ["65,000", "table 6"]),
    # r33 density (fix01_33a): moved to the appendix, re-pointed (DeiT-B, the ink-free pointer, the training
    # command, the pooling aside, who uses which route)
    ("appendix", "The paper's evidence for more data (section 8)", ["deit-b", "81.8 %"]),
    ("appendix", "A whole-patch shift through the trained ViT (section 8)", ["digits with no ink in the wrapped band"]),
    ("appendix", "The lesson's pipeline on eight digits", ["python -m vit_explained.train"]),
    (
        "appendix",
        "How code starts the class token and the table (section 5)",
        ["global average pooling", "appendix d.3", "learning rate"],
    ),
    ("appendix", "The package's `PatchEmbedding` (section 4)", ["`PatchEmbedding`", "`LazyConv2d`", "lucidrains"]),
    # r33 density (fix01_33a item 4, r33a minor 4): Table 6 in one clause, its numbers in appendix F
    (
        "lesson",
        "2 · Where the map's 196 comes from",
        # a33b audit (item 3): the one pair appendix F gives, not a general rule; its check back in the hidden cell
        [
            # r33c minor 1: the points scoped: ImageNet top-1 after JFT pre-training (appendix F, Table 6)
            # fix01_35b (main-path words): the sentence moved to appendix F (pinned there: "about 4 times the compute
            # for +3.4 points", "table 6, which gives no error bars"); section 2 keeps the pointer
            # quick01_35b (a35b audit item 6): a whole sentence, tied to the paper
            "the paper's table 6 compares 16- and 32-pixel patches:"
            " [appendix f](01_patches_and_embeddings_appendix.ipynb#appendix-f)."
        ],
    ),
    # fix01y item 3 (r32a minor 3): Table 6's scores are fine-tuned, not 224x224 runs, without error bars (appendix F)
    (
        "appendix",  # r33 density (fix01_33a item 4): moved to appendix F with Table 6's numbers
        "The paper's Table 6: patch size against compute (section 2)",
        ["pre-trained on jft and fine-tuned", "these are fine-tuned scores, not scores at `224x224`", "no error bars"],
    ),
    (
        "appendix",
        "The paper's Table 6: patch size against compute (section 2)",
        [
            "about 4 times the compute for +3.4 points",
            "table 6, which gives no error bars",
            "84.15 %",
            "80.73 %",
            "224 and 55",
            "not scores at `224x224`",
        ],
    ),
    (  # fix01m item 2 (r28d minor 4): a three-line roadmap opens section 5; item 9: the shuffles bracket 27.7 %
        "lesson",
        "5 · The class token and position embeddings",
        [
            "**roadmap.** (1) *build* the encoder's input (eq. 1).",
            # r34c item 2 (fix01_34c): the body's order (shuffle, why, zero, retrain), the ablation included
            "(2) *shuffle* a trained model's patches. (3) *show* why ($\\pi a \\pi^\\top$).",
            "(4) *zero* its table. (5) *retrain* without one.",
            # fix01q item 5 (r29d minor 11): colons to sentences, no fact changed
            # r31 decision (fix01u item 1): the 27.7 % named as content alone
            # r32 density (fix01x item 5, r31c minor 10): 'within the ten shuffles' range' left to the hidden check
            # (asserted: the lowest shuffle < 27.7 % < the highest); the verdict kept
            # quick01_35b (main-path words): "from content alone" cut; the same fact is pinned just before it
            # ("sees only which patches are present, not where", r27d minor 2)
            "it gets 27.7 % right, shuffled or not, above chance (10 %).",
        ],
    ),
    # fix01m item 4 (r28d minor 7): a CNN layer is equivariant up to its stride (checked: 16 px vs 1 px)
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        [
            # r33 decision (fix01_33a item 5, r33a minor 9): the borders named too (zero padding; checked)
            "in every layer, up to its stride and zero-padded borders.",  # r33c: one word cut to pay, same fact
            # r31 density (fix01u): the two sizes are the printed line's (PRINTED: 'its own token 0.16')
            # r32 (fix01x item 5, r31c minor 10): two plain sentences, no fact changed
            # r33 (fix01_33a item 2, r33a minor 7): one unit per comparison: the block's tokens cover every pixel
            "after one vit block it changes all 197 tokens, by some amount (sizes printed above), and their patches cover"
            " all 50,176 pixels. one 3x3 conv changes 9 of those pixels, two convs 25.",
        ],  # fix01r item 1
    ),
    ("lesson", "3 · Patchify by hand", ["one red strip (3.4 image rows), not a patch"]),  # fix01m (r28d minor 6)
    # fix01_34a (carry item 2): the token widget lives at the slip, permute unticked; section 9 keeps the resize widget
    # a34a audit item 4: the widget's token slider named again
    ("lesson", "3 · Patchify by hand", ["move `token`, or tick `permute` for the square patch."]),
    ("lesson", "0 · The whole ViT on one page", ["below: the map, then its code.", "the code is the map in 14 lines"]),
    (  # fix01q item 6 (r29d minor 10): the 14 lines call two pieces opened later
        "lesson",
        "0 · The whole ViT on one page",
        # fix01y (r32a minor 8): 03-05, as the map's footer says
        ["`patch_embedding` is opened in section 4, each `block` in lessons 03-05."],
    ),
    (
        "appendix",
        "Add the positions, or append them? (section 5)",
        ["5", "positions", "section", "consistent with adding costing little here", "0.14", "0.10", "1"],
    ),
    ("lesson", "Exercise 2 · Build the encoder's input, Eq. 1", ["Hint:"]),
    (
        "appendix",
        "A stricter reading: one family of 20",
        [
            "+0.19",
            "grid6",
            "-0.01",
            "+0.40",
            "20",
            "+0.47",
            "+0.48",
            "intervals",
            "1",
            "0.05",
            "99.75 %",
            "6",
            "stricter",
            "family",
            "grid8",
        ],
    ),
    (
        "appendix",
        "Dual PatchNorm (section 4)",
        ["appendix-f", "2023", "PatchNorm", "`bdaf2d1`", "0.40.2 has the `linear` alone"],
    ),
    (  # fix01i D, moved from section 8 (r25b item 2): the paper's 'only MLP layers are local', probed
        "appendix",
        "The block's two sub-layers alone (section 8)",
        [
            "mlp sub-layer changes 1 of 197 tokens",
            "its attention sub-layer 197 of 197",
            '"only mlp layers are local", as printed',
        ],
    ),
    (  # fix01i item 2 (r27f minors 1, 2): section 6's statistics and hedges moved here from the lesson
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        [
            "descriptive counts",
            "not independent draws",
            "partly trained runs",
            "does not test whether longer training changes them",
            "4, 6 and 4 patches have best and runner-up within 0.01",
            "(bonferroni)",
            "similarity to the patch below minus to the right holds 0 on all three (grid8 s0: +0.02 [-0.16, +0.19])",
            "same column minus neither row nor column is above 0 on grid8 s0 and, barely, s1",
            "(+0.19 [+0.03, +0.37], +0.18 [+0.004, +0.39]); on s2 it holds 0 (+0.15 [-0.01, +0.33])",
            "a random pick: 3.4",
        ],
    ),
    (
        "appendix",
        "The 768 coincidence, and ViT-S (section 2)",
        ["appendix-g", "16", "TMLR 2022", "ViT-S/16", "DeiT", "DeiT-S", "ViT-S", "8", "768", "07", "T2T-ViT"],
    ),
    (
        "appendix",
        "The paper's evidence for more data (section 8)",
        [
            "ViT",
            "ViT-Large",
            "ViT-Base",
            "3",
            "4.3",
            "77.9 %",
            "16",
            "384",
            "5",
            "ViT-B/16",
            "ImageNet",
            "DeiT",
            "81.8 %",
            "224",
            "DeiT-B",
            "BiT",
            "ResNets",
        ],
    ),
    ("appendix", "Five patches' maps, two models", ["explanation", "confounded", "measures"]),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        [
            "1",
            "0.05",
            "4",
            "98.75 %",
            "positions",
            "same-row",
            "alike",
            "grid8",
            "+0.004",
            "2",
            "5",
            "6",
            "3",
            "compact",
            "patch's",
            "grid6",
            "36",
            "resamples",
            "interval",
            "similarity",
            "distance",
            "readings",
        ],
    ),
    (
        "lesson",
        "References",
        [
            "Vaswani",
            "1706.03762",
            "arXiv",
            "2017",
            "2106.10270",
            "1805.12177",
            "1904.11486",
            "Dive into Deep Learning",
            "1.23.6",
            "Dosovitskiy",
            "arXiv:2010.11929",
            "Touvron",
            "arXiv:2012.12877",
            "Yuan",
            "arXiv:2101.11986",
        ],
    ),
    (
        "appendix",
        "Why `(p1 p2 c)` is the paper's $E$ (section 5)",
        [
            "`(P, P, C, D)`",
            "HWIO",
            "`(p1 p2 c)`",
            "JAX",
            "| $E_{pos}$ | `vit.pos_embedding` |",
            "| $x_\\text{class}$ | `vit.class_token` |",
        ],
    ),
    ("lesson", "3 · Patchify by hand", ["0", "14", "channel's", "colour"]),
    (
        "appendix",
        "How code starts the class token and the table (section 5)",
        ["`posemb_init`", "0.02", "JAX", "`torch.randn`", "global_pool='avg'", "9", "D.3", "trunc_normal_"],
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        [
            # fix01i D, moved from section 8 (r25d item 1): the ink-free digits' range
            "digits with no ink in the wrapped band still lose 9.3 to 24.1 points by direction (every 95 % interval below",
            "9.2",
            "-11.2",
            "-7.3",
            "97.4 %",
            "88.2 %",
            "1,000",
            "95 %",
            "2",
            "shifts",
            "wrapped ink does not explain the drop",  # r25d item 1
            "(9.3 points, the control below)",
            "shifts larger than this recipe's 2 px",
            "7.3",
            "11.2",
            "not one verdict changes",
            "is what breaks equivariance to whole-patch shifts",
        ],
    ),
    (
        "appendix",
        "The package's `PatchEmbedding` (section 4)",
        [
            "`768 * 768 + 768 = 590,592`",
            "`img_to_patch`",
            "`permute(0, 2, 4, 1, 3, 5)`",
            "15",
            "tutorial",
            "`flatten`",
            "`(B, N, C*P*P)`",
        ],
    ),
    (
        "appendix",
        "A closeness-only control",
        ["These two readings measure closeness", "So these two readings measure closeness", "0", "control", "puts"],
    ),
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        [
            "0.013",
            "0.8",
            "untrained",
            "larger",
            "output",
            "1",
            "3",
            "10",
            "as large as the tokens",
            "untrained one-block model",
            "0.75",
            "1.01",
        ],
    ),
    ("appendix", "Digits anywhere: the grid6 runs", ["`8x8`", "6 x 6", "16", "6x6", "6", "8 x 8", "8x8"]),
    ("lesson", "Exercise 1 · Count the tokens", ["`int`", "`197.0`", "0", "appendix", "divide", "image"]),
    (
        "appendix",
        "The sinusoid table (section 5)",
        ["`posemb_sincos_2d`", "2205.01580", "arXiv", "2111.06377", "`get_2d_sincos_pos_embed`"],
    ),
    (
        "appendix",
        "D · What the patch embedding learns",
        [
            "30",
            "kernels",
            "inside",
            "low-frequency",
            "components",
            "consistent",
            # fix01q (r29d, against d2l/UvA): the paper's own reading of its Fig. 7 (left), section 4.5 of arXiv v2
            '"resemble plausible basis functions for a low-dimensional representation of the fine structure within each'
            ' patch" (section 4.5)',
        ],
    ),
    ("appendix", "B · Section 7's evidence", ["7", "evidence", "Section"]),
    (
        "appendix",
        "Five comparisons (section 7)",
        ["7", "comparisons", "Section", "2", "95.4 %", "96.4 %", "-1.0", "-2.1", "+0.0", "2-D"],
    ),
    ("appendix", "Why 0.80? (section 4)", ["positions", "scrambles", "photo's", "0.80"]),
    # r29 density: moved to appendix E (fix01n item 1, r29a minor 8): section 4's kernel-slip picture and its caption
    # r32c MAJOR round: the "(moved from section N)" process notes removed from the appendix
    ("appendix", "Why 0.80? (section 4)", ["correct token number", "the slip, drawn."]),
    (  # r32 density (fix01x item 5): section 4's kernel slip, moved here with its pins (r25b item 4, r31a minor 7)
        "appendix",
        "Why 0.80? (section 4)",
        [
            "yet the wrong tokens correlate 0.80 with the right ones.",  # r32c MAJOR round: no process note
            "a correlation only tells you the tokens are alike; an exact comparison shows they are wrong.",
            "why so high? the photo is smooth and all-positive, tested below.",
        ],
    ),
    (  # r32 density (fix01x item 5): section 7's library clause, moved here (r27b minor 4, r30c minor 4's wording)
        "appendix",
        "Three kernels in the wild: the paper's code, timm, Hugging Face",
        [
            "libraries differ in kernel: timm (antialiased) and hugging face (not) resize bicubically by default, the"
            " paper's code linearly: scipy `zoom(order=1)` (the list below",  # r32c MAJOR round: no process note
        ],
    ),
    ("lesson", "9 · Explore", ["+0.41", "+0.10", "Carry the learned table"]),
    # fix01y item 3 (r32a minor 4): the kernel named
    ("lesson", "9 · Explore", ["switch the 2-d bicubic `resize` to `1-d`"]),
    # fix01_35a (r34e minor 2): the widget's still is a grid section 7 does not draw (11 x 11); the quoted pair is 9 x 9's
    ("lesson", "9 · Explore", ["at 9 x 9, switch the 2-d bicubic `resize` to `1-d`"]),
    ("appendix", "Neighbour below against neighbour to the right", ["column", "pooled", "mixes"]),
    ("appendix", "The hybrid ViT (section 8)", ["3.1", "ViT", "`1x1`"]),
    ("appendix", "01 · Appendix: the evidence and asides behind lesson 01", ["01_patches_and_embeddings_appendix"]),
    (
        "appendix",
        "Three kernels in the wild: the paper's code, timm, Hugging Face",
        ["resample_abs_pos_embed", "interpolate_pos_encoding", "0.3", "3.8", "detectably", "differ"],
    ),
]


@pytest.mark.parametrize(("where", "heading", "facts"), FACTS, ids=[f"{w}:{h[:40]}" for w, h, _ in FACTS])
def test_section_states_its_facts(where: str, heading: str, facts: list[str]) -> None:
    text = prose(where, heading)
    missing = [f for f in facts if nb.flat(f).lower() not in text]
    assert not missing, (where, heading, missing)


# ---------------------------------------------------------------- printed outputs, exactly as stored
# (notebook, heading, text): a cell under that heading printed the text (same numbers, same digits).
PRINTED = [
    # r25b items 1, 2, 8: the four rolls, the two sub-layers alone, the fresh table's std
    # fix01r item 1 (r30a minor 1): every token changes, by very different amounts (float64, the untrained block)
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "after one ViT block, largest change: its own token 0.16, the median other token 0.00096",
    ),
    (  # fix01y item 4 (r32a minor 7): the ratio printed beside the two sizes (a printed line, no added prose)
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "the median other token 0.00096 (164 times less)",
    ),
    # r34c MAJOR 1 (fix01_34c): the package's small CNN, the same rolls, paired; and the ViT's drop minus the CNN's
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        # fix01_35b (r35a minor 4): one 4-row table, points lost (roll_table)
        "points lost to a one-patch roll (unrolled: ViT 97.4 %, CNN 95.6 % right), paired 95 % intervals",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "direction  ViT loses            CNN loses            ViT loses more by",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "right      9.2 [7.3, 11.2]      0.4 [-0.3, 1.2]      8.8 [6.9, 10.8]",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "down       24.7 [22.0, 27.4]    3.6 [2.1, 5.1]       21.1 [18.1, 24.1]",
    ),
    # r34c item 3 (fix01_34c): section 6's two fresh runs, rows and columns, printed before its prose
    (
        "lesson",
        "6 · Going deeper: what a trained ViT learned about positions",
        # fix01_35a (r34e minor 3): the header names the 36 inner patches the readings use (counted by the report)
        "cosine similarity minus pairs sharing neither row nor column, over the 36 inner patches [interval; a run's four"
        " readings together at 95 %]",
    ),
    (
        "lesson",
        "6 · Going deeper: what a trained ViT learned about positions",
        "seed 1: same row +0.45 [+0.21, +0.69], same column +0.18 [+0.004, +0.39]",  # fix01_35b: named by seed
    ),
    (
        "lesson",
        "6 · Going deeper: what a trained ViT learned about positions",
        "seed 2: same row +0.48 [+0.26, +0.69], same column +0.15 [-0.01, +0.33]",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "left       11.0 [8.9, 13.1]     0.9 [0.2, 1.7]       10.1 [7.9, 12.3]",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "up         25.0 [22.2, 27.9]    1.6 [0.5, 2.7]       23.4 [20.4, 26.4]",
    ),
    # r25d item 1: the same rolls on the digits with no ink in the wrapped band (r27a minor 12: printed in appendix E)
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "points: -9.3, 95 % interval [-11.4, -7.2] (n = 806)",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "points: -24.1, 95 % interval [-27.2, -21.2] (n = 854)",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "right      9.2 [7.3, 11.2]",  # fix01_35b: the range's ends are the table's right and up rows
    ),
    # r27a minor 12: the two sub-layers alone are printed in appendix E; section 8 keeps one sentence
    (
        "appendix",
        "The block's two sub-layers alone (section 8)",
        "after the MLP sub-layer alone: 1 of 197 tokens change",
    ),
    (
        "appendix",
        "The block's two sub-layers alone (section 8)",
        "after the attention sub-layer alone: 197 of 197 tokens change",
    ),
    # fix01t item 3 (r30c minor 6): the std's own line folded into the 'with positions' line (cell 41 uses both)
    # r31 density: moved to appendix C (r33b item 3, r33b minor 5): the fresh table's spread, 0.02, printed by C's probe
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "table x  1: spread 0.02"),
    ("appendix", "Four readings on five tables, each table its own family", "row - neither    shipped +0.37*"),
    (
        "appendix",
        "A stricter reading: one family of 20",
        "shipped, 7 x 7       +0.37 [+0.10, +0.62]*",
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "border-border - border-inner: +0.43, 99 % interval [+0.24, +0.62]",
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "5 or 6 tokens apart: +0.24, 99 % interval [-0.01, +0.46]: no detectable difference",
    ),
    ("lesson", "7 · Going deeper: learned positions at a new resolution", "+45.8 points, 99 % interval [+41.6, +50.2]"),
    (  # r27a minor 13: section 7's count of the centred table moved to appendix A's first table (its printed split)
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "of these: left/right 24, above/below 1, diagonal 0",
    ),
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "encoder(shuffled) == shuffle(encoder(x)), to float32 rounding: True",
    ),
    ("lesson", "5 · The class token and position embeddings", "-> + positions (1, 197, 768)"),
    ("lesson", "5 · The class token and position embeddings", "patchify (1, 196, 768) -> Linear (1, 196, 768)"),
    (
        "appendix",
        "The digit shuffle (section 5)",
        "positions off: accuracy on 200 test digits 31.5 % shuffled, 31.5 % unshuffled; the 8 drawn: 5 right (5 unshuffled), the shuffle changes 0 guesses",
    ),
    (  # brief fix01a item 2: the widget's readout is the model's accuracy for the setting
        "appendix",
        "The digit shuffle (section 5)",
        "starting line: shuffle seed 1, positions on: accuracy on 200 test digits 27.5 % shuffled, 98.5 % unshuffled; the 8 drawn: 2 right (8 unshuffled), the shuffle changes 6 guesses",
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "3 tokens apart, within a row - 3 tokens apart, across rows: +0.00, 99 % interval [-0.40, +0.34]: no detectable difference",
    ),
    ("appendix", "Four readings on five tables, each table its own family", "below - right    shipped -0.18"),
    (
        "appendix",
        "Neighbour below against neighbour to the right",
        "shipped       adjacent in a column - adjacent in a row: -0.18, 99 % interval [-0.36, +0.02]: no detectable difference",
    ),
    ("appendix", "The digit shuffle (section 5)", "starting line: shuffle seed 1, positions on"),
    (
        "appendix",
        "A stricter reading: one family of 20",
        "column - neither: grid6 s0-s2 mean +0.19 (range +0.16 to +0.21); grid8 s0 +0.19",
    ),
    ("lesson", "2 · Where the map's 196 comes from", "50,177^2 / 197^2 = 64,875 times larger"),
    ("lesson", "5 · The class token and position embeddings", "test accuracy: 97.4% (974 of 1,000 held-out digits)"),
    ("lesson", "5 · The class token and position embeddings", "50 epochs"),
    ("lesson", "5 · The class token and position embeddings", "97.4%"),
    ("appendix", "Add the positions, or append them? (section 5)", "mean |cosine| with a position vector 0.14"),
    ("appendix", "Add the positions, or append them? (section 5)", "random directions in 64-D: mean |cosine| 0.10"),
    (
        "appendix",
        "Add the positions, or append them? (section 5)",
        "of them blank patches (one and the same vector): 62.0%",
    ),
    (
        "appendix",
        "Add the positions, or append them? (section 5)",
        "the 18,601 inked patches alone: mean |cosine| 0.14, variance along the 8 directions 10.6%",
    ),
    ("appendix", "The sinusoid table (section 5)", "row 0, first 6 columns: [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]"),
    ("lesson", "5 · The class token and position embeddings", "50 epochs on 3,500 training digits"),
    (  # r29 density: moved to appendix F (fix01o item 4, r29b minor 9): the recipe card's details
        "appendix",
        "The lesson's pipeline on eight digits",
        "weight decay 0.05, cosine schedule, label smoothing 0.1",
    ),
    ("appendix", "The lesson's pipeline on eight digits", "scaling by up to 10%"),  # r29 density: as above
    (
        "appendix",
        "A stricter reading: one family of 20",
        "+0.43 [+0.15, +0.69]*   +0.19 [-0.01, +0.40] ",
    ),
    (
        "appendix",
        "Interval widths: 16 against 36 inner patches",
        "interval width: grid6 s0-s2 0.99, 0.87, 0.86; grid8 s0 0.41",
    ),
    (
        "appendix",
        "Interval widths: 16 against 36 inner patches",
        "16 -> 36 inner patches alone: x 0.67, to 0.57-0.66",
    ),
    ("solutions", "Exercise 1 · Count the tokens", "Correct!"),
    ("appendix", "The four readings: every interval", "shipped, 7 x 7       +0.37 [+0.16, +0.57]*"),
    (
        "appendix",
        "Five comparisons (section 7)",
        "2-D bilinear at 36x36 - trained at 28x28: -2.0 points, 99 % interval [-3.8, -0.3]",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s1, same row - neither: +0.451, 98.75 % interval [+0.213, +0.690]",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s1, same column - neither: +0.176, 98.75 % interval [+0.004, +0.387]",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s2, same row - neither: +0.479, 98.75 % interval [+0.258, +0.692]",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s2, same column - neither: +0.150, 98.75 % interval [-0.007, +0.334]",
    ),
    ("appendix", "The confirmatory test: two new runs, grid8 s1 and s2", "grid8 s2 (74.5% of moved test digits right)"),
    ("appendix", "Five patches' maps, two models", "most similar patch is (2, 0)"),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "a stride-4 CNN stem",
    ),  # fix01j item 4: moved from section 8
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "moved 1 step (4 px): 0.00; 2 steps (8 px): 0.00; at 1 px, a quarter step: 0.32",
    ),
    # fix01j items 2 and 5: the no-position runs and the binomial, printed where the prose reads them
    (
        "lesson",
        "5 · The class token and position embeddings",
        # r32 decision (fix01z item 4, r32b minor 8): the three seed lines are one headline line (both arms, the gap)
        "without 75.1-81.0 % (the same recipe, 3 seeds each)",
    ),
    (  # fix01l item 2 (r28c minor 4): the binomial aside moved to appendix G
        "appendix",
        "The digit shuffle (section 5)",
        "4 or more of 8 right at a 21.8 % rate: 7.4% of the time (binomial)",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "patch tokens vs the old ones moved one grid column: largest difference 0.0",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "trained                97.4 %, 95 % interval [96.2, 98.2] % (n = 1000)",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "trained, shifted       88.2 %, 95 % interval [86.1, 90.1] % (n = 1000)",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "shifted one patch - unshifted: -9.2 points, 95 % interval [-11.2, -7.3]",
    ),
    (
        "appendix",
        "A whole-patch shift through the trained ViT (section 8)",
        "table zeroed: 0 verdicts differ, shifted or not",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s0, same row - neither: +0.433, 98.75 % interval [+0.208, +0.654]",
    ),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "grid8 s0, same column - neither: +0.195, 98.75 % interval [+0.034, +0.371]",
    ),
    ("lesson", "5 · The class token and position embeddings", "trained: 50 epochs on 3,500 training digits"),
    ("appendix", "Section 6's maps: three canvas runs", "pos_embedding (1, 65, 64), 20 epochs"),  # r29 density: fix01s
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 0: moved test digits 76.8% right",  # fix01i item 2: the codename lives in appendix A
    ),
    (  # r29 density: moved to appendix G (fix01t item 3, r30c minor 5): no sentence used the lesson's B/32 line
        "appendix",
        "Patch size sets the cost",
        "attention matrix, B/16 over B/32: 197^2 / 50^2 = 15.5 times",
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "after the input step (z0):   1 of    197 tokens change",  # r33b item 4 (r33b minor 7): the unit in the print
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "after one ViT block:    197 of    197 tokens change",  # r33b item 4 (r33b minor 7): the unit in the print
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "after one 3x3 conv:       9 of 50,176 pixels change",  # r33b item 4 (r33b minor 7): the unit in the print
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        "after two 3x3 convs:     25 of 50,176 pixels change",  # r33b item 4 (r33b minor 7): the unit in the print
    ),
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "with positions, mean change                0.013 (mean vs mean)",
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "grid8 s0, same row - same column (matched distances): +0.239 [-0.096, +0.565]",
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "grid8 s1, same row - same column (matched distances): +0.275 [-0.079, +0.616]",
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "grid8 s2, same row - same column (matched distances): +0.329 [+0.007, +0.644]",
    ),
    (
        "appendix",
        "The lesson's pipeline on eight digits",
        "shifts up to 2 px",
    ),  # r29 density: moved to appendix F (fix01o)
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "typical |output|, for scale                0.8",
    ),
    (
        "appendix",
        "Five comparisons (section 7)",
        "2-D bilinear - 2-D bicubic: -1.0 points, 99 % interval [-2.1, +0.0]: no detectable difference",
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12): the reference tables left section 6
        "appendix",
        "Two reference tables (section 6)",
        "a table of token order only (1-D sinusoid): left/right 36, above/below 0, diagonal 0\n",
    ),
    (  # fix01l item 2 (r28c minor 5): section 6 keeps one test; the Wilson line is appendix A's
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "a random pick: an adjacent patch above, below or diagonal 10%, 3.4 of 36",
    ),
    (
        "lesson",
        "5 · The class token and position embeddings",
        # fix01t item 3 (r30c minor 6): the std's own line folded into this one (cell 41's sentence uses both)
        # r33b item 3 (r33b minor 5): one side number, for scale; the std moved to appendix C (row above)
        "with positions added after the shuffle     0.05 (the output's largest number: 3.4)",
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        "row - neither    shipped +0.37*  grid6 s0 +0.47*  grid6 s1 +0.55*  grid6 s2 +0.48*  grid8 s0 +0.43*",
    ),
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        "grid8 s2 (74.5% of moved test digits right), same column - neither",
    ),
    (
        "appendix",
        "Digits anywhere: the grid6 runs",
        "grid6 s0 (test digits moved the same way: 83.2% right)",
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 0: moved test digits",
    ),  # r29 density: fix01r item 4
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 1: moved test digits",
    ),  # r29 density: fix01r item 4
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 2: moved test digits",
    ),  # r29 density: fix01r item 4
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "table x  1: spread 0.02, largest change 0.05",
    ),
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "x 3 against x 1, seed by seed: 1.78 to 2.23 times the change",
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "an adjacent patch above, below or diagonal 10%, 3.4 of 36",
    ),
    ("appendix", "Section 6's three runs, with intervals", ", 98.75 % interval ["),
    # fix01t item 3 (r30c minor 7): the pixel-reach line cut (no sentence used it); the hidden check keeps
    # the numbers ('assert window == {"the input step (z0)": 256', its FOLLOWS row)
    ("lesson", "5 · The class token and position embeddings", "unshuffled 97.4 %"),
    (  # r31 decision (fix01v item 3, r31b minor 4): the lesson's binomial line went into its hidden check; appendix G
        "appendix",  # prints the same chance
        "The digit shuffle (section 5)",
        "4 or more of 8 right at a 21.8 % rate",  # fix01o item 4 (r29b minor 6); fix01u (r31a minor 10)
    ),
    ("lesson", "5 · The class token and position embeddings", "patches shuffled 21.8 %"),
    ("lesson", "5 · The class token and position embeddings", "19.4 % to 32.6 % right"),
    ("lesson", "5 · The class token and position embeddings", "unshuffled 27.7 %"),
    # fix01o item 1 (r29b M1): the with-positions arm's 3 seeds and the gap over every seed pair
    (
        "lesson",
        "5 · The class token and position embeddings",
        "trained with positions 96.1-97.4 %, without",  # r32 decision (fix01z item 4): one headline line
    ),
    (
        "lesson",
        "5 · The class token and position embeddings",
        "15.1 to 22.3 points over the 9 seed pairs",  # r32 decision (fix01z item 4): one headline line
    ),
    ("lesson", "5 · The class token and position embeddings", "ten permutations (seeds 0-9)"),
    ("lesson", "5 · The class token and position embeddings", "shuffled 27.7 %; 0 verdicts differ"),
    ("lesson", "5 · The class token and position embeddings", "unshuffled 27.7 %, shuffled 27.7 %; 0 verdicts differ"),
    (  # r29 density: moved to appendix A (fix01r item 4)
        "appendix",
        "Two reference tables (section 6)",
        # r27b M1: the 2-D table is a tie (left/right and above/below equally similar); how it splits is float rounding
        # fix01k item 1 (r28b M1): no split is printed (the measured 20/16 is float rounding; "18 of 36" was not measured)
        # fix01n item Z (r29a minor 5): the rings say it; no float-rounding aside (still no split printed)
        "a 2-D sin-cos table (half the channels code the row, half the column): left/right and above/below equally "
        "similar for all 36: a tie (the rings); diagonal 0",
    ),
    ("lesson", "5 · The class token and position embeddings", "with positions added after the shuffle     0.05"),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "table x  1: spread 0.02"),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "table x  3: spread 0.06"),
    (
        "appendix",
        "C · Section 5's probe: a larger table, in the untrained mode",
        "table x 10: spread 0.20, largest change 0.10",
    ),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "for scale                0.8"),
    ("appendix", "The lesson's pipeline on eight digits", "image                     (8, 1, 28, 28)"),
    ("appendix", "The lesson's pipeline on eight digits", "patches                   (8, 49, 16)"),
    ("appendix", "The lesson's pipeline on eight digits", "logits                    (8, 10)"),
    (  # r29 density: moved to appendix B (fix01n item 1, r29a minor 9)
        "appendix",
        "Five comparisons (section 7)",
        "2-D bicubic at 36x36 - trained at 28x28: -1.0 points, 99 % interval [-2.6, +0.5]",
    ),
    (
        "lesson",
        "7 · Going deeper: learned positions at a new resolution",
        "2-D bilinear - 1-D linear: +45.8 points, 99 % interval [+41.6, +50.2]",
    ),
    (
        "appendix",
        "The centre patch's four neighbours (section 7)",
        "trained, 7 x 7             centre (3, 3) vs below +0.22, above +0.01, left +0.30, right +0.31",
    ),
    (
        "appendix",
        "The centre patch's four neighbours (section 7)",
        "2-D bicubic (timm), 9 x 9  centre (4, 4) vs below +0.41",
    ),
    (
        "appendix",
        "The centre patch's four neighbours (section 7)",
        "1-D stretch, 9 x 9         centre (4, 4) vs below +0.10",
    ),
    (
        "appendix",
        "An image the patch does not divide (section 4)",
        "Conv2d(stride=16): (1, 768, 14, 14), the last 6 rows and columns never read",
    ),
    (
        "appendix",
        "An image the patch does not divide (section 4)",
        "patchify (reshape): ValueError: image height 230 is not divisible by patch size 16",
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "3 tokens apart, within a row - 3 tokens apart, across rows: +0.00, 99 % interval [-0.40, +0.34]",
    ),
    ("lesson", "5 · The class token and position embeddings", "without positions (float32 rounding only)  below 1e-5"),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        "grid6 s0-s2 pooled, same row - neither: +0.50 [+0.29, +0.73] (97.5 %)",
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        "grid6 s0-s2 pooled, same column - neither: +0.19 [+0.01, +0.38] (97.5 %)",
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        "shipped, 7 x 7       +0.37 [+0.10, +0.62]*   +0.08 [-0.09, +0.29]    +0.29 [-0.04, +0.59]",
    ),
    ("appendix", "A stricter reading: one family of 20", "-0.18 [-0.40, +0.07]"),
    ("appendix", "A stricter reading: one family of 20", "+0.00 [-0.29, +0.32]"),
    ("appendix", "A stricter reading: one family of 20", "-0.10 [-0.38, +0.23]"),
    ("appendix", "A stricter reading: one family of 20", "-0.09 [-0.36, +0.21]"),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "shifted 16 px: patch tokens vs the old ones moved 1 grid step(s): 0.00",
    ),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "shifted  1 px: patch tokens vs the old ones moved 0 grid step(s): 0.31",
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 1: moved test digits 83.0% right",
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "seed 2: moved test digits 74.5% right",
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "an adjacent patch above, below or diagonal 12",
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "an adjacent patch above, below or diagonal 16",
    ),
    (
        "lesson",
        "2 · Where the map's 196 comes from",
        "attention matrix per head: 50,177^2 / 197^2 = 64,875 times larger",
    ),
    ("lesson", "2 · Where the map's 196 comes from", "times larger with a token per pixel"),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "(8 tokens away)",
    ),  # r29 density: fix01r item 4
    ("lesson", "3 · Patchify by hand", "token  14 = grid row  1, column  0: True"),
    # fix01m item 3 (r28d 'reading the model's code'): the forward, read live, each line beside its map box
    ("lesson", "0 · The whole ViT on one page", "# ViT.forward_features (vit_explained/vit.py)"),
    ("lesson", "0 · The whole ViT on one page", "        tokens = block(tokens)  # map: blocks"),
    (
        "lesson",
        "0 · The whole ViT on one page",
        "return torch.cat([class_tokens, tokens], dim=1) + positions  # map: + class token, positions",
    ),
    (
        "lesson",
        "0 · The whole ViT on one page",
        'return tokens[:, 0] if pool == "cls" else tokens[:, 1:].mean(dim=1)  # map: norm, class token',
    ),
    (  # fix01n item 1 (r29a minor 9): one printed line with the headline accuracies
        "lesson",
        "7 · Going deeper: learned positions at a new resolution",
        # r33c minor 2: the 28x28 reading dropped from the line (its comparisons change the digits too; appendix B
        # prints them with their intervals)
        "36x36 digits right: 2-D bicubic 96.4 %, 2-D bilinear 95.4 %, 1-D linear 49.6 %\n",
    ),
    # fix01u item 3 (r31a minor 3): the no-positions floor the prose names
    ("lesson", "7 · Going deeper: learned positions at a new resolution", "no patch positions: 30.0 %"),
    # fix01u item 6 (r31a minor 10): the eight drawn digits against 21.8 %, as a binomial chance
    # r31 decision (fix01v item 3, r31b minor 4): the lesson's line moved into cell 36's hidden check (it asserts the
    # 7 %); the figure's title keeps '4 of these 8 right; 21.8 % of all 1,000'; appendix G prints the chance
]


@pytest.mark.parametrize(("where", "heading", "text"), PRINTED, ids=[f"{w}:{t[:40]}" for w, _, t in PRINTED])
def test_section_prints(where: str, heading: str, text: str) -> None:
    printed = section(where, heading, "printed")
    assert text in printed or nb.flat(text) in nb.flat(printed), (where, heading, text)


# ---------------------------------------------------------------- the code and the hidden checks beside the numbers
# (notebook, heading, code, hidden): a code cell under that heading (a folded check when hidden) holds the code.
CODE = [
    (
        "appendix",
        "A stricter reading: one family of 20",
        "reports_20 = {name: position_structure_report(",
        False,
    ),
    (
        "appendix",
        "Digits anywhere: the grid6 runs",
        "\nreports = {name: position_structure_report(",
        False,
    ),
    ("lesson", "5 · The class token and position embeddings", "plot_shuffled_digits(", False),
    ("lesson", "7 · Going deeper: learned positions at a new resolution", "paired_difference(bilinear, one_d", False),
    ("lesson", "5 · The class token and position embeddings", "torch.cat([class_tokens, tokens], dim=1)", False),
    ("appendix", "The lesson's pipeline on eight digits", "add_class_token(", False),
    ("lesson", "5 · The class token and position embeddings", "sequence = with_class + vit.pos_embedding", False),
    ("appendix", "Five comparisons (section 7)", "proportion(right)", False),
    ("lesson", "7 · Going deeper: learned positions at a new resolution", "correct = stored_resolution_run()", False),
    ("lesson", "3 · Patchify by hand", 'token_widget.controls["permute"].value = False', False),  # fix01_34a
    ("lesson", "3 · Patchify by hand", "no_permute = x.reshape", False),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        '"below - right": adjacent_row_column(t, g, confidence=level, resamples=draws)',
        False,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        '"below - right": adjacent_row_column(t, g, confidence=confidence_20)',
        False,
    ),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "structure = position_structure_report(mnist_vit",
        False,
    ),
    (
        "lesson",
        "5 · The class token and position embeddings",
        "vit.class_token.expand(B, -1, -1)  # (B, 1, D): one copy per image",
        False,
    ),
    ("appendix", "Five patches' maps, two models", 'save_figure(fig, "01_learned_positions")', False),
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        "new_runs = {seed: stored_shifted_positions",
        False,
    ),
    ("appendix", "Neighbour below against neighbour to the right", "adjacent |= ", False),
    ("appendix", "The centre patch's four neighbours (section 7)", "all four more alike", True),
    ("appendix", "The digit shuffle (section 5)", "seed=1)", False),
    ("appendix", "The digit shuffle (section 5)", "shuffle_demo = digit_shuffle_widget(", False),
    ("appendix", "The digit shuffle (section 5)", "scored=(digits[:200], labels[:200])", False),
    ("appendix", "The digit shuffle (section 5)", "assert shuffle_demo.accuracy(0, True) == seed0", True),
    ("appendix", "Add the positions, or append them? (section 5)", "mean_cosine < 0.2 and inked_cosine < 0.2", True),
    (
        "appendix",
        "A stricter reading: one family of 20",
        'shipped["row - column"].detectable',
        True,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        'not any(row["row - column"].detectable for row in seeds)',
        True,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        'not fine_row["row - column"].detectable',
        True,
    ),
    ("appendix", "The sinusoid table (section 5)", "plot_sinusoid(", False),
    ("appendix", "The digit shuffle (section 5)", "digit_shuffle_widget(", False),
    ("appendix", "The position maps (section 6)", "position_similarity_widget(", False),
    ("appendix", "Patch size sets the cost", "patch_grid_widget(", False),
    ("appendix", "The lesson's pipeline on eight digits", "digit_sequence = add_class_token(", False),
    ("lesson", "5 · The class token and position embeddings", "len(mnist.train_images) == 3_500", True),
    (
        "appendix",
        "A stricter reading: one family of 20",
        'not fine_row["column - neither"].detectable',
        True,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        'fine_row["column - neither"].difference.low < 0 < fine_row["column - neither"].difference.estimate',
        True,
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "position_structure_report(table, (8, 8)",
        False,
    ),
    ("lesson", "0 · The whole ViT on one page", "save_figure(fig", False),
    (
        "appendix",
        "A stricter reading: one family of 20",
        "abs(confidence_20 - 0.9975) < 1e-12",
        True,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        '[row["row - neither"].detectable for row in seeds] == [False, True, False]',
        True,
    ),
    (
        "appendix",
        "A stricter reading: one family of 20",
        "confidence_20 = 1 - 0.05 / 20",
        False,
    ),
    (  # r29 density: moved to appendix A (fix01s item 2, r30b M2)
        "appendix",
        "Section 6's maps: three canvas runs",
        'save_figure(fig, "01_learned_positions_fine_grid")',
        False,
    ),
    ("appendix", "Interval widths: 16 against 36 inner patches", "round(fewer, 2) == 0.67", True),
    ("appendix", "Interval widths: 16 against 36 inner patches", "width_reports = {", False),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        "level, draws = 1 - 0.05 / 4, 20_000",
        False,
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        'marks["row - neither"] == [True] * 5',
        True,
    ),
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        "position_structure_report(table, (8, 8), confidence=level, resamples=draws)",
        False,
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        "abs(level - 0.9875) < 1e-12 and draws == 20_000",
        True,
    ),
    ("appendix", "Five comparisons (section 7)", 'points["new size, bilinear"] == (-2.0, -3.8, -0.3)', True),
    ("lesson", "2 · Where the map's 196 comes from", "# equal for ViT-B/16 only (ViT-B/32: 32 * 32 * 3 = 3072)", True),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "round(equivariance[1][0], 2) == 0.31",
        True,
    ),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "gap_maps, stem_gap = shift_gaps(x, conv)",  # brief fix01a item 1: the roll itself is in the package,
        False,  # tests/test_lesson01_code.py checks it against the inline probe this cell held
    ),
    ("appendix", "Section 6's three runs, with intervals", '(1, "same row - neither"): (0.451, 0.213, 0.69)', True),
    ("appendix", "Section 6's maps: three canvas runs", "01_learned_positions_fine_grid", False),  # fix01s
    # fix01o item 4 (r29b minor 5): the import wall shrank; the helper is imported in the cell that draws it
    ("appendix", "Section 6's maps: three canvas runs", "plot_position_similarity_pair", False),  # fix01s
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        "assert [d.low > 0 for d in confirm.values()] == [True, True, True, False]",
        True,
    ),
    ("appendix", "Five patches' maps, two models", "assert near[5, 5].tolist() == [2, 0]", True),
    (
        "appendix",
        "The confirmatory test: two new runs, grid8 s1 and s2",
        "-> {'confirmed' if d.low > 0 else 'not confirmed'}",
        False,
    ),
    ("appendix", "The patch cut under shifts (section 8)", "stem_gap[4] < 1e-5", True),
    ("lesson", "9 · Explore", "two_d_c, one_d_c = (patch_position_similarity(tables[name], new_grid)[4, 4]", True),
    ("lesson", "9 · Explore", "resize_widget.line ==", True),
    ("lesson", "5 · The class token and position embeddings", "tail = sum(math.comb(8, k)", True),  # fix01v item 3
    ("appendix", "A whole-patch shift through the trained ViT (section 8)", "points == (-9.2, -11.2, -7.3)", True),
    ("lesson", "9 · Explore", "resize_widget.compute(grid=9", True),
    ("lesson", "9 · Explore", "one_d_c[4, 3]", True),
    ("lesson", "9 · Explore", "two_d_c[4, 5]", True),
    ("lesson", "9 · Explore", "> 0.5", True),
    # fix01_35a (r34e minor 2): the still starts on a grid section 7 does not draw; its line is rebuilt from
    # interpolate_positions. a35a audit item 1: an odd grid (11 x 11), so the centre patch (5, 5) is the centre
    ("lesson", "9 · Explore", "resized_positions_widget(mnist_vit, grid=11)", False),
    ("lesson", "9 · Explore", 'assert resize_widget.line == "11 x 11 grid (122 tokens), 2-D bicubic resize', True),
    ("lesson", "9 · Explore", 'assert line_2d == "9 x 9 grid (82 tokens), 2-D bicubic resize', True),
    # fix01_35a (r34e MAJOR 1): 'the table starts random': vit.py's init, and a fresh draw shows no row effect
    ("lesson", "6 · Going deeper", 'assert "nn.init.trunc_normal_(self.pos_embedding, std=0.02)" in inspect', True),
    ("lesson", "6 · Going deeper", "rows[0].low < 0 < rows[0].high", True),
    # a35a audit item 4: the runs' own starting tables (the mnist preset, channels=1, depth 4, seeded as the runs were)
    ("lesson", "6 · Going deeper", 'run_recipe = dataclasses.replace(PRESETS["mnist"], **run["recipe"])', True),
    ("lesson", "6 · Going deeper", "begun = run_recipe.build_model(SimpleNamespace(image_size=48))", True),
    # fix01_35a (r34e minor 3): the inner-patch count is the report's, not typed
    ("lesson", "6 · Going deeper", "inner = {report.num_inner for report in reports.values()}.pop()", False),
    (  # r29 density: moved to appendix A (fix01s item 2)
        "appendix",
        "Section 6's maps: three canvas runs",
        '"seed 0: 48x48 canvas, 8 x 8 grid"',  # fix01i item 2: the codename lives in appendix A
        False,
    ),
    ("appendix", "Section 6's three runs, with intervals", "(0.433, 0.208, 0.654)", True),
    (
        "lesson",
        "5 · The class token and position embeddings",
        "# 5,000 real MNIST digits: 3,500 to train on, 500 to validate, the model's 1,000 test digits",
        False,
    ),
    ("lesson", "4 · Three ways to embed the patches, one computation", "== 590_592", True),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "98.75 % = 1 - 0.05 / 4: a table's 4 readings (the two below; row - column and below - right above) are one ",
        False,
    ),
    ("lesson", "2 · Where the map's 196 comes from", "patch_grid(H, W, 32)", True),  # fix01t: in the check
    ("lesson", "2 · Where the map's 196 comes from", "(rows32, cols32) == (7, 7)", True),
    (
        "appendix",
        "The patch cut under shifts (section 8)",
        "(7x7 conv at stride 2, 2x2 max-pool)",
        False,
    ),
    ("appendix", "The patch cut under shifts (section 8)", "stem_gap[8] < 1e-5", True),
    # fix01j item 2; r33 (fix01_33a item 1, r33a minor 3): one loader named for what it returns
    (
        "lesson",
        "5 · The class token and position embeddings",
        'withpos, nopos = ablation["with"], ablation["without"]',
        False,
    ),
    ("lesson", "5 · The class token and position embeddings", 'stored_nopos_runs("lesson01_withpos.json")', True),
    (
        "lesson",
        "5 · The class token and position embeddings",
        "[round(100 * v, 1) for v in nopos.values()] == [78.1, 75.1, 81.0]",
        True,
    ),
    (
        "appendix",
        "The digit shuffle (section 5)",
        "assert round(at_least, 3) == 0.074",
        True,
    ),  # fix01j item 5; fix01l item 2: in appendix G
    (
        "lesson",
        "2 · Where the map's 196 comes from",
        "# a patch's 768 numbers = ViT-B/16's D by coincidence: appendix F",
        False,
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        '"two 3x3 convs": (25, 50_176)',
        True,
    ),
    ("lesson", "8 · What a ViT does not build in (the paper's reason it needs more data)", "plot_pixel_reach(", False),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        '"one ViT block": (197, 197)',
        True,
    ),
    ("lesson", "8 · What a ViT does not build in (the paper's reason it needs more data)", "one_pixel_reach(", False),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", '"0.013"', True),
    (
        "appendix",
        "Section 6's three runs, with intervals",
        "row - column and below - right above) are one family",
        False,
    ),
    ("appendix", "Section 6's three runs beyond the nearest neighbours", "2: (0.329, 0.007, 0.644)", True),
    ("appendix", "A closeness-only control", "matched.low < 0 < matched.high", True),
    ("appendix", "Five comparisons (section 7)", "(-1.0, -2.1, 0.0)", True),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "{0: (29, 36, 12), 1: (32, 36, 12), 2: (31, 36, 8)}",
        True,
    ),
    ("lesson", "5 · The class token and position embeddings", "patchify(x, P) @ E + bias", True),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "assert split == {0: (17, 12, 0), 1: (16, 12, 4), 2: (19, 8, 4)}",
        True,
    ),
    (  # r29 density: moved to appendix A (fix01r item 4)
        "appendix",
        "Two reference tables (section 6)",
        "(sequence_only.left_right, sequence_only.above_below, sequence_only.diagonal) == (36, 0, 0)",
        True,
    ),
    ("lesson", "5 · The class token and position embeddings", 'f"{output_size:.1f}" == "3.4"', True),
    (
        "appendix",
        "Three kernels in the wild: the paper's code, timm, Hugging F",
        'assert not torch.allclose(torch.from_numpy(paper), resized["2-D bilinear"], atol=1e-3)',
        True,
    ),
    (
        "appendix",
        "Four readings on five tables, each table its own family",
        '["shipped, 7 x 7", "grid6 s0", "grid6 s1", "grid6 s2",\n                          "grid8 s0"]',
        True,
    ),
    (
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        "assert [d.low > 0 for d in matched.values()] == [False, False, True]",
        True,
    ),
    ("appendix", "Five comparisons (section 7)", 'assert not versus["kernel"].detectable', True),
    (  # r29 density: moved to appendix A (fix01s item 2)
        "appendix",
        "Section 6's maps: three canvas runs",
        "assert moved == [0.768, 0.83, 0.745]",
        True,
    ),
    (
        "lesson",
        "7 · Going deeper: learned positions at a new resolution",
        "Appendix B makes all five comparisons",
        True,  # fix01p item 3 (r29c minor 7): the level talk moved into the hidden check
    ),
    ("appendix", "Five comparisons (section 7)", '"any positions": paired_difference(one_d, none', False),
    (
        "lesson",
        "4 · Three ways to embed the patches, one computation",
        "# the split's windows, projected linearly",
        True,
    ),
    (
        "lesson",
        "8 · What a ViT does not build in (the paper's reason it needs more data)",
        'assert window == {"the input step (z0)": 256',
        True,
    ),
    ("lesson", "8 · What a ViT does not build in (the paper's reason it needs more data)", "counts == {", True),
    (
        "appendix",
        "Five comparisons (section 7)",
        'min(points["new size"][1], points["new size, bilinear"][1]) > -4',
        True,
    ),
    (
        "appendix",
        "Two reference tables (section 6)",
        "sincos_2d_encoding(8, 8, 64)",
        False,
    ),  # r29 density: moved to appendix A (fix01r item 4)
    (
        "appendix",
        "Two reference tables (section 6)",
        "assert tie < 1e-6 and side.shape == (6, 6)",  # r27b M1: the tie asserted, not a rounding-dependent split
        True,
    ),
    (  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
        "appendix",
        "Section 6's three runs beyond the nearest neighbours",
        # r27c M1: the adjacent picks the counts read (left/right + above/below); no 'fewer than 18' claim any more
        "assert {s: r.left_right + r.above_below for s, r in reports.items()} == {0: 29, 1: 28, 2: 27}",
        True,
    ),
    ("lesson", "5 · The class token and position embeddings", "output_size = with_pos[0].abs().max().item()", False),
    ("lesson", "0 · The whole ViT on one page", "display(fig)", False),
    ("lesson", "5 · The class token and position embeddings", "change_bare", False),
    ("appendix", "The sinusoid table (section 5)", "row 0, first 6 columns", False),
    ("appendix", "Five comparisons (section 7)", '"01_resolution_accuracies"', False),
    ("lesson", "0 · The whole ViT on one page", "plot_vit_map(", False),
    ("lesson", "0 · The whole ViT on one page", "for step in vit_map.steps:", False),
    ("lesson", "4 · Three ways to embed the patches, one computation", "for name, routed in", False),
    ("lesson", "4 · Three ways to embed the patches, one computation", "# 3. Conv2d", False),
    ("lesson", "4 · Three ways to embed the patches, one computation", "# 2. nn.Unfold", False),
    ("lesson", "4 · Three ways to embed the patches, one computation", "# 1. Rearrange", False),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "table_scale_probe(0)", False),
    ("appendix", "Why a border cluster?", "shifted_positions_study(", False),
    ("lesson", "5 · The class token and position embeddings", "21.8 %", True),
    # r33 (fix01_33a item 1, r33a minor 2): the file and the live re-check of 100 digits moved into the hidden check
    ("lesson", "5 · The class token and position embeddings", "lesson01_shuffle.json", True),
    ("lesson", "5 · The class token and position embeddings", "verdicts = stored_shuffle_verdicts()", False),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "stored_table_scale()", False),
    ("appendix", "Why 0.80? (section 4)", "torch.randperm(H * W", False),
    ("appendix", "Why 0.80? (section 4)", "its pixels scrambled", False),
    ("lesson", "5 · The class token and position embeddings", "torch.randperm", False),
    ("lesson", "5 · The class token and position embeddings", "grid = mnist_vit.patch_embedding.grid", False),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "position_structure_report(mnist_vit).differences",
        False,
    ),
    ("appendix", "01 · Appendix: the evidence and asides behind lesson 01", "tables = resolution_tables(", False),
    ("lesson", "5 · The class token and position embeddings", "mnist_vit = load_mnist_vit()", False),
    ("lesson", "01 · Patches and embeddings", "from vit_explained", False),
    ("appendix", "C · Section 5's probe: a larger table, in the untrained mode", "stored_table_scale(", False),
    (
        "appendix",
        "The shipped 7x7 table (the one section 7 resizes): five comparisons",
        "plot_position_structure(",
        False,
    ),
    ("lesson", "7 · Going deeper: learned positions at a new resolution", '"dimension": paired_difference(', False),
    ("lesson", "5 · The class token and position embeddings", "torch.testing.assert_close(z0, sequence)", True),
    ("lesson", "5 · The class token and position embeddings", "transposed", True),
    (
        "lesson",
        "4 · Three ways to embed the patches, one computation",
        "torch.allclose(token_by_hand, conv(x)[0, :, r, c]",
        False,
    ),
    (
        "lesson",
        "4 · Three ways to embed the patches, one computation",
        "torch.testing.assert_close(token_by_hand, conv(x)[0, :, r, c])",
        True,
    ),
    ("lesson", "4 · Three ways to embed the patches, one computation", 'save_figure(fig, "01_kernel_layouts")', False),
    (
        "lesson",
        "4 · Three ways to embed the patches, one computation",
        "conv.weight.flatten(1) @ patch + conv.bias",
        False,
    ),
    ("appendix", "The centre patch's four neighbours (section 7)", "centre_of = {", False),
    ("appendix", "An image the patch does not divide (section 4)", "odd = torch.rand(1, 3, 230, 230", False),
    ("appendix", "D · What the patch embedding learns", 'save_figure(fig, "01_filter_smoothness")', False),
    ("lesson", "5 · The class token and position embeddings", "change_bare, change_pos =", False),
    (
        "lesson",
        "3 · Patchify by hand",
        "# the checks: token 0 is the top-left square, token 1 the square to its right, token 14 the square below token 0",
        False,
    ),
]


@pytest.mark.parametrize(("where", "heading", "code", "hidden"), CODE, ids=[f"{w}:{c[:40]}" for w, _, c, _ in CODE])
def test_section_code_and_checks(where: str, heading: str, code: str, hidden: bool) -> None:
    text = section(where, heading, "check" if hidden else "code")
    assert code in text or nb.flat(code) in nb.flat(text), (where, heading, code)


# ---------------------------------------------------------------- wrong statements that must not come back
# (phrase, why: the test it came from, scope): scope "all" = lesson + appendix + solutions (sources and outputs);
# "lesson" = the lesson notebook only (the material lives in the appendix); other scopes are named below.
FORBIDDEN = [
    (  # r31c MAJOR (fix01w): it stated an absence the data do not show (rows in both runs, columns undecided on one)
        "not the paper's row-column structure",
        "r31c M1: the paper's row-column structure is neither shown nor ruled out here",
        "lesson",
    ),
    (  # fix01t item 1 (r30c M1): it counted the run that suggested the question and left out the shipped model
        "two of three",
        "r30c M1: 1 of 2 fresh runs, barely; the shipped model shows no column effect",
        "lesson:any:6 · Going deeper",
    ),
    ("two of three", "r30c M1: as above (the Summary's bullet)", "lesson:any:Summary"),
    (
        "drops 1.0 to 2.0",
        "fix01s item 1 (r30b M1): bicubic's 99 % interval holds 0; the 28x28 gap also enlarges the digits",
        "all",
    ),
    (
        "all three trained tables lean",
        "fix01s item 2 (r30b M2): seed 2's 98.75 % interval holds 0: two of three",
        "all",
    ),
    (
        "the evidence for positions is the trained model's",
        "r29a M1: the shuffle shows reliance; the one-change run shows need",
        "all",
    ),
    (
        "attention alone cannot see order: shuffling",
        "r29a M1: the exact invariance shows blindness, not the drop",
        "all",
    ),
    ("18 of 36", "r28b M1: not measured (the 2-D table's tie splits 20/16 by float rounding)", "all"),
    ("an even split", "r28b M1: as above", "all"),
    ("end up more alike", "r28b minor 7: in 2 of 3 runs, not a general law", "all"),
    ("why is 27.7 % so low", "r28b minor 9: the comparison answers a different question", "all"),
    ("cell below's first sentence", "r28b minor 8: a stale comment", "all"),
    # fix01j item 1 (r28a M1): the old headline counted the run that suggested the test and read as "columns"
    (
        "in two of three runs, same-column positions",
        "r28a M1: 1 of 2 fresh seeds, barely; the reading measures closeness",
        "all",
    ),
    ("in 2 of 3 runs, same-column positions are detectably", "r28a M1: as above (the Summary's old bullet)", "all"),
    (
        "detected in seed 0, the run that suggested the test",
        "r28d minor 2: compressed; say why seed 0 is no test",
        "lesson",
    ),
    ("seed 0 (which suggested the test), barely", "r28d minor 2: as above (the Summary's old bullet)", "lesson"),
    ("in every layer.", "r28d minor 7: a strided layer is equivariant only up to its stride", "lesson"),
    ("in 2 of 3 runs, positions in the same column", "r28a M1: as above (section 6's old sentence)", "all"),
    ("a guess we do not test here", "fix01j item 2: measured (benchmarks/bench_lesson01_nopos.py, 3 seeds)", "all"),
    ("the fixed position table", "r28a minor 1: the table is learned; say absolute", "all"),
    ("8 digits: could be chance", "r28a minor 10: the binomial's 7 % is printed", "all"),
    ("(patches taken as independent)", "fix01l item 2 (r28c minor 5): one test; Wilson in appendix A", "lesson"),
    ("of the time (binomial)", "fix01l item 2 (r28c minor 4): the binomial aside lives in appendix G", "lesson"),
    ("one built from 2-d distance alone does", "fix01l item 2 (r28c minor 6): no main-path line prints it", "lesson"),
    ("a distance-only table does too", "fix01l item 2 (r28c minor 6): as above (the Summary's old clause)", "lesson"),
    ("the photo's mean lifts section 4's correlation", "fix01l item 3 (r28c minor 2): said next to the 0.80", "lesson"),
    (
        "the photo's mean lifts it",
        "r28d M1: the mean gives 0.26 of the 0.80, smoothness the rest (appendix E)",
        "lesson",
    ),
    ("ViT-B/16 beats ViT-B/32", "r28a minor 7: the paper's Table 6 numbers instead", "all"),
    ("favouring left/right", "r27c M1: the lean is not confirmed by the graded measure (below - right holds 0)", "all"),
    ("favour left/right", "r27c M1: as above", "all"),
    (
        "learned some of the 2-D grid",
        "r27d minor 1: no interval behind it for all three runs; the column lines are cited",
        "all",
    ),
    (
        "probably comes from content alone",
        "r27d minor 2: with the table zeroed it is content alone by construction",
        "all",
    ),
    (
        "fewer than 18",
        "r27c M1: 18 is half of 36 row or column picks; the trained tables' adjacent picks are 27-29",
        "all",
    ),
    ("fewer than the even split", "r27c M1: as above", "all"),
    (
        "In these probes, what differs is the global attention after the patch cut, and the position table",
        "r27c minor 1: neither probe varies the position table",
        "all",
    ),
    ("only probably, because", "r27c minor 4: one line per caveat", "lesson"),
    ("between the 1-D (0)", "r27b M1: the 2-D sin-cos table ties; its 16 was a float-rounding tie-break", "all"),
    ("a 2-D sin-cos table (16)", "r27b M1: the 2-D sin-cos table ties; no count of it is a bound", "all"),
    ("left/right 20, above/below 16", "r27b M1: a split that depends on float rounding is not printed", "all"),
    ("Introduction blames", "r27b minor 7: the paper says 'may be expected'", "all"),
    (
        "reason (section 3.1)",
        "r33c MAJOR 1: the data argument is the introduction's; section 3.1 lists the biases",
        "all",
    ),
    ("(the trained table at 28x28: 97.4 %)", "r33c minor 2: a comparison printed without its interval", "lesson"),
    (
        "an untrained model needs no normalisation",
        "r33c minor 10: nothing here was trained on normalised images",
        "all",
    ),
    ("one token by hand:**", "r27b minor 2: the picture has no such panel (the printed line does it)", "lesson"),
    ("training's dropout breaks it", "r27b minor 10: dropout keeps the symmetry in distribution", "all"),
    ("The eight shown are luckier", "r27b minor 11: with 8 digits, 4 of 8 could be chance", "all"),
    ("use neither kernel", "r26b M2: Hugging Face resizes bicubically too (without antialiasing)", "lesson"),
    ("red dots sit elsewhere on the border", "r26b minor 3: not asserted, cut", "lesson"),
    ("Keep it differentiable", "r26b M1: a z0 without gradient fails, it is not a note", "all"),
    (
        "this probe does not separate those",
        "r25d item 1: a one-patch roll only reorders tokens: the drop is the table's",
        "all",
    ),
    ("only the dimension changes", "r25d item 5: 1-D linear and 2-D bilinear sample different grids", "all"),
    ("White: the patch", "r25d item 7: the marker is yellow with a white frame", "all"),
    ("33,958", "17a::test_the_shuffle_prints_both_changes_and_no_ratio", "all"),
    (
        "times the change without them",
        "17a::test_the_shuffle_prints_both_changes_and_no_ratio; y::test_the_shuffle_change_is_compared_with_the_measured_change_without_positions",
        "all",
    ),
    ("tens of thousands", "17a::test_the_shuffle_prints_both_changes_and_no_ratio", "all"),
    ("directly below, alone, is alike", "17b::test_directly_below_is_not_called_alike", "all"),
    ("the patch directly below is alike", "17b::test_directly_below_is_not_called_alike", "all"),
    ("nbval-ignore-output", "17b::test_no_float32_noise_is_printed_or_pinned", "all"),
    ('"1.5e-06"', "17b::test_no_float32_noise_is_printed_or_pinned", "all"),
    ("1e-6 < rounding.max()", "17b::test_no_float32_noise_is_printed_or_pinned", "all"),
    ("closed most", "17e::test_positions_off_line_is_printed_and_prose_claims_only_what_is_printed", "all"),
    (
        "border cluster of\nsection 6",
        "17e::test_positions_off_line_is_printed_and_prose_claims_only_what_is_printed",
        "all",
    ),
    ("eyes and mouth", "17e::test_positions_off_line_is_printed_and_prose_claims_only_what_is_printed", "all"),
    ("figure below", "18b::test_section7_prints_the_five_accuracies_before_its_comment", "all"),
    ("may explain the\nrows", "18b::test_section6_matched_distance_reading", "all"),
    (
        "horizontal > vertical",
        "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order; 18d::test_section6_prints_the_shipped_neighbour_test_beside_the_figure; y::test_the_row_reading_prints_and_states_the_matched_distance_test",
        "all",
    ),
    (
        "row wrap",
        "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order; 18d::test_section6_prints_the_shipped_neighbour_test_beside_the_figure",
        "lesson",
    ),
    ("1-D order alone", "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order", "all"),
    (
        "mostly the 1-D order",
        "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order; w::test_the_nearest_neighbour_statistic_is_read_as_horizontal_2_d_structure",
        "all",
    ),
    (
        "than the sequence order predicts",
        "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order",
        "all",
    ),
    ("6 tokens apart (column)", "18c::test_rows_are_read_as_horizontal_structure_not_the_sequence_order", "all"),
    (
        "3 tokens apart, within a row - 3 tokens apart, across rows",
        "18c::test_the_row_wrap_reading_is_printed_in_the_appendix_not_the_lesson",
        "lesson",
    ),
    ("pixels as tokens", "18c::test_class_token_expands_per_image_and_pixel_cost_is_printed", "all"),
    ("horizontal", "18d::test_summary_bullet_for_section6_is_two_plain_sentences", "lesson"),
    ("Interpolation itself makes", "18d::test_nits_content_probably_neighbours_checked_and_timm_commit", "all"),
    ("cannot tell a vertical", "18e::test_cell_80_claims_no_more_than_the_intervals_and_the_pool_is_printed", "all"),
    (
        "the 8 x 8 grid's 36 inner patches narrow the interval enough to clear 0",
        "19b::test_item1_prose_and_summary_do_not_imply_a_new_structure",
        "all",
    ),
    (
        "Whether the finer grid or the smaller patches made the columns show",
        "19b::test_item1_prose_and_summary_do_not_imply_a_new_structure",
        "all",
    ),
    ("columns are detected too", "19b::test_item1_prose_and_summary_do_not_imply_a_new_structure", "all"),
    ("only 36 patches", "19b::test_item2_inner_patch_counts", "all"),
    (
        "rest on 64 patches",
        "19b::test_item2_inner_patch_counts; 19b::test_item2_inner_patch_counts (the bench docstring)",
        "all",
    ),
    ("So adding loses little here", "19b::test_item3_inked_only_numbers_and_no_causal_claim", "all"),
    (
        "plot_sinusoid(",
        "19b::test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix; m::test_random_kernel_range_and_sinusoid_order",
        "lesson",
    ),
    (
        "digit_shuffle_widget(",
        "19b::test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix",
        "lesson",
    ),
    (
        "position_similarity_widget(",
        "19b::test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix",
        "lesson",
    ),
    ("patch_grid_widget(", "19b::test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix", "lesson"),
    (
        "digit_sequence = add_class_token(",
        "19b::test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix",
        "lesson",
    ),
    ("pixel_tokens", "19b::test_item5_one_pixel_cost_computation_and_no_rebinding", "all"),
    ("patch_tokens", "19b::test_item5_one_pixel_cost_computation_and_no_rebinding", "all"),
    (
        "ViT-L below ViT-B below the BiT ResNets",
        "19b::test_item8_section_8_has_the_papers_data_size_evidence; 19d::test_item5_the_paper_is_quoted_not_a_constructed_order",
        "all",
    ),
    (
        "interval width",
        "19c::test_item1_the_8x8_column_reading_is_reported_with_the_whole_table_corrected; 19d::test_item2_section_6_has_no_width_arithmetic_and_a_one_line_summary",
        "lesson",
    ),
    (
        "16 -> 36 inner patches alone",
        "19c::test_item1_the_8x8_column_reading_is_reported_with_the_whole_table_corrected",
        "lesson",
    ),
    (
        "Its interval is half as wide",
        "19c::test_item1_the_8x8_column_reading_is_reported_with_the_whole_table_corrected",
        "all",
    ),
    ("clears 0 only just", "19c::test_item1_the_8x8_column_reading_is_reported_with_the_whole_table_corrected", "all"),
    (
        "this one run's smaller spread",
        "19c::test_item1_the_8x8_column_reading_is_reported_with_the_whole_table_corrected",
        "lesson",
    ),
    ("That is not a new structure", "19c::test_item2_the_equal_estimates_are_not_called_the_same_structure", "all"),
    ("+0.19 vs +0.19", "19c::test_item2_the_equal_estimates_are_not_called_the_same_structure", "lesson"),
    ("+0.19 on both", "19c::test_item2_the_equal_estimates_are_not_called_the_same_structure", "all"),
    ("is that ImageNet-only setting", "19c::test_item5_deit_baseline_and_resolutions", "all"),
    ("(Table 8, section 5)", "19c::test_item6_table_8_is_the_papers", "all"),
    ("why 99 %", "19d::test_item1_the_family_is_the_whole_table_of_20_intervals", "all"),
    (
        "confidence=0.99",
        "19d::test_item1_the_family_is_the_whole_table_of_20_intervals",
        "appendix:cell:reports_20 = {name: position_structure_report(",
    ),
    ("x 0.67", "19d::test_item2_section_6_has_no_width_arithmetic_and_a_one_line_summary", "lesson"),
    ("0.47-0.55", "19d::test_item2_section_6_has_no_width_arithmetic_and_a_one_line_summary", "all"),
    ("(after the next cell)", "19d::test_item3_the_canvas_is_described_before_its_figure", "all"),
    ("Left, the shuffled picture; right", "19d::test_item4_the_shuffle_figure_has_three_panels", "all"),
    (
        "trained this recipe three more times",
        "19d::test_item8_cell_28_names_d2l_and_cell_65_the_20_epoch_recipe",
        "all",
    ),
    ("alike within a row, not within a column", "19e::test_the_summary_says_not_detected_rather_than_absent", "all"),
    (
        "appendix A shows why the border patches cluster",
        "19e::test_the_border_cluster_pointer_claims_only_what_appendix_a_shows",
        "all",
    ),
    ("20 intervals", "20a::test_section_6_decides_the_family_first_and_prints_one_line_per_reading", "lesson"),
    (
        "stricter reading stays in appendix A",
        "20a::test_section_6_decides_the_family_first_and_prints_one_line_per_reading",
        "all",
    ),
    (
        "earlier version",
        "20a::test_section_6_decides_the_family_first_and_prints_one_line_per_reading; 20c::test_the_history_is_told_once_in_appendix_a_only",
        "lesson",
    ),
    ("2 of 4 canvas runs", "20a::test_the_summary_states_what_the_new_lines_print", "all"),
    (
        "family of 20",
        "20a::test_the_summary_states_what_the_new_lines_print; 20e::test_section6_is_one_figure_and_one_takeaway; 20e::test_summary_bullets_merged",
        "lesson",
    ),
    (
        "why the border patches cluster",
        "20a::test_section_6_names_its_primary_family_and_claims_no_border_explanation",
        "lesson",
    ),
    (
        "A trained table",
        "20c::test_the_confirmatory_cell_prints_four_verdicts_and_the_summary_states_them; 24f::test_item1_the_summary_states_the_shuffle_numbers_and_drops_the_appendix_bullet",
        "lesson",
    ),
    (
        "\nreports = {name: position_structure_report(",
        "20c::test_section_6_keeps_pictures_definitions_and_a_pointer_the_readings_table_is_in_appendix_a",
        "lesson",
    ),
    ("stricter reading stays", "20c::test_the_history_is_told_once_in_appendix_a_only", "all"),
    ("it shows no detectable drop", "20c::test_the_bilinear_drop_is_printed_checked_and_stated", "all"),
    ("close to the 0.10", "20c::test_cell_64_says_above_random_but_far_from_1", "all"),
    ("# equal for ViT-B only", "20c::test_cell_16_names_vit_b16", "all"),
    ("**The readings**", "20e::test_section6_is_one_figure_and_one_takeaway", "lesson"),
    ("family of 4", "20e::test_section6_is_one_figure_and_one_takeaway", "lesson"),
    ("Tested on new runs", "20e::test_summary_bullets_merged", "all"),
    ("no grid step gives them back", "20e::test_section8_strided_cnn_caveat_and_wording", "all"),
    ("The printed checks: token 0", "20e::test_small_items", "all"),
    ("not section 3's slip", "20e::test_small_items", "all"),
    ("a model size DeiT introduced", "20e::test_small_items", "all"),
    ("ignores token order", "20g::test_shuffle_sentence_says_equivariant", "all"),
    (
        "centre_of = {",
        "21a::test_the_centre_neighbours_moved_to_appendix_b_and_the_widget_check_computes_its_own",
        "lesson",
    ),
    ("in many also down its column", "21c::test_section_6_prints_and_titles_seed_0_beside_the_new_runs", "all"),
    ("`flatten`) does the same", "21c::test_uva_and_one_d_sentences_say_what_the_sources_do", "all"),
    ("Nobody resizes", "21c::test_uva_and_one_d_sentences_say_what_the_sources_do", "all"),
    ("Token 14 that way (section 9's widget", "21c::test_plainer_sentences", "all"),
    ("Only probably:", "21c::test_plainer_sentences", "all"),
    (
        "<summary>The package's <code>PatchEmbedding</code></summary>",
        "21c::test_patch_embedding_aside_moved_to_appendix_e_with_its_check",
        "all",
    ),
    ("the same recipe (seed 0, 20 epochs)", "21f::test_item3_the_canvas_run_is_20_epochs_not_the_recipe_s_50", "all"),
    ("(4 readings per table)", "21f::test_item6_the_family_of_four_readings_is_named_where_printed", "all"),
    (
        "98.75",
        "21f::test_item6_the_family_of_four_readings_is_named_where_printed; 22c::test_section_6_prints_the_distance_matched_contrast_for_the_three_runs; 22f::test_item3_section_6_leads_with_the_nearest_neighbour_counts; 23d::test_item2_the_summary_bullet_is_one_plain_sentence; 23d::test_item2_section_6_leaves_the_bookkeeping_to_appendix_a; 24b::test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics",
        "lesson",
    ),
    (
        "98.75 %",
        "21f::test_item6_the_family_of_four_readings_is_named_where_printed; 22f::test_item3_section_6_leads_with_the_nearest_neighbour_counts",
        "lesson",
    ),
    ("default. Only `Unfold`", "21f::test_item7_only_unfold_among_these_three_routes", "all"),
    ("A correlation would not catch the slip", "r25b item 4: a correlation of 0.80 against 1.00 does catch it", "all"),
    ("Only `Unfold` also gives", "r25b item 9: only among these three routes", "all"),
    ("the trained MNIST ViT's accuracy changes by -9.2 points", "r25b item 1: one direction of four", "lesson"),
    ("because attention mixes every token", "r25b item 2: the sub-layers are probed, not assumed", "lesson"),
    ("not shown, nor ruled out", "21f::test_item9_a_plain_sentence_before_each_set_of_statistics", "lesson"),
    (
        "only to shifts by their stride",
        "21i::test_item2_multiples_of_the_stride_with_an_8_px_shift_printed_and_checked",
        "all",
    ),
    (
        "only shifts by its stride",
        "21i::test_item2_multiples_of_the_stride_with_an_8_px_shift_printed_and_checked",
        "all",
    ),
    ("not shown", "21i::test_item3_the_summary_names_three_seeds_as_the_printed_intervals_say", "lesson"),
    (
        "in the inner maps a bright band along each patch's row",
        "21i::test_item4_the_stored_picture_is_described_row_by_row",
        "all",
    ),
    (
        "(vertical axis; section 3 forgot",
        "21i::test_item5_the_naming_aside_lives_in_appendix_f_and_the_main_path_is_shorter",
        "all",
    ),
    (
        "the name ViT-S came later",
        "21i::test_item5_the_naming_aside_lives_in_appendix_f_and_the_main_path_is_shorter",
        "lesson",
    ),
    (
        "One coincidence to keep apart",
        "21i::test_item5_the_naming_aside_lives_in_appendix_f_and_the_main_path_is_shorter",
        "all",
    ),
    ("2-D-aware", "21i::test_item7_table_8_column_and_learned_2d", "all"),
    ("ResNet-50's total stride", "22a::test_the_text_rests_the_patch_cut_sentence_on_the_measurement", "all"),
    ("small next to the output's typical size", "22a::test_the_untrained_shuffle_compares_a_mean_with_a_mean", "all"),
    (
        "removes the positions from a model **trained with them**: not the paper's ablation",
        "22a::test_the_four_cells_drop_their_colon_chains",
        "all",
    ),
    (
        "The simplest 2-D kernel to write by hand; PyTorch's default corners.",
        "22a::test_the_four_cells_drop_their_colon_chains",
        "all",
    ),
    (
        "the paper's point is a CNN's 2-D locality in every layer (untrained layers here, shifts with wrap-around)",
        "22a::test_the_four_cells_drop_their_colon_chains",
        "all",
    ),
    (
        "(64.0 %, 64.0 % vs 64.2 %; one run each, no error bars)",
        "22a::test_the_four_cells_drop_their_colon_chains",
        "all",
    ),
    ("it takes the **new** grid first", "22a::test_exercise_5_calls_the_reference_with_keywords", "all"),
    ("+0.433", "22c::test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals", "lesson"),
    ("+0.451", "22c::test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals", "lesson"),
    ("+0.479", "22c::test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals", "lesson"),
    ("+0.176", "22c::test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals", "lesson"),
    (
        "+0.150 [-0.007",
        "22c::test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals",
        "lesson",
    ),
    (
        "same-row positions come out alike in every table",
        "22c::test_the_summary_claims_closeness_and_the_matched_contrast_only",
        "all",
    ),
    ("one run", "22c::test_table_8_reports_no_error_bars_and_no_run_count", "lesson"),
    (
        "mean change",
        "22c::test_the_untrained_shuffle_prints_only_its_two_changes_and_appendix_c_has_the_rest",
        "lesson",
    ),
    ("differs because", "22i::test_item3_the_zeroed_table_and_table_8_are_not_comparable", "all"),
    ("on no 6 x 6 canvas run", "22i::test_item4_the_canvas_runs_are_named_by_grid_and_patch_size", "all"),
    ("ResNet-50", "22i::test_item5_the_resnet_stride_sentence_is_gone", "all"),
    ("coarser than ViT-B/16", "22i::test_item5_the_resnet_stride_sentence_is_gone", "all"),
    ("grid neighbour", "23b::test_section_6_and_the_summary_lead_with_the_2d_evidence", "lesson"),
    (
        "A 1-D table learned the 2-D neighbourhood",
        "23b::test_section_6_and_the_summary_lead_with_the_2d_evidence",
        "all",
    ),
    ("+0.29 to +0.46", "23b::test_section_6_keeps_one_reading_and_points_to_appendix_a", "lesson"),
    ("distance-matched", "23b::test_section_6_keeps_one_reading_and_points_to_appendix_a", "lesson"),
    ("+0.329", "23b::test_section_6_keeps_one_reading_and_points_to_appendix_a", "lesson"),
    ("closeness gives", "23b::test_section_6_keeps_one_reading_and_points_to_appendix_a", "lesson"),
    ("at equal distance", "23b::test_section_6_keeps_one_reading_and_points_to_appendix_a", "lesson"),
    ("So the checks here, and exercise 4's checker", "23b::test_the_two_prose_fixes", "all"),
    ("or a picture would not catch", "23c::test_item2_the_picture_is_not_said_to_miss_the_slip", "all"),
    ("seeds 0 and 1 yes", "23c::test_item1_the_column_verdict_states_its_dependence", "all"),
    (
        "The model's accuracy on its 1,000 test digits, enlarged, with each table",
        "23c::test_the_main_path_does_not_grow",
        "lesson",
    ),
    (
        "prediction's source",
        "23d::test_item2_the_summary_bullet_is_one_plain_sentence; 23d::test_item2_section_6_leaves_the_bookkeeping_to_appendix_a",
        "all",
    ),
    ("seed 1 barely", "23d::test_item2_the_summary_bullet_is_one_plain_sentence", "all"),
    ("undecided", "23d::test_item2_the_summary_bullet_is_one_plain_sentence", "lesson"),
    ("the run the prediction came from", "23d::test_item2_section_6_leaves_the_bookkeeping_to_appendix_a", "lesson"),
    ("seed 1,", "23d::test_item1_the_two_sets_of_runs_have_distinct_names", "lesson"),
    ("new run", "23d::test_item1_the_two_sets_of_runs_have_distinct_names", "lesson"),
    ("canvas seed", "23d::test_item1_the_two_sets_of_runs_have_distinct_names", "lesson"),
    ("matched distances", "23d::test_item3_the_matched_distance_lines_live_in_appendix_a", "lesson"),
    (
        "(resampling one table's 36 inner patches, not runs)",
        "23e::test_item2_section_6_says_plainly_what_the_intervals_resample",
        "all",
    ),
    (
        "a table of distance alone passes both readings; rows against columns at equal distance",
        "23e::test_item2_section_6_says_plainly_what_the_intervals_resample",
        "all",
    ),
    ("T2T-ViT's first split, as a conv", "23e::test_item6_the_fifth_comparison_and_the_split_comment", "all"),
    ("written down", "24b::test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics", "lesson"),
    ("confirm = {}", "24b::test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics", "lesson"),
    (
        "stricter correction",
        "24b::test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics",
        "lesson",
    ),
    ("same row - neither", "24b::test_item1_section_6_keeps_the_picture_and_counts_and_moves_the_statistics", "lesson"),
    (
        "The paper's point is a CNN's",
        "24b::test_item3_the_patch_cut_is_qualified_and_the_papers_three_properties_named",
        "all",
    ),
    (
        "So the patch cut is not what sets a ViT apart",
        "24b::test_item3_the_patch_cut_is_qualified_and_the_papers_three_properties_named",
        "all",
    ),
    ("partly because", "24b::test_item7_the_small_change_points_to_appendix_c", "all"),
    ("The picture: the `permute`", "24b::test_item6_whole_sentences", "all"),
    ("Why above the 10 % of chance?", "24b::test_item6_whole_sentences", "all"),
    ("Without positions, float32 r", "24b::test_item6_whole_sentences", "all"),
    ("(6 and appendix A)", "24d::test_item4_the_summary_marks_the_appendix_bullet_and_cuts_bullet_8", "all"),
    (
        "so 64.2 % is not the accuracy of a model trained on ImageNet alone",
        "24d::test_item5_table_8s_caption_is_quoted",
        "all",
    ),
    ("0.8 (appendix C)", "24d::test_item6_evidence_before_claim", "all"),
    (
        "weight in the `(p1 p2 c)` layout, transposed",
        "24f::test_item7_eq1_table_says_the_order_is_the_papers_code",
        "all",
    ),
    ("strict_img_size", "24f::test_item9_exercise_1_points_to_appendix_e_for_timm", "lesson"),
    ("dynamic_img_pad", "24f::test_item9_exercise_1_points_to_appendix_e_for_timm", "lesson"),
    ("Its caption reads", "24f::test_item3_table_8_and_the_interval_bullets_leave_the_main_path", "lesson"),
    ("**What the accuracies show**", "24f::test_item3_table_8_and_the_interval_bullets_leave_the_main_path", "lesson"),
    ("off the row", "24g::test_item1_no_off_the_row_label_anywhere", "all"),
    ("not its text", "24g::test_item3_eq1_table_says_the_text_does_not_fix_the_order", "all"),
    ("its code (appendix B)", "24g::test_item4_section_7_names_the_papers_code", "all"),
    ("mean size", "24g::test_item5_the_shuffle_compares_a_maximum_with_a_maximum", "lesson"),
    ("against a mean size", "24g::test_item5_the_shuffle_compares_a_maximum_with_a_maximum", "lesson"),
    ("no significant gain", "m::test_random_kernel_range_and_sinusoid_order", "all"),
    ("Section 7's evidence", "m::test_section_7_picture_comes_before_the_folded_table", "lesson"),
    ('"01_resolution_accuracies"', "m::test_section_7_picture_comes_before_the_folded_table", "lesson"),
    ("**The five comparisons.**", "o::test_comparisons_name_their_direction", "all"),
    ("no smooth, low-frequency set", "o::test_comparisons_name_their_direction", "all"),
    ("Bicubic against bilinear directly", "o::test_comparisons_name_their_direction", "all"),
    ("45.8 points below", "o::test_comparisons_name_their_direction", "all"),
    (
        "shifted_positions_study(",
        "q::test_sections_6_and_7_keep_a_short_result_and_move_the_detail_to_appendices; w::test_the_appendix_holds_the_statistics_and_runs_on_its_own",
        "lesson",
    ),
    ("for scale in (1, 3, 10)", "s::test_section_5_shows_the_trained_shuffle_and_the_probe_moves_to_appendix_c", "all"),
    ("bootstrap over", "s::test_section_6_says_it_in_plain_words_and_leaves_the_statistics_to_appendix_a", "lesson"),
    (
        "confounded",
        "s::test_deit_table_5_quotes_the_vit_paper_and_the_summary_leaves_the_confound_to_appendix_a",
        "lesson",
    ),
    ("torch.rand(", "t::test_the_why_080_ablation_scrambles_the_centred_photo_and_appendix_c_is_linked", "lesson"),
    (
        "centred random pixels",
        "t::test_the_why_080_ablation_scrambles_the_centred_photo_and_appendix_c_is_linked",
        "all",
    ),
    ("within 1 %", "t::test_the_why_080_ablation_scrambles_the_centred_photo_and_appendix_c_is_linked", "all"),
    ("import scipy", "w::test_the_appendix_holds_the_statistics_and_runs_on_its_own", "lesson"),
    ("stored_table_scale(", "w::test_the_appendix_holds_the_statistics_and_runs_on_its_own", "lesson"),
    ("plot_position_structure(", "w::test_the_appendix_holds_the_statistics_and_runs_on_its_own", "lesson"),
    ('"kernel"', "w::test_section_7_keeps_the_two_headline_differences_printed", "lesson"),
    ("as in the trained table", "x::test_the_widget_text_says_what_section_7_prints", "all"),
    ("section 7's printed 1-D value", "x::test_the_widget_text_says_what_section_7_prints", "all"),
    ("no detectable 2-D", "x::test_the_pooled_column_test_and_the_patch_below_are_reconciled", "all"),
    ("filter_components(", "x::test_the_hybrid_vit_paragraph_and_the_filters_in_appendix_d", "lesson"),
    ("That is a trace of", "x::test_the_hybrid_vit_paragraph_and_the_filters_in_appendix_d", "all"),
    ("may explain the rows", "y::test_the_row_reading_prints_and_states_the_matched_distance_test", "all"),
    ("shows rows", "y::test_the_row_reading_prints_and_states_the_matched_distance_test", "all"),
    ("rounding bound", "y::test_the_shuffle_change_is_compared_with_the_measured_change_without_positions", "all"),
    ("1e-4` bound", "y::test_the_shuffle_change_is_compared_with_the_measured_change_without_positions", "all"),
    ("timm, and Hugging Face", "y::test_hugging_face_resize_is_named_beside_timm", "all"),
    ("<details><summary>Why 0.80?", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "all"),
    ("Dual PatchNorm**", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "lesson"),
    ("odd = torch.rand(", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "lesson"),
    ("arXiv:2302.01327", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "lesson"),
    ("flag near the top", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "all"),
    ("The two only coincide", "y::test_the_asides_live_in_appendix_e_with_one_line_links", "all"),
    ("What sets a ViT apart is", "r27a minor 9: a conclusion the probes illustrate, not test", "all"),
    ("An earlier version of section 6", "r27a M1: no revision history in learner text", "all"),
    (
        "The lesson prints two of them under its figure",
        "r27a M1: section 6 prints none of the shipped table's comparisons",
        "all",
    ),
    ("section 6 reads each table at 98.75", "r27a M1: section 6 prints only nearest-neighbour counts", "all"),
    ("Section 6 prints the two new runs' readings", "r27a M1: as above", "all"),
    ("6x6 s0", "r27a M2: runs are named by grid (grid6 s0), never NxN", "all"),
    ("6x6 s1", "r27a M2: as above", "all"),
    ("8x8 s0", "r27a M2: as above", "all"),
    ("8x8 s2", "r27a M2: as above", "all"),
    ("no 6x6 run (`8x8` patches)", "r27a M2: runs are named by grid, never NxN next to a patch size", "all"),
    ("shift // 4 steps", "r27a minor 6: the stem's steps print as numbers", "all"),
    # fix01_35a (r34e MAJOR 1): read as an explanation of the learned row effect; the model never sees token order
    (
        "but token order alone gives that",
        "r34e M1: the 1-D control limits the reading, it does not explain it",
        "lesson",
    ),
    ("two more runs", "a35b item 1: read as section 5's seeds; the runs are another recipe's", "lesson"),
    ("seeds 1 and 2; seed 0 suggested", "a35b item 1: seed 0 read as section 5's trained model", "lesson"),
    ("each model on its own digits", "a35b item 4: both models see the same 1,000 digits (paired)", "all"),
]


# ---------------------------------------------------------------- scoped wrong statements
# (phrase, why, scope): the phrase may live elsewhere (the appendix keeps the statistics), not in this scope.
# scope "NOTEBOOK:KIND:HEADING" = that kind (prose, code, check, printed, any) under the heading;
# "NOTEBOOK:cell:LABEL" = the one cell holding LABEL; "appendix-A:printed" = appendix A's outputs.
SCOPED = [
    ("one reason it is low", "fix01i item 1 (r27f M1): a reason without an ablation", "lesson"),
    ("loses only 2.8 points", "fix01i item 1 (r27f M1): the paper's non-comparable number as support", "lesson"),
    ("keeps nearly all the accuracy", "fix01i item 4 (r27f minor 5): the interval allows a 2.6-point drop", "lesson"),
    ("with them (one seed)", "fix01o item 1 (r29b M1): the with-positions arm has 3 seeds now", "lesson"),
    (
        "keeps the accuracy",
        "fix01o item 2 (r29b minor 1): 'keeps' claims equivalence; the interval allows -2.6",
        "lesson",
    ),
    ("weaker version", "fix01o item 3 (r29b minor 4): nothing is compared with ViT-L/32's Fig. 7", "lesson"),
    ("98.75", "fix01i item 2: the family level lives in appendix A", "lesson:any:6 ·"),
    ("Bonferroni", "18d/24b: section 6 leaves the statistics to appendix A", "lesson:any:6 ·"),
    ("family", "24b: section 6 leaves the families to appendix A", "lesson:any:6 ·"),
    ("famil", "23d: the Summary bullet is plain", "lesson:prose:Summary"),
    ("<details>", "q: sections 6 and 7 keep a short result", "lesson:prose:6 ·"),
    ("<details>", "q: sections 6 and 7 keep a short result", "lesson:prose:7 ·"),
    (
        "typical",
        "22c: the untrained shuffle prints only its two changes (appendix C has the scale)",
        "lesson:printed:5 ·",
    ),
    ("mean change", "22c: as above", "lesson:printed:5 ·"),
    (
        "seed",
        "23d: section 6 names the runs grid8 s0-s2",
        "appendix:cell:The 2-D sin-cos table ties left/right",  # fix01r item 4: the reading moved to appendix A
    ),  # fix01j
    ("grid8", "fix01i item 2 (r27f minor 2): the codenames live in appendix A", "lesson:any:6 ·"),
    ("grid8", "fix01i item 2 (r27f minor 2): as above", "lesson:prose:Summary"),
    ("canvas seed", "23d: the runs have distinct names", "appendix-A:printed"),
    ("new run", "23d: the runs have distinct names", "appendix-A:printed"),
    ("canvas, 8 x 8", "23d: the runs have distinct names", "appendix-A:printed"),
    ("DeiT", "24d: the Summary's bullet 8 was cut", "lesson:prose:Summary"),
    ("[-2.6, +0.5]", "24f: section 7's interval bullets moved to appendix B", "lesson:prose:7 ·"),
    ("Resized in 2-D", "24f: section 7's interval bullets moved to appendix B", "lesson:prose:7 ·"),
    ("load_mnist_vit()", "t: the pipeline reuses section 5's model", "appendix:cell:digit_sequence = add_class_token("),
    ("load_mnist()", "t: the pipeline reuses section 5's data", "appendix:cell:digit_sequence = add_class_token("),
    ("0.05", "q: what to look for, not the numbers, before the print", "lesson:cell:**Why positions at all?**"),
    ("0.8", "q: as above", "lesson:cell:**Why positions at all?**"),
    ("**The whole input step at once**", "17e: folded into section 5's Eq. 1 cell", "all"),
    ("**More in the appendix", "18d: the appendix pointer is folded", "all"),
    ("vit_at_resolution(", "17e: the lesson's visible code reads stored runs", "lesson:code:"),
    ("shifted_positions_study(", "q, w: the statistics run in the appendix", "lesson:any:"),
    ("stored_table_scale(", "w: as above", "lesson:any:"),
    ("plot_position_structure(", "w: as above", "lesson:any:"),
    ("import scipy", "w: the paper's resize runs in appendix B", "lesson:any:"),
    (
        "<summary>The package's <code>PatchEmbedding</code></summary>",
        "21c: the aside moved to appendix E",
        "lesson:any:",
    ),
]


def _scope_text(scope: str) -> str:
    if scope == "all":
        return " ".join(nb.flat("\n".join(t for _, _, t in parts(w))) for w in PATHS)
    if scope in PATHS:
        return nb.flat("\n".join(t for _, _, t in parts(scope)))
    if scope == "appendix-A:printed":
        cells = nb.cells(APPENDIX)
        end = nb.unique_index(nb.sources(APPENDIX), "## B · Section 7's evidence")
        return nb.flat("\n".join(nb.printed(c) for c in cells[:end]))
    where, kind, label = scope.split(":", 2)
    if kind == "cell":
        sources = nb.sources(PATHS[where])
        return nb.flat(sources[nb.unique_index(sources, label)])
    kinds = ("prose", "code", "check", "printed") if kind == "any" else (kind,)
    return nb.flat(" ".join(section(where, label, k) for k in kinds))


@pytest.mark.parametrize(("phrase", "why", "scope"), FORBIDDEN + SCOPED, ids=[p[:40] for p, _, _ in FORBIDDEN + SCOPED])
def test_forbidden_phrase_stays_out(phrase: str, why: str, scope: str) -> None:
    assert nb.flat(phrase) not in _scope_text(scope), (phrase, why, scope)


def test_the_only_63_percent_is_of_a_typical_token() -> None:
    """17e: section 4 states its printed 63 % (of a typical token number); no other 63 % claim."""
    prose = " ".join(nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == "markdown")
    assert "63 %" not in prose.replace("63 % of a typical token", "")


def test_exercise_hints_nudge_and_fold_the_recipe() -> None:
    """19a: exercises 3 and 5 show a hint; the recipe (permute, F.interpolate) stays folded."""
    for path in (LESSON, SOLUTIONS):
        for title in ("### Exercise 3", "### Exercise 5"):
            text = next(s for s in nb.sources(path) if s.startswith(title))
            visible, folded = text.split("<details>")
            assert "Hint:" in visible and "</summary>" in folded
            assert "permute" not in visible.split("Hint:")[1] and "F.interpolate" not in visible


def test_no_float32_noise_is_printed_or_pinned() -> None:
    """17b: no 1e-6-scale float32 noise in a stored output."""
    for cell in nb.cells(LESSON):
        if cell["cell_type"] == "code" and "nbval-ignore-output" not in cell["metadata"].get("tags", []):
            assert not re.search(r"\d\.\de-0[6-8]", nb.printed(cell)), nb.printed(cell)
            assert '"1.5e-06"' not in nb.source(cell) and "1e-6 < rounding.max()" not in nb.source(cell)


def test_outside_files_state_what_the_notebooks_say() -> None:
    """20c: the hypotheses were written down before the runs; 23b: transformers is a requirement, timm is not;
    21f: lesson 07 says the T2T paper's ViT-S/16 is 8 blocks of width 768."""
    stored = nb.flat((nb.ROOT / "benchmarks" / "results" / "lesson01_canvas_grid_confirm.md").read_text())
    for part in (
        "before seeds 1 and 2 were trained",
        "same-row positions are more alike than neither (row - neither > 0)",
        "same-column positions too (column - neither > 0)",
        "Each table is a family of 4 readings, each read at 98.75 %",
        "with 20,000 resamples",
    ):
        assert part in stored, part
    requirements = (nb.ROOT / "requirements.txt").read_text()
    assert "transformers==" in requirements and "timm" not in requirements
    assert "transformers" not in (nb.ROOT / "pyproject.toml").read_text()
    lesson07 = nb.flat(nb.all_text(nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"))
    assert "ViT-S/16" in lesson07 and "8 blocks of width 768" in lesson07


# ---------------------------------------------------------------- placement
def _at(where: str, label: str) -> int:
    return nb.unique_index(nb.sources(PATHS[where]), label)


# (notebook, earlier label, later label): the cell holding the first comes before the cell holding the second.
ORDER = [
    ("lesson", "plot_shuffled_digits(", "Shuffling the patches costs"),  # 17b: the digits drawn before the claim
    (
        "lesson",
        "paired_difference(bilinear, one_d",
        "On the same 36x36 digits, the 2-D bilinear resize beats",
    ),  # 17c; fix01q: no colon; fix01s item 1 (r30b M1)
    ("lesson", 'token_widget.controls["permute"].value = False', "no_permute = x.reshape"),  # 18b: picture, then check
    ("lesson", "fig = plot_token_matrix(patches[0]", 'token_widget.controls["permute"].value = False'),  # 20a
    ("lesson", "change_bare, change_pos =", "With positions added, the shuffle changes the output (0.05"),  # q
    ("lesson", "plot_shuffled_digits(", "change_bare, change_pos ="),  # r25a item 2: the trained shuffle first
    ("lesson", "plot_kernel_layouts(conv.weight)", "**Three ways** to write it"),  # r25a item 4: picture, then routes
    ("lesson", "**Three ways** to write it", "# 3. Conv2d"),  # the routes just before the cell that runs them
    # r27b minor 1: the slip picture's caption sits just before its cell, after the routes
    # r29 density: the slip picture moved to appendix E (fix01n item 1): after "Why 0.80?"'s correlation, caption first
    ("appendix", "photo = torch.corrcoef(photo_pair)", "The picture shows the `permute` forgotten on the *kernel*"),
    ("appendix", "The picture shows the `permute` forgotten on the *kernel*", "plot_slip_scatter("),
    # r27b minor 3: each section 8 probe is explained right after its own output
    ("lesson", "reach = one_pixel_reach(", "One changed pixel changes 1 of the 197 tokens"),
    (
        "lesson",
        "One changed pixel changes 1 of the 197 tokens",
        "rolls = {",
    ),  # fix01j item 4: the shift probe in appendix E
    ("appendix", "### The patch cut under shifts (section 8)", "gap_maps, stem_gap = shift_gaps("),
    ("appendix", "gap_maps, stem_gap = shift_gaps(", "In plain words: the patch cut follows only whole-patch shifts"),
    (
        "appendix",
        "In plain words: the patch cut follows only whole-patch shifts",
        "### A whole-patch shift through the trained ViT",
    ),
    ("lesson", "rolls = {", "The absolute position table stays while the patches move"),  # fix01q (r29d minor 9)
    ("lesson", "**Why positions at all?**", "mnist_vit = load_mnist_vit()"),
    ("lesson", "## 6 ·", "## 7 ·"),
    ("lesson", "## 7 ·", "## 8 ·"),
    ("lesson", "## 8 ·", "### Exercise 5"),
    ("lesson", "### Exercise 5", "## Versions read"),  # 21f: the versions after the exercises
    ("lesson", "## Versions read", "## References"),
    ("appendix", "plot_sinusoid(", "row 0, first 6 columns"),  # m: the picture first, then its checks
    ("appendix", '<a id="appendix-a"></a>', "width_reports = {"),  # 19d: the width arithmetic in appendix A
    ("appendix", "width_reports = {", '<a id="appendix-b"></a>'),
    ("appendix", '<a id="appendix-a"></a>', "shifted_positions_study("),  # q
    ("appendix", "shifted_positions_study(", '<a id="appendix-b"></a>'),
    ("appendix", '<a id="appendix-b"></a>', "centre_of = {  # each table's centre patch"),  # 21a
    ("appendix", "centre_of = {  # each table's centre patch", '<a id="appendix-c"></a>'),
    (
        "appendix",
        "**The four readings**, on a table's inner patches",
        "new_runs = {seed: stored_shifted_positions",
    ),  # 20e
    ("appendix", "new_runs = {seed: stored_shifted_positions", "**The five exploratory tables**"),
    ("appendix", "## E · Asides from sections 4 and 8", "### The package's `PatchEmbedding` (section 4)"),  # 21c
    ("appendix", '<a id="appendix-f">', "### The 768 coincidence, and ViT-S (section 2)"),  # 21i
    ("appendix", "### The 768 coincidence, and ViT-S (section 2)", '<a id="appendix-g">'),
    ("appendix", "### A closeness-only control", "closeness_report = position_structure_report("),
]


@pytest.mark.parametrize(("where", "first", "then"), ORDER, ids=[f"{w}:{a[:30]}" for w, a, _ in ORDER])
def test_placement_order(where: str, first: str, then: str) -> None:
    assert _at(where, first) < _at(where, then), (where, first, then)


# (notebook, text, earlier, later): within one section's prose (or one cell), the first phrase comes first.
ORDER_IN_TEXT = [
    ("appendix:The paper's Table 8", "ImageNet 5-shot linear", "61.4 %"),  # 22i: the setting, then the number
    ("appendix:The paper's Table 8", "61.4 %", "27.7 % is not comparable"),  # 22f: then why ours differs
    ("lesson:5 ·", "`vit.pos_embedding`", "Eq. 1 omits"),  # 22i: the symbols, the bias caveat, the why
    ("lesson:5 ·", "Eq. 1 omits", "**Why positions at all?**"),
    (
        "lesson:8 ·",
        "two convs 25",
        "global attention sets the ViT apart from the conv stacks",  # r32 decision (fix01x, r31c minor 7); r34c
    ),  # 22a, r27a minor 9, r27c minor 1, fix01i item 3
    (
        "lesson:8 ·",
        "sets the ViT apart from the conv stacks.",  # fix01j item 3; r34c MAJOR 1: the roll probe's own sentence
        "absolute position table stays while the patches move",  # fix01q (r29d minor 9): was 'also breaks'
    ),  # r25a item 1
    ("lesson:8 ·", "absolute position table stays while the patches move", "loses 9.2 to 25.0 points by direction"),
    ("lesson:8 ·", "the paper's reason it needs more data", "translation equivariance in every layer"),  # 24d
    (
        "lesson:8 ·",
        "One 3x3 conv changes 9 of those pixels",
        "two convs 25",
    ),  # r33a minor 7: one unit, pixels  # 24d; the pixel window: printed (fix01i)
    ("appendix:Three kernels in the wild", "In plain words", "-1.0 points"),  # 21f: a plain sentence first
]


@pytest.mark.parametrize(("place", "first", "then"), ORDER_IN_TEXT, ids=[f"{p}:{a[:25]}" for p, a, _ in ORDER_IN_TEXT])
def test_placement_order_in_text(place: str, first: str, then: str) -> None:
    where, heading = place.split(":", 1)
    text = nb.flat(section(where, heading, "prose"))
    assert nb.flat(first) in text and nb.flat(then) in text, (place, first, then)
    assert text.index(nb.flat(first)) < text.index(nb.flat(then)), (place, first, then)


# (notebook, printing cell's label, its check): the hidden check right after the cell asserts what it printed.
FOLLOWS = [
    (
        "appendix",
        "structure = position_structure_report(mnist_vit",
        "(s.left_right, s.above_below, s.diagonal) == (24, 1, 0)",
    ),  # r25a item 8, r27a minor 13
    ("lesson", "sequence = with_class + vit.pos_embedding", "add_class_token("),  # 17e
    ("lesson", "forward_code, forward_boxes = read_forward(vit_b16)", "assert len(code_lines) == 14"),  # fix01m item 3
    ("lesson", "P, D = 16, 768", "(rows32, cols32) == (7, 7)"),  # 21f
    ("lesson", "plot_shuffled_digits(", "assert int((guessed == labels[:8]).sum()) == 4"),  # 21f
    (  # r29 density: moved to appendix A (fix01s item 2)
        "appendix",
        'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")',
        "assert moved == [0.768, 0.83, 0.745]",
    ),
    # section 7 prints the two differences its sentence reads; appendix B the other three (20c, 22f: moved there)
    ("lesson", '"dimension": paired_difference(', 'points["new size"] == (-1.0, -2.6, 0.5)'),
    ("appendix", '"new size, bilinear": paired_difference(', 'points["new size, bilinear"] == (-2.0, -3.8, -0.3)'),
    ("appendix", '"kernel": paired_difference(bilinear, bicubic', 'points["kernel"] == (-1.0, -2.1, 0.0)'),
    (  # fix01_34a (carry item 1): the exploratory below reading, its three lines asserted
        "appendix",
        'below_kind = "8 tokens apart (directly below) - 6 or 7 tokens apart"',
        '"grid8 s1": (0.146, -0.008, 0.308), "grid8 s2": (0.124, -0.046, 0.307)',
    ),
    # fix01_34a (carry item 2): one widget per cell; the token widget in section 3, its check right after it
    (
        "lesson",
        'token_widget.controls["permute"].value = False',
        'pixel rows 48 to 51: a strip of one colour" in token_widget.line',
    ),
    ("lesson", 'token_widget.controls["permute"].value = False', "straddles two colours"),
    ("lesson", "display(resize_widget)", "resize_widget.line =="),
    ("lesson", "one_pixel_reach(", '"one ViT block": (197, 197)'),  # 22a
    ("lesson", "one_pixel_reach(", 'assert window == {"the input step (z0)": 256'),  # 24d
    (
        "appendix",
        "alone = sublayer_reach(x, vit",
        '"attention sub-layer": (197, 197), "MLP sub-layer": (1, 197)',
    ),  # r25b item 2, r27a
    ("lesson", 'rolls = {"right": (4, -1)', 'assert points["right"] == (-9.2, -11.2, -7.3)'),  # r25b item 1
    ("lesson", 'rolls = {"right": (4, -1)', "(round(max(drops), 1), round(min(drops), 1)) == (-9.2, -25.0)"),
    ("lesson", 'rolls = {"right": (4, -1)', '== ["19%", "5%", "48%", "15%"]'),
    ("lesson", 'rolls = {"right": (4, -1)', '"up": (-24.1, -27.2, -21.2)}'),  # r25d item 1: the ink-free digits
    ("lesson", 'rolls = {"right": (4, -1)', "assert (after - torch.roll(before, shift // 4, axis - 1))"),  # one patch
    ("lesson", "change_bare, change_pos =", 'assert f"{pos.std().item():.2f}" == "0.02"'),  # r25b item 8
    ("appendix", "gap_maps, stem_gap = shift_gaps(x, conv)", "round(equivariance[1][0], 2) == 0.31"),  # 20c, fix01j
    ("appendix", "gap_maps, stem_gap = shift_gaps(x, conv)", "stem_gap[8] < 1e-5"),  # 21i
    ("appendix", "closeness_report = position_structure_report(", "matched.low < 0 < matched.high"),  # 22c
    (
        "appendix",
        "new_runs = {seed: stored_shifted_positions",
        "assert [d.low > 0 for d in confirm.values()] == [True, True, True, False]",
    ),
    (
        "appendix",
        "position_structure_report(table, (8, 8), confidence=level, resamples=draws)",
        "abs(level - 0.9875) < 1e-12 and draws == 20_000",
    ),
    ("appendix", "section6_runs = {0: stored_shifted_positions(", "(0.433, 0.208, 0.654)"),  # 21c, 24b
    ("appendix", "grid_runs = {0: stored_shifted_positions(", "2: (0.329, 0.007, 0.644)"),  # 22c
    ("appendix", "shifted = torch.roll(digits, shifts=4, dims=-1)", "points == (-9.2, -11.2, -7.3)"),  # 21a
    ("appendix", "mean_change = (outputs[0] - outputs[1])", '"0.013"'),  # 22a
    ("appendix", "width_reports = {", "round(fewer, 2) == 0.67"),  # 19d
    ("appendix", "reports_20 = {name: position_structure_report(", "abs(confidence_20 - 0.9975) < 1e-12"),  # 19d
    ("appendix", "\nreports = {name: position_structure_report(", 'marks["row - neither"] == [True] * 5'),  # 20a
    ("appendix", 'save_figure(fig, "01_learned_positions")', "assert near[5, 5].tolist() == [2, 0]"),  # 20e
]


@pytest.mark.parametrize(("where", "printer", "check"), FOLLOWS, ids=[f"{w}:{p[:30]}" for w, p, _ in FOLLOWS])
def test_a_hidden_check_follows_each_stated_number(where: str, printer: str, check: str) -> None:
    cells = nb.cells(PATHS[where])
    at = _at(where, printer)
    assert not nb.hidden(cells[at]) or where == "appendix", (where, printer)
    assert nb.hidden(cells[at + 1]) and check in nb.source(cells[at + 1]), (where, printer, check)


def test_every_check_cell_is_folded_and_asserts_for_real() -> None:
    """21f: every check cell is collapsed in JupyterLab; 21c: no check comments out an assert."""
    for path in (LESSON, APPENDIX):
        checks = [c for c in nb.cells(path) if nb.source(c).startswith("# @title A check")]
        assert len(checks) >= 15, path
        assert all(c["metadata"].get("jupyter", {}).get("source_hidden") is True for c in checks)
        assert all(nb.hidden(c) for c in checks)
        for check in map(nb.source, checks):
            ast.parse(check)
            tokens = tokenize.generate_tokens(io.StringIO(check).readline)
            comments = [t.string for t in tokens if t.type == tokenize.COMMENT]
            assert not [c for c in comments if "assert " in c], (path.name, comments)


def test_each_figure_is_saved_once() -> None:
    """A figure is shown once: every save_figure name appears in one cell of the lesson and its appendix."""
    names = re.findall(r'save_figure\(\w+, "(\w+)"\)', nb.all_text(LESSON) + nb.all_text(APPENDIX))
    assert names and len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_one_appendix_pointer_per_section() -> None:
    """17c: at most one paragraph per lesson section points to the appendix."""
    # Paragraphs are cut at blank lines and at cell boundaries (the shared lookup joins a section's cells).
    head, pointers = "(top)", {}
    for cell in nb.cells(LESSON):
        if cell["cell_type"] != "markdown":
            continue
        for chunk in re.split(r"\n\s*\n", nb.source(cell)):
            head = next((m.group(1).strip() for m in map(HEADING.match, chunk.splitlines()) if m), head)
            if "01_patches_and_embeddings_appendix.ipynb" in chunk:
                pointers.setdefault(head, []).append(chunk)
    for head, paragraphs in pointers.items():
        if head[0].isdigit():
            assert len(paragraphs) <= 1, (head, paragraphs)


def test_the_lesson_has_no_appendix_of_its_own_and_the_appendix_has_a_to_g() -> None:
    """w, q: the appendices are a notebook of their own, sections A-G."""
    assert not any(s.startswith("<a id=") for s in nb.sources(LESSON))
    appendix = nb.sources(APPENDIX)
    for anchor in "abcdefg":
        assert any(s.startswith(f'<a id="appendix-{anchor}"></a>') for s in appendix), anchor


def test_versions_live_in_their_note_not_the_main_path() -> None:
    """21f: library versions and commits are in the Versions read note, not the main path's prose."""
    versions = ("1.0.28", "8ef7380", "16fc24d", "5.23.0", "1.23.6", "1.26.14")
    main = nb.flat(" ".join(nb.source(c) for c in nb.main_path(LESSON) if c["cell_type"] == "markdown"))
    assert not [v for v in versions if v in main]
    note = prose("lesson", "Versions read")
    assert all(v in note for v in versions)


def test_exercises_read_the_same_in_the_lesson_and_the_solutions() -> None:
    """21a, 22i, 24d, s: the exercise prompts are the same text in both notebooks; exercise 2 is build_z0."""
    for title in ("### Exercise 1", "### Exercise 4", "### Exercise 5"):
        lesson = next(s for s in nb.sources(LESSON) if s.startswith(title))
        assert lesson == next(s for s in nb.sources(SOLUTIONS) if s.startswith(title)), title
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        titles = [s.splitlines()[0] for s in sources if s.startswith("### Exercise")]
        assert len(titles) == 5 and titles[1].startswith("### Exercise 2 · Build the encoder's input, Eq. 1")
        i = nb.unique_index(sources, "### Exercise 2 · Build")
        assert sources[i + 1].startswith("def build_z0(") and sources[i + 2] == "lesson01.check_build_z0(build_z0)"
    solved = nb.cells(SOLUTIONS)[nb.unique_index(nb.sources(SOLUTIONS), "lesson01.check_build_z0(build_z0)")]
    assert "Correct!" in nb.printed(solved)


def test_stored_tables_print_their_shape() -> None:
    """Printed tables looked up by their labels: the rows, the verdicts and the controls keep their numbers."""
    appendix = nb.cells(APPENDIX)
    out = nb.printed(appendix[_at("appendix", "closeness_report = position_structure_report(")])  # 22c
    rows = re.findall(r"row - neither ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    columns = re.findall(r"column - neither ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    matched = re.findall(r"row - column ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    assert [r[0] for r in rows] == ["+0.29", "+0.39", "+0.46"] and all(float(r[1]) > 0 for r in rows)
    assert [c[0] for c in columns] == ["+0.31", "+0.40", "+0.48"] and all(float(c[1]) > 0 for c in columns)
    assert len(matched) == 3 and all(float(lo) < 0 < float(hi) for _, lo, hi in matched)
    confirm = nb.printed(appendix[_at("appendix", "new_runs = {seed: stored_shifted_positions")]).strip()  # 20c
    lines = confirm.splitlines()
    assert len(lines) == 4 and [line.endswith("-> confirmed") for line in lines] == [True, True, True, False]
    table = nb.printed(appendix[_at("appendix", "reports_20 = {name: position_structure_report(")]).strip()
    lines = table.splitlines()  # 17c, 19c: the family of 20's table
    assert len(lines) == 7 and lines[0].startswith("99.75 % intervals")
    assert [line[:20].strip() for line in lines[1:6]] == [
        "shipped, 7 x 7",
        "grid6 s0",
        "grid6 s1",
        "grid6 s2",
        "grid8 s0",
    ]
    assert lines[5][20:].split("  ")[0].strip() == "+0.43 [+0.15, +0.69]*"
    full = nb.printed(appendix[_at("appendix", "section6 = {name: {kind: c.difference")])
    assert full.startswith("98.75 % intervals")  # 20a
    per_table = nb.printed(appendix[_at("appendix", "\nreports = {name: position_structure_report(")]).strip()
    lines = per_table.splitlines()  # 20a: one line per reading, then the pooled lines
    assert len(lines) == 7 and [line.split()[0] for line in lines[1:5]] == ["row", "column", "row", "below"]
    intervals = nb.printed(appendix[_at("appendix", "section6_runs = {0: stored_shifted_positions(")])
    assert intervals.count("98.75 % interval") == 7  # 21f: each line carries its level (fix01n: + the 1-D line)


def test_the_pixel_cost_is_printed_once() -> None:
    """18c, 19b: one computation of the pixel cost, printed once."""
    printed = nb.all_printed(LESSON)
    assert printed.count("attention matrix per head: 50,177^2 / 197^2 = 64,875 times larger") == 1
    assert printed.count("times larger with a token per pixel") == 1


def test_main_path_targets() -> None:
    """The lesson brief's targets for the main path (visible cells before the Summary; its markdown words)."""
    main = nb.main_path(LESSON)
    assert len(main) <= CAP_CELLS and nb.markdown_words(main) <= CAP_WORDS, (len(main), nb.markdown_words(main))


def test_r26b_m2_each_resize_kernel_is_stated_with_its_version() -> None:
    """r26b M2: timm bicubic antialiased, Hugging Face bicubic without, the paper's code linear; versions in the note."""
    # r27b minor 4: one clause; r32 density (fix01x item 5): the clause moved to appendix B's kernel section
    text = prose("appendix", "Three kernels in the wild: the paper's code, timm, Hugging Face")  # lower case
    for fact in (
        "libraries differ in kernel: timm (antialiased) and hugging face (not) resize bicubically by default, the paper's"
        " code linearly",  # fix01t item 5 (r30c minor 4)
        "the paper's code linearly: scipy `zoom(order=1)` (the list below",  # r32c MAJOR round: no process note
    ):
        assert nb.flat(fact) in text, fact
    note = nb.flat(section("lesson", "Versions read", "prose"))  # the versions live in the note (21f)
    assert nb.flat("(transformers 5.23.0): `model(pixel_values, interpolate_pos_encoding=True)`") in note
    assert nb.flat("bicubic, `align_corners=False`, not antialiased)") in note
    assert nb.flat("(bicubic, antialiased)") in note  # timm's kernel, off the main path since r27b
    assert nb.flat("commit 16fc24d: scipy `zoom(order=1)`, linear with the corners aligned.") in note
    import inspect

    import transformers
    from transformers.models.vit.modeling_vit import ViTEmbeddings

    code = inspect.getsource(ViTEmbeddings.interpolate_pos_encoding)
    assert transformers.__version__ == "5.23.0"
    assert 'mode="bicubic"' in code and "align_corners=False" in code and "antialias" not in code


def test_r26b_m3_the_reference_tables_are_drawn_before_their_counts() -> None:
    """r26b M3: the 1-D sinusoid and the 2-D sin-cos tables are pictured in section 6 before their counts."""
    sources = nb.sources(APPENDIX)  # r29 density: moved to appendix A (fix01r item 4, r30a minor 12)
    cell = sources[nb.unique_index(sources, "# Two reference tables that know only the order or the grid")]
    assert cell.index('save_figure(fig, "01_reference_positions")') < cell.index("sequence_only = position_structure")
    assert _at("appendix", "### Two reference tables (section 6)") < _at(
        "appendix", 'save_figure(fig, "01_reference_positions")'
    )
    assert (nb.ROOT / "figures" / "01_reference_positions.png").exists()
    section_8 = prose("lesson", "8 · What a ViT does not build in (the paper's reason it needs more data)")
    assert (  # r27c minor 1, fix01i item 3 (r27f minor 4): the sentence names where each difference shows, plainly
        # r32 decision (fix01x item 4, r31c minor 7): scoped to these probes ("in these probes ... from the conv stacks")
        # r32 decision (fix01z item 2, r32b minor 3): each probe credited with what it touches
        "in this probe, global attention sets the vit apart from the conv stacks." in section_8  # r34c MAJOR 1
    )


def test_r27b_the_slip_caption_is_next_to_its_picture() -> None:
    """r27b minor 1: the caption's cell comes right before the cell that draws the slip (its check folded in between
    is not shown); section 8's three explanations each follow their probe's hidden check directly."""
    cells = nb.cells(APPENDIX)  # r29 density: the slip picture moved to appendix E (fix01n item 1)
    caption = _at("appendix", "The picture shows the `permute` forgotten on the *kernel*")
    assert cells[caption]["cell_type"] == "markdown" and "plot_slip_scatter(" in nb.source(cells[caption + 1])
    cells = nb.cells(LESSON)
    for probe, words in (
        ("reach = one_pixel_reach(", "One changed pixel"),
        ("rolls = {", "The absolute position table stays while the patches move"),  # fix01q (r29d minor 9)
    ):
        at = _at("lesson", probe)
        assert nb.hidden(cells[at + 1]) and nb.source(cells[at + 2]).startswith(words), probe


def test_r27b_m1_the_2d_table_is_reported_as_a_tie() -> None:
    """r27b M1: the 2-D sin-cos table is a tie (r28b M1: no split is printed: it is float rounding);
    r27c M1: the trained counts are description only: the lean left/right is not confirmed by the graded measure
    (below - right, every interval holds 0), so neither section 6 nor the Summary says the tables favour left/right."""
    six = prose("appendix", "Two reference tables (section 6)")  # r29 density: moved to appendix A (fix01r item 4)
    for fact in (
        "the 2-d sin-cos table ties left/right with above/below (rings: exact ties)",  # r27c minor 2: the rings
        # fix01i item 2 (r27f minors 1, 2): the headline's comparison; the intervals are printed, the plain sentence reads them
        # fix01j item 1 (r28a M1): the headline counts the fresh seeds only and names closeness
        # fix01k item 4 (r28b minor 7): "in 2 of 3 runs", not "end up"
        # fix01m item 1 (r28d minor 2): the same facts in plain words, the training run as the unit
    ):
        assert nb.flat(fact) in six, fact
    assert nb.flat(  # r29 density: moved to appendix A (fix01n item 1)
        "yes in 2 of 3 runs, but one is seed 0, which suggested this question, so it cannot test it; of the 2 new"
        " seeds, 1 shows it, barely."
    ) in prose("appendix", "Section 6's three runs, with intervals")
    moved = prose("appendix", "Section 6's three runs beyond the nearest neighbours")  # fix01i: from section 6
    for fact in (
        "similarity to the patch below minus to the right holds 0 on all three (grid8 s0: +0.02 [-0.16, +0.19])",
        "same column minus neither row nor column is above 0 on grid8 s0 and, barely, s1",
        "(+0.19 [+0.03, +0.37], +0.18 [+0.004, +0.39]); on s2 it holds 0 (+0.15 [-0.01, +0.33])",
        "4, 6 and 4 patches have best and runner-up within 0.01",  # r27b minor 9
    ):
        assert nb.flat(fact) in moved, fact
    # r31 density (fix01v item 1, r31b M1): the Summary now uses section 6's words; this sentence lives in appendix A
    summary = prose("appendix", "Section 6's maps: three canvas runs")  # fix01n item Z (r29a minor 14): one line
    assert (
        nb.flat(  # fix01t item 1 (r30c M1): the pre-stated test's count, as section 6 says it
            "of two new runs (the third suggested the question), one shows same-column positions more alike than"
            " unrelated ones, barely; the shipped model shows no detectable column effect"
        )
        in summary
    )
    # fix01s item 2 (r30b M2, r29 density): section 6's picture and estimates moved to appendix A, 'Section 6's maps';
    # the intervals print in 'Section 6's three runs, with intervals' (below)
    checks = section("appendix", "Section 6's maps: three canvas runs", "check")
    assert "assert [d.low > 0 for d in trained] == [True, True, False]" in checks
    printed = section("appendix", "Section 6's three runs, with intervals", "printed")
    for line in (  # r29 density: moved to appendix A (fix01n item 1): each table's interval, appendix A's level
        "grid8 s0, same column - neither: +0.195, 98.75 % interval [+0.034, +0.371]",
        "grid8 s1, same column - neither: +0.176, 98.75 % interval [+0.004, +0.387]",
        "grid8 s2, same column - neither: +0.150, 98.75 % interval [-0.007, +0.334]",
        "1-D sinusoid (order only), same column - neither: +0.009, 98.75 % interval [-0.012, +0.030]",
    ):
        assert line in printed, line
    checks = section("appendix", "Section 6's three runs beyond the nearest neighbours", "check")
    assert "assert margins == {0: 4, 1: 6, 2: 4}" in checks
    appendix = section("appendix", "Section 6's three runs beyond the nearest neighbours", "printed")
    for line in ("s0, below - right (one grid step): +0.019 [-0.157, +0.194]",
                 "s1, below - right (one grid step): +0.008 [-0.171, +0.195]",
                 "s2, below - right (one grid step): -0.013 [-0.183, +0.165]"):  # fmt: skip
        assert f"grid8 {line}" in appendix, line
    assert "below - right detects no difference on any of the three" in prose(
        "appendix", "Section 6's three runs beyond"
    )


def test_r27c_the_thinner_section_5_and_the_tie_rings() -> None:
    """r27c minors 4, 5: one line per caveat in the shuffle cell; Table 8's four numbers inline. Minor 2: the 2-D
    table's exact ties are drawn as rings on every tied neighbour (checked), so no dot's side reads as a preference."""
    five = prose("lesson", "5 · The class token and position embeddings")
    for fact in (
        "19-33 % of the held-out test digits right over ten permutations (seed 0's: 21.8 %)",  # fix01n item 3 (r29a minor 1)
        "the trained model sees only which patches are present, not where. it gets 27.7 % right, shuffled or not",
        # fix01i item 1 (r27f M1): Table 8 lives in appendix B; fix01j item 2: the guess replaced by the measurement
        "trained without any positions, the same recipe gets 75.1-81.0 % (3 seeds",
    ):
        assert nb.flat(fact) in five, fact
    # r31 decision (fix01u item 5, r31a minor 4): r27f M1's rule kept in intent: 2.8 only as the paper's gap, beside
    # "not comparable", never as a reason for our 27.7 %
    # r32 density (fix01x item 5): Table 8's gap moved to appendix B (asserted below); section 5b names it "not
    # comparable" in its pointer, and never gives 2.8 as a reason for our 27.7 %
    assert "2.8" not in five and "table 8, is not comparable" in five and "one reason it is low" not in five
    table_8 = prose("appendix", "The paper's Table 8 (section 5)")
    assert all(v in table_8 for v in ("64.2 %", "64.0 %", "61.4 %", "2.8 points lower"))
    checks = section("appendix", "Two reference tables (section 6)", "check")  # r29 density: fix01r item 4
    assert "sorted(tied[3, 3]) == [(2, 3), (3, 2), (3, 4), (4, 3)]" in checks
    assert "assert not tied_nearest(patch_position_similarity(fine_table, (8, 8)))" in checks


def test_r27b_minors_6_and_8_name_the_measure_and_the_libraries_start() -> None:
    """r27b minor 6: Table 8's measure is named; minor 8: the class token's zero start is this package's choice."""
    table_8 = prose("appendix", "The paper's Table 8 (section 5)")  # fix01i item 1: Table 8 left section 5
    assert "2.8 points lower" in table_8 and "imagenet 5-shot linear" in table_8
    code = section("lesson", "5 · The class token and position embeddings", "code")
    assert (
        "zero, as in the paper's JAX code; timm and Hugging Face draw small random numbers" in code
    )  # fix01i item 11: versions in the note; r33a minors 12-13: the JAX start named, the back-pointer dropped
    note = nb.flat(section("lesson", "Versions read", "prose"))
    assert nb.flat("timm 1.0.28 draws it `normal_(std=1e-6)`") in note and "`trunc_normal_(std=0.02)`" in note


def test_r30b_minor7_the_normalisation_is_the_default_tags() -> None:
    """r30b minor 7 (fix01s item 4): (x - 0.5) / 0.5 holds for timm's default weights of the model, not every tag
    (timm 1.0.28 `vision_transformer.py`: the `.dino` tag's `_cfg` uses `IMAGENET_DEFAULT_MEAN` and `_STD`)."""
    note = nb.flat(section("lesson", "Versions read", "prose"))
    assert "the `.dino` tag uses `IMAGENET_DEFAULT_MEAN` and `_STD` instead" in note
    # r32 density (fix01x item 5): section 1's default-weights clause moved to the note (a version fact), which
    # states it for the default tag only (the r30b scope kept); section 1 keeps "not normalised"
    assert "`vit_base_patch16_224`'s default tag, `augreg2_in21k_ft_in1k`" in note and "`(x - 0.5) / 0.5`" in note
    one = nb.flat(section("lesson", "1 · The photo as a tensor", "prose"))  # fix01_34a (r34a minor 2): renamed
    assert "not normalised" in one and "(x - 0.5) / 0.5" not in one
    # r32 decision (fix01y item Z, r32a minor 10): the reviewer's sentence on what the default tag does to the input
    # is a comment in section 1's cell (no prose added), scoped to the default tag as r30b asked
    code = section("lesson", "1 · The photo as a tensor", "code")
    assert "(tag augreg2_in21k_ft_in1k) expects each channel as (x - 0.5) / 0.5" in code


def test_the_eq1_picture_comes_before_its_printed_shapes() -> None:
    """fix01_35a (r34e minor 1): the Eq. 1 cell shows its picture first, then prints the shapes."""
    code = next(c for c in nb.sources(LESSON) if "plot_eq1_sequence(num_patches, D)" in c)
    assert code.index("display(fig)") < code.index("print(") and not code.rstrip().endswith("fig")


def test_quick01_35b_optional_sections_references_and_slip_lists() -> None:
    """a35b audit items 5, 7, 8 (quick01_35b): sections 6-7 say they are optional; the References name route 1's
    vit-pytorch 0.40.2 beside 1.23.6; each "slips the checker names" list holds the messages the checker gained
    (lesson and solutions alike: test_solutions_match)."""
    heads = [line for line in nb.all_text(LESSON).splitlines() if line.lstrip('"').startswith(("## 6 ·", "## 7 ·"))]
    assert len(heads) == 2 and all("Going deeper" in h and "(optional)" in h for h in heads), heads
    references = nb.flat(section("lesson", "References", "prose"))
    assert "lucidrains/vit-pytorch 0.40.2 (route 1) and 1.23.6 (Dual PatchNorm, appendix E)" in references
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        two, three, five = (
            nb.flat(next(s for s in sources if s.startswith(t)))
            for t in ("### Exercise 2", "### Exercise 3", "### Exercise 5")
        )
        assert "- a tuple returned (a trailing comma);" in two and "joined along dim 0, the batch axis" in two
        assert "`images.shape` unpacked channels last, `patch_size` used as an int, `/` for `//`" in three
        assert "- a new grid written into the code;" in five
    check = next(c for c in nb.sources(LESSON) if "round(84.15 - 80.73, 1) == 3.4" in c)
    assert "appendix F's 'about 4 times the compute for +3.4 points'" in check  # a35b item 6: the cell it quotes
