"""Distil a student image tower from a teacher's image tower on unlabeled images.

Loss (per batch of B images, ``s`` = student and ``t`` = teacher embeddings, both L2-normalized)::

    loss = kl_weight * T^2 * KL(softmax(z_t / T) || softmax(z_s / T))  +  l1_weight * L1(s, t)

    z_t[i, j] = scale * t_i . t_j      z_s[i, j] = scale * s_i . t_j      (j != i: diagonal masked)

- ``scale`` is the teacher's learned logit scale (``exp(logit_scale)``: 100 for OpenAI ViT-B/32, ~30-100
  for the demo teacher). Cosines live in [-1, 1]; divided by T=4 alone they give an almost flat
  softmax over the batch and nothing to learn, so they are first scaled the way the teacher's own
  contrastive loss saw them, then softened by T.
- The diagonal is masked: ``t_i . t_i`` is always 1 and would dominate the teacher's row.
- Rows compare the student's view of image i against the *teacher's* embeddings of the others, so
  the structure is learned in the teacher's space (the student shares the teacher's text tower).
- ``T^2`` keeps the gradient size comparable between phases (Hinton et al.).
- L1 is the sum over dimensions of ``|s - t|``, averaged over the batch: it pins each student vector
  onto its teacher vector (cosine), which the relational KL alone does not.
- Schedule: T = ``temperatures[0]`` for the first ``switch_fraction`` of the steps, then
  ``temperatures[1]`` (the seed: 4 for ten epochs, then 2).

Teacher embeddings are computed once and cached (the teacher never changes), which makes training
several times faster than running the teacher every step.

Command line: ``python3 -m clipserve_distill.distill --help``. Demo: ``--teacher teacher.pt``
(from :mod:`clipserve_distill.train`). Real: ``--teacher ViT-B-32.pt --images DIR
--student-preset student-w384-l6-h24 --device cuda`` (see docs/distillation.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from . import data
from .model import CLIP, VisionTransformer, build_vision, load_clip, read_state_dict
from .presets import get_preset
from .train import images_to_tensor, lr_at

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif")


# ---------------------------------------------------------------- losses


def similarity_kl(student: torch.Tensor, teacher: torch.Tensor, logit_scale: float, temperature: float) -> torch.Tensor:
    """``T^2 * mean_i KL(p_t[i] || p_s[i])`` over in-batch similarities, diagonal masked.

    ``student`` and ``teacher`` are ``[B, D]`` embeddings (normalized here); ``logit_scale`` is the
    teacher's scale as a plain multiplier (already ``exp``-ed).
    """
    s = F.normalize(student, dim=-1)
    t = F.normalize(teacher, dim=-1)
    b = s.shape[0]
    if b < 3:
        raise ValueError("similarity_kl needs a batch of at least 3 (2 others per row)")
    eye = torch.eye(b, dtype=torch.bool, device=s.device)
    z_t = (logit_scale * t @ t.t() / temperature).masked_fill(eye, float("-inf"))
    z_s = (logit_scale * s @ t.t() / temperature).masked_fill(eye, float("-inf"))
    p_t = F.softmax(z_t, dim=1)
    log_p_t = F.log_softmax(z_t, dim=1).masked_fill(eye, 0.0)
    log_p_s = F.log_softmax(z_s, dim=1).masked_fill(eye, 0.0)
    kl = (p_t * (log_p_t - log_p_s)).sum(dim=1).mean()
    return kl * temperature**2


def embedding_l1(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``sum_d |s_d - t_d|`` between L2-normalized embeddings."""
    return (F.normalize(student, dim=-1) - F.normalize(teacher, dim=-1)).abs().sum(dim=-1).mean()


@dataclass
class DistillConfig:
    """Options of :func:`distill`; defaults are the shipped demo student's."""

    student_preset: str = "demo-student"
    steps: int = 2_500
    batch_size: int = 128
    lr: float = 2e-3               # peak AdamW learning rate; cosine decay after warm-up
    warmup_steps: int = 100
    weight_decay: float = 0.05
    temperatures: tuple[float, float] = (4.0, 2.0)   # first phase, second phase
    switch_fraction: float = 0.5   # share of the steps at temperatures[0]
    kl_weight: float = 1.0
    l1_weight: float = 1.0
    seed: int = 0
    threads: int = 2
    device: str = "cpu"
    num_workers: int = 0           # DataLoader workers for folder datasets
    log_every: int = 100


def temperature_at(step: int, cfg: DistillConfig) -> float:
    return cfg.temperatures[0] if step < cfg.switch_fraction * cfg.steps else cfg.temperatures[1]


# ---------------------------------------------------------------- datasets


class ArrayImages(Dataset):
    """uint8 ``[N, H, W, 3]`` images (already at the model size) -> (normalized tensor, index).

    Indexing with a list of indices returns a whole batch at once (see :func:`make_loader`).
    """

    def __init__(self, images: np.ndarray) -> None:
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        if isinstance(i, (list, tuple)):
            return images_to_tensor(self.images[np.asarray(i)]), torch.as_tensor(i)
        return images_to_tensor(self.images[i:i + 1])[0], i


def make_loader(dataset: Dataset, batch_size: int, shuffle: bool, generator: torch.Generator | None = None,
                num_workers: int = 0, drop_last: bool = False) -> DataLoader:
    """Batches of (images, indices); in-memory arrays are sliced a batch at a time."""
    if isinstance(dataset, ArrayImages):
        base = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        return DataLoader(dataset, sampler=BatchSampler(base, batch_size, drop_last), batch_size=None)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator,
                      num_workers=num_workers, drop_last=drop_last)


class FolderImages(Dataset):
    """Every image file under ``root`` (sorted, recursive), preprocessed like the server does."""

    def __init__(self, root: Path, size: int) -> None:
        from . import preprocess

        self._preprocess = preprocess.preprocess
        self.files = sorted(p for p in Path(root).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise ValueError(f"no images under {root}")
        self.size = size

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return torch.from_numpy(self._preprocess(self.files[i], self.size)), i


@torch.no_grad()
def teacher_embeddings(visual: nn.Module, dataset: Dataset, batch_size: int, device: str,
                       num_workers: int = 0) -> torch.Tensor:
    """L2-normalized teacher embeddings of the whole dataset, ``[N, D]`` on the CPU, dataset order."""
    visual = visual.to(device).eval()
    loader = make_loader(dataset, batch_size, shuffle=False, num_workers=num_workers)
    parts = []
    for x, _ in loader:
        parts.append(F.normalize(visual(x.to(device)).float(), dim=-1).cpu())
    return torch.cat(parts)


# ---------------------------------------------------------------- training


def distill(teacher_visual: nn.Module, logit_scale: float, dataset: Dataset, cfg: DistillConfig,
            cache: Path | None = None, log: Callable[[str], None] = print) -> tuple[VisionTransformer, dict]:
    """Train a ``cfg.student_preset`` student; returns (student in eval mode on CPU, summary)."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    t0 = time.time()
    if cache is not None and cache.exists():
        targets = torch.load(cache)
    else:
        targets = teacher_embeddings(teacher_visual, dataset, max(cfg.batch_size, 64), cfg.device, cfg.num_workers)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            torch.save(targets, cache)
    if len(targets) != len(dataset):
        raise ValueError(f"cached teacher embeddings have {len(targets)} rows, dataset {len(dataset)}")
    teacher_seconds = time.time() - t0
    log(f"teacher embeddings {tuple(targets.shape)} in {teacher_seconds:.0f}s; logit scale {logit_scale:.1f}")
    student = build_vision(get_preset(cfg.student_preset).vision).to(cfg.device).train()
    decay = [p for n, p in student.named_parameters() if p.ndim >= 2 and "embedding" not in n]
    other = [p for n, p in student.named_parameters() if not (p.ndim >= 2 and "embedding" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": other, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6)
    gen = torch.Generator().manual_seed(cfg.seed)
    loader = make_loader(dataset, cfg.batch_size, shuffle=True, generator=gen, num_workers=cfg.num_workers,
                         drop_last=len(dataset) > cfg.batch_size)
    step, start, history = 0, time.time(), []
    while step < cfg.steps:
        for x, idx in loader:
            if step >= cfg.steps:
                break
            temp = temperature_at(step, cfg)
            for g in opt.param_groups:
                g["lr"] = lr_at(step, cfg.steps, cfg.lr, cfg.warmup_steps)
            s = student(x.to(cfg.device))
            t = targets[idx].to(cfg.device)
            kl = similarity_kl(s, t, logit_scale, temp)
            l1 = embedding_l1(s, t)
            loss = cfg.kl_weight * kl + cfg.l1_weight * l1
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if step % cfg.log_every == 0 or step == cfg.steps:
                cos = (F.normalize(s.detach(), dim=-1) * t).sum(-1).mean().item()
                history.append({"step": step, "T": temp, "kl": kl.item(), "l1": l1.item(), "cosine": cos})
                log(f"step {step}/{cfg.steps} T={temp:g} kl {kl.item():.4f} l1 {l1.item():.3f} "
                    f"batch cosine {cos:.3f} {(time.time() - start) / step:.2f}s/step")
    summary = {"steps": step, "train_seconds": round(time.time() - start, 1),
               "teacher_embedding_seconds": round(teacher_seconds, 1), "logit_scale": logit_scale,
               "history": history, "config": dataclasses.asdict(cfg)}
    return student.cpu().eval(), summary


def load_any_teacher(path: Path, vision_heads: int | None = None) -> tuple[nn.Module, float, CLIP]:
    """(image tower, logit scale, full CLIP) from a demo checkpoint or any OpenAI-layout file."""
    blob = _load_blob(path)
    if isinstance(blob, dict) and "preset" in blob and "tokenizer" in blob:
        from .train import load_teacher

        clip, _, _ = load_teacher(path)
    elif isinstance(blob, dict):  # a torch.save'd OpenAI-layout state dict (or {"state_dict": ...})
        clip = load_clip(blob.get("state_dict", blob), vision_heads)
    elif isinstance(blob, nn.Module):  # OpenAI's TorchScript archive
        clip = load_clip(blob.state_dict(), vision_heads)
    else:
        clip = load_clip(read_state_dict(path), vision_heads)
    return clip.visual, clip.logit_scale.exp().item(), clip


def _load_blob(path: Path):
    try:
        return torch.load(path, map_location="cpu")
    except Exception:  # TorchScript archives (OpenAI's .pt) are not torch.load-able as dicts
        return None


def save_student(path: Path, student: VisionTransformer, preset: str, summary: dict) -> None:
    """``{"state_dict": <bare VisionTransformer keys>, "preset": ..., "summary": ...}`` via torch.save."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": student.state_dict(), "preset": preset, "summary": summary}, path)


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Distil a student image tower from a teacher (see module doc).")
    p.add_argument("--teacher", type=Path, required=True,
                   help="demo teacher checkpoint (train.py) or OpenAI-layout CLIP weights (ViT-B-32.pt)")
    p.add_argument("--images", type=Path, help="folder of images (default: the demo world's train split)")
    p.add_argument("--n-images", type=int, default=60_000, help="demo-world images when --images is absent")
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--teacher-cache", type=Path, help="file caching the teacher embeddings")
    p.add_argument("--out", type=Path, required=True, help="student checkpoint to write")
    p.add_argument("--export", type=Path, help="also export the student into this model repository")
    p.add_argument("--space", default="clip-vit-b-32", help="embedding_space for --export")
    p.add_argument("--temperatures", type=float, nargs=2, default=DistillConfig.temperatures)
    for f in dataclasses.fields(DistillConfig):
        if f.name == "temperatures":
            continue
        p.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    a = vars(p.parse_args(argv))
    teacher_path, images, n_images = a.pop("teacher"), a.pop("images"), a.pop("n_images")
    data_seed, cache, out, export, space = (a.pop(k) for k in ("data_seed", "teacher_cache", "out", "export", "space"))
    a["temperatures"] = tuple(a["temperatures"])
    cfg = DistillConfig(**a)
    visual, scale, _ = load_any_teacher(teacher_path)
    size = visual.input_resolution
    student_size = get_preset(cfg.student_preset).vision.image_resolution
    if student_size != size:
        raise SystemExit(f"student resolution {student_size} != teacher resolution {size}")
    if images is not None:
        dataset: Dataset = FolderImages(images, size)
    else:
        dataset = ArrayImages(data.render_split("train", n_images, data_seed, size,
                                                cache_dir=Path("/tmp/clipserve-demo-cache")).images)
    student, summary = distill(visual, scale, dataset, cfg, cache, log=lambda s: print(s, flush=True))
    save_student(out, student, cfg.student_preset, summary)
    if export is not None:
        from .export import export_image_model

        export_image_model(student, export / "student-image", "student-image", "student", space, cfg.student_preset)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}))


if __name__ == "__main__":
    main()
