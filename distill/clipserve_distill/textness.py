"""The textness probe and vector: a linear classifier "does this image contain text?" on embeddings.

The probe is ``nn.Linear(dim, 2)`` with no hidden layer, as the seed (PicCollage) used, trained with
class-balanced cross-entropy on L2-normalized image embeddings (label 1 = the image contains text).
Weights start at zero, so the two rows stay exact opposites (the cross-entropy gradients of the two
rows sum to zero) and ``weight[1]`` is half the discriminative direction ``weight[1] - weight[0]``.

The **textness vector** ``b`` is ``weight[1]``, shipped with **unit L2 norm**; its raw norm is stored
too. Why unit: embeddings are unit vectors, so ``q' = normalize(t + s*b)`` with ``|b| = 1`` makes the
scale ``s`` read as "how many query-lengths of textness": ``s`` in -2..2 moves results from drawn
objects to written words. The raw ``weight[1]`` (norm ~40 for the demo teacher) would turn any
``|s| >= 1`` into an on/off switch that ignores the query.

File format (``models/textness/<space>.json``, see docs/model-repository.md)::

    {"embedding_space": "demo-clip", "version": 1, "dimension": 128, "vector": [...], "norm": 1.0,
     "raw_norm": 7.9, "bias": 0.12, "trained_on": "teacher", "model": "teacher-image",
     "accuracy": 0.99, "examples": 6000, "scale_range": [-2, 2]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

FORMAT_VERSION = 1


@dataclass
class ProbeConfig:
    """Full-batch AdamW on the whole embedding set."""

    epochs: int = 1000
    lr: float = 0.05
    weight_decay: float = 1e-3     # light: a flatter b.v among text images keeps +2 on topic (see docs)
    seed: int = 0


def train_probe(embeddings: torch.Tensor, has_text: torch.Tensor, cfg: ProbeConfig = ProbeConfig()) -> nn.Linear:
    """Fit ``nn.Linear(dim, 2)`` on ``[N, dim]`` embeddings (normalized here) and 0/1 labels."""
    torch.manual_seed(cfg.seed)
    x = F.normalize(embeddings.float(), dim=-1)
    y = has_text.long()
    counts = torch.bincount(y, minlength=2).float()
    if (counts == 0).any():
        raise ValueError("textness probe needs examples of both classes")
    weight = counts.sum() / (2 * counts)
    probe = nn.Linear(x.shape[1], 2)
    nn.init.zeros_(probe.weight)
    nn.init.zeros_(probe.bias)
    opt = torch.optim.AdamW(probe.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    for _ in range(cfg.epochs):
        loss = F.cross_entropy(probe(x), y, weight=weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return probe.eval()


@torch.no_grad()
def probe_accuracy(probe: nn.Linear, embeddings: torch.Tensor, has_text: torch.Tensor) -> float:
    pred = probe(F.normalize(embeddings.float(), dim=-1)).argmax(1)
    return (pred == has_text.long()).float().mean().item()


def textness_vector(probe: nn.Linear) -> tuple[torch.Tensor, float]:
    """(``weight[1]`` scaled to unit norm, the raw norm of ``weight[1]``)."""
    w = probe.weight.detach()[1].clone()
    raw = w.norm().item()
    return w / raw, raw


def query_side(text: torch.Tensor, b: torch.Tensor, scale: float) -> torch.Tensor:
    """``normalize(t + s*b)`` for text embeddings ``[..., D]`` (the server's default)."""
    return F.normalize(F.normalize(text, dim=-1) + scale * b, dim=-1)


def image_side(images: torch.Tensor, b: torch.Tensor, scale: float) -> torch.Tensor:
    """``normalize(v + s*b)`` for image embeddings ``[..., D]`` (the comparison variant)."""
    return F.normalize(F.normalize(images, dim=-1) + scale * b, dim=-1)


def to_json(vector: torch.Tensor, raw_norm: float, bias: float, space: str, trained_on: str, model: str,
            accuracy: float, examples: int) -> dict:
    return {
        "embedding_space": space,
        "version": FORMAT_VERSION,
        "dimension": int(vector.numel()),
        "vector": [round(float(v), 7) for v in vector],
        "norm": 1.0,
        "raw_norm": raw_norm,
        "bias": bias,
        "trained_on": trained_on,
        "model": model,
        "accuracy": accuracy,
        "examples": examples,
        "scale_range": [-2, 2],
    }


def save(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")


def load(path: Path) -> tuple[torch.Tensor, dict]:
    doc = json.loads(Path(path).read_text())
    if doc.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path}: textness version {doc.get('version')} (expected {FORMAT_VERSION})")
    return torch.tensor(doc["vector"], dtype=torch.float32), doc


def main(argv: list[str] | None = None) -> None:
    """Train a textness vector on two folders of images (with / without text) for any teacher."""
    import argparse

    from .distill import FolderImages, load_any_teacher, teacher_embeddings

    p = argparse.ArgumentParser(description="Train the textness vector of a teacher's embedding space.")
    p.add_argument("--teacher", type=Path, required=True, help="demo teacher.pt or OpenAI-layout CLIP weights")
    p.add_argument("--with-text", type=Path, required=True, help="folder of images that contain text")
    p.add_argument("--without-text", type=Path, required=True, help="folder of images without text")
    p.add_argument("--space", required=True, help="embedding_space the vector belongs to (e.g. clip-vit-b-32)")
    p.add_argument("--out", type=Path, required=True, help="JSON to write (models/textness/<space>.json)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=64)
    a = p.parse_args(argv)
    visual, _, _ = load_any_teacher(a.teacher)
    size = visual.input_resolution
    pos = teacher_embeddings(visual, FolderImages(a.with_text, size), a.batch_size, a.device)
    neg = teacher_embeddings(visual, FolderImages(a.without_text, size), a.batch_size, a.device)
    emb = torch.cat([pos, neg])
    y = torch.cat([torch.ones(len(pos)), torch.zeros(len(neg))])
    probe = train_probe(emb, y)
    b, raw = textness_vector(probe)
    bias = (probe.bias[1] - probe.bias[0]).item() / 2
    acc = probe_accuracy(probe, emb, y)
    save(a.out, to_json(b, raw, bias, a.space, "teacher", "teacher-image", round(acc, 4), len(y)))
    print(f"{a.out}: {len(y)} images, training accuracy {acc:.3f}, raw norm {raw:.2f}")


if __name__ == "__main__":
    main()
