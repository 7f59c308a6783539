"""Held-out metrics of the demo models, in the key layout of ``models/metrics.json``.

Queries are the bare class names (``"cat"``), encoded by the teacher text tower. The index is the
held-out split (drawings, drawings with words, words alone). Definitions:

- ``zero_shot_top1``: class prompts (``data.class_prompts``, averaged) on held-out images of an object
  *without* words; ``zero_shot_top1_with_text``: the same on objects that carry a word.
- ``student_teacher_cosine``: mean cosine between student and teacher image embeddings, all images.
- ``recall_at_10_overlap``: mean over class queries of |top10(student) & top10(teacher)| / 10.
- ``textness.query_side[s]``: mean over class queries of the fraction of the top 10 that contain
  text, ranking by ``normalize(t + s*b) . v``; ``textness.image_side[s]`` ranks by
  ``t . normalize(v + s*b)``; ``*_on_topic[s]``: fraction of the top 10 that show the queried object
  or say the queried word or a near-miss of it.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from . import data, textness
from .model import CLIP
from .tokenizer import ClipTokenizer
from .train import class_text_embeddings, encode_images, encode_texts, zero_shot_top1

SCALES = (-2, -1, 0, 1, 2)
TOP_K = 10


def _top_k_fractions(scores: torch.Tensor, labels: Sequence[dict], k: int = TOP_K) -> tuple[float, float]:
    """scores ``[Q, N]`` (query q = CLASSES[q]) -> (mean text fraction, mean on-topic fraction)."""
    top = scores.topk(k, dim=1).indices
    text, topic = [], []
    for q, row in enumerate(top.tolist()):
        cls = data.CLASSES[q]
        text.append(sum(labels[i]["has_text"] for i in row) / k)
        topic.append(sum(labels[i]["class"] == cls or labels[i]["text_class"] == cls for i in row) / k)
    return sum(text) / len(text), sum(topic) / len(topic)


def textness_sweep(query: torch.Tensor, index: torch.Tensor, b: torch.Tensor, labels: Sequence[dict],
                   scales: Sequence[float] = SCALES) -> dict:
    """Query-side and image-side sweeps: ``{"query_side": {"-2": f, ...}, "query_side_on_topic": ...}``."""
    out: dict = {"query_side": {}, "query_side_on_topic": {}, "image_side": {}, "image_side_on_topic": {}}
    v = F.normalize(index, dim=-1)
    for s in scales:
        key = str(int(s)) if float(s).is_integer() else str(s)
        txt, top = _top_k_fractions(textness.query_side(query, b, s) @ v.t(), labels)
        out["query_side"][key], out["query_side_on_topic"][key] = round(txt, 4), round(top, 4)
        txt, top = _top_k_fractions(F.normalize(query, dim=-1) @ textness.image_side(v, b, s).t(), labels)
        out["image_side"][key], out["image_side_on_topic"][key] = round(txt, 4), round(top, 4)
    return out


def recall_overlap(query: torch.Tensor, a: torch.Tensor, b: torch.Tensor, k: int = TOP_K) -> float:
    ta = (query @ a.t()).topk(k, dim=1).indices.tolist()
    tb = (query @ b.t()).topk(k, dim=1).indices.tolist()
    return sum(len(set(x) & set(y)) / k for x, y in zip(ta, tb)) / len(ta)


def evaluate(teacher: CLIP, tok: ClipTokenizer, student: nn.Module, eval_set: data.ImageSet,
             b_teacher: torch.Tensor, b_student: torch.Tensor | None = None) -> dict:
    """All held-out metrics except params/bytes."""
    labels = eval_set.labels
    t_img = encode_images(teacher.visual, eval_set.images)
    s_img = encode_images(student, eval_set.images)
    classes = class_text_embeddings(teacher, tok)
    query = encode_texts(teacher, tok, list(data.CLASSES))
    plain = [i for i, lab in enumerate(labels) if lab["kind"] == "object"]
    worded = [i for i, lab in enumerate(labels) if lab["kind"] == "object_text"]

    def zs(emb: torch.Tensor, idx: list[int]) -> float:
        return round(zero_shot_top1(emb[idx], classes, [labels[i] for i in idx]), 4)

    sweep_t = textness_sweep(query, t_img, b_teacher, labels)
    sweep_s = textness_sweep(query, s_img, b_student if b_student is not None else b_teacher, labels)
    return {
        "teacher": {"zero_shot_top1": zs(t_img, plain), "zero_shot_top1_with_text": zs(t_img, worded)},
        "student": {"zero_shot_top1": zs(s_img, plain), "zero_shot_top1_with_text": zs(s_img, worded)},
        "student_teacher_cosine": round((t_img * s_img).sum(-1).mean().item(), 4),
        "recall_at_10_overlap": round(recall_overlap(query, t_img, s_img), 4),
        "textness": {**sweep_t, "student_index": sweep_s},
        "eval_set": {"images": len(labels), "objects_without_text": len(plain), "objects_with_text": len(worded),
                     "words_alone": len(labels) - len(plain) - len(worded), "queries": list(data.CLASSES)},
    }
