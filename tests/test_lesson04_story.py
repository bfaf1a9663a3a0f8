"""Lesson 04: what the notebooks say and print, pinned as facts (numbers, verdicts, placement), not wording.

Folded from the per-round files (tests/test_lesson04_fix_*.py, test_lesson04_review_k.py). Each row names the old
test it came from. Lookups go by section heading ("## 6 ·", "## A ·", "## Summary") or by a stable label in a cell,
never by cell index. Keys: "L" the lesson, "A" its appendix, "S" the solutions notebook.
"""

from __future__ import annotations

import re

import pytest

from tests import _notebook as nb

PATHS = {
    "L": nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb",
    "A": nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb",
    "S": nb.NOTEBOOKS / "solutions" / "04_gelu_mlp_and_block_solutions.ipynb",
}
LESSON, APPENDIX, SOLUTIONS = PATHS["L"], PATHS["A"], PATHS["S"]
# r28: 1,847 (85 % of r27f's 2,177); r28m: 1,846; r29n: 1,834; r29o: 1,834 (the LayerNorm clause and two full
# sentences paid for by cuts); r29p: 1,831 (the stream picture, the lone-token cell and two clauses paid for by
# cuts and merged cells); r30 (review r29d): 1,826 (the logit caveat and the BatchNorm clause paid for by section 6's
# warm-up rows and DropPath's versions, moved to appendices F and O); r30b: 1,825 (section 6's bold takeaway and
# its caveat / control / result split paid for by timm's versions in markdown and a few clauses); r31 (review
# r30c): 1,817 (the 6b/6c labels, the 2-16-block bounds, 'detached' defined, Mlp.forward in markdown and the depth
# widget paid for by torchvision's label and the 4x width's history moved to appendices E and D, the GELU-gate
# widget moved to appendix C, section 6's second 'untested' sentence, and a few clauses); r31u (review r31a): 1,813
# (the box's Xavier scope, Answer 6a's timm numbers and two clauses paid for by the forward-confound sentence moved to
# appendix A, the bug table's last-row sentence, the Encoder's gloss and a few words); r31v (review r31b): 1,809 (the
# box's fc2 named, the Annotated Transformer's LayerNorm and two clauses paid for by 6a's setup printed, LeViT moved
# to appendix K and a few words); r32 (review r31c): 1,803 (the tutorials' norm placements, DropPath's timm version
# and DeiT-B's rate, 10 seeds and the final-step table paid for by section 6 in plain sentences, its second and third
# stream measures moved to the hidden check and appendix A, 6c's Limits moved below the Summary); r32y (review
# r32a): 1,801 (6b's control verdict and sigma-detached clause, cell 29's conclusion and section 6's one-line takeaway
# and attention's dropout paid for by the tutorials' placements moved to appendix E, 6c's recipe printed, GELU's
# minimum left to its printed line, the equations' gloss and shorter clauses); r32z (review r32b): 1,800 (6b's
# gradient x sigma sentence and the two-Linears fold paid for by sigma detached and the gate bands' share moved to
# appendices A and H, and shorter clauses); r33 (review r33a): 1,772 (the Annotated Transformer's pre-norm code, the
# HF ViTLayer check, 6a's setup in prose and Block's missing dropout paid for by the lesson's widget, cell 29's
# reading, 'In one line', the timm numbers, why 4x and DropPath's versions moved to appendices A, B, D, F, N,
# O); r33b (review r33b): 43 cells, 1,765 words (the residual-stream widget in 6b, the unrolled-stream picture,
# attention's token-dependent weights, 'why an MLP' in one sentence, backward fixed's σ path and 'a bound is not a
# fitted slope' paid for by the Annotated Transformer's placement and LayerNorm (already in appendix E), Block's
# missing dropout moved to appendix O, Theorem 1 moved beside the answer it qualifies, three merged cells, shorter
# clauses); r33c (review r33c): 1,765 kept (the box's training scope and backward fixed's trick paid for by
# shorter clauses in sections 1-4): the cap
MAIN_PATH_CELLS, MAIN_PATH_WORDS = 43, 1765
#: 6a's answer opens with the answer itself (r32y item 5, review r32a minor 9: no lab-notebook "Answer 6a" label).
ANSWER_6A = "**Yes, at this initialisation.**"


def _key(heading: str) -> str:
    """A section's key: "## 6 ·" for numbered or lettered sections, else the heading line itself."""
    found = re.match(r"(## [0-9A-O] ·)", heading)
    return found.group(1) if found else heading.splitlines()[0]


CELLS = {key: nb.cells(path) for key, path in PATHS.items()}


def _section(key: str, section: str) -> dict[str, str]:
    """One section by its key ("## 6 ·", or a whole heading line such as "## Summary"), its "###" subsections
    included: the shared ``nb.sections_by_heading`` parts ("md", "code", "hidden", "printed") joined in order."""
    parts: dict[str, list[str]] = {"md": [], "code": [], "hidden": [], "printed": []}
    inside, found = False, False
    for heading, texts in nb.sections_by_heading(PATHS[key]).items():
        if heading == "(top)" or heading.startswith("## "):  # a section's boundary; "#" (the title), "###" stay inside
            inside = _key(heading) == section
            found = found or inside
        if inside:
            for kind, text in parts.items():
                text.append(texts[kind])
    assert found, (key, section)
    return {kind: "\n".join(texts) for kind, texts in parts.items()}


def _visible(key: str, section: str) -> str:
    """The section's code with its folded checks taken out (each hidden cell's source removed once)."""
    part = _section(key, section)
    code = part["code"]
    for cell in CELLS[key]:
        text = nb.source(cell)
        if cell["cell_type"] == "code" and nb.hidden(cell) and text in part["hidden"]:
            code = code.replace(text, "", 1)
    return code


def _subheadings(key: str, section: str) -> list[str]:
    """The "###" heading lines inside a section, in order."""
    headings = list(nb.sections_by_heading(PATHS[key]))
    start = next(i for i, h in enumerate(headings) if h.startswith("## ") and _key(h) == section)
    inside = []
    for heading in headings[start + 1 :]:
        if heading.startswith("## "):
            break
        inside.append(heading)
    return [h for h in inside if h.startswith("### ")]


def _markdown(key: str, section: str) -> str:
    return nb.flat(_section(key, section)["md"])


def _cell(key: str, label: str) -> dict:
    cells = CELLS[key]
    return cells[nb.unique_index([nb.source(c) for c in cells], label)]


def _printed_in(cells: list[dict], text: str) -> list[int]:
    return [i for i, c in enumerate(cells) if text in nb.printed(c) or text in nb.flat(nb.printed(c))]


PRINTED = [
    (
        "L",
        "## 1 ·",
        "the dots: 100 gates per x, within 0.08 of x * Phi(x)",
        True,
        "r34d item 1 (review r34d minor 2): the random gate drawn before its Monte Carlo table (the appendix's gate "
        "still), the dots' distance from x Phi(x) printed and asserted",
    ),
    (
        "L",
        "## 2 ·",
        '(torchvision\'s table and many papers call these "17.6 GFLOPs": appendix D)',
        False,
        "r34d (review r34c minor 5 / item 4): the papers' 17.6 'GFLOPs' are these multiply-adds, in the print",
    ),
    (
        "L",
        "## 6 ·",
        "backward_fixed on one centred token, σ = 3: forward [1.0, -0.333, -0.667] = centred / σ; gradient "
        "[0.752, 0.752, 0.752] = 1 / 1.33 each",
        False,
        "r34d item 5 (review r34d minor 4, r34c minor 2): the shown backward_fixed is called once",
    ),
    (
        "L",
        "## 6 ·",
        "σ detached       σ                 σ, as a constant   L^-0.47 [-0.50, -0.44]",
        True,
        "r34d (review r34c minor 2): the sigma-detached arm the prose argues from is printed, not only computed; "
        "fix 35b item 2 (review r35a minor 1): a row of the table and the picture, as the prose counts three arms",
    ),
    (
        "L",
        "## 1 ·",
        "x = -2.0: kept with probability 0.023; mean of x * gate over 200,000 draws -0.0458 ± 0.0007",
        True,
        "fix_19g::test_plus_minus_is_one_standard_error; r34a item 6 (review r34a minor 5): the example's digits "
        "printed, the prose says 'five points below, mean ± one standard error'",
    ),
    (
        "L",
        "## 4 ·",
        "train() against eval(): BatchNorm's output differs by",
        True,
        "r33b item 5 (review r33b minor 7): 'eval() swaps in running averages: the two modes differ' and LayerNorm "
        "'the same in both modes', printed and asserted",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm, L = 16 blocks: the stream's RMS token norm",
        False,
        "r33b item 1 (review r33b minor 1): the residual-stream widget back in 6b after the stream-growth picture, "
        "its line asserted in the next hidden check; a33b audit item 4: a comment on the widget's cell says what it "
        "draws (RMS about sqrt(D) = 8 times sigma, asserted at L = 16), no words added",
    ),
    (
        "A",
        "## D ·",
        'call these 17.6 G multiply-adds "17.6 GFLOPs": they count a multiply-add as one',
        True,
        "r32y item 4 (review r32a minor 4): the literature's and torchvision's name for the same count (torchvision's "
        "table: GFLOPS 17.56), printed, not prose (word cap); r33 density (review r33a minor 6/8): prose out of the "
        "lesson's print strings, moved to appendix D",
    ),
    (
        "A",
        "## A ·",
        "the widget's RMS token norm is about √D·σ, √D = 8: at L = 16, 29.4 against 8 x 3.619 = 28.9; the final "
        "LayerNorm sets σ = 1, so norm 8",
        True,
        "r32y item 3 (review r32a minor 3): the widget's RMS measure related to sigma, printed (word cap); r33 "
        "density (review r33a minor 6/8): the lesson's widget moved to appendix A, which has the same widget",
    ),
    (
        "L",
        "## 6 ·",
        "appendix F's runs: a 6-block MNIST ViT (D = 64), 300 Adam steps, 6a's Xavier blocks and a zero head, seeds "
        "[0, 1, 2]",
        True,
        "r32y density: 6c's recipe printed instead of said (its hidden check asserts the recipe)",
    ),
    (
        "L",
        "## 4 ·",
        "under BatchNorm (training), 0.00 under LayerNorm",
        True,
        "r30 item 2 (review r30a minors 3, 12): BatchNorm's output for image 0 moves when image 1 changes",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 against Lemma 2's lower edge (1 + L/2) d: L = 2: 114-120 < 128; L = 4: 181-185 < 192; "
        "inside the band at L = 8 and 16",
        True,
        "r30 item 1 (review r30a minor 1): the picture's grey band, where the stream sits against it; r31 density: "
        "moved to appendix A (r31u item 5, review r31a minor 7: the picture shows it; the lesson's hidden check keeps "
        "the band's asserts)",
    ),
    (
        "L",
        "## 6 ·",
        "validation accuracy %, no warm-up: mean (3 seeds' range)",
        True,
        "r30 item 5 (review r29d minor 4): the table's arms are not warmed up (the figure's panels 2-3 are, both "
        "placements); its warm-up rows in appendix F",
    ),
    (
        "A",
        "## A ·",
        "L = 16: dividing by 1.33 instead of sigma makes the head's input 2.64-2.85 times larger",
        True,
        "r30 item 2 (review r29d minor 3): the forward confound, measured",
    ),
    (
        "A",
        "## F ·",
        "post-norm, lr 5e-3, warm-up 150: 10-step mean loss down to 1.58-1.63, back above 0.9 ln 10 for good at "
        "steps 142-171",
        True,
        "r29n item 2 (review r29a minor 1): warm-up postpones post-norm's break, read from the stored curves; "
        "r29 density: moved to appendix F (r29p item 2, review r29c minor 14)",
    ),
    (
        "A",
        "## F ·",
        "post-norm, warm-up 150 12.3 (10.0..17.0)",
        True,
        "r29n item 2 (review r29a minor 1): the training runs as a 4-row table (arm, mean, seed range, paired range); "
        "r29 density: moved to appendix F (r30 item 1, review r29d minor 9: the warm-up rows; the lesson keeps the "
        "no-warm-up rows and the pre-norm paired row)",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm 74.4 (68.4..78.8) 81.7 (79.8..83.6)",
        True,
        "r29n item 2 (review r29a minor 1): the headline row, with its seed and paired ranges; r29p item 2 (review "
        "r29c minor 6): accuracy and paired differences in two small tables (both rows pinned)",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm +64.4 (+58.4..+68.8) +2.5 (-3.6..+7.4)",
        True,
        "r29n item 2 (review r29a minor 1): the headline row's paired ranges; r29p item 2 (review r29c minor 6): "
        "the paired table",
    ),
    (
        "A",
        "## H ·",
        "mean |GELU slope|: 0.14 (gate <= 1/2) against 0.84 (gate > 1/2); share of the summed |slope|: 38 %",
        True,
        "r29n item 3 (review r29a minor 2): the lower gates pass little of a change in z; r31 density: moved to "
        "appendix H (r31u item 5, review r31a minor 6: the prose reads only the mean slopes)",
    ),
    (
        "L",
        "## 2 ·",
        "mean |GELU slope|: 0.14 (gate <= 1/2) against 0.84 (gate > 1/2)\n",
        True,
        "r29n item 3 (review r29a minor 2); r31u item 5 (review r31a minor 6): the mean slopes the prose reads, the "
        "38 % share moved to appendix H",
    ),
    (
        "A",
        "## A ·",
        "each stack reads 8 sequences of 16 random unit-variance tokens; a 10-class head on token 0 takes "
        "cross-entropy against random labels",
        True,
        "r31v item 1 (review r31b minor 2): 6a's measurement setup, printed (last_fc2_gradient: torch.randn(8, 16, "
        "dim), the head on out[:, 0]; the hidden check reads its source)",
    ),
    (
        "A",
        "## A ·",
        "measured: the norm of the last block's fc2.weight.grad, at initialisation (last_fc2_gradient)",
        True,
        "r31v item 1 (review r31b minor 2): what 'the last fc2 gradient' is, printed beside the sweep",
    ),
    (
        "A",
        "## D ·",
        "why 4x? a convention from the 2017 Transformer (512 -> 2048); what it costs at D_mlp = 2D, 4D, 8D: the MLP "
        "holds 50, 67, 80 % of a block's parameters and 47, 64, 78 % of its FLOPs",
        True,
        "r31u item 3 (review r31a minor 10): why 4x, one visible line (the hidden check asserted the shares); r31v "
        "item 2 (review r31b minor 1): answered as a convention (not 'not ablated': Vaswani et al.'s Table 3 varies "
        "d_ff and the ViT paper's appendix D.2 scales the MLP width); r33 density (review r33a minor 6/8): moved to "
        "appendix D with its check",
    ),
    (
        "L",
        "## 1 ·",
        "largest |ours - F.gelu|: 0.000000000000 (exact form), 0.000000000000 (tanh form)",
        True,
        "r31u item 5 (review r31a minor 14): section 1's nine printed lines down to three (Phi at -2, 0, 2 is "
        "printed by the random-gate cell below)",
    ),
    (
        "A",
        "## A ·",
        "σ detached       σ                 σ, as a constant   L^-0.47 [-0.50, -0.44]",
        True,
        "r28c item 1 (review r28b minor 1): the fixed arm changed two things; sigma's gradient separated from the "
        "growing divisor in section 6; r32 (review r31c minors 1, 8): 10 seeds, a row of the final-step table;"
        ""
        " r32z item 3 (review r32b minor 5, r31 density: moved to appendix A): section 6b keeps three arms "
        "(final LayerNorm, fixed divisor, backward fixed); the fourth, sigma detached, is printed in appendix A "
        "at the lesson's 10 seeds",
    ),
    (
        "A",
        "## A ·",
        "/ 1.33 after centring  L^+0.065 [-0.021, +0.150]; per seed L^+0.065 [-0.074, +0.204]",
        True,
        "r28c item 1 (review r28b minor 1): centring separated from the growing divisor; r29 density: moved to "
        "appendix A (r29p item 2, review r29c minor 14: it says the same as / 1.33)",
    ),
    (
        "L",
        "## 0 ·",
        "the map's N is its 196 patches; this lesson's N is all 197 tokens, class token included",
        True,
        "r27c minor 5: N defined once; r28b item 5 (review r28a minor 11): a caption line under the map (r32y Z, "
        "review r32a minor 5: printed above it, so this lesson's N is read before the map's); "
        "r28c item 3 (review r28b minor 2): the map counts patches; N stays defined once (fix_22a row); r30b item 1 "
        "(review r30b minor 1): the map's N (its legend: N patches) told apart from the lesson's N, printed",
    ),
    (
        "A",
        "## A ·",
        "slope of the gradient against depth: a least-squares line of log gradient on log depth, one per seed "
        "(4 depths); its interval is a 95 % t-interval over the 10 seeds' slopes",
        True,
        "r28 item 5 (review r27f minor 13): slope and interval glossed; r28b: printed, not prose (word cap); "
        "r32: 10 seeds",
    ),
    (
        "A",
        "## F ·",
        "at lr 1e-3, 3 seeds give 95 % t-intervals with half-widths up to 13.9 points: a smaller gap could go "
        "undetected",
        True,
        "r28b item 1 (review r28a minor 3): the detection limit of 'no consistent difference', from appendix F; "
        "r29o (review r29b minor 9): a half-width, said so; r29 density: moved to appendix F (r30 item 1, review r29d "
        "minor 9: the t-interval sentence; its pointer '(appendix F)' dropped there)",
    ),
    (
        "L",
        "## 2 ·",
        "the attention matrix grows as N^2: it matches the MLP at N = 3,072 = D_mlp (4D here), all the linear layers "
        "(qkv, proj, MLP) at N = 4,608 = 2D + D_mlp (6D here)",
        True,
        "r28b item 2 (review r28a minor 2): where attention overtakes the MLP; r29n item 3 (review r29a minor 3): "
        "the crossovers in general, N = D_mlp and N = 2D + D_mlp",
    ),
    (
        "A",
        "(top)",
        "post-norm - pre-norm slope, paired by seed: +0.45 [+0.31, +0.60]; per seed +0.42, +0.42, +0.52",
        True,
        "r26b item 4; r28b item 3 (review r28a minor 8): the paired slope gap moved from section 6",
    ),
    (
        "A",
        "## H ·",
        "the two lower bands (gate <= 1/2, so z <= 0): 101 units, 47 % of the |GELU| that reaches fc2",
        True,
        "r31 density: moved to appendix H (r32z item 3, review r32b minor 2: section 2 keeps the picture, the open "
        "count and the mean slopes; the share statistic goes with its bands); "
        "r31 item 5 (review r30c minor 4): the tautological 'all negative: True' dropped, z <= 0 said instead; "
        "r26c minor 4 (101 units, 47 %, all negative); r28 item 5 (review r27f minor 6): printed, not added up; "
        "r28b item 5 (review r28a minor 5): a gate of 0.45 is not called closed; r28c item 3 (review r28b minor 7): "
        "one grouping, the three classes, its lower two summed; r28m item 4 (review r28d minor 2): 'gate bands', "
        "not classes (an MNIST reader reads a digit class)",
    ),
    (
        "A",
        "## E ·",
        "nn.TransformerEncoderLayer(64, 4, 256, norm_first=True), other arguments default: "
        "largest |difference| from the Block",
        True,
        "r27d M1: PyTorch's defaults give another block, printed",
    ),
    ("L", "## 5 ·", "return self.norm(tokens)", True, "r27d item 2: the stack (Encoder.forward) shown as code"),
    (
        "A",
        "## B ·",
        "Xavier's std sqrt(1/D): D = 64: 0.125 (6.25 x 0.02); D = 768: 0.036 (1.80 x 0.02)",
        True,
        "r27d minor 4: how far std 0.02 sits below Xavier's at each width, printed; r27e minor 1: two decimals",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm's spread σ before the final LayerNorm, mean (10 seeds' range): L = 2: 1.33 (1.30..1.35); "
        "L = 16: 3.62 (3.46..3.80)",
        True,
        "r27c M1: the divisor itself; r32 (review r31c minors 1, 5): 10 seeds, sigma the one measure of the stream's "
        "size (picture and prose), the RMS token norm in the hidden check (CODE row)",
    ),
    (
        "A",
        "## E ·",
        "nn.TransformerEncoderLayer(norm_first=False) against the package's PostNormBlock: largest |difference|",
        True,
        "r27c item 4: norm_first=False is the post-norm block",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm's spread σ before the final LayerNorm",
        True,
        "r27b minor 1: the growing stream the final LayerNorm divides, printed where 6a's answer names it; r32 (review "
        "r31c minor 5): as its spread sigma only; the RMS token norm (10.5-11.0 at L = 2, 28.0-31.0 at L = 16) "
        "asserted in the hidden check (CODE row 'stream_rms = ')",
    ),
    (
        "A",
        "## F ·",
        "post-norm, lr 1e-3: 50-step warm-up 77.6 % (3 seeds: 74.4..80.8), none 79.1 % (3 seeds: 72.4..87.2); "
        "50-step warm-up - none: -1.5 points (range -6.4..+5.2): no consistent difference over 3 seeds",
        True,
        "r27b M1: the warm-up comparison, printed on the main path; r29 density: moved to appendix F (section 6 "
        "prints the same runs as a 4-row table under their loss curves)",
    ),
    (
        "A",
        "## F ·",
        "post-norm, lr 1e-3: 150-step warm-up 78.1 % (3 seeds: 73.8..82.8), none 79.1 % (3 seeds: 72.4..87.2); "
        "150-step warm-up - none: -1.1 points (range -4.4..+5.2): no consistent difference over 3 seeds",
        True,
        "r27b M1",
    ),
    ("A", "## B ·", "std 0.02, D = 64   L^-0.044 [-0.104, +0.017]", True, "r26e M1: the timm-init intervals, printed"),
    ("A", "## B ·", "std 0.02, D = 384  L^-0.049 [-0.079, -0.019]", True, "r26e M1"),
    ("A", "## B ·", "std 0.02, D = 768  L^-0.243 [-0.304, -0.182]", True, "r26e M1"),
    ("A", "## B ·", "Xavier, D = 768    L^-0.502 [-0.570, -0.433]", True, "r26e M1: Xavier at the same width"),
    (
        "A",
        "## B ·",
        "std 0.02's slope / Xavier's at D = 768: 0.484 (3 seeds: 0.452..0.532)",
        True,
        "r26e M1: 'about half'",
    ),
    (
        "L",
        "## 6 ·",
        "fixed divisor    1.33              1.33               L^+0.08 [+0.04, +0.12]",
        True,
        "r26e minor 6: the final-norm ablation's fixed arm in section 6; r32 (review r31c minors 1, 8): 10 seeds (a "
        "small rise, no fall), a row of the final-step table",
    ),
    (
        "L",
        "## 7 ·",
        "eval(): dropout zeroed 0 of 96 numbers; output = input: True",
        True,
        "r26e minor 2; r27c minor 1: dropout measured alone, DropPath's eval cited from timm and exercise 6",
    ),
    (
        "A",
        "## B ·",
        "pre-norm, timm init, D = 384: gradient at L = 16 / L = 2, seeds 0-2: 0.92, 0.90, 0.88; "
        "slope L^-0.049 [-0.079, -0.019]",
        True,
        "r25b item 1: timm's and DeiT's init at D = 384",
    ),
    (
        "L",
        "## 2 ·",
        "a token alone: attention equals W_o (W_v x + b_v) + b_o, largest difference 0.0e+00",
        True,
        "r25a item 3: why an MLP at all, its check in the main path",
    ),
    (
        "L",
        "## 6 ·",
        "σ added per block: 0.17, 0.18, 0.15; gradient × σ (means): L = 2: 1.19, L = 4: 1.19, L = 8: 1.24, "
        "L = 16: 1.22",
        True,
        "r32z item 1 (review r32b MAJOR 1): sigma grows by about the same amount per block over 2-16 and the "
        "gradient falls as sigma grows (gradient x sigma 1.19-1.24, within 5 %: the hidden check), printed",
    ),
    (
        "L",
        "## 2 ·",
        "without GELU: fc2(fc1(x)) equals one Linear (64, 64), largest difference",
        True,
        "r32z item 2 (review r32b minor 1): the two Linears fold into one without GELU (weight W_2 W_1, bias "
        "W_2 b_1 + b_2), checked on the MNIST ViT's block 0; with GELU between they differ (hidden check)",
    ),
    ("L", "## 1 ·", "smallest slope: -0.13 at x = -1.41", True, "r25a item 6: GELU's dip, printed where stated"),
    (
        "A",
        "## J ·",
        "post-norm: block 15 / block 0, per seed: 0.88, 0.41, 1.11; mean 0.80",
        True,
        "r25a item 4: post-norm's mean ratio, printed then stated; r26a 1: moved",
    ),
    (
        "A",
        "## H ·",
        "67 of 128\nindependent random gates at these rates: 73.2 ± 5.6",
        False,
        "fix_17b::test_gate_count_claims_no_selectivity",
    ),
    ("A", "## C ·", "over 3 seeds: -1.4..+1.4 points", True, "fix_17b::test_relu_swap_and_trained_seeds_printed"),
    ("A", "## C ·", "22 of 1,000 predictions changed", True, "fix_17b::test_relu_swap_and_trained_seeds_printed"),
    ("A", "## C ·", "97.4 -> 96.4 %", True, "fix_17b::test_relu_swap_and_trained_seeds_printed"),
    (
        "A",
        "## C ·",
        "GELU - ReLU: +1.0 points, 95 % interval [+0.1, +1.9]",
        True,
        "fix_17b::test_relu_swap_and_trained_seeds_printed",
    ),
    (
        "A",
        "## F ·",
        "3 of 3 / 0 of 3",
        True,
        "fix_17b::test_section_six_short_with_statistics_folded; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "a + b L      = 8.2 + 1.33 L;  residuals: -0.10, -0.03, +0.23, -0.09",
        True,
        "fix_17c::test_stream_growth_prints_both_fits_residuals",
    ),
    (
        "A",
        "## A ·",
        "residuals: +0.94, -0.60, -1.05, +0.71",
        True,
        "fix_17c::test_stream_growth_prints_both_fits_residuals",
    ),
    (
        "A",
        "## F ·",
        "none     +2.5 [-11.4, +16.5]   +64.4 [+51.0, +77.8]  3 of 3 / 0 of 3",
        True,
        "fix_17e::test_quoted_intervals_print_as_plain_text; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "post-norm - pre-norm slope: +0.45 [+0.30, +0.60]",
        True,
        "fix_17e::test_quoted_intervals_print_as_plain_text",
    ),
    (
        "A",
        "## F ·",
        "Fisher's exact p: warm-up none: p = 0.10",
        True,
        "fix_17e::test_quoted_intervals_print_as_plain_text",
    ),
    ("L", "## 1 ·", "-0.1545 ± 0.0005", True, "fix_17e::test_monte_carlo_means_print_their_standard_error"),
    (
        "A",
        "## A ·",
        "  / 1.33 after centring  L^+0.065",
        True,
        "fix_17e::test_final_steps_are_visible_one_liners_with_plain_labels",
    ),
    (
        "A",
        "## A ·",
        "  final LayerNorm        L^-0.468",
        True,
        "fix_17e::test_final_steps_are_visible_one_liners_with_plain_labels",
    ),
    ("A", "## A ·", "divisor at 2 blocks: 1.333;", True, "fix_17f::test_sigma_is_linked_to_the_rms_token_norm"),
    (
        "A",
        "## A ·",
        "about the stream's RMS token norm / sqrt(D) = 10.8 / sqrt(64) = 1.35",
        True,
        "fix_17f::test_sigma_is_linked_to_the_rms_token_norm",
    ),
    ("A", "## L ·", "GELU's RMS / fc1's RMS: 0.21", True, "fix_17f::test_depth_slopes_printed_from_data_and_nits"),
    (
        "A",
        "## F ·",
        "the warm-ups share seeds 0, 1, 2",
        True,
        "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics",
    ),
    ("A", "## F ·", "Fisher's exact p", True, "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics"),
    ("A", "## A ·", "all 120 pairs): -0.001", True, "fix_18a::test_linear_growth_diagnostic_is_printed"),
    ("A", "## A ·", "block 1 4.9, block 16 7.8", True, "fix_18a::test_linear_growth_diagnostic_is_printed"),
    (
        "A",
        "## L ·",
        "median update / stream, over 200 digits",
        True,
        "fix_18b::test_median_ratios_by_block_printed_and_the_prose_says_where_the_nudge_holds",
    ),
    (
        "A",
        "## A ·",
        "FIXED_NORM",
        True,
        "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible",
    ),
    (
        "A",
        "## A ·",
        "mean token-token cosine after blocks 1, 4, 8, 16: 0.05, 0.30, 0.55, 0.75",
        True,
        "fix_18b::test_growing_updates_get_one_measurement_and_a_goes_with_sentence",
    ),
    (
        "A",
        "## A ·",
        "slope of the gradient against depth",
        True,
        "fix_18c::test_each_question_has_its_answer_under_its_picture; r33 density: the gloss printed in appendix A",
    ),
    (
        "A",
        "## C ·",
        "over 3 seeds: -1.4..+1.4 points; paired t-interval -0.2 [-3.8, +3.4]",
        True,
        "fix_18c::test_gelu_relu_seeds_say_what_gap_three_seeds_can_detect",
    ),
    ("A", "## A ·", "token-token cosine", True, "fix_18d::test_the_growth_detour_lives_in_appendix_a"),
    ("A", "## A ·", "a + b sqrt L", True, "fix_18d::test_the_growth_detour_lives_in_appendix_a"),
    (
        "A",
        "## A ·",
        "a + b L      = 8.2 + 1.33 L",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "L",
        "## 6 ·",
        "pre-norm   L^-0.47 [-0.50, -0.44]",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "||x_L|| ~ 8.2 + 1.33 L over 2-16 blocks; 1 / (8.2 + 1.33 L) goes as L^-0.48 there",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "16-128, the line extended: -0.86",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "A",
        "## F ·",
        "post-norm [10, 10, 10, 10, 10, 10, 10, 10, 17]",
        True,
        "fix_19a::test_final_accuracies_print_and_are_asserted",
    ),
    ("A", "## F ·", "pre-norm [68, ", True, "fix_19a::test_final_accuracies_print_and_are_asserted"),
    ("A", "## F ·", ", 84]", True, "fix_19a::test_final_accuracies_print_and_are_asserted"),
    (
        "A",
        "## F ·",
        "final validation accuracy (%, 3 seeds x 3 warm-ups)",
        True,
        "fix_19a::test_final_accuracies_print_and_are_asserted",
    ),
    ("A", "## F ·", "Adam  distance moved", True, "fix_19a::test_adam_is_invariant_to_a_constant_gradient_scale"),
    ("A", "## F ·", "ratio 1.00", True, "fix_19a::test_adam_is_invariant_to_a_constant_gradient_scale"),
    ("A", "## F ·", "ratio 10.00", True, "fix_19a::test_adam_is_invariant_to_a_constant_gradient_scale"),
    (
        "L",
        "## 2 ·",
        "27 of 128 units have a gate above one half",
        True,
        "fix_19a::test_one_token_gates_pictured_before_the_shapes",
    ),
    (
        "A",
        "## K ·",
        "6 heads of 128: 7,087,872 parameters; 12 heads of 64: 7,087,872",
        True,
        "fix_19a::test_geometry_and_head_count_moved_to_appendix_k_with_their_checks",
    ),
    (
        "A",
        "## H ·",
        "gate > 1/2  :  27 units, 53 % of the |GELU| that reaches fc2",
        True,
        "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu; r29 density: moved to appendix H "
        "(r30b item 4, review r30b minor 7: section 2 prints the band counts' summary and the slope contrast)",
    ),
    (
        "A",
        "## H ·",
        "gate 0.1-1/2:  64 units, 38 % of the |GELU| that reaches fc2",
        True,
        "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu; r29 density: moved to appendix H "
        "(r30b item 4, review r30b minor 7: section 2 prints the band counts' summary and the slope contrast)",
    ),
    (
        "A",
        "## H ·",
        "gate < 0.1  :  37 units, 9 % of the |GELU| that reaches fc2",
        True,
        "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu; r29 density: moved to appendix H "
        "(r30b item 4, review r30b minor 7: section 2 prints the band counts' summary and the slope contrast)",
    ),
    (
        "A",
        "## A ·",
        "at 2 blocks, the fixed arm's gradient / the LayerNorm arm's: 0.993",
        True,
        "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks",
    ),
    ("A", "## O ·", "9.97 % zeroed", True, "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks"),
    (
        "A",
        "## F ·",
        "warm-up 0: [None, None, None]; warm-up 50: [56, 54, 45]; warm-up 150: [171, 153, 142]",
        True,
        "fix_19b::test_post_norm_collapse_step_is_measured",
    ),
    ("L", "## 5 ·", "a normalised copy", False, "fix_19b; r28: the Block printed in section 5"),
    (
        "A",
        "## H ·",
        "at the cut Phi(z) = 0.1: z = -1.28, GELU(z) = -0.128, 75 % of GELU's minimum -0.170",
        True,
        "fix_19c::test_gate_classes_named_by_their_gate_and_the_cut_printed",
    ),
    ("A", "## C ·", "paired t-interval -0.2 [-3.8, +3.4]", True, "fix_19c::test_relu_swap_moved_to_appendix_c"),
    (
        "L",
        "## 6 ·",
        "post-norm  L^+0.01 [-0.05, +0.07]",
        True,
        "fix_19c::test_summary_slopes_with_intervals_and_its_pointers",
    ),
    (
        "A",
        "## K ·",
        "each normalised vector's length: [1.7321",
        True,
        "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once",
    ),
    (
        "A",
        "## A ·",
        "mean 1.333; FIXED_NORM = 1.330, used at every depth",
        True,
        "fix_20a::test_fixed_norm_three_decimals_and_no_coincidence_note",
    ),
    (
        "A",
        "## F ·",
        "6 blocks, D = 64, 300 adam steps, seeds [0, 1, 2]",
        True,
        "fix_20a::test_section_six_sentences_match_their_cells; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "LayerNorm, σ detached",
        True,
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "L^-0.468 [-0.552, -0.384]",
        True,
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "the gradient ~ L^-0.62 [-0.72, -0.52]; ||x_L||^2 ~ L^+1.16 [+1.11, +1.21]",
        True,
        "fix_20e::test_deeper_stacks_quoted_from_appendix_a",
    ),
    (
        "A",
        "## A ·",
        "LayerNorm, σ detached  L^-0.468 [-0.552, -0.384]",
        True,
        "fix_21a::test_the_arms_are_defined_in_a_table_before_the_plot",
    ),
    (
        "A",
        "## H ·",
        "every attention branch silenced: 10.0 %, 95 % interval [8.3, 12.0] % (n = 1000)",
        True,
        "fix_21a::test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick",
    ),
    (
        "A",
        "## H ·",
        "(n = 1000); classes it predicts: [8]",
        True,
        "fix_21a::test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks",
        True,
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 ~ L^+1.16 [+1.11, +1.21]",
        True,
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "the gradient ~ L^-0.62 [-0.72, -0.52]",
        True,
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "no final step           L^+0.081 [-0.073, +0.234]",
        True,
        "fix_21c::test_ablation_prints_three_decimals_so_the_interval_matches_the_prose; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "  no final step          L^+0.081 [-0.004, +0.165]",
        True,
        "fix_21c::test_ablation_prints_three_decimals_so_the_interval_matches_the_prose",
    ),
    (
        "A",
        "## A ·",
        "1 / (8.2 + 1.33 L) goes as L^-0.48 there",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "over 2-16 blocks: L^0.72 and L^0.88",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 added per block, 2->4, 4->8, 8->16: 33, 45, 62 (mean of seeds)",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "Lemma 2's band edges over 2-16 blocks: L^0.72 and L^0.88 (an affine law)",
        True,
        "fix_21f::test_appendix_a_prints_the_band_slopes_and_increments",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 added per block, 2->4, 4->8, 8->16: 33, 45, 62",
        True,
        "fix_21f::test_appendix_a_prints_the_band_slopes_and_increments",
    ),
    (
        "A",
        "## A ·",
        "t-interval over the 10 seeds' slopes",
        True,
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them; r33 density: printed in appendix A",
    ),
    (
        "A",
        "## A ·",
        "final LayerNorm         L^-0.468 [-0.618, -0.319]",
        True,
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "LayerNorm, σ detached   L^-0.468 [-0.612, -0.323]",
        True,
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    (
        "A",
        "## A ·",
        "no final step          L^+0.081 [-0.004, +0.165]; per seed L^+0.081 [-0.073, +0.234]",
        True,
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    (
        "A",
        "## A ·",
        "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks (95 % t over the 3 seeds' slopes)",
        True,
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band",
    ),
    (
        "A",
        "## A ·",
        "2  117 (114..120)          10.8                128 to 256",
        True,
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band",
    ),
    (
        "A",
        "## A ·",
        "33, 48, 53; 32, 41, 59; 34, 47, 74",
        True,
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band",
    ),
    ("A", "(top)", "pooled 95 % interval [-0.56, -0.38] (12 points)", True, "fix_22a::test_one_interval_for_the_slope"),
    (
        "A",
        "(top)",
        "per seed (t over these 3 seeds' slopes; the lesson uses 10): L^-0.47 [-0.62, -0.32]",
        True,
        "fix_22a::test_one_interval_for_the_slope; r32c MAJOR: appendix A's own 3-seed interval, not the lesson's",
    ),
    ("L", "## 6 ·", "[-0.50, -0.44]", True, "fix_22a::test_legend_quotes_the_given_interval; r32: 10 seeds"),
    (
        "A",
        "## A ·",
        "L = 2: 10.4, L = 4: 9.5, L = 8: 9.5, L = 16: 10.6, L = 32: 9.6, L = 64: 9.7, L = 128: 9.6",
        True,
        "fix_22a::test_section_six_prints_the_direct_test_not_the_band",
    ),
    ("A", "## C ·", "transformers 5.23.0", True, "fix_22c::test_versions_read_say_where_timm_comes_from"),
    (
        "A",
        "## A ·",
        "RMS, no centring        L^-0.478 [-0.638, -0.317]",
        True,
        "fix_22f::test_rms_arm_is_a_table_row_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "RMS, divisor detached   L^-0.478 [-0.635, -0.321]",
        True,
        "fix_22f::test_rms_arm_is_a_table_row_printed_plotted_and_asserted",
    ),
    ("A", "## B ·", "L^-0.044 [-0.104, +0.017]", True, "fix_22f::test_summary_states_timm_slopes_appendix_b_prints"),
    ("A", "## B ·", "L^-0.243 [-0.304, -0.182]", True, "fix_22f::test_summary_states_timm_slopes_appendix_b_prints"),
    (
        "A",
        "## B ·",
        "timm            0.16  0.16  0.16  0.32   L^-0.044 [-0.104, +0.017]",
        True,
        "fix_22i::test_answer_6a_quotes_the_std_002_slopes_of_appendix_b",
    ),
    (
        "A",
        "## B ·",
        "xavier x 0.25 - xavier x 0.5: +0.04 [-0.01, +0.09]",
        True,
        "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened",
    ),
    (
        "A",
        "## B ·",
        "L^-0.046 [-0.097, +0.005]",
        True,
        "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened",
    ),
    ("A", "## B ·", "-0.10 [-0.26, +0.05]", True, "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    (
        "A",
        "## A ·",
        "its slope, per seed (seeds 0-2, 7 depths): L^-0.005 [-0.108, +0.097]",
        True,
        "fix_24b::test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated",
    ),
    (
        "A",
        "## J ·",
        "pre-norm: block 15 / block 0, per seed: 0.25, 0.20, 0.27",
        True,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        "post-norm: block 15 / block 0, per seed: 0.88, 0.41, 1.11",
        True,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    ("A", "## A ·", "post-norm - pre-norm slope: ", True, "fix_p::test_depth_cell_prints_only_the_three_plotted_lines"),
    ("L", "## 5 ·", "def forward", True, "fix_p::test_block_class_is_shown_once; r28 item 3: in section 5, checked"),
    ("L", "## 6 ·", "-0.50", True, "fix_q2::test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix"),
    ("A", "## F ·", "independent", True, "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix"),
    (
        "A",
        "## H ·",
        "independent random gates at these rates: 73.2 ± 5.6",
        False,
        "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix",
    ),
    (
        "A",
        "## I ·",
        "trained MNIST ViT   1.6, 4.2, 6.5, 8.6, 12.7",
        True,
        "fix_w::test_trained_stream_against_its_own_init",
    ),
    ("A", "## F ·", "0.9 ln 10", True, "fix_w::test_definitions_and_wording"),
    (
        "A",
        "## A ·",
        "divisor at 2 blocks: 1.333; the fixed arms' constant FIXED_NORM = 1.33\n",
        True,
        "fix_x::test_the_divisor_and_the_fixed_constant_printed_side_by_side",
    ),
    ("A", "(top)", "slope -0.47", True, "fix_x::test_log_log_fit_is_a_short_visible_cell_equal_to_the_helper"),
    ("A", "## C ·", "trained each way, 6 epochs: ", True, "fix_x::test_stored_gelu_relu_runs_are_paired_by_seed"),
    (
        "A",
        "## C ·",
        "gate detached  gradient norm / GELU's: 0.852 (3 seeds: 0.844..0.861); "
        "cosine with GELU's: 0.963 (3 seeds: 0.958..0.970)",
        True,
        "r26a item 2: the detached-gate arm, per seed, at the MNIST ViT's own initialisation;"
        " r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "A",
        "## C ·",
        "ReLU           gradient norm / GELU's: 0.987 (3 seeds: 0.936..1.058); "
        "cosine with GELU's: 0.830 (3 seeds: 0.708..0.899)",
        True,
        "r26a item 2: ReLU beside it, the lesson's comparison;"
        " r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "A",
        "## F ·",
        "lr 5e-03, no warm-up: pre-norm 74.4 % (3 seeds: 68.4..78.8), post-norm 10.0 % (3 seeds: 10.0..10.0); "
        "pre-norm - post-norm: +64.4 points (range +58.4..+68.8): "
        "pre-norm higher than post-norm on every one of 3 seeds",
        True,
        "r26b item 2 (brief fix04b item 1): section 6's pay-off in training, read from appendix F's stored runs; "
        "r29 density: moved to appendix F (section 6 prints it as the table's rows, under the loss curves)",
    ),
    (
        "A",
        "## F ·",
        "lr 1e-03, no warm-up: pre-norm 81.7 % (3 seeds: 79.8..83.6), post-norm 79.1 % (3 seeds: 72.4..87.2); "
        "pre-norm - post-norm: +2.5 points (range -3.6..+7.4): no consistent difference over 3 seeds",
        True,
        "r26b item 2 (brief fix04b item 1): and where it holds: not at lr 1e-3; r29 density: moved to appendix F "
        "(section 6 prints it as the table's lr 1e-3 column)",
    ),
]

CODE = [
    (
        "L",
        "## 6 ·",
        "# a + (b - a).detach(): the value is b (the a's cancel); .detach() passes no gradient, so the gradient is a's",
        False,
        "r33c (review r33c minor 8): the stop-gradient trick of backward fixed; r34a item 2 (review r34a minor 2): "
        "explained in the shown code only, the prose reads the three-row table",
    ),
    (
        "L",
        "## 6 ·",
        "stream_rms = {depth: [math.sqrt(value) for value in stream_squared[depth]] for depth in (2, 16)}",
        True,
        "r32 (review r31c minor 5): one measure of the stream's size (sigma) on the main path; the RMS token norm "
        "(r27b minor 1) and sigma about RMS / sqrt(D) (r27c M1) asserted in the hidden check",
    ),
    (
        "L",
        "## 6 ·",
        "assert all(0.95 < s / (r / math.sqrt(64)) <= 1 for d in (2, 16) for s, r in zip(spread[d], stream_rms[d]))",
        True,
        "r27c M1: the divisor is the spread, about the norm / sqrt(D); r32 (review r31c minor 5): asserted, not prose",
    ),
    (
        "A",
        "## A ·",
        'stream_explorer = residual_stream_widget(depth=16, design="pre-norm", arms=lesson_arms)',
        False,
        "r31 item 4 (review r30c minor 9): the lesson's widget teaches its central idea, the norm's place against "
        "depth, on 6a's stacks and 6b's fixed arm (the GELU-gate widget moved to appendix C); r33 density (review "
        "r33a minor 6/8): the lesson's widget cut, appendix A's (the same stacks and the fixed arm) kept",
    ),
    (
        "A",
        "## A ·",
        'assert max(_means["fixed"]) / min(_means["fixed"]) < 1.5 < _means["pre-norm"][0] / _means["pre-norm"][-1]',
        True,
        "r31 item 4: the widget's prompt ('the fall goes' with the fixed final step), asserted",
    ),
    (
        "L",
        "## 7 ·",
        "# timm v1.0.28 to 1.0.29.dev0; two masking arguments omitted)",
        False,
        "r26e minor 1; r28 item D; r30 item 5 (review r30a minor 11): the newest version read (HEAD aa4b5850, "
        "Block.forward unchanged since v1.0.28); r30 decision (minor 7): the arguments' versions in appendix E, "
        "named by the map; r30b item 4 (review r30b minor 9): said once, in the dropout cell's comment",
    ),
    (
        "L",
        "## 6 ·",
        'all(max(run["prediction_counts"]) == 500 for run in _chance)',
        True,
        "r30 item 5 (review r30a minor 10): 'post-norm predicts one class for all', from the three runs trained "
        "again (benchmarks/bench_lesson04_chance_predictions.py: 500 of one class on each seed)",
    ),
    (
        "L",
        "## 6 ·",
        "_back = collapse_steps(norm_runs, lr=5e-3, window=10)",
        True,
        "r30 item 5 (review r29d minor 5): 'the warm-up postpones the break' asserted in the lesson too",
    ),
    (
        "L",
        "## 6 ·",
        "assert round(sum(spread[16]) / len(seeds) / FIXED_NORM, 1) == 2.7",
        True,
        "r30 item 2 (review r29d minor 3): 'about 2.7 times at L = 16'",
    ),
    (
        "L",
        "## 2 ·",
        'save_figure(fig, "04_flop_split")',
        False,
        "r28m item 3 (review r28d minor 5): the FLOP split drawn",
    ),
    (
        "L",
        "## 2 ·",
        "assert flops == block_flop_split(n, d, d_mlp, heads)",
        True,
        "r28m item 3: the picture's counts are the printed ones",
    ),
    (
        "L",
        "## 6 ·",
        'save_figure(fig, "04_final_norm_ablation")',
        False,
        "r28m item 2 (review r28d minor 1): the lesson's own ablation figure under its 04_ name",
    ),
    (
        "A",
        "## A ·",
        'save_figure(fig, "04_final_norm_ablation_all")',
        False,
        "r28m item 2 (review r28d minor 1): the appendix's arms under their own name",
    ),
    (
        "A",
        "## B ·",
        "timm v1.0.28's `init_weights_vit_timm` and timm 0.3.2's, which DeiT pins",
        False,
        "r26a item 3: the std-0.02 init's versions; r26e minor 10: moved from Answer 6a's prose to its cell's comment",
    ),
    ("L", "## 7 ·", "and not dropout.training  # eval(): the identity, measured", True, "r26e minor 2: eval()"),
    (
        "A",
        "## C ·",
        "try draws = 1, then 10,000",
        False,
        "r25b item 7: the GELU-gate widget's prompt; r31 density: moved to appendix C (brief fix04t item 4: the "
        "lesson's widget is now section 6's depth widget)",
    ),
    ("A", "## B ·", 'init_scale_ablation(depths, seeds, inits=("timm",), dim=384)', False, "r25b item 1: D = 384"),
    ("A", "## B ·", "[round(v, 3) + 0.0 for v in slope_384] == [-0.049, -0.079, -0.019]", True, "r25b item 1"),
    (
        "A",
        "## H ·",
        "gate = mlp_gates(gate_model, digit, block=0)",
        False,
        "fix_17b::test_gate_count_claims_no_selectivity",
    ),
    ("A", "## C ·", "swap = stored_mlp_knockout()", False, "fix_17b::test_relu_swap_and_trained_seeds_printed"),
    ("A", "## K ·", "class RecapBlock(nn.Module):", False, "fix_17b::test_block_class_near_the_top_of_section_five"),
    ("A", "## H ·", "plot_token_gates(", False, "fix_17c::test_gate_study_lives_in_appendix_h_with_its_figure"),
    (
        "A",
        "## H ·",
        'save_figure(fig, "04_mlp_gates")',
        False,
        "fix_17c::test_gate_study_lives_in_appendix_h_with_its_figure",
    ),
    ("A", "## A ·", "line_miss = [", False, "fix_17c::test_stream_growth_prints_both_fits_residuals"),
    ("A", "## A ·", "stream_growth_summary(", False, "fix_17c::test_stream_growth_prints_both_fits_residuals"),
    (
        "A",
        "## A ·",
        "plot_final_norm_ablation(",
        False,
        "fix_17c::test_stream_growth_prints_both_fits_residuals; r26a 1: moved",
    ),
    (
        "A",
        "## L ·",
        'save_figure(fig, "04_token_through_block")',
        False,
        "fix_17c::test_token_picture_is_in_appendix_l_with_its_check_and_section_five_points_to_it",
    ),
    (
        "A",
        "## L ·",
        "04_token_through_block",
        False,
        "fix_17c::test_token_picture_is_in_appendix_l_with_its_check_and_section_five_points_to_it",
    ),
    (
        "A",
        "## A ·",
        '"centred_fixed": lambda x, norm: (x - x.mean(dim=-1, keepdim=True)) / FIXED_NORM',
        False,
        "fix_17e::test_final_steps_are_visible_one_liners_with_plain_labels",
    ),
    ("A", "## A ·", "final_steps = {", False, "fix_17e::test_final_steps_are_visible_one_liners_with_plain_labels"),
    (
        "A",
        "## A ·",
        "plot_final_norm_ablation(shown_slope, labels=FINAL_STEP_LABELS)",
        False,
        "fix_17f::test_centred_arm_sentence_and_readable_labels; r26a 1: moved",
    ),
    ("A", "## A ·", "report.slope.items()", False, "fix_17f::test_depth_slopes_printed_from_data_and_nits"),
    (
        "L",
        "## 6 ·",
        'print(f"{name:<11}{slope_text(fit)}")',
        False,
        "fix_17f::test_depth_slopes_printed_from_data_and_nits; r33 density (review r33a minor 6/8): the slope's "
        "gloss said in 6a's prose, its printed line in appendix A",
    ),
    (
        "A",
        "## F ·",
        "print(training_table(training))",
        False,
        "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        "print(training_notes(training))",
        False,
        "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics",
    ),
    (
        "A",
        "## A ·",
        "alignment, update_norms = branch_alignment(",
        False,
        "fix_18a::test_linear_growth_diagnostic_is_printed",
    ),
    ("A", "## L ·", "token_through_block(", False, "fix_18b::test_the_token_shown_prints_its_update_ratios"),
    (
        "A",
        "## A ·",
        "def arm_gradients(",
        False,
        "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible",
    ),
    (
        "A",
        "## A ·",
        "final_norm_ablation(",
        False,
        "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        "ablation_slope = ",
        False,
        "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible; r26a 1: moved",
    ),
    (
        "A",
        "## M ·",
        'save_figure(fig, "04_parallel_block")',
        False,
        "fix_18c::test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer",
    ),
    ("A", "## A ·", "branch_alignment(", False, "fix_18d::test_the_growth_detour_lives_in_appendix_a"),
    ("A", "## A ·", "== (8.2, 1.33)", True, "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said"),
    (
        "A",
        "## A ·",
        "abs(b - 1.33) < 0.01 and abs(implied_slope + 0.48) < 0.01",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "[-0.48, -0.86, -0.58]",
        True,
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "L",
        "## 6 ·",
        'guide_label="slope -0.5 for comparison (not a fit)"',
        False,
        "fix_19a::test_dashed_line_label_is_honest",
    ),
    ("L", "## 6 ·", 'save_figure(fig, "04_depth_gradients")', False, "fix_19a::test_dashed_line_label_is_honest"),
    (
        "A",
        "## F ·",
        'final["post-norm"] == [10] * 8 + [17]',
        True,
        "fix_19a::test_final_accuracies_print_and_are_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## C ·",
        "draws=100",
        False,
        "fix_19a::test_gate_widget_draws_n_gates_and_they_converge; r31 density: moved to appendix C (fix04t item 4)",
    ),
    ("L", "## 2 ·", "plot_one_token_gates(", False, "fix_19a::test_one_token_gates_pictured_before_the_shapes"),
    (
        "A",
        "## K ·",
        'assert geometry["centred"].sum(-1).abs().max() < 1e-12',
        True,
        "fix_19a::test_geometry_and_head_count_moved_to_appendix_k_with_their_checks",
    ),
    (
        "A",
        "## K ·",
        "count_parameters(six_heads) == count_parameters(twelve_heads) == block_count",
        True,
        "fix_19a::test_geometry_and_head_count_moved_to_appendix_k_with_their_checks",
    ),
    ("A", "## K ·", "six_heads", False, "fix_19a::test_geometry_and_head_count_moved_to_appendix_k_with_their_checks"),
    (
        "A",
        "## K ·",
        "geometry = layer_norm_geometry(",
        False,
        "fix_19a::test_geometry_and_head_count_moved_to_appendix_k_with_their_checks",
    ),
    (
        "A",
        "## H ·",
        '{"gate > 1/2": 27, "gate 0.1-1/2": 64, "gate < 0.1": 37}',
        True,
        "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu; r31 density: moved to appendix H "
        "(r32z item 3, review r32b minor 2)",
    ),
    (
        "A",
        "## H ·",
        "[53, 38, 9]",
        True,
        "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu; r31 density: moved to appendix H "
        "(r32z item 3, review r32b minor 2)",
    ),
    (
        "L",
        "## 6 ·",
        "depths, seeds = (2, 4, 8, 16)",
        False,
        "fix_19b::test_section_six_probe_after_questions_and_adam_aside_concluded",
    ),
    (
        "A",
        "## A ·",
        "assert abs(start_ratio - 1) < 0.05",
        True,
        "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks",
    ),
    ("A", "## O ·", "assert dropouts == 0", True, "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks"),
    (
        "A",
        "## N ·",
        "torch.testing.assert_close(by_attention, by_formula)",
        True,
        "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks",
    ),
    (
        "A",
        "## F ·",
        "(min(steps_50), max(steps_50), min(steps_150), max(steps_150)) == (45, 56, 142, 171)",
        True,
        "fix_19b::test_post_norm_collapse_step_is_measured",
    ),
    (
        "A",
        "## H ·",
        "round(gelu(gate_cut).item(), 3) == -0.128",
        True,
        "fix_19c::test_gate_classes_named_by_their_gate_and_the_cut_printed",
    ),
    (
        "A",
        "## A ·",
        "FIXED_NORM == 1.33",
        True,
        "fix_19c::test_fixed_norm_is_sigma_at_two_blocks_printed_with_three_decimals",
    ),
    ("L", "(top)", "stored_mlp_knockout", True, "fix_19c::test_relu_swap_moved_to_appendix_c"),
    ("A", "## C ·", "trained_gaps", False, "fix_19c::test_relu_swap_moved_to_appendix_c"),
    (
        "A",
        "## F ·",
        'min(run["losses"]) < 0.9 * math.log(10)',
        True,
        "fix_19d::test_warm_up_result_in_answer_three_after_the_curves_with_a_check; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        'save_figure(fig, "04_norm_training")',
        False,
        "fix_19d::test_warm_up_result_in_answer_three_after_the_curves_with_a_check; r26a 1: moved",
    ),
    (
        "L",
        "## 5 ·",
        "silent = copy.deepcopy(block)",
        False,
        "fix_19d::test_equations_with_the_code_and_identity_claim_before_its_demonstration",
    ),
    (
        "A",
        "## K ·",
        "plot_layer_norm_geometry(count=5, seed=0)",
        False,
        "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once",
    ),
    ("A", "## B ·", "math.sqrt(3)", True, "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    ("A", "## B ·", "math.sqrt(768)", True, "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    (
        "A",
        "## A ·",
        "round(statistics.mean(sigma_2), 3) == 1.333",
        True,
        "fix_20a::test_fixed_norm_three_decimals_and_no_coincidence_note",
    ),
    (
        "A",
        "## F ·",
        '(6, 300, "adam", [0, 1, 2])',
        True,
        "fix_20a::test_section_six_sentences_match_their_cells; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        '"detached_sigma": detached_sigma',
        False,
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "sigma.detach()",
        False,
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        'ablation_slope["detached_sigma"][2] < 0',
        True,
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "final_norm_ablation(depths, seeds)",
        False,
        "fix_20e::test_the_five_arm_ablation_and_the_details_moved_to_appendix_a; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        'lesson_arms["layernorm"] == designs["pre-norm"]',
        True,
        "fix_20e::test_the_five_arm_ablation_and_the_details_moved_to_appendix_a; r26a 1: moved",
    ),
    (
        "A",
        "## H ·",
        "no_attention_guess.unique().tolist() == [8]",
        True,
        "fix_21a::test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick",
    ),
    (
        "A",
        "## A ·",
        "[round(v, 2) for v in squared_slope] == [0.96, 0.83, 1.10]",
        True,
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "[round(v, 2) for v in band_edges] == [0.72, 0.88]",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "assert pre_seed.low < _fall < pre_seed.high",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        "[round(v) for v in squared_step] == [33, 45, 62]",
        True,
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "L",
        "## 6 ·",
        'per_seed["post-norm"].low < 0 < per_seed["post-norm"].high',
        True,
        "fix_21f::test_per_seed_slopes_printed_beside_the_pooled_ones",
    ),
    (
        "A",
        "## A ·",
        '[round(v, 3) for v in shown_slope["none"]] == [0.081, -0.073, 0.234]',
        True,
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    (
        "A",
        "## A ·",
        'all(row["squared"] < row["band"][0] for row in growth[:2])',
        True,
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band",
    ),
    (
        "L",
        "## 6 ·",
        '[round(value, 2) for value in slope["pre-norm"][1:]] == [-0.50, -0.44]',
        True,
        "fix_22a::test_one_interval_for_the_slope; r32: 10 seeds",
    ),
    ("L", "## 6 ·", "intervals=slope", False, "fix_22a::test_one_interval_for_the_slope"),
    ("L", "## 6 ·", "stored_norm_training_runs()", False, "r26b item 2: the training runs are read, not retrained"),
    ("A", "## A ·", "== (9.5, 10.6)", True, "fix_22a::test_section_six_prints_the_direct_test_not_the_band"),
    (
        "A",
        "## F ·",
        "cold = [run for run",
        True,
        "fix_22c::test_warm_up_reading_matches_the_stored_curves; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        "int(0.8 * w)",
        True,
        "fix_22c::test_warm_up_reading_matches_the_stored_curves; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        '[round(v, 2) for v in lesson_slope["rms"]] == [-0.48, -0.64, -0.32]',
        True,
        "fix_22f::test_rms_arm_is_a_table_row_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        "[-0.005, -0.108, 0.097]",
        True,
        "fix_24b::test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated",
    ),
    (
        "A",
        "## J ·",
        "assert min(post_ratio) < 1 < max(post_ratio)",
        True,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        "plot_gradient_profile(profiles)",
        False,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        'save_figure(fig, "04_gradient_profile")',
        False,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        "assert all(0.15 < r < 0.3 for r in pre_ratio)",
        True,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        '"04_gradient_profile"',
        False,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        "plot_gradient_profile(",
        False,
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    ("A", "## A ·", "product_slope = seed_slope(seeds_0_2)", False, "fix_24d::test_product_moved_to_appendix_a"),
    (
        "A",
        "## F ·",
        "assert min(t.low for t in high.values()) > 0.51",
        True,
        "fix_24f::test_6c_and_summary_quote_the_interval_lower_ends; r26a 1: moved",
    ),
    ("A", "## F ·", "lr 1e-3, ", False, "fix_o::test_training_summary_matches_the_stored_runs"),
    ("A", "## A ·", 'HTML(f"<details>', False, "fix_p::test_depth_cell_prints_only_the_three_plotted_lines"),
    ("A", "## A ·", "report.text", False, "fix_p::test_depth_cell_prints_only_the_three_plotted_lines"),
    ("L", "## 5 ·", "print(inspect.getsource(Block))", False, "fix_p; r28 item 3: visible in section 5"),
    ("A", "## A ·", "value == designs[name][depth][0]", True, "fix_v::test_probe_is_visible_code"),
    ("A", "## A ·", "def fc2_gradient(", False, "fix_v::test_probe_is_visible_code"),
    (
        "A",
        "## F ·",
        'plot_norm_training(norm_runs["runs"], lr=5e-3)',
        False,
        "fix_v::test_loss_curves_in_lesson_not_appendix; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        "plot_norm_training(",
        False,
        "fix_v::test_loss_curves_in_lesson_not_appendix; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        "profiles = cached_gradient_profiles(16, seeds)",
        False,
        "fix_w::test_profile_cell_prints_its_ratios_and_draws_the_figure; r26a 1: moved",
    ),
    ("A", "## I ·", 'ViT(**config, init="torch")', False, "fix_w::test_trained_stream_against_its_own_init"),
    ("A", "## I ·", "def stream_norms(", False, "fix_w::test_trained_stream_against_its_own_init"),
    (
        "A",
        "## G ·",
        "h = stream + gamma * block.attn(block.norm1(stream))",
        False,
        "fix_w::test_definitions_and_wording",
    ),
    (
        "A",
        "## A ·",
        "print(f\"the final LayerNorm's divisor at 2 blocks",
        False,
        "fix_x::test_the_divisor_and_the_fixed_constant_printed_side_by_side",
    ),
    (
        "L",
        "## 6 ·",
        'depth_slope(designs["pre-norm"])[0]',
        True,
        "fix_x::test_log_log_fit_is_a_short_visible_cell_equal_to_the_helper",
    ),
    (
        "A",
        "(top)",
        "statistics.linear_regression(log_depth, log_gradient)",
        False,
        "fix_x::test_log_log_fit_is_a_short_visible_cell_equal_to_the_helper",
    ),
    ("L", "(top)", "import copy", False, "fix_x::test_first_code_a_learner_meets_is_short"),
    ("A", "## C ·", "trained = stored_gelu_relu()", False, "fix_x::test_stored_gelu_relu_runs_are_paired_by_seed"),
    (
        "A",
        "## C ·",
        "torch.autograd.grad(detached_gelu(_grid).sum(), _grid)[0], phi",
        True,
        "r26a item 2: backward = Phi; r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "A",
        "## C ·",
        "gate_gradient_arms(",
        False,
        "r26a item 2: the arms computed in a visible cell;"
        " r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "A",
        "## C ·",
        "[round(min(_relu_cosine), 2), round(max(_relu_cosine), 2)] == [0.71, 0.90]",
        True,
        "r26a item 2; r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "L",
        "## 6 ·",
        "all(abs(s - FIXED_NORM) < 0.05 for s in spread[2])",
        True,
        "r27c M1: the spread the final LayerNorm divides by is FIXED_NORM at L = 2, within 0.05 on every seed",
    ),
    ("L", "## 7 ·", 'assert torch.equal(outputs["eval"], branch)', True, "r27c minor 1: eval() measured on nn.Dropout"),
    ("A", "## O ·", "fig = plot_drop_path_rates(0.1, 12)", False, "r27c: the schedule's picture moved from section 7"),
    ("A", "## E ·", "encoder_layer_from_block(block64, norm_first=norm_first)", False, "r27c item 4 (brief fix04f)"),
    ("A", "## E ·", "assert max(torch_gaps.values()) < 1e-12", True, "r27c item 4: float64 round-off only"),
]

PROSE = [
    (
        "L",
        "## 6 ·",
        [
            "fed 8 × 16 random unit-variance tokens (RMS norm 8)",
            "**Try it:** drag L; pick post-norm; back on pre-norm, pick the final step 'fixed' (fixed divisor).",
        ],
        "r34d items 3-4 (reviews r34c minor 1, r34d minors 3-4): 6a's inputs said (cell 44 asserts them); the "
        "widget's task, its readings in the widget's comment (cell 49 asserts them), the gamma/sigma reason before it; "
        "r35a item 1 (reviews r34f minor 1, r34e minor 1): the task and the widget after the ablation that defines "
        "'fixed', in an order the widget allows (its final-step toggle is disabled under post-norm); quick 35a item 5 "
        "(audit a35a): 'fixed' named as the table's fixed-divisor row (backward fixed also holds 'fixed')",
    ),
    (
        "L",
        "## 4 ·",
        ["LayerNorms (Ba et al. 2016)"],
        "r34d (review r34d minor 7): LayerNorm cited",
    ),
    (
        "L",
        "## 5 ·",
        ["the ViT paper's (Dosovitskiy et al. 2021) equations 2-3"],
        "r34d (review r34d minor 7): the ViT paper named",
    ),
    (
        "L",
        "## Summary",
        ["97.4 % to 43.0 % (zero-ablated) or 50.7 % (mean-ablated)", "unlike BatchNorm"],
        "r34d (review r34d minor 8): the knockout and LayerNorm against BatchNorm, two main-path results, summarised",
    ),
    (
        "L",
        "## 2 ·",
        [
            "The weights depend on the tokens, but a lone token's attention is affine",
            "By construction, only GELU gates single features; attention's weights scale whole value vectors (per "
            "head), LayerNorm centres and divides whole tokens",
        ],
        "r33b item 3 (review r33b minors 2-3): attention is affine only for a lone token; cells 26-28's conclusion in "
        "one sentence, then appendix N (its 'reading by construction' caveat kept as 'By construction'); a33b audit "
        "item 3: appendix N's narrower words (attention's weights scale value vectors, LayerNorm also centres)",
    ),
    (
        "L",
        "## 6 ·",
        [
            "Backward fixed also drops the gradient through σ; σ detached, dropping only that, keeps the fall "
            "([appendix A]",
            "A bound's exponent does not predict a fitted slope.",
        ],
        "r33b item 4 (review r33b minors 4, 6): the second change in backward fixed and appendix A's control "
        "(L^-0.468 [-0.612, -0.323], 3 seeds; the lesson's hidden check re-measures it over 10 seeds); a bound's "
        "exponent is not a fitted slope's prediction; a33b audit item 2: sigma detached's interval over the "
        "lesson's 10 seeds (appendix A's table, asserted in the lesson's hidden check), not the 3-seed estimate; "
        "r34a item 2 (review r34a minor 2): 6b's figure and table draw three arms, so the main path names sigma "
        "detached's result in words and leaves its interval to appendix A, which prints it (the hidden check still "
        "asserts it over the lesson's 10 seeds)",
    ),
    (
        "A",
        "## E ·",
        [
            "tutorials mix them",
            "the Annotated Transformer's code is pre-norm, `x + dropout(sublayer(norm(x)))`, unlike the paper it "
            "annotates",
            "d2l's Transformer is post-norm, its ViT block pre-norm",
        ],
        "r32 item 2 (review r31c minor 3): the tutorials' own norm placements against the 2017 post-norm (checked: "
        "harvardnlp's SublayerConnection, d2l's AddNorm and ViTBlock); r32y density (r31 ruling, a cross-reference): "
        "moved from section 0 to appendix E's norm-placement bullet, which states the Annotated Transformer's in full",
    ),
    (
        "L",
        "## Where the libraries differ",
        ["- **Norm placement** (section 6)", "defaults to `norm_first=False`, post-norm, with `layer_norm_eps=1e-5`"],
        "r32 item 2 (review r31c minor 4): the default closest to this lesson, torch 2.13.0 checked",
    ),
    (
        "L",
        "## 7 ·",
        [
            "DeiT-B uses 0.1 (DeiT's `--drop-path` default)",
        ],
        "r32 item 4 (review r31c minor 2): the linspace versioned (timm commit 3f58765a, first tagged v1.0.21; before, "
        "inline in VisionTransformer.__init__), DeiT's main.py --drop-path default 0.1 (deit_base_patch16_224); r33 "
        "(review r33a minor 11): DeiT's source named",
    ),
    (
        "A",
        "## O ·",
        ["timm v1.0.21+ computes it in `calculate_drop_path_rates`", "inline in `VisionTransformer`"],
        "r32 item 4 (review r31c minor 2); r33 density (review r33a minor 6/8): the version trail moved to appendix O",
    ),
    (
        "A",
        "## A ·",
        ["(grey: Xiong et al.'s band for their simpler model, not ours)", "seeds 0-2 of the lesson's 10"],
        "r30 item 1 (review r30a minor 1): the band is a bound for Xiong et al.'s model; r31 density (r32, review r31c "
        "minor 5): the squared-norm picture with its band moved to appendix A, the lesson draws sigma only",
    ),
    (
        "A",
        "## A ·",
        [
            "Dividing by 1.33 instead of σ also changes the forward pass",
            "an input about 2.7 times larger",
            "One more arm keeps the LayerNorm's forward values and fixes only the backward divisor",
        ],
        "r30 item 2 (review r29d minor 3): the fixed arm's forward confound; r31 density: its lesson sentence moved "
        "here (r31u item 5), where the confound and the control are stated in full",
    ),
    (
        "L",
        "## 6 ·",
        [
            "**In short: at initialisation (Xavier-uniform), pre-norm's last `fc2` gradient falls over 2-16 blocks "
            "and post-norm's shows no detectable trend; 6b finds why; 6c turns to training.**",
            "With timm's std-0.02 init the fall is weaker ([appendix B]",
        ],
        "r31u item 1 (review r31a M1): the box scoped to the Xavier init; Answer 6a gives appendix B's timm numbers "
        "(the D = 64 interval stays out of section 6's markdown, FORBIDDEN_IN r26c; the hidden check asserts both); "
        "r33 density (review r33a minor 6/8): the timm numbers moved to appendix B (next row), one clause left; r35a "
        "item 2 (review r34f minor 2): the box cut to one sentence, still scoped to the Xavier init (the release's "
        "init is said in 6a's setup and the Summary); quick 35a item 2 (audit a35a): the box's scope limits back, "
        "at initialisation and over 2-16 blocks (6a's fits)",
    ),
    (
        "A",
        "## B ·",
        [
            "with timm's std-0.02 init the stream barely grows at D = 64",
            "no fall is detectable; at D = 768 the gradient falls as $L^{-0.24}$ [-0.30, -0.18]",
        ],
        "r31u item 1 (review r31a M1); r33 density (review r33a minor 6/8): moved from the lesson's answer to 6a",
    ),
    (
        "L",
        "(top)",
        ["measure how the norm's place changes the last gradient, with Xavier-initialised blocks"],
        "r31u item 1 (review r31a M1): the learning goal scoped as the box is",
    ),
    (
        "L",
        "## Summary",
        ["The fall follows the stream's growth; with timm's std-0.02 init it is weaker."],
        "r31u item 1 (review r31a M1): the init bullet says what sets the fall; r35a (review r34e minor 2): appendix "
        "B changes the init's scale alone (the input's size is left untested), so 'depends on the init's scale'; "
        "quick 35a item 3 (audit a35a): the body shows only that the fall is weaker with timm's init (6a's answer; "
        "the init's scale alone is varied in appendix B, and the Summary cites no appendix, fix_24d), so the bullet "
        "says that",
    ),
    (
        "A",
        "## A ·",
        ["keep pre-norm and change its parts", "the SwiGLU MLP", "which adds a third, gating matrix"],
        "r31u item 2 (review r31a minor 2): SwiGLU adds a matrix, not a slimming; r34a item 4: the later models' "
        "line moved from the Summary to appendix A's line of the index under it; q04 (audit a34a item 5): the index "
        "line cut to a pointer, the fact pinned in appendix A's cell that states it",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["Swin V2's norm on each branch's output: timm v1.0.28's `ResPostBlock`"],
        "r32y item 1 (review r32a M1): not every later model keeps pre-norm; Swin V2's res-post-norm, timm's "
        "ResPostBlock; r34a item 4 (review r34a minor 3): the body never shows later models, and the Summary names "
        "no appendix (FORBIDDEN_IN), so the bullet moved to appendix A's line of the index under the Summary; q04 "
        "(audit a34a item 5): the index line a pointer with timm's version; 'many keep pre-norm' and 'others move "
        "the norm' pinned in appendix A (next row)",
    ),
    (
        "A",
        "## A ·",
        [
            "Many later models keep pre-norm",
            "Others move the norm: Swin Transformer V2 (Liu et al. 2022)",
            "res-post-norm",
            "timm (v0.6.5 to v1.0.28)",
            "`SwinTransformerV2Block`",
            "`ResPostBlock`",
        ],
        "r32y item 1 (review r32a M1): x + norm(attn(x)) read in timm v0.6.5 and v1.0.28 (swin_transformer_v2.py, "
        "vision_transformer.py's ResPostBlock.forward)",
    ),
    (
        "A",
        "## K ·",
        ["most ViT descendants use LayerNorm"],
        "r31u item 2 (review r31a minor 1): LeViT is itself a ViT descendant; r31 density: moved to appendix K",
    ),
    (
        "L",
        "## 6 ·",
        ["Unlike 6a's post-norm, both keep the final LayerNorm"],
        "r31u Z (review r31a minor 9): 6c's post-norm keeps the final LayerNorm that 6a's lacks",
    ),
    (
        "A",
        "## A ·",
        ["RMSNorm (Zhang & Sennrich 2019, no centring)", "EVA-02 (Fang et al. 2023) uses SwiGLU"],
        "r31 Z (review r30c, what a learner would miss): the parts later models swap in, named in the Summary "
        "(appendix A's cell says it with its citations; the Summary points nowhere); r34a item 4: in the index line "
        "that points to appendix A; q04 (audit a34a item 5): the index line names the parts (next pin), appendix A "
        "states them",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["later models (LLaMA's RMSNorm and SwiGLU, EVA-02, Swin V2's"],
        "q04 (audit a34a item 5): the index line as a pointer to appendix A",
    ),
    (
        "L",
        "## 6 ·",
        [
            "on 500 validation digits; post-norm predicts one class for all.",
        ],
        "r30 items 1 and 5 (review r30a minors 1, 10): the band is a bound for Xiong et al.'s model (ReLU, Gaussian "
        "init, uniform attention: the legend); chance = one class (benchmarks/bench_lesson04_chance_predictions.py)",
    ),
    (
        "L",
        "## 6 ·",
        [
            "in both passes (fixed divisor)",
            "Keep the LayerNorm's values and divide by 1.33 only on the way back (backward fixed): no detectable trend "
            "($L^{+0.02}$ [-0.02, +0.05])",
        ],
        "a33b audit (items 1-5's words paid for): the control said in fewer words; "
        "r31 density: the forward confound's sentence ('Dividing by 1.33 also enlarges the head's input, about 2.7 "
        "times at L = 16') moved to appendix A, which states it in full (its row below); the control and its result "
        "kept as one sentence (r31u item 5, review r31a minor 14); r30 item 2 (review r29d minor 3): the fixed arm's "
        "forward confound (spreads 3.50-3.80 / 1.33: 2.64-2.85x) "
        "named; the cleaner arm measured (appendix A), not the review's guess that larger logits shrink the gradient "
        "(here dL/dlogits grew 5-12 % at L = 16); r30b item 2 (review r30b minor 3): caveat, control and result "
        "as three short sentences; r31 decision (review r30c minor 5): the three kept as plain sentences, their "
        "bold labels dropped; r32y decision (review r32a minors 1-2): 'still flat' after a rising arm read as a "
        "contradiction, so the control's verdict and interval (PRINTED in the table) replace it, the arm named as the "
        "table and figure name it; what detaching sigma removes (the gradient through sigma; the division stays: "
        "norm_placement._final_step divides by sigma.detach()) in one sentence",
    ),
    (
        "A",
        "## A ·",
        [
            "One more arm keeps the LayerNorm's forward values and fixes only the backward divisor",
            "alone removes the fall",
        ],
        "r30 item 2 (review r29d minor 3): the arm that changes only the backward factor 1/sigma",
    ),
    (
        "L",
        "## 4 ·",
        [
            "(noisy with small batches), and `eval()` swaps in running averages: the two modes differ",
            "the same in both modes",
        ],
        "r30 item 5 (review r29d minor 6): BatchNorm's train/eval mismatch and small batches, one clause; r30 item 2 "
        "(review r30a minor 3): the noise is the training batch's, the mismatch between the modes",
    ),
    (
        "L",
        "## 6 ·",
        [
            "the warm-up postpones the break (appendix F)",
            "the warm-up postpones the break (appendix F) to about the warm-up's end",
        ],
        "r29n item 2 (review r29a minor 1): what the loss curves show about warm-up (r29p: its one clause kept); r31 "
        "decision (review r30c minor 10): the clause kept, when the break comes added (back above 0.9 ln 10 for good "
        "at steps 45-56 of a 50-step warm-up, 142-171 of 150: lr 4.5e-3 to 5e-3; asserted 0.8 w < step < 1.2 w); "
        "r32z item 4 (review r32b minor 8): 'until the learning rate nears 5e-3' read as before the peak, but some "
        "breaks come after it: 'about the warm-up's end' is what the 0.8 w - 1.2 w check shows",
    ),
    (
        "A",
        "## F ·",
        [
            "falls to about 1.6, then\nclimbs back towards chance as the rate nears 5e-3",
            "the warm-up postpones the break",
        ],
        "r29n item 2 (review r29a minor 1): what the loss curves show about warm-up; r29 density: moved to appendix F "
        "(r29p item 2, review r29c minor 14)",
    ),
    (
        "A",
        "## O ·",
        ["`linspace(0, rate, depth)`) from timm v1.0.21 (older versions inline the same `torch.linspace`)"],
        "r29p item 3 (review r29c minor 1): the helper from v1.0.21 (commit 3f58765a); v1.0.20's "
        "vision_transformer.py:581 inlines torch.linspace; r29 density: moved to appendix O (r30 item 1, review r29d "
        "minor 8: DropPath's version history out of section 7, its formula kept there)",
    ),
    (
        "L",
        "## 6 ·",
        [
            "Post-norm, as in 2017, has no final LayerNorm.",
            "both keep the final LayerNorm.",
            "Only the blocks' norms move.",
        ],
        "r29p item 3 (review r29c minor 5): 6a's post-norm (no final norm) against the training runs' (one); r30 "
        "decision (review r29d minor 9, density): the third saying of it ('Unlike 6a's, this post-norm has a final "
        "LayerNorm.') cut; 6a's setup and the training runs' lead-in, both kept, say it; r32 decision (review r31c "
        "minor 8, nested clauses): the same two facts as two plain sentences",
    ),
    ("L", "(top)", ["h heads"], "r29p item 4 (review r29c minor 13): the FLOP code's heads in the Letters line"),
    (
        "L",
        "## 1 ·",
        ["(at most 4.7e-4, at |x| = 2.7), computed on [-6, 6], drawn on [-4, 4]"],
        "r29p item 4 (review r29c minor 12): the grid of the printed maximum; r30 decision (review r29d minor 1): the "
        "grid computed on and the range the panel draws, both named",
    ),
    (
        "L",
        "## 2 ·",
        [
            "**Why an MLP at all?** Attention only mixes tokens, adding up their value vectors with weights.",
            "A lone token's attention is affine, $W_o (W_v x + b_v) + b_o$.",
            "Without GELU, `fc2(fc1(x))` would be one Linear, weight $W_2 W_1$:",
        ],
        "r31u item 2 (review r31a minor 3): attention's weights scale whole tokens, LayerNorm divides a whole token by "
        "one number (was 'Softmax and LayerNorm act on whole tokens': softmax acts on a row of scores); r29p item 2 "
        "(review r29c minors 3-4): the lone-token demo in its own cell after the question; r30 decision "
        "(review r30a minor 8): one sentence of intuition between the question and the demo; r30 item 2 (review r30a "
        "minor 9): LayerNorm's input-dependent factor is per token, not per feature; r30b item 4 (review r30b minor "
        "5): said plainly, softmax and LayerNorm act on whole tokens, only GELU on single features; r32 decision "
        "(review r31c minor 7): the first sentence split at its colon, this sentence kept (r30); the review's "
        "'could not make a feature depend non-linearly on itself' not used: attention's weights and LayerNorm's "
        "divisor both depend on that feature",
    ),
    (
        "A",
        "## N ·",
        ["LayerNorm divides a whole token by one number; only\nGELU gates single features input-dependently."],
        "r33 density (review r33a minor 4): cell 29's reading moved to appendix N, called a reading by construction "
        "there",
    ),
    (
        "A",
        "## N ·",
        ["SwiGLU (Shazeer 2020)", "LayerNorm is nonlinear only through one scalar per token"],
        "r29p item 4 (review r29c minor 10): SwiGLU next to the MLP's argument; r29p item 2: LayerNorm's one divisor "
        "per token left cell 29 for appendix N",
    ),
    (
        "L",
        "## 2 ·",
        ["GELU is mostly flat", "(mean |slope| 0.14 against 0.84, printed)"],
        "r29n item 3 (review r29a minors 2 and 8): the lower gates' slope; attention's per-head scaling; r30b item 4 "
        "(review r30b minor 6): 'mostly' flat (the band reaches z = 0, slope 0.5)",
    ),
    (
        "A",
        "## N ·",
        ["a head's 64 features together in ViT-B"],
        "r33 density (review r33a minor 4): cell 29's reading moved to appendix N, called a reading by construction "
        "there",
    ),
    (
        "A",
        "## E ·",
        ['`ViT_B_16_Weights.IMAGENET1K_V1.meta["_ops"]`', "`torchvision-0.28.0`"],
        "r29 density: moved to appendix E (r30 item 3, review r30a minor 6: section 2 keeps 'they are multiply-adds'); "
        "r29n item 3 (review r29a minor 4): torchvision's field and version; r30 (review r29d minor 11): 0.28.0, "
        "the wheel that requires torch ==2.13.0 (this environment's), read: 17.564 (0.29.1's, which requires torch "
        ">=2.14.0, gives the same)",
    ),
    (
        "A",
        "## K ·",
        ["LeViT", "Graham et al. 2021"],
        "r29n item 3 (review r29a minor 5): BatchNorm can work; r31 density: moved to appendix K",
    ),
    ("L", "## Exercises", ["no in-place `x.mul_(...)`"], "r29n item 3 (review r29a minor 9): exercise 6's box"),
    (
        "L",
        "## Exercises",
        [
            "to 2e-15 in float64 and to float32 precision",
            "- A finite difference is refused by its values: the formula lands within 5e-16 of autograd, and no finite "
            "difference\n  we tried comes within 3e-15 (central ones of 3 to 121 points, each at the best step tried).",
        ],
        "fix 35b M1 (review r35a M1): exercise 1's box says what the checker does: 2e-15 is _SLOPE_FLOAT64_ATOL; "
        "5e-16 is test_right_answers_land_within_5e16_of_autograd's, 3e-15 "
        "test_no_central_stencil_comes_within_3e15_at_any_step's (tests/test_lesson04_checker_slips.py)",
    ),
    (
        "A",
        "## A ·",
        [
            "Detaching σ keeps the division by σ but drops\nthe gradient through σ itself.",
            "With σ detached, the gradient still falls.",
        ],
        "r28c item 1, r28m item 1, r32y decision (review r32a minors 1-2): what detaching sigma removes, in one "
        "sentence;"
        " r32z item 3 (review r32b minor 5, r31 density: moved to appendix A): section 6b keeps three arms "
        "(final LayerNorm, fixed divisor, backward fixed); the fourth, sigma detached, is printed in appendix A "
        "at the lesson's 10 seeds",
    ),
    (
        "L",
        "## 6 ·",
        [
            "(fixed divisor): no detectable fall",
            "So the growing divisor makes the fall",
            "**6c · In training.**",
            "the last `fc2` output reaches the loss only through the final LayerNorm, whose Jacobian is γ/σ times a "
            "projection",
            "on the way back the gradient is divided by σ, and gradient × σ stays about constant (printed above).\nIts "
            "$L^{-0.47}$ is an average over 2-16 blocks, not a law. Three arms change only the final step",
        ],
        "r28c items 1 and 3 (review r28b minors 1, 6, 8): one change at a time; 6a's paragraph ends at the divisor; "
        "a label for the training part (6b and 6c stay the appendix's labels, as the r27d row keeps them); r28d item 2 "
        "(review r28c minors 2-3): the one-line gamma/sigma reason before the ablation; r30 decision (review r30a "
        "minor 2): 'centred or not' cut (that arm is drawn only in appendix A); r30b item 2 (review r30b minor 4): "
        "gamma/sigma is the factor the LayerNorm's Jacobian contributes, (gamma/sigma)(I - 11^T/D - x^x^T/D); "
        "r31 items 1-3 (review r30c minors 1-3, 5): the sqrt(L) growth bounded to 2-16 blocks (appendix A: "
        "L^-0.62 over 16-128), section 6 split into 6a, 6b and 6c, 'detached' defined; r32 MAJOR (review r32b "
        "MAJOR 1): the gradient's local slopes steepen (-0.33, -0.46, -0.63), so L^-0.47 is an average, not a law; "
        "the mechanism shown is gradient x sigma about constant (1.19-1.24, printed and asserted); r32z item 3: two "
        "arms on the main path (sigma detached in appendix A), and the fixed divisor changes two things, as 6b says; "
        "a33b audit item 1: 'arms', plural (sigma detached's backward pass divides by sigma too, as a constant); r34a "
        "item 2 (review r34a minor 2; s34 carry): 'Only the arms ... fall' cut (the picture draws three arms), the "
        "verdict kept; the Jacobian sentence says what it does on the way back; q04 (audit a34a item 1): the fixed "
        "arm said as what it does (no centring), 'centred or not' back with its pointer to appendix A, where that "
        "arm is drawn",
    ),
    (
        "A",
        "## O ·",
        [
            "`attn_drop` on attention weights",
            "`proj_drop` after `proj`",
            "the MLP's after GELU and `fc2`",
            "after every dense layer but qkv",
            '"directly after adding positional- to patch embeddings"',
        ],
        "r28c item 2 (review r28b minor 3): where dropout sits in a ViT block (timm v1.0.28; ViT paper appendix B.1); "
        "r29 density: moved to appendix O (review r29a minor 6), section 7 points there",
    ),
    (
        "A",
        "## N ·",
        ["scale whole value vectors (per head)"],
        "r28c items 3 and 4 (review r28b minors 4 and 5): the lone-token argument's scope; the mislabel said plainly "
        "(r31 density: moved to appendix E, next row)",
    ),
    (
        "A",
        "## E ·",
        ['torchvision\'s 17.56 "GFLOPS"', "are multiply-adds"],
        "r28c item 4 (review r28b minor 5): torchvision's mislabel; r31 density: moved to appendix E (the lesson "
        "prints 17.564 G multiply-adds = 35.1 G FLOPs)",
    ),
    (
        "L",
        "## What this lesson does not show",
        [
            "these short runs (6 blocks, 300 steps), where post-norm without warm-up already trains at 1e-3, "
            "do not reproduce\nXiong et al.'s warm-up effect",
        ],
        "r28b item 1 (review r28a closest-to-major and minor 3): Xiong et al.'s warm-up effect reconciled in the "
        "lesson (r28c: the 14-point detection limit only in its PRINTED line, word cap); r28d item 3 (review r28c "
        "minor 1): the regime difference named; r31 density (r32 item 6): the caveat moved off the main path to "
        "'What this lesson does not show', in the lesson, its wording kept",
    ),
    (
        "L",
        "## 2 ·",
        [
            "per token, only the attention matrix",
            "(in total, as $N^2$)",
        ],
        "r28b item 2 (review r28a minor 2): per token, and the crossovers (r28c: the crossovers only in the PRINTED "
        "line, 3,072 = 4D and 4,608 = 6D; cell 29 split into three paragraphs under the word cap)",
    ),
    (
        "L",
        "## 4 ·",
        ["so in training a token's output\ndepends on the other images"],
        "r28b item 2 (review r28a minor 4)",
    ),
    ("L", "## 6 ·", ["[appendix A]"], "r28b item 5 (review r28a minor 12)"),
    (
        "L",
        "## What this lesson does not show",
        ["the final-step ablation and its depth widget"],
        "r28b item 5 (review r28a minor 12): the stream widget; r30 decision (review r30a minor 7): named in the "
        "appendix map only, section 6 keeps one pointer to appendix A; r31 decision (review r30c minor 9): the same "
        "widget also runs in section 6 (no new pointer), the map still names appendix A's",
    ),
    (
        "A",
        "## E ·",
        [
            "although the 2017 paper it annotates is post-norm",
            "`google/vit-base-patch16-224` loads with 1e-12",
            "small unless a token's variance is tiny",
        ],
        "r30b Z (review r30b minor 11 and its list of what a learner would miss): what HF's eps means for Google's "
        "weights (1 + 5e-7 / sigma^2 in the divisor); the tutorial's norm placement named where the map lists it; "
        "r31 density (review r30c minor 8): the lesson's list one line per difference, its details in appendix E",
    ),
    (
        "L",
        "## Where the libraries differ",
        [
            "- **GELU** (section 1)",
            "- **LayerNorm eps** (section 4)",
            "- **`batch_first`** (appendix E)",
            "lists the rest",
        ],
        "r28b item 3 (review r28a minor 10): the three pitfalls that bite; the rest in appendix E; r28c item 4 "
        "(review r28b minor 11): batch_first is shown in appendix E, not in section 5",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["(optional, no exercises), by the lesson's sections:"],
        "r28c item 4 (review r28b minor 9): why the appendix letters are not in the lesson's order; r30b item 5 "
        "(review r30b minor 8): the list grouped by the lesson's sections, its apology cut",
    ),
    (
        "A",
        "## E ·",
        [
            "- **Arithmetic** (section 2)",
            "- **Counting** (section 3)",
            "- **Norm placement** (section 6)",
            "- **Dropout** (section 7)",
            "- **Versions read**",
        ],
        "r28b item 3 (review r28a minor 10): moved from the lesson's list",
    ),
    (
        "L",
        "## What this lesson does not show",
        [
            "- **Section 1**: **C**",
            "- **Section 2**: **H**",
            "- **Sections 3-5**: **K**",
            "- **Section 6**: **A**",
            "- **Section 7**: **G**",
            "**E** where they differ",
        ],
        "r28b item 4 (review r28a minor 6): the appendix index in the lesson's order, one line per section",
    ),
    (
        "L",
        "## 2 ·",
        ["**Why an MLP at all?**", "affine", "$W_o (W_v x + b_v) + b_o$"],
        "r25a item 3: why an MLP at all, 3 lines after the knockout",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["**N** why an MLP at all", "**H** the MLP gates on one digit", "**C** which GELU checkpoints use, ReLU"],
        "r25a item 3, r27b minor 3, r28 item D: the pointers to appendices N, H and C; r30 decision (review r30a minor "
        "7): in the appendix map only, not inline in sections 1-2",
    ),
    ("L", "## 1 ·", ["**non-monotonic**", "lowest (-0.13) at $x = -\\sqrt2$"], "r25a item 6: the dip in the caption"),
    (
        "L",
        "## 6 ·",
        ["no detectable trend at 10 seeds", "its interval, [-0.05, +0.07], includes 0"],
        "r25a item 7: what 3 seeds cannot rule out; r32 (review r31c minor 1): 10 seeds, what the tighter interval "
        "rules out; r33c (review r33c minor 6): '±0.07' was loose (the interval is [-0.05, +0.07]): the interval "
        "itself, which includes 0 ('holds 0' stays forbidden, fix_24b)",
    ),
    (
        "L",
        "## 6 ·",
        [
            "6c turns to training",
            "Replace the final LayerNorm by division by 1.33 (σ at L = 2), without centring, in both passes (fixed "
            "divisor)",
            "Keep the LayerNorm's values and divide by 1.33 only on the way back (backward fixed)",
        ],
        "r33c (review r33c minors 4, 8, 12): the box's training claim scoped to appendix F's recipe (printed in 6c, "
        "quick 35a: the box only points to 6c, '6c turns to training'; "
        "asserted in its check); what backward fixed changes and the stop-gradient trick (the shown code asserts "
        "both); the ablation legend (cell 52's check asserts it) worded as 6a's dashed line, not as a prediction; "
        "r33d (review r33d minor 4): backward fixed's elliptical 'fixes only the gradient's' now 'only in the "
        "gradient' (the table's backward divisor column; cell 52 asserts the backward pass divides by 1.33); r34a "
        "item 2 (review r34a minor 2): each arm said as what it does to the final step, read off the three-row "
        "table; the stop-gradient trick explained once, in the shown backward_fixed's comment (CODE row)",
    ),
    (
        "A",
        "## J ·",
        ["0.20-0.27 times block 0's", "mean 0.80"],
        "r25a item 5: under At initialisation; r26a 1: moved",
    ),
    ("L", "## What this lesson does not show", ["which they attribute to"], "r25a item 3b: Liu et al.'s reading"),
    ("A", "## A ·", ["fits too", "$\\sqrt{L}$ growth of the norm"], "r25a item 1: both fits named in appendix A"),
    (
        "L",
        "## 6 ·",
        [
            "D = 64",
            "4 heads",
            "Xavier-uniform weights",
            "random labels",
            "`fc2.weight.grad`",
            "95 % t-interval over seeds",
        ],
        "fix_22i::test_section_6a_states_the_setup_its_result_depends_on; r31v item 1 (review r31b minor 2): the "
        "batch, head and loss printed below, not in prose (word cap); r33 item 4 (review r33a minor 6): the setup in "
        "one sentence of prose, its printed lines in appendix A",
    ),
    (
        "A",
        "## A ·",
        ["8 x 16 random tokens and labels", "10-class head"],
        "fix_22i::test_section_6a_states_the_setup_its_result_depends_on; r29 density: moved to appendix A (the "
        "probe's batch and head; section 6 keeps the width, heads and init, and points here)",
    ),
    ("A", "## H ·", ["no detectable departure"], "fix_17b::test_gate_count_claims_no_selectivity"),
    ("A", "## H ·", ["## H · The MLP gates"], "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix"),
    ("A", "## A ·", ["the 12 points are independent"], "fix_17b::test_depth_stacks_share_no_block"),
    ("A", "## A ·", ["<summary>How it was measured"], "fix_17b::test_depth_stacks_share_no_block"),
    ("A", "## A ·", ["The two designs share seeds"], "fix_17c::test_shared_seeds_said_paired_and_welch_conservative"),
    ("A", "## A ·", ["conservative"], "fix_17c::test_shared_seeds_said_paired_and_welch_conservative"),
    (
        "A",
        "## A ·",
        ["overshoots", "177.9", "98.9", "128 blocks"],
        "fix25b::r25a item 1: the line against the 128-block norm",
    ),
    ("A", "## A ·", ["$\\sigma$"], "fix_17f::test_centred_arm_sentence_and_readable_labels"),
    ("A", "## A ·", ["One clue:"], "fix_18a::test_linear_growth_diagnostic_is_printed"),
    ("A", "## A ·", ["nearly orthogonal"], "fix_18a::test_linear_growth_diagnostic_is_printed"),
    ("A", "## A ·", ["FIXED_NORM"], "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible"),
    ("A", "## A ·", ["untested"], "fix_18b::test_growing_updates_get_one_measurement_and_a_goes_with_sentence"),
    (
        "A",
        "## A ·",
        ["neither centring nor the backward path"],
        "fix_18c::test_each_question_has_its_answer_under_its_picture",
    ),
    ("A", "## A ·", ["other arms, answered."], "fix_18c::test_each_question_has_its_answer_under_its_picture"),
    (
        "A",
        "## A ·",
        ["*last* block's gradient"],
        "fix_18d::test_answer_one_follows_its_intervals_and_states_the_papers_argument",
    ),
    (
        "A",
        "## A ·",
        ["Lesson 05 asks another question", "*early* blocks"],
        "fix_18d::test_section_six_names_lesson_05s_question_and_the_intuition",
    ),
    ("A", "## A ·", ["> **Intuition.**"], "fix_18d::test_section_six_names_lesson_05s_question_and_the_intuition"),
    (
        "A",
        "## A ·",
        ["correction to its input"],
        "fix_18d::test_section_six_names_lesson_05s_question_and_the_intuition",
    ),
    (
        "A",
        "## A ·",
        ["coincidence of the range"],
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    ("A", "## A ·", ["$8.2 + 1.33\\,L$"], "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said"),
    (
        "A",
        "## A ·",
        ["Lemma 2", "*expected* squared stream norm"],
        "fix_19b::test_answer_one_says_why_minus_one_half_is_a_coincidence",
    ),
    (
        "A",
        "## A ·",
        ["$8.2 + 1.33\\,L$", "2", "16"],
        "fix_19b::test_answer_one_says_why_minus_one_half_is_a_coincidence",
    ),
    (
        "A",
        "## A ·",
        ["$\\sigma$", "`FIXED_NORM`", "1.330", "2"],
        "fix_19c::test_fixed_norm_is_sigma_at_two_blocks_printed_with_three_decimals",
    ),
    (
        "A",
        "## A ·",
        ["(`norm_placement.last_fc2_gradient`)"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "A",
        "## A ·",
        ["<details><summary>How it was measured"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "A",
        "## A ·",
        ["Theorem 1 rests on that band"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "A",
        "## A ·",
        ["coincidence", "not shown"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "A",
        "## A ·",
        ["$W_Q = W_K = 0$"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "A",
        "## A ·",
        ["section 6a", "this probe"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    ("A", "## A ·", ["10", "5", "does not follow", "ViT", "DeiT"], "fix_19g::test_pre_norm_still_warms_up_in_practice"),
    (
        "A",
        "## A ·",
        ["## A · Why the pre-norm slope"],
        "fix_20a::test_coincidence_block_moved_to_appendix_a_with_a_pointer",
    ),
    (
        "A",
        "## A ·",
        ["$\\sigma$", "LayerNorm"],
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        ["LayerNorm, σ detached"],
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        ["**Answer 6b.** Only the final LayerNorm and the same with $\\sigma$ detached fall"],
        "fix_20c::test_detached_sigma_is_the_fifth_arm_printed_plotted_and_asserted",
    ),
    ("A", "## A ·", ["$L^{1.16}$", "1.11", "1.21", "2"], "fix_20e::test_deeper_stacks_quoted_from_appendix_a"),
    ("A", "## A ·", ["$L^{-0.62}$", "-0.72", "-0.52"], "fix_20e::test_deeper_stacks_quoted_from_appendix_a"),
    ("A", "## A ·", ["no backward through $\\sigma$"], "fix_21a::test_the_arms_are_defined_in_a_table_before_the_plot"),
    (
        "A",
        "## A ·",
        ["squared norm fits $L^{0.96}$ [0.83, 1.10]"],
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said",
    ),
    ("A", "## A ·", ["$L^{0.96}$", "0.83", "1.10"], "fix_21c::test_squared_norm_slope_printed_asserted_and_said"),
    (
        "A",
        "## A ·",
        ["$-0.5$", "coincidence", "not shown"],
        "fix_21c::test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it",
    ),
    (
        "A",
        "## A ·",
        ["below the lemma's band at 2 and 4 blocks"],
        "fix_21c::test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it",
    ),
    (
        "A",
        "## A ·",
        ["$L^{-0.48}$", "6", "-0.62", "-0.32"],
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        ["33, 45, 62", "rising in every seed"],
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    (
        "A",
        "## A ·",
        ["rising in every seed"],
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    ("A", "## A ·", ["fit equally well"], "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said"),
    ("A", "## A ·", ["affine"], "fix_21f::test_appendix_a_prints_the_band_slopes_and_increments"),
    ("A", "## A ·", ["What the probe measures:"], "fix_21f::test_6c_parenthesis_is_a_sentence_and_6a_names_the_probe"),
    (
        "A",
        "## A ·",
        ["8 x 16 random tokens", "10-class head on token 0", "cross-entropy"],
        "fix_21f::test_6c_parenthesis_is_a_sentence_and_6a_names_the_probe",
    ),
    ("A", "## A ·", ["GELU", "Xiong et al."], "fix_21f::test_6c_parenthesis_is_a_sentence_and_6a_names_the_probe"),
    ("A", "## A ·", ["linear in L"], "fix_21f::test_ablation_legend_names_the_bound"),
    (
        "A",
        "## A ·",
        ["-0.62", "-0.32", "-0.61"],
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    (
        "A",
        "## A ·",
        ["(1 + L/2)", "(1 + 3L/2)"],
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band",
    ),
    (
        "A",
        "## A ·",
        ["this appendix's 3-seed per-seed interval, [-0.62, -0.32]", "the lesson's 10 seeds give [-0.50, -0.44]"],
        "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band; r32c MAJOR: relabelled, 10-seed edge",
    ),
    ("A", "## A ·", ["$L^{0.96}$ [0.83, 1.10]"], "fix_22a::test_one_interval_for_the_slope"),
    ("A", "## A ·", ["[-0.62, -0.32]"], "fix_22a::test_legend_quotes_the_given_interval"),
    (
        "A",
        "## A ·",
        ["9.5", "10.6", "2", "128", "16", "5"],
        "fix_22a::test_section_six_prints_the_direct_test_not_the_band",
    ),
    (
        "A",
        "## A ·",
        ["Gradient x $\\|x_L\\|$ is flat:"],
        "fix_22a::test_section_six_prints_the_direct_test_not_the_band",
    ),
    (
        "A",
        "## A ·",
        ["$x/\\sqrt{\\overline{x^2}+\\epsilon}$", "RMS"],
        "fix_22f::test_rms_arm_is_a_table_row_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        ["$L^{-0.48}$", "-0.64", "-0.32", "-0.63"],
        "fix_22f::test_rms_arm_is_a_table_row_printed_plotted_and_asserted",
    ),
    (
        "A",
        "## A ·",
        ["$\\sqrt{\\overline{x^2}+\\epsilon}$", "RMS"],
        "fix_24b::test_section_6b_table_lists_exactly_the_printed_arms",
    ),
    (
        "A",
        "## A ·",
        ["and its per-seed slope includes 0"],
        "fix_24b::test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated",
    ),
    (
        "A",
        "## A ·",
        ["$E\\|x_L\\|^2$", "$L$", "2"],
        "fix_24b::test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated",
    ),
    ("A", "## A ·", ["Welch"], "fix_p::test_depth_cell_prints_only_the_three_plotted_lines"),
    ("A", "## A ·", ["-0.62"], "fix_q2::test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix"),
    (
        "A",
        "## A ·",
        ["**Why pre-norm won.**"],
        "fix_w::test_section_six_probe_first_then_picture_statistics_folded_questions_numbered",
    ),
    (
        "A",
        "## A ·",
        ["(the arms below test this)"],
        "fix_17b::test_section_six_short_with_statistics_folded; r26a 1: moved",
    ),
    ("L", "## 6 ·", ["1", "upper bound"], "fix_17c::test_theorem_one_is_stated_as_upper_bounds"),
    ("L", "## 6 ·", ["$O(d\\sqrt{\\ln d})$ for post-norm"], "fix_17c::test_theorem_one_is_stated_as_upper_bounds"),
    ("L", "## 6 ·", ["$O(d\\sqrt{\\ln d / L})$ for pre-norm"], "fix_17c::test_theorem_one_is_stated_as_upper_bounds"),
    (
        "A",
        "## F ·",
        ["never fell below", "rose back"],
        "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat",
    ),
    ("L", "## 6 ·", ["appendix F"], "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat"),
    (
        "A",
        "## F ·",
        ["longer warm-ups were not tried"],
        "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat",
    ),
    (
        "A",
        "## F ·",
        ['<a id="norm-training"></a>'],
        "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["every 95 % interval above +51"],
        "fix_18c::test_each_question_has_its_answer_under_its_picture; r26a 1: moved",
    ),
    ("L", "## 6 ·", ["no detectable trend"], "fix_18c::test_each_question_has_its_answer_under_its_picture"),
    (
        "A",
        "## F ·",
        ["5e-3"],
        "fix_18c::test_each_question_has_its_answer_under_its_picture; r26a 1: moved",
    ),
    ("L", "## 6 ·", ["appendix A"], "fix_18c::test_each_question_has_its_answer_under_its_picture"),
    (
        "L",
        "## 6 ·",
        ["falls, about as $L^{-0.47}$"],
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    (
        "L",
        "## 6 ·",
        ["$-0.5$", "not a fit", "for comparison"],
        "fix_19a::test_coincidence_of_the_range_is_printed_asserted_and_said",
    ),
    ("L", "## 6 ·", ["about as $L^{-0.47}$"], "fix_19c::test_summary_slopes_with_intervals_and_its_pointers"),
    (
        "L",
        "## 6 ·",
        ["Theorem 1 gives upper bounds"],
        "fix_19d::test_section_six_opens_with_its_question_then_bounds_and_questions",
    ),
    (
        "L",
        "## 6 ·",
        ["**Does the norm's place change the last block's gradient?**"],
        "fix_19d::test_section_six_opens_with_its_question_then_bounds_and_questions",
    ),
    (
        "L",
        "## 6 ·",
        ["**6a · The gradient against depth.**"],
        "fix_19d::test_section_six_opens_with_its_question_then_bounds_and_questions",
    ),
    (
        "A",
        "## F ·",
        ["**Answer 6c.**"],
        "fix_19d::test_warm_up_result_in_answer_three_after_the_curves_with_a_check; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["8.0", "29.4", "16"],
        "fix_20c::test_coincidence_of_the_range_next_to_the_widget_and_in_the_guide; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["its centred norm over $\\sqrt{D}$"],
        "fix_20c::test_items_five_to_eight_wording; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["**6b · What makes pre-norm's fall?**"],
        "fix_20e::test_the_five_arm_ablation_and_the_details_moved_to_appendix_a; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["**Answer 6b.**"],
        "fix_20e::test_the_five_arm_ablation_and_the_details_moved_to_appendix_a; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["final LayerNorm", "unlike 6a's probe"],
        "fix_20e::test_training_setup_answer_and_table_header; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["where post-norm has no final norm"],
        "fix_20e::test_training_setup_answer_and_table_header; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["**Answer 6c.** Pre-norm, at the one large lr tested (5e-3)."],
        "fix_20e::test_training_setup_answer_and_table_header; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["6b's direct test, from 2 to 128 blocks", "gradient x"],
        "fix_20e::test_deeper_stacks_quoted_from_appendix_a; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["2", "8", "16", "128"],
        "fix_21c::test_squared_norm_slope_printed_asserted_and_said; r26a 1: moved",
    ),
    (
        "A",
        "## A ·",
        ["each other arm's interval includes 0"],
        "fix_21c::test_ablation_prints_three_decimals_so_the_interval_matches_the_prose; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["5e-3", "longer warm-ups were not tried"],
        "fix_21c::test_answer_6c_says_a_longer_warm_up_is_untested_and_6c_names_its_post_norm",
    ),
    (
        "A",
        "## A ·",
        ["$\\|x_L\\|$", "2", "8", "16", "128"],
        "fix_22a::test_section_six_prints_the_direct_test_not_the_band; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["rose back about where the warm-up ends"],
        "fix_22c::test_warm_up_reading_matches_the_stored_curves",
    ),
    (
        "A",
        "## F ·",
        ["all 9 runs", "3 seeds, reused at 3 warm-ups"],
        "fix_22i::test_answer_6c_says_the_nine_runs_are_three_seeds; r26a 1: moved",
    ),
    (
        "A",
        "## B ·",
        ["64", "$L^{-0.044}$"],
        "fix_24b::test_answer_6a_and_summary_quote_timm_per_seed_printed_and_asserted; r26c minor 3; r28: to B",
    ),
    (
        "A",
        "## J ·",
        ["0.41-1.11", "mean 0.80"],
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r25a item 4; r25d item 3; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        ["15", "0.20", "0.27", "0"],
        "fix_24d::test_profile_picture_in_6a_printed_and_asserted; r26a 1: moved",
    ),
    (
        "A",
        "## B ·",
        ["$\\sqrt{6/2D}$", "`xavier_init`", "`qkv`"],
        "fix_24d::test_6a_names_the_qkv_init_and_the_bound_rate; r28 item D: provenance moved to appendix B",
    ),
    ("L", "## 6 ·", ["$-0.5$", "Xiong et al."], "fix_24d::test_6a_names_the_qkv_init_and_the_bound_rate"),
    (
        "A",
        "## B ·",
        ["0.02", "$L^{-0.049}$", "384"],
        "fix_24d::test_6a_names_the_qkv_init_and_the_bound_rate; r26c minor 3: the interval in appendix B only",
    ),
    (
        "A",
        "## F ·",
        ["Adam at 5e-3", "50-150 of 300 steps", "is not Xiong et al.'s", "does not contradict"],
        "fix_24d::test_6c_names_the_regime_gap_with_xiong",
    ),
    (
        "A",
        "## F ·",
        ["does not contradict"],
        "fix_24d::test_6c_names_the_regime_gap_with_xiong; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["needs a warm-up", "larger models and longer warm-ups", "Adam at 5e-3", "50-150 of 300 steps"],
        "r25d item 6: appendix F's reason, in the lesson; r26a 1: moved",
    ),
    (
        "A",
        "## J ·",
        ["Figure 3", "post-LN's growing toward the output", "reproduces neither"],
        "r25d item 3: neither half of Xiong's profile is reproduced; r26a 1: moved",
    ),
    ("L", "## 6 ·", ["Xavier-uniform weights"], "fix_24f::test_6a_setup_states_the_std_002_caveat_before_the_result"),
    (
        "A",
        "## B ·",
        [
            "timm's and DeiT's init (trunc-normal std 0.02)",
            "near 0 at D = 64 and 384 ($L^{-0.044}$ and $L^{-0.049}$; only 384's interval excludes 0)",
            "$L^{-0.243}$ [-0.304, -0.182] at D = 768, about half of Xavier's at the same width",
            "3 seeds",
            "follows the ViT release's init",
            "vit_jax/models_vit.py",
        ],
        "fix_24f::test_6a_setup_states_the_std_002_caveat_before_the_result; r26c minor 3: words and one interval; "
        "r26e M1: Xavier compared at the same width; r26e minor 10: the versions in the printing cell's comment; "
        "r27b minor 2: near 0 at 64 and 384, not a width trend; r28 (review r27f minor 4): moved to appendix B",
    ),
    ("A", "## A ·", ["$\\sqrt{L}$"], "fix_24f::test_widget_sentence_says_linear_not_sqrt; moved by r25b item 3"),
    (
        "A",
        "## A ·",
        ["a norm linear in L with an intercept", "fit equally well", "[0.83, 1.10]", "98.9", "177.9"],
        "fix_24f::test_widget_sentence_says_linear_not_sqrt, corrected by r25a item 1; moved by r25b item 3",
    ),
    (
        "A",
        "## F ·",
        ["64", "71", "95 %", "+51"],
        "fix_24f::test_6c_and_summary_quote_the_interval_lower_ends; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["**6c · And in training?**"],
        "fix_w::test_section_six_probe_first_then_picture_statistics_folded_questions_numbered; r26a 1: moved",
    ),
    (
        "L",
        "## 6 ·",
        ["**Yes, at this initialisation.**"],
        "fix_w::test_section_six_probe_first_then_picture_statistics_folded_questions_numbered; r32y item 5 (review "
        "r32a minor 9): 6a's answer opens with the answer itself, not the lab-notebook label 'Answer 6a'",
    ),
    (
        "A",
        "## F ·",
        [
            "**In one line**",
            "pre-norm's final LayerNorm shrinks the last gradient with depth",
            "only pre-norm trained at lr 5e-3 here",
        ],
        "r32y item 5 (review r32a minor 9): a one-line takeaway ends section 6 for a learner who skims it; r33 "
        "density (review r33a minor 6/8): one verdict per section: the line moved to appendix F's answer",
    ),
    (
        "L",
        "## 7 ·",
        ["timm's attention drops its softmax weights and its `proj` output"],
        "r32y Z (review r32a minor 7): attention's dropout placed too (timm v1.0.28 layers/attention.py: attn_drop "
        "after the softmax, proj_drop after proj; appendix O has the details)",
    ),
    (
        "A",
        "## N ·",
        ["Without GELU, the block switches features only in groups."],
        "r32y item 5 (review r32a minor 8): cell 29 in plain sentences with its conclusion said plainly (the r30/r31 "
        "pinned sentences kept word for word)",
    ),
    (
        "A",
        "## F ·",
        ["**near chance**"],
        "fix_w::test_definitions_and_wording; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["0.9 ln 10"],
        "fix_w::test_definitions_and_wording; r26a 1: moved",
    ),
    (
        "L",
        "## 5 ·",
        ["The same block as a class, and the stack"],
        "fix_17b::test_block_class_near_the_top_of_section_five; r28 item 3: the class printed in section 5",
    ),
    (
        "L",
        "## 6 ·",
        ["6a · The gradient against depth"],
        "r28 item 5 (review r27f minor 13): slope and interval glossed in section 6 (r28b: in the printed line, "
        "PRINTED)",
    ),
    ("L", "## 6 ·", ["Post-norm, as in 2017, has no final LayerNorm."], "r28 item 1 (r27f minor 1): 6a's stacks"),
    (
        "L",
        "## 6 ·",
        ["Unlike 6a's post-norm, both keep the final LayerNorm.", "[appendix B]"],
        "r28 item 1 (review r27f minor 1): the training runs' stacks; r28 item 2: the init arms' one pointer",
    ),
    (
        "L",
        "## 7 ·",
        [
            "its rate rising linearly over the blocks, `linspace(0, rate, depth)` (timm v1.0.28's "
            "`calculate_drop_path_rates`).",
            "timm's code: appendix O",
        ],
        "r28 item 4 (review r27f minor 2): cell 61's sentence ends; r30 (review r29d minors 8, 10): the formula kept, "
        "the mid-sentence pointer cut (the cell's first line points to appendix O); r33b item 5 (review r33b minor 9): "
        "the linspace's timm version in the sentence; a33b audit item 5: the function that calls it named",
    ),
    (
        "A",
        "## O ·",
        ["(timm's `calculate_drop_path_rates`:\n`linspace(0, rate, depth)`)", "DropPath against Huang et al.'s"],
        "r28 item 4 (review r27f minor 2); r29 density: moved to appendix O (r30 item 1, review r29d minor 8): the "
        "helper's name with its versions, beside Huang et al.'s schedule",
    ),
    (
        "L",
        "## Summary",
        ["when enabled", "timm's default `init_values=None` turns it off; ViT and this package have none"],
        "r28 item 4 (review r27f minor 8): LayerScale is off in ViT",
    ),
    ("L", "## What this lesson does not show", ["6 epochs of a 50-epoch recipe"], "r28 item 4 (review r27f minor 9)"),
    ("L", "## 4 ·", ["about 0.1 and 0.2"], "r28 item 4 (review r27f minor 7): the table's 0.085 and 0.222"),
    (
        "L",
        "## 5 ·",
        ["equations 2-3"],
        "fix_19d::test_equations_with_the_code_and_identity_claim_before_its_demonstration",
    ),
    (
        "L",
        "## 5 ·",
        ["z'_{\\ell} = \\mathrm{MSA}"],
        "fix_19d::test_equations_with_the_code_and_identity_claim_before_its_demonstration",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["**H** the MLP gates on one digit"],
        "fix_17c::test_gate_study_lives_in_appendix_h_with_its_figure",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["**L** follows one token"],
        "fix_17c::test_token_picture_is_in_appendix_l_with_its_check_and_section_five_points_to_it",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["**M** draws the parallel block of exercise 4"],
        "fix_18c::test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["Adam against SGD"],
        "fix_19a::test_adam_is_invariant_to_a_constant_gradient_scale",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["## What this lesson does not show"],
        "fix_19d::test_ending_summary_first_exercises_own_cell_libraries_last",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["22", "GPT-J", "PaLM", "ViT-22B"],
        "fix_19g::test_parallel_block_sources_named",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["does not test whether"],
        "fix_v::test_initialisation_and_training_claims_apart",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["independent"],
        "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix",
    ),
    ("L", "## What this lesson does not show", ["**I**"], "fix_x::test_moved_questions_have_a_pointer_in_the_lesson"),
    ("L", "## What this lesson does not show", ["**J**"], "fix_x::test_moved_questions_have_a_pointer_in_the_lesson"),
    (
        "L",
        "## What this lesson does not show",
        ["the gradient at every block"],
        "fix_x::test_moved_questions_have_a_pointer_in_the_lesson",
    ),
    ("A", "## F ·", ["not tried"], "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat"),
    ("A", "## F ·", ["1", "untested"], "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat"),
    ("A", "## F ·", ["Fisher's exact p"], "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics"),
    (
        "A",
        "## F ·",
        ["10x smaller gradient", "not a 10x slower learner"],
        "fix_19a::test_adam_is_invariant_to_a_constant_gradient_scale",
    ),
    ("A", "## F ·", ["Liu et al."], "fix_19b::test_section_six_probe_after_questions_and_adam_aside_concluded"),
    ("A", "## F ·", ["45", "56", "50", "142", "171", "150"], "fix_19b::test_post_norm_collapse_step_is_measured"),
    ("A", "## F ·", ["eight at 10 %"], "fix_w::test_definitions_and_wording"),
    ("A", "## F ·", ["one at 17 %"], "fix_w::test_definitions_and_wording"),
    (
        "A",
        "## F ·",
        ["50- or 150-step warm-up"],
        "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat; r26a 1: moved",
    ),
    (
        "A",
        "## G ·",
        ["0.1", "18", "1e-5", "24,", "1e-6"],
        "fix_19c::test_summary_slopes_with_intervals_and_its_pointers; r31 density: moved to appendix G (r31u Z, the "
        "Summary at six bullets: CaiT's constants are detail; section 7 points to appendix G)",
    ),
    (
        "L",
        "## Summary",
        ["Post-norm's shows no detectable trend"],
        "fix_19c::test_summary_slopes_with_intervals_and_its_pointers",
    ),
    (
        "L",
        "## Summary",
        ["A block is a **residual stream**"],
        "fix_19d::test_ending_summary_first_exercises_own_cell_libraries_last",
    ),
    ("L", "## Summary", ["**Post-norm**"], "fix_19d::test_ending_summary_first_exercises_own_cell_libraries_last"),
    (
        "A",
        "## A ·",
        ["final LayerNorm", "the growing divisor makes it fall"],
        "fix_21f::test_summary_bullet_in_words_numbers_once; r26a 1: moved",
    ),
    ("L", "## Summary", ["twice per block"], "fix_21i::test_summary_post_norm_after_each_residual_addition"),
    (
        "A",
        "## A ·",
        ["2023", "02", "Touvron et al.", "EVA-02"],
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "A",
        "## A ·",
        ["SwiGLU MLP (Shazeer 2020, *GLU Variants Improve Transformer*)"],
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "A",
        "## A ·",
        ["RMSNorm (Zhang & Sennrich 2019"],
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "A",
        "## F ·",
        ["never fell below", "near-chance"],
        "fix_22c::test_warm_up_reading_matches_the_stored_curves; r26a 1: moved",
    ),
    (
        "L",
        "## Summary",
        [
            "because (ablation, section 6) the final LayerNorm divides a growing stream",
            "(Xavier-uniform blocks, as in the ViT release, but a default-init head",
            "a fixed divisor in its",
        ],
        "fix_22f::test_summary_states_timm_slopes_appendix_b_prints; r26c minor 3: one interval in the bullet; "
        "r26e M1: Xavier at the same width; r26e minor 10: the release's file name left to section 6; "
        "r27b minor 2 and D3: near 0 at 64 and 384, the bullet shorter; r27d minor 6: the bullet cut to its headline, "
        "the std-0.02 slopes stated in section 6 where they print (pinned there by the fix_22f/fix_24f row); "
        "r31 item 6 (review r30c minor 11): the release's zero head, why the probe cannot copy it (asserted in "
        "section 6); r34a item 3 (review r34a minor 3): said in 6a's setup (next row), cut from the Summary",
    ),
    (
        "L",
        "## 6 ·",
        [
            "A 10-class head on token 0, PyTorch's default `nn.Linear` (the release's zero head would pass no "
            "gradient back), takes cross-entropy against random labels."
        ],
        "r34a item 3 (review r34a minor 3): the head 6a's Summary bullet names, in the body; 6a's hidden check "
        "asserts the default init's bound and that a zero head passes no gradient back",
    ),
    (
        "A",
        "## B ·",
        ["64", "$L^{-0.044}$", "384"],
        "fix_24b::test_answer_6a_and_summary_quote_timm_per_seed_printed_and_asserted; r27d minor 6: moved from the "
        "Summary to section 6, where they print",
    ),
    (
        "A",
        "## J ·",
        ["0.20", "0.27"],
        "fix_24d::test_summary_bullet_says_what_the_picture_shows; r26a 1: moved",
    ),
    (
        "A",
        "## Summary",
        ["no consistent direction", "3 seeds"],
        "fix_24d::test_summary_bullet_says_what_the_picture_shows; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["64", "71", "95 %", "+51"],
        "fix_24f::test_6c_and_summary_quote_the_interval_lower_ends; r26a 1: moved",
    ),
    ("L", "## Summary", ["- **At initialisation**"], "fix_v::test_initialisation_and_training_claims_apart"),
    (
        "A",
        "## Summary",
        ["- **F · In training**"],
        "fix_v::test_initialisation_and_training_claims_apart; r26a 1: moved",
    ),
    ("L", "## Summary", ["## Summary"], "fix_x::test_one_list_of_what_is_not_shown_just_before_the_summary"),
    ("A", "## N ·", ["cannot"], "fix_17e::test_nits"),
    (
        "A",
        "## N ·",
        ["only step that can gate each feature"],
        "fix_19c::test_mlp_is_the_only_step_that_can_gate_single_features",
    ),
    ("A", "## K ·", ["any D", "eps aside"], "fix_17e::test_nits"),
    (
        "A",
        "## K ·",
        ["## K · LayerNorm, BatchNorm and the block as a class"],
        "fix_19c::test_appendix_pointers_gathered_in_one_list",
    ),
    ("A", "## K ·", ["20%", "LN-based"], "fix_19c::test_batchnorm_trade_off_from_yao_et_al"),
    ("A", "## K ·", ["plane"], "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    ("A", "## K ·", ["in the picture above"], "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    ("A", "## K ·", ["$\\sqrt{D}$"], "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    (
        "A",
        "## K ·",
        ["$\\gamma$ and $\\beta$"],
        "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once",
    ),
    ("A", "## G ·", ["0.1", "18"], "fix_17f::test_depth_slopes_printed_from_data_and_nits; r28m item 1: to appendix G"),
    (
        "A",
        "## O ·",
        ["Huang et al.", "linear decay, shifted by one block and stretched"],
        "fix_19c::test_drop_path_credits_huang_and_layer_scale_gives_cait_values",
    ),
    (
        "A",
        "## O ·",
        ["Huang et al.", "survival probability"],
        "fix_19c::test_drop_path_credits_huang_and_layer_scale_gives_cait_values",
    ),
    (
        "A",
        "## G ·",
        ["0.1", "18", "1e-5", "24,", "1e-6"],
        "fix_19c::test_drop_path_credits_huang_and_layer_scale_gives_cait_values; r28m item 1 (review r28d minor 7): "
        "CaiT's constants in appendix G (the Summary repeats them), section 7 points there",
    ),
    ("L", "## 7 ·", ["(CaiT's values:\n  appendix G)"], "r28m item 1 (review r28d minor 7): the pointer left behind"),
    ("A", "## O ·", ["shifted by one block and stretched"], "fix_19g::test_drop_path_schedule_shifted_and_stretched"),
    ("A", "## O ·", ["`linspace(0, r, L)`"], "fix_19g::test_drop_path_schedule_shifted_and_stretched"),
    ("A", "## O ·", ["$(\\ell/L)\\,r$"], "fix_19g::test_drop_path_schedule_shifted_and_stretched"),
    ("L", "## 7 ·", ["**Two more things timm"], "fix_19g::test_drop_path_schedule_shifted_and_stretched"),
    (
        "A",
        "## L ·",
        ["In block 0", "more than half the tokens"],
        "fix_18b::test_median_ratios_by_block_printed_and_the_prose_says_where_the_nudge_holds",
    ),
    (
        "A",
        "## E ·",
        ["ParallelScalingBlock"],
        "fix_18c::test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer",
    ),
    (
        "A",
        "## E ·",
        ["`jax.nn.gelu`'s default, `approximate=True`"],
        "fix_18c::test_library_notes_live_in_the_list_at_the_end; r31 density (review r30c minor 8): to appendix E",
    ),
    (
        "A",
        "## E ·",
        ["`QuickGELU` is the paper's coarser"],
        "fix_18c::test_library_notes_live_in_the_list_at_the_end; r31 density (review r30c minor 8): to appendix E",
    ),
    ("L", "## Where the libraries differ", ["1e-6", "JAX"], "fix_18c::test_library_notes_live_in_the_list_at_the_end"),
    (
        "A",
        "## E ·",
        ['17.56 "GFLOPS"'],
        "fix_18c::test_library_notes_live_in_the_list_at_the_end",
    ),
    (
        "L",
        "## Where the libraries differ",
        ["## Where the libraries differ"],
        "fix_19d::test_ending_summary_first_exercises_own_cell_libraries_last",
    ),
    (
        "A",
        "## E ·",
        ["timm is not installed"],
        "fix_22c::test_versions_read_say_where_timm_comes_from",
    ),
    (
        "A",
        "## E ·",
        ["v1.0.28", "8ef7380"],
        "fix_22c::test_versions_read_say_where_timm_comes_from",
    ),
    (
        "A",
        "## E ·",
        ["you could `pip install timm==1.0.28`"],
        "fix_22c::test_versions_read_say_where_timm_comes_from",
    ),
    (
        "A",
        "## E ·",
        ["transformers 5.23.0 is installed"],
        "fix_22c::test_versions_read_say_where_timm_comes_from",
    ),
    (
        "L",
        "## Where the libraries differ",
        ["transformers 5.23.0"],
        "fix_22c::test_versions_read_say_where_timm_comes_from",
    ),
    (
        "A",
        "## Summary",
        ["**L · One token through a block**"],
        "fix_18c::test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer",
    ),
    (
        "A",
        "## Summary",
        ["**M · The parallel block**"],
        "fix_18c::test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer",
    ),
    (
        "A",
        "## Summary",
        ["ReLU changes 22 of 1,000 predictions"],
        "fix_19b::test_relu_swap_called_a_perturbation_next_to_its_summary_line",
    ),
    (
        "A",
        "## Summary",
        ["$L^{1.16}$", "$L^{-0.62}$", "1.11", "1.21", "2"],
        "fix_20e::test_deeper_stacks_quoted_from_appendix_a",
    ),
    (
        "A",
        "## Summary",
        ["2", "0.72", "0.88"],
        "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said",
    ),
    ("A", "## Summary", ["2", "4", "8", "128"], "fix_21f::test_summary_bullet_in_words_numbers_once"),
    ("A", "## C ·", ["3.6", "paired"], "fix_18c::test_gelu_relu_seeds_say_what_gap_three_seeds_can_detect"),
    (
        "A",
        "## C ·",
        ["-0.2", "-3.8", "+3.4", "0", "no detectable", "paired"],
        "fix_19a::test_no_detectable_difference_quotes_its_interval",
    ),
    (
        "A",
        "## C ·",
        ["perturbation of a GELU-trained model"],
        "fix_19b::test_relu_swap_called_a_perturbation_next_to_its_summary_line",
    ),
    (
        "A",
        "## C ·",
        ["not evidence that GELU trains better"],
        "fix_19b::test_relu_swap_called_a_perturbation_next_to_its_summary_line",
    ),
    ("A", "## C ·", ["following OpenAI GPT"], "fix_21i::test_bert_quote_moved_to_appendix_c"),
    ("A", "## C ·", ["1,000 digits"], "fix_q2::test_relu_runs_on_all_digits"),
    ("A", "## C ·", ["ReLU also cuts"], "fix_q2::test_relu_runs_on_all_digits"),
    ("A", "## H ·", ["follow the gate"], "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu"),
    ("L", "## 2 ·", ["below one half"], "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu"),
    (
        "A",
        "## N ·",
        ["only GELU gates single features"],
        "fix_19c::test_mlp_is_the_only_step_that_can_gate_single_features; r30b item 4 (review r30b minor 5): "
        "plainer wording",
    ),
    (
        "A",
        "## N ·",
        ["LayerNorm is nonlinear only through one"],
        "fix_19c::test_mlp_is_the_only_step_that_can_gate_single_features",
    ),
    (
        "A",
        "## H ·",
        ["$\\Phi(z) = 0.1$", "-0.128", "75 %", "GELU"],
        "fix_19c::test_gate_classes_named_by_their_gate_and_the_cut_printed",
    ),
    (
        "A",
        "## N ·",
        ["only GELU gates single features", "depend on the input but scale whole value vectors"],
        "fix_19g::test_attention_reweights_whole_head_slices_only; r30b item 4 (review r30b minor 5): plainer words; "
        "r31v item 4 (review r31b minor 6): value vectors, not tokens; GELU's gate input-dependent (gamma is fixed)",
    ),
    (
        "L",
        "## 2 ·",
        ["one mean per token position and feature", "intact model"],
        "fix_20c::test_items_five_to_eight_wording",
    ),
    ("L", "## 2 ·", ["all blocks at once"], "fix_20c::test_items_five_to_eight_wording"),
    (
        "A",
        "## H ·",
        ["8", "10.0 %"],
        "fix_21a::test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick",
    ),
    (
        "A",
        "## H ·",
        ["no yardstick"],
        "fix_21a::test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick",
    ),
    ("L", "## 2 ·", ["N = 197 tokens,"], "fix_21i::test_one_meaning_of_n"),
    ("L", "## 2 ·", ["At N = 197 tokens,"], "fix_21i::test_one_meaning_of_n"),
    ("L", "## 2 ·", ["MLPs"], "fix_22i::test_cell_50_torch_randn_row_and_the_knockout_model"),
    ("L", "## 2 ·", ["**zero-ablation**"], "fix_w::test_definitions_and_wording"),
    ("L", "## 2 ·", ["mean-ablation"], "fix_w::test_definitions_and_wording"),
    (
        "L",
        "## What this lesson does not show",
        ["**Section 1**: **C**"],
        "fix_19c::test_appendix_pointers_gathered_in_one_list (was: section 1 names its appendix); r30 decision "
        "(review r30a minor 7): section 1's pointer lives in the one list, the appendix map",
    ),
    (
        "L",
        "## 1 ·",
        ["At five points, 200,000 gates each (mean ± one standard error)"],
        "fix_19g::test_plus_minus_is_one_standard_error; r34a item 6 (review r34a minor 5): the example's digits "
        "(-0.0458 ± 0.0007) left to the printed line (PRINTED row); q04 (audit a34a item 6): x Phi(x) said once, "
        "the 200,000 draws printed (PRINTED row) and used in cell 14's check",
    ),
    ("A", "## C ·", ["BERT and GPT used GELU before ViT"], "fix_20c::test_items_five_to_eight_wording; r28: C"),
    ("A", "## C ·", ["$x\\,s(x)$"], "fix_20e::test_gate_argument_split_shapes_first_and_silu_named; r28: C"),
    ("A", "## C ·", ["$s$", "$\\Phi$", "CDF"], "fix_20e::test_gate_argument_split_shapes_first_and_silu_named"),
    ("A", "## C ·", ["logistic CDF $s$"], "fix_22f::test_sigmoid_is_not_sigma_and_stale_comments_gone; r28: C"),
    ("A", "(top)", ["least-squares"], "fix_19b::test_moved_material_lives_in_the_appendix_with_its_checks"),
    (
        "A",
        "(top)",
        ["share their first blocks across depths"],
        "fix_21f::test_per_seed_slopes_printed_beside_the_pooled_ones",
    ),
    ("L", "## 0 ·", ["a normalised copy"], "fix_19b::test_block_diagram_says_each_branch_reads_a_normalised_copy"),
    (
        "L",
        "## 0 ·",
        ["`norm1(x)`", "`norm2(x)`"],
        "fix_19b::test_block_diagram_says_each_branch_reads_a_normalised_copy",
    ),
    ("L", "## 0 ·", ["`(N, D) = (197, 768)`"], "fix_21i::test_one_meaning_of_n"),
    (
        "L",
        "## 0 ·",
        ["197"],
        "fix_24f::test_section_0_separates_the_figure_patches_from_n; r28b: the 196 patches in its printed caption",
    ),
    (
        "L",
        "## Exercises",
        ["<details>"],
        "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound",
    ),
    (
        "L",
        "## 4 ·",
        ["$$\\mathrm{LayerNorm}(x)"],
        "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once",
    ),
    ("A", "## K ·", ["D = 3"], "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once"),
    (
        "L",
        "## 4 ·",
        ["**Why not BatchNorm?**"],
        "fix_20a::test_geometry_picture_in_section_four_after_the_formula_once",
    ),
    (
        "A",
        "## K ·",
        ["Yao et al.", "Vision Transformers", "BatchNorm"],
        "fix_20e::test_gate_argument_split_shapes_first_and_silu_named; r28 item D: moved to K",
    ),
    ("L", "## 4 ·", ["0.1"], "fix_22i::test_cell_50_torch_randn_row_and_the_knockout_model"),
    (
        "A",
        "## K ·",
        ["*Leveraging Batch Normalization for Vision Transformers*"],
        "fix_w::test_definitions_and_wording",
    ),
    ("L", "(top)", ["197", "16", "196", "ViT-B"], "fix_21i::test_one_meaning_of_n"),
    (
        "A",
        "## B ·",
        ["t-interval over the 3 seeds' slopes"],
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    ("A", "## B ·", ["-0.10", "-0.26", "+0.05", "0"], "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    ("A", "## B ·", ["`seed_slope`"], "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    ("A", "## B ·", ["-0.10 [-0.26, +0.05]"], "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    (
        "A",
        "## B ·",
        ["(+0.04 [-0.01, +0.09], includes 0)"],
        "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened",
    ),
    (
        "A",
        "## B ·",
        ["$L^{-0.046}$ [-0.097, +0.005], include 0"],
        "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened",
    ),
    ("A", "## B ·", ["0.02", "ViT"], "fix_24f::test_6a_setup_states_the_std_002_caveat_before_the_result"),
    (
        "A",
        "## B ·",
        ["timm's and DeiT's init", "follows the ViT release's init", "vit_jax/models_vit.py", "xavier_uniform"],
        "r25d item 1: std 0.02 is timm's and DeiT's init; the ViT release's is Xavier-uniform",
    ),
    (
        "A",
        "## B ·",
        ["`vit_jax/models_vit.py` at 143bd26: `xavier_uniform`", "a zero head,", "`kernel_init=nn.initializers.zeros`"],
        "q04 (audit a34a item 3): 6a's 'the release's zero head' cited (models_vit.py at 143bd26, the head's "
        "nn.Dense has kernel_init=nn.initializers.zeros)",
    ),
    ("A", "## B ·", ["64", "no detectable"], "fix_24f::test_6a_setup_states_the_std_002_caveat_before_the_result"),
    ("A", "## B ·", ["D = 384", "$L^{-0.049}$ [-0.079, -0.019]", "0.88-0.92"], "r25b item 1: ViT's init at D = 384"),
    (
        "L",
        "## What this lesson does not show",
        ["later models (LLaMA's"],
        "r25b item 4: index to appendix A; q04 (audit a34a item 5): each model named with its part",
    ),
    (
        "A",
        "## J ·",
        ["Figure 3", "pre-LN", "about flat", "reproduces neither"],
        "r25b item 2: Xiong's profile against ours; r26a 1: moved",
    ),
    (
        "A",
        "## F ·",
        ["never fell below", "rose back"],
        "r25b item 4: the warm-up curves, as drawn; r26a 1: moved",
    ),
    ("A", "## F ·", ["never fell below", "45-56", "142-171"], "r25b item 4: the collapse steps, moved by r25d item 4"),
    (
        "A",
        "## E ·",
        ['17.56 "GFLOPS"', "17.564"],
        "r25b item 5: torchvision's count; r31 density: moved to appendix E (the lesson prints 17.564 G multiply-adds "
        "= 35.1 G FLOPs)",
    ),
    ("A", "## N ·", ["nonlinear", "one", "scalar per token"], "r25b item 8; r28 item D: to N"),
    (
        "A",
        "## B ·",
        ["unit-variance tokens"],
        "fix_q2::test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix",
    ),
    ("A", "## I ·", ["## I · A trained stream"], "fix_x::test_moved_questions_have_a_pointer_in_the_lesson"),
    (
        "A",
        "## J ·",
        ["## J · The gradient, block by block"],
        "fix_x::test_moved_questions_have_a_pointer_in_the_lesson",
    ),
    (
        "A",
        "## C ·",
        ["x * Phi(x).detach()", "0.84-0.86", "cosine 0.96-0.97", "0.71-0.90", "not tested here"],
        "r26a item 2: the detached gate's gradient at initialisation, stated as printed, training left open;"
        " r27c: moved to appendix C with its check (brief fix04f: words for items 1-4)",
    ),
    (
        "L",
        "## 6 ·",
        ["(fixed divisor): no detectable fall, centred or not", "the gradient rises a little"],
        "r26e minor 6: the final-norm ablation's fixed-divisor arm drawn and stated in section 6; a33b audit: 'even' "
        "cut (word cap); q04 (audit a34a item 1): the arm replaces the whole LayerNorm (norm_placement._final_step: "
        "stream / fixed_norm), so it skips the centring; 'centred or not' rests on appendix A's centred arm (its "
        "interval includes 0, asserted in appendix A's check)",
    ),
    (
        "A",
        "## E ·",
        [
            "Annotated Transformer",
            "`x.std(-1) + eps`",
            "D - 1 by default",
            "inside the root",
            "exercise 3's check names both",
        ],
        "r26e minor 3: torch.std/var's default and the Annotated Transformer's (std + eps); r28 item D: said once, "
        "in the libraries' list (it repeated cell 84); r28b item 3: in appendix E's list",
    ),
    (
        "A",
        "## E ·",
        ["`attn_mask` since 1.0.16", "`is_causal` since 1.0.26"],
        "r26e minor 1: the quoted timm line leaves out its attention-mask arguments (git log -S in the timm mirror); "
        "r28 item D: the versions in appendix E",
    ),
    ("L", "## 7 ·", ["`model.eval()` makes both the identity"], "r26e minor 2: said after the cell that shows it"),
    (
        "A",
        "## E ·",
        ["Annotated Transformer", "`x + dropout(sublayer(norm(x)))`", "for code simplicity", "post-norm"],
        "r26e minor 3: the popular tutorial's norm placement differs from the paper it annotates",
    ),
    (
        "A",
        "## B ·",
        ["`init_weights_vit_timm`", "timm v1.0.28", "timm 0.3.2", "about ±100 std"],
        "r26a item 3: the std-0.02 init's versions and its cut",
    ),
    (
        "A",
        "(top)",
        ["Paired by seed", "post-norm's slope is higher than pre-norm's by\n+0.45 [+0.31, +0.60], on every seed"],
        "r26b item 4 (brief fix04b item 2): the paired slope difference, and only what it supports; r28b item 3 "
        "(review r28a minor 8): moved to the appendix, with the stacks both studies reuse",
    ),
    (
        "L",
        "## 6 ·",
        [
            "Xiong et al. (2020) found pre-norm trains without the learning-rate warm-up",
            "stored runs",
            "no warm-up",
            "in these runs the norms' place alone separated post-norm at chance (10.0 %)",
            "(10.0 %)",
            "68.4-78.8 %",
            "at lr\n1e-3 both train, with no consistent difference",
        ],
        "r26b item 2 (brief fix04b items 1, 5): the pay-off, its setting, where it holds, Xiong et al.'s warm-up",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["does not test whether the initial gradients measured in section 6 cause that failure"],
        "r26b item 2: the gradients-to-failure link is untested; r31 density: said once, here, not also in section "
        "6's limits",
    ),
    (
        "L",
        "## Summary",
        ["**In training**", "68.4-78.8 %", "63.9 % of its matrix-product FLOPs (ViT-B, N = 197)"],
        "r26b items 2 and 4 (brief fix04b items 1 and 2)",
    ),
    (
        "L",
        "## 5 ·",
        ["`Encoder`", "lesson 06 trains it"],
        "r26b: where the blocks become a whole model (brief fix04b item 5)",
    ),
    ("L", "## 7 ·", ["zeroes each entry of a tensor with probability `p`"], "r26b item 10 (brief fix04b item 5)"),
    (
        "A",
        "## N ·",
        ["Attention's nonlinearity lives in its weights $a_{ij}$", "bilinear scores", "a lone token's weight is 1"],
        "r26c M1: attention's nonlinearity is in its weights, not 'the softmax' alone",
    ),
    (
        "L",
        "## 2 ·",
        ["Gates at or below one half are not silent"],
        "r26c minor 4: the takeaway cell 29's check asserts, said after the output; r28: defined before it prints, "
        "its numbers in the printed line (below); r28c item 3 (review r28b minor 7): "
        "the extra name 'at most half open' dropped, one grouping",
    ),
    (
        "L",
        "## 6 ·",
        [
            "the final LayerNorm divides pre-norm's stream, section 5's growing sum, by its spread",
            "keeps the fall ([appendix a]",
        ],
        "r26c minor 1: why pre-norm's last gradient falls, pointing at appendix A (r30 decision, review r30a minor 7: "
        "'measures the growth' cut, the map names the stream's growth)",
    ),
    (
        "L",
        "## 6 ·",
        ["6a's Xavier blocks and a zero head", "A warm-up did not rescue\npost-norm at 5e-3"],
        "r26c M2: the stored warm-up arms do not rescue post-norm (r30: the verdict kept in section 6, its numbers "
        "moved to appendix F, next row)",
    ),
    (
        "A",
        "## F ·",
        [
            "Warm-up (50 or 150 steps) leaves post-norm at or near chance\n(10.0-17.0 %) at 5e-3 on every seed",
            "no consistent gain at 1e-3",
        ],
        "r26c M2: the stored warm-up arms do not rescue post-norm; r28 item D: the 10-17 % range in the printed lines; "
        "r28d item 3 (review r28c minor 1): 'at or near chance (10.0-17.0 %)', one seed reached 17.0 %; r29 density: "
        "moved to appendix F (r30 item 1, review r29d minor 9: the warm-up rows and their sentence)",
    ),
    ("L", "## Summary", ["did not rescue post-norm at 5e-3"], "r26c M2"),
    (
        "L",
        "## 6 ·",
        [
            "by its spread σ, each token's standard deviation",
            "Measured by σ, the stream grows by about the same amount per block over 2-16 blocks",
        ],
        "r27b minor 1: the stream's growth, as printed; r27c M1: the divisor is the spread, about the norm / sqrt(D); "
        "r28 item D: the numbers in the printed lines (pinned above), not restated; r32 MAJOR (review r32b MAJOR 1): "
        "sigma is 1.33, 1.66, 2.38, 3.62 at L = 2-16, a line fits within 0.05, the best power law (L^0.49) only "
        "within 0.16: 'about as sqrt(L)' replaced by the same amount per block (bounded to 2-16; appendix A's "
        "16-128 runs keep sqrt(L)'s wording), and the endpoint sqrt(L) check by gradient x sigma",
    ),
    (
        "L",
        "## 6 ·",
        ["[appendix A]", "Appendix F's stored runs"],
        "r27c minor 3: 6a's siblings named; r27d minor 3: by their appendices, the undefined 6b/6c labels dropped",
    ),
    (
        "L",
        "## What this lesson does not show",
        ["**Section 6**: **A** the stream's growth, the final-step ablation and its depth widget"],
        "r27c minor 7: the stream widget, pointed to after 6a; r30 decision (review r30a minor 7): in the map only",
    ),
    (
        "L",
        "## 0 ·",
        ["lesson 01's map of ViT-B/16"],
        "r27c minor 5: N defined once (r28b: the map's N in its caption, PRINTED)",
    ),
    ("L", "## 2 ·", ["D_mlp = 128: ratio 2, not ViT-B's 4"], "r27c minor 4: the trained model's own MLP ratio"),
    (
        "A",
        "## E ·",
        [
            "PyTorch's `nn.TransformerEncoderLayer` (torch 2.13.0) computes the same block in `eval()`",
            'nhead=heads, dim_feedforward=mlp_dim, activation="gelu", layer_norm_eps=1e-6, norm_first=True, '
            "batch_first=True)`",
            "the block's weights copied (its `dim_feedforward` defaults to 2048)",
            "the trap: `batch_first` defaults to False, which expects `(N, B, D)`",
            "input is then attended over B, silently",
            "`dropout=0.0` makes `train()` match too (the gaps are printed below",
            "`norm_first=False` gives exercise 5's post-norm block",
        ],
        "r27c item 4: PyTorch's own block, pointed to from the main path; r27d M1: with the arguments it needs; "
        "r27e M1: dropout only matters in train(), batch_first is the input's layout; r28 item 2 (r27f minor 3): "
        "said once, in the libraries' list; r29n item 1 (review r29a minor 7): split into the equivalent "
        "configuration and the trap; r31 density (review r30c minor 8): moved to appendix E, the lesson's list keeps "
        "one line per difference",
    ),
    (
        "A",
        "## O ·",
        [
            "`timm/layers/drop.py` line 168",
            "`if drop_prob == 0. or not training: return x`",
            "the first line of exercise 6's answer",
        ],
        "r27c minor 1: DropPath's eval behaviour cited, not emulated; r28m item 1 (review r28d minor 7): the version "
        "and line moved to appendix O",
    ),
    (
        "L",
        "## 7 ·",
        ["(DropPath: exercise 6; timm's code: appendix O)", "each before the residual add:"],
        "r28m items 1 and 5 (review r28d minors 7, 8): the pointer left in section 7; DropPath's place in the block",
    ),
    (
        "L",
        "## Exercises",
        [
            "before the\nresidual add",
            "`x = x + drop_path(attn(norm1(x)), p, self.training)`",
            "`p = linspace(0, rate, depth)[ℓ]`",
        ],
        "r28m item 5 (review r28d minor 8): DropPath inside a block, one line (timm v1.0.28's Block, lines 212-213)",
    ),
    (
        "S",
        "(top)",
        ["**DropPath in a block.**"],
        "r28m item 5 (review r28d minor 8): the solutions put the answer into a block",
    ),
    (
        "L",
        "## 6 ·",
        [
            "**6b · What makes the fall?**",
            "At lr 5e-3, no warm-up, in these runs",
        ],
        "r28m item 1 (review r28d minor 6): cells 51, 54 and 57 split into measured / why / limits; r31 items 2-3 "
        "(review r30c minors 3, 5): 'Why' is 6b's heading, 'detached' defined in plain sentences, post-norm's limit "
        "in Answer 6a; r32 (review r31c minors 1, 8): what 'detached' means is the table's 'σ, as a constant' row "
        "(PRINTED), 10 seeds leave post-norm no wide limit, the Limits caveat under 'What this lesson does not show'",
    ),
    (
        "L",
        "## 1 ·",
        ["Middle: exact − tanh, in units of $10^{-4}$ (at most 4.7e-4, at |x| = 2.7)"],
        "r28m item 4 (review r28d minor 4): the middle panel's units said (printed: 0.000473 at ±2.70)",
    ),
    (
        "L",
        "## 2 ·",
        [
            "neither says which block's MLP matters",
        ],
        "r28m items 4 and Z (review r28d minors 2, 10, 11): gate bands; the knockout removes all 4 MLPs at once; the "
        "ratio varies (ViT-22B, the review's example, keeps 4: 6144 -> 24576), and the shares grow with it (checked; "
        "r31 density: moved to appendix D, next row)",
    ),
    (
        "A",
        "## H ·",
        ["each gate band's share"],
        "r28m item 4 (review r28d minor 2): gate bands; r31 density: moved to appendix H (r32z item 3, review r32b "
        "minor 2: section 2 keeps the picture and two sentences, the share statistic goes with its bands)",
    ),
    (
        "A",
        "## D ·",
        ["the\nMNIST ViT uses 2", "the MLP's shares of parameters and arithmetic grow with it", "(512 -> 2048)"],
        "r28m Z (review r28d minor 11); r31 density (review r30c minor 6): the 4x width's history moved from section 2",
    ),
    ("A", "## E ·", ["`nn.TransformerEncoderLayer`", "`norm_first=False`", "exercise 5"], "r27c item 4"),
    (
        "L",
        "## 2 ·",
        ["Gates at or below one half are not silent, for this token"],
        "r27b minor 3: one token (r30 decision, review r30a minor 7: appendix H in the map only)",
    ),
    ("A", "## C ·", ["SiLU (Swish with $\\beta = 1$)"], "r27b minor 5; r28 item D: moved to C"),
    (
        "A",
        "## E ·",
        ["the `_ops` field of `ViT_B_16_Weights.IMAGENET1K_V1`", "`torchvision/models/vision_transformer.py`"],
        "r27b minor 6: torchvision's count carries its source; r28 item 5 (r27f minor 10): cited where read, the "
        "unchecked version clause dropped",
    ),
    ("A", "## E ·", ["differs from `nn.LayerNorm` twice"], "r27b minor 4; r28 item D: moved"),
    (
        "A",
        "## C ·",
        ["PyTorch's default init, lesson 01's init, not section 6's Xavier"],
        "r27b minor 7: why three inits; r27c: said where the gate arms now live (appendix C)",
    ),
    (
        "L",
        "## Where the libraries differ",
        ["at commit 143bd26"],
        "r27b minor 6 and 4",
    ),
    (
        "A",
        "## E ·",
        ["torchvision is not installed here", "exercise 3's check names both"],
        "r27b minor 6 and 4; r28b item 3 (review r28a minor 10): moved to appendix E's list",
    ),
]

FORBIDDEN = [
    ("Replace σ by the constant 1.33", "q04 (audit a34a item 1): the fixed arm replaces the whole final LayerNorm"),
    ("Later models keep pre-norm", "r32y item 1 (review r32a M1): Swin V2 moves the norm to the branch output"),
    ("Later models** keep pre-norm", "r32y item 1 (review r32a M1): Swin V2 moves the norm to the branch output"),
    ("slim its parts", "r31u item 2 (review r31a minor 2): SwiGLU adds a third matrix"),
    ("ViT and its descendants use LayerNorm", "r31u item 2 (review r31a minor 1): LeViT is a descendant"),
    ("Softmax and LayerNorm act on whole tokens", "r31u item 2 (review r31a minor 3): softmax acts on a row of scores"),
    ("Timm's std-0.02 init changes the slope", "r31u item 1 (review r31a M1): a reversal at D = 64, said with numbers"),
    ("**In short: at initialisation pre-norm", "r31u item 1 (review r31a M1): the box is scoped to the Xavier init"),
    ("runs A to O in its own order", "r30b item 5 (review r30b minor 8): no apology for the appendix's letters"),
    ("its gradient carries about γ/σ", "r30b item 2 (review r30b minor 4): gamma/sigma is the Jacobian's factor"),
    ("GELU is nearly flat", "r30b item 4 (review r30b minor 6): the band reaches z = 0, where the slope is 0.5"),
    ("matches the MLP at N = 3,072 = 4D,", "r29n item 3 (review r29a minor 3): the crossover is N = D_mlp in general"),
    ("the two lower classes", "r28m item 4 (review r28d minor 2): gate bands, not classes"),
    ("each class's share", "r28m item 4 (review r28d minor 2): gate bands, not classes"),
    ("their difference ($10^{-4}$)", "r28m item 4 (review r28d minor 4): the units said"),
    ("(the ViT release's init)", "r28d item 1 (review r28c M1): the release zero-inits its head, _random_stack not"),
    ("decides training", "r28c item 4 (review r28b minor 10): 3 seeds, one lr, 300 steps: 'separated', in these runs"),
    ("moved from the lesson", "r28b item 4 (review r28a minor 7): editorial history means nothing to a learner"),
    ("moved from section", "r28b item 4 (review r28a minor 7): editorial history means nothing to a learner"),
    ("moved here", "r28b item 4 (review r28a minor 7): editorial history means nothing to a learner"),
    ("Closed gates are not silent", "r28b item 5 (review r28a minor 5): a gate of 0.45 is not closed"),
    ("Paired by seed, post-norm's slope is higher by\n+0.45", "r28b item 3: the paired gap is in appendix A's top"),
    ("PyTorch's layer equals it only as", "r27e M1: dropout is off in eval(); batch_first is the input's layout"),
    ("matches it only with `dropout=0.0", "r27e M1: dropout is off in eval(); batch_first is the input's layout"),
    ("`batch_first=False`, give another block", "r27e M1: dropout and batch_first do not change the block computed"),
    ("section 6's post-norm with `False`", "r27e minor 4: `False` of what? norm_first=False named"),
    ("6.2 times 0.02", "r27e minor 1: sqrt(1/64) / 0.02 is 6.25"),
    ("(6.2 x 0.02)", "r27e minor 1: sqrt(1/64) / 0.02 is 6.25"),
    ("6b's final-step ablation", "r27e M2: the lesson has no 6b label"),
    ("6c's training runs", "r27e M2: the lesson has no 6c label"),
    ("the 101 units gated at or below one half", "r27e minor 3: 'closed' defined before it is used"),
    ("is this block with `norm_first=True`", "r27d M1: true only with four non-default arguments"),
    ("matches it with `norm_first=True`", "r27d M1: true only with four non-default arguments"),
    ("(6b, 6c: appendices A, F)", "r27d minor 3: 6b and 6c were never defined on the main path"),
    ("exercise 6's begin", "r27d minor 5: not English"),
    ("for name, values, digits in", "r27d minor 1: the loop overwrote the MNIST digits"),
    ("by_formula = {", "r27d minor 1: the parameter table overwrote the attention tensor by_formula"),
    (
        "(the stream's RMS token norm: 11 at L = 2",
        "r27c M1: the LayerNorm divides by the spread, about the norm / sqrt(D)",
    ),
    ("DropPath 0 of 4 samples", "r27c minor 1: DropPath's eval behaviour was emulated by construction, not measured"),
    ('["DropPath"] if dropout.training else 1', "r27c minor 1: the emulated DropPath mask"),
    ("10.24 / 11.35", "r27c minor 8: a pasted constant in a check; the printed shares instead"),
    ("a small one at 384", "r27b minor 2: -0.044 and -0.049 are equal to 0.005; only the interval widths differ"),
    ("makes two other slips", "r27b minor 4: D - 1 and eps outside the root are differences from nn.LayerNorm"),
    ("section 4's two slips", "r27b minor 4"),
    ("SiLU, or Swish,", "r27b minor 5: SiLU is Swish with beta = 1"),
    ("at D = 768, half Xavier's", "r26e M1: Xavier compared at the same width, 'about half'"),
    ("about half the Xavier stack's", "r26e M1: the Xavier stack is D = 64; the comparison is at D = 768"),
    ("errors of order 0.1", "r26e minor 11: bug b's error on torch.randn is 0.22"),
    ("The fall is this Xavier stack's", "r26d_04 MAJOR 1: timm's init still falls at D = 768 (L^-0.243), about half"),
    ("The fall is the Xavier stack's", "r26d_04 MAJOR 1: not the Xavier stack's alone"),
    ("it is small at D = 64", "r26d_04 MAJOR 1: at D = 64 its interval holds 0: no detectable fall"),
    ("Attention's one nonlinearity", "r26c M1: attention without the softmax is already bilinear/cubic in X"),
    ("(torchvision's count)", "r25b item 5: torchvision's 17.56 is multiply-adds, not the 35.1 G FLOPs"),
    ("finds no detectable fall at D = 64", "r25b item 1: implied a wider model would show the fall"),
    ("there is no detectable fall at D = 64", "r25b item 1: implied a wider model would show the fall"),
    ("LayerNorm cannot either", "r25b item 8: LayerNorm is nonlinear, through one scalar per token"),
    ("at 128 blocks the norm is 98.9", "r25b item 3: stated in the lesson but printed only in appendix A"),
    ("not as $\\sqrt{L}$", "r25a item 1: over 2-16 blocks sqrt(L) fits as well as the line"),
    ("not as √L", "r25a item 1: over 2-16 blocks sqrt(L) fits as well as the line"),
    ("grows about linearly", "r25a item 1: ||x_L||^2 ~ L^0.96 [0.83, 1.10]; 98.9 against the line's 177.9 at L = 128"),
    ("The norm grows linearly", "r25a item 1: the appendix's fits do not single out a line"),
    ("Why the stream grows linearly", "r25a item 1: the appendix's fits do not single out a line"),
    ("because later pre-norm blocks add", "r25a item 3b: Liu et al.'s explanation, not a finding tested there"),
    ("ViT's own init", "r25d item 1: std 0.02 is timm's and DeiT's init, the ViT release's kernels are xavier_uniform"),
    ("ViT's own initialisation (std", "r25d item 1: std 0.02 is not the ViT authors' init"),
    ("post-norm's shows no consistent direction.", "r25a item 4: the plotted mean drifts down (mean ratio 0.80)"),
    ("## Recap", "fix_17b::test_block_class_near_the_top_of_section_five"),
    ("a look at the mechanism", "fix_17b::test_gate_count_claims_no_selectivity"),
    ("fit by hand", "fix_17b::test_section_six_short_with_statistics_folded"),
    ("A warm-up delays post-norm's collapse", "fix_17e::test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat"),
    (
        "so a block nudges the token rather than replacing it",
        "fix_18b::test_median_ratios_by_block_printed_and_the_prose_says_where_the_nudge_holds",
    ),
    ("hide-input", "fix_18d::test_answer_one_follows_its_intervals_and_states_the_papers_argument"),
    ("all but switches it off", "fix_19b::test_one_token_gates_in_three_classes_with_their_share_of_gelu"),
    (
        "only step that transforms one token's features nonlinearly",
        "fix_19c::test_mlp_is_the_only_step_that_can_gate_single_features",
    ),
    (
        "transforms each token's features nonlinearly",
        "fix_19c::test_mlp_is_the_only_step_that_can_gate_single_features",
    ),
    ("near zero", "fix_19c::test_summary_slopes_with_intervals_and_its_pointers"),
    ("**The answer.**", "fix_19d::test_section_six_opens_with_its_question_then_bounds_and_questions"),
    ("from 1 at the first block to 0.5 at the last", "fix_19d::test_drop_path_schedule_is_huangs_linear_decay_shifted"),
    ("about 8.2 + 1.33 L", "fix_20a::test_fixed_norm_three_decimals_and_no_coincidence_note"),
    ("<details><summary>Why the match with $-0.5$", "fix_20a::test_fixed_norm_three_decimals_and_no_coincidence_note"),
    ("part 2 tests", "fix_20a::test_section_six_sentences_match_their_cells"),
    ("The fall matches $L^{-0.5}$", "fix_20c::test_coincidence_of_the_range_next_to_the_widget_and_in_the_guide"),
    ("<details><summary>The model and the runs near chance", "fix_20c::test_part_three_details_moved_to_appendix_f"),
    ("Fisher's p and the shared seeds", "fix_20c::test_part_three_details_moved_to_appendix_f"),
    ("20 % faster inference", "fix_20c::test_items_five_to_eight_wording"),
    ("GELU follows BERT", "fix_20c::test_items_five_to_eight_wording"),
    ("(with other tokens", "fix_20e::test_gate_argument_split_shapes_first_and_silu_named"),
    ("Before the shapes", "fix_20e::test_gate_argument_split_shapes_first_and_silu_named"),
    (
        "the squared norm grows about linearly ($L^{1.16}$",
        "fix_21c::test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it",
    ),
    (
        "is a coincidence of the range",
        "fix_21c::test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it",
    ),
    (
        "only happens to fall",
        "fix_21c::test_appendix_no_longer_calls_the_match_a_coincidence_nor_the_band_met_below_it",
    ),
    ("changes no prediction", "fix_21c::test_summary_points_to_appendix_c_without_unprinted_numbers"),
    ("device: Each", "fix_21c::test_section_zero_sentence_split_and_no_stray_capital"),
    ("lesson 01's N + 1", "fix_21c::test_section_zero_sentence_split_and_no_stray_capital"),
    ("faster than affine", "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said"),
    ("as Xiong et al. assume", "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said"),
    ("as the lemma has it", "fix_21f::test_lemma_2_band_slopes_and_increments_printed_asserted_and_said"),
    ("gives post-norm none", "fix_21f::test_6c_parenthesis_is_a_sentence_and_6a_names_the_probe"),
    ("normalises the sum after each block", "fix_21i::test_summary_post_norm_after_each_residual_addition"),
    ("just holds 0", "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them"),
    ("quadratic", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("matching 6a", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("$L^{-0.47}$ [-0.62, -0.32] against\n", "fix_22a::test_one_interval_for_the_slope"),
    ("[0.86, 1.07]", "fix_22a::test_one_interval_for_the_slope"),
    ("[+0.86, +1.07]", "fix_22a::test_one_interval_for_the_slope"),
    ("N patches", "fix_22a::test_n_defined_once_and_dropout_placed"),
    ("N counts", "fix_22a::test_n_defined_once_and_dropout_placed"),
    ("post-norm's does not", "fix_22c::test_summary_says_no_detectable_trend_for_post_norm"),
    ("\\sigma(x)", "fix_22f::test_sigmoid_is_not_sigma_and_stale_comments_gone"),
    ("<details> block's final accuracies", "fix_22f::test_sigmoid_is_not_sigma_and_stale_comments_gone"),
    ("Answer 3's curves", "fix_22f::test_sigmoid_is_not_sigma_and_stale_comments_gone"),
    ("loose tolerance", "fix_22i::test_cell_50_torch_randn_row_and_the_knockout_model"),
    ("(each interval is above 0)", "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    ("[-0.18, -0.03]", "fix_24b::test_appendix_b_is_per_seed_and_its_sentence_softened"),
    ("identity path", "fix_24d::test_summary_bullet_says_what_the_picture_shows"),
    ("the appendix checks both", "fix_24d::test_section_6_and_summary_quote_no_intervals_one_pointer_per_part"),
    ("every interval above 0", "fix_24f::test_6c_and_summary_quote_the_interval_lower_ends"),
    ("the figure's N: patches only", "fix_24f::test_section_0_separates_the_figure_patches_from_n"),
    ("law is Xavier's", "fix_p::test_no_law_claim_left"),
    ("Xavier's matches", "fix_p::test_no_law_claim_left"),
    ("Take-away", "fix_q2::test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix"),
    ("250", "fix_q2::test_relu_runs_on_all_digits"),
    ("6d", "fix_w::test_section_six_probe_first_then_picture_statistics_folded_questions_numbered"),
    ("1. How", "fix_w::test_section_six_probe_first_then_picture_statistics_folded_questions_numbered"),
    ("exp(-x^2 / 2) / sqrt(2 pi)", "fix_w::test_checker_messages_point_to_sections"),
    ("scale by weight first", "fix_w::test_checker_messages_point_to_sections"),
    ("growth per block", "fix_x::test_the_divisor_and_the_fixed_constant_printed_side_by_side"),
    ("different quantities", "fix_x::test_the_divisor_and_the_fixed_constant_printed_side_by_side"),
    ("(N tokens: appendix N)", "r26b item 6: read as 'N tokens'; the aside names attention on many tokens"),
    ("a random fraction `p`", "r26b item 10: each entry is zeroed with probability p; the fraction varies"),
]

FORBIDDEN_IN = [
    ("8 x 16 random tokens", "L", "## 6 ·", "markdown", "r27d minor 3: written as (B, N) = (8, 16)"),
    ("[-0.104, +0.017]", "L", "## Summary", "text", "r26c minor 3: the Summary's init bullet carries one interval"),
    (
        "[-0.104, +0.017]",
        "L",
        "## 6 ·",
        "markdown",
        "r26c minor 3: Answer 6a in words; r26e M1: the triples printed below it (brief fix04d item 1)",
    ),
    (
        "[-0.079, -0.019]",
        "L",
        "## 6 ·",
        "markdown",
        "r26c minor 3: Answer 6a in words; r26e M1: the triples printed below it (brief fix04d item 1)",
    ),
    ("McNemar", "A", "cell", "swap = stored_mlp_knockout()", "fix_17b::test_relu_swap_and_trained_seeds_printed"),
    (
        "split(",
        "A",
        "cell",
        'print("slope of the gradient against depth',
        "fix_17f::test_depth_slopes_printed_from_data_and_nits",
    ),
    ("Fisher", "L", None, "printed", "fix_18a::test_section_six_shows_the_table_and_folds_the_statistics"),
    (
        "final_norm_ablation(",
        "A",
        "cell",
        "def arm_gradients(",
        "fix_18b::test_the_ablation_is_split_into_arms_run_and_plot_with_its_loop_visible",
    ),
    ("ReLU", "L", "## Summary", "text", "fix_19b::test_relu_swap_called_a_perturbation_next_to_its_summary_line"),
    ("ReLU changes", "L", "## Summary", "text", "fix_19c::test_summary_slopes_with_intervals_and_its_pointers"),
    ("coincidence", "L", None, "text", "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound"),
    ("coincidence", "S", None, "text", "fix_19d::test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound"),
    (
        "delayed post-norm's collapse",
        "L",
        None,
        "text",
        "fix_19d::test_warm_up_result_in_answer_three_after_the_curves_with_a_check",
    ),
    (
        "delayed post-norm's collapse",
        "S",
        None,
        "text",
        "fix_19d::test_warm_up_result_in_answer_three_after_the_curves_with_a_check",
    ),
    (
        "FIXED_NORM",
        "A",
        "cell",
        "**Two fits of the same four depths**",
        "fix_20a::test_coincidence_block_moved_to_appendix_a_with_a_pointer",
    ),
    ("final validation accuracy", "L", None, "text", "fix_20c::test_part_three_details_moved_to_appendix_f"),
    ("final validation accuracy", "S", None, "text", "fix_20c::test_part_three_details_moved_to_appendix_f"),
    ("20% faster", "L", None, "text", "fix_20e::test_gate_argument_split_shapes_first_and_silu_named"),
    ("20% faster", "S", None, "text", "fix_20e::test_gate_argument_split_shapes_first_and_silu_named"),
    ("| arm |", "L", None, "text", "fix_21a::test_the_arms_are_defined_in_a_table_before_the_plot"),
    ("| arm |", "S", None, "text", "fix_21a::test_the_arms_are_defined_in_a_table_before_the_plot"),
    (
        "(nor",
        "A",
        "cell",
        "**6b's other arms, answered.**",
        "fix_21a::test_the_arms_are_defined_in_a_table_before_the_plot",
    ),
    ("Welch", "L", None, "text", "fix_21a::test_moved_controls_live_in_the_appendix_with_their_checks"),
    ("Welch", "S", None, "text", "fix_21a::test_moved_controls_live_in_the_appendix_with_their_checks"),
    ("about one point", "L", None, "text", "fix_21c::test_summary_points_to_appendix_c_without_unprinted_numbers"),
    ("about one point", "S", None, "text", "fix_21c::test_summary_points_to_appendix_c_without_unprinted_numbers"),
    ("1.16", "L", None, "markdown", "fix_21f::test_deeper_numbers_moved_to_appendix_a_one_sentence_left"),
    ("-0.62", "L", None, "markdown", "fix_21f::test_deeper_numbers_moved_to_appendix_a_one_sentence_left"),
    ("[-0.004, +0.165]", "L", None, "text", "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them"),
    ("[-0.004, +0.165]", "S", None, "text", "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them"),
    (
        "[-0.62, -0.32]",
        "L",
        None,
        "markdown",
        "fix_21i::test_ablation_prints_per_seed_intervals_and_answer_quotes_them",
    ),
    ("33, 45, 62", "L", None, "text", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("33, 45, 62", "S", None, "text", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("0.72", "L", None, "text", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("0.72", "S", None, "text", "fix_21i::test_stream_per_seed_slope_lemma_2_formula_intercept_and_band"),
    ("<details>", "L", "## 6 ·", "text", "fix_21i::test_section_six_shorter"),
    ("following OpenAI GPT", "L", None, "text", "fix_21i::test_bert_quote_moved_to_appendix_c"),
    ("following OpenAI GPT", "S", None, "text", "fix_21i::test_bert_quote_moved_to_appendix_c"),
    ("[-0.56, -0.38]", "L", None, "text", "fix_22a::test_one_interval_for_the_slope"),
    ("[-0.56, -0.38]", "S", None, "text", "fix_22a::test_one_interval_for_the_slope"),
    ("[-0.15, +0.12]", "L", None, "text", "fix_22a::test_one_interval_for_the_slope"),
    ("[-0.15, +0.12]", "S", None, "text", "fix_22a::test_one_interval_for_the_slope"),
    ("N = 197", "L", "## 0 ·", "text", "fix_22a::test_n_defined_once_and_dropout_placed"),
    (
        "appendix C",
        "L",
        "## Summary",
        "text",
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "appendix A",
        "L",
        "## Summary",
        "text",
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "appendix F",
        "L",
        "## Summary",
        "text",
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "Lemma 2",
        "L",
        "## Summary",
        "text",
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    (
        "affine",
        "L",
        "## Summary",
        "text",
        "fix_22a::test_summary_reads_without_appendix_letters_and_names_later_blocks",
    ),
    ("22 of 1,000 predictions changed", "L", None, "text", "fix_22c::test_summary_recalls_no_unprinted_relu_number"),
    ("22 of 1,000 predictions changed", "S", None, "text", "fix_22c::test_summary_recalls_no_unprinted_relu_number"),
    ("22 of", "L", "## Summary", "text", "fix_22c::test_summary_recalls_no_unprinted_relu_number"),
    ("delayed the collapse", "L", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("delayed the collapse", "S", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("delayed", "L", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("delayed", "S", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("did not prevent", "L", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("did not prevent", "S", None, "text", "fix_22c::test_warm_up_reading_matches_the_stored_curves"),
    ("holds 0", "L", None, "text", "fix_24b::test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated"),
    ("|---|", "L", None, "text", "fix_24d::test_6b_one_sentence_per_arm_no_table"),
    ("|---|", "S", None, "text", "fix_24d::test_6b_one_sentence_per_arm_no_table"),
    (
        "appendix",
        "L",
        "## Summary",
        "text",
        "fix_24d::test_section_6_and_summary_quote_no_intervals_one_pointer_per_part",
    ),
    (
        "appendix B finds",
        "L",
        "cell",
        ANSWER_6A,
        "fix_24f::test_6a_setup_states_the_std_002_caveat_before_the_result",
    ),
    (
        "timm",
        "L",
        "## 6 ·",
        "printed",
        "fix_q2::test_section_6_opens_with_the_answer_and_the_variants_are_in_the_appendix; r25d item 1 names "
        "timm's init in the prose, its runs stay in appendix B",
    ),
    ("67 of 128", "L", None, "text", "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix"),
    ("67 of 128", "S", None, "text", "fix_v::test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix"),
    ("stream_explorer", "A", "cell", "def stream_norms(", "fix_w::test_trained_stream_against_its_own_init"),
    ("T2TViT", "L", None, "text", "r26b item 5: an import the lesson never used"),
]


@pytest.mark.parametrize(("key", "section", "text", "checked", "origin"), PRINTED)
def test_printed_numbers_in_their_section(key, section, text, checked, origin) -> None:
    """A printed number (stored output) is where the section says; a hidden check follows the cell that prints it."""
    printed = _section(key, section)["printed"]
    assert text in printed or text in nb.flat(printed), (origin, section, text)
    if (
        checked
    ):  # the section's first cell that prints it (its whole output is in the section's) has a folded check next
        cells = CELLS[key]
        hits = [at for at in _printed_in(cells, text) if nb.printed(cells[at]) in printed]
        assert hits and nb.hidden(cells[hits[0] + 1]), (origin, text)


@pytest.mark.parametrize(("key", "section", "text", "hidden", "origin"), CODE)
def test_code_and_checks_live_in_their_section(key, section, text, hidden, origin) -> None:
    """A computation or a hidden check's assertion sits in the named section (hidden: a folded check cell)."""
    part = _section(key, section)
    where = part["hidden"] if hidden else _visible(key, section) + "\n" + part["md"]
    assert text in where or text in nb.flat(where), (origin, section, text, hidden)


@pytest.mark.parametrize(("key", "section", "facts", "origin"), PROSE)
def test_facts_stated_in_their_section(key, section, facts, origin) -> None:
    """The number(s), term(s) or verdict a sentence carried appear in that section's prose (case-insensitive)."""
    prose = _markdown(key, section).lower()
    for fact in facts:
        assert nb.flat(fact).lower() in prose, (origin, section, fact)


@pytest.mark.parametrize(("phrase", "origin"), FORBIDDEN)
def test_wrong_or_retired_statements_do_not_come_back(phrase, origin) -> None:
    """Negative pins: nowhere in the lesson, its appendix or the solutions (sources and printed outputs)."""
    for path in PATHS.values():
        assert phrase not in nb.all_text(path) and phrase not in nb.all_printed(path), (origin, path.name)
        assert phrase not in nb.flat(nb.all_text(path)), (origin, path.name)


@pytest.mark.parametrize(("phrase", "key", "where", "what", "origin"), FORBIDDEN_IN)
def test_statements_kept_out_of_their_scope(phrase, key, where, what, origin) -> None:
    """Negative pins with a scope: a notebook, a section, its markdown or printed output, or one labelled cell."""
    if where == "cell":
        cell = _cell(key, what)
        text = nb.source(cell) + "\n" + nb.printed(cell)
    else:
        if where is None:
            cells = CELLS[key]
            if what == "printed":
                text = "\n".join(nb.printed(c) for c in cells)
            elif what == "markdown":
                text = "\n".join(nb.source(c) for c in cells if c["cell_type"] == "markdown")
            else:
                text = "\n".join(nb.source(c) + "\n" + nb.printed(c) for c in cells)
        else:
            part = _section(key, where)
            text = {"printed": part["printed"], "markdown": part["md"]}.get(
                what, "\n".join((part["md"], part["code"], part["printed"]))
            )
    assert phrase not in text and phrase not in nb.flat(text), (origin, where)


# --- placement and order, by section heading ---------------------------------------------------------------------


def test_main_path_within_the_brief_targets() -> None:
    """The one cap: visible cells and markdown words of the lesson before its Summary."""
    main = nb.main_path(LESSON)
    assert len(main) <= MAIN_PATH_CELLS, len(main)
    assert nb.markdown_words(main) <= MAIN_PATH_WORDS, nb.markdown_words(main)


def test_lesson_sections_in_order_and_the_ending() -> None:
    """Sections 0-7, then the Summary, what the lesson does not show, the exercises, the libraries' list last (r35a:
    sections 5 and 7 open inside the cell that ends the section before, as in lessons 01 and 03; the main-path cap)."""
    heads = [
        _key(line)
        for c in nb.cells(LESSON)
        if c["cell_type"] == "markdown"
        for line in nb.source(c).splitlines()
        if line.startswith("## ")
    ]
    assert heads[:8] == [f"## {n} ·" for n in range(8)]
    assert heads[8:] == [
        "## Summary",
        "## What this lesson does not show",
        "## Exercises",
        "## Where the libraries differ",
    ]
    exercises = _subheadings("L", "## Exercises")
    assert [e.split(" ·")[0] for e in exercises] == [f"### Exercise {n}" for n in range(1, 7)]


def test_appendix_sections_in_order() -> None:
    heads = [_key(nb.source(c)) for c in nb.cells(APPENDIX) if nb.source(c).startswith("## ")]
    assert heads == [f"## {letter} ·" for letter in "ABCDEFGHIJKLMNO"] + ["## Summary"]
    summary = _markdown("A", "## Summary")
    assert "**L · One token through a block**" in summary and "**M · The parallel block**" in summary


def test_section_six_asks_6a_and_answers_it_the_follow_ups_in_the_appendix() -> None:
    """Section 6 keeps 6a: its question, one picture, its answer under it; 6b and 6c moved to appendix A and F
    (r26a item 1), each picture there followed (hidden checks aside) by its answer."""
    six = _section("L", "## 6 ·")
    section = "\n".join((six["md"], six["code"]))
    for label in ("**6a · ", ANSWER_6A):  # r32y item 5 (review r32a minor 9): the answer, not "Answer 6a"
        assert label in section, label
    for label in ("**6b · What makes the fall?**", "**6c · In training.**"):  # r31 item 2 (review r30c minor 3)
        assert label in section, label
    for label in ("**Answer 6b", "**Answer 6c"):
        assert label not in section, label
    # 6a's picture and the final-norm ablation's (r28m item 2, review r28d minor 1: saved under its own name)
    # r29p item 1 (review r29c minor 2): the stream-growth picture moved from appendix A to before "**Why**"
    assert _visible("L", "## 6 ·").count("save_figure(fig,") == 3
    # 6a's two, the stream's (r29p), training's (r33: the widget's moved to appendix A), the widget's (r33b item 1:
    # back in 6b)
    assert six["hidden"].count("# @title A check") == 5
    assert "**6b · " in _markdown("A", "## A ·") and "**Answer 6b" in _markdown("A", "## A ·")
    assert "**6c · " in _markdown("A", "## F ·") and "**Answer 6c.**" in _markdown("A", "## F ·")
    pictures = {
        ("L", "6a"): "plot_depth_gradients(",
        ("A", "6b"): "fig = plot_final_norm_ablation(",
        ("A", "6c"): 'save_figure(fig, "04_norm_training")',
    }
    for (key, number), marker in pictures.items():
        cells = CELLS[key]
        at = next(i for i, c in enumerate(cells) if marker in nb.source(c))
        below = next(c for c in cells[at + 1 :] if not nb.hidden(c))
        opening = ANSWER_6A if key == "L" else f"**Answer {number}"  # the appendix keeps its labels
        assert below["cell_type"] == "markdown" and nb.source(below).startswith(opening), number


def test_section_six_numbers_come_after_its_picture() -> None:
    """r26b item 3: 6a's setup states no interval (r28b: the paired difference moved to the appendix); the
    training runs are printed after it, before section 7. r28 item 2 (review r27f minor 4): the timm-init slopes
    moved to appendix B, after its own table, with one pointer left in section 6."""
    sources = nb.sources(LESSON)
    setup = nb.unique_index(sources, "**6a · The gradient against depth.**")
    picture = nb.unique_index(sources, "plot_depth_gradients(")
    answer = nb.unique_index(sources, ANSWER_6A)
    training = nb.unique_index(sources, 'stored_norm_training_runs()["runs"]')
    assert setup < picture < answer < training < nb.unique_index(sources, "## 7 · ")
    # r28b item 3 (review r28a minor 8): the paired slope gap left section 6 for the appendix's shared stacks
    assert (
        "+0.45 [+0.31, +0.60]" not in "\n".join(sources[setup:training])
        and "+0.45 [+0.31, +0.60]" in _section("A", "(top)")["md"]
    )
    for interval in ("$L^{-0.044}$", "$L^{-0.049}$", "$L^{-0.243}$"):
        assert interval not in "\n".join(sources[setup:training]), interval
        assert interval in _markdown("A", "## B ·"), interval
    assert "[appendix B]" in "\n".join(sources[answer:training])


def test_the_shapes_come_before_the_one_token_gates_picture() -> None:
    sources = nb.sources(LESSON)
    shapes = nb.unique_index(sources, "mlp = MLP(768, 3072)")
    picture = next(i for i, s in enumerate(sources) if "plot_one_token_gates(" in s)
    assert nb.unique_index(sources, "## 2 · The MLP") < shapes < picture


def test_the_block_identity_claim_comes_before_its_demonstration() -> None:
    sources = nb.sources(LESSON)
    claim = nb.unique_index(sources, "**The block is the identity plus two corrections.**")
    # r33b item 2: the equations, then the unrolled-stream picture, then the claim and its sum, then the demonstration
    assert "equations 2-3" in sources[claim - 2] and 'save_figure(fig, "04_unrolled_stream")' in sources[claim - 1]
    assert "silent = copy.deepcopy(block)" in sources[claim + 1]


def test_each_figure_is_saved_once() -> None:
    """A picture is shown once across the lesson and its appendix."""
    names = re.findall(r'save_figure\(fig, "([^"]+)"\)', nb.all_text(LESSON) + nb.all_text(APPENDIX))
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_each_picture_cell_has_its_picture_stored() -> None:
    for path in (LESSON, APPENDIX):
        for cell in nb.cells(path):
            if "save_figure(fig," in nb.source(cell):
                assert any("image/png" in o.get("data", {}) for o in cell["outputs"]), nb.source(cell)[:60]


def test_no_private_import_in_a_visible_lesson_cell() -> None:
    for cell in nb.cells(LESSON):
        if cell["cell_type"] == "code" and not nb.hidden(cell):
            assert "import _" not in nb.source(cell) and "_random_stack" not in nb.source(cell)


def test_gate_classes_are_not_called_off() -> None:
    """At Phi = 0.1 GELU is still -0.128: the gate paragraph of section 2 does not call a class "off"."""
    cell = _cell("L", "first_digit = digits.test_images[:1]")
    cells = CELLS["L"]
    prose = nb.flat(nb.source(cells[next(i for i, c in enumerate(cells) if c is cell) - 1]))
    assert not re.search(r"\boff\b", prose)


def test_block_class_is_shown_once_in_section_five() -> None:
    """fix_p: the package's Block class is printed once; r28 item 3 (review r27f minor 5): in the lesson's section 5,
    visible (the class the learner meets), no longer folded in appendix K."""
    shown = [c for c in CELLS["L"] if "print(inspect.getsource(Block))" in nb.source(c)]
    assert len(shown) == 1 and not nb.hidden(shown[0]) and "def forward" in nb.printed(shown[0])
    assert "print(inspect.getsource(Block))" in _visible("L", "## 5 ·")
    assert "inspect.getsource(Block)" not in nb.all_text(APPENDIX)


def test_probe_is_visible_code_in_appendix_a() -> None:
    probe = [c for c in CELLS["A"] if "def fc2_gradient(" in nb.source(c) and not nb.hidden(c)]
    assert len(probe) == 1 and "def fc2_gradient(" in _visible("A", "## A ·")
    for step in ("Block(", "xavier_init(", "block.norm1(x + block.attn(x))", "x + block.attn(block.norm1(x))"):
        assert step in nb.source(probe[0]), step


def test_exercises_follow_the_sections_in_lesson_solutions_and_teaching() -> None:
    order = ["gelu_slope", "block_macs", "layer_norm", "parallel_block", "post_norm_block", "drop_path"]
    for path in (LESSON, SOLUTIONS):
        calls = [m.group(1) for s in nb.sources(path) for m in re.finditer(r"lesson04\.check_(\w+)\(", s)]
        assert calls == order, path.name
    rows = [
        line.split("|")[2].strip()
        for line in (nb.ROOT / "TEACHING.md").read_text().splitlines()
        if line.startswith("| 04 |")
    ]
    assert [row.split()[-1] for row in rows][:3] == ["hand", "multiply-adds", "LayerNorm"]
    assert (
        rows[3].startswith("a parallel block") and rows[4].startswith("the post-norm block") and rows[5] == "DropPath"
    )


def test_exercises_name_their_section() -> None:
    numbers = {m.group(1) for s in nb.sources(LESSON) for m in re.finditer(r"^## (\d) · ", s, re.M)}
    for path in (LESSON, SOLUTIONS):
        exercises = [s for s in nb.sources(path) if s.startswith("### Exercise")]
        assert len(exercises) == 6
        for text in exercises:
            found = re.match(r"Practises section (\d)\b", text.split("\n\n")[1])
            assert found and found.group(1) in numbers, text[:60]


def test_no_visible_cell_before_the_exercises_gives_exercise_one_away() -> None:
    """r29o item 1 (review r29b M1): exercise 1 asks for GELU's derivative; no visible code cell before the exercises
    writes its closed form (exp(-z^2 / 2) and erf on one line): the lesson's slopes come from autograd."""
    cells = CELLS["L"]
    end = next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Exercises"))
    for cell in cells[:end]:
        if cell["cell_type"] == "code" and not nb.hidden(cell):
            for line in nb.source(cell).splitlines():
                assert not ("exp(-" in line and "erf" in line), line
    # r33 item 2 (review r33a M2): no hidden check before the exercises gives it either (slopes compared with autograd)
    for cell in cells[:end]:
        if cell["cell_type"] == "code":
            assert "exp(-" not in nb.source(cell) and "z phi" not in nb.source(cell), nb.source(cell)[:80]


def test_stream_growth_picture_before_the_why_and_drawn_once() -> None:
    """r29p item 1 (review r29c minor 2): the stream-growth picture sits in section 6 after 6a's answer; r32 (review
    r31c minor 5): it draws sigma, the one measure 6b uses, right after 6b names it; appendix A draws the squared norm
    against Lemma 2's band without saving it (figure once)."""
    sources = nb.sources(LESSON)
    answer = nb.unique_index(sources, ANSWER_6A)
    picture = nb.unique_index(sources, 'save_figure(fig, "04_stream_growth")')
    why = nb.unique_index(sources, "**6b · What makes the fall?**")
    assert answer <= why < picture
    assert "plot_stream_spread(spread" in sources[picture]
    assert "04_stream_growth" not in "\n".join(s for s in nb.sources(APPENDIX) if "save_figure(" in s)


def test_r34d_gate_picture_before_the_monte_carlo_and_the_task_before_the_widget() -> None:
    """r34d items 1 and 4: the gate still opens the Monte Carlo cell; the widget's task comes in the markdown cell
    right before the widget; section 6's visible cell calls backward_fixed. r35a item 1 (reviews r34f minor 1, r34e
    minor 1): the task and the widget come after the ablation that defines 'fixed' (its code and its verdict), and
    the gamma/sigma reason leads into the ablation ("Three arms change only the final step:", quick 35a item 4: the
    cell below prints three final-step arms; fix 35b items 2 and 3, review r35a minors 1 and 2: its picture and table
    draw the three arms under the LayerNorm, before backward_fixed's demo)."""
    sources = [nb.source(c) for c in CELLS["L"]]
    gate = nb.unique_index(sources, 'save_figure(fig, "04_gelu_gate")')
    assert sources[gate].index("04_gelu_gate") < sources[gate].index("gate_x = torch.tensor(")
    widget = nb.unique_index(sources, "stream_explorer = residual_stream_widget(")
    ablation = nb.unique_index(sources, "def backward_fixed(")
    assert "**Try it:**" in sources[widget - 1] and "So the growing divisor makes the fall." in sources[widget - 1]
    assert ablation < widget - 1 and "'fixed'" not in "".join(sources[:ablation])  # 'fixed' named after its arm
    reason = nb.unique_index(sources, "whose Jacobian is γ/σ")
    assert sources[reason].rstrip().endswith("Three arms change only the final step:") and reason + 1 == ablation
    assert 'names=("fixed", FIXED_BACKWARD, "detached_sigma")' in sources[ablation]  # the three arms it names
    assert "back on pre-norm, pick the final step 'fixed'" in sources[widget - 1]  # post-norm disables the toggle
    assert "by_step = backward_fixed(three" in sources[nb.unique_index(sources, "def backward_fixed(")]
    cell = CELLS["L"][ablation]
    assert sources[ablation].index("display(fig)") < sources[ablation].index("def backward_fixed(")  # picture first
    outputs = [o.get("output_type") for o in cell["outputs"]]
    assert outputs.index("display_data") < len(outputs) - 1 and "backward_fixed on one" in nb.flat(
        "".join(cell["outputs"][-1].get("text", ""))
    )  # the picture, the table, then the demo's line
    assert 'arms = {"layernorm": slope["pre-norm"], **step_slope}' in sources[ablation]  # four rows
