"""DeiT with a distillation token (Touvron et al. 2021, "Training data-efficient image transformers
& distillation through attention"), built from the package's ViT parts.

A distilled DeiT is a ViT with one more learned token. The sequence is
``[class, distillation, patch 0, patch 1, ...]``: ``N + 2`` tokens for ``N`` patches, which is why
code written for it slices the patches out as ``[..., 2:]`` (a plain ViT: ``[..., 1:]``). After the
last block, a head reads each special token:

- ``head`` reads the class token (token 0) and learns the true labels;
- ``head_dist`` reads the distillation token (token 1) and learns a *teacher's* predictions
  (hard distillation: the teacher's argmax, :func:`vit_explained.distill.hard_distillation_loss`).

In training mode :meth:`DeiT.forward` returns both heads' logits ``(class_logits, distillation_logits)``;
in eval mode it returns their average, as timm's ``deit_*_distilled_*`` models and Hugging Face's
``DeiTForImageClassificationWithTeacher`` do. :func:`vit_explained.huggingface.from_huggingface_deit`
copies the weights of the latter into a :class:`DeiT`.

Shapes: B = batch, N = patches (row-major over the ``rows x cols`` patch grid), D = ``dim``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import torch
from torch import nn

from . import _checks
from .vit import ViT

__all__ = [
    "SPECIAL_TOKENS",
    "DeiT",
    "TimmStyleAttention",
    "TimmStyleBlock",
    "add_special_tokens",
    "qa_patch_on_timm",
    "resolve_mask",
    "source_of",
    "timm_style",
]

#: The special tokens in front of the patches, in order: index 0 the class token, 1 the distillation token.
SPECIAL_TOKENS = ("class", "distillation")


def add_special_tokens(
    tokens: torch.Tensor, class_token: torch.Tensor, distillation_token: torch.Tensor, positions: torch.Tensor
) -> torch.Tensor:
    """``(B, N, D) -> (B, N + 2, D)``: prepend the class and distillation tokens, add the positions.

    ``class_token`` and ``distillation_token`` are ``(1, 1, D)``; ``positions`` is ``(1, N + 2, D)``
    (row 0 for the class token, row 1 for the distillation token, then one per patch).
    """
    batch = tokens.shape[0]
    specials = [class_token.expand(batch, -1, -1), distillation_token.expand(batch, -1, -1)]
    return torch.cat([*specials, tokens], dim=1) + positions


class DeiT(ViT):
    """A distilled Vision Transformer: ``(B, channels, H, W) ->`` logits ``(B, num_classes)``.

    A :class:`~vit_explained.ViT` (same constructor, same parts) with a learned
    ``distillation_token`` and a second Linear head ``head_dist``, as timm's
    ``VisionTransformerDistilled`` subclasses its ``VisionTransformer``.
    Tokens: ``[class, distillation, patches]``, position embeddings ``(1, N + 2, dim)``; ``pool`` is
    always ``"cls"`` (each head reads its own token).

    ``forward`` returns ``(class_logits, distillation_logits)`` in training mode and
    ``(class_logits + distillation_logits) / 2`` in eval mode; :meth:`forward_heads` always
    returns both. DeiT-Ti distilled is
    ``DeiT(224, patch_size=16, num_classes=1000, dim=192, depth=12, heads=3, mlp_dim=768)``.
    """

    num_special_tokens = 2
    pools = ("cls",)

    def _make_tokens(self, dim: int) -> None:
        """The class and distillation tokens and ``N + 2`` positions, all truncated normal (std 0.02)."""
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.distillation_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, self.num_patches + 2, dim))
        nn.init.trunc_normal_(self.class_token, std=0.02)
        nn.init.trunc_normal_(self.distillation_token, std=0.02)  # two different starting points
        nn.init.trunc_normal_(self.pos_embedding, std=0.02)

    def _make_heads(self, dim: int, num_classes: int) -> list[nn.Linear]:
        """``head`` on the class token and ``head_dist`` on the distillation token."""
        self.head = nn.Linear(dim, num_classes)
        self.head_dist = nn.Linear(dim, num_classes)
        return [self.head, self.head_dist]

    def no_weight_decay(self) -> set[str]:
        """:meth:`ViT.no_weight_decay` and the distillation token."""
        return super().no_weight_decay() | {"distillation_token"}

    def forward_features(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N + 2, dim)``: every token after the final LayerNorm. The patch
        embedding checks ``images``."""
        tokens = add_special_tokens(
            self.patch_embedding(images), self.class_token, self.distillation_token, self.pos_embedding
        )
        return self.encoder(tokens)

    def forward_heads(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, C, H, W) ->`` ``(class_logits, distillation_logits)``, each ``(B, num_classes)``."""
        features = self.forward_features(images)
        return self.head(features[:, 0]), self.head_dist(features[:, 1])

    def forward(self, images: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Training mode: ``(class_logits, distillation_logits)``; eval mode: their average ``(B, num_classes)``."""
        class_logits, distillation_logits = self.forward_heads(images)
        if self.training:
            return class_logits, distillation_logits
        return (class_logits + distillation_logits) / 2


# ---------------------------------------------------------------------------------------------
# timm's layout, for lesson 09. timm cannot be imported here (it needs torchvision), so these two
# modules reproduce the parts of timm's ``Attention`` and ``Block`` (as of timm 1.0.26) that the
# well-known Q&A patches: ``qkv``, ``num_heads``, ``scale``, ``q_norm``/``k_norm`` (0.9.0 on), ``attn_drop``,
# ``norm`` (1.0.16 on), ``proj``, ``proj_drop``,
# the ``fused_attn`` switch, and the block calling
# ``self.attn(self.norm1(x), attn_mask=attn_mask, is_causal=is_causal)``. Checked against timm's
# code: 1.0.15 and earlier call ``self.attn(self.norm1(x))``; 1.0.16 to 1.0.25 pass ``attn_mask``
# (added to the scores as is on the unfused path); 1.0.26 also passes ``is_causal`` and turns a
# boolean mask into ``-inf`` where it is False (``resolve_self_attn_mask``).


def resolve_mask(
    scores: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False
) -> torch.Tensor | None:
    """The additive bias timm 1.0.26 adds to ``(..., N, N)`` scores, with SDPA's meaning:
    ``is_causal`` (which wins over ``attn_mask``) hides the keys after each query; a boolean mask
    keeps the keys where it is True and gives ``-inf`` elsewhere; a float mask is added as it is."""
    tokens = scores.shape[-1]
    if is_causal:
        return scores.new_full((tokens, tokens), float("-inf")).triu_(1)
    if attn_mask is None:
        return None
    if attn_mask.dtype == torch.bool:
        return torch.zeros_like(attn_mask, dtype=scores.dtype).masked_fill_(~attn_mask, float("-inf"))
    return attn_mask


class TimmStyleAttention(nn.Module):
    """timm's ``Attention`` (1.0.26): ``forward(x, attn_mask=None, is_causal=False)``, ``(B, N, dim) -> (B, N, dim)``.

    With ``fused_attn`` (timm's default) it calls ``F.scaled_dot_product_attention``, which never
    returns the weights; otherwise it computes ``softmax(q k^T * scale)`` and passes it through
    ``attn_drop`` (an ``nn.Dropout``, so a forward hook on it sees the weights).
    """

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = _checks.divisible_by_heads(dim, num_heads)
        self.scale = self.head_dim**-0.5
        self.fused_attn = True
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.q_norm = nn.Identity()
        self.k_norm = nn.Identity()
        self.attn_drop = nn.Dropout(0.0)
        self.norm = nn.Identity()  # timm 1.0.16 and later: scale_norm (identity unless scale_norm=True)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(0.0)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False) -> torch.Tensor:
        batch, tokens, channels = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q, k = self.q_norm(q), self.k_norm(k)
        if self.fused_attn:
            x = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal)
        else:
            q = q * self.scale
            attn = q @ k.transpose(-2, -1)
            bias = resolve_mask(attn, attn_mask, is_causal)
            if bias is not None:
                attn = attn + bias
            attn = attn.softmax(dim=-1)
            attn = self.attn_drop(attn)
            x = attn @ v
        x = x.transpose(1, 2).reshape(batch, tokens, channels)
        return self.proj_drop(self.proj(self.norm(x)))


class TimmStyleBlock(nn.Module):
    """timm's ``Block`` (1.0.26): ``x = x + attn(norm1(x), attn_mask=attn_mask, is_causal=is_causal)``, then the MLP."""

    def __init__(self, norm1: nn.Module, attn: TimmStyleAttention, norm2: nn.Module, mlp: nn.Module) -> None:
        super().__init__()
        self.norm1, self.attn, self.norm2, self.mlp = norm1, attn, norm2, mlp

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), attn_mask=attn_mask, is_causal=is_causal)
        return x + self.mlp(self.norm2(x))


def timm_style(model: nn.Module) -> nn.Module:
    """A copy of a :class:`DeiT` or :class:`~vit_explained.ViT` whose blocks are laid out as timm's
    (:class:`TimmStyleBlock`, :class:`TimmStyleAttention`), with the same weights: it computes the
    same logits, and the Q&A's ``model.blocks[-1].attn.forward = my_forward`` applies to it as is."""
    import copy

    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.ModuleList):
        raise TypeError(f"timm_style expects a DeiT or ViT (with .blocks), got {type(model).__name__}")
    twin = copy.deepcopy(model)
    for index, block in enumerate(twin.encoder.blocks):
        attention = TimmStyleAttention(block.attn.dim, block.attn.heads, qkv_bias=block.attn.qkv.bias is not None)
        attention.qkv.load_state_dict(block.attn.qkv.state_dict())  # same (3, heads, d) row order as timm
        attention.proj.load_state_dict(block.attn.proj.state_dict())
        attention.scale = block.attn.scale
        twin.encoder.blocks[index] = TimmStyleBlock(block.norm1, attention, block.norm2, block.mlp)
    return twin


def qa_patch_on_timm(
    broken: Callable[[nn.Module], Callable[..., torch.Tensor]],
    fixed: Callable[[nn.Module], Callable[..., torch.Tensor]],
    name: str = "deit_tiny_distilled_patch16_224",
) -> str:
    """The Q&A's monkey-patch on timm itself, if timm can be imported: build ``name`` (random weights,
    no download), install ``broken(attn)`` on its last block (the Q&A's one-argument ``my_forward``)
    and report the error a forward raises, then install ``fixed(attn)`` and report whether the logits
    equal the unpatched model's. Without timm, one line saying so (nothing is built)."""
    import importlib.util

    if importlib.util.find_spec("timm") is None:
        return "timm is not installed here: the timm-shaped stand-in above is what this lesson patches"
    try:
        import timm
    except Exception as error:  # e.g. a torchvision that does not match torch
        return f"timm is installed but cannot be imported ({type(error).__name__}): the stand-in above is used"
    model = timm.create_model(name, pretrained=False).eval()
    attn = model.blocks[-1].attn
    images = torch.randn(1, 3, *model.patch_embed.img_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = model(images)
        attn.forward = broken(attn)
        try:
            model(images)
            broke = "the Q&A's my_forward(x) runs (this timm's block passes no attn_mask)"
        except TypeError as error:
            broke = f"the Q&A's my_forward(x) raises TypeError: {error}"
        attn.forward = fixed(attn)
        same = torch.allclose(model(images), expected, atol=1e-5)
        del attn.forward
    return f"timm {timm.__version__}, {name}: {broke}; with the fix, the same logits: {same}"


def source_of(*parts: Callable[..., object]) -> str:
    """The code of ``parts`` as lesson 09 prints it: docstrings and ``trunc_normal_`` initialisation lines cut,
    one blank line between parts."""
    shown = []
    for part in parts:
        source = re.sub(r'\n\s*""".*?"""', "", inspect.getsource(part), flags=re.S)
        shown.append("\n".join(line for line in source.splitlines() if "trunc_normal_" not in line))
    return "\n\n".join(shown)
