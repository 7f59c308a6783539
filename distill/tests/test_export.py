from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from clipserve_distill import export
from clipserve_distill.onnx_check import check_model_folder, run_onnx
from clipserve_distill.presets import build_student, build_teacher
from clipserve_distill.tokenizer import train_default

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    torch.manual_seed(0)
    teacher = build_teacher("tiny")
    export.export_image_model(teacher.visual, out / "t-image", "t-image", "teacher", "tiny-clip", "tiny")
    export.export_text_model(teacher, train_default(1024), out / "t-text", "t-text", "teacher", "tiny-clip", "tiny")
    export.export_image_model(build_student("tiny-student"), out / "s-image", "s-image", "student", "tiny-clip",
                              "tiny-student")
    return out


@pytest.mark.parametrize("name", ["t-image", "t-text", "s-image"])
def test_onnx_matches_pytorch(repo, name):
    diff = check_model_folder(repo / name)
    print(f"{name}: max |onnx - torch| = {diff:.3e}")
    assert diff < TOLERANCE


def test_batch_axis_is_dynamic(repo):
    pixels = np.load(repo / "t-image" / "golden" / "pixel_values.npy")
    expected = np.load(repo / "t-image" / "golden" / "embeddings.npy")
    for batch in (pixels[:1], pixels):
        (out,) = run_onnx(repo / "t-image" / "model.onnx", {"pixel_values": batch})
        out = out / np.linalg.norm(out, axis=-1, keepdims=True)
        assert np.abs(out - expected[: len(batch)]).max() < TOLERANCE


def test_manifests_follow_the_repository_contract(repo):
    image = json.loads((repo / "t-image" / "manifest.json").read_text())
    text = json.loads((repo / "t-text" / "manifest.json").read_text())
    assert image["inputs"] == {"pixel_values": "pixel_values"} and image["outputs"] == {"embeddings": "image_embeds"}
    assert image["image"]["size"] == 32 and image["image"]["resize"] == "bicubic" and image["dimension"] == 32
    assert text["inputs"] == {"input_ids": "input_ids"} and text["outputs"] == {"embeddings": "text_embeds"}
    assert text["text"] == {"tokenizer_file": "tokenizer.json", "context_length": 16, "pad_id": 0}
    assert image["embedding_space"] == text["embedding_space"] == "tiny-clip"
    for m in (image, text):
        assert m["onnx_file"] == "model.onnx" and (repo / m["name"] / "model.onnx").stat().st_size < 1_000_000


def test_golden_files(repo):
    golden = repo / "t-image" / "golden"
    pngs = sorted(golden.glob("image_*.png"))
    assert len(pngs) >= 3
    from PIL import Image

    for p in pngs:
        w, h = Image.open(p).size
        assert w != h and Image.open(p).mode == "RGB"
    pixels = np.load(golden / "pixel_values.npy")
    assert pixels.dtype == np.float32 and pixels.shape == (len(pngs), 3, 32, 32)
    embeds = np.load(golden / "embeddings.npy")
    assert embeds.dtype == np.float32 and np.allclose(np.linalg.norm(embeds, axis=1), 1, atol=1e-5)

    tgolden = repo / "t-text" / "golden"
    texts = json.loads((tgolden / "texts.json").read_text())
    ids = np.load(tgolden / "input_ids.npy")
    assert ids.dtype == np.int64 and ids.shape == (len(texts), 16)
    assert "" in texts
    truncated = [row for row in ids if row[-1] != 0]
    assert truncated and all(row[-1] == row.max() for row in truncated)  # end token kept last


def test_cli_exports_a_student(tmp_path):
    assert export.main(["--preset", "tiny-student", "--random", "--out", str(tmp_path), "--name", "x"]) == 0
    assert json.loads((tmp_path / "x-image" / "manifest.json").read_text())["role"] == "student"


def test_cli_exports_an_openai_layout_checkpoint(tmp_path):
    torch.manual_seed(3)
    teacher = build_teacher("tiny")
    torch.save(teacher.state_dict(), tmp_path / "clip.pt")
    train_default(1024).save(tmp_path / "tokenizer.json")
    args = ["--checkpoint", str(tmp_path / "clip.pt"), "--preset", "tiny", "--tokenizer", str(tmp_path / "tokenizer.json"),
            "--out", str(tmp_path / "repo")]
    assert export.main(args) == 0
    assert check_model_folder(tmp_path / "repo" / "teacher-text") < TOLERANCE
    pixels = torch.from_numpy(np.load(tmp_path / "repo" / "teacher-image" / "golden" / "pixel_values.npy"))
    with torch.no_grad():
        expected = export.l2_normalize(teacher.encode_image(pixels).numpy())
    assert np.abs(np.load(tmp_path / "repo" / "teacher-image" / "golden" / "embeddings.npy") - expected).max() < 1e-6
