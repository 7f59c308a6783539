"""The demo build end to end on the tiny presets: repository layout and the metrics.json keys."""

import json

from clipserve_distill import demo
from clipserve_distill.distill import DistillConfig
from clipserve_distill.train import TeacherConfig


def test_builds_repository_with_all_metric_keys(tmp_path):
    out, work = tmp_path / "models", tmp_path / "work"
    tcfg = TeacherConfig(preset="tiny", n_train=192, n_val=32, steps=2, batch_size=32, eval_every=0, cache_dir=None)
    dcfg = DistillConfig(student_preset="tiny-student", steps=2, batch_size=32, log_every=1)
    demo.build(out, work, tcfg, dcfg, n_eval=48, n_probe=96, log=lambda s: None)
    for name in ("teacher-image", "teacher-text", "student-image"):
        assert (out / name / "manifest.json").exists() and (out / name / "model.onnx").exists()
    assert (out / "teacher-text" / "tokenizer.json").exists()
    t = json.loads((out / "textness" / "demo-clip.json").read_text())
    assert t["norm"] == 1.0 and len(t["vector"]) == t["dimension"] == 32 and t["trained_on"] == "teacher"
    labels = [json.loads(line) for line in (out / "eval" / "labels.jsonl").read_text().splitlines()]
    assert len(labels) == 48 and all((out / "eval" / lab["file"]).exists() for lab in labels)
    assert {"id", "class", "color", "has_text", "text", "caption"} <= set(labels[0])
    m = json.loads((out / "metrics.json").read_text())
    for who in ("teacher", "student"):
        assert set(m[who]) == {"zero_shot_top1", "zero_shot_top1_with_text"}
    assert -1 <= m["student_teacher_cosine"] <= 1 and 0 <= m["recall_at_10_overlap"] <= 1
    for key in ("query_side", "image_side", "query_side_on_topic"):
        assert set(m["textness"][key]) == {"-2", "-1", "0", "1", "2"}
    assert m["params"]["teacher_real"] > 150_000_000 and m["params"]["student_real_image"] > 10_000_000
    assert m["bytes"]["student_demo_image_onnx"] > 0
