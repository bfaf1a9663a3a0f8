"""Interactive widgets for the lessons (ipywidgets 8), one module per lesson, all built the same way.

A lesson widget is a :class:`LessonWidget`: controls on top, one line of text, one picture. The
computation lives in a pure function of the control values (tested without a browser); the widget
only wires it to the controls. Bad settings show the package's error message as the line, never a
traceback. In a stored notebook (GitHub, nbviewer) the cell still shows the last picture: the
widget's display bundle carries a PNG beside the live view.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__ = ["LessonWidget", "figure_png"]


def figure_png(fig: Figure, *, dpi: int = 80) -> bytes:
    """PNG bytes of ``fig`` with no timestamp in the metadata (the same bytes run after run)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


class LessonWidget(widgets.VBox):
    """Controls, a line of text (``self.line``, shown in ``self.output``) and a picture (``self.picture``).

    Subclasses implement :meth:`compute`, a function of the control values returning
    ``(line, figure_or_None)``. A ``ValueError`` or ``TypeError`` raised by it becomes the line
    ``"cannot show this: <message>"`` and hides the picture. ``dpi`` sets the picture's resolution.
    """

    dpi: int = 80

    def __init__(self, controls: Mapping[str, widgets.ValueWidget], *, rows: int = 1) -> None:
        self.controls = dict(controls)
        self.output = widgets.Output()
        # flex-start: shown at its own size rather than stretched across the notebook
        self.picture = widgets.Image(format="png", layout=widgets.Layout(align_self="flex-start"))
        self.line = ""
        boxes = list(self.controls.values())
        per_row = max(1, -(-len(boxes) // rows))
        control_rows = [widgets.HBox(boxes[i : i + per_row]) for i in range(0, len(boxes), per_row)]
        super().__init__([*control_rows, self.output, self.picture])
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values by name."""
        return {name: control.value for name, control in self.controls.items()}

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        """``(line, figure)`` for the given control values; subclasses override this."""
        raise NotImplementedError

    def update(self, change: object = None) -> None:
        """Recompute from the controls; show the line and the picture (called on every change)."""
        try:
            line, fig = self.compute(**self.values)
        except (ValueError, TypeError) as error:
            line, fig = f"cannot show this: {error}", None
        self.line = line
        # Replacing the Output widget's outputs works the same in a kernel, a test and a callback.
        self.output.outputs = ({"output_type": "stream", "name": "stdout", "text": line + "\n"},)
        if fig is None:
            self.picture.layout.display = "none"
            return
        png = figure_png(fig, dpi=self.dpi)
        self.picture.width = str(int.from_bytes(png[16:20], "big"))  # the PNG's own width (its IHDR chunk)
        self.picture.value = png
        self.picture.layout.display = None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, plus the current picture as a static PNG for viewers without a kernel."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle = bundle[0]
        bundle = dict(bundle or {})
        if self.picture.value and self.picture.layout.display != "none":
            bundle["image/png"] = base64.b64encode(self.picture.value).decode("ascii")
        bundle["text/plain"] = f"{type(self).__name__}: {self.line}"
        return bundle
