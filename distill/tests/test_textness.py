"""The textness probe learns a separable toy set; the shipped vector has unit norm."""

import json

import pytest
import torch

from clipserve_distill import textness


def _toy(n=200, dim=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    direction = torch.zeros(dim)
    direction[3] = 1.0
    y = torch.arange(n) % 2
    x = torch.randn(n, dim, generator=g) * 0.3 + (2 * y[:, None] - 1) * direction
    return x, y, direction


def test_probe_separates_a_separable_set():
    x, y, direction = _toy()
    probe = textness.train_probe(x, y)
    assert isinstance(probe, torch.nn.Linear) and probe.weight.shape == (2, 16)
    assert textness.probe_accuracy(probe, x, y) == 1.0
    b, raw = textness.textness_vector(probe)
    assert b.norm().item() == pytest.approx(1.0, abs=1e-6)
    assert raw > 1.0
    assert torch.dot(b, direction).item() > 0.9  # points at "has text"


def test_rows_stay_opposite():
    x, y, _ = _toy()
    probe = textness.train_probe(x, y)
    assert torch.allclose(probe.weight[0], -probe.weight[1], atol=1e-4)


def test_query_side_moves_ranking_towards_text():
    x, y, _ = _toy()
    b, _ = textness.textness_vector(textness.train_probe(x, y))
    q = torch.nn.functional.normalize(torch.randn(16), dim=0)
    v = torch.nn.functional.normalize(x, dim=-1)
    top_plus = (v @ textness.query_side(q, b, 2.0)).topk(10).indices
    top_minus = (v @ textness.query_side(q, b, -2.0)).topk(10).indices
    assert y[top_plus].float().mean() == 1.0 and y[top_minus].float().mean() == 0.0


def test_json_round_trip(tmp_path):
    v = torch.nn.functional.normalize(torch.randn(8), dim=0)
    doc = textness.to_json(v, 7.5, 0.1, "demo-clip", "teacher", "teacher-image", 0.99, 100)
    textness.save(tmp_path / "t.json", doc)
    loaded, meta = textness.load(tmp_path / "t.json")
    assert torch.allclose(loaded, v, atol=1e-6)
    assert meta["norm"] == 1.0 and meta["raw_norm"] == 7.5 and meta["embedding_space"] == "demo-clip"
    assert json.loads((tmp_path / "t.json").read_text())["version"] == 1
