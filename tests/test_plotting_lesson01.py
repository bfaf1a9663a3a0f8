"""Lesson 01's figure helpers: right content, right panels, helpful errors."""

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from vit_explained import ViT, count_parameters, patchify, sinusoid_encoding
from vit_explained.plotting.lesson01 import (
    explode_patches,
    plot_embedding_routes,
    plot_patch_grid,
    plot_position_similarity,
    plot_position_structure,
    plot_resized_positions,
    plot_sinusoid,
    plot_token_matrix,
    plot_vit_map,
)
from vit_explained.positional import (
    cosine_similarity_matrix,
    interpolate_positions,
    nearest_position,
    patch_position_similarity,
    position_structure_report,
)
from vit_explained.vit_map import trace_vit


@pytest.mark.parametrize(("channels", "size", "patch"), [(3, (8, 12), 4), (1, (6, 10), (3, 5)), (3, (4, 6), (2, 3))])
def test_explode_patches_puts_each_patch_where_patchify_says(channels, size, patch):
    image = torch.rand(channels, *size)
    ph, pw = (patch, patch) if isinstance(patch, int) else patch
    gap = 2
    exploded = explode_patches(image, patch, gap=gap)
    rows, cols = size[0] // ph, size[1] // pw
    assert exploded.shape == (channels, rows * (ph + gap) - gap, cols * (pw + gap) - gap)
    tokens = patchify(image.unsqueeze(0), patch)[0]  # (N, ph*pw*C), row-major
    for index in range(rows * cols):
        row, col = divmod(index, cols)
        block = exploded[:, row * (ph + gap) : row * (ph + gap) + ph, col * (pw + gap) : col * (pw + gap) + pw]
        assert torch.equal(block.permute(1, 2, 0).reshape(-1), tokens[index])
    assert torch.equal(explode_patches(image, patch, gap=0), image)


def test_plot_patch_grid_shows_the_image_and_labels_patches():
    image = torch.rand(3, 32, 48)
    fig = plot_patch_grid(image, 16)
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert torch.equal(torch.as_tensor(left.get_images()[0].get_array()), image.permute(1, 2, 0))
    assert "2 rows x 3 columns = 6 patches" in left.get_title()
    assert sorted(text.get_text() for text in right.texts) == ["0", "1", "3", "5"]


def test_plot_token_matrix_rows_are_the_tokens_and_examples_fold_back():
    image = torch.rand(3, 8, 12)
    tokens = patchify(image.unsqueeze(0), (4, 2))  # (1, 12, 24)
    fig = plot_token_matrix(tokens, (4, 2), examples=(0, 7))
    assert isinstance(fig, Figure)
    matrix = next(ax for ax in fig.axes if "token matrix" in ax.get_title())
    assert torch.equal(torch.as_tensor(matrix.get_images()[0].get_array()).reshape(12, -1), tokens[0])
    squares = [ax for ax in fig.axes if ax.get_title().endswith("as a patch")]
    assert len(squares) == 2
    # token 7 = row 1, column 1 of the 2x6 grid: pixels 4..8 down, 2..4 across
    assert torch.equal(torch.as_tensor(squares[1].get_images()[0].get_array()), image[:, 4:8, 2:4].permute(1, 2, 0))


def test_cosine_similarity_matrix_matches_torch():
    table = torch.randn(7, 5)
    expected = F.cosine_similarity(table.unsqueeze(1), table.unsqueeze(0), dim=-1)
    torch.testing.assert_close(cosine_similarity_matrix(table), expected)
    torch.testing.assert_close(cosine_similarity_matrix(table.unsqueeze(0)), expected)


def test_plot_sinusoid_panels():
    table = sinusoid_encoding(20, 16)
    assert len([ax for ax in plot_sinusoid(table).axes if ax.get_images()]) == 2
    fig = plot_sinusoid(table, torch.randn(1, 20, 16), position=3)
    assert len(fig.axes) == 4 + 3  # four panels and three colour bars
    assert [label.get_text() for label in fig.axes[0].get_xticklabels()] == ["sin columns (even)", "cos columns (odd)"]
    line = fig.axes[3].get_lines()[0]
    torch.testing.assert_close(torch.as_tensor(line.get_ydata()), cosine_similarity_matrix(table)[3])


def test_trace_vit_reads_the_shapes_of_a_real_forward_pass():
    model = ViT(32, patch_size=8, num_classes=5, dim=24, depth=2, heads=3, mlp_dim=48).eval()
    images = torch.rand(2, 3, 32, 32)
    vit_map = trace_vit(model, images)
    shapes = [step.shape for step in vit_map.steps]
    assert shapes == [(2, 3, 32, 32), (2, 16, 192), (2, 16, 24), (2, 17, 24), (2, 17, 24), (2, 24), (2, 5)]
    assert shapes[-1] == tuple(model(images).shape)
    assert (vit_map.class_token, vit_map.pos_embedding, vit_map.grid, vit_map.depth) == (
        (1, 1, 24),
        (1, 17, 24),
        (4, 4),
        2,
    )
    assert not model.patch_embedding._forward_hooks and not model.head._forward_pre_hooks  # hooks removed


def test_trace_vit_on_the_meta_device_gives_vit_b16():
    with torch.device("meta"):
        model = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
        vit_map = trace_vit(model, torch.empty(1, 3, 224, 224))
    assert [step.shape for step in vit_map.steps][1:4] == [(1, 196, 768), (1, 196, 768), (1, 197, 768)]
    assert count_parameters(model) == 86_567_656


def test_plot_vit_map_writes_every_traced_shape():
    model = ViT(32, patch_size=8, num_classes=5, dim=24, depth=2, heads=3, mlp_dim=48)
    vit_map = trace_vit(model, torch.rand(1, 3, 32, 32))
    fig = plot_vit_map(vit_map, torch.rand(3, 32, 32))
    texts = {text.get_text() for ax in fig.axes for text in ax.texts}
    for step in vit_map.steps:
        assert "(" + ", ".join(map(str, step.shape)) + ")" in texts
    assert "(1, 17, 24)" in texts and "x 2: attention,\nthen MLP" in texts
    with pytest.raises(TypeError, match="trace_vit"):
        plot_vit_map([(1, 2)])


def test_patch_position_similarity_and_nearest_position():
    table = torch.randn(1, 7, 5)  # class token + a 2 x 3 grid
    similarity = patch_position_similarity(table, (2, 3))
    assert similarity.shape == (2, 3, 2, 3)
    torch.testing.assert_close(similarity.reshape(6, 6), cosine_similarity_matrix(table[0, 1:]))
    nearest = nearest_position(similarity)
    flat = similarity.reshape(6, 6).clone().fill_diagonal_(-2)
    for index in range(6):
        row, col = nearest[index // 3, index % 3].tolist()
        assert row * 3 + col == int(flat[index].argmax()) != index
    with pytest.raises(ValueError, match="6 patch rows"):
        patch_position_similarity(torch.randn(1, 9, 5), (2, 3))


def test_plot_position_similarity_one_map_per_patch():
    table = torch.randn(1, 7, 5)
    fig = plot_position_similarity(table, (2, 3))
    maps = [ax for ax in fig.axes if ax.get_images()]
    assert len(maps) == 6
    expected = patch_position_similarity(table, (2, 3))
    torch.testing.assert_close(torch.as_tensor(maps[4].get_images()[0].get_array()), expected[1, 1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_patch_grid(torch.rand(1, 3, 8, 8), 4), ValueError, r"images\[0\]"),
        (lambda: plot_patch_grid(torch.rand(8, 8, 3), 4), ValueError, "permute"),
        (lambda: plot_patch_grid(torch.rand(3, 10, 8), 4), ValueError, "not divisible"),
        (lambda: plot_patch_grid([[0.0]], 4), TypeError, "torch.Tensor"),
        (lambda: plot_patch_grid(torch.rand(3, 8, 8), 4, labels=(4,)), ValueError, "from 0 to 3"),
        (lambda: plot_token_matrix(torch.rand(4, 10), 2), ValueError, "ph \\* pw \\* C"),
        (lambda: plot_token_matrix(torch.rand(4, 12), 2, examples=(9,)), ValueError, "from 0 to 3"),
        (lambda: plot_token_matrix(torch.rand(2, 4, 12), 2), ValueError, "patchify"),
        (lambda: plot_sinusoid(torch.rand(5, 4), torch.rand(6, 4)), ValueError, "same number of positions"),
        (lambda: plot_sinusoid(torch.rand(5, 4), position=5), ValueError, "from 0 to 4"),
        (lambda: cosine_similarity_matrix(torch.rand(5)), ValueError, r"\(N, D\)"),
    ],
)
def test_bad_input_says_what_would_work(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_plot_resized_positions_shows_each_table_on_its_grid():
    table = torch.randn(1, 1 + 12, 5, generator=torch.Generator().manual_seed(0))
    table[0, 1:, 3] *= 10  # the channel that varies most
    resized = interpolate_positions(table, (5, 6), (3, 4))
    fig = plot_resized_positions({"trained": (table, (3, 4)), "2-D": (resized, (5, 6))})
    assert isinstance(fig, Figure) and len(fig.axes) == 2 * 2 + 2  # two rows of panels, two colour bars
    top, bottom = fig.axes[1].images[0].get_array(), fig.axes[3].images[0].get_array()
    assert top.shape == (5, 6) and "channel 3" in fig.axes[0].get_title()
    assert abs(float(top[0, 0]) - float(resized[0, 1, 3])) < 1e-6  # patch (0, 0) drawn at (0, 0)
    centre = patch_position_similarity(resized, (5, 6))[2, 3]
    assert abs(float(bottom[1, 4]) - float(centre[1, 4])) < 1e-6
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_resized_positions({})


def test_plot_position_structure_draws_each_kind_with_its_interval():
    table = torch.randn(1, 1 + 5 * 6, 8, generator=torch.Generator().manual_seed(0))
    structure = position_structure_report(table, (5, 6), resamples=200)
    fig = plot_position_structure(structure)
    (ax,) = fig.axes
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == [f"{name} (n = {estimate.n})" for name, estimate in structure.groups.items()]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [float(dot.get_xdata()[0]) for dot in dots] == pytest.approx([e.estimate for e in structure.groups.values()])
    whiskers = [collection.get_segments()[0] for collection in ax.collections]
    for (low, _), (high, _), estimate in zip(
        (w[0] for w in whiskers), (w[1] for w in whiskers), structure.groups.values(), strict=True
    ):
        assert (low, high) == pytest.approx((estimate.low, estimate.high))
    assert {text.get_text() for text in ax.get_legend().get_texts()} == {"among inner patches", "with border patches"}
    with pytest.raises(TypeError, match="PositionStructure"):
        plot_position_structure(table)


def test_plot_embedding_routes_draws_the_tokens_and_both_kernel_layouts():
    kernel = torch.randn(5, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    tokens = torch.randn(1, 6, 5, generator=torch.Generator().manual_seed(1))
    fig = plot_embedding_routes({"a": tokens, "b": tokens[0]}, kernel, zoom=12)
    token_axes = [ax for ax in fig.axes if ax.get_title() in ("a", "b")]
    assert len(token_axes) == 2
    for ax in token_axes:
        assert torch.equal(torch.as_tensor(ax.images[0].get_array().data), tokens[0])
    maps = [ax for ax in fig.axes if ax.get_title().startswith("kernel[0, ")]
    assert [torch.equal(torch.as_tensor(ax.images[0].get_array().data), kernel[0, c]) for c, ax in enumerate(maps)] == [
        True
    ] * 3
    strips = {
        ax.get_title(loc="left").split(", ", 1)[1]: ax
        for ax in fig.axes
        if ax.get_title(loc="left").startswith("weight row 0")
    }
    unfold, rearranged = (
        strips["(c p1 p2): the kernel flattened as it is (Unfold + Linear)"],
        strips["(p1 p2 c): channels innermost (Rearrange + Linear)"],
    )
    hue = lambda ax: ax.images[0].get_array().data[0].argmax(axis=-1).tolist()  # noqa: E731 - the channel of each cell
    assert hue(unfold) == [0] * 16 + [1] * 16 + [2] * 16  # (c p1 p2): one channel after the other
    assert hue(rearranged) == [0, 1, 2] * 16  # (p1 p2 c): channels interleaved
    zoomed = [ax for ax in fig.axes if ax.get_title() == "numbers 0 to 11"]
    assert len(zoomed) == 2 and zoomed[0].images[0].get_array().shape[:2] == (1, 12)
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_embedding_routes({}, kernel)
    with pytest.raises(ValueError, match=r"\(D, C, P, P\)"):
        plot_embedding_routes({"a": tokens}, kernel[0, 0])
    with pytest.raises(TypeError, match="tensor"):
        plot_embedding_routes({"a": [1, 2]}, kernel)


def test_plot_shuffled_patches_draws_both_pictures_and_both_outputs():
    from vit_explained.plotting.lesson01 import plot_shuffled_patches

    image = torch.rand(3, 8, 12)
    order = torch.randperm(6)
    same, other = torch.randn(16), torch.randn(16)
    fig = plot_shuffled_patches(image, 4, order, (same, same.clone()), (same, other), dims=10)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    shuffled = fig.axes[1].images[0].get_array()
    assert shuffled.shape == (8, 12, 3)
    moved = patchify(image[None], 4)[0, order[0]].reshape(4, 4, 3)  # the first patch shown is order[0]
    assert torch.allclose(torch.as_tensor(shuffled[:4, :4]), moved.clamp(0, 1))
    bare, with_pos = fig.axes[2].lines[:2]
    assert len(bare.get_ydata()) == 10 and not bare.get_ydata().any()  # no positions: no change
    assert torch.allclose(torch.as_tensor(with_pos.get_ydata()), (other - same)[:10])
    with pytest.raises(ValueError, match="permutation"):
        plot_shuffled_patches(image, 4, torch.zeros(6, dtype=torch.long), (same, same), (same, other))
    with pytest.raises(ValueError, match="original, shuffled"):
        plot_shuffled_patches(image, 4, order, (same, torch.randn(5)), (same, other))


def test_exact_ties_are_ringed_on_every_tied_neighbour_and_nowhere_else():
    """r27c minor 2: where a table's best neighbours tie exactly (the 2-D sin-cos table: left, right, above, below),
    the pair figure rings every tied one instead of a dot whose side float rounding picked; a table without ties keeps
    its one red dot per patch."""
    from vit_explained.plotting.lesson01 import plot_position_similarity_pair, tied_nearest
    from vit_explained.positional import sincos_2d_encoding

    grid_table = sincos_2d_encoding(4, 4, 16)[None]
    tied = tied_nearest(patch_position_similarity(grid_table, (4, 4)))
    assert sorted(tied[1, 1]) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    random_table = torch.randn(1, 17, 16, generator=torch.Generator().manual_seed(0))
    assert tied_nearest(patch_position_similarity(random_table, (4, 4))) == {}
    fig = plot_position_similarity_pair({"tied": (grid_table, (4, 4)), "random": (random_table, (4, 4))})
    rings = [c for c in fig.axes[0].collections if c.get_facecolor().size == 0 or c.get_facecolor()[0][3] == 0]
    assert len(rings) == 16 + len(tied)  # a white square per patch, a ring set per tied patch
    assert len(fig.axes[1].collections) == 2 * 16  # no ties: a white square and a red dot per patch


def test_permuted_attention_labels_each_row_and_column_with_its_token():
    """fix01q item 1 (r29d minor 1): the shuffled panel is P A P^T, its ticks the tokens in their new places."""
    from vit_explained.plotting.lesson01 import plot_permuted_attention

    attention = torch.softmax(torch.randn(4, 4, generator=torch.Generator().manual_seed(0)), dim=-1)
    order = torch.tensor([2, 0, 3, 1])
    perm = torch.eye(4)[order]
    fig = plot_permuted_attention(attention, perm @ attention @ perm.T, order)
    left, right = fig.axes[:2]
    assert [t.get_text() for t in right.get_yticklabels()] == ["2", "0", "3", "1"]
    assert [t.get_text() for t in left.get_xticklabels()] == ["0", "1", "2", "3"]
    assert right.texts[0].get_text() == f"{attention[2, 2]:.2f}"  # row token 2, column token 2
    with pytest.raises(ValueError, match="permutation"):
        plot_permuted_attention(attention, attention, torch.tensor([0, 0, 1, 2]))


def test_plot_position_ablation_draws_one_dot_per_seed_and_labels_each_range():
    """r34c minor 1: section 5b's picture, one row per arm, one dot per seed (or permutation)."""
    from vit_explained.plotting.lesson01 import plot_position_ablation

    arms = {"shuffled": [0.194, 0.218, 0.326], "table zeroed": [0.277], "with": [0.974, 0.961, 0.971]}
    fig = plot_position_ablation(arms, chance=0.1, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [len(line.get_xdata()) for line in dots] == [3, 1, 3]
    assert list(dots[2].get_xdata()) == pytest.approx([97.4, 96.1, 97.1])
    labels = [t.get_text() for t in ax.texts]
    assert {"19.4-32.6 %", "27.7 %", "96.1-97.4 %", "chance"} <= set(labels)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["shuffled", "table zeroed", "with"]
    with pytest.raises(ValueError, match="shares in"):
        plot_position_ablation({"x": [97.4]})
    with pytest.raises(ValueError, match="non-empty"):
        plot_position_ablation({"x": []})
