"""Lesson 09's widget: lesson 08's attention explorer on the distilled DeiT, opened on both special tokens' maps.

The controls are the same (digit, block, head, method, token); with a DeiT both special tokens
have a map, so the ``token`` dropdown compares the class token's with the distillation token's.
The widget's line (digit, prediction, method, token, block, head, top patch, share on ink) is shown as text
above the picture; the picture's title is its short head (digit, prediction and settings), so a lesson prints
``w.line`` next to a stored picture.

Two controls of its own: ``view`` shows one token's map, or the class token's and the distillation token's
side by side; ``start`` is where the slice of the patch columns starts, 2 (right for a DeiT: ``[:, :, q, 2:]``)
or 1 (the ViT habit ``[:, :, q, 1:]`` cut to the grid's 49 columns, titled ``[:, :, q, 1:50]``):
the map the wrong start gives, key 1 (the
distillation token) on patch (0, 0) and every patch one place late, the last patch dropped. At start 1 each
token's map is drawn beside the right one (start 2), a frame marks each panel's top patch, and the line names
both top patches and both shares on ink, each with its slice (``wrong slice (1, 4), map 68% on ink, right
slice (1, 3), map 72% on ink``: the share is the whole map's): the right slice's share is the one lesson 09's
section 6 prints for the same map.
The lesson opens the widget on that view: ``view="class | distillation"``, ``start=1`` (four maps: each
token's wrong and right one), on a digit and block chosen with ``digit=`` and ``block=`` (a clear top patch that
the wrong slice moves off the ink). The title's note says "one patch to the right" only where the frames show it
(:func:`one_patch_right`); otherwise it gives the row-major rule.

Every line ends with what the two heads and, if given, the teacher predict for the digit.

``distillation`` switches the distillation head on (the default: the DeiT's answer, both heads' logits averaged,
as at inference) or off (the class head's answer alone). Off, the line's prediction is the class head's and
says so, and the map is the class token's (the ``token`` and ``view`` controls are greyed out). The weights do
not change: off shows what the same model answers without its second head, not a DeiT trained without a teacher.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure
from torch import nn

from ..attention_maps import ink_share
from . import LessonWidget
from .lesson08 import TOKENS, AttentionExplorer

__all__ = [
    "DISTILLATION",
    "TEMPERATURES",
    "VIEWS",
    "DeiTAttentionExplorer",
    "TeacherTargets",
    "deit_attention_explorer",
    "one_patch_right",
    "shift_note",
    "teacher_targets",
]

#: The widget's views: one token's map (the ``token`` control), or both special tokens' maps side by side.
VIEWS = ("one token", "class | distillation")
#: The ``distillation`` control: the distillation head on (both heads averaged) or off (the class head alone).
DISTILLATION = ("on", "off")


class DeiTAttentionExplorer(AttentionExplorer):
    """:class:`~vit_explained.widgets.lesson08.AttentionExplorer` whose picture is titled with its line."""

    def __init__(
        self,
        model: nn.Module,
        images: torch.Tensor,
        labels: torch.Tensor,
        *,
        view: str = VIEWS[0],
        start: int = 2,
        teacher: nn.Module | None = None,
        distillation: str = DISTILLATION[0],
        digit: int = 0,
        block: int | None = None,
        **kwargs: Any,
    ) -> None:
        if view not in VIEWS or start not in (1, 2) or distillation not in DISTILLATION:
            raise ValueError(
                f"view must be one of {list(VIEWS)}, start 1 or 2 and distillation one of {list(DISTILLATION)}, "
                f"got {view!r}, {start!r} and {distillation!r}"
            )
        if not 0 <= digit < len(images):
            raise ValueError(f"digit must be in 0..{len(images) - 1}, got {digit}")
        depth = len(model.blocks)
        block = depth - 1 if block is None else block
        if not 0 <= block < depth:
            raise ValueError(f"block must be in 0..{depth - 1}, got {block}")
        self._first = {"view": view, "start": start, "distillation": distillation, "digit": digit, "block": block}
        self.readouts = _readouts(model, images, teacher)  # per digit: what each head (and the teacher) says
        with torch.no_grad():
            self.class_predictions = model.forward_heads(images)[0].argmax(-1)  # the class head alone
        super().__init__(model, images, labels, **kwargs)

    def picture_title(self, line: str, title: str) -> str:
        """The line's head, up to the settings (the whole line is the widget's text, above the picture)."""
        head = _example(self._answer(line.split(": ")[0], getattr(self, "_digit", 0)))
        return head + ":\n" + line.split(": ")[1]

    def _with_readout(self, line: str, digit: int) -> str:
        return f"{_example(self._answer(line, digit))}; {self.readouts[digit]}"

    def extra_controls(self, *, classes: int) -> dict[str, widgets.Widget]:
        """``view`` (one token, or both side by side) and ``start`` (where the patch columns' slice starts)."""
        options = [(f"example {i}: a {int(label)}", i) for i, label in enumerate(self.labels)]
        return {
            "digit": widgets.Dropdown(options=options, value=self._first["digit"], description="example"),  # replaces
            "block": widgets.IntSlider(  # replaces lesson 08's, to open on a chosen block
                value=self._first["block"], min=0, max=len(self.model.blocks) - 1, description="block"
            ),
            "view": widgets.Dropdown(options=list(VIEWS), value=self._first["view"], description="view"),
            "start": widgets.Dropdown(options=[2, 1], value=self._first["start"], description="slice start"),
            "distillation": widgets.Dropdown(
                options=list(DISTILLATION), value=self._first["distillation"], description="distillation"
            ),
        }

    def update(self, change: object = None) -> None:
        """As lesson 08's, after greying out ``token`` and ``view`` (class token, one map) when distillation is off."""
        controls = self.controls
        if "distillation" in controls:
            off = controls["distillation"].value == DISTILLATION[1]
            controls["token"].disabled = controls["view"].disabled = off
            if off and (controls["token"].value, controls["view"].value) != ("class", VIEWS[0]):
                controls["token"].value, controls["view"].value = "class", VIEWS[0]  # their observers update
                return
        super().update(change)

    control_rows = 3

    def sliced(self, matrix: torch.Tensor, query: int, start: int) -> torch.Tensor:
        """Row ``query`` of ``matrix``, ``rows * cols`` columns from ``start``, on the grid: ``(rows, cols)``."""
        rows, cols = self.grid
        return matrix[query, start : start + rows * cols].reshape(rows, cols)

    def top_two(self, *, digit: int, block: int, query: int) -> tuple[float, float]:
        """The right map's (start 2) top patch weight and its runner-up: token ``query``, heads averaged."""
        matrix = self.matrix_for(digit=digit, block=block, head="mean", method="raw attention")
        first, second = self.sliced(matrix, query, 2).flatten().topk(2).values.tolist()
        return first, second

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        view, start = values.pop("view", VIEWS[0]), int(values.pop("start", 2))
        distillation = values.pop("distillation", DISTILLATION[0])
        if start not in (1, 2) or view not in VIEWS or distillation not in DISTILLATION:
            raise ValueError(
                f"start must be 1 or 2, view one of {list(VIEWS)} and distillation one of {list(DISTILLATION)}, "
                f"got {start!r}, {view!r} and {distillation!r}"
            )
        self._distillation = distillation  # picture_title and the line name the answer it gives
        if distillation == DISTILLATION[1]:
            values["token"], view = "class", VIEWS[0]  # without the distillation head: the class token's map
        if view == VIEWS[0] and start == 2:
            digit = int(values["digit"])
            self._digit = digit  # picture_title adds the readout of this digit
            line, fig = super().compute(**values)  # lesson 08's picture and line
            return self._with_readout(line, digit), fig
        return self._sliced_view(values, view, start)

    def _answer(self, line: str, digit: int) -> str:
        """``line`` with its prediction the class head's alone when distillation is off (unchanged when on)."""
        if getattr(self, "_distillation", DISTILLATION[0]) == DISTILLATION[0]:
            return line
        fused, alone = int(self.predictions[digit]), int(self.class_predictions[digit])
        return line.replace(
            f"predicted {fused})",
            f"distillation off: the class head alone predicts {alone}, both heads averaged {fused})",
            1,
        )

    def _sliced_view(self, values: dict[str, Any], view: str, start: int) -> tuple[str, Figure]:
        """The line and picture of the side-by-side view and of a slice that starts at column 1."""
        from ..plotting.lesson08 import plot_map_columns

        self.map_for(**values)  # the same checks of the settings as the one-token view
        digit, block = int(values["digit"]), int(values["block"])
        tokens = list(TOKENS) if view == VIEWS[1] else [values["token"]]
        matrix = self.matrix_for(digit=digit, block=block, head=values["head"], method=values["method"])
        maps = torch.stack([self.sliced(matrix, TOKENS.index(token), start) for token in tokens])  # (K, rows, cols)
        found = []
        for token, grid in zip(tokens, maps, strict=True):  # the line reads the maps of the chosen start
            row, col = divmod(int(grid.flatten().argmax()), self.grid[1])
            share = float(ink_share(grid[None], self.images[digit : digit + 1])[0])
            if start == 2:
                found.append(f"{token} token top patch ({row}, {col}), map {share:.0%} on ink")
                continue
            right_map = self.sliced(matrix, TOKENS.index(token), 2)  # both slices named: the numbers never mix
            right_row, right_col = divmod(int(right_map.argmax()), self.grid[1])
            right_share = float(ink_share(right_map[None], self.images[digit : digit + 1])[0])
            found.append(
                f"{token} token top patch, wrong slice ({row}, {col}), map {share:.0%} on ink, "
                f"right slice ({right_row}, {right_col}), map {right_share:.0%} on ink"
            )
        label, predicted = int(self.labels[digit]), int(self.predictions[digit])
        head = "heads averaged" if values["head"] == "mean" else f"head {values['head']}"
        slip = "" if start == 2 else " (every patch one place late)"
        width = self.grid[0] * self.grid[1]  # start 1 draws the slip's first rows * cols columns: 1:50 on 7 x 7
        where = f"block {block} of {len(self.model.blocks)} (0-based)"  # not the last block unless it says so
        settings = f"{values['method']}, {where}, {head}, slice [:, :, q, {_columns(start, width)}]{slip}"
        line = self._with_readout(
            f"example {digit} (a {label}, predicted {predicted}): {settings}: " + "; ".join(found), digit
        )
        title = f"{self._answer(f'example {digit} (a {label}, predicted {predicted})', digit)}: {settings}"
        if start == 1:
            title += "\nframes: each map's top patch (orange arrow: the shift); " + shift_note(
                {t: (self.sliced(matrix, TOKENS.index(t), 1), self.sliced(matrix, TOKENS.index(t), 2)) for t in tokens}
            )
        starts = [start] if start == 2 else [1, 2]  # at start 1, the right map (start 2) beside each wrong one
        panels = torch.stack([self.sliced(matrix, TOKENS.index(t), s) for t in tokens for s in starts])
        mark = {1: " (wrong)", 2: " (right)"} if start == 1 else {2: ""}
        titles = [f"{t}, [:, :, {TOKENS.index(t)}, {_columns(s, width)}]{mark[s]}" for t in tokens for s in starts]
        fig = plot_map_columns(
            self.images[digit : digit + 1],
            panels[None],
            titles=titles,
            labels=[f"a {label}"],
            title=title,  # the slip's warning stays in the title; the whole line is the widget's text
            panel=3.0,
        )
        _outline_top_patches(fig.axes[1 : 1 + len(titles)], panels, tuple(self.images.shape[-2:]))
        if start == 1:  # each wrong panel: an arrow from where the right map's top patch is to where it is drawn
            _arrow_shift(fig.axes[1 : 1 + len(titles)], panels, tuple(self.images.shape[-2:]))
        return line, fig


def _columns(start: int, width: int) -> str:
    """The slice a panel draws: ``2:`` (all patch columns of a DeiT), or ``1:50`` on a 7 x 7 grid (the ViT habit
    ``1:`` holds 50 columns there and cannot be reshaped to the grid, so start 1 draws its first 49)."""
    return f"{start}:" if start == 2 else f"{start}:{start + width}"


#: The title's note when a wrong slice's top patch is not simply one to the right of the right slice's.
ROW_MAJOR_NOTE = "each value is drawn one place later (row-major); the special-token column lands on (0, 0)"


def one_patch_right(wrong: torch.Tensor, right: torch.Tensor) -> bool:
    """Whether the top patch of ``wrong`` (a slice from column 1, ``(rows, cols)``) is one patch to the right of the
    top patch of ``right`` (the slice from column 2), in the same row. False when key 1's column wins in ``wrong``
    (it lands on (0, 0)), when the right top patch is the last one (dropped) or in the last column (the shift wraps
    to the next row)."""
    cols = right.shape[-1]
    top_wrong, top_right = int(wrong.flatten().argmax()), int(right.flatten().argmax())
    return top_wrong == top_right + 1 and top_right % cols < cols - 1


def shift_note(pairs: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> str:
    """The title's note on a start-1 view: ``pairs`` maps a token to its (wrong, right) maps. "One patch to the
    right" is said only of the tokens whose maps show it (:func:`one_patch_right`); otherwise the row-major rule."""
    holds = [token for token, (wrong, right) in pairs.items() if one_patch_right(wrong, right)]
    if len(holds) == len(pairs):
        return "a wrong slice's is one patch to the right of the right one's"
    if not holds:
        return ROW_MAJOR_NOTE
    return f"{ROW_MAJOR_NOTE}; {holds[0]}: one patch right"


def _outline_top_patches(axes: list, panels: torch.Tensor, size: tuple[int, int]) -> None:
    """A frame around each panel's top patch (``panels`` ``(K, rows, cols)``, one axis each, pixel coordinates
    of an image of ``size``), so a wrong slice's shifted top patch shows next to the right one."""
    from matplotlib.patches import Rectangle

    rows, cols = panels.shape[-2:]
    tall, wide = size[0] / rows, size[1] / cols
    for ax, grid in zip(axes, panels, strict=True):
        row, col = divmod(int(grid.flatten().argmax()), cols)
        ax.add_patch(Rectangle((col * wide, row * tall), wide, tall, fill=False, edgecolor="white", lw=2.5))
        ax.add_patch(Rectangle((col * wide, row * tall), wide, tall, fill=False, edgecolor="black", lw=1.0, ls="--"))


def deit_attention_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, **kwargs: Any
) -> DeiTAttentionExplorer:
    """A :class:`DeiTAttentionExplorer` on a DeiT (end a notebook cell with it). The ``token`` control starts on
    the distillation token; ``view`` and ``start`` choose what opens (the lesson: both tokens, slice start 1)."""
    if getattr(model, "num_special_tokens", 1) != 2:
        raise TypeError(f"deit_attention_explorer needs a DeiT (two special tokens), got {type(model).__name__}")
    kwargs.setdefault("token", "distillation")
    return DeiTAttentionExplorer(model, images, labels, **kwargs)


def _readouts(model: nn.Module, images: torch.Tensor, teacher: nn.Module | None) -> list[str]:
    """Per digit, what the two heads (and the teacher) predict: ``class head 6, distillation head 6, teacher 6``."""
    with torch.no_grad():
        class_logits, distillation_logits = model.forward_heads(images)
        said = [class_logits.argmax(-1), distillation_logits.argmax(-1)]
        if teacher is not None:
            said.append(teacher(images).argmax(-1))
    names = ["class head", "distillation head", "teacher"][: len(said)]
    return [", ".join(f"{name} {int(s[i])}" for name, s in zip(names, said, strict=True)) for i in range(len(images))]


#: The temperature slider's stops (1: the teacher's own softmax; 20: nearly uniform on these digits).
TEMPERATURES = (1, 2, 3, 5, 10, 20)


class TeacherTargets(LessonWidget):
    """Distillation's idea on one digit: the teacher's hard target (its argmax, one-hot) beside its soft target,
    ``softmax(Z_t / tau)``, at the chosen temperature ``tau``. Controls: ``digit`` and ``tau``. The line names the
    teacher's choice, the soft target's top two classes and what the other classes share."""

    def __init__(self, teacher: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, digit: int = 0) -> None:
        if not 0 <= digit < len(images):
            raise ValueError(f"digit must be in 0..{len(images) - 1}, got {digit}")
        teacher.eval()
        with torch.no_grad():
            self.teacher_logits = teacher(images)  # (B, classes)
        self.labels = labels
        options = [(f"example {i}: a {int(label)}", i) for i, label in enumerate(labels)]
        super().__init__(
            {
                "digit": widgets.Dropdown(options=options, value=digit, description="example"),
                "tau": widgets.SelectionSlider(options=list(TEMPERATURES), value=3, description="tau"),
            }
        )

    def compute(self, **values: Any) -> tuple[str, Figure]:
        from ..plotting.lesson09 import plot_teacher_targets

        digit, tau = int(values["digit"]), float(values["tau"])
        if not 0 <= digit < len(self.labels) or tau <= 0:
            raise ValueError(f"digit must be in 0..{len(self.labels) - 1} and tau positive, got {digit} and {tau}")
        logits = self.teacher_logits[digit]
        soft = (logits.double() / tau).softmax(-1)
        (first, second) = soft.topk(2).indices.tolist()
        rest = 1 - float(soft[first]) - float(soft[second])
        line = (
            f"example {digit} (a {int(self.labels[digit])}): the teacher says {int(logits.argmax())}, the hard target "
            f"puts 1 there; the soft target at tau {tau:g}: {first} {float(soft[first]):.2f}, {second} "
            f"{float(soft[second]):.2f}, the other {soft.numel() - 2} classes {rest:.2f} together"
        )
        label = int(self.labels[digit])
        title = (
            f"example {digit}, a {label}: the teacher's hard target and\nits soft target at tau {tau:g} (argmax in red)"
        )
        return line, plot_teacher_targets(logits, temperatures=(tau,), title=title, true_label=label, scale=1.25)


def _example(line: str) -> str:
    """``line`` naming its example by index, "example 7", where lesson 08's line says "digit 7": in lesson 09 a digit
    is a class (7 and 1 in section 3b), an example is one image."""
    return "example " + line[len("digit ") :] if line.startswith("digit ") else line


def teacher_targets(teacher: nn.Module, images: torch.Tensor, labels: torch.Tensor, **kwargs: Any) -> TeacherTargets:
    """A :class:`TeacherTargets` (end a notebook cell with it)."""
    return TeacherTargets(teacher, images, labels, **kwargs)


def _arrow_shift(axes: list, panels: torch.Tensor, size: tuple[int, int]) -> None:
    """On each wrong panel (``axes[0::2]``, beside its right one in ``axes[1::2]``; ``panels`` in the same order):
    an orange frame where the right map's top patch is and an arrow from it to the wrong map's top patch, the
    one-patch shift of a slice that starts a column early. No arrow where the two top patches coincide."""
    from matplotlib.patches import Rectangle

    rows, cols = panels.shape[-2:]
    tall, wide = size[0] / rows, size[1] / cols
    for ax, wrong, right in zip(axes[0::2], panels[0::2], panels[1::2], strict=True):
        (r0, c0), (r1, c1) = (divmod(int(grid.flatten().argmax()), cols) for grid in (right, wrong))
        ax.add_patch(Rectangle((c0 * wide, r0 * tall), wide, tall, fill=False, edgecolor="#ff7f0e", lw=1.5, ls=":"))
        if (r0, c0) != (r1, c1):
            start, end = ((c0 + 0.5) * wide, (r0 + 0.5) * tall), ((c1 + 0.5) * wide, (r1 + 0.5) * tall)  # centres
            ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#ff7f0e", "lw": 2})
