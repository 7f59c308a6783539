from __future__ import annotations

import pytest
import torch

from clipserve_distill.model import (
    VisualTransformer,
    VisionTransformer,
    infer_clip_config,
    load_clip,
    load_student,
    read_state_dict,
)
from clipserve_distill.presets import PRESETS, build_student, build_teacher, parameter_count

# OpenAI CLIP ViT-B/32 (clip/model.py) state-dict layout, written out literally.
_BLOCK_KEYS = [
    "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
    "ln_1.weight", "ln_1.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias",
    "ln_2.weight", "ln_2.bias",
]
_TOP_KEYS = [
    "positional_embedding", "text_projection", "logit_scale",
    "visual.class_embedding", "visual.positional_embedding", "visual.proj", "visual.conv1.weight",
    "visual.ln_pre.weight", "visual.ln_pre.bias", "visual.ln_post.weight", "visual.ln_post.bias",
    "token_embedding.weight", "ln_final.weight", "ln_final.bias",
]
OPENAI_VIT_B_32_KEYS = set(_TOP_KEYS) | {
    f"{tower}transformer.resblocks.{i}.{k}" for tower in ("visual.", "") for i in range(12) for k in _BLOCK_KEYS
}
OPENAI_VIT_B_32_SHAPES = {
    "visual.conv1.weight": (768, 3, 32, 32),
    "visual.positional_embedding": (50, 768),
    "visual.proj": (768, 512),
    "visual.transformer.resblocks.0.attn.in_proj_weight": (2304, 768),
    "token_embedding.weight": (49408, 512),
    "positional_embedding": (77, 512),
    "text_projection": (512, 512),
    "logit_scale": (),
}


def _randomize(module: torch.nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.1 + (1.0 if p.ndim == 1 and p.shape[0] > 1 else 0.0))


def _inputs(cfg_ctx: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(7)
    image = torch.randn(3, 3, 32, 32, generator=g)
    text = torch.zeros(3, cfg_ctx, dtype=torch.long)
    for row, n in enumerate([1, 5, cfg_ctx - 2]):
        text[row, 0] = 1022
        text[row, 1 : 1 + n] = torch.randint(0, 1000, (n,), generator=g)
        text[row, 1 + n] = 1023
    return image, text


def test_vit_b_32_has_openai_state_dict_keys_and_shapes():
    model = build_teacher("vit-b-32")
    state = model.state_dict()
    assert set(state) == OPENAI_VIT_B_32_KEYS
    for key, shape in OPENAI_VIT_B_32_SHAPES.items():
        assert tuple(state[key].shape) == shape, key


def test_vit_b_32_parameter_count_matches_openai():
    assert parameter_count(build_teacher("vit-b-32")) == 151_277_313


def test_students_are_image_towers_with_bare_keys():
    student = build_student("student-w384-l6-h24")
    assert VisualTransformer is VisionTransformer
    assert "proj" in student.state_dict() and "conv1.weight" in student.state_dict()
    assert student.transformer.resblocks[0].attn.num_heads == 24
    assert parameter_count(student) == 12_044_160  # 7.3x fewer than ViT-B/32's 87.8M image tower


def test_config_is_inferred_from_shapes():
    config = infer_clip_config(build_teacher("vit-b-32").state_dict())
    assert config == PRESETS["vit-b-32"].clip


def test_loads_saved_openai_layout_state_dict(tmp_path):
    torch.manual_seed(0)
    model = build_teacher("tiny")
    _randomize(model, 1)
    state = dict(model.state_dict())
    state.update(input_resolution=torch.tensor(32), context_length=torch.tensor(16), vocab_size=torch.tensor(1024))
    torch.save(state, tmp_path / "clip.pt")

    loaded = load_clip(read_state_dict(tmp_path / "clip.pt"), vision_heads=2, text_heads=2)
    image, text = _inputs()
    with torch.no_grad():
        assert torch.equal(loaded.encode_image(image), model.encode_image(image))
        assert torch.equal(loaded.encode_text(text), model.encode_text(text))


def test_loads_torchscript_archive_and_fp16_weights(tmp_path):
    model = build_teacher("tiny")
    _randomize(model, 2)
    image, text = _inputs()
    torch.jit.trace(model, (image, text)).save(str(tmp_path / "clip-jit.pt"))
    half = {k: v.half() for k, v in read_state_dict(tmp_path / "clip-jit.pt").items()}

    loaded = load_clip(half, vision_heads=2, text_heads=2)
    assert loaded.visual.conv1.weight.dtype == torch.float32
    with torch.no_grad():
        assert torch.allclose(loaded.encode_text(text), model.encode_text(text), atol=5e-2)


def test_student_loads_bare_and_visual_prefixed_keys():
    teacher = build_teacher("tiny")
    _randomize(teacher, 3)
    image, _ = _inputs()
    from_full = load_student(teacher.state_dict(), heads=2)
    from_bare = load_student(teacher.visual.state_dict(), heads=2)
    with torch.no_grad():
        expected = teacher.encode_image(image)
        assert torch.equal(from_full(image), expected)
        assert torch.equal(from_bare(image), expected)


def test_text_feature_is_taken_at_the_end_token():
    model = build_teacher("tiny")
    _, text = _inputs()
    changed = text.clone()
    changed[0, 5:] = 7  # after the end token (position 2): must not matter, the mask is causal
    with torch.no_grad():
        assert torch.allclose(model.encode_text(text)[0], model.encode_text(changed)[0], atol=1e-6)


def test_wrong_heads_for_width_is_rejected():
    with pytest.raises(AssertionError):
        load_student(build_student("tiny-student").state_dict(), heads=5)
