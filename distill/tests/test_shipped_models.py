"""Release checks on the shipped demo repository (models/): targets of issue 4, size, textness file."""

import json
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[2] / "models"
pytestmark = pytest.mark.skipif(not (MODELS / "metrics.json").exists(), reason="models/ not built")


def _metrics() -> dict:
    return json.loads((MODELS / "metrics.json").read_text())


def test_accuracy_targets():
    m = _metrics()
    assert m["teacher"]["zero_shot_top1"] >= 0.90
    assert m["student"]["zero_shot_top1"] >= m["teacher"]["zero_shot_top1"] - 0.05
    assert m["student_teacher_cosine"] >= 0.90


def test_query_side_textness_targets():
    t = _metrics()["textness"]
    fractions = [t["query_side"][s] for s in ("-2", "-1", "0", "1", "2")]
    assert fractions == sorted(fractions)
    assert fractions[0] <= 0.20 and fractions[-1] >= 0.80
    assert t["query_side_on_topic"]["2"] >= 0.70


def test_repository_is_small_and_textness_vector_is_unit():
    total = sum(p.stat().st_size for p in MODELS.rglob("*") if p.is_file())
    assert total < 25 * 1024 * 1024
    doc = json.loads((MODELS / "textness" / "demo-clip.json").read_text())
    assert doc["version"] == 1 and doc["norm"] == 1.0 and doc["embedding_space"] == "demo-clip"
    assert sum(v * v for v in doc["vector"]) == pytest.approx(1.0, abs=1e-5)
    manifest = json.loads((MODELS / "teacher-image" / "manifest.json").read_text())
    assert len(doc["vector"]) == manifest["dimension"]
