"""Lesson 08's widgets: the three maps of a digit with their deletion curves (:class:`MapsExplorer`, the
lesson's), and an attention explorer over a few digits (:class:`AttentionExplorer`, one map at a time; lesson
09 uses it on the DeiT).

:class:`AttentionExplorer`: pick a digit, a block and a head; choose raw attention, rollout or
gradient-weighted rollout; choose the class token or (for a DeiT, lesson 09) the distillation token.
The line of text names the
map's top patch and how much of the map lies on inked patches; the picture overlays the map on
the digit, with the same line as its title (a stored notebook shows only the picture). Everything the
controls can ask for is computed once, when the widget is built (one forward pass with the attention
captured, one backward pass per token for the gradients), so an update only slices and multiplies small tensors.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure
from torch import nn

from ..attention_maps import (
    attention_rollout,
    capture_attention,
    capture_attention_gradients,
    cascade_steps,
    deletion_areas,
    gradient_weighted_rollout,
    ink_per_patch,
    ink_share,
    randomised_copy,
    token_attention,
    with_article,
)
from . import LessonWidget

__all__ = ["METHODS", "AttentionExplorer", "MapsExplorer", "attention_explorer", "maps_explorer"]

METHODS = ("raw attention", "rollout", "gradient-weighted")
TOKENS = ("class", "distillation")


class AttentionExplorer(LessonWidget):
    """Controls: ``digit`` (dropdown), ``block`` (slider), ``head`` (``"mean"`` or a head), ``method``
    (:data:`METHODS`), ``token`` (class or distillation; a model without a distillation token offers the class
    token only, greyed out). ``compute`` returns the line and a figure.

    ``model`` is a :class:`~vit_explained.ViT` or :class:`~vit_explained.deit.DeiT` in eval mode;
    ``images`` ``(B, 1, H, W)`` and ``labels`` ``(B,)`` a handful of digits (8 is plenty).
    Raw attention: the chosen block's weights (one head, or their mean). Rollout: blocks 0 to the
    chosen block, heads averaged. Gradient-weighted: Chefer et al.'s relevance through blocks 0 to
    the chosen block, for each digit's predicted class (the line names it). Rollout and
    gradient-weighted average the heads: choosing either puts ``head`` back to ``"mean"`` and
    disables it until raw attention is chosen again.
    """

    def __init__(self, model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, token: str = "class") -> None:
        if not isinstance(model, nn.Module) or not hasattr(model, "blocks"):
            raise TypeError(f"model must be a ViT or a DeiT, got {type(model).__name__}")
        model.eval()
        self.model, self.images, self.labels = model, images, labels
        self.special_tokens = int(getattr(model, "num_special_tokens", 1))
        self.grid = tuple(model.patch_embedding.grid)
        with capture_attention(model) as attentions, torch.no_grad():
            logits = model(images)
        self.attentions = attentions  # per block: (B, heads, N, N)
        self.predictions = logits.argmax(-1)
        self.gradients = {}  # token -> per block (B, heads, N, N) gradients of the predicted class's logit
        with capture_attention_gradients(model) as record:
            output = model(images.clone().requires_grad_(True))
            output.gather(1, self.predictions[:, None]).sum().backward()
        self.gradients = record.gradients
        model.zero_grad(set_to_none=True)
        depth, heads = len(attentions), attentions[0].shape[1]
        options = [(f"{self.digit_name(i)}: {self.a_label(int(label))}", i) for i, label in enumerate(labels)]
        tokens = TOKENS[: min(self.special_tokens, len(TOKENS))]  # a plain ViT: the class token only, greyed out
        if token not in tokens:
            raise ValueError(f"this {type(model).__name__} has no {token} token; choose one of {list(tokens)}")
        controls = {
            "digit": widgets.Dropdown(options=options, value=0, description="digit"),
            "block": widgets.IntSlider(value=depth - 1, min=0, max=depth - 1, description="block"),
            "head": widgets.Dropdown(options=["mean", *range(heads)], value="mean", description="head"),
            "method": widgets.Dropdown(options=list(METHODS), value="raw attention", description="method"),
            "token": widgets.Dropdown(
                options=list(tokens), value=token, description="token", disabled=len(tokens) == 1
            ),
        }
        controls |= self.extra_controls(classes=logits.shape[-1])
        super().__init__({k: c for k, c in controls.items() if k not in self.fixed}, rows=self.control_rows)

    def digit_name(self, digit: int) -> str:
        """How the dropdown names entry ``digit`` ("digit 3"); a subclass may name it otherwise."""
        return f"digit {digit}"

    def a_label(self, label: int) -> str:
        """How the dropdown and the line name a label (:func:`with_article`: "a 7", "an 8"); a subclass may name it
        otherwise."""
        return with_article(label)

    def extra_controls(self, *, classes: int) -> dict[str, widgets.Widget]:
        """Controls a subclass adds after the others (none here); ``classes``: the model's number of classes."""
        return {}

    fixed: tuple[str, ...] = ()  # controls a subclass leaves out (its compute does not read them)
    control_rows = 2

    def update(self, change: object = None) -> None:
        """As :meth:`LessonWidget.update`, after putting the head back to "mean" for a method that averages them."""
        head, raw = self.controls["head"], self.controls["method"].value == "raw attention"
        head.disabled = not raw
        if not raw and head.value != "mean":
            head.value = "mean"  # its observer calls update again, with the head averaged
            return
        super().update(change)

    def map_for(self, *, digit: int, block: int, head: Any, method: str, token: str) -> torch.Tensor:
        """The ``(rows, cols)`` map the controls describe (raises ValueError for a setting that has none)."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if token not in TOKENS:
            raise ValueError(f"unknown token {token!r}; choose class or distillation")
        query = TOKENS.index(token)
        if query >= self.special_tokens:
            raise ValueError(f"this {type(self.model).__name__} has no distillation token (lesson 09's DeiT has one)")
        if not 0 <= block < len(self.attentions):
            raise ValueError(f"block must be in 0..{len(self.attentions) - 1}, got {block}")
        if method != "raw attention" and head != "mean":
            raise ValueError(f"{method} averages the heads in every block; choose head 'mean'")
        matrix = self.matrix_for(digit=digit, block=block, head=head, method=method)[None]
        return token_attention(matrix, self.grid, query=query, special_tokens=self.special_tokens)[0]

    def matrix_for(self, *, digit: int, block: int, head: Any, method: str) -> torch.Tensor:
        """The ``(N, N)`` matrix behind :meth:`map_for`, before any token's row is sliced out."""
        one = slice(digit, digit + 1)
        if method == "raw attention":
            weights = self.attentions[block][one]
            matrix = weights.mean(1) if head == "mean" else weights[:, int(head)]
        elif method == "rollout":
            matrix = attention_rollout([a[one] for a in self.attentions[: block + 1]])
        else:
            matrix = gradient_weighted_rollout(
                [a[one] for a in self.attentions[: block + 1]], [g[one] for g in self.gradients[: block + 1]]
            )
        return matrix[0]

    def picture_title(self, line: str, title: str) -> str:
        """The picture's title (``title``: the line in short lines); a subclass may title it otherwise. It is
        chosen before the figure is laid out, so the layout leaves room for exactly this title."""
        return title

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        from ..plotting.lesson08 import plot_map_columns

        digit = int(values["digit"])
        grid = self.map_for(**values)
        row, col = divmod(int(grid.flatten().argmax()), self.grid[1])
        share = float(ink_share(grid[None], self.images[digit : digit + 1])[0])
        label, predicted = int(self.labels[digit]), int(self.predictions[digit])
        head = "heads averaged" if values["head"] == "mean" else f"head {values['head']}"
        method = values["method"] + (f" for class {predicted}" if values["method"] == "gradient-weighted" else "")
        block = int(values["block"])
        blocks = f"block {block}" if values["method"] == "raw attention" or block == 0 else f"blocks 0-{block}"
        where = f"{values['token']} token, {blocks}, {head}"  # rollout runs through blocks 0 to k
        what = f"{method}, {where}"
        found = f"top patch ({row}, {col}), {share:.0%} of the map on ink"
        line = f"digit {digit} ({self.a_label(label)}, predicted {predicted}): {what}: {found}"
        short = f"digit {digit} ({self.a_label(label)}, predicted {predicted}):\n{method},\n{where}:\n{found}"
        fig = plot_map_columns(
            self.images[digit : digit + 1],
            grid[None, None],
            titles=[method],
            labels=[self.a_label(label)],
            # the line, in the picture, in short lines: a saved figure keeps its whole title
            title=self.picture_title(line, short),
            panel=3.0,  # one digit, one map: large enough to read the patches
        )
        return line, fig


class MapsExplorer(AttentionExplorer):
    """Lesson 08's explorer. Controls: ``digit``, ``block``, ``head`` (raw attention's: ``"mean"`` or a head),
    ``class`` (the gradient-weighted map's: ``"predicted"``, the default, labelled "predicted (not the true class)"
    since lesson 08's sections 8-10 use the true class, or a class 0..9) and ``re-draw the
    classifier`` (section 9's first cascade step: the maps of a copy with fc_norm + head re-drawn under
    ``cascade_table``'s seed; rollout stays, the gradient-weighted map changes; deletion still runs the trained model).
    The picture shows the digit's three maps side by side (raw attention of the chosen block and head; rollout
    and gradient-weighted through blocks 0 to the chosen block, heads averaged; gradient-weighted for the chosen
    class, its gradients computed on first use and kept) and
    each map's deletion curve (p(true class) as its top patches are blacked out, :func:`deletion_areas`; the
    gradient-weighted map for a class other than the true one reads p(that class));
    the line gives each map's top patch, share on ink and deletion area (lower: found more of what the model uses).
    A dashed black curve, on top, in the deletion panel is the ink-first order (model-free) on the same digit,
    for scale.
    ``fusion`` (``"mean"``, ``"max"`` or ``"min"``) and ``discard`` (0, 0.5 or 0.9) are jacobgil/vit-explain's
    knobs (section 11) for the rollout map only, through :func:`attention_rollout`'s ``head_fusion`` and
    ``discard_ratio``: watch the map sharpen while its deletion area, on the line, barely moves.
    """

    def __init__(
        self, model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, names: list[str] | None = None
    ) -> None:
        if names is not None and len(names) != len(images):
            raise ValueError(f"names: one per image, got {len(names)} for {len(images)} images")
        self.names = None if names is None else list(names)  # the dropdown, line and title: "test digit 17"
        self._holding = True  # lazy: the first picture is drawn on first use (a set_values, a display, a read of line)
        super().__init__(model, images, labels)
        self._holding, self._stale = False, True

    @property
    def line(self) -> str:
        """The line for the current controls (computed on first read if nothing has drawn the widget yet)."""
        if self.__dict__.get("_stale", False):
            self.update()
        return self.__dict__.get("_line", "")

    @line.setter
    def line(self, value: str) -> None:
        self.__dict__["_line"] = value

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        if self.__dict__.get("_stale", False):  # displayed before any use: draw the first picture now
            self.update()
        return super()._repr_mimebundle_(**kwargs)

    def digit_name(self, digit: int) -> str:
        """Entry ``digit``'s name: ``names[digit]`` when given (as the lesson names it), else "digit 3"."""
        return f"digit {digit}" if self.names is None else self.names[digit]

    counts = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 49)  # section 10's readings (a 7x7 grid; clipped for a smaller one)

    fixed = ("method", "token")  # all three maps at once, and the class token (the ViT's only one)
    control_rows = 2
    fusions = ("mean", "max", "min")  # vit-explain's head fusions
    discards = (0.0, 0.5, 0.9)  # its discard ratios (0.9: its script's default, with max)

    def update(self, change: object = None) -> None:
        if self.__dict__.get("_holding", False):  # set_values: one redraw after all its controls are set
            return
        self._stale = False
        LessonWidget.update(self, change)  # no method to choose: the head always applies to raw attention

    def set_values(self, **values: Any) -> None:
        """Set several controls (by name; ``class`` as ``**{"class": 3}``) and redraw once, not once per control."""
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.update()

    redraw_init = "torch"  # how the shipped checkpoint's recipe started training: the re-draw uses the same

    def extra_controls(self, *, classes: int) -> dict[str, widgets.Widget]:
        options = [("predicted (not the true class)", "predicted"), *((str(c), c) for c in range(classes))]
        return {
            "class": widgets.Dropdown(options=options, value="predicted", description="class"),
            "redrawn": widgets.Checkbox(value=False, description="re-draw the classifier"),
            "fusion": widgets.Dropdown(options=list(self.fusions), value="mean", description="fusion"),
            "discard": widgets.Dropdown(
                options=[(f"{d:g}", d) for d in self.discards], value=0.0, description="discard"
            ),
        }

    def rollout_map(self, digit: int, block: int, fusion: str = "mean", discard: float = 0.0) -> torch.Tensor:
        """The rollout ``(rows, cols)`` map through blocks 0..block with the heads fused by ``fusion`` and the
        smallest ``discard`` share of each fused matrix dropped (:func:`attention_rollout`)."""
        if fusion not in self.fusions or discard not in self.discards:
            raise ValueError(f"fusion must be one of {self.fusions} and discard one of {self.discards}")
        one = slice(digit, digit + 1)
        matrix = attention_rollout(
            [a[one] for a in self.attentions[: block + 1]], head_fusion=fusion, discard_ratio=float(discard)
        )
        return token_attention(matrix, self.grid, query=0, special_tokens=self.special_tokens)[0]

    def redrawn_model(self) -> nn.Module:
        """A copy of the model with its classifier (fc_norm + head) re-drawn as ``cascade_table``'s first draw
        (seed 1, :func:`randomised_copy`); the global random numbers are left as they were. Made once, kept."""
        if "_redrawn" not in self.__dict__:
            with torch.random.fork_rng():
                torch.manual_seed(1)  # cascade_table's seed: its first draw
                self._redrawn = randomised_copy(self.model, cascade_steps(self.model)[0][1], init=self.redraw_init)
        return self._redrawn

    def class_gradients(self, target: int | None, *, redrawn: bool = False) -> list[torch.Tensor]:
        """Per block, the ``(B, heads, N, N)`` gradients of class ``target``'s logit (``None``: each digit's class
        as the trained model predicts it), of the trained model or of :meth:`redrawn_model` (every digit; kept)."""
        kept = self.__dict__.setdefault("_class_gradients", {})
        if (target, redrawn) not in kept:
            model = self.redrawn_model() if redrawn else self.model
            with capture_attention_gradients(model) as record:
                logits = model(self.images.clone().requires_grad_(True))
                chosen = logits.gather(1, self.predictions[:, None]) if target is None else logits[:, target]
                chosen.sum().backward()
            model.zero_grad(set_to_none=True)
            kept[target, redrawn] = record.gradients
        return kept[target, redrawn]

    def weighted_map(self, digit: int, block: int, target: Any, *, redrawn: bool = False) -> torch.Tensor:
        """The gradient-weighted ``(rows, cols)`` map through blocks 0..block for class ``target`` (or "predicted"),
        of the trained model or (``redrawn``) of the copy with its classifier re-drawn: the same attention weights,
        other gradients."""
        if target == "predicted" and not redrawn:
            return self.map_for(digit=digit, block=block, head="mean", method="gradient-weighted", token="class")
        one = slice(digit, digit + 1)
        gradients = self.class_gradients(None if target == "predicted" else int(target), redrawn=redrawn)
        matrix = gradient_weighted_rollout(
            [a[one] for a in self.attentions[: block + 1]], [g[one] for g in gradients[: block + 1]]
        )
        return token_attention(matrix, self.grid, query=0, special_tokens=self.special_tokens)[0]

    def _deletions(self, digit: int, maps: dict[str, torch.Tensor], target: int) -> tuple[list[int], dict, dict]:
        """compute's deletion readings for one digit: the counts of patches blacked out, each map's curve and area
        (and the model-free "ink first" order's curve). They read p(true class), except the gradient-weighted map's
        when it is made for another class ``target``: then p(that class)."""
        one = slice(digit, digit + 1)
        patches = self.grid[0] * self.grid[1]
        counts = sorted({min(k, patches) for k in self.counts} | {patches})
        orders = {n: m[None] for n, m in maps.items()} | {"ink first": ink_per_patch(self.images[one], self.grid)}
        other = {"gradient-weighted": orders.pop("gradient-weighted")} if target != int(self.labels[digit]) else {}
        curves, areas = deletion_areas(self.model, self.images[one], self.labels[one], orders, counts=counts)
        if other:  # another class than the true one chosen: its map's deletion curve reads p(that class)
            curves_w, areas_w = deletion_areas(
                self.model, self.images[one], torch.tensor([target]), other, counts=counts
            )
            curves = (
                {n: curves[n] for n in ("raw attention", "rollout")} | curves_w | {"ink first": curves["ink first"]}
            )
            areas = areas | areas_w
        return counts, curves, areas

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        from ..plotting.lesson08 import plot_maps_and_deletion

        digit, block, head = int(values["digit"]), int(values["block"]), values["head"]
        one = slice(digit, digit + 1)
        maps = {
            "raw attention": self.map_for(digit=digit, block=block, head=head, method="raw attention", token="class"),
            "rollout": self.rollout_map(digit, block, values.get("fusion", "mean"), values.get("discard", 0.0)),
            "gradient-weighted": self.weighted_map(
                digit, block, values.get("class", "predicted"), redrawn=bool(values.get("redrawn", False))
            ),
        }
        label, predicted = int(self.labels[digit]), int(self.predictions[digit])
        target = values.get("class", "predicted")
        target = predicted if target == "predicted" else int(target)  # the class the gradient-weighted map is for
        counts, curves, areas = self._deletions(digit, maps, target)
        reference = curves.pop("ink first")[0]  # the model-free order: a dashed line on top in the deletion panel
        heads = "heads averaged" if head == "mean" else f"head {head}"
        blocks = f"block {block}" if block == 0 else f"blocks 0-{block}"
        found = []
        for name, grid in maps.items():
            row, col = divmod(int(grid.flatten().argmax()), self.grid[1])
            share = float(ink_share(grid[None], self.images[one])[0])
            found.append(f"{name} ({row}, {col}), {share:.0%} on ink, area {float(areas[name][0]):.2f}")
        where = f"raw attention: block {block}, {heads}; rollout and gradient-weighted (class {target}): {blocks}"
        if values.get("redrawn", False):  # the attention weights do not read the classifier: only the gradients change
            where += "; classifier re-drawn (the maps' model; deletion: the trained model)"
            if values.get("class", "predicted") == "predicted":  # the class is picked before the re-draw
                where += f"; class {target}: the trained model's prediction, not the re-drawn model's"
        knobs = (values.get("fusion", "mean"), float(values.get("discard", 0.0)))
        if knobs != ("mean", 0.0):  # section 11's knobs, on rollout only
            where += f"; rollout: {knobs[0]} fusion, discard {knobs[1]:g}"
        named = self.digit_name(digit)
        line = (
            f"{named} ({self.a_label(label)}, predicted {predicted}); {where}. Top patch, ink, deletion area "
            + (
                "(deletion: the true class's probability): "
                if target == label
                else f"(deletion: the true class's probability; the gradient-weighted map's: p(class {target})): "
            )
            + "; ".join(found)
        )
        title = (
            f"{named} ({self.a_label(label)}, predicted {predicted}); raw attention: block {block}, {heads}; "
            f"others: {blocks}"
        )
        if knobs != ("mean", 0.0):
            title += f"; rollout: {knobs[0]}, discard {knobs[1]:g}"
        title += "\neach map scaled to its own max"  # no shared colour scale: the maps' sizes differ
        fig = plot_maps_and_deletion(
            self.images[digit],
            maps,
            {n: c[0] for n, c in curves.items()},
            counts,
            title=title,
            reference=reference,
            ylabel="p(true class)" if target == label else f"p(true class);\ngradient-weighted: p({target})",
            titles={"gradient-weighted": f"gradient-weighted\n(class {target})"},  # the class the map is for
        )
        return line, fig


def maps_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, names: list[str] | None = None
) -> MapsExplorer:
    """Build lesson 08's :class:`MapsExplorer` (end a notebook cell with it); ``names``: one per image, as the
    lesson names them ("test digit 17"), else "digit 0", "digit 1", ..."""
    return MapsExplorer(model, images, labels, names=names)


def attention_explorer(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, **kwargs: Any
) -> AttentionExplorer:
    """Build lesson 08's :class:`AttentionExplorer` (end a notebook cell with it)."""
    return AttentionExplorer(model, images, labels, **kwargs)
