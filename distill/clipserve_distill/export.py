"""ONNX export of CLIP image and text towers into model-repository folders.

Each tower goes to its own folder (see ``docs/model-repository.md``)::

    <out>/<name>-image/{manifest.json, model.onnx, golden/}
    <out>/<name>-text/{manifest.json, model.onnx, tokenizer.json, golden/}

Command line (always ``/usr/bin/python3``, Debian's PyTorch)::

    /usr/bin/python3 -m clipserve_distill.export --preset vit-b-32 --random --out /tmp/models
    /usr/bin/python3 -m clipserve_distill.export --preset student-w384-l6-h24 --random --out /tmp/models
    /usr/bin/python3 -m clipserve_distill.export --checkpoint ViT-B-32.pt --tokenizer tokenizer.json --out models
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import nn

from . import preprocess
from .model import CLIP, VisionTransformer, count_parameters, load_clip, load_student, read_state_dict
from .presets import CLIP_MEAN, CLIP_STD, get_preset
from .tokenizer import PAD_ID, ClipTokenizer, train_default

OPSET = 17
IMAGE_INPUT, IMAGE_OUTPUT = "pixel_values", "image_embeds"
TEXT_INPUT, TEXT_OUTPUT = "input_ids", "text_embeds"
DEFAULT_BATCHING = {
    "max_batch_size": 16,
    "preferred_batch_sizes": [],
    "max_queue_delay_us": 0,
    "max_queue_size": 0,
    "default_timeout_ms": 0,
}
GOLDEN_TEXTS = [
    "a photo of a cat",
    "",
    "!",
    "Hello,   World!! It's 42 cats & 3 dogs... (really?)",
    "A RED house; Ünïcödé café 🐈 <|endoftext|> after",
    " ".join(["a very long caption about a small red cat sitting on a blue house near a tree"] * 8),
]


class ImageEncoder(nn.Module):
    """``pixel_values`` [N, 3, S, S] -> ``image_embeds`` [N, D] (not normalized)."""

    def __init__(self, visual: VisionTransformer) -> None:
        super().__init__()
        self.visual = visual

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.visual(pixel_values)


class TextEncoder(nn.Module):
    """``input_ids`` [N, ctx] int64 -> ``text_embeds`` [N, D] (not normalized): CLIP.encode_text."""

    def __init__(self, clip: CLIP) -> None:
        super().__init__()
        self.token_embedding = clip.token_embedding
        self.positional_embedding = clip.positional_embedding
        self.transformer = clip.transformer
        self.ln_final = clip.ln_final
        self.text_projection = clip.text_projection

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = self.token_embedding(input_ids) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), input_ids.argmax(dim=-1)] @ self.text_projection


def export_onnx(module: nn.Module, example: torch.Tensor, path: Path, input_name: str, output_name: str) -> None:
    """Opset 17, dynamic batch axis 0 on input and output."""
    module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module,
            (example,),
            str(path),
            input_names=[input_name],
            output_names=[output_name],
            dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
            opset_version=OPSET,
            do_constant_folding=True,
        )


def l2_normalize(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def golden_images(size: int, count: int = 3, seed: int = 0) -> list[Image.Image]:
    """Deterministic RGB test images, not square, of odd sizes, with gradients and shapes."""
    rng = np.random.default_rng(seed)
    shapes = [(1.53, 0.97), (0.71, 1.29), (2.11, 1.37), (0.93, 0.93)]
    images = []
    for k in range(count):
        fw, fh = shapes[k % len(shapes)]
        w, h = max(3, int(size * fw) | 1), max(3, int(size * fh) | 1)
        if w == h:
            w += 2
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        base = np.stack(
            [255 * xx / (w - 1), 255 * yy / (h - 1), 127.5 + 127.5 * np.sin((xx + 2 * yy) / (3 + 2 * k))], axis=-1
        )
        noise = rng.integers(-12, 13, size=base.shape)
        img = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(img)
        draw.ellipse([w * 0.1, h * 0.15, w * 0.55, h * 0.7], fill=(230, 40 + 60 * k, 30), outline=(0, 0, 0))
        draw.rectangle([w * 0.5, h * 0.45, w * 0.9, h * 0.9], fill=(20, 30 + 50 * k, 200))
        draw.line([(0, h - 1), (w - 1, 0)], fill=(255, 255, 255), width=max(1, size // 32))
        draw.polygon([(w * 0.7, h * 0.05), (w * 0.95, h * 0.4), (w * 0.6, h * 0.35)], fill=(250, 220, 0))
        images.append(img)
    return images


def _manifest(name: str, role: str, modality: str, space: str, architecture: str, dimension: int,
              parameters: int, image_size: Optional[int] = None, context_length: Optional[int] = None) -> dict:
    manifest: dict = {
        "name": name,
        "role": role,
        "modality": modality,
        "embedding_space": space,
        "architecture": architecture,
        "onnx_file": "model.onnx",
        "dimension": dimension,
    }
    if modality == "image":
        manifest["inputs"] = {"pixel_values": IMAGE_INPUT}
        manifest["outputs"] = {"embeddings": IMAGE_OUTPUT}
        manifest["image"] = {"size": image_size, "resize": "bicubic", "mean": list(CLIP_MEAN), "std": list(CLIP_STD)}
    else:
        manifest["inputs"] = {"input_ids": TEXT_INPUT}
        manifest["outputs"] = {"embeddings": TEXT_OUTPUT}
        manifest["text"] = {"tokenizer_file": "tokenizer.json", "context_length": context_length, "pad_id": PAD_ID}
    manifest["batching"] = dict(DEFAULT_BATCHING)
    manifest["parameters"] = parameters
    return manifest


def _write_json(path: Path, doc: object) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    (path / "golden").mkdir(parents=True)
    return path


def export_image_model(visual: VisionTransformer, folder: Path, name: str, role: str, space: str,
                       architecture: str, golden_count: int = 3) -> Path:
    """Writes ``folder`` (replaced if present): manifest, ONNX, golden PNGs/pixel_values/embeddings."""
    folder = _fresh_dir(folder)
    visual = visual.float().eval()
    size = visual.input_resolution
    pngs = []
    for k, img in enumerate(golden_images(size, golden_count)):
        png = folder / "golden" / f"image_{k}.png"
        img.save(png, format="PNG")
        pngs.append(png)
    pixels = preprocess.preprocess_batch(pngs, size)
    np.save(folder / "golden" / "pixel_values.npy", pixels)
    encoder = ImageEncoder(visual)
    with torch.no_grad():
        embeds = encoder(torch.from_numpy(pixels)).numpy()
    np.save(folder / "golden" / "embeddings.npy", l2_normalize(embeds))
    export_onnx(encoder, torch.from_numpy(pixels[:2]), folder / "model.onnx", IMAGE_INPUT, IMAGE_OUTPUT)
    _write_json(folder / "manifest.json", _manifest(name, role, "image", space, architecture, visual.output_dim,
                                                    count_parameters(visual), image_size=size))
    return folder


def export_text_model(clip: CLIP, tokenizer: ClipTokenizer, folder: Path, name: str, role: str, space: str,
                      architecture: str, texts: Sequence[str] = GOLDEN_TEXTS) -> Path:
    """Writes ``folder`` (replaced if present): manifest, ONNX, tokenizer.json, golden texts/ids/embeddings."""
    if tokenizer.vocab_size > clip.vocab_size:
        raise ValueError(f"tokenizer has {tokenizer.vocab_size} ids but the text tower only {clip.vocab_size}")
    folder = _fresh_dir(folder)
    clip = clip.float().eval()
    ctx = clip.context_length
    tokenizer.save(folder / "tokenizer.json")
    ids = tokenizer.encode(list(texts), ctx)
    _write_json(folder / "golden" / "texts.json", list(texts))
    np.save(folder / "golden" / "input_ids.npy", ids)
    encoder = TextEncoder(clip)
    with torch.no_grad():
        embeds = encoder(torch.from_numpy(ids)).numpy()
    np.save(folder / "golden" / "embeddings.npy", l2_normalize(embeds))
    export_onnx(encoder, torch.from_numpy(ids[:2]), folder / "model.onnx", TEXT_INPUT, TEXT_OUTPUT)
    _write_json(folder / "manifest.json", _manifest(name, role, "text", space, architecture,
                                                    clip.text_projection.shape[1], count_parameters(encoder),
                                                    context_length=ctx))
    return folder


def _tokenizer_for(path: Optional[str], vocab_size: int) -> ClipTokenizer:
    if path:
        return ClipTokenizer.load(path)
    return train_default(min(vocab_size, 1024))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clipserve_distill.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", help="model size (clipserve_distill.presets); optional with --checkpoint")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--random", action="store_true", help="random weights (OpenAI init), for tests/benchmarks")
    source.add_argument("--checkpoint", help="OpenAI-layout weights: TorchScript .pt or torch.save state dict")
    parser.add_argument("--out", required=True, help="model repository folder to write into")
    parser.add_argument("--name", help="folder/model name prefix (default: teacher or student)")
    parser.add_argument("--role", choices=["teacher", "student"], help="default: teacher if it has a text tower")
    parser.add_argument("--space", default="clip-vit-b-32", help="embedding_space of the manifests")
    parser.add_argument("--image-only", action="store_true", help="export only the image tower")
    parser.add_argument("--tokenizer", help="tokenizer.json to ship (default: a small BPE trained on demo captions)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="compare the ONNX files with PyTorch (slow for big models)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    preset = get_preset(args.preset) if args.preset else None
    if args.checkpoint:
        state = read_state_dict(args.checkpoint)
        is_clip = "text_projection" in state
        if is_clip:
            v_heads = preset.vision.heads if preset else None
            t_heads = preset.clip.text_heads if preset and preset.clip else None
            model: nn.Module = load_clip(state, v_heads, t_heads)
        else:
            model = load_student(state, preset.vision.heads if preset else None)
    elif preset is None:
        parser.error("--random needs --preset")
    else:
        from .presets import build_student, build_teacher

        model = build_teacher(args.preset) if preset.is_teacher else build_student(args.preset)

    architecture = args.preset or Path(args.checkpoint).stem
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if isinstance(model, CLIP):
        role = args.role or "teacher"
        name = args.name or role
        written.append(export_image_model(model.visual, out / f"{name}-image", f"{name}-image", role, args.space,
                                          architecture))
        if not args.image_only:
            tok = _tokenizer_for(args.tokenizer, model.vocab_size)
            written.append(export_text_model(model, tok, out / f"{name}-text", f"{name}-text", role, args.space,
                                             architecture))
    else:
        role = args.role or "student"
        name = args.name or role
        written.append(export_image_model(model, out / f"{name}-image", f"{name}-image", role, args.space,
                                          architecture))
    for folder in written:
        line = f"wrote {folder} ({(folder / 'model.onnx').stat().st_size / 1e6:.1f} MB)"
        if args.check:
            from .onnx_check import check_model_folder

            line += f", max |onnx - torch| = {check_model_folder(folder):.2e}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
