"""An interactive soft-split explorer for lesson 02 (ipywidgets).

Five sliders (``kernel``, ``stride``, ``padding``, ``height``, ``width``) choose a soft split of a
``height x width`` picture; the explorer prints one line, ``tokens: 6 x 10 = 60`` (rows x cols =
total, from :func:`vit_explained.count_tokens`), and redraws the padded picture with its windows.
A split that does not fit prints the package's error message instead of a traceback.

The logic is in two pure functions, :func:`token_count_line` and :func:`window_grid_png`, so it can
be tested without a browser; :class:`SoftSplitExplorer` only wires them to the sliders.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .images import center_crop_resize, sample_image
from .soft_split import count_tokens

#: The sliders' ranges, ``(min, max)``; a start value outside a range widens it.
SLIDER_RANGES: dict[str, tuple[int, int]] = {
    "kernel": (1, 64),
    "stride": (1, 32),
    "padding": (0, 16),
    "height": (8, 240),
    "width": (8, 240),
}


def token_count_line(height: int, width: int, kernel: int, stride: int, padding: int) -> str:
    """The explorer's one line of text: ``tokens: rows x cols = total``, e.g. ``tokens: 6 x 10 = 60``
    for a 60x100 image with kernel 20, stride 10, padding 5; for a split that does not fit,
    ``cannot split: <the message of count_tokens's ValueError>``."""
    try:
        grid = count_tokens(height, width, kernel, stride, padding)
    except (ValueError, TypeError) as error:
        return f"cannot split: {error}"
    return f"tokens: {grid.rows} x {grid.cols} = {grid.total}"


def window_grid_png(image: torch.Tensor, kernel: int, stride: int, padding: int, *, width_inches: float = 6.0) -> bytes:
    """PNG bytes of :func:`vit_explained.plotting.soft_split.draw_window_grid` for ``image`` ``(C, H, W)``.

    Drawn on a figure outside pyplot, so nothing is shown twice in a notebook; raises the
    ``ValueError`` of :func:`vit_explained.count_tokens` if the split does not fit.
    """
    from .plotting.soft_split import draw_window_grid, window_grid_title

    _, height, width = image.shape
    grid = count_tokens(height, width, kernel, stride, padding)  # raises before any drawing
    aspect = (height + 2 * padding) / (width + 2 * padding)
    fig = Figure(figsize=(width_inches, min(max(width_inches * aspect, 1.5), 9.0) + 0.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    draw_window_grid(ax, image, kernel, stride, padding, numbers=grid.total <= 80)
    ax.set_title(window_grid_title(grid, kernel, stride, padding, image.shape[0]), fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


class SoftSplitExplorer(widgets.VBox):
    """Sliders for a soft split, the printed token count and the picture with its windows.

    ``sliders`` maps each name (``kernel``, ``stride``, ``padding``, ``height``, ``width``) to its
    ``IntSlider``; ``output`` is the ``Output`` widget holding the printed line; ``picture`` is the
    ``Image`` widget (hidden when the split does not fit); ``line`` is the current text.
    """

    def __init__(
        self,
        image: torch.Tensor | None = None,
        height: int = 60,
        width: int = 100,
        kernel: int = 20,
        stride: int = 10,
        padding: int = 5,
    ) -> None:
        if image is None:
            image = sample_image(None, grayscale=True)
        if not isinstance(image, torch.Tensor) or image.dim() != 3 or image.shape[0] not in (1, 3):
            raise ValueError(
                f"image must be a (C, H, W) tensor with C = 1 or 3, got {getattr(image, 'shape', type(image).__name__)}"
            )
        self.source = image.detach().float().cpu()
        start = {"kernel": kernel, "stride": stride, "padding": padding, "height": height, "width": width}
        self.sliders: dict[str, widgets.IntSlider] = {}
        for name, value in start.items():
            low, high = SLIDER_RANGES[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
            self.sliders[name] = widgets.IntSlider(
                value=value,
                min=low,
                max=max(high, value),
                description=name,
                continuous_update=False,
                style={"description_width": "60px"},
            )
        self.output = widgets.Output()
        # flex-start: shown at its own size rather than stretched across the notebook
        self.picture = widgets.Image(format="png", layout=widgets.Layout(align_self="flex-start"))
        self.line = ""
        rows = [
            widgets.HBox([self.sliders[name] for name in ("kernel", "stride", "padding")]),
            widgets.HBox([self.sliders[name] for name in ("height", "width")]),
        ]
        super().__init__([*rows, self.output, self.picture])
        for slider in self.sliders.values():
            slider.observe(self.redraw, names="value")
        self.redraw()

    @property
    def values(self) -> dict[str, int]:
        """The sliders' current values by name."""
        return {name: slider.value for name, slider in self.sliders.items()}

    def redraw(self, change: object = None) -> None:
        """Print the token count line into ``output`` and redraw ``picture`` (called on every slider move)."""
        values = self.values
        self.line = token_count_line(**values)
        # Replacing the Output widget's outputs is what print() inside it would do, and it works
        # the same in a kernel, in a test and from a slider callback.
        self.output.outputs = ({"output_type": "stream", "name": "stdout", "text": self.line + "\n"},)
        if self.line.startswith("cannot split"):
            self.picture.layout.display = "none"
            return
        image = center_crop_resize(self.source, (values["height"], values["width"]))
        png = window_grid_png(image, values["kernel"], values["stride"], values["padding"])
        self.picture.width = str(int.from_bytes(png[16:20], "big"))  # the PNG's own width (its IHDR chunk)
        self.picture.value = png
        self.picture.layout.display = None


def soft_split_explorer(
    image: torch.Tensor | None = None,
    height: int = 60,
    width: int = 100,
    kernel: int = 20,
    stride: int = 10,
    padding: int = 5,
) -> SoftSplitExplorer:
    """The soft-split explorer (an ``ipywidgets.VBox``): sliders ``kernel``, ``stride``, ``padding``,
    ``height``, ``width``; a printed line ``tokens: rows x cols = total``; the picture with its windows.

    ``image`` is a ``(C, H, W)`` tensor in ``[0, 1]`` (default: the Grace Hopper photo in grayscale),
    centre-cropped and resized to ``height x width`` as the sliders move. Display the result as the
    last expression of a notebook cell.
    """
    return SoftSplitExplorer(image, height, width, kernel, stride, padding)
