"""Contrastive training of the demo teacher (image + text towers) on demo-world captions.

CLIP's symmetric InfoNCE with one change: captions repeat within a batch (``"cat"``, ``"a drawing of a
cat"``), so a pair with the *same caption string* counts as a positive, not a negative (soft targets,
each row normalized). Every step picks one of each image's captions at random.

Run: ``python3 -m clipserve_distill.train --out /tmp/demo/teacher.pt`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from . import data
from .model import CLIP, ClipConfig, build_clip
from .presets import CLIP_MEAN, CLIP_STD, get_preset
from .tokenizer import ClipTokenizer, train_bpe


@dataclass
class TeacherConfig:
    """Options of :func:`train_teacher`; defaults are the shipped demo teacher's."""

    preset: str = "demo"
    n_train: int = 60_000          # rendered training images (each seen ``steps*batch/n_train`` times)
    n_val: int = 600               # validation images for the zero-shot log line
    seed: int = 0                  # demo-world seed (images) and torch seed (init, batches)
    steps: int = 1_300             # optimizer steps (~25 min on 2 shared cores)
    batch_size: int = 128
    lr: float = 1e-3               # peak AdamW learning rate (after linear warm-up)
    warmup_steps: int = 60
    weight_decay: float = 0.1      # on matrices only (not norms, biases, embeddings, logit_scale)
    vocab_size: int = 1024         # BPE vocabulary upper bound (the trainer stops when merges run out)
    threads: int = 2
    eval_every: int = 150          # steps between validation zero-shot log lines (0: never)
    time_budget_s: float = 0.0     # stop early after this many seconds (0: no limit); schedule unchanged
    cache_dir: str | None = "/tmp/clipserve-demo-cache"
    data_seed: int | None = None   # demo-world seed of the training images (None: ``seed``)
    word_share: float = 0.35       # share of training images that are words alone (the rest split 3:2
                                   # objects : objects with words); 0: data.KIND_WEIGHTS (30% words)


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 ``[N, H, W, 3]`` -> normalized float32 ``[N, 3, H, W]`` (same arithmetic as preprocess)."""
    x = torch.from_numpy(np.ascontiguousarray(images)).float() / 255.0
    mean = torch.tensor(CLIP_MEAN, dtype=torch.float32)
    std = torch.tensor(CLIP_STD, dtype=torch.float32)
    return ((x - mean) / std).permute(0, 3, 1, 2).contiguous()


def contrastive_loss(image_f: torch.Tensor, text_f: torch.Tensor, logit_scale: torch.Tensor,
                     caption_ids: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE on L2-normalized features; equal ``caption_ids`` are positives."""
    logits = logit_scale.exp() * image_f @ text_f.t()
    same = (caption_ids[:, None] == caption_ids[None, :]).float()
    targets = same / same.sum(dim=1, keepdim=True)
    li = -(targets * F.log_softmax(logits, dim=1)).sum(1).mean()
    lt = -(targets * F.log_softmax(logits.t(), dim=1)).sum(1).mean()
    return (li + lt) / 2


def build_tokenizer(vocab_size: int) -> ClipTokenizer:
    """BPE trained on every caption and prompt the demo world can produce (deterministic)."""
    return train_bpe(sorted(set(data.all_caption_texts())), vocab_size)


def build_demo_clip(preset: str, tokenizer: ClipTokenizer) -> CLIP:
    """The teacher of ``preset`` with its vocabulary trimmed to the tokenizer's real size."""
    cfg = get_preset(preset).clip
    if cfg is None:
        raise ValueError(f"preset {preset!r} has no text tower")
    if tokenizer.vocab_size > cfg.vocab_size:
        raise ValueError(f"tokenizer has {tokenizer.vocab_size} ids, preset {preset!r} allows {cfg.vocab_size}")
    return build_clip(dataclasses.replace(cfg, vocab_size=tokenizer.vocab_size))


def _caption_table(labels: Sequence[dict], tok: ClipTokenizer, ctx: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image, up to 5 caption variants: token ids ``[N, 5, ctx]`` and caption-string ids ``[N, 5]``."""
    strings: dict[str, int] = {}
    k = max(len(lab["captions"]) for lab in labels)
    cap_ids = np.zeros((len(labels), k), dtype=np.int64)
    for i, lab in enumerate(labels):
        caps = lab["captions"]
        for j in range(k):
            cap_ids[i, j] = strings.setdefault(caps[j % len(caps)], len(strings))
    inv = [""] * len(strings)
    for s, i in strings.items():
        inv[i] = s
    tokens = tok.encode(inv, ctx)
    return torch.from_numpy(tokens[cap_ids]), torch.from_numpy(cap_ids)


def _param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim >= 2 and "embedding" not in name else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    """Linear warm-up then cosine decay to 0."""
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))


@torch.no_grad()
def encode_images(encoder: torch.nn.Module, images: np.ndarray, batch: int = 256) -> torch.Tensor:
    """L2-normalized embeddings of uint8 images with any image tower (``visual`` or a student)."""
    was = encoder.training
    encoder.eval()
    out = [F.normalize(encoder(images_to_tensor(images[i:i + batch])), dim=-1) for i in range(0, len(images), batch)]
    encoder.train(was)
    return torch.cat(out)


@torch.no_grad()
def encode_texts(model: CLIP, tok: ClipTokenizer, texts: Sequence[str]) -> torch.Tensor:
    """L2-normalized text embeddings."""
    was = model.training
    model.eval()
    ids = torch.from_numpy(tok.encode(list(texts), model.context_length))
    out = F.normalize(model.encode_text(ids), dim=-1)
    model.train(was)
    return out


@torch.no_grad()
def class_text_embeddings(model: CLIP, tok: ClipTokenizer) -> torch.Tensor:
    """``[len(CLASSES), dim]``: each class's prompt embeddings averaged, then normalized."""
    rows = [F.normalize(encode_texts(model, tok, data.class_prompts(c)).mean(0), dim=-1) for c in data.CLASSES]
    return torch.stack(rows)


def zero_shot_top1(image_emb: torch.Tensor, class_emb: torch.Tensor, labels: Sequence[dict]) -> float:
    """Top-1 accuracy of class prompts on the images that show an object (``class`` not None)."""
    idx = [i for i, lab in enumerate(labels) if lab["class"] is not None]
    if not idx:
        return float("nan")
    pred = (image_emb[idx] @ class_emb.t()).argmax(1)
    truth = torch.tensor([data.CLASSES.index(labels[i]["class"]) for i in idx])
    return (pred == truth).float().mean().item()


def kind_weights(word_share: float) -> dict[str, float] | None:
    if word_share <= 0:
        return None
    rest = 1.0 - word_share
    return {"object": round(0.6 * rest, 4), "object_text": round(0.4 * rest, 4), "word": word_share}


def all_words() -> list[str]:
    return list(data.CLASSES) + [m for ms in data.NEAR_MISSES.values() for m in ms] + list(data.UNRELATED_WORDS)


@torch.no_grad()
def word_reading_top1(model: CLIP, tok: ClipTokenizer, images, labels: Sequence[dict]) -> float:
    """Top-1 of "the word <w>" prompts over every demo word, on images of a word alone."""
    idx = [i for i, lab in enumerate(labels) if lab["kind"] == "word"]
    words = all_words()
    emb = encode_images(model.visual, images[idx])
    pred = (emb @ encode_texts(model, tok, [f"the word {w}" for w in words]).t()).argmax(1)
    truth = torch.tensor([words.index(labels[i]["text"]) for i in idx])
    return (pred == truth).float().mean().item()


def train_teacher(cfg: TeacherConfig, log=print, init: CLIP | None = None,
                  tok: ClipTokenizer | None = None) -> tuple[CLIP, ClipTokenizer, dict]:
    """Train a teacher (from scratch, or continue ``init`` with its ``tok``); returns (model, tokenizer, summary)."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    t0 = time.time()
    if init is None:
        tok = build_tokenizer(cfg.vocab_size)
        model = build_demo_clip(cfg.preset, tok).train()
    else:
        assert tok is not None, "continuing a teacher needs its tokenizer"
        model = init.train()
    size = model.visual.input_resolution
    data_seed = cfg.seed if cfg.data_seed is None else cfg.data_seed
    train = data.render_split("train", cfg.n_train, data_seed, size, cache_dir=cfg.cache_dir,
                              kind_weights=kind_weights(cfg.word_share))
    val = data.render_split("val", cfg.n_val, cfg.seed, size, cache_dir=cfg.cache_dir)
    val_objects = [i for i, lab in enumerate(val.labels) if lab["kind"] == "object"]
    tokens, cap_ids = _caption_table(train.labels, tok, model.context_length)
    log(f"teacher: {sum(p.numel() for p in model.parameters())} params, vocab {tok.vocab_size}, "
        f"{len(train)} images rendered in {time.time() - t0:.0f}s")
    opt = torch.optim.AdamW(_param_groups(model, cfg.weight_decay), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6)
    gen = torch.Generator().manual_seed(cfg.seed)
    n_caps = tokens.shape[1]
    step, start, history = 0, time.time(), []
    perm = torch.randperm(len(train), generator=gen)
    pos = 0
    while step < cfg.steps:
        if pos + cfg.batch_size > len(perm):
            perm, pos = torch.randperm(len(train), generator=gen), 0
        idx = perm[pos:pos + cfg.batch_size]
        pos += cfg.batch_size
        choice = torch.randint(0, n_caps, (len(idx),), generator=gen)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg.steps, cfg.lr, cfg.warmup_steps)
        x = images_to_tensor(train.images[idx.numpy()])
        img_f = F.normalize(model.encode_image(x), dim=-1)
        txt_f = F.normalize(model.encode_text(tokens[idx, choice]), dim=-1)
        loss = contrastive_loss(img_f, txt_f, model.logit_scale, cap_ids[idx, choice])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        step += 1
        if step % 50 == 0:
            log(f"step {step}/{cfg.steps} loss {loss.item():.3f} scale {model.logit_scale.exp().item():.1f} "
                f"{(time.time() - start) / step:.2f}s/step")
        done = step == cfg.steps or (cfg.time_budget_s and time.time() - start > cfg.time_budget_s)
        if (cfg.eval_every and step % cfg.eval_every == 0) or done:
            emb = encode_images(model.visual, val.images[val_objects])
            acc = zero_shot_top1(emb, class_text_embeddings(model, tok), [val.labels[i] for i in val_objects])
            reading = word_reading_top1(model, tok, val.images, val.labels)
            history.append({"step": step, "val_zero_shot_top1": acc, "val_word_top1": reading, "loss": loss.item()})
            log(f"step {step}: val zero-shot top-1 {acc:.3f}, word reading top-1 {reading:.3f}")
        if done:
            break
    summary = {"steps": step, "train_seconds": round(time.time() - start, 1), "history": history,
               "config": dataclasses.asdict(cfg), "logit_scale": model.logit_scale.exp().item()}
    return model.eval(), tok, summary


def save_teacher(path: Path, model: CLIP, tok: ClipTokenizer, preset: str, summary: dict) -> None:
    """One ``torch.save`` file: OpenAI-layout state dict + tokenizer JSON + preset + summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "tokenizer": tok.to_hf_json(), "preset": preset,
                "vocab_size": tok.vocab_size, "summary": summary}, path)


def load_teacher(path: Path) -> tuple[CLIP, ClipTokenizer, dict]:
    """Inverse of :func:`save_teacher` (heads come from the preset, not the weights)."""
    blob = torch.load(path, map_location="cpu")
    tok = ClipTokenizer.from_hf_json(blob["tokenizer"])
    model = build_demo_clip(blob["preset"], tok)
    model.load_state_dict(blob["state_dict"])
    return model.eval(), tok, blob


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, required=True, help="checkpoint file to write")
    p.add_argument("--init", type=Path, help="continue training this teacher checkpoint (keeps its tokenizer)")
    for f in dataclasses.fields(TeacherConfig):
        kind = int if f.name == "data_seed" else (type(f.default) if f.default is not None else str)
        p.add_argument("--" + f.name.replace("_", "-"), type=kind, default=f.default)
    a = vars(p.parse_args(argv))
    out, init = a.pop("out"), a.pop("init")
    cfg = TeacherConfig(**a)
    model, tok = (load_teacher(init)[:2]) if init else (None, None)
    model, tok, summary = train_teacher(cfg, log=lambda s: print(s, flush=True), init=model, tok=tok)
    save_teacher(out, model, tok, cfg.preset, summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}))


if __name__ == "__main__":
    main()
