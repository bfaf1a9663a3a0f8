"""Lesson 02, fix round 18a (fresh review 17e): Going further down to four topics with an appendix for the rest,
at most two forward links in the main path, the T2T module's forward printed from the package, the original stem's
try/except and hooks in helpers, readable labels on the module diagram."""

import re

import torch

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source
from vit_explained.soft_split import OriginalT2TStem, original_square_grids, run_or_error


def _cells() -> list[dict]:
    return nb.cells(nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb")


def test_main_path_has_at_most_two_forward_links():
    cells = _cells()
    going = next(i for i, c in enumerate(cells) if _source(c).startswith("## Going further (optional)"))
    summary = next(i for i, c in enumerate(cells) if "## Summary" in _source(c))  # round 19c: its own cell
    main = [_source(c) for c in cells[:summary] if c["cell_type"] == "markdown"]
    anchors = [link for text in main for link in re.findall(r"\]\((#[a-z0-9-]+)\)", text)]
    later = {
        anchor
        for c in cells[going:]
        if c["cell_type"] == "markdown"
        for anchor in re.findall(r'<a id="([a-z0-9-]+)">', _source(c))
    }
    forward = [anchor for anchor in anchors if anchor[1:] in later]
    assert len(forward) <= 2, forward
    assert not any("07_tokens_to_token_vit.ipynb#6" in text for text in main[:-1])  # section 3 names it in words


def test_section_2_says_it_derives_count_tokens_before_using_it():
    cells = _cells()
    (heading,) = [i for i, c in enumerate(cells) if _source(c).startswith("## 2 · Counting tokens")]
    assert "count_tokens" not in _source(cells[heading])  # review 18a: only N -> N², the costs in Going further
    visible = [c for c in cells[:heading] if "hide-input" not in c["metadata"].get("tags", [])]
    assert not any("count_tokens(" in _source(c) for c in visible)


def test_the_forward_listing_is_read_from_the_package():
    # round 19b: lesson 02's appendix points to lesson 07, which prints the forward whole
    assert not any("inspect.getsource(Tokens2Token.forward)" in _source(c) for c in _cells())
    (pointer,) = [_source(c) for c in _cells() if '<a id="chain-run"></a>' in _source(c)]
    # round 21a: lesson 07 moved the listing to its appendix B ("The whole module once")
    link = "[lesson 07's appendix B](07_tokens_to_token_vit_appendix.ipynb#whole-module)."
    assert "Its forward is printed whole in\n" + link in pointer
    lesson_07 = nb.cells(nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb")
    (listing,) = [
        c for c in lesson_07 if "inspect.getsource(Tokens2Token.forward)" in _source(c) and "print(" in _source(c)
    ]
    anchor = next(i for i, c in enumerate(lesson_07) if '<a id="whole-module"></a>' in _source(c))
    assert lesson_07.index(listing) == anchor + 1
    printed = [line.strip() for line in _printed(listing).splitlines()]
    assert any(line.startswith("for split, transformer, stage in stages:") for line in printed)
    assert "return self.project(self.soft_splits[-1](images))" in printed
    assert any("tokens = transformer(split(images))" in line for line in printed)
    assert any("images = tokens_to_image(tokens" in line for line in printed)


def test_no_try_except_or_hooks_in_visible_cells():
    for cell in _cells():
        tags = cell["metadata"].get("tags", [])
        if cell["cell_type"] == "code" and "hide-input" not in tags:
            text = _source(cell)
            assert "register_forward_pre_hook" not in text and "fork_rng" not in text
            assert "OriginalT2TStem(" not in text or "try:" not in text  # the original stem's runs: run_or_error


def test_run_or_error_and_original_square_grids():
    torch.manual_seed(0)
    tall = torch.rand(1, 1, 400, 100)
    assert run_or_error(OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8), tall) == "runs, output (1, 170, 8)"
    assert run_or_error(OriginalT2TStem(img_size=224, in_chans=1, embed_dim=8), tall).startswith("RuntimeError: ")
    stem = OriginalT2TStem(img_size=208, in_chans=1, embed_dim=8)
    assert original_square_grids(stem, tall) == ([(50, 50), (25, 25)], 169)
    assert original_square_grids(stem, tall) == ([(50, 50), (25, 25)], 169)  # the hooks are removed after each call


def test_module_diagram_labels_are_readable():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    fig = plot_t2t_module()
    sizes = [text.get_fontsize() for text in fig.axes[0].texts] + [t.get_fontsize() for t in fig.legends[0].texts]
    assert min(sizes) >= 9.5
