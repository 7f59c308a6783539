"""CLIP modules with OpenAI CLIP's structure and exact state-dict key names (ViT variant only).

The module tree follows ``openai/CLIP`` ``clip/model.py`` so that an OpenAI checkpoint loads with
``load_state_dict`` and no renaming: ``visual.conv1.weight``, ``visual.class_embedding``,
``visual.transformer.resblocks.0.attn.in_proj_weight``, ``visual.proj``, ``token_embedding.weight``,
``transformer.resblocks.0.mlp.c_fc.weight``, ``ln_final.weight``, ``text_projection``,
``logit_scale``, ...

A **student** is a bare image-only :class:`VisionTransformer`; its state dict has the keys the
teacher has under ``visual.`` *without* the prefix (``conv1.weight``, ``proj``, ...).
:func:`load_student` also accepts ``visual.``-prefixed dicts (e.g. a full CLIP state dict, whose
image tower then becomes the student).

Head counts cannot be read from weight shapes. Like OpenAI's ``build_model``, the loaders default
to ``width // 64`` (true for every OpenAI checkpoint); pass the heads explicitly for other models
(the tiny test presets, the 24-head student).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Union

import numpy as np
import torch
from torch import nn

StateDict = Mapping[str, torch.Tensor]

# Non-parameter entries OpenAI's TorchScript archives carry in their state dict.
_OPENAI_EXTRA_KEYS = ("input_resolution", "context_length", "vocab_size")


class LayerNorm(nn.LayerNorm):
    """LayerNorm that computes in float32 (so fp16 weights work), as in OpenAI CLIP."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        orig_type = x.dtype
        ret = super().forward(x.type(torch.float32))
        return ret.type(orig_type)


class QuickGELU(nn.Module):
    """``x * sigmoid(1.702 x)``: the activation CLIP was trained with."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model: int, n_head: int, attn_mask: Optional[torch.Tensor] = None) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = LayerNorm(d_model)
        self.mlp = nn.Sequential(
            OrderedDict(
                [
                    ("c_fc", nn.Linear(d_model, d_model * 4)),
                    ("gelu", QuickGELU()),
                    ("c_proj", nn.Linear(d_model * 4, d_model)),
                ]
            )
        )
        self.ln_2 = LayerNorm(d_model)
        # A plain attribute, not a buffer: it is not part of the state dict (as in OpenAI CLIP).
        self.attn_mask = attn_mask

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        mask = self.attn_mask.to(dtype=x.dtype, device=x.device) if self.attn_mask is not None else None
        return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class Transformer(nn.Module):
    """Sequence-first ([L, N, D]) stack of residual attention blocks."""

    def __init__(self, width: int, layers: int, heads: int, attn_mask: Optional[torch.Tensor] = None) -> None:
        super().__init__()
        self.width = width
        self.layers = layers
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    """CLIP's ViT image tower: NCHW float image -> [N, output_dim] (not normalized)."""

    def __init__(self, input_resolution: int, patch_size: int, width: int, layers: int, heads: int, output_dim: int) -> None:
        super().__init__()
        if input_resolution % patch_size != 0:
            raise ValueError(f"input_resolution {input_resolution} is not a multiple of patch_size {patch_size}")
        self.input_resolution = input_resolution
        self.output_dim = output_dim
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width**-0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)  # [N, width, grid, grid]
        x = x.reshape(x.shape[0], x.shape[1], -1)  # [N, width, grid**2]
        x = x.permute(0, 2, 1)  # [N, grid**2, width]
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype, device=x.device)
        x = torch.cat([cls, x], dim=1)  # [N, grid**2 + 1, width]
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = x.permute(1, 0, 2)  # NLD -> LND
        x = self.transformer(x)
        x = x.permute(1, 0, 2)  # LND -> NLD
        x = self.ln_post(x[:, 0, :])
        return x @ self.proj


#: The name the seed (PicCollage) and early OpenAI releases used.
VisualTransformer = VisionTransformer


class CLIP(nn.Module):
    """OpenAI CLIP, ViT image tower only (no ModifiedResNet)."""

    def __init__(
        self,
        embed_dim: int,
        image_resolution: int,
        vision_layers: int,
        vision_width: int,
        vision_patch_size: int,
        context_length: int,
        vocab_size: int,
        transformer_width: int,
        transformer_heads: int,
        transformer_layers: int,
        vision_heads: Optional[int] = None,
    ) -> None:
        super().__init__()
        self.context_length = context_length
        self.visual = VisionTransformer(
            input_resolution=image_resolution,
            patch_size=vision_patch_size,
            width=vision_width,
            layers=vision_layers,
            heads=vision_heads if vision_heads is not None else vision_width // 64,
            output_dim=embed_dim,
        )
        self.transformer = Transformer(
            width=transformer_width,
            layers=transformer_layers,
            heads=transformer_heads,
            attn_mask=self.build_attention_mask(),
        )
        self.vocab_size = vocab_size
        self.token_embedding = nn.Embedding(vocab_size, transformer_width)
        self.positional_embedding = nn.Parameter(torch.empty(self.context_length, transformer_width))
        self.ln_final = LayerNorm(transformer_width)
        self.text_projection = nn.Parameter(torch.empty(transformer_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.initialize_parameters()

    def initialize_parameters(self) -> None:
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        proj_std = (self.transformer.width**-0.5) * ((2 * self.transformer.layers) ** -0.5)
        attn_std = self.transformer.width**-0.5
        fc_std = (2 * self.transformer.width) ** -0.5
        for block in self.transformer.resblocks:
            nn.init.normal_(block.attn.in_proj_weight, std=attn_std)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(block.mlp.c_fc.weight, std=fc_std)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=self.transformer.width**-0.5)

    def build_attention_mask(self) -> torch.Tensor:
        # Additive causal mask: -inf strictly above the diagonal, 0 elsewhere.
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)
        return mask

    @property
    def dtype(self) -> torch.dtype:
        return self.visual.conv1.weight.dtype

    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        return self.visual(image.type(self.dtype))

    def encode_text(self, text: torch.Tensor) -> torch.Tensor:
        x = self.token_embedding(text).type(self.dtype)  # [N, ctx, width]
        x = x + self.positional_embedding.type(self.dtype)
        x = x.permute(1, 0, 2)  # NLD -> LND
        x = self.transformer(x)
        x = x.permute(1, 0, 2)  # LND -> NLD
        x = self.ln_final(x).type(self.dtype)
        # Features at the end-of-text token: it has the largest id in each sequence.
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

    def forward(self, image: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        image_features = self.encode_image(image)
        text_features = self.encode_text(text)
        image_features = image_features / image_features.norm(dim=-1, keepdim=True)
        text_features = text_features / text_features.norm(dim=-1, keepdim=True)
        logits_per_image = self.logit_scale.exp() * image_features @ text_features.t()
        return logits_per_image, logits_per_image.t()


@dataclass(frozen=True)
class VisionConfig:
    image_resolution: int
    patch_size: int
    width: int
    layers: int
    heads: int
    output_dim: int


@dataclass(frozen=True)
class ClipConfig:
    embed_dim: int
    vision: VisionConfig
    context_length: int
    vocab_size: int
    text_width: int
    text_heads: int
    text_layers: int


def build_clip(config: ClipConfig) -> CLIP:
    v = config.vision
    if v.output_dim != config.embed_dim:
        raise ValueError(f"vision output_dim {v.output_dim} != embed_dim {config.embed_dim}")
    return CLIP(
        embed_dim=config.embed_dim,
        image_resolution=v.image_resolution,
        vision_layers=v.layers,
        vision_width=v.width,
        vision_patch_size=v.patch_size,
        context_length=config.context_length,
        vocab_size=config.vocab_size,
        transformer_width=config.text_width,
        transformer_heads=config.text_heads,
        transformer_layers=config.text_layers,
        vision_heads=v.heads,
    )


def build_vision(config: VisionConfig) -> VisionTransformer:
    return VisionTransformer(
        input_resolution=config.image_resolution,
        patch_size=config.patch_size,
        width=config.width,
        layers=config.layers,
        heads=config.heads,
        output_dim=config.output_dim,
    )


def _count_layers(state_dict: StateDict, prefix: str) -> int:
    return len({k[len(prefix):].split(".")[0] for k in state_dict if k.startswith(prefix)})


def infer_vision_config(state_dict: StateDict, heads: Optional[int] = None, prefix: str = "") -> VisionConfig:
    """Reads a ViT image tower's config from weight shapes (keys under ``prefix``)."""
    conv = state_dict[prefix + "conv1.weight"]
    width, patch = conv.shape[0], conv.shape[-1]
    grid = round((state_dict[prefix + "positional_embedding"].shape[0] - 1) ** 0.5)
    return VisionConfig(
        image_resolution=patch * grid,
        patch_size=patch,
        width=width,
        layers=_count_layers(state_dict, prefix + "transformer.resblocks."),
        heads=heads if heads is not None else width // 64,
        output_dim=state_dict[prefix + "proj"].shape[1],
    )


def infer_clip_config(
    state_dict: StateDict, vision_heads: Optional[int] = None, text_heads: Optional[int] = None
) -> ClipConfig:
    """Reads a CLIP config from an OpenAI-layout state dict's shapes, as OpenAI's ``build_model``."""
    if "visual.proj" not in state_dict:
        raise ValueError("not a ViT CLIP state dict: no 'visual.proj' (ResNet CLIP models are not supported)")
    text_width = state_dict["ln_final.weight"].shape[0]
    return ClipConfig(
        embed_dim=state_dict["text_projection"].shape[1],
        vision=infer_vision_config(state_dict, vision_heads, prefix="visual."),
        context_length=state_dict["positional_embedding"].shape[0],
        vocab_size=state_dict["token_embedding.weight"].shape[0],
        text_width=text_width,
        text_heads=text_heads if text_heads is not None else text_width // 64,
        text_layers=_count_layers(state_dict, "transformer.resblocks."),
    )


def read_state_dict(path: Union[str, Path]) -> dict[str, torch.Tensor]:
    """Reads a state dict from a TorchScript archive (OpenAI's ``ViT-B-32.pt``) or a ``torch.save`` file.

    A ``torch.save`` file may hold the state dict itself or ``{"state_dict": ...}``. Tensors come
    back as float32 on the CPU; OpenAI's non-parameter entries (``input_resolution`` ...) are dropped.
    """
    path = str(path)
    try:
        raw = torch.jit.load(path, map_location="cpu").state_dict()
    except RuntimeError:
        raw = torch.load(path, map_location="cpu")
        if isinstance(raw, nn.Module):
            raw = raw.state_dict()
        elif isinstance(raw, dict) and "state_dict" in raw:
            raw = raw["state_dict"]
    return normalize_state_dict(raw)


def normalize_state_dict(state_dict: StateDict) -> dict[str, torch.Tensor]:
    """Drops OpenAI's non-parameter entries and casts floating tensors to float32."""
    out: dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        if key in _OPENAI_EXTRA_KEYS:
            continue
        out[key] = value.float() if value.is_floating_point() else value
    return out


def load_clip(
    state_dict: StateDict, vision_heads: Optional[int] = None, text_heads: Optional[int] = None
) -> CLIP:
    """Builds a float32 :class:`CLIP` in eval mode from an OpenAI-layout state dict (strict load)."""
    state_dict = normalize_state_dict(state_dict)
    model = build_clip(infer_clip_config(state_dict, vision_heads, text_heads))
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


def load_student(state_dict: StateDict, heads: Optional[int] = None) -> VisionTransformer:
    """Builds an image-only :class:`VisionTransformer` from bare or ``visual.``-prefixed keys (strict)."""
    state_dict = normalize_state_dict(state_dict)
    if "visual.proj" in state_dict:
        state_dict = {k[len("visual."):]: v for k, v in state_dict.items() if k.startswith("visual.")}
    model = build_vision(infer_vision_config(state_dict, heads))
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
