"""position_structure_report: what a learned position table holds (lesson 01, section 6)."""

import pytest
import torch

from vit_explained.positional import position_structure_report


def _table(rows: int, cols: int, by: str, noise: float = 0.3) -> torch.Tensor:
    """(1, 1 + rows * cols, D): each patch's row (or column) as a one-hot, plus noise."""
    generator = torch.Generator().manual_seed(0)
    r, c = torch.div(torch.arange(rows * cols), cols, rounding_mode="floor"), torch.arange(rows * cols) % cols
    key = r if by == "row" else c
    patches = torch.nn.functional.one_hot(key, 16).float() + noise * torch.randn(rows * cols, 16, generator=generator)
    return torch.cat([torch.zeros(1, 16), patches])[None]


def test_a_row_table_has_rows_and_no_columns():
    report = position_structure_report(_table(7, 7, "row"), (7, 7))
    assert report.differences["same row - neither"].detectable
    assert report.differences["same row - neither"].difference.low > 0
    assert not report.differences["same column - neither"].difference.low > 0


def test_a_column_table_has_columns():
    report = position_structure_report(_table(6, 8, "column"), (6, 8))
    assert report.differences["same column - neither"].difference.low > 0
    assert report.groups["same row"].estimate < report.groups["same column"].estimate
    assert "8 tokens apart (directly below)" in report.groups  # named by the grid's width
    assert (report.num_inner, report.num_border) == (4 * 6, 6 * 8 - 4 * 6)


def test_counts_and_pairs_on_the_shipped_model_and_determinism():
    from vit_explained.pretrained import load_mnist_vit

    model = load_mnist_vit()
    report = position_structure_report(model)
    assert (report.num_inner, report.num_border, report.inner_nearest_neighbour) == (25, 24, 25)
    assert report.left_right + report.above_below + report.diagonal == 25
    assert report.groups["same row"].n == 50 and report.groups["neither"].n == 200
    assert report.groups["border-border"].n == 24 * 23 // 2 and report.groups["border-inner"].n == 24 * 25
    again = position_structure_report(model.pos_embedding, (7, 7))
    assert str(report) == str(again)
    assert "bootstrap over patches" in str(report)


def test_a_bootstrap_over_patches_is_wider_than_over_pairs():
    from vit_explained.evidence import mean_interval

    table = _table(7, 7, "row", noise=1.0)
    report = position_structure_report(table, (7, 7))
    row = report.groups["same row"]
    unit = torch.nn.functional.normalize(table[0, 1:].double(), dim=-1)
    sim = unit @ unit.T
    r = torch.arange(49) // 7
    inner = (r > 0) & (r < 6) & (torch.arange(49) % 7 > 0) & (torch.arange(49) % 7 < 6)
    mask = inner[:, None] & inner[None, :] & (r[:, None] == r[None, :]) & torch.ones(49, 49).triu(1).bool()
    over_pairs = mean_interval(sim[mask].numpy())
    assert row.estimate == pytest.approx(over_pairs.estimate)
    assert row.high - row.low > over_pairs.high - over_pairs.low


@pytest.mark.parametrize(
    ("args", "error"),
    [((torch.zeros(1, 50, 8),), "grid"), ((torch.zeros(1, 40, 8), (7, 7)), "49 patch rows"), (("x", (7, 7)), "ViT")],
)
def test_bad_input_is_named(args, error):
    with pytest.raises((ValueError, TypeError), match=error):
        position_structure_report(*args)
