"""Lessons 01-03's widgets: their line of text, their picture, and that moving a control updates both.

Each widget's ``compute`` is called directly and through its controls, with valid settings and an
invalid one that must show the package's own message (never a traceback).
"""

import ipywidgets as widgets
import pytest
import torch
import torch.nn.functional as F
from matplotlib.backends.backend_agg import FigureCanvasAgg
from torch import nn

from vit_explained import ViT, count_tokens, patch_grid
from vit_explained.plotting.lesson02 import MAX_OUTLINES, padding_only_windows, window_coverage
from vit_explained.positional import nearest_position, patch_position_similarity
from vit_explained.softmax_scale import SATURATED
from vit_explained.widgets import LessonWidget
from vit_explained.widgets.lesson01 import patch_grid_widget, position_similarity_widget
from vit_explained.widgets.lesson02 import SoftSplitWidget, soft_split_widget
from vit_explained.widgets.lesson03 import attention_widget, queries_and_keys


def printed(widget):
    (output,) = widget.output.outputs
    assert output["output_type"] == "stream" and output["name"] == "stdout"
    return output["text"]


def first_control(widget):
    control = next(iter(widget.controls.values()))
    assert isinstance(control, (widgets.IntSlider, widgets.SelectionSlider, widgets.Dropdown))  # the browser moves it
    return control


# --------------------------------------------------------------------------- lesson 01


def test_patch_grid_widget_counts_tokens_and_positions():
    widget = patch_grid_widget()
    assert isinstance(widget, LessonWidget)
    assert widget.line == (
        "224 x 224 image, 16 x 16 patches: 14 x 14 = 196 patches + 1 class token = 197 tokens; "
        "pos_embedding (1, 197, 768); attention matrix 197^2 = 38,809 numbers per head"
    )
    assert printed(widget) == widget.line + "\n"
    assert bytes(widget.picture.value).startswith(b"\x89PNG")
    first_control(widget).value = 32
    rows, cols = patch_grid(224, 224, 32)
    assert widget.line.startswith(f"224 x 224 image, 32 x 32 patches: {rows} x {cols} = {rows * cols} patches")
    line, _ = widget.compute(patch_size=8, image_size=64)
    assert line.endswith(
        "64 patches + 1 class token = 65 tokens; pos_embedding (1, 65, 768); "
        "attention matrix 65^2 = 4,225 numbers per head"
    )


def test_patch_grid_widget_offers_only_patch_sizes_that_divide_the_image():
    widget = patch_grid_widget()
    assert widget.controls["patch_size"].options == (2, 4, 7, 8, 14, 16, 28, 32, 56)
    widget.controls["patch_size"].value = 14
    assert widget.line.startswith("224 x 224 image, 14 x 14 patches: 16 x 16 = 256 patches")
    widget.controls["image_size"].value = 240  # 14 does not divide 240: the nearest size that does, 15
    assert 14 not in widget.controls["patch_size"].options and widget.controls["patch_size"].value == 15
    assert widget.line.startswith("240 x 240 image, 15 x 15 patches: 16 x 16 = 256 patches")
    assert widget.picture.layout.display is None and "cannot show this" not in printed(widget)
    with pytest.raises(ValueError):
        patch_grid_widget(patch_size=15)


def test_patch_grid_widget_still_shows_the_token_count():
    widget = patch_grid_widget()
    (ax,) = widget.compute(patch_size=16, image_size=224)[1].axes
    assert ax.get_xlabel() == "196 patches + 1 class token = 197 tokens\npos_embedding (1, 197, 768)"


def test_position_similarity_widget_names_the_nearest_patch():
    model = ViT(12, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=8, channels=1)
    widget = position_similarity_widget(model, patch=4)
    nearest = nearest_position(patch_position_similarity(model.pos_embedding, (3, 3)))
    row, col = nearest[1, 1].tolist()
    assert widget.line.startswith(
        f"patch 4 (row 1, column 1): most similar other patch {row * 3 + col} (row {row}, column {col})"
    )
    first_control(widget).value = 0
    assert widget.line.startswith("patch 0 (row 0, column 0)")
    with pytest.raises(ValueError, match="from 0 to 8"):
        widget.compute(patch=9)


# --------------------------------------------------------------------------- lesson 02


def split_readout(height: int, width: int, kernel: int, stride: int, padding: int, rows: int, cols: int) -> str:
    """The explorer's line, written out: each side's (n + 2p - k) // s + 1, then the token count."""
    return (
        f"rows: ({height} + 2 x {padding} - {kernel}) // {stride} + 1 = {rows}, "
        f"columns: ({width} + 2 x {padding} - {kernel}) // {stride} + 1 = {cols}; "
        f"overlap k - s = {kernel} - {stride} = {kernel - stride}; "
        f"tokens: {rows} x {cols} = {rows * cols}, N² = {(rows * cols) ** 2:,} attention entries per head"
    )


@pytest.mark.parametrize(
    ("height", "width", "kernel", "stride", "padding"),
    [(60, 100, 20, 10, 5), (224, 224, 7, 4, 2), (200, 100, 7, 4, 2), (13, 50, 3, 2, 1), (9, 9, 9, 1, 0)],
)
def test_soft_split_line_matches_unfold(height, width, kernel, stride, padding):
    widget = soft_split_widget(kernel=kernel, stride=stride, padding=padding, height=height, width=width)
    grid = count_tokens(height, width, kernel, stride, padding)
    total = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, 1, height, width)).shape[-1]
    assert grid.total == total
    assert widget.line == split_readout(height, width, kernel, stride, padding, grid.rows, grid.cols)
    assert widget.line.endswith(f"= {total}, N² = {total**2:,} attention entries per head")


def test_soft_split_widget_starts_with_the_lesson_example():
    widget = soft_split_widget()
    assert isinstance(widget, LessonWidget)
    assert (
        printed(widget) == "rows: (60 + 2 x 5 - 20) // 10 + 1 = 6, columns: (100 + 2 x 5 - 20) // 10 + 1 = 10; "
        "overlap k - s = 20 - 10 = 10; tokens: 6 x 10 = 60, N² = 3,600 attention entries per head\n"
    )
    assert bytes(widget.picture.value).startswith(b"\x89PNG")
    assert 300 < int(widget.picture.width) < 1000  # drawn at its own width, not stretched
    assert list(widget.controls) == [
        *("kernel", "stride", "padding", "height", "width", "coverage"),
        *("piece", "piece_row", "piece_col"),  # review 18c: section 3's 2 x 4 piece
    ]
    assert widget.values == {"kernel": 20, "stride": 10, "padding": 5, "height": 60, "width": 100, "coverage": False,
                             "piece": False, "piece_row": 0, "piece_col": 0}  # fmt: skip


def brute_force_coverage(height: int, width: int, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """For every image pixel, the windows whose rows and columns both reach it, counted one window at a time."""
    counts = torch.zeros(height, width, dtype=torch.int32)
    grid = count_tokens(height, width, kernel, stride, padding)
    for row in range(grid.rows):
        for col in range(grid.cols):
            for y in range(row * stride - padding, row * stride - padding + kernel):
                for x in range(col * stride - padding, col * stride - padding + kernel):
                    if 0 <= y < height and 0 <= x < width:
                        counts[y, x] += 1
    return counts


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "height", "width"),
    [(20, 15, 0, 60, 100), (20, 10, 5, 60, 100), (20, 20, 0, 60, 100), (20, 25, 0, 60, 100), (7, 4, 2, 30, 17)],
)
def test_soft_split_coverage_view_counts_the_windows_of_each_pixel(kernel, stride, padding, height, width, soft_split):
    line, fig = soft_split.compute(kernel, stride, padding, height, width, coverage=True)
    expected = brute_force_coverage(height, width, kernel, stride, padding)
    (shade,) = [im for im in fig.axes[0].get_images() if im.get_array().ndim == 2 and im.get_cmap().name == "viridis"]
    assert torch.equal(torch.as_tensor(shade.get_array()), expected)
    assert shade.get_extent() == [padding - 0.5, padding + width - 0.5, padding + height - 0.5, padding - 0.5]
    assert fig.axes[1].get_ylabel() == "windows that hold the pixel"  # the colour bar
    spacing = (
        f"gap s - k = {stride} - {kernel} = {stride - kernel} px"
        if stride > kernel
        else f"overlap k - s = {kernel} - {stride} = {kernel - stride}"
    )
    assert f"; {spacing}; tokens:" in line and "= -" not in line  # review 18d: a gap, not a negative overlap
    off, _ = soft_split.compute(kernel, stride, padding, height, width, coverage=False)
    assert off == line


def test_soft_split_coverage_check_box_redraws_the_picture():
    widget = soft_split_widget(kernel=20, stride=15, padding=0)
    before, line = bytes(widget.picture.value), widget.line
    widget.controls["coverage"].value = True
    assert bytes(widget.picture.value) != before and widget.line == line
    assert soft_split_widget(coverage=True).values["coverage"] is True


@pytest.fixture(scope="module")
def soft_split():
    """One soft-split widget (the default photo) whose compute the picture tests call with their settings:
    compute reads only its arguments and the photo, and building a widget per case drew a picture (~0.25 s)
    that those tests never looked at."""
    return soft_split_widget()


def test_soft_split_widget_caption_explains_the_cyan_centre_dots(soft_split):
    _, fig = soft_split.compute(kernel=5, stride=4, padding=0, height=60, width=100)  # 336 windows: dots, no numbers
    assert "cyan dots: window centres" in fig.axes[0].get_xlabel().replace("\n", " ")
    _, fig = soft_split.compute(kernel=20, stride=10, padding=5, height=60, width=100)  # 60 windows: numbered
    assert "cyan dots" not in fig.axes[0].get_xlabel()


def test_moving_a_slider_updates_the_count_and_picture():
    widget = soft_split_widget()
    before = bytes(widget.picture.value)
    first_control(widget).value = 30
    moved = count_tokens(60, 100, 30, 10, 5)
    assert moved.total == 45 and printed(widget) == split_readout(60, 100, 30, 10, 5, moved.rows, moved.cols) + "\n"
    assert bytes(widget.picture.value) != before
    widget.controls["width"].value = 40
    grid = count_tokens(60, 40, 30, 10, 5)
    assert widget.line == split_readout(60, 40, 30, 10, 5, grid.rows, grid.cols)


@pytest.mark.parametrize(
    ("stride", "padding", "lost"),
    [(15, 0, 1250), (25, 0, 2800), (10, 5, 0)],  # the lesson's three splits
)
def test_soft_split_widget_marks_lost_pixels_and_outlines_every_window(stride, padding, lost, soft_split):
    _, fig = soft_split.compute(kernel=20, stride=stride, padding=padding, height=60, width=100)
    (ax,) = fig.axes
    grid = count_tokens(60, 100, 20, stride, padding)
    (outlines,) = [c for c in ax.collections if len(c.get_paths()) == grid.total]  # one outline per window
    assert outlines.get_linewidth()[0] < 1.0  # faint
    coverage = window_coverage(60, 100, 20, stride, padding)
    assert int((coverage == 0).sum()) == lost
    overlays = [im for im in ax.get_images() if im.get_array().shape == (60, 100, 4)]
    assert len(overlays) == (1 if lost else 0)
    if lost:
        tinted = overlays[0].get_array()[..., 3] > 0
        assert torch.equal(torch.from_numpy(tinted), coverage == 0)  # exactly the pixels in no window
        assert f"{lost} pixels in no token" in ax.get_xlabel()
    else:
        assert "every pixel is in some token" in ax.get_xlabel()


def test_soft_split_widget_skips_outlines_when_there_are_too_many_windows(soft_split):
    _, fig = soft_split.compute(kernel=1, stride=1, padding=0, height=60, width=100)
    assert f"more than {MAX_OUTLINES} windows" in fig.axes[0].get_xlabel()


def test_invalid_split_shows_the_package_message_then_recovers():
    widget = soft_split_widget()
    widget.controls["height"].value = 20
    widget.controls["kernel"].value = 64
    with pytest.raises(ValueError) as error:
        count_tokens(20, 100, 64, 10, 5)
    assert widget.line == f"cannot show this: {error.value}"
    assert widget.line.startswith("cannot show this: kernel 64 is larger than the padded image height 30")
    assert widget.picture.layout.display == "none"
    widget.controls["kernel"].value = 10
    assert printed(widget) == split_readout(20, 100, 10, 10, 5, 3, 11) + "\n"
    assert widget.picture.layout.display is None


def test_soft_split_widget_accepts_an_rgb_image_and_widens_ranges():
    image = torch.rand(3, 50, 50, generator=torch.Generator().manual_seed(0))
    widget = SoftSplitWidget(image, {"kernel": 8, "stride": 8, "padding": 0, "height": 300, "width": 32})
    assert widget.controls["height"].max >= 300
    assert "; tokens: 37 x 4 = 148, N² = 21,904 " in widget.line


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "empty"),
    [(7, 4, 2, 0), (20, 10, 0, 0), (3, 2, 16, 3360), (30, 30, 16, 0)],
)
def test_soft_split_caption_fits_a_224_square_and_names_padding_only_windows(kernel, stride, padding, empty):
    widget = soft_split_widget(kernel=kernel, stride=stride, padding=padding, height=224, width=224)
    _, fig = widget.compute(**widget.values)
    FigureCanvasAgg(fig).draw()
    label = fig.axes[0].xaxis.label
    extent = label.get_window_extent(fig.canvas.get_renderer())
    assert extent.x0 >= 0 and extent.x1 <= fig.bbox.x1  # the caption is not cut at the figure's edge
    assert all(len(line) <= 110 for line in label.get_text().split("\n"))
    caption = " ".join(label.get_text().split())
    assert ("px of zero padding" in caption) == (padding > 0)
    brute = int((F.unfold(torch.ones(1, 1, 224, 224), kernel, padding=padding, stride=stride).sum(1) == 0).sum())
    assert padding_only_windows(224, 224, kernel, stride, padding) == brute == empty
    assert (f"{empty} windows hold only padding" in caption) == (empty > 0)


@pytest.mark.parametrize("kwargs", [{"kernel": 0}, {"padding": -1}, {"height": 2.5}])
def test_soft_split_widget_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        soft_split_widget(**kwargs)


def test_soft_split_widget_rejects_a_bad_image():
    with pytest.raises(ValueError, match="channels"):
        soft_split_widget(torch.zeros(2, 5, 5))


# --------------------------------------------------------------------------- lesson 03


@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    return ViT(8, patch_size=4, num_classes=3, dim=8, depth=2, heads=2, mlp_dim=16, channels=1).eval()


@pytest.fixture(scope="module")
def digits():
    return torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))


def test_queries_and_keys_match_the_models_own_attention(small_model, digits):
    found = queries_and_keys(small_model, digits[0])
    assert len(found) == 2 and found[0][0].shape == (2, 5, 4)
    weights = []
    hooks = [
        block.attn.attend.register_forward_hook(lambda m, i, out: weights.append(out)) for block in small_model.blocks
    ]
    for block in small_model.blocks:
        block.attn.fused = False
    try:
        small_model(digits[:1])
    finally:
        for hook in hooks:
            hook.remove()
        for block in small_model.blocks:
            block.attn.fused = True
    for (q, k), expected in zip(found, weights, strict=True):
        torch.testing.assert_close((q @ k.transpose(-2, -1) * 2**-1).softmax(-1), expected[0])


def test_attention_widget_line_and_scale_toggle(small_model, digits):
    widget = attention_widget(small_model, digits, [0, 1, 2], query=1, head=1, block=1)
    first_control(widget)
    assert widget.line.startswith("block 1, head 1, scaled by 1/sqrt(d): query patch 0 (row 0, col 0) puts")
    q, k = queries_and_keys(small_model, digits[0])[1]
    scores = q[1] @ k[1].T
    for scaled, factor in ((True, 0.5), (False, 1.0)):
        widget.controls["scaled"].value = scaled
        weights = (scores * factor).softmax(-1)
        count = int((weights.max(-1).values > SATURATED).sum())
        assert widget.line.endswith(f"rows with top weight > {SATURATED}: {count} of 5")
        assert f"puts {weights[1].max():.2f} on" in widget.line
        _, fig = widget.compute(query=1, head=1, block=1, digit=0, scaled=scaled)
        assert fig._suptitle.get_text().endswith(f": {count} of 5 rows saturated")  # the count is on the picture
    widget.controls["query"].value = 0
    assert "query class token puts" in widget.line
    assert bytes(widget.picture.value).startswith(b"\x89PNG")


def test_attention_widget_caches_queries_and_keys_per_digit(small_model, digits):
    widget = attention_widget(small_model, digits, [0, 1, 2])
    calls = []
    hook = small_model.register_forward_hook(lambda *args: calls.append(1))
    try:
        for query in range(5):
            widget.controls["query"].value = query
        widget.controls["digit"].value = 2
        widget.controls["head"].value = 1
    finally:
        hook.remove()
    assert len(calls) == 1  # only the new digit ran the model


def test_attention_widget_invalid_settings_show_a_message(small_model, digits):
    widget = attention_widget(small_model, digits, [0, 1, 2])
    with pytest.raises(ValueError, match="query must be a token index from 0"):
        widget.compute(query=9, head=0, block=0, digit=0, scaled=True)
    widget.images = digits[:1]  # digit 2 no longer exists
    widget.controls["digit"].value = 2
    assert widget.line == "cannot show this: digit must be an index from 0 to 0, got 2"
    assert widget.picture.layout.display == "none"


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "height", "width"),
    [(5, 4, 0, 8, 8), (20, 15, 0, 60, 100), (20, 25, 0, 60, 100), (7, 5, 2, 31, 23)],
)
def test_soft_split_widget_hatches_whole_lost_pixels(kernel, stride, padding, height, width, soft_split):
    _, fig = soft_split.compute(kernel=kernel, stride=stride, padding=padding, height=height, width=width)
    (hatched,) = [c for c in fig.axes[0].collections if c.get_gid() == "lost-pixels"]
    assert hatched.get_hatch() == "////"
    covered = torch.zeros(height, width, dtype=torch.int64)
    for path in hatched.get_paths():  # Rectangles in padded-image axes: pixel edges at whole numbers - 0.5
        (x0, y0), (x1, y1) = path.get_extents().get_points() + 0.5 - padding
        assert all(float(v).is_integer() for v in (x0, y0, x1, y1))
        covered[int(y0) : int(y1), int(x0) : int(x1)] += 1
    assert torch.equal(covered, (window_coverage(height, width, kernel, stride, padding) == 0).long())  # once each


def test_soft_split_widget_caption_names_only_the_windows_drawn():
    one = soft_split_widget(kernel=5, stride=4, padding=0, height=8, width=8)
    _, fig = one.compute(**one.values)
    caption = fig.axes[0].get_xlabel()
    assert "; tokens: 1 x 1 = 1, N² = 1 " in one.line and "window 0, the only one" in caption
    assert not any(word in caption for word in ("neighbour", "blue", "green", "dashed yellow"))
    many = soft_split_widget(kernel=20, stride=15, padding=0)
    _, fig = many.compute(**many.values)
    caption = fig.axes[0].get_xlabel().replace("\n", " ")
    for phrase in ("blue: its right neighbour", "green: its lower neighbour", "dashed yellow", "neighbours share 5"):
        assert phrase in caption
    row = soft_split_widget(kernel=20, stride=40, padding=0, height=20, width=100)  # 1 x 3: no lower neighbour
    _, fig = row.compute(**row.values)
    caption = fig.axes[0].get_xlabel().replace("\n", " ")
    assert (
        "; tokens: 1 x 3 = 3, N² = 9 " in row.line and "blue: its right neighbour" in caption and "green" not in caption
    )
