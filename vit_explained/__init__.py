"""vit-explained: the building blocks of the Vision Transformer, Tokens-to-Token ViT and DeiT.

Every lesson in ``notebooks/`` imports its pieces from here. Tensor shapes in docstrings use
B = batch, C = channels, H x W = image size, N = number of tokens, D = token width.
"""

from .attention import Attention
from .block import Block, Encoder
from .cnn import SmallCNN
from .deit import DeiT
from .device import default_device
from .huggingface import from_huggingface, from_huggingface_deit
from .mlp import GELU, MLP, gelu
from .parameters import count_parameters
from .patch_embedding import PatchEmbedding
from .patches import patch_grid, patchify, unpatchify
from .positional import sinusoid_encoding
from .soft_split import SoftSplit, TokenGrid, count_tokens, tokens_to_image
from .t2t import T2T_SPLITS, T2TViT, TokenAttention, Tokens2Token, TokenTransformer, t2t_chain
from .vit import ViT

__version__ = "0.1.0"

__all__ = [
    "GELU",
    "MLP",
    "T2T_SPLITS",
    "Attention",
    "Block",
    "DeiT",
    "Encoder",
    "PatchEmbedding",
    "SmallCNN",
    "SoftSplit",
    "T2TViT",
    "TokenAttention",
    "TokenGrid",
    "TokenTransformer",
    "Tokens2Token",
    "ViT",
    "count_parameters",
    "count_tokens",
    "default_device",
    "from_huggingface",
    "from_huggingface_deit",
    "gelu",
    "patch_grid",
    "patchify",
    "sinusoid_encoding",
    "t2t_chain",
    "tokens_to_image",
    "unpatchify",
]
