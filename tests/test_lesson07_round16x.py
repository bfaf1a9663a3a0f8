"""Lesson 07, round 16x: cut to the core (Table 7's recount in the appendix, the no-spread caveat once), the fixed
sinusoid position table named and counted, why token_dim is 64, and where the trained first token attention puts its
weight (on tokens whose window holds ink, 3 seeds, from the stored checkpoint)."""

from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from tests import _notebook as nb
from vit_explained._upstream import load_original_t2t
from vit_explained.cost import count_macs
from vit_explained.data import load_digits
from vit_explained.positional import sinusoid_encoding
from vit_explained.soft_split import SoftSplit
from vit_explained.t2t import T2T_SPLITS, TokenTransformer

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def _markdown():
    return "\n".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "markdown"
    )


def test_about_ninety_visible_cells_and_the_caveat_once():
    visible = [c for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if "hide-input" not in c["metadata"].get("tags", [])]
    # 18a: + the trained stem's fold (the paper's Fig. 2 argument); 18c: + 4 as the check against the original code
    # becomes three claim-and-cell pairs (equivalence, negative control, 1/7 against 1/8), one point per code cell
    # 20a: + the nested-windows picture (review r19e item 5) and the Linear arm split in two (item 2: the affine test
    # before its paragraph); the border comparison moved to the audits appendix, hidden
    assert len(visible) <= 95
    text = _markdown()
    assert text.count("no spread over seeds or recipes is reported") == 1 and "no spread reported" not in text
    appendix = text.index("## Appendix · Sources")
    assert text.index("**Table 7's hard-patch and convolution rows, recounted**") > appendix
    assert "The appendix prints Table 7 and recounts two of its rows" in text


def test_the_fixed_position_table_is_the_original_sinusoid_table():
    original = load_original_t2t("t2t_vit").get_sinusoid_encoding(n_position=197, d_hid=384)[0]
    assert torch.allclose(sinusoid_encoding(197, 384), original, atol=1e-6)
    assert "get_sinusoid_encoding" in _markdown() and "75,648 fixed numbers" in _markdown()
    assert "includes 75,648 fixed numbers: the sinusoid table" in (
        nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    )


def test_token_dim_64_against_384():
    stage_1 = torch.empty(1, 3136, 147, device="meta")
    with torch.device("meta"):
        macs = {w: sum(count_macs(TokenTransformer(147, w), stage_1).values()) for w in (64, 384)}
    assert (round(macs[64] / 1e9, 2), round(macs[384] / 1e9, 2)) == (1.39, 9.47)
    assert "at token_dim 64: 1.39 GMACs; at 384: 9.47" in (nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX))
    assert "Why `token_dim` is 64, not the backbone's 384" in _markdown()


def test_trained_weight_on_ink_rises_on_every_seed():
    stored = load_file(str(CHECKPOINT))
    images = F.interpolate(load_digits().val_images, size=(48, 48), mode="bilinear")
    windows = SoftSplit(*T2T_SPLITS[0])(images)
    ink = windows.amax(-1) > 0.5
    changes = []
    for seed in (0, 1, 2):
        share = {}
        for name in ("initial", "trained"):
            prefix = f"seed{seed}.{name}."
            block = TokenTransformer(49, 32)
            block.load_state_dict({k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)})
            with torch.no_grad():
                _, weights = block.attn(block.norm1(windows), return_attention=True)
            share[name] = float((weights[:, 0] * ink[:, None]).sum(-1).mean())
        changes.append(share["trained"] - share["initial"])
    assert all(0.02 < change < 0.03 for change in changes)
    assert (
        "on ink (a uniform row: 0.531)" in (nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX))
        and "0.533, about a uniform row's" in _markdown()
    )


def test_review_nits():
    text, outputs = _markdown(), (nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX))
    assert "Several later models use an overlapping, local stem" in text and "What lasted" not in text
    assert "share an overlapping local stem with T2T, and none uses token transformers" in text  # 18e: no descent
    assert "(the paper's Table 6" not in text and "The paper's Table 6 tests this on ViT" in text
    assert "in exact arithmetic" in text and "Mean attention by offset" in "".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "code"
    )
    assert "(13, 2500, 49) -> (13, 2500, 64)" in outputs
    assert 'print(f"token transformer 1: (13, 2500, 49)' not in "".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX))
    )
    assert "3f75495 (14 August 2021" in text and "69d24fe (13 June 2026)" in text  # the commit's date, checked 18c
    widget = (ROOT / "vit_explained" / "widgets" / "lesson07.py").read_text()
    assert "31 pixels at most" not in widget and "a custom chain whose field" in widget
