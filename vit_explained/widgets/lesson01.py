"""Lesson 01's widgets: how many tokens a patch size makes, and what a trained ViT learned about positions.

- :func:`patch_grid_widget`: sliders ``patch_size`` (the sizes that divide the image) and ``image_size`` over
  the photo; the line gives
  the grid, the token count (+ 1 class token) and the shape of the position table;
- :func:`token_index_widget`: a ``token`` slider over the photo's 196 patches; the picture marks the
  patch on the photo, its row in the token matrix and that row's ``(p1 p2 c)`` colour strip;
- :func:`position_similarity_widget`: a slider picks a patch of the shipped MNIST model; the
  picture is the cosine similarity of its learned position vector to every patch's;
- :func:`resized_positions_widget`: a ``grid`` slider and a ``resize`` toggle (2-D / 1-D) carry the
  shipped model's learned table to a new grid (section 7); the picture is the centre patch's similarity;
- :func:`shuffle_widget`: a ``seed`` slider shuffles the photo's patches and a ``positions`` on/off toggle
  adds the position table after the shuffle or not (section 5); the picture is how far the class token's
  output moves;
- :func:`digit_shuffle_widget`: the same ``seed`` slider and ``positions`` toggle over a trained ViT and a few
  digits; the line is the model's accuracy for the setting, the picture the shuffled digits with its guesses and
  their probabilities.
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import positive_int
from ..images import center_crop_resize, sample_image
from ..patches import patch_grid, patchify, unpatchify
from ..plotting import as_image, new_figure
from ..plotting.lesson01 import draw_patch_grid, plot_resized_positions, plot_shuffled_digits
from ..positional import interpolate_positions, nearest_position, patch_position_similarity
from . import LessonWidget

__all__ = [
    "DigitShuffleWidget",
    "PatchGridWidget",
    "PositionSimilarityWidget",
    "ResizedPositionsWidget",
    "ShuffleWidget",
    "TokenIndexWidget",
    "digit_shuffle_widget",
    "patch_grid_widget",
    "patch_sizes",
    "position_similarity_widget",
    "resize_table",
    "resized_positions_widget",
    "shuffle_widget",
    "token_index_widget",
]


def token_line(image_size: int, patch_size: int, dim: int) -> str:
    """``224 x 224 image, 16 x 16 patches: 14 x 14 = 196 patches + 1 class token = 197 tokens;
    pos_embedding (1, 197, 768); attention matrix 197^2 = 38,809 numbers per head``; ``patch_grid``'s
    ``ValueError`` if the patch does not divide."""
    rows, cols = patch_grid(image_size, image_size, patch_size)
    count = rows * cols
    return (
        f"{image_size} x {image_size} image, {patch_size} x {patch_size} patches: {rows} x {cols} = {count} patches "
        f"+ 1 class token = {count + 1} tokens; pos_embedding (1, {count + 1}, {dim}); "
        f"attention matrix {count + 1}^2 = {(count + 1) ** 2:,} numbers per head"
    )


def patch_sizes(image_size: int, smallest: int = 2, largest: int = 64) -> list[int]:
    """The patch sizes from ``smallest`` to ``largest`` that divide ``image_size``: what the slider offers."""
    return [size for size in range(smallest, min(largest, image_size) + 1) if image_size % size == 0]


class PatchGridWidget(LessonWidget):
    """Sliders ``patch_size`` (only the sizes that divide the image, :func:`patch_sizes`) and ``image_size``;
    the line from :func:`token_line`; the photo with its grid. A new image size keeps the nearest patch size."""

    def __init__(self, image: torch.Tensor, patch_size: int, image_size: int, dim: int) -> None:
        self.source = as_image(image)
        self.dim = positive_int("dim", dim)
        self._syncing = False  # True while the patch slider's options follow a new image size
        style = {"description_width": "80px"}
        sizes = patch_sizes(image_size)
        if patch_size not in sizes:
            patch_grid(image_size, image_size, patch_size)  # the package's message if it does not divide
            raise ValueError(f"patch_size must be one of {sizes} for image_size {image_size}, got {patch_size}")
        controls = {
            "patch_size": widgets.SelectionSlider(
                options=sizes, value=patch_size, description="patch_size", continuous_update=False, style=style
            ),
            "image_size": widgets.IntSlider(
                value=image_size,
                min=16,
                max=448,
                step=16,
                description="image_size",
                continuous_update=False,
                style=style,
            ),
        }
        controls["image_size"].observe(self._follow_image_size, names="value")  # before the redraw: registered first
        super().__init__(controls)

    def _follow_image_size(self, change: dict) -> None:
        """Offer the patch sizes that divide the new image size; keep the one nearest the current choice."""
        slider = self.controls["patch_size"]
        sizes = patch_sizes(change["new"])
        nearest = min(sizes, key=lambda size: (abs(size - slider.value), size))
        self._syncing = True  # one redraw, by the image_size change itself
        try:
            slider.options = sizes
            slider.value = nearest
        finally:
            self._syncing = False

    def update(self, change: object = None) -> None:
        if not self._syncing:
            super().update(change)

    def compute(self, patch_size: int, image_size: int) -> tuple[str, Figure]:
        line = token_line(image_size, patch_size, self.dim)  # raises if the patch does not divide the image
        fig = new_figure(figsize=(4.2, 4.4), dpi=80)
        ax = fig.subplots()
        rows, cols = draw_patch_grid(ax, center_crop_resize(self.source, image_size), patch_size)
        ax.set_title(f"{image_size} x {image_size}, {patch_size} x {patch_size} patches: {rows} x {cols}", fontsize=9)
        tokens = rows * cols + 1
        ax.set_xlabel(
            f"{rows * cols} patches + 1 class token = {tokens} tokens\npos_embedding (1, {tokens}, {self.dim})"
        )
        return line, fig


def patch_grid_widget(
    image: torch.Tensor | None = None, *, patch_size: int = 16, image_size: int = 224, dim: int = 768
) -> PatchGridWidget:
    """Sliders ``patch_size`` (first) and ``image_size`` over ``image`` (default: the photo); the
    line gives the grid, the tokens (+ 1 class token) and the ``pos_embedding`` shape for width ``dim``."""
    return PatchGridWidget(sample_image(None) if image is None else image, patch_size, image_size, dim)


class TokenIndexWidget(LessonWidget):
    """A ``token`` slider over an image's patches: the patch on the photo, its row of the token
    matrix and that row's ``(p1 p2 c)`` numbers as a strip of RGB cells."""

    def __init__(self, image: torch.Tensor, patch_size: int, token: int) -> None:
        self.image = as_image(image)
        self.patch_size = positive_int("patch_size", patch_size)
        _, height, width = self.image.shape
        self.grid = patch_grid(height, width, self.patch_size)
        self.patches = patchify(self.image[None], self.patch_size)[0].clamp(0, 1)  # (N, P*P*C), computed once
        count = self.grid[0] * self.grid[1]
        self.chopped = self.image.clamp(0, 1).reshape(count, -1)  # the permute forgotten: memory cut in order
        controls = {
            "token": widgets.IntSlider(value=token, min=0, max=count - 1, description="token", continuous_update=False),
            "permute": widgets.Checkbox(value=True, description="permute (uncheck: forgotten)"),
        }
        super().__init__(controls)

    def _forgotten_line(self, token: int) -> tuple[str, torch.Tensor]:
        """The line and the (H, W) mask of the pixels token ``token`` holds when the permute is forgotten."""
        channels, height, width = self.image.shape
        length = self.chopped.shape[1]
        start, stop = token * length, (token + 1) * length - 1  # its numbers in the image's (C, H, W) memory
        plane = height * width

        def named(channel: int) -> str:
            return f"channel {channel}" + (f" ({'RGB'[channel]})" if channels == 3 else "")

        first, last = start // plane, stop // plane
        top, bottom = start % plane // width, stop % plane // width
        mask = torch.zeros(channels * height * width, dtype=torch.bool)
        mask[start : stop + 1] = True
        if first == last:
            where = f"{named(first)}, pixel rows {top} to {bottom}: a strip of one colour"
        else:  # the token runs off the end of one channel's plane into the next
            where = f"{named(first)} rows {top}-{height - 1}, then {named(last)} rows 0-{bottom}: straddles two colours"
        line = (
            f"permute forgotten: token {token} = numbers {start} to {stop} of the image's memory (C, H, W): "
            f"{where}, not a square patch"
        )
        return line, mask.reshape(channels, height, width).any(dim=0)

    def forgotten_colours(self) -> torch.Tensor:
        """The chopped token matrix as an ``(N, P*P*C, 3)`` picture: each number in its channel's colour
        (a red-channel number as a shade of red, and so on), so a token cut from one plane is one colour."""
        count, length = self.chopped.shape
        _, height, width = self.image.shape
        channel = (torch.arange(count * length) // (height * width)).reshape(count, length)
        return torch.nn.functional.one_hot(channel, 3).float() * self.chopped[..., None]

    def compute(self, token: int, permute: bool = True) -> tuple[str, Figure]:
        cols = self.grid[1]
        count, length = self.patches.shape
        if not 0 <= token < count:
            raise ValueError(f"token must be an index from 0 to {count - 1}, got {token}")
        p, channels = self.patch_size, self.image.shape[0]
        row, col = divmod(token, cols)
        first = ", ".join(f"{v:.2f}" for v in self.patches[token, :channels].tolist())
        line = (
            f"token {token} = grid row {row}, column {col}: pixels {row * p} to {row * p + p - 1} down, "
            f"{col * p} to {col * p + p - 1} across; row {token} of the ({count}, {length}) token matrix, "
            f"its numbers 0 to {channels - 1} = the patch's top-left pixel ({first})"
        )
        mask = None
        if not permute:
            line, mask = self._forgotten_line(token)
        rows_of = self.patches if permute else self.chopped  # chopped: the memory as the Linear would read it
        strips = rows_of.reshape(count, p * p, channels)
        shown = strips if channels == 3 else strips[..., 0]
        if channels == 3 and not permute:  # each number drawn in its own channel's colour: R red, G green, B blue
            shown = self.forgotten_colours()
        cmap = None if channels == 3 else "gray"
        fig = new_figure(figsize=(12.5, 4.4), dpi=80)  # large: the still on GitHub stays legible
        grid = fig.add_gridspec(2, 2, width_ratios=(1, 1.6), height_ratios=(4, 1), hspace=0.6, wspace=0.25)
        photo, matrix, strip = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
        photo.imshow(self.image.permute(1, 2, 0).numpy() if channels == 3 else self.image[0].numpy(), cmap=cmap)
        if mask is None:
            photo.add_patch(Rectangle((col * p - 0.5, row * p - 0.5), p, p, fill=False, edgecolor="red", linewidth=2))
            photo.set_title(f"patch {token}: row {row}, column {col}", fontsize=12)
        else:  # the pixels the chopped token holds, outlined in red
            photo.contour(mask.float().numpy(), levels=[0.5], colors="red", linewidths=2)
            photo.set_title(f"token {token}, permute forgotten: a strip", fontsize=12)
        photo.set_xticks([])
        photo.set_yticks([])
        matrix.imshow(shown.numpy(), cmap=cmap, aspect="auto", interpolation="none", extent=(0, length, count, 0))
        marker = "yellow"  # one colour either way: without the permute the rows are drawn red, green and blue
        matrix.axhspan(token - 1, token + 2, fill=False, edgecolor=marker, linewidth=2)
        matrix.plot(-length * 0.02, token + 0.5, ">", color=marker, markersize=10, clip_on=False)  # points at the row
        matrix.set_xlim(0, length)
        kind = f"token matrix ({count}, {length})" if permute else f"memory cut into rows of {length} (no permute)"
        matrix.set_title(f"{kind}: row {token} in {marker}", fontsize=12)
        matrix.set_ylabel("token", fontsize=11)
        matrix.tick_params(labelsize=10)
        strip.imshow(shown[token : token + 1].numpy(), cmap=cmap, aspect="auto", interpolation="none",
                     extent=(0, length, 1, 0))  # fmt: skip
        strip.set_yticks([])
        strip.set_title(
            f"row {token}: (p1 p2 c), {channels} numbers per pixel, pixels row by row"
            if permute
            else f"row {token}: {length} numbers of the image's memory, each in its channel's colour",
            fontsize=12,
        )
        strip.tick_params(labelsize=10)
        return line, fig


def token_index_widget(image: torch.Tensor | None = None, *, patch_size: int = 16, token: int = 14) -> TokenIndexWidget:
    """A ``token`` slider (default 14, the first patch of the second row) over ``image`` (default: the
    ``224x224`` photo) cut into ``patch_size`` patches; the line says where the token's patch lies."""
    return TokenIndexWidget(sample_image(224) if image is None else image, patch_size, token)


class PositionSimilarityWidget(LessonWidget):
    """A ``patch`` slider over a trained ViT's learned positions: the similarity map of that patch."""

    def __init__(self, pos_embedding: torch.Tensor, grid: tuple[int, int], patch: int) -> None:
        self.similarity = patch_position_similarity(pos_embedding, grid)  # computed once
        self.nearest = nearest_position(self.similarity)
        rows, cols = self.similarity.shape[:2]
        controls = {
            "patch": widgets.IntSlider(
                value=patch, min=0, max=rows * cols - 1, description="patch", continuous_update=False
            )
        }
        super().__init__(controls)

    def compute(self, patch: int) -> tuple[str, Figure]:
        rows, cols = self.similarity.shape[:2]
        if not 0 <= patch < rows * cols:
            raise ValueError(f"patch must be an index from 0 to {rows * cols - 1}, got {patch}")
        row, col = divmod(patch, cols)
        near_row, near_col = self.nearest[row, col].tolist()
        value = self.similarity[row, col, near_row, near_col].item()
        line = (
            f"patch {patch} (row {row}, column {col}): most similar other patch {near_row * cols + near_col} "
            f"(row {near_row}, column {near_col}), cosine similarity {value:.2f}"
        )
        fig = new_figure(figsize=(3.6, 3.4), dpi=80)
        ax = fig.subplots()
        shown = ax.imshow(self.similarity[row, col].numpy(), cmap="viridis", vmin=-1, vmax=1)
        ax.plot(col, row, "s", markersize=9, markerfacecolor="none", markeredgecolor="white", markeredgewidth=1.5)
        ax.plot(near_col, near_row, "o", markersize=5, color="red")
        ax.set_title(f"patch {patch}'s position vs every patch's", fontsize=9)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        return line, fig


def position_similarity_widget(model: torch.nn.Module | None = None, *, patch: int = 6) -> PositionSimilarityWidget:
    """A ``patch`` slider over ``model``'s learned position embeddings (default: the shipped MNIST
    ViT, a 7 x 7 grid; patch 6, the top-right corner, whose most similar other patch is another
    border patch); the line names the patch's most similar other patch."""
    if model is None:
        from ..pretrained import load_mnist_vit

        model = load_mnist_vit()
    grid = tuple(model.patch_embedding.grid)
    return PositionSimilarityWidget(model.pos_embedding.detach(), grid, patch)


def resize_table(
    pos_embedding: torch.Tensor, grid: tuple[int, int], new_grid: tuple[int, int], resize: str
) -> torch.Tensor:
    """``(1, 1 + rows * cols, D)`` -> ``(1, 1 + new_rows * new_cols, D)``, the class token's row kept.

    ``resize="2-D"``: the package's :func:`interpolate_positions` (timm's antialiased bicubic on the
    grid); ``"1-D"``: a linear stretch of the patch rows along the sequence, as if they were a sentence's
    (section 7's sheared table)."""
    if resize == "2-D":
        return interpolate_positions(pos_embedding, new_grid, grid)
    if resize != "1-D":
        raise ValueError(f"resize must be '2-D' or '1-D', got {resize!r}")
    rows = torch.nn.functional.interpolate(
        pos_embedding[:, 1:].transpose(1, 2), size=new_grid[0] * new_grid[1], mode="linear"
    ).transpose(1, 2)
    return torch.cat([pos_embedding[:, :1], rows], dim=1)


class ResizedPositionsWidget(LessonWidget):
    """A ``grid`` slider (the new grid's side) and a ``resize`` toggle over a trained table; the line
    gives the centre patch's similarity to its four neighbours on the new grid."""

    def __init__(self, pos_embedding: torch.Tensor, grid: tuple[int, int], new_side: int) -> None:
        self.table, self.grid = pos_embedding.detach().float(), grid
        controls = {
            "grid": widgets.IntSlider(value=new_side, min=3, max=14, description="new grid", continuous_update=False),
            "resize": widgets.ToggleButtons(options=["2-D", "1-D"], value="2-D", description="resize"),
        }
        super().__init__(controls)

    def compute(self, grid: int, resize: str) -> tuple[str, Figure]:
        side = positive_int("grid", grid)
        if side < 3:
            raise ValueError(f"grid must be at least 3 to have a centre patch with four neighbours, got {side}")
        table = resize_table(self.table, self.grid, (side, side), resize)
        kernel = {"2-D": "2-D bicubic", "1-D": "1-D linear"}[resize]  # the kernel named in the line and the title
        row = col = side // 2
        similar = patch_position_similarity(table, (side, side))[row, col]
        line = (
            f"{side} x {side} grid ({side * side + 1} tokens), {kernel} resize: centre patch ({row}, {col}) vs "
            f"below {similar[row + 1, col]:+.2f}, above {similar[row - 1, col]:+.2f}, "
            f"left {similar[row, col - 1]:+.2f}, right {similar[row, col + 1]:+.2f}"
        )
        rows, cols = self.grid
        fig = plot_resized_positions(
            {f"trained ({rows} x {cols})": (self.table, self.grid), f"{kernel} resize": (table, (side, side))}
        )
        return line, fig


def resized_positions_widget(model: torch.nn.Module | None = None, *, grid: int = 9) -> ResizedPositionsWidget:
    """Section 7 to play with: a ``grid`` slider (first) and a ``resize`` toggle carry ``model``'s learned
    positions (default: the shipped MNIST ViT, 7 x 7) to a ``grid x grid`` grid, in 2-D or along the sequence."""
    if model is None:
        from ..pretrained import load_mnist_vit

        model = load_mnist_vit()
    return ResizedPositionsWidget(model.pos_embedding.detach(), tuple(model.patch_embedding.grid), grid)


class ShuffleWidget(LessonWidget):
    """A ``seed`` slider (which permutation of the patches) and a ``positions`` toggle over a ViT's encoder:
    the line gives the largest change of the class token's output when the patches are shuffled."""

    def __init__(self, model: torch.nn.Module, image: torch.Tensor, seed: int, positions: bool) -> None:
        self.image, self.encoder = as_image(image), model.encoder
        self.patch_size = model.patch_embedding.patch_size
        with torch.no_grad():
            self.tokens = model.patch_embedding(self.image[None])  # (1, N, D), computed once
        self.class_token, self.table = model.class_token.detach(), model.pos_embedding.detach()
        controls = {
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="shuffle seed", continuous_update=False),
            "positions": widgets.ToggleButtons(
                options=[("on", True), ("off", False)], value=positions, description="positions"
            ),
        }
        super().__init__(controls)

    def compute(self, seed: int, positions: bool) -> tuple[str, Figure]:
        count = self.tokens.shape[1]
        order = torch.randperm(count, generator=torch.Generator().manual_seed(int(seed)))
        both = torch.cat([self.tokens, self.tokens[:, order]])  # (2, N, D): in order, shuffled
        sequence = torch.cat([self.class_token.expand(2, -1, -1), both], dim=1)
        if positions:
            sequence = sequence + self.table  # added after the shuffle: the table stays in place
        with torch.no_grad():
            original, shuffled = (row[0] for row in self.encoder(sequence))  # the class token's output, twice
        moved = shuffled - original
        change, typical = moved.abs().max().item(), original.abs().mean().item()
        line = (
            f"shuffle seed {seed}, positions {'on' if positions else 'off'}: the class token's output moves by up "
            f"to {change:.2g} (typical |output| {typical:.1f})"
            + ("" if positions else ": float32 rounding only, the patches are a bag")
        )
        _, height, width = self.image.shape
        picture = unpatchify(patchify(self.image[None], self.patch_size)[:, order], self.patch_size, height, width)[0]
        fig = new_figure(figsize=(10, 3.2), dpi=80)
        photo, plot = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
        photo.imshow(picture.clamp(0, 1).permute(1, 2, 0).numpy() if picture.shape[0] == 3 else picture[0].numpy())
        photo.set_axis_off()
        photo.set_title(f"patches shuffled (seed {seed})")
        plot.plot(moved.numpy(), color="tab:orange" if positions else "tab:blue", lw=0.8 if positions else 2)
        plot.axhline(0, color="gray", lw=0.5)
        plot.set_ylim(-max(0.06, 1.2 * change), max(0.06, 1.2 * change))  # one scale: "off" stays visibly flat
        plot.set_title(f"class token's output, shuffled minus original (positions {'on' if positions else 'off'})")
        plot.set_xlabel(f"all {moved.numel()} of its numbers (index)")
        fig.tight_layout()
        return line, fig


def shuffle_widget(
    model: torch.nn.Module, image: torch.Tensor | None = None, *, seed: int = 0, positions: bool = True
) -> ShuffleWidget:
    """Section 5 to play with: a ``seed`` slider (first) picks a permutation of ``image``'s patches (default:
    the ``224x224`` photo), a ``positions`` toggle adds ``model``'s position table after the shuffle or not."""
    return ShuffleWidget(model, sample_image(224) if image is None else image, seed, positions)


class DigitShuffleWidget(LessonWidget):
    """A ``seed`` slider (which permutation of the patches) and a ``positions`` toggle over a trained ViT and
    a few digits ``(B, 1, H, W)``: the line gives the model's accuracy on the ``scored`` digits (shuffled and
    not, for this setting) and counts its right guesses on the drawn digits; the picture gives each drawn
    digit's prediction and the model's probability for it."""

    def __init__(
        self,
        model: torch.nn.Module,
        digits: torch.Tensor,
        labels: torch.Tensor,
        seed: int,
        scored: tuple[torch.Tensor, torch.Tensor],
    ) -> None:
        self.model, self.digits, self.labels = model, digits, labels
        self.scored, self.scored_labels = scored
        self.patch_size = model.patch_embedding.patch_size
        self._unshuffled: dict[bool, float] = {}  # positions -> accuracy on the unshuffled scored digits
        controls = {
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="shuffle seed", continuous_update=False),
            "positions": widgets.ToggleButtons(
                options=[("on", True), ("off", False)], value=True, description="positions"
            ),
        }
        super().__init__(controls)

    def probabilities(self, images: torch.Tensor, positions: bool) -> torch.Tensor:
        """The model's class probabilities ``(B, classes)``; without positions its table is left out."""
        model = self.model
        with torch.no_grad():
            tokens = torch.cat([model.class_token.expand(len(images), -1, -1), model.patch_embedding(images)], 1)
            features = model.encoder(tokens + model.pos_embedding if positions else tokens)
            return model.head(model.fc_norm(features[:, 0])).softmax(dim=-1)

    def guesses(self, images: torch.Tensor, positions: bool) -> torch.Tensor:
        """The model's guesses (its highest-probability class)."""
        return self.probabilities(images, positions).argmax(dim=-1)

    def shuffle(self, images: torch.Tensor, seed: int) -> torch.Tensor:
        """``images`` with their patches moved by seed ``seed``'s permutation (the same for every image)."""
        _, _, height, width = images.shape
        count = patchify(images[:1], self.patch_size).shape[1]
        order = torch.randperm(count, generator=torch.Generator().manual_seed(int(seed)))
        return unpatchify(patchify(images, self.patch_size)[:, order], self.patch_size, height, width)

    def accuracy(self, seed: int | None, positions: bool) -> float:
        """The share of the scored digits the model gets right, shuffled by ``seed`` (``None``: unshuffled)."""
        if seed is None and positions in self._unshuffled:
            return self._unshuffled[positions]
        images = self.scored if seed is None else self.shuffle(self.scored, seed)
        share = (self.guesses(images, positions) == self.scored_labels).float().mean().item()
        if seed is None:
            self._unshuffled[positions] = share
        return share

    def compute(self, seed: int, positions: bool) -> tuple[str, Figure]:
        shuffled = self.shuffle(self.digits, seed)
        plain, chances = self.guesses(self.digits, positions), self.probabilities(shuffled, positions)
        moved, top = chances.argmax(dim=-1), chances.max(dim=-1).values
        right, before = int((moved == self.labels).sum()), int((plain == self.labels).sum())
        line = (
            f"shuffle seed {seed}, positions {'on' if positions else 'off'}: accuracy on {len(self.scored_labels):,} "
            f"test digits {self.accuracy(seed, positions):.1%} shuffled, {self.accuracy(None, positions):.1%} "
            f"unshuffled; the {len(self.labels)} drawn: {right} right ({before} unshuffled), "
            f"the shuffle changes {int((moved != plain).sum())} guesses"
        ).replace("%", " %")
        fig = plot_shuffled_digits(self.digits, shuffled, self.labels, moved, count=len(self.labels), dpi=80)
        for ax, chance in zip(fig.axes[len(self.labels) :], top.tolist(), strict=True):
            ax.set_title(f"{ax.get_title()}\n(p {chance:.2f})", fontsize=9, color=ax.title.get_color())
        fig.tight_layout()
        return line, fig


def digit_shuffle_widget(
    model: torch.nn.Module,
    digits: torch.Tensor,
    labels: torch.Tensor,
    *,
    seed: int = 0,
    scored: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> DigitShuffleWidget:
    """Section 5 on a trained ViT: a ``seed`` slider (first) shuffles ``digits``' patches (seed 0 is
    section 5's permutation), a ``positions`` toggle keeps the model's table or leaves it out. The line gives
    the accuracy on ``scored = (images, labels)`` (default: the drawn digits) for the current setting."""
    if model.pool != "cls":
        raise ValueError(f"the widget reads the class token: give a model with pool='cls', got {model.pool!r}")
    return DigitShuffleWidget(model, digits, labels, seed, (digits, labels) if scored is None else scored)
