"""Build the shipped demo repository (``models/``) from nothing: the one reproducible command.

Steps (each checkpoint lands in ``--work``; an existing one is reused unless ``--fresh``):

1. train the demo teacher (:mod:`.train`) -> ``teacher.pt``;
2. distil the demo student from the teacher's image tower (:mod:`.distill`) -> ``student.pt``;
3. train the textness probe on teacher image embeddings of training images (:mod:`.textness`),
   and a student-space probe for comparison;
4. export ``teacher-image``, ``teacher-text`` (+ ``tokenizer.json``), ``student-image`` (ONNX,
   manifests, golden files), ``textness/<space>.json``, the held-out ``eval/`` set;
5. measure on the held-out split (:mod:`.evaluate`) -> ``metrics.json``.

``distill/scripts/train_demo.sh`` runs this with the shipped defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from . import data, evaluate, textness
from .distill import ArrayImages, DistillConfig, distill, save_student
from .export import export_image_model, export_text_model
from .model import load_student
from .presets import build_student, build_teacher, get_preset
from .train import TeacherConfig, encode_images, load_teacher, save_teacher, train_teacher

SPACE = "demo-clip"


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def size_report(out: Path) -> tuple[dict, dict]:
    """(params, bytes): demo from the exported folders; real shapes built here, FP32 = 4 bytes/param."""
    def count(m: torch.nn.Module) -> int:
        return sum(p.numel() for p in m.parameters())

    def manifest(name: str) -> dict:
        return json.loads((out / name / "manifest.json").read_text())

    real = build_teacher("vit-b-32")
    real_student = build_student("student-w384-l6-h24")
    params = {
        "teacher_demo_image": manifest("teacher-image")["parameters"],
        "teacher_demo_text": manifest("teacher-text")["parameters"],
        "student_demo_image": manifest("student-image")["parameters"],
        "teacher_real": count(real),
        "teacher_real_image": count(real.visual),
        "student_real_image": count(real_student),
    }
    params["teacher_demo"] = params["teacher_demo_image"] + params["teacher_demo_text"] + 1  # + logit_scale
    params["image_ratio_demo"] = round(params["teacher_demo_image"] / params["student_demo_image"], 2)
    params["image_ratio_real"] = round(params["teacher_real_image"] / params["student_real_image"], 2)
    sizes = {
        "teacher_demo_image_onnx": (out / "teacher-image" / "model.onnx").stat().st_size,
        "teacher_demo_text_onnx": (out / "teacher-text" / "model.onnx").stat().st_size,
        "student_demo_image_onnx": (out / "student-image" / "model.onnx").stat().st_size,
        "teacher_real_fp32_estimate": 4 * params["teacher_real"],
        "teacher_real_image_fp32_estimate": 4 * params["teacher_real_image"],
        "student_real_image_fp32_estimate": 4 * params["student_real_image"],
        "student_real_image_fp16_estimate": 2 * params["student_real_image"],
    }
    return params, sizes


def build(out: Path, work: Path, teacher_cfg: TeacherConfig, distill_cfg: DistillConfig, n_eval: int,
          n_probe: int, fresh: bool = False, log=print) -> dict:
    torch.set_num_threads(teacher_cfg.threads)
    work.mkdir(parents=True, exist_ok=True)
    timings: dict = {}
    teacher_path, student_path = work / "teacher.pt", work / "student.pt"
    if fresh or not teacher_path.exists():
        t0 = time.time()
        model, tok, summary = train_teacher(teacher_cfg, log=log)
        save_teacher(teacher_path, model, tok, teacher_cfg.preset, summary)
        timings["teacher_wall_seconds"] = round(time.time() - t0, 1)
    teacher, tok, blob = load_teacher(teacher_path)
    timings["teacher_train_seconds"] = blob["summary"]["train_seconds"]
    scale = teacher.logit_scale.exp().item()
    size = teacher.visual.input_resolution
    cache_dir = Path(teacher_cfg.cache_dir) if teacher_cfg.cache_dir else None
    train_set = data.render_split("train", teacher_cfg.n_train, teacher_cfg.seed, size, cache_dir=cache_dir)
    if fresh or not student_path.exists():
        t0 = time.time()
        (work / "teacher_embeddings.pt").unlink(missing_ok=True)  # belongs to the previous teacher
        student, summary = distill(teacher.visual, scale, ArrayImages(train_set.images), distill_cfg,
                                   cache=work / "teacher_embeddings.pt", log=log)
        save_student(student_path, student, distill_cfg.student_preset, summary)
        timings["student_wall_seconds"] = round(time.time() - t0, 1)
    sblob = torch.load(student_path, map_location="cpu")
    student = load_student(sblob["state_dict"], get_preset(sblob["preset"]).vision.heads)
    timings["student_train_seconds"] = sblob["summary"]["train_seconds"]

    # Textness probes on training images (first n_probe), label = has_text.
    probe_imgs = train_set.images[:n_probe]
    has_text = torch.tensor([lab["has_text"] for lab in train_set.labels[:n_probe]])
    val = data.render_split("val", n_eval, teacher_cfg.seed, size, cache_dir=cache_dir)
    val_text = torch.tensor([lab["has_text"] for lab in val.labels])
    probes = {}
    for who, enc in (("teacher", teacher.visual), ("student", student)):
        emb = encode_images(enc, probe_imgs)
        probe = textness.train_probe(emb, has_text)
        b, raw = textness.textness_vector(probe)
        acc = textness.probe_accuracy(probe, encode_images(enc, val.images), val_text)
        bias = (probe.bias[1] - probe.bias[0]).item() / 2
        probes[who] = (b, textness.to_json(b, raw, bias, SPACE, who, f"{who}-image", round(acc, 4), n_probe))
        log(f"textness probe on {who} embeddings: val accuracy {acc:.3f}, raw norm {raw:.2f}")

    # Export.
    out.mkdir(parents=True, exist_ok=True)
    export_image_model(teacher.visual, out / "teacher-image", "teacher-image", "teacher", SPACE, teacher_cfg.preset)
    export_text_model(teacher, tok, out / "teacher-text", "teacher-text", "teacher", SPACE, teacher_cfg.preset)
    export_image_model(student, out / "student-image", "student-image", "student", SPACE, distill_cfg.student_preset)
    textness.save(out / "textness" / f"{SPACE}.json", probes["teacher"][1])
    textness.save(out / "textness" / f"{SPACE}.student.json", probes["student"][1])
    if (out / "eval").exists():
        shutil.rmtree(out / "eval")
    samples = list(data.generate("test", n_eval, seed=teacher_cfg.seed, size=size))
    data.save_eval_set(samples, out / "eval")
    test = data.ImageSet(np.stack([np.asarray(s.image) for s in samples]), [s.labels() for s in samples])

    # The server uses <space>.json (the teacher probe) for both indexes; measure exactly that.
    metrics = evaluate.evaluate(teacher, tok, student, test, probes["teacher"][0])
    params, sizes = size_report(out)
    metrics["params"], metrics["bytes"] = params, sizes
    metrics["bytes"]["repository"] = _folder_bytes(out)
    metrics["textness_probe"] = {k: {f: v[1][f] for f in ("accuracy", "raw_norm", "examples")} for k, v in probes.items()}
    metrics["textness_probe"]["config"] = dataclasses.asdict(textness.ProbeConfig())
    metrics["training"] = {**timings, "teacher_logit_scale": round(scale, 2),
                           "teacher": dataclasses.asdict(teacher_cfg), "distill": dataclasses.asdict(distill_cfg),
                           "threads": teacher_cfg.threads}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    metrics["bytes"]["repository"] = _folder_bytes(out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Build the demo model repository (models/) from nothing.")
    p.add_argument("--out", type=Path, default=Path("models"))
    p.add_argument("--work", type=Path, default=Path("/tmp/clipserve-demo"), help="checkpoints and caches")
    p.add_argument("--fresh", action="store_true", help="retrain even if checkpoints exist in --work")
    p.add_argument("--n-eval", type=int, default=600, help="held-out images (shipped in models/eval)")
    p.add_argument("--n-probe", type=int, default=8000, help="training images for the textness probe")
    p.add_argument("--teacher-steps", type=int, default=TeacherConfig.steps)
    p.add_argument("--student-steps", type=int, default=DistillConfig.steps)
    p.add_argument("--n-train", type=int, default=TeacherConfig.n_train)
    a = p.parse_args(argv)
    tcfg = TeacherConfig(steps=a.teacher_steps, n_train=a.n_train)
    dcfg = DistillConfig(steps=a.student_steps)
    m = build(a.out, a.work, tcfg, dcfg, a.n_eval, a.n_probe, a.fresh, log=lambda s: print(s, flush=True))
    print(json.dumps({k: m[k] for k in ("teacher", "student", "student_teacher_cosine", "recall_at_10_overlap")}))
    print(json.dumps(m["textness"]["query_side"]), json.dumps(m["textness"]["query_side_on_topic"]))


if __name__ == "__main__":
    main()
