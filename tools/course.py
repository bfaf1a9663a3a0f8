"""Build an nbgrader course folder from the lessons' exercises: one assignment per lesson.

    python tools/course.py build/course           # write build/course/{nbgrader_config.py,source/}
    python tools/course.py build/course 01 04     # only lessons 01 and 04

(`make course` runs the first form.) Then, in the course folder, `nbgrader generate_assignment
01_patches_and_embeddings` makes the student version (see TEACHING.md for the whole cycle).

An assignment is the lesson's set-up cell(s) plus its exercises, nothing else, so grading is fast:

- **answer cells** (nbgrader solution cells): each exercise's function, its signature and docstring
  taken from the solutions notebook, its body between ``### BEGIN SOLUTION`` / ``### END SOLUTION``.
  The release shows ``raise NotImplementedError("your code here")`` in its place, as the lesson does.
- **check cells** (autograded, ``POINTS`` each): the lesson's own check call (the same checker the
  learner uses), then a ``### BEGIN HIDDEN TESTS`` part the student never sees: the answer is run on
  other sizes (``HIDDEN_CASES``) and compared with the reference answer, while every alias of the
  package's or torch's own implementation the exercise forbids (``FORBIDDEN``) raises. A forbidden
  shortcut, even one caught and hidden in a ``try``, scores zero for that exercise.

Exercises are found by structure, not by position, so prose edits do not matter: a check cell is a
code cell that calls ``lessonNN.check_*(...)``; its exercise's stub is the nearest code cell before it,
which raises ``NotImplementedError("your code here")``; the reference answer is the code cell before
the same check call in ``notebooks/solutions/NN_*_solutions.ipynb``. Lessons are found by globbing
``notebooks/NN_*.ipynb``; a lesson without exercises gets no assignment.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STUB = 'raise NotImplementedError("your code here")'
POINTS = 1
COURSE_ID = "vit-explained"
CHECK_MODULE = re.compile(r"lesson\d\d")

#: hidden cases per exercise function: a Python expression for a list of argument tuples (other sizes
#: than the visible checker's). It is evaluated twice with the same seed (`torch`, `nn`, `F` and the
#: package's names below are in scope), once for the reference answer, once for the student's.
HIDDEN_CASES: dict[str, str] = {
    # 01
    "count_vit_tokens": "[(48, 80, 8, 16), (1000, 600, 20, 30), (9, 9, 3, 3), (64, 32, 32, 32)]",
    "my_patchify": "[(torch.randn(3, 2, 10, 6), (5, 3)), (torch.randn(1, 4, 4, 4), (4, 4)), "
    "(torch.randn(2, 3, 12, 20), (2, 4)), (torch.randn(3, 1, 8, 12), (4, 4))]",
    "my_interpolate_positions": "[(torch.randn(1, 1 + 3 * 5, 7), (3, 5), (6, 4)), "
    "(torch.randn(1, 1 + 4 * 4, 2), (4, 4), (7, 7)), "
    "(torch.randn(1, 1 + 6 * 2, 9, dtype=torch.float64), (6, 2), (3, 5))]",
    "build_z0": "[(torch.randn(2, 5, 3), torch.randn(1, 1, 3), torch.randn(1, 6, 3)), "
    "(torch.randn(1, 3, 7), torch.randn(1, 1, 7), torch.randn(1, 4, 7)), "
    "(torch.randn(5, 2, 4, dtype=torch.float64), torch.randn(1, 1, 4, dtype=torch.float64), "
    "torch.randn(1, 3, 4, dtype=torch.float64))]",
    "conv_to_linear": "[(torch.randn(7, 2, 3, 5),), (torch.randn(3, 4, 1, 2),), (torch.randn(2, 3, 6, 6),), "
    "(torch.randn(5, 1, 4, 2),)]",
    # 02
    "final_grid": "[(13, 29, [(5, 3, 2)]), (100, 7, [(7, 7, 0)]), (400, 100, [(7, 4, 2), (3, 2, 1), (3, 2, 1)]), "
    "(64, 48, [(3, 2, 1), (3, 2, 1), (2, 1, 0), (3, 1, 1)]), (31, 30, [(4, 3, 3), (3, 2, 0)])]",
    "my_soft_split": "[(torch.randn(2, 3, 9, 13), 3, 2, 1), (torch.randn(1, 1, 16, 8, dtype=torch.float64), 7, 4, 2), "
    "(torch.randn(3, 2, 6, 11), 4, 3, 0), (torch.randn(1, 3, 10, 10), 5, 5, 0)]",
    # 03
    "attention_shapes": "[(3, 50, 96, 8), (1, 1, 12, 1), (5, 10, 64, 16)]",
    "split_heads": "[(torch.randn(2, 5, 12), 3), (torch.randn(1, 7, 8), 8), (torch.randn(3, 1, 6), 1)]",
    "merge_heads": "[(torch.randn(2, 3, 5, 4),), (torch.randn(1, 8, 7, 1),)]",
    "attention": "[tuple(torch.randn(*shape) for _ in range(3)) "
    "for shape in [(2, 3, 5, 4), (1, 1, 7, 16), (3, 2, 1, 8)]]",
    "to_timm_qkv": "[(torch.randn(3 * 12, 7), 2), (torch.randn(3 * 8, 8, dtype=torch.float64), 4), "
    "(torch.randn(3 * 6, 6), 1), (torch.randn(3 * 30, 4), 5)]",
    "mha_forward": "[(nn.MultiheadAttention(12, 3), torch.randn(2, 5, 12)), "
    "(nn.MultiheadAttention(8, 1), torch.randn(3, 1, 8))]",
    "attention_layer": "[(torch.randn(2, 5, 20), nn.Linear(20, 60), nn.Linear(20, 20), 5), "
    "(torch.randn(1, 3, 6, dtype=torch.float64), nn.Linear(6, 18).double(), nn.Linear(6, 6).double(), 3)]",
    # 04
    "gelu_slope": "[(4 * torch.randn(3, 4, 5, dtype=torch.float64),), "
    "(torch.linspace(-10, 10, 101, dtype=torch.float64),), (3 * torch.randn(2, 6),)]",
    "block_macs": "[(int(d), int(m), int(n)) for d, m, n in torch.randint(3, 500, (4, 3)).tolist()] + [(10, 7, 1)]",
    "layer_norm": "[(3 * torch.randn(2, 3, 10) + 1, torch.randn(10), torch.randn(10), 1e-5), "
    "(torch.randn(5, 1), torch.ones(1), torch.zeros(1), 1e-3), "
    "(torch.randn(7, 33, dtype=torch.float64), torch.rand(33, dtype=torch.float64), "
    "torch.rand(33, dtype=torch.float64), 0.1)]",
    "parallel_block": "[(torch.randn(2, 5, 16), Block(16, 4, 24).eval()), "
    "(torch.randn(1, 3, 8), Block(8, 2, 32).eval())]",
    "post_norm_block": "[(torch.randn(2, 5, 16), Block(16, 4, 24).eval()), "
    "(torch.randn(1, 3, 8, dtype=torch.float64), Block(8, 2, 32).double().eval())]",
    # 05
    "softmax_backward": "[(torch.randn(*s).softmax(-1), torch.randn(*s)) for s in [(4, 4), (2, 3, 5, 5), (3, 6)]]",
    "value_gradient": "[(torch.randn(*a).softmax(-1), torch.randn(*o)) for a, o in [((5, 5), (5, 3)), "
    "((2, 4, 6, 6), (2, 4, 6, 2))]]",
    "w_v_gradient": "[(torch.randn(3, 4, 6), torch.randn(3, 4, 4).softmax(-1), torch.randn(3, 4, 2)), "
    "(torch.randn(1, 7, 3), torch.randn(1, 7, 7).softmax(-1), torch.randn(1, 7, 5))]",
    "w_q_gradient": "[(torch.randn(3, 4, 6), torch.randn(3, 4, 2), torch.randn(3, 4, 4)), "
    "(torch.randn(1, 7, 3), torch.randn(1, 7, 5), torch.randn(1, 7, 7))]",
    "w_k_gradient": "[(torch.randn(3, 4, 6), torch.randn(3, 4, 2), torch.randn(3, 4, 4)), "
    "(torch.randn(1, 7, 3), torch.randn(1, 7, 5), torch.randn(1, 7, 7))]",
    "route_ratio": "[(__import__('vit_explained.gradient_experiments').gradient_experiments"
    ".small_digit_vit(s).double(), torch.rand(b, 1, 8, 8, dtype=torch.float64), torch.randint(0, 10, (b,)), i) "
    "for s, b, i in [(5, 4, 2), (6, 3, 3)]]",
    # 06
    "accuracy": "[(torch.randn(20, 3), torch.randint(0, 3, (20,))), (torch.randn(2, 10), torch.tensor([1, 1]))]",
    "max_safe_shift": "[(F.pad(torch.rand(3, 2, 4, 5) + 0.1, (2, 3, 5, 4)),), "
    "(torch.stack([F.pad(torch.rand(1, 3, 3) + 0.1, (4, 4, 4, 4)), F.pad(torch.rand(1, 3, 3) + 0.1, (1, 7, 4, 4))]),)]",
    # 07
    "t2t_token_count": "[(400, 100), (61, 97), (130, 227), (1000, 30), (7, 500)]",
    "receptive_field": "[(((7, 4, 2), (3, 2, 1)),), (((5, 1, 2),),), (((4, 4, 0), (3, 3, 0), (2, 1, 0)),), "
    "(((3, 2, 1),) * 5,)]",
    "fold_tokens": "[(torch.randn(2, 12, 5), 3, 4), (torch.randn(1, 7, 2), 7, 1), (torch.randn(3, 6, 4), 2, 3), "
    "(torch.randn(2, 16, 3), 4, 4)]",
    "token_attention": "[(torch.randn(2, 5, 12), nn.Linear(12, 24, bias=False), nn.Linear(8, 8)), "
    "(torch.randn(1, 9, 4), nn.Linear(4, 48, bias=False), nn.Linear(16, 16))]",
    # 08
    "record_outputs": "[(m, lambda m=m: [m(torch.randn(2, 4)) for _ in range(3)]) "
    "for m in (nn.Linear(4, 3), nn.Sequential(nn.Linear(4, 4), nn.GELU()))]",
    "rollout": "[([torch.rand(2, 5, 5) for _ in range(3)],), ([torch.rand(1, 2, 2)],), "
    "([torch.rand(3, 4, 4) for _ in range(6)],), ([torch.rand(2, 5, 5) for _ in range(3)], 0.3)]",
    "class_token_grid": "[(torch.rand(2, 3, 13, 13), 4, 3), (torch.rand(1, 1, 6, 6), 1, 5)]",
    "chefer_rollout": "[([torch.rand(2, 3, 5, 5).softmax(-1) for _ in range(3)], "
    "[torch.randn(2, 3, 5, 5) for _ in range(3)]), "
    "([torch.rand(1, 1, 4, 4, dtype=torch.float64).softmax(-1)], [torch.randn(1, 1, 4, 4, dtype=torch.float64)]), "
    "([torch.rand(3, 2, 6, 6).softmax(-1) for _ in range(5)], [torch.randn(3, 2, 6, 6) for _ in range(5)])]",
    # a model, images, labels, maps and counts: 6 x 4 patches on a 3 x 2 grid, 2 x 3 on a 5 x 4 grid (3 channels)
    # per image of 2 / 1, the class token's top patch under max fusion: 2 x 3 and 3 x 4 patch grids
    "max_fusion_top_patch": "[([torch.rand(2, 3, 7, 7).softmax(-1) for _ in range(3)], 2, 3), "
    "([torch.rand(1, 2, 13, 13).softmax(-1) for _ in range(2)], 3, 4)]",
    "insertion_curve": "[(nn.Sequential(nn.Flatten(), nn.Linear(144, 8), nn.Tanh(), nn.Linear(8, 4)).eval(), "
    "torch.rand(2, 1, 18, 8), torch.tensor([1, 3]), torch.randn(2, 3, 2), [0, 2, 3, 6]), "
    "(nn.Sequential(nn.Flatten(), nn.Linear(360, 3)).eval(), torch.rand(4, 3, 10, 12), torch.tensor([0, 2, 1, 2]), "
    "torch.randn(4, 5, 4), [1, 7, 19, 20])]",
    # 09 (make_my_forward returns a closure: a property check in HIDDEN_PROPERTIES)
    "token_map": "[(torch.rand(2, 3, 22, 22).softmax(-1), 1, 2, 4, 5), "
    "(torch.rand(1, 2, 7, 7).softmax(-1), 0, 1, 3, 2), (torch.rand(3, 1, 7, 7).softmax(-1), 0, 2, 5, 1), "
    "(torch.rand(1, 5, 9, 9).softmax(-1), 1, 2, 1, 7)]",
    "hard_distillation": "[(torch.randn(6, 7), torch.randn(6, 7), torch.randint(0, 7, (6,)), 3 * torch.randn(6, 7)), "
    "(torch.randn(1, 2), torch.randn(1, 2), torch.tensor([1]), torch.tensor([[2.0, -1.0]])), "
    "(torch.randn(20, 100), torch.randn(20, 100), torch.randint(0, 100, (20,)), torch.randn(20, 100))]",
    "soft_distillation": "[(torch.randn(6, 7), torch.randn(6, 7), torch.randint(0, 7, (6,)), 3 * torch.randn(6, 7), "
    "4.0, 0.5), "
    "(torch.randn(1, 2), torch.randn(1, 2), torch.tensor([1]), torch.tensor([[2.0, -1.0]]), 2.0, 0.9), "
    "(torch.randn(20, 100), torch.randn(20, 100), torch.randint(0, 100, (20,)), torch.randn(20, 100), 1.0, 0.1)]",
}

#: exercises with more than one right answer: a property check run on the student's function instead
#: of a comparison with the reference (the function's name is in scope).
HIDDEN_PROPERTIES: dict[str, str] = {
    "choose_split": """
for size, grid in [(120, 30), (36, 12), (200, 4), (64, 32)]:
    kernel, stride, padding = (int(value) for value in choose_split(size, grid))
    assert kernel > stride and 0 <= padding < kernel, f"hidden case {(size, grid)}: not a soft split"
    assert (size + 2 * padding - kernel) // stride + 1 == grid, f"hidden case {(size, grid)}: wrong grid"
    assert (grid - 1) * stride + kernel - 1 - padding >= size - 1, f"hidden case {(size, grid)}: pixels in no window"
""",
    # 02: lost pixels in any iterable (list, set, tuple, range, tensor): compared as sorted ints, on splits the
    # lesson's checker never tries (r > p > 0, gaps with padding, no loss)
    "lost_pixels": """
for case in [(23, 7, 5, 1), (90, 18, 25, 3), (57, 11, 6, 2), (40, 5, 3, 0), (100, 7, 4, 2)]:
    got = sorted(int(pixel) for pixel in lost_pixels(*case))
    want = sorted(_reference["lost_pixels"](*case))
    assert got == want, f"hidden case {case}: {got}, expected {want}"
""",
    # 05: the answer is a set of parts (or a dict {part: bool}) with no size to vary; the graded copy runs the
    # lesson's own checker again (the visible line, word for word: nothing new to hide), which judges every spelling
    "parts_with_gradient_when_attention_frozen": """
lesson05.check_frozen_attention_parts(parts_with_gradient_when_attention_frozen)
""",
    # 03: any (w_q, w_k) that make token 0 find token 3 pass, with no size to vary; the lesson's checker again
    "query_finds_key": """
lesson03.check_query_finds_key(query_finds_key)
""",
    # 06: a dict {symptom: bug} with no size to vary; the graded copy runs the lesson's checker again
    "bug_for_each_symptom": """
lesson06.check_bug_for_each_symptom(bug_for_each_symptom)
""",
    # 04: DropPath is random: properties over many samples (one coin per sample, the rate, the rescale, eval)
    "drop_path": """
for p, shape in [(0.25, (3000, 4, 2)), (0.5, (3000, 5))]:
    x = torch.rand(*shape, dtype=torch.float64) + 0.5
    assert torch.equal(torch.as_tensor(drop_path(x.clone(), p, False)), x), "hidden case: not the identity in eval"
    out = torch.as_tensor(drop_path(x.clone(), p, True)).double()
    factors = (out / x).reshape(shape[0], -1)
    assert torch.allclose(factors, factors[:, :1]), "hidden case: not one coin per sample"
    kept = factors[:, 0] != 0
    assert torch.allclose(factors[kept, 0], torch.full_like(factors[kept, 0], 1 / (1 - p))), (
        "hidden case: kept samples not scaled by 1 / (1 - p)"
    )
    assert abs((~kept).double().mean().item() - p) < 0.05, "hidden case: drop rate far from p"
""",
    # 05: the cut (both skip routes) changes only backward: compare the gradients with the cut's, on block sizes
    # the lesson never uses
    "block_with_cut": """
from vit_explained import Block
for dim, heads, mlp_dim, tokens in [(20, 5, 12, 9), (6, 1, 30, 2)]:
    block = Block(dim, heads, mlp_dim).double().eval()
    x = torch.randn(2, tokens, dim, dtype=torch.float64, requires_grad=True)
    out = block_with_cut(block, x)
    assert torch.allclose(out, block(x)), f"hidden case D = {dim}: the forward pass changed"
    h = x.detach() + block.attn(block.norm1(x))
    cut = h.detach() + block.mlp(block.norm2(h))
    grad_out, inputs = torch.randn_like(cut), [x, *block.parameters()]
    got = torch.autograd.grad(out, inputs, grad_out, allow_unused=True)
    want = torch.autograd.grad(cut, inputs, grad_out, allow_unused=True)
    assert all(a is not None and torch.allclose(a, b) for a, b in zip(got, want)), (
        f"hidden case D = {dim}: not the cut's gradients"
    )
""",
    # 06: a training step: three steps on a small model left in eval mode, weights and losses against a correct loop
    "train_step": """
import copy as _copy

import torch.nn as _nn

_optimizers = (lambda p: torch.optim.Adam(p, lr=0.01), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
for _seed, _make in zip((1, 2), _optimizers):
    torch.manual_seed(_seed)
    _model = _nn.Sequential(_nn.Flatten(), _nn.Linear(20, 6), _nn.BatchNorm1d(6), _nn.ReLU(), _nn.Linear(6, 4)).eval()
    _reference = _copy.deepcopy(_model)
    _optimizer, _reference_optimizer = _make(_model.parameters()), _make(_reference.parameters())
    for _step in range(3):
        _images, _labels = torch.randn(7, 2, 10), torch.randint(0, 4, (7,))
        _loss = float(train_step(_model, _optimizer, _images, _labels))
        _reference.train()
        _reference_optimizer.zero_grad()
        _expected = F.cross_entropy(_reference(_images), _labels)
        _expected.backward()
        _reference_optimizer.step()
        assert abs(_loss - _expected.item()) < 1e-5, f"hidden case {_seed}, step {_step}: the returned loss"
        for _mine, _theirs in zip(_model.parameters(), _reference.parameters(), strict=True):
            assert torch.allclose(_mine, _theirs, atol=1e-6), f"hidden case {_seed}, step {_step}: the weights"
""",
    # 06: the paired t-interval on other seed lists (Student's t from scipy is the reference: the package's
    # evidence.paired_seeds is forbidden while this runs)
    "paired_interval": """
import numpy as _np
from scipy.stats import t as _student


def _paired_t(a, b):
    _d = _np.asarray(a, dtype=float) - _np.asarray(b, dtype=float)
    _half = _student.ppf(0.975, len(_d) - 1) * _d.std(ddof=1) / len(_d) ** 0.5
    return _d.mean() - _half, _d.mean() + _half


_cases = (
    ([0.91, 0.95, 0.93], [0.90, 0.92, 0.94]),
    (_np.array([0.8, 0.85, 0.9, 0.95, 0.97, 0.99]), _np.array([0.79, 0.86, 0.88, 0.9, 0.96, 0.97])),
)
for _a, _b in _cases:
    _want = _paired_t(_a, _b)
    _low, _high = (float(_x) for _x in paired_interval(_a, _b))
    assert abs(_low - _want[0]) < 1e-6 and abs(_high - _want[1]) < 1e-6, f"hidden case {len(_a)} seeds"
""",
    # 06: the verdict of the lesson's rule on other seed lists (Student's t from scipy is the reference)
    "leans_or_better": """
import numpy as _np
from scipy.stats import t as _student

_cases = (
    ([0.96, 0.94, 0.98], [0.95, 0.91, 0.97]),
    ([0.80, 0.82, 0.81, 0.83, 0.80, 0.82], [0.84, 0.85, 0.86, 0.86, 0.84, 0.86]),
    (_np.array([0.6, 0.9, 0.75, 0.85, 0.7]), _np.array([0.59, 0.88, 0.74, 0.83, 0.69])),
    ([0.9, 0.95, 0.88, 0.93], [0.93, 0.9, 0.9, 0.91]),
)
for _a, _b in _cases:
    _d = _np.asarray(_a, dtype=float) - _np.asarray(_b, dtype=float)
    _half = _student.ppf(0.975, len(_d) - 1) * _d.std(ddof=1) / len(_d) ** 0.5
    _verdict = bool(_d.mean() - _half > 0 or _d.mean() + _half < 0)
    assert bool(leans_or_better(_a, _b)) == _verdict, f"hidden case {len(_a)} seeds: the verdict"
""",
    # 06: the label-smoothing floor with 1 - epsilon on the label and epsilon / (K - 1) on each other class, at other
    # (epsilon, K): the target's entropy, checked by torch's soft-target cross-entropy at logits = log(target)
    "smoothing_floor": """
import torch as _torch
import torch.nn.functional as _F

for _epsilon, _classes in ((0.12, 10), (0.25, 6), (0.0, 9), (0.6, 13), (1.0, 5), (0.3, 2)):
    _target = _torch.full((_classes,), _epsilon / (_classes - 1), dtype=_torch.float64)
    _target[0] = 1 - _epsilon
    _want = _F.cross_entropy(_target.clamp_min(1e-300).log()[None], _target[None]).item()
    _mine = float(smoothing_floor(_epsilon, _classes))
    assert abs(_mine - _want) < 1e-5, f"hidden case epsilon {_epsilon}, K {_classes}"
""",
    # 03: the checker itself calls the function on a second configuration (ViT-B/16, float16); the graded copy reruns it
    "vit_l_attention_bytes": """
lesson03.check_attention_memory(vit_l_attention_bytes)
""",
    # 09: other (dim, heads, patches) than the visible check's, each with no mask, an additive and a boolean
    # attn_mask (is_causal=False; exercise 3 may refuse the boolean one clearly), then is_causal=True alone and with
    # a mask (a clear error or the causal attention)
    "make_my_forward": """
from vit_explained.exercises import lesson09 as _lesson09

_lesson09.check_my_forward_core(make_my_forward, sizes=((20, 5, 12), (36, 6, 4), (8, 1, 5)))
""",
    # 09, exercise 3b (optional): the same, with a boolean mask applied rather than refused
    "make_full_forward": """
from vit_explained.exercises import lesson09 as _lesson09

_lesson09.check_my_forward(make_full_forward, sizes=((20, 5, 12), (36, 6, 4), (8, 1, 5)))
""",
}

WARNINGS: list[str] = []  # exercises built without hidden cases

AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")

#: what each exercise's text forbids: the package's (or torch's) own implementation of the answer.
#: Every alias of these raises while the student's function runs in the hidden part.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "my_patchify": ("vit_explained.patchify", "einops.rearrange"),
    "build_z0": ("vit_explained.vit.add_class_token",),
    "my_interpolate_positions": (
        "vit_explained.positional.interpolate_positions",
        "vit_explained.positional.vit_at_resolution",
    ),
    "final_grid": ("vit_explained.count_tokens", "vit_explained.t2t_chain"),
    "my_soft_split": (
        "vit_explained.SoftSplit.forward",
        "torch.nn.Unfold.forward",
        "torch.nn.functional.unfold",
        "torch.Tensor.unfold",
        "torch.as_strided",
        "torch.Tensor.as_strided",
        "torch.nn.functional.conv2d",
        "torch.conv2d",
        "numpy.lib.stride_tricks.sliding_window_view",
        "numpy.lib.stride_tricks.as_strided",
    ),
    "split_heads": ("einops.rearrange",),
    "merge_heads": ("einops.rearrange",),
    "attention": ("torch.nn.functional.scaled_dot_product_attention", "vit_explained.Attention.scaled_dot_product"),
    "vit_l_attention_bytes": ("vit_explained.cost.attention_cost",),
    "gelu_slope": ("torch.nn.functional.gelu", "vit_explained.gelu", *AUTOGRAD),
    "layer_norm": ("torch.nn.functional.layer_norm", "torch.layer_norm", "torch.nn.LayerNorm.forward"),
    "parallel_block": ("vit_explained.Block.forward",),
    "post_norm_block": ("vit_explained.norm_placement.PostNormBlock.forward",),
    "block_macs": ("vit_explained.cost.attention_cost", "vit_explained.Block.__init__"),
    "softmax_backward": AUTOGRAD,
    "value_gradient": AUTOGRAD,
    "w_v_gradient": AUTOGRAD,
    "w_q_gradient": AUTOGRAD,
    "w_k_gradient": AUTOGRAD,
    "route_ratio": ("vit_explained.gradient_hooks.record_residual_routes",),
    "fold_tokens": ("vit_explained.tokens_to_image",),
    "token_attention": ("vit_explained.TokenAttention.forward",),
    "rollout": ("vit_explained.attention_maps.attention_rollout",),
    "max_fusion_top_patch": ("vit_explained.attention_maps.attention_rollout",),
    "lost_pixels": ("vit_explained.exercises.lesson02.lost_pixels_reference",),
    "chefer_rollout": ("vit_explained.attention_maps.gradient_weighted_rollout",),
    "insertion_curve": (
        "vit_explained.attention_maps.insertion_areas",
        "vit_explained.attention_maps.deletion_curve",
        "vit_explained.attention_maps.deletion_curves",
        "vit_explained.attention_maps.deletion_areas",
    ),
    "class_token_grid": (
        "vit_explained.attention_maps.class_token_attention",
        "vit_explained.attention_maps.token_attention",
    ),
    "token_map": ("vit_explained.attention_maps.token_attention",),
    "hard_distillation": ("vit_explained.distill.hard_distillation_loss",),
    "soft_distillation": ("vit_explained.distill.soft_distillation_loss",),
    "accuracy": ("vit_explained.training.accuracy", "vit_explained.training.evaluate"),
    "paired_interval": (
        "vit_explained.evidence.paired_seeds",
        "vit_explained.evidence.SeedComparison.t_interval",
        "vit_explained.clinic.seeds_and_digits_interval",
    ),
    "leans_or_better": (
        "vit_explained.evidence.paired_seeds",
        "vit_explained.evidence.SeedComparison.t_interval",
        "vit_explained.clinic.seeds_and_digits_interval",
    ),
}

# Defined in every check cell's hidden part (the student's notebook never holds it).
HELPERS = '''
import contextlib as _contextlib
import importlib as _importlib
import sys as _sys


def _resolve(path):
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = _importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        owner = None
        for part in parts[i:]:
            owner, obj = obj, getattr(obj, part)
        return owner, parts[-1], obj
    raise ImportError(path)


@_contextlib.contextmanager
def _forbidding(namespace, *paths):
    """While the block runs, every alias of each forbidden callable raises (and is remembered)."""
    hits, undo, missing = [], [], object()

    def tripwire_for(path):
        def tripwire(*args, **kwargs):
            hits.append(path)
            raise AssertionError(f"Not graded: this exercise must not call {path}")

        return tripwire

    try:
        for path in paths:
            owner, name, target = _resolve(path)
            wire = tripwire_for(path)
            if isinstance(owner, type):
                undo.append((owner, name, owner.__dict__.get(name, missing)))
                setattr(owner, name, wire)
            for module in list(_sys.modules.values()):
                members = getattr(module, "__dict__", None)
                for key, value in list(members.items()) if isinstance(members, dict) else ():
                    if value is target:
                        undo.append((module, key, value))
                        setattr(module, key, wire)
            for key, value in list(namespace.items()):
                if value is target:
                    undo.append((namespace, key, value))
                    namespace[key] = wire
        yield
    finally:
        for owner, name, value in reversed(undo):
            if isinstance(owner, dict):
                owner[name] = value
            elif value is missing:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
    assert not hits, f"Not graded: this exercise must not call {hits[0]}"


def _same(got, want, where):
    import torch

    if isinstance(want, torch.Tensor):
        got = torch.as_tensor(got)
        assert tuple(got.shape) == tuple(want.shape), f"{where}: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
        assert torch.allclose(got.double(), want.double(), rtol=1e-4, atol=1e-5), f"{where}: wrong values"
    elif isinstance(want, (set, frozenset)):
        assert set(got) == set(want), f"{where}: {set(got)}"
    elif isinstance(want, dict):
        assert set(got) == set(want), f"{where}: keys {sorted(got)}"
        for key in want:
            _same(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), f"{where}: {len(got)} items, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{where}[{i}]")
    elif isinstance(want, (int, float)):
        got = got.item() if isinstance(got, torch.Tensor) else got
        assert abs(float(got) - want) <= 1e-6 * max(1.0, abs(want)), f"{where}: {got!r}"
    else:
        assert got == want, f"{where}: {got!r}"
'''


@dataclass
class Exercise:
    """One exercise of a notebook: the cell that defines its function(s) and the check cell after it."""

    functions: tuple[str, ...]
    answer: dict  # the stub (lesson) or the reference answer (solutions)
    check: dict
    prose: list[dict]  # markdown cells between the previous exercise and this one


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def check_calls(cell: dict) -> list[str]:
    """Names of the ``lessonNN.check_*`` functions a code cell calls (``[]`` for any other cell)."""
    if cell["cell_type"] != "code":
        return []
    try:
        tree = ast.parse(_source(cell))
    except SyntaxError:
        return []
    return [
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and CHECK_MODULE.fullmatch(node.func.value.id)
        and node.func.attr.startswith("check_")
    ]


def defined_functions(cell: dict) -> tuple[str, ...]:
    """Top-level function names a code cell defines, in order."""
    tree = ast.parse(_source(cell))
    return tuple(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def signatures(cell: dict) -> dict[str, str]:
    """``{name: 'name(args) -> returns'}`` of the top-level functions a code cell defines."""
    tree = ast.parse(_source(cell))
    return {
        node.name: f"{node.name}({ast.unparse(node.args)})"
        + (f" -> {ast.unparse(node.returns)}" if node.returns else "")
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def is_stub(cell: dict) -> bool:
    return cell["cell_type"] == "code" and STUB in _source(cell)


def exercises(cells: list[dict], *, stubs: bool) -> list[Exercise]:
    """The exercises of a notebook's cells, in order. ``stubs=True`` (a lesson): only check cells whose
    nearest code cell before them is a stub count; ``stubs=False`` (solutions): every check cell does."""
    found, last_end = [], 0
    for index, cell in enumerate(cells):
        if not check_calls(cell):
            continue
        before = [i for i in range(last_end, index) if cells[i]["cell_type"] == "code"]
        if not before:
            continue
        answer_index = before[-1]
        answer = cells[answer_index]
        if stubs and not is_stub(answer):
            continue
        prose_start = answer_index
        while prose_start > last_end and cells[prose_start - 1]["cell_type"] == "markdown":
            prose_start -= 1
        found.append(Exercise(defined_functions(answer), answer, cell, cells[prose_start:answer_index]))
        last_end = index + 1
    return found


def lessons() -> list[Path]:
    """Lesson notebooks (``notebooks/NN_*.ipynb``) that have at least one exercise."""
    return [path for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if exercises(_cells(path), stubs=True)]


def solutions_for(lesson: Path) -> Path:
    return NOTEBOOKS / "solutions" / f"{lesson.stem}_solutions.ipynb"


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _is_colab(cell: dict) -> bool:
    return "google.colab" in _source(cell)


def _imports_exercises(cell: dict) -> bool:
    try:
        tree = ast.parse(_source(cell))
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vit_explained.exercises"):
            return True
        if isinstance(node, ast.Import) and any(a.name.startswith("vit_explained.exercises") for a in node.names):
            return True
    return False


def setup_cells(cells: list[dict]) -> list[dict]:
    """The code cells up to the one that imports the checkers, the Colab install cell included: on Colab
    it installs the package (the released notebook then works there too); anywhere else it does nothing."""
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    for i, cell in enumerate(code):
        if _imports_exercises(cell):
            return code[: i + 1]
    raise ValueError("no set-up cell imports vit_explained.exercises")


def _imports(cells: list[dict]) -> list[str]:
    lines = []
    for cell in cells:
        for node in ast.parse(_source(cell)).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.append(ast.unparse(node))
    return lines


def solution_source(answer: dict) -> str:
    """The reference answer cell with each function's body (after its docstring) between the markers.

    Top-level expression statements (a demo ``print(...)``) are left out: the release must not call the stub.
    """
    source = _source(answer)
    drop = {
        line
        for node in ast.parse(source).body
        if isinstance(node, ast.Expr)
        for line in range(node.lineno - 1, node.end_lineno)
    }
    lines = [line for i, line in enumerate(source.splitlines()) if i not in drop]
    tree = ast.parse("\n".join(lines))
    inserts: list[tuple[int, str]] = []  # (0-based line index, text), inserted from the bottom up
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body
        has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        if has_doc and len(body) == 1:
            raise ValueError(f"{node.name}: the reference answer has no body")
        first = body[0].end_lineno if has_doc else body[0].lineno - 1  # 0-based index of the first body line
        indent = " " * body[1 if has_doc else 0].col_offset
        inserts += [(node.end_lineno, f"{indent}### END SOLUTION"), (first, f"{indent}### BEGIN SOLUTION")]
    for index, text in sorted(inserts, key=lambda item: item[0], reverse=True):
        lines.insert(index, text)
    return "\n".join(lines).strip() + "\n"


def hidden_tests(exercise: Exercise, reference: Exercise) -> str:
    """The hidden part of an exercise's check cell (without the markers)."""
    parts = [HELPERS.strip(), ""]
    definitions = ast.parse(_source(reference.answer))
    code = "\n".join(
        ast.unparse(node)
        for node in definitions.body
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.Assign))
    )
    parts.append(f"_reference = dict(globals())\nexec({code!r}, _reference)")
    for name in exercise.functions:
        forbid = ", ".join(repr(path) for path in FORBIDDEN.get(name, ()))
        if name in HIDDEN_PROPERTIES:
            body = textwrap.indent(HIDDEN_PROPERTIES[name].strip(), "    ")
            parts.append(f"with _forbidding(globals(), {forbid}):\n{body}")
        elif name in HIDDEN_CASES:
            parts.append(
                textwrap.dedent(f"""
                def _cases():
                    import torch
                    import torch.nn.functional as F
                    from torch import nn

                    from vit_explained import Block

                    torch.manual_seed(2024)
                    return {HIDDEN_CASES[name]}


                for _i, (_want_args, _got_args) in enumerate(zip(_cases(), _cases())):
                    _seed = __import__("torch").manual_seed(_i)
                    _want = _reference[{name!r}](*_want_args)
                    with _forbidding(globals(), {forbid}):
                        _seed = __import__("torch").manual_seed(_i)
                        _got = {name}(*_got_args)
                    _same(_got, _want, f"hidden case {{_i + 1}} of {name}")
                """).strip()
            )
        else:
            WARNINGS.append(f"{name}: no hidden cases (add it to HIDDEN_CASES in tools/course.py)")
    return "\n\n".join(parts)


def _metadata(kind: str, grade_id: str) -> dict:
    base = {"grade_id": grade_id, "schema_version": 3, "task": False}
    if kind == "answer":
        return {"nbgrader": {**base, "grade": False, "locked": False, "solution": True}}
    if kind == "check":
        return {"nbgrader": {**base, "grade": True, "locked": True, "points": POINTS, "solution": False}}
    return {"nbgrader": {**base, "grade": False, "locked": True, "solution": False}}


def _cell(cell_type: str, source: str, kind: str, grade_id: str) -> dict:
    cell = {
        "cell_type": cell_type,
        "id": grade_id.replace("_", "-"),
        "metadata": _metadata(kind, grade_id),
        "source": source,
    }
    if cell_type == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


EXERCISE_HEADING = re.compile(r"^#{1,6} .*Exercise\s*\d", re.M)


def task_text(prose: list[dict]) -> list[str]:
    """The markdown of one exercise's task: from its ``### Exercise N`` heading on (an ``## Exercises``
    introduction or a summary before it is left out); all of it if there is no such heading."""
    texts = [_source(cell) for cell in prose]
    for i in range(len(texts) - 1, -1, -1):
        heading = EXERCISE_HEADING.search(texts[i])
        if heading:
            return [texts[i][heading.start() :], *texts[i + 1 :]]
    return texts


def title(cells: list[dict]) -> str:
    for cell in cells:
        for line in _source(cell).splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    return "Exercises"


def assignment(lesson: Path) -> dict:
    """The nbgrader source notebook of one lesson."""
    notebook = json.loads(lesson.read_text())
    cells = notebook["cells"]
    lesson_exercises = exercises(cells, stubs=True)
    solutions = _cells(solutions_for(lesson))
    references = exercises(solutions, stubs=False)
    if [e.functions for e in lesson_exercises] != [r.functions for r in references]:
        raise ValueError(
            f"{lesson.name}: the exercises {[e.functions for e in lesson_exercises]} and the solutions' answers "
            f"{[r.functions for r in references]} differ"
        )
    out = [
        _cell(
            "markdown",
            f"# {title(cells)}: graded exercises\n\n"
            "Run the set-up cell, then write each answer in place of `raise NotImplementedError(...)` and run "
            f"the check cell below it. Each exercise is worth {POINTS} point(s); when your work is graded, the "
            "check cells also try other sizes, and calling the library's own version of what an exercise asks "
            "you to write scores no points.",
            "readonly",
            "title",
        )
    ]
    setup = setup_cells(cells)
    out += [_cell("code", _source(cell), "readonly", f"setup_{i}") for i, cell in enumerate(setup)]
    lesson_imports = set(_imports(setup))
    solution_setup = [c for c in solutions[: solutions.index(references[0].answer)] if c["cell_type"] == "code"]
    missing = [line for line in _imports([c for c in solution_setup if not _is_colab(c)]) if line not in lesson_imports]
    if missing:
        out.append(_cell("code", "\n".join(dict.fromkeys(missing)), "readonly", "setup_answers"))
    for exercise, reference in zip(lesson_exercises, references, strict=True):
        name = exercise.functions[0]
        for i, text in enumerate(task_text(exercise.prose)):
            out.append(_cell("markdown", text, "readonly", f"{name}_text_{i}"))
        out.append(_cell("code", solution_source(reference.answer), "answer", f"{name}_answer"))
        check = _source(exercise.check).rstrip()
        hidden = hidden_tests(exercise, reference)
        out.append(
            _cell(
                "code", f"{check}\n\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS\n", "check", f"{name}_check"
            )
        )
    metadata = {
        key: copy.deepcopy(notebook["metadata"][key])
        for key in ("kernelspec", "language_info")
        if key in notebook["metadata"]
    }
    return {"cells": out, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


CONFIG = f'''"""nbgrader configuration of the vit-explained course folder (written by tools/course.py)."""

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "{COURSE_ID}"
# The release shows the same stub as the lessons.
c.ClearSolutions.code_stub = {{"python": '{STUB}'}}
# Some checkers train nothing but run many cases: give each cell time on a busy machine. A cell that runs
# longer (a student's endless loop) is stopped: its check scores 0 and grading goes on.
c.Execute.timeout = 300
# With JupyterHub, a shared exchange folder (see TEACHING.md), e.g.:
# c.Exchange.root = "/srv/nbgrader/exchange"
# Late work: submissions after an assignment's due date are marked late; "zero" scores them 0 ("none": no penalty).
c.LateSubmissionPlugin.penalty_method = "none"

# Feedback shows the score, each check's verdict and its short message, never the answers: nbgrader's own
# GenerateFeedback keeps each check cell's hidden part (the hidden cases and the reference answer). Cut it
# out as the release does, and cut each error's traceback (which quotes the lines around the failing one)
# to its last line.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor  # noqa: E402


class ShortTracebacks(NbGraderPreprocessor):
    """Each error output shown as its last line only (`AssertionError: hidden case 2 of ...: wrong values`)."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{{output.get('ename', 'Error')}}: {{output.get('evalue', '')}}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortTracebacks, CSSHTMLHeaderPreprocessor]
'''

#: a line every up-to-date configuration has (an older one, kept by `build`, would give the answers away in feedback)
FEEDBACK_LINE = "c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortTracebacks"


def build(course: Path, only: list[str] | None = None) -> list[str]:
    """Write ``course/nbgrader_config.py`` (if missing) and ``course/source/<lesson>/<lesson>.ipynb``."""
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG)
    elif FEEDBACK_LINE not in config.read_text():
        WARNINGS.append(
            f"{config} (kept) predates the feedback fix: its feedback would show the hidden tests; "
            "delete it and run again, or copy the GenerateFeedback lines from tools/course.py (CONFIG)"
        )
    names = []
    for lesson in lessons():
        if only and lesson.stem[:2] not in only and lesson.stem not in only:
            continue
        folder = course / "source" / lesson.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{lesson.stem}.ipynb").write_text(
            json.dumps(assignment(lesson), indent=1, ensure_ascii=False) + "\n"
        )
        names.append(lesson.stem)
    return names


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    course = Path(argv[0])
    names = build(course, argv[1:] or None)
    for name in names:
        count = len(exercises(_cells(NOTEBOOKS / f"{name}.ipynb"), stubs=True))
        print(f"source/{name}: {count} exercises, {count * POINTS} points")
    for warning in WARNINGS:
        print(f"warning: {warning}")
    print(f"{course}: {len(names)} assignments; next: cd {course} && nbgrader generate_assignment {names[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
