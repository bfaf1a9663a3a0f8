"""Lesson 02's figures: right geometry, deterministic files, a small GIF."""

import matplotlib

matplotlib.use("Agg")

import imageio.v3 as iio
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vit_explained import count_tokens, t2t_chain
from vit_explained.plotting import lesson02 as plots


@pytest.fixture
def image():
    return torch.rand(1, 30, 50, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def in_tmp_figures(tmp_path, monkeypatch):
    (tmp_path / "figures").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path / "figures"


def test_pad_image_matches_unfold_padding(image):
    padded = plots.pad_image(image, 3)
    assert padded.shape == (1, 36, 56)
    assert torch.equal(padded[:, 3:-3, 3:-3], image)
    # the first window of the padded image is nn.Unfold's first token
    first = nn.Unfold(8, padding=3, stride=4)(image.unsqueeze(0))[0, :, 0]
    assert torch.equal(padded[:, :8, :8].reshape(-1), first)


def test_window_corners_match_unfold_tokens(image):
    kernel, stride, padding = 8, 5, 2
    grid = count_tokens(30, 50, kernel, stride, padding)
    corners = plots._window_corners(grid, stride)
    tokens = nn.Unfold(kernel, padding=padding, stride=stride)(image.unsqueeze(0))[0].T
    padded = plots.pad_image(image, padding)
    assert len(corners) == grid.total == tokens.shape[0]
    for token, (x, y) in zip(tokens, corners, strict=True):
        assert torch.equal(padded[:, y : y + kernel, x : x + kernel].reshape(-1), token)


def test_plot_window_grid_title_and_rejects_bad_images(image):
    fig = plots.plot_window_grid(image, 10, 5, 2)
    assert "5 x 9 = 45 tokens" in fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match=r"1 \(gray\) or 3 \(RGB\) channels"):
        plots.plot_window_grid(torch.zeros(2, 10, 10), 3, 1, 0)
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        plots.plot_window_grid(np.zeros((10, 10)), 3, 1, 0)
    with pytest.raises(ValueError, match="larger than the padded image"):
        plots.plot_window_grid(image, 60, 1, 0)


def test_frames_one_per_window_and_subsampled(image):
    frames = plots.soft_split_frames(image, 20, 10, 5, size=(4, 1.5), dpi=50)
    assert len(frames) == count_tokens(30, 50, 20, 10, 5).total == 15
    assert all(f.dtype == np.uint8 and f.shape == frames[0].shape and f.shape[-1] == 3 for f in frames)
    assert not np.array_equal(frames[0], frames[1])
    few = plots.soft_split_frames(image, 4, 2, 0, max_frames=10, size=(4, 1.5), dpi=50)
    assert len(few) == 10
    assert plots._frame_indices(300, 10)[0] == 0 and plots._frame_indices(300, 10)[-1] == 299


def test_gif_is_small_deterministic_and_loops(image, in_tmp_figures):
    path = plots.save_soft_split_gif(image, 20, 10, 5, name="a.gif")
    again = plots.save_soft_split_gif(image, 20, 10, 5, name="b.gif")
    assert path.parent == in_tmp_figures.parent / "build" / "figures"  # never the tracked figures/
    assert path.read_bytes() == again.read_bytes()
    assert path.stat().st_size < 400_000
    frames = iio.imread(path, index=None)
    assert frames.shape[0] == len([*range(0, 15, 3), 14]) == 6  # every third window of 15, and the last, 14
    red = (frames[..., 0] == 255) & (frames[..., 1] == 0) & (frames[..., 2] == 0)
    assert red.reshape(6, -1).sum(axis=1).min() > 100  # every frame's window outline is pure red, not merged orange
    assert iio.immeta(path).get("loop") == 0


def test_pooled_chain_has_the_t2t_grids():
    image = torch.rand(3, 97, 61, generator=torch.Generator().manual_seed(2))
    maps = plots._pooled_chain(image, plots.T2T_SPLITS)
    stages = t2t_chain(97, 61, 3)
    assert [m.shape[-2:] for m in maps[1:]] == [(s.grid.rows, s.grid.cols) for s in stages]
    assert torch.allclose(maps[1], F.avg_pool2d(image.unsqueeze(0), 7, 4, 2)[0])


def test_plot_t2t_chain_labels_come_from_t2t_chain():
    images = [torch.rand(3, 64, 64), torch.rand(1, 80, 20)]
    fig = plots.plot_t2t_chain(images)
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert "16 x 16 = 256 tokens" in labels[1] and "length 3·7·7 = 147" in labels[1]
    assert "Linear -> (16, 768)" in labels[3]
    named = plots.plot_t2t_chain(images[:1], embed_dim=384, model="T2T-ViT-14")
    assert named.axes[3].get_xlabel().endswith("Linear -> (16, 384)\nin T2T-ViT-14")
    plt.close(named)
    gray = plots.plot_t2t_chain(images[1:], embed_dim=384, model="Tokens2Token", note="(scrambled)")
    assert gray.axes[3].get_xlabel().endswith("in Tokens2Token, C = 1\n(scrambled)")  # 80 x 20: not square
    plt.close(gray)
    assert "20 x 5 = 100 tokens" in labels[5] and "length 1·7·7 = 49" in labels[5]
    plt.close(fig)


def test_plot_soft_split_frame_checks_index(image):
    fig = plots.plot_soft_split_frame(image, 20, 10, 5, 3)
    assert "window 3 of 0..14: row 0, column 3" in fig.axes[0].texts[-1].get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match=r"0\.\.14"):
        plots.plot_soft_split_frame(image, 20, 10, 5, 15)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding"), [(60, 20, 10, 5), (224, 7, 4, 2), (10, 3, 3, 0), (9, 9, 1, 0)]
)
def test_plot_window_strip_draws_the_windows_the_formula_counts(size, kernel, stride, padding):
    fig = plots.plot_window_strip(size, kernel, stride, padding)
    ax = fig.axes[0]
    windows = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(plots.WINDOW_COLOR)]
    expected = count_tokens(size, size, kernel, stride, padding).rows
    assert len(windows) == expected and f"= {expected} windows" in ax.get_title()
    starts = [w.get_x() for w in windows]
    assert starts == [j * stride for j in range(expected)] and all(w.get_width() == kernel for w in windows)
    assert starts[-1] + kernel <= size + 2 * padding  # the last window fits
    dashed = [p for p in ax.patches if p.get_linestyle() == "--"]
    for window in dashed:  # the next one, if drawn, sticks out
        assert window.get_x() == expected * stride and window.get_x() + kernel > size + 2 * padding
        assert f"j={expected}: start {expected * stride}: sticks out, no token" in [
            text.get_text() for text in ax.texts
        ]
    plt.close(fig)


def test_plot_window_strip_rejects_bad_settings():
    with pytest.raises(ValueError, match="larger than the padded side 14"):
        plots.plot_window_strip(10, 15, 1, 2)
    with pytest.raises(ValueError, match="padding"):
        plots.plot_window_strip(10, 3, 1, -1)


def test_t2t_module_diagram_labels_every_shape():
    fig = plots.plot_t2t_module()
    assert isinstance(fig, plt.Figure)
    texts = {text.get_text() for text in fig.axes[0].texts}
    expected = ["224 x 224 x 3", "3136 x 147", "3136 x 64", "56 x 56 x 64", "784 x 576", "196 x 576", "196 x 384"]
    assert set(expected) <= texts and "Linear\n576 -> 384" in texts
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "soft split (no weights)", "reshape (no weights)", "token transformer (learned)", "Linear (learned)"
    ]  # fmt: skip
    plt.close(fig)


@pytest.mark.parametrize(("height", "width"), [(4, 6), (5, 7)])
def test_plot_hard_soft_windows_draws_every_window_the_split_makes(height, width):
    splits = ((2, 2, 0), (3, 2, 1))
    fig = plots.plot_hard_soft_windows(height, width, splits)
    hard, soft = (count_tokens(height, width, *split) for split in splits)
    assert len(fig.axes) == 1 + soft.rows  # the hard split in one panel, the soft split one row of windows each
    drawn = {}
    for ax in fig.axes:
        kernel, stride, padding = splits[0] if "hard split" in ax.get_title() else splits[1]
        grid = count_tokens(height, width, kernel, stride, padding)
        windows = [p for p in ax.patches if not p.get_fill()]
        labels = [t.get_text() for t in ax.texts]
        cells = [p for p in ax.patches if p.get_fill() and p.get_gid() != "window-fill"]
        assert len(cells) == (height + 2 * padding) * (width + 2 * padding)
        values = labels[: len(cells)]  # the cells' numbers: 1 .. H*W inside, 0 only in the padding
        assert sorted(int(v) for v in values if v != "0") == list(range(1, height * width + 1))
        assert values.count("0") == len(cells) - height * width
        indices = [int(t) for t in labels[len(cells) :]]
        assert len(windows) == len(indices) == len([p for p in ax.patches if p.get_gid() == "window-fill"])
        corners = plots._window_corners(grid, stride)
        for window, index in zip(windows, indices, strict=True):  # inset a little inside its k x k cells
            x, y = corners[index]
            assert x < window.get_x() < x + 0.2 and y < window.get_y() < y + 0.2
            assert kernel - 0.4 < window.get_width() < kernel
        assert f"(of {grid.total})" in ax.get_title()
        drawn.setdefault(kernel, []).extend(indices)
    assert drawn == {2: list(range(hard.total)), 3: list(range(soft.total))}  # every window once
    plt.close(fig)


def test_window_column_is_soft_splits_token_and_the_figure_shows_it():
    values = plots.window_column(4, 6, 3, 2, 1, token=4)
    assert values == [8, 9, 10, 14, 15, 16, 20, 21, 22]  # window 4: rows 1..3, columns 1..3 of the 1..24 image
    fig = plots.plot_window_to_token(4, 6, 3, 2, 1, token=4)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [str(v) for v in values] == texts[8 * 6 : 8 * 6 + 9]  # the column follows the padded grid's 48 cells
    assert "(1,1)" in texts and any("pixel (1, 1) across the D channels\n= Linear(token 4)" in t for t in texts)
    plt.close(fig)


def test_reshape_orders_are_read_from_tokens_to_image_and_reshape():
    with_transpose, alone = plots.reshape_orders(rows=2, cols=3, dim=2).values()
    assert (with_transpose[..., 0] == np.arange(6).reshape(2, 3)).all()  # each pixel one token, in every channel
    assert (with_transpose[..., 1] == np.arange(2)[:, None, None]).all()  # channel c holds feature c
    assert not (alone[..., 0] == np.arange(6).reshape(2, 3)).all()  # a reshape alone mixes tokens
    fig = plots.plot_reshape_orders(2, 3, 2)
    assert len(fig.axes) == 3 and "transpose" in fig.axes[1].get_title()
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(f"{n}.{d}" for n in range(6) for d in range(2))
    plt.close(fig)


def test_window_zero_is_drawn_last_in_its_own_colour(image):
    fig = plots.plot_window_grid(image, 10, 5, 2)
    ax = fig.axes[0]
    outlines = [p for p in ax.patches if not p.get_fill() and p.get_linestyle() != "--"]
    colours = [matplotlib.colors.to_hex(p.get_edgecolor()) for p in outlines]
    assert colours[-1] == matplotlib.colors.to_hex(plots.NEIGHBOUR_COLORS[0])  # on top of its neighbours
    assert plots.NEIGHBOUR_COLORS[0] not in (plots.PADDING_COLOR, *plots.NEIGHBOUR_COLORS[1:])
    assert not [p for p in ax.patches if p.get_fill() and p.get_alpha() == 0.25]  # no fill: the overlaps are hatched
    strips = [p for p in ax.patches if p.get_gid() == "overlap"]
    assert [matplotlib.colors.to_hex(p.get_edgecolor()) for p in strips] == 2 * [
        matplotlib.colors.to_hex(plots.SHARED_COLOR)
    ]  # one colour for 'shared with a neighbour'
    assert sorted(p.get_hatch() for p in strips) == ["//", "\\\\"]  # one sparse direction per neighbour
    assert [(p.get_width(), p.get_height()) for p in strips] == [(5, 10), (10, 5)]  # kernel - stride = 5 px shared
    grid = count_tokens(30, 50, 10, 5, 2)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]  # fix round r: a legend, not a caption
    assert ["token 0", "token 1", f"token {grid.cols}"] == legend[1:4] and len(ax.get_xlabel().splitlines()) == 1
    assert "shared by all three" in legend
    texts = {t.get_text(): t.get_position() for t in ax.texts}  # each number at its window's top-left corner
    assert texts["0"] == (-0.1, -0.1) and texts["1"] == (4.9, -0.1) and texts["9"] == (-0.1, 4.9)
    plt.close(fig)


def test_tokens_holding_a_line_on_a_patch_border():
    line = ((1, 3), (1, 4))  # crosses the border between hard patches (columns 2-3 | 4-5)
    assert plots.tokens_holding(4, 6, line, 2, 2, 0) == []
    assert plots.tokens_holding(4, 6, line, 3, 2, 1) == [2, 5]
    assert plots.tokens_holding(4, 6, ((1, 2), (1, 3)), 2, 2, 0) == [1]  # inside one patch: held
    for k, s, p in ((2, 2, 0), (3, 2, 1), (3, 1, 0)):  # brute force: every window that holds both pixels
        grid = count_tokens(4, 6, k, s, p)
        brute = [
            r * grid.cols + c
            for r in range(grid.rows)
            for c in range(grid.cols)
            if all(r * s - p <= y < r * s - p + k and c * s - p <= x < c * s - p + k for y, x in line)
        ]
        assert plots.tokens_holding(4, 6, line, k, s, p) == brute


def test_line_on_border_outlines_the_holders():
    fig = plots.plot_line_on_border()
    hard, soft = fig.axes
    frames = [p for p in soft.patches if not p.get_fill()]
    colours = [matplotlib.colors.to_hex(p.get_edgecolor()) for p in frames]
    assert len(frames) == 2 and len(set(colours)) == 2  # tokens 2 and 5: one colour each
    assert "2 tokens hold the whole line (2, 5)" in soft.get_title()
    patches = [p for p in hard.patches if not p.get_fill()]
    assert sorted((p.get_x(), p.get_y()) for p in patches) == [(x, y) for x in (0, 2, 4) for y in (0, 2)]
    (border,) = hard.lines  # the piece of border the line crosses: between columns 3 and 4, along row 1 only
    assert list(border.get_xdata()) == [4, 4] and list(border.get_ydata()) == [1, 2] and border.get_linewidth() >= 4
    line_cells = [p for p in hard.patches if p.get_fill() and p.get_facecolor()[:3] == (0, 0, 0)]
    assert len(line_cells) == 2 and border.get_zorder() > max(p.get_zorder() for p in line_cells)  # drawn on top
    assert "0 tokens hold the whole line (none)" in hard.get_title()
    white = {t.get_text() for t in soft.texts if t.get_color() == "white"}
    assert {"10", "11", "token 2", "token 5"} <= white  # the line's pixel numbers (1 .. 24) and each frame's token
    assert {t.get_text() for t in hard.texts if t.get_color() == "white"} == {"10", "11"}
    plt.close(fig)


def test_square_reshape_scrambles_a_tall_grid():
    tall = torch.rand(1, 400, 100, generator=torch.Generator().manual_seed(0))
    fig = plots.plot_square_reshape(tall)
    left, right = fig.axes
    true_grid, square = left.get_images()[0].get_array(), right.get_images()[0].get_array()
    assert true_grid.shape == (100, 25) and square.shape == (50, 50)
    assert np.array_equal(square[0, 25:], true_grid[1])  # the true grid's row 1 sits beside row 0
    odd = plots.plot_square_reshape(torch.rand(3, 200, 300, generator=torch.Generator().manual_seed(0)))
    assert "3750 is not a square" in odd.axes[1].texts[0].get_text()
    plt.close(fig)
    plt.close(odd)


@pytest.mark.parametrize("seed", range(5))
def test_lost_blocks_cover_each_true_pixel_exactly_once(seed):
    mask = np.random.default_rng(seed).random((9, 13)) < 0.4 + 0.1 * seed
    counts = np.zeros(mask.shape, dtype=int)
    for row, col, rows, cols in plots.lost_blocks(mask):
        assert rows >= 1 and cols >= 1
        counts[row : row + rows, col : col + cols] += 1
    assert np.array_equal(counts, mask.astype(int))
    assert plots.lost_blocks(np.zeros((3, 4), dtype=bool)) == []
    assert plots.lost_blocks(np.ones((3, 4), dtype=bool)) == [(0, 0, 3, 4)]


def test_longest_held_run_is_k_minus_s_plus_one_on_covered_sides():
    assert plots.longest_held_run(32, 3, 2, 1) == 2 and plots.longest_held_run(32, 7, 4, 2) == 4
    assert plots.longest_held_run(32, 4, 4, 0) == 1  # hard patches: a 2-pixel run across a border is in none
    assert plots.longest_held_run(8, 3, 2, 0) == 0  # pixel 7 is in no window: no run length holds everywhere
    for k, s, p in ((3, 2, 1), (5, 2, 2), (20, 10, 5), (4, 3, 1)):
        for n in range(2 * k, 60):
            if (n + 2 * p - k) % s <= p:  # every image pixel is in some window
                assert plots.longest_held_run(n, k, s, p) == k - s + 1, (n, k, s, p)


def test_vit_map_t2t_frames_the_two_replaced_boxes():
    from vit_explained import ViT
    from vit_explained.vit_map import trace_vit

    with torch.device("meta"):
        model = ViT(32, patch_size=16, num_classes=10, dim=16, depth=1, heads=2, mlp_dim=32)
        vit_map = trace_vit(model, torch.empty(1, 3, 32, 32))
    fig = plots.plot_vit_map_t2t(vit_map)
    ax = fig.axes[0]
    frames = [patch for patch in ax.patches if patch.get_label() == "T2T module"]
    assert len(frames) == 1 and frames[0].get_linestyle() == "--"
    left, right = frames[0].get_x(), frames[0].get_x() + frames[0].get_width()
    names = [step.name for step in vit_map.steps]
    boxes = [text.get_position()[0] for text in ax.texts if text.get_text() in names]  # each box's centre
    inside = [name for name, x in zip(names, boxes, strict=True) if left < x < right]
    assert inside == ["patches", "patch tokens"]
    links = [text.get_text() for text in ax.texts if text.get_text().startswith("lesson 01")]
    assert "lesson 01; cut again in lesson 02 (soft split)" in links and "lesson 01 (02: overlap)" not in links
    assert any("T2T module replaces these two boxes" in " ".join(text.get_text().split()) for text in ax.texts)
    notes = [text.get_text() for text in ax.texts if text.get_text().startswith("T2T-ViT-14's table")]
    assert notes == ["T2T-ViT-14's table: a fixed\nsinusoid (1, 197, 384), not learned"]  # next to the learned one
    plt.close(fig)


def test_caption_names_the_windows_when_gaps_are_hatched():
    gaps = plots.window_grid_caption(count_tokens(60, 100, 20, 25, 0), 20, 25, 0, lost=2800, outlined=True)
    assert "red, hatched: 2800 pixels in no token; unhatched squares: the windows" in gaps.replace("\n", " ")
    short = plots.window_grid_caption(count_tokens(60, 100, 20, 15, 0), 20, 15, 0, lost=1250, outlined=True)
    assert "unhatched" not in short


def test_floor_staircase_draws_both_counts_and_shades_where_they_differ():
    fig = plots.plot_floor_staircase(range(200, 261))
    ax = fig.axes[0]
    chain, shortcut = ax.get_lines()
    assert list(chain.get_ydata()) == [(n + 13) // 16 for n in range(200, 261)]
    assert list(shortcut.get_ydata()) == [n // 16 for n in range(200, 261)]
    shaded = sorted(round(p.get_x()) for p in ax.patches)
    assert shaded == [n for n in range(200, 261) if n % 16 > 2]  # exactly where the two differ
    plt.close(fig)


def test_caption_names_the_cyan_centre_dots_only_when_drawn():
    grid = count_tokens(60, 100, 5, 4, 0)  # 14 x 24 = 336 windows: too many for numbers in the explorer
    assert "cyan dots: window centres" in plots.window_grid_caption(grid, 5, 4, 0, lost=0, outlined=True, dots=True)
    assert "cyan dots" not in plots.window_grid_caption(grid, 5, 4, 0, lost=0, outlined=True)


def test_run_strip_shows_the_worst_run():
    assert plots.worst_run(7, 4, 2) == (5, 4) and plots.worst_run(3, 2, 1) == (2, 2)
    for k, s, p in ((7, 4, 2), (3, 2, 1), (5, 2, 2)):
        first, length = plots.worst_run(k, s, p)
        assert length == plots.longest_held_run(40, k, s, p)
        windows = [range(start, start + k) for start in range(-p, 40 + p - k + 1, s)]
        holders = [j for j, window in enumerate(windows) if first in window and first + length - 1 in window]
        assert holders == [1] and not any(first in w and first + length in w for w in windows)
    fig = plots.plot_run_strip(20, 7, 4, 2)
    ax = fig.axes[0]
    colours = [patch.get_facecolor() for patch in ax.patches[:24]]
    green, red = matplotlib.colors.to_rgba("tab:green"), matplotlib.colors.to_rgba("tab:red")
    assert [i - 2 for i, c in enumerate(colours) if c == green] == [5, 6, 7, 8]
    assert [i - 2 for i, c in enumerate(colours) if c == red] == [9]
    assert len(ax.patches) == 24 + 5 and "pixels 5..8" in ax.get_title()
    labels = [text for text in ax.texts if text.get_position()[1] > 1.0]  # the two labels above the strip
    dotted = {text.get_position()[0]: text.get_text().strip() for text in labels}
    # each on the outer side of its dotted line, one above the other: the two cannot overlap
    assert [(text.get_horizontalalignment(), text.get_position()[1]) for text in labels] == [
        ("right", 1.1),
        ("left", 1.5),
    ]
    # x in padded pixels: window 2 starts at image pixel 6 (after the run's first pixel, 5), window 1 ends before 9
    assert dotted == {8: "start of window 2", 11: "end of window 1"}
    assert sorted(line.get_xdata()[0] for line in ax.lines) == [8, 11]
    plt.close(fig)
    with pytest.raises(ValueError, match="does not fit"):
        plots.plot_run_strip(8, 7, 4, 2)
    with pytest.raises(ValueError, match="does not fit"):
        plots.plot_run_strip(20, 4, 4, 0)


def test_flatten_orders_are_read_from_soft_split_and_patchify():
    orders = plots.flatten_orders(channels=3, kernel=2)
    soft, hard = orders.values()
    assert soft == [(c, i, j) for c in range(3) for i in range(2) for j in range(2)]  # channel by channel
    assert hard == [(c, i, j) for i in range(2) for j in range(2) for c in range(3)]  # pixel by pixel
    one = plots.flatten_orders(channels=1, kernel=3)
    assert len(set(map(tuple, one.values()))) == 1  # one channel: the same order


def test_plot_flatten_orders_labels_every_value_in_each_order():
    fig = plots.plot_flatten_orders(channels=2, kernel=2)
    left, right = fig.axes
    assert sorted(t.get_text() for t in left.texts if "," in t.get_text()) == sorted(
        f"{c},{i},{j}" for c in range(2) for i in range(2) for j in range(2)
    )
    cells = [t.get_text() for t in right.texts if "," in t.get_text() and ":" not in t.get_text()]
    orders = list(plots.flatten_orders(2, 2).values())
    assert cells == [f"{c},{i},{j}" for order in orders for c, i, j in order]
    assert [t.get_text() for t in right.texts if ":" in t.get_text()] == list(plots.flatten_orders(2, 2))


def test_gif_palette_keeps_greys_grey(image, in_tmp_figures):
    path = plots.save_soft_split_gif(image, 20, 10, 5, name="grey.gif")
    colours = {tuple(c) for c in np.unique(iio.imread(path, index=None).reshape(-1, 3), axis=0).tolist()}
    palette = set(plots.gif_palette())
    assert colours <= palette  # a fixed palette: no colour cut from the frames
    tinted = {c for c in colours if len(set(c)) > 1}  # not a grey
    assert tinted <= set(plots.gif_palette()[-3:])  # only the overlays: the padding's orange, the red, the cyan


def test_window_strip_hatches_the_lost_pixels_with_a_legend():
    assert plots.strip_lost_pixels(60, 20, 0, [0, 15, 30]) == list(range(50, 60))
    fig = plots.plot_window_strip(60, kernel=20, stride=15, padding=0)
    legend = fig.axes[0].get_legend()
    assert legend is not None and legend.get_texts()[0].get_text() == "10 image pixels in no window (lost)"
    plt.close(fig)
    covered = plots.plot_window_strip(60, kernel=20, stride=10, padding=5)
    assert covered.axes[0].get_legend() is None  # every pixel in a window: nothing to mark
    plt.close(covered)


def test_gif_takes_every_other_window_and_48_greys():
    assert plots._frame_indices(60, 60, 2) == [*range(0, 60, 2), 59]  # every other window, and the last
    assert plots._frame_indices(7, 60, 2) == [0, 2, 4, 6]
    assert plots._frame_indices(300, 10, 2)[-1] == 299 and len(plots._frame_indices(300, 10, 2)) == 10
    greys = [c for c in plots.gif_palette() if len(set(c)) == 1 and c != (240, 240, 240)]
    assert len(greys) == 48 and greys[0] == (0, 0, 0) and greys[-1] == (255, 255, 255)
