"""Named model configurations.

``PRESETS`` maps a name to a :class:`Preset`: a teacher preset has a text tower (``clip`` set),
a student preset is image-only (``clip`` is ``None``). Add a size by adding an entry::

    PRESETS["demo"] = Preset(vision=VisionConfig(...), clip=ClipConfig(...))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from torch import nn

from .model import CLIP, ClipConfig, VisionConfig, VisionTransformer, build_clip, build_vision, count_parameters

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class Preset:
    """A model size. ``vision`` is the image tower; ``clip`` the full teacher config (None: image-only)."""

    vision: VisionConfig
    clip: Optional[ClipConfig] = None

    @property
    def is_teacher(self) -> bool:
        return self.clip is not None


def _teacher(embed: int, res: int, patch: int, width: int, layers: int, heads: int,
             ctx: int, vocab: int, t_width: int, t_heads: int, t_layers: int) -> Preset:
    vision = VisionConfig(res, patch, width, layers, heads, embed)
    return Preset(vision, ClipConfig(embed, vision, ctx, vocab, t_width, t_heads, t_layers))


def _student(res: int, patch: int, width: int, layers: int, heads: int, embed: int) -> Preset:
    return Preset(VisionConfig(res, patch, width, layers, heads, embed))


PRESETS: dict[str, Preset] = {
    # OpenAI CLIP ViT-B/32.
    "vit-b-32": _teacher(512, 224, 32, 768, 12, 12, 77, 49408, 512, 8, 12),
    # The seed's students: half width, half depth of ViT-B/32's image tower.
    "student-w384-l6-h12": _student(224, 32, 384, 6, 12, 512),
    "student-w384-l6-h24": _student(224, 32, 384, 6, 24, 512),
    # Tests: tiny, CPU, well under 1 MB each. 1024 = 512 byte tokens + 510 merges + 2 specials.
    "tiny": _teacher(32, 32, 8, 64, 2, 2, 16, 1024, 64, 2, 2),
    "tiny-student": _student(32, 8, 32, 1, 2, 32),
    # The shipped demo repository (models/): 64 px demo-world images, patch 16, 128-d space; the
    # vocabulary is an upper bound (the demo BPE stops when its merges run out, ~700 ids).
    "demo": _teacher(128, 64, 16, 128, 4, 4, 16, 1024, 128, 4, 3),
    # Half the demo teacher's image width and depth (the seed's ratio), same output space.
    "demo-student": _student(64, 16, 64, 2, 2, 128),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}") from None


def build_teacher(preset: str) -> CLIP:
    """A randomly initialized (OpenAI init) full CLIP of a teacher preset, in eval mode."""
    p = get_preset(preset)
    if p.clip is None:
        raise ValueError(f"preset {preset!r} is image-only (a student); it has no text tower")
    return build_clip(p.clip).eval()


def build_student(preset: str) -> VisionTransformer:
    """A randomly initialized image tower of any preset (a teacher preset gives its image tower)."""
    return build_vision(get_preset(preset).vision).eval()


def parameter_count(module: nn.Module) -> int:
    return count_parameters(module)
