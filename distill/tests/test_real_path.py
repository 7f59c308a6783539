"""The real path on random weights: OpenAI-layout ViT-B/32 file -> distil student-w384-l6-h24 -> export.

Same code as a GPU run (docs/distillation.md), shrunk to 2 steps of batch 3 on 4 images on the CPU.
"""

import json

import torch

from clipserve_distill import data, distill
from clipserve_distill.model import load_student
from clipserve_distill.presets import build_teacher


def test_distils_real_shapes_from_openai_layout_checkpoint(tmp_path):
    torch.manual_seed(0)
    teacher = build_teacher("vit-b-32")
    state = teacher.state_dict()
    assert "visual.transformer.resblocks.11.attn.in_proj_weight" in state and "text_projection" in state
    ckpt = tmp_path / "ViT-B-32-random.pt"
    torch.save(state, ckpt)
    del teacher, state
    images = tmp_path / "images" / "nested"
    images.mkdir(parents=True)
    for i, s in enumerate(data.generate("train", 4, size=64)):
        s.image.resize((90 + 13 * i, 70 + 7 * i)).save(images / f"{i}.png")  # not square, not 224
    out = tmp_path / "student.pt"
    repo = tmp_path / "models"
    distill.main(["--teacher", str(ckpt), "--images", str(tmp_path / "images"),
                  "--student-preset", "student-w384-l6-h24", "--steps", "2", "--batch-size", "3",
                  "--warmup-steps", "1", "--log-every", "1", "--threads", "2",
                  "--teacher-cache", str(tmp_path / "teacher_emb.pt"),
                  "--out", str(out), "--export", str(repo), "--space", "clip-vit-b-32"])
    blob = torch.load(out)
    assert blob["preset"] == "student-w384-l6-h24"
    assert all(torch.isfinite(torch.tensor(h["kl"])) for h in blob["summary"]["history"])
    assert torch.load(tmp_path / "teacher_emb.pt").shape == (4, 512)
    student = load_student(blob["state_dict"], heads=24)
    assert student.conv1.weight.shape == (384, 3, 32, 32) and len(student.transformer.resblocks) == 6
    assert student.transformer.resblocks[0].attn.num_heads == 24
    manifest = json.loads((repo / "student-image" / "manifest.json").read_text())
    assert manifest["role"] == "student" and manifest["dimension"] == 512
    assert manifest["image"]["size"] == 224 and manifest["embedding_space"] == "clip-vit-b-32"
    assert manifest["parameters"] == sum(p.numel() for p in student.parameters())
    assert (repo / "student-image" / "model.onnx").stat().st_size > 4 * 10_000_000
