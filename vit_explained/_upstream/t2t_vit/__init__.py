"""Verbatim copy of the original T2T-ViT code (not part of the course's API).

Source: https://github.com/yitu-opensource/T2T-ViT, commit 0f63dc9558f4d192de926504dbddfa1b3f5db6ca
(9 June 2022), files ``models/t2t_vit.py``, ``models/token_transformer.py``, ``models/transformer_block.py``
and ``models/token_performer.py`` (imported by ``t2t_vit.py``), copied unchanged; ``LICENSE`` beside them is
the project's Clear BSD License. This ``__init__.py`` is ours (the original's imports its other model files).
The files import ``timm``, which the course does not install: import them through
:func:`vit_explained._upstream.load_original_t2t`, which stubs the four ``timm`` names they use.
"""
