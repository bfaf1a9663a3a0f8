"""Run every benchmark and regenerate the README's performance table.

    .venv/bin/python benchmarks/run_all.py [--quick] [--readme-only]

Each benchmark runs in its own process and writes `benchmarks/results/<name>.md` (and plots);
this script then copies their tables into README.md between the `benchmarks:start` /
`benchmarks:end` markers (`--readme-only` does just that, from the stored results). About 12
minutes on 2 cores. `bench_deit.py` (several minutes per seed) runs on its own; its stored
table is copied too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from _common import RESULTS, ROOT

BENCHMARKS = ["bench_setup.py", "bench_attention.py", "bench_training.py", "bench_lessons.py"]
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


#: the lessons' own seed comparisons, stored by their scripts (too slow for run_all): one line each for the README
LESSON_COMPARISONS = """### The lessons' own comparisons over seeds

- `benchmarks/results/lesson06.md` (`benchmarks/bench_lesson06.py`, 2026-12-03, 2 cores, torch 2.13.0, a loaded
  machine; 8x8 digits, lesson 06's recipe, 10 seeds, test accuracy on 360 digits): at equal steps a smaller
  SmallCNN (6,218 parameters) leans ahead of the 1-block ViT (9,674 parameters), +1.9 points (paired t-interval
  [+0.8, +3.1]) and shows no detectable difference from the conv-stem ViT (+0.1, [-0.8, +0.9]); the conv stem (a 3x3
  convolution with BatchNorm and ReLU, so locality is not isolated) raises the ViT by +1.9 points ([+0.4, +3.3]; 95
  % intervals, uncorrected: with lesson 06's Bonferroni correction over the 20 comparisons its section 5 reads
  (99.75 %), only the width-32 CNN is ahead of the plain ViT at equal steps; the width-8
  CNN's lead and the conv stem's gain are leans); the soft split shows no detectable change. Each at its own
  validation-chosen learning rate (width-8 CNN 3e-2, ViT 1e-2; `own_rate`, 10 seeds, 2026-12-05), the width-8 CNN is
  ahead: +2.9 points, corrected for 20 comparisons [+0.8, +5.0]. At equal CPU seconds
  the width-8 CNN is ahead of the plain ViT, corrected for those 20 comparisons too (+2.6
  points, 99.75 % interval [+0.6, +4.7]), but that is indicative only:
  the time ratios the step counts rest on moved between timings (conv stem / ViT 0.96..1.47, CNN / ViT 0.43..0.71).
  The MNIST-5k run above, where the ViT's and the CNN's seed ranges touch (3 seeds, no interval; 0.84 to 1.10 times
  its errors over four runs, with a recipe tuned for the ViT), says the ordering depends on the data, the budget and
  the recipe.
- `benchmarks/results/lesson06.md`, sections `lr_fine`, `own_rate_fine`, `size_conv` and `input_scale_positions`
  (2026-12-05, 1 thread, a loaded machine; validation for the rates, the 360 test digits for the rest, read once,
  choosing nothing): the ViT at 5e-3 (its validation score a near-tie with 1e-2) leaves the width-8 CNN ahead, +3.0
  points, corrected for 20 comparisons [+1.7, +4.2], on 10 of 10 seeds; on 300/600/1,257 training digits the
  conv-stem ViT's lead over the plain ViT does not detectably grow as the data shrink (+1.9 points, corrected
  [-2.3, +6.1]) while the width-8 CNN's lead over the conv stem does (+4.5, [+2.5, +6.4]): one 3x3 convolution does
  not reproduce the CNN's gain on less data. `lesson06_mnist_fast.md` (`benchmarks/bench_lesson06_mnist_fast.py`):
  the `mnist-fast` preset (depth 2, 75,338 parameters), 10 epochs, seed 0: 92.8 % validation accuracy after 22 s of
  training; lesson 06's appendix C draws its curve and trains the first 3 epochs live beside it, dashed (all 10 with
  `TRAIN_HERE = True`).
- `benchmarks/results/lesson01_canvas_grid_confirm.md` (hypotheses written down before the runs;
  `benchmarks/bench_lesson01_canvas_grid.py 1` and `2`, 2026-12-05): on two new 8 x 8-grid canvas models, same-row
  position embeddings are more alike than unrelated ones on both seeds (+0.451 [+0.213, +0.690] and +0.479
  [+0.258, +0.692], 98.75 %); same-column ones on seed 1 only (+0.176 [+0.004, +0.387]; seed 2 +0.150 [-0.007,
  +0.334]).
- `benchmarks/results/t2t_stem.md` (`benchmarks/bench_t2t_stem.py`, 2026-12-03, loaded machine; 8x8 digits,
  equal steps, 5 seeds, validation accuracy): overlapping 4x4 windows (a soft split (4, 2, 1)) against
  disjoint 2x2 patches, both 16 tokens: +1.2 points on average, range -0.6..+2.2, 95 % t-interval [-0.1, +2.5]:
  no consistent difference.
- `benchmarks/results/t2t_stem_10_epochs.md` (`benchmarks/bench_t2t_stem.py --seeds 10 --epochs 10 --result
  t2t_stem_10_epochs`, 2026-12-03; the same comparison after 10 epochs, below the ceiling the full run sits at):
  soft split 86.3 % against patches 59.3 %, +27.1 points, 95 % t-interval [+17.1, +37.0], higher on every one of
  10 seeds: the overlapping windows learn faster at an equal, short budget.
- `benchmarks/results/lesson03_scale.md` (`benchmarks/bench_lesson03_scale.py`, seeds 0-2 on 2026-12-04, seeds 3-9
  added on 2026-12-05 with `--extend`, 1 thread, a loaded machine; the `digits` preset, 25 epochs, 10 seeds per
  width, 180 validation digits): the scores scaled by 1/sqrt(d) against unscaled, nothing else changed. At d = 64
  (1 head) the unscaled runs end 7.4 points less accurate (unscaled - scaled, 95 % t-interval [-10.4, -4.4]), with a
  higher validation loss on every seed; at d = 16 (4 heads) no detectable difference (+0.6 points [-0.9, +2.2]).
- `benchmarks/results/lesson07_scale_control.md` (`benchmarks/bench_lesson07_scale_control.py`, 2026-12-04, a
  loaded machine; upsampled digits, 10 epochs, 6 seeds, validation accuracy): lesson 07's no-overlap chain with T2T's
  token-attention scale instead of its own, one change: -0.1 points, 95 % t-interval [-1.2, +1.0], no detectable
  difference. `lesson07_masked_overlap.md` (T2T's windows with the overlap zeroed) is not a clean control (zeroing
  also changes what LayerNorm and qkv see): the lesson does not use it.
- `benchmarks/results/lesson09_relabel.md` (`benchmarks/bench_lesson09_relabel.py`, 2026-12-04, 1 thread, a loaded
  machine; 8 epochs, 3 seeds): a teacher that says 1 for every 7, the lesson's distillation otherwise unchanged: on
  the 50 unseen validation 7s the distillation head says 1 for 84-92 % of them and the class head for 6-14 %
  (exact McNemar p below 1e-10 on each seed). Short runs (the students reach about half of the validation digits);
  the control arm with the teacher unchanged (same seeds, epochs and recipe) is in the same file.
- `benchmarks/results/lesson09_soft_hard.md` (`benchmarks/bench_lesson09_soft_hard.py`, 2026-12-04, 1 thread, a
  loaded machine; 500 training digits, 12 epochs, 3 seeds): no teacher, hard and soft distillation all end near 26 %
  test accuracy, so the students are barely trained and the run says nothing about soft against hard in trained
  students: lesson 09 prints it as an attempt that cannot decide (its interval holds 0) and cites the paper's Table 3
  (single runs) for the comparison.
- `benchmarks/results/lesson01_shuffle.md` (`benchmarks/bench_lesson01_shuffle.py`, 2026-12-04): lesson 01's MNIST
  ViT on its 1,000 test digits with the 49 patches moved by one permutation, positions kept in place: 218 of 1,000
  right (97.4 % unshuffled); over ten permutations (seeds 0-9, 2026-12-05) 194 to 326.
  `lesson01_table_scale.md`: a larger position table on an untrained one-block model,
  seeds 0-9 (the change levels off past x 3).
- `benchmarks/results/lesson03_copy.md` (`benchmarks/bench_lesson03_copy.py`, 2026-12-04, 1 thread, 3 seeds): one
  attention head trained to copy the marked token's symbol puts 0.998 (seeds 0.997..0.999) of each query's weight on
  the marked key, against 0.126 at initialisation.
- `benchmarks/results/lesson04_mlp_knockout.md` (`benchmarks/bench_lesson04_mlp_knockout.py`, 2026-12-05): the
  MNIST ViT with every block's `mlp.fc2` zeroed: 43.0 % [40.0, 46.1] of the 1,000 test digits against 97.4 %
  [96.2, 98.2] intact (Wilson 95 % intervals; exact McNemar p = 1.5e-155); with each MLP branch mean-ablated
  (replaced by its mean over the training digits): 50.7 % [47.6, 53.8].
- Stored so that the lessons do not recompute them (each lesson re-checks a sample against the file):
  `lesson08_deletion.md` and `lesson08_cascade.md` (lesson 08's deletion curves and randomisation cascade)."""


def readme_section() -> str:
    parts = [
        "Measured by the scripts in `benchmarks/` (`benchmarks/run_all.py` runs them all); each table names its "
        "date and machine. Full tables: `benchmarks/results/`."
    ]
    for name in ("setup", "attention", "training", "deit", "lessons"):
        path = RESULTS / f"{name}.md"
        if not path.exists():
            continue
        text = path.read_text()
        body = text.split("\n", 2)[2] if text.count("\n") > 2 else text  # drop the title, keep date and machine
        body = re.sub(r"!\[([^\]]*)\]\(([^)/]+\.png)\)", r"![\1](benchmarks/results/\2)", body)
        body = re.sub(r"^#{2,3} ", "#### ", body, flags=re.MULTILINE)  # below the section's ### title
        title = text.splitlines()[0].lstrip("# ")
        parts.append(f"### {title}\n\n{body.strip()}")
    parts.append(LESSON_COMPARISONS)
    return "\n\n".join(parts)


def main() -> int:
    extra = ["--quick"] if "--quick" in sys.argv else []
    for script in [] if "--readme-only" in sys.argv else BENCHMARKS:
        start = time.perf_counter()
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *extra], cwd=ROOT / "benchmarks", check=True)
        print(f"== {script}: {time.perf_counter() - start:.0f} s", flush=True)
    readme = (ROOT / "README.md").read_text()
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    (ROOT / "README.md").write_text(f"{before}{START}\n{readme_section()}\n{END}{after}")
    print("README.md: performance section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
