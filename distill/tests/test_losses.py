"""Distillation and contrastive losses on small hand-computed cases."""

import math

import pytest
import torch

from clipserve_distill.distill import DistillConfig, embedding_l1, similarity_kl, temperature_at
from clipserve_distill.train import contrastive_loss

E1, E2 = [1.0, 0.0], [0.0, 1.0]


def test_kl_is_zero_when_student_equals_teacher():
    t = torch.randn(6, 8)
    assert similarity_kl(t.clone(), t, 100.0, 4.0).item() == pytest.approx(0.0, abs=1e-6)


def test_kl_hand_computed_with_logit_scale_temperature_and_masked_diagonal():
    # teacher t = [e1, e2, e1]; student s = [e1, e1, e2]. Rows (diagonal masked):
    #   row 0: teacher sims to (t1, t2) = (0, 1), student s0.(t1, t2) = (0, 1)  -> KL 0
    #   row 1: teacher (t0, t2) = (0, 0),          student s1.(t0, t2) = (1, 1)  -> both uniform, KL 0
    #   row 2: teacher (t0, t1) = (1, 0),          student s2.(t0, t1) = (0, 1)
    # With logits d = scale/T times these, row 2 is KL([a, b] || [b, a]) = (a - b) * log(a / b)
    # = d * tanh(d / 2); the loss is T^2 * mean over the 3 rows.
    t = torch.tensor([E1, E2, E1])
    s = torch.tensor([E1, E1, E2])
    scale, temp = 4.0, 2.0
    d = scale / temp
    expected = temp**2 * (d * math.tanh(d / 2)) / 3
    assert similarity_kl(s, t, scale, temp).item() == pytest.approx(expected, rel=1e-5)


def test_kl_without_logit_scale_would_be_almost_flat():
    t = torch.tensor([E1, E2, E1])
    s = torch.tensor([E1, E1, E2])
    assert similarity_kl(s, t, 1.0, 4.0).item() < 0.2 * similarity_kl(s, t, 100.0, 4.0).item()


def test_kl_ignores_embedding_norms():
    t = torch.tensor([E1, E2, E1])
    s = torch.tensor([E1, E1, E2])
    assert similarity_kl(3 * s, 0.5 * t, 4.0, 2.0).item() == pytest.approx(similarity_kl(s, t, 4.0, 2.0).item())


def test_l1_between_normalized_embeddings():
    s = torch.tensor([[3.0, 4.0], [0.0, 2.0]])   # -> (0.6, 0.8), (0, 1)
    t = torch.tensor([[1.0, 0.0], [0.0, 5.0]])   # -> (1, 0),     (0, 1)
    # row 0: |0.6 - 1| + |0.8 - 0| = 1.2; row 1: 0; mean 0.6
    assert embedding_l1(s, t).item() == pytest.approx(0.6)


def test_temperature_schedule_switches_after_first_phase():
    cfg = DistillConfig(steps=10, temperatures=(4.0, 2.0), switch_fraction=0.5)
    assert [temperature_at(i, cfg) for i in range(10)] == [4.0] * 5 + [2.0] * 5


def test_contrastive_loss_counts_equal_captions_as_positives():
    img = torch.tensor([E1, E1, E2])
    txt = torch.tensor([E1, E1, E2])
    scale = torch.tensor(math.log(10.0))
    # Rows 0 and 1 have the same caption: targets (0.5, 0.5, 0); the logits are 10, 10, 0.
    loss = contrastive_loss(img, txt, scale, torch.tensor([7, 7, 3])).item()
    row01 = -math.log(math.exp(10) / (2 * math.exp(10) + 1))
    row2 = -math.log(math.exp(10) / (math.exp(10) + 2))
    assert loss == pytest.approx((2 * row01 + row2) / 3, rel=1e-5)
