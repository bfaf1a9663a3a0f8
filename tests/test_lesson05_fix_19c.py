"""Lesson 05, review r19b: each fix checked on the stored notebook (and the package functions it uses).

Ablation (3) shows the qkv std 0.02 sufficient (PyTorch's init with only qkv at std 0.02), (2) and its converse
that it is needed; the class token carries the gradient (one line per block, section 2, and a Summary line); the
rows' shares come from the same 8-batch means as the table; Xiong et al. worded as a finding; appendix H names
the set-up of its peak against section 4's; appendix D cuts one MLP at a time; std 10^-6 and one timm version;
the MNIST ViT's ratios leave section 3 for appendix C.
"""

from __future__ import annotations

import re

import torch

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def _cells() -> list[dict]:
    return nb.cells(NOTEBOOK) + nb.cells(APPENDIX)


def _sources() -> list[str]:
    return nb.sources(NOTEBOOK) + nb.sources(APPENDIX)


_at = nb.unique_index
_hidden = nb.hidden


def test_ablation_3_shows_the_qkv_std_sufficient_and_2_needed():
    cells, sources = _cells(), _sources()
    at = _at(sources, "small_vit_qkv_init(seed, init=init, qkv_init=qkv_init)")
    assert "init='torch' everywhere but qkv at std 0.02 (3): 251 to 1198" in nb.printed(cells[at])
    assert "init='timm' everywhere but qkv as PyTorch's: 9 to 24" in nb.printed(cells[at])
    check = sources[at + 1]
    assert _hidden(cells[at + 1]) and "(round(min(sufficient)), round(max(sufficient))) == (251, 1198)" in check
    assert "(round(min(needed)), round(max(needed))) == (9, 24)" in check
    note = nb.flat(sources[_at(sources, "**Is it the init, and which part of it?**")])
    assert "So the small std is needed for the *hundreds-fold* gap; a 9-50x gap remains" in note
    assert "*sufficient* for the gap" in note
    assert "the ratio rises from 9-50 to 251-1198" in note
    section_4 = nb.flat(sources[_at(sources, "count, summed up.**")])  # 21i: moved from section 4 to appendix B
    assert "is needed for the hundreds-fold gap and sufficient for it" in section_4  # 19e: appendix B's wording
    assert 'its ablations "block 0\'s qkv weight x 10" and "PyTorch\'s init, qkv at timm\'s"' in section_4  # 21c
    assert "is enough to make the gap" not in section_4


def test_small_vit_qkv_init_changes_only_the_qkv_layers():
    from vit_explained.gradient_experiments import small_digit_vit, small_vit_qkv_init

    base, swapped = small_digit_vit(1, init="torch"), small_vit_qkv_init(1, init="torch", qkv_init="timm")
    for (name, a), b in zip(base.state_dict().items(), swapped.state_dict().values(), strict=True):
        assert torch.equal(a, b) != ("attn.qkv" in name), name
    qkv = swapped.blocks[0].attn.qkv
    assert abs(qkv.weight.std().item() - 0.02) < 0.002 and torch.count_nonzero(qkv.bias) == 0
    back = small_vit_qkv_init(1, init="timm", qkv_init="torch").blocks[0].attn.qkv
    assert back.weight.std().item() > 0.05 and torch.count_nonzero(back.bias) > 0


def test_the_class_token_carries_the_gradient():
    cells, sources = _cells(), _sources()
    at = _at(sources, "by_token = token_gradient_norms(model, images, labels)")
    assert _at(sources, "## 4 · Inside attention") < at < _at(sources, "## 5 · Cut the MLP route")  # 20e: end of 4
    printed = nb.printed(cells[at])
    for line in ("    3          0.49               0.0e+00", "    0          0.62               2.2e-03"):
        assert line in printed
    assert _hidden(cells[at + 1]) and "assert patch_norm[3] == 0.0" in sources[at + 1]
    assert "d_o_top[:, :, 1:].abs().max() == 0" in sources[at + 1]
    after = nb.flat(sources[at + 2])
    assert "only its query row gets a $dQ$, and every value row gets $dV_j = A_{0j}\\,dO_0$" in after
    assert "the head reads only the class token" in nb.flat("\n".join(sources))  # 24c: section 4 says it once


def test_token_gradient_norms_is_zero_on_patches_at_the_top():
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import small_digit_vit, token_gradient_norms

    digits = load_digits()
    norms = token_gradient_norms(small_digit_vit(), digits.train_images[:8], digits.train_labels[:8])
    assert len(norms) == 4 and norms[3][1] == 0.0 and all(cls > 100 * patch for cls, patch in norms)


def test_row_shares_use_the_same_8_batch_means():
    cells, sources = _cells(), _sources()
    at = _at(sources, "for per_batch in trained_cut.qkv_row_share_per_chunk]")
    printed = nb.printed(cells[at])
    row = r"block 0: q rows 94 % \[\d+, \d+\], k rows 94 % \[\d+, \d+\], v rows 93 % \[\d+, \d+\]"
    assert re.search(row + r"  \(whole 93 %\)", printed)  # 21i: each row with its interval
    text = nb.flat("\n".join(sources))
    assert "97, 96 and 96" not in text and re.search(row, printed)  # 22a: the Answer points to the printed rows
    answer = text[text.index("**Answer to the question:**") : text.index("**Further reading**")]
    assert "the same 8 batches of 32 as the table" in sources[at] and "96/82/75/54 %" in answer  # 22a; 24c


def test_route_cut_keeps_row_shares_per_chunk():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    images, labels = torch.rand(8, 1, 8, 8), torch.arange(8)
    cut = mlp_route_cut(lambda: small_digit_vit(0, fused=True), images, labels, chunk=4)
    assert len(cut.qkv_row_share_per_chunk) == 4 and all(len(block) == 2 for block in cut.qkv_row_share_per_chunk)
    assert set(cut.qkv_row_share_per_chunk[0][0]) == {"q", "k", "v"}


def test_xiong_is_a_finding_not_a_prediction():
    text = nb.flat("\n".join(_sources()))
    assert "That is what theory predicts" not in text
    xiong = "[Xiong et al. 2020](https://arxiv.org/abs/2002.04745)'s finding that pre-LN gradients do not vanish"
    assert "consistent with " + xiong + " with depth" in text


def test_appendix_h_names_the_two_peaks_set_ups():
    sources = _sources()
    text = nb.flat(sources[_at(sources, "With the scale, $\\lVert dW_q\\rVert$ grows 67 times")])
    bridge = "This is block 2's head 0 alone; the widget's peak below (c = 13.3, entropy 0.64, 19 times its start) "
    bridge += "takes the whole block's $W_q$ (all four heads; entropy averaged)"
    assert bridge in text


def test_appendix_d_cuts_one_mlp_at_a_time():
    cells, sources = _cells(), _sources()
    at = _at(sources, 'single = {k: cut_and_backward(f"block {k}", "trained MNIST ViT") for k in range(4)}')
    assert _at(sources, "### D · A second measure") < at < _at(sources, "### E · Optimizers")
    printed = nb.printed(cells[at])
    for line in ("MLP 0: 68 % [61, 76]", "MLP 1: 24 % [14, 33]", "MLP 2: 37 % [29, 45]", "MLP 3: 52 % [45, 58]"):
        assert line in printed
    assert _hidden(cells[at + 1]) and "[68, 24, 37, 52]" in sources[at + 1]
    text = nb.flat("\n".join(sources))
    assert "consistent with block 0 having the most MLPs after it" not in text
    assert "block 0's share is 68, 24, 37 or 52 %" in text


def test_std_notation_and_one_timm_version():
    box = nb.flat(_sources()[_at(_sources(), "> **Two models.**")]).replace("> ", "")
    assert "N(0, 10⁻⁶)" not in box and "a normal with std 10⁻⁶" in box and "tag v1.0.28" in box
    vit = (nb.ROOT / "vit_explained" / "vit.py").read_text()
    assert "read in timm 1.0.29.dev0)" not in vit and "read in timm 1.0.28" in vit


def test_mnist_ratios_leave_section_3_and_the_main_path_stays_short():
    cells, sources = _cells(), _sources()
    section_3 = sources[_at(sources, "Hundreds of times holds")]
    assert "1.7 to 2.8" not in section_3 and "8 to 83" not in section_3 and "13 to 15" not in section_3
    appendix_c = nb.flat(sources[_at(sources, "In this trained checkpoint (right panel)")])
    assert "the ratio is 1.7 to 2.8, against 8 to 60 at its own starting weights (seed 0) and 8 to 83" in appendix_c
    summary = _at(sources, "## Summary")
    visible = [i for i, c in enumerate(cells[:summary]) if not _hidden(c)]
    assert len(visible) <= 41  # class-token lines added; the seeds' print joined the routes', a heading its text
