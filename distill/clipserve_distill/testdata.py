"""Golden preprocessing cases for the Java side: ``python -m clipserve_distill.testdata OUT_DIR``.

Writes images that exercise each decoding rule of :mod:`clipserve_distill.preprocess` (EXIF
orientation, grayscale, palette, alpha, 16-bit) and, for each, the expected output of
:func:`~clipserve_distill.preprocess.preprocess` at size 32 with CLIP's mean/std, plus the
8-bit RGB image after steps 1-3 (decode, orientation, to RGB) to tell decoding from resizing.
``cases.json`` lists them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from . import preprocess
from .presets import CLIP_MEAN, CLIP_STD

SIZE = 32


def _pattern(w: int, h: int, seed: int) -> np.ndarray:
    """uint8 [h, w, 3] with gradients, a disc and stripes (structure in every channel)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    disc = ((xx - w * 0.35) ** 2 + (yy - h * 0.4) ** 2) < (min(w, h) * 0.3) ** 2
    r = 255 * xx / (w - 1)
    g = 255 * yy / (h - 1)
    b = np.where((xx.astype(int) // 3) % 2 == 0, 40.0, 210.0)
    rgb = np.stack([r, g, b], axis=-1)
    rgb[disc] = [250, 200, 30]
    rgb += rng.integers(-10, 11, size=rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def write_cases(out: Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    cases: list[dict] = []

    def add(file: str, description: str) -> None:
        path = out / file
        stem = path.stem
        rgb = preprocess.to_rgb(preprocess.open_image(path))
        np.save(out / f"{stem}.rgb.npy", np.asarray(rgb, dtype=np.uint8))
        np.save(out / f"{stem}.npy", preprocess.preprocess(path, SIZE))
        cases.append({"file": file, "expected": f"{stem}.npy", "rgb": f"{stem}.rgb.npy",
                      "source_mode": Image.open(path).mode, "description": description})

    # EXIF Orientation 6: stored 45x29 landscape, displayed 29x45 portrait (rotate 90 degrees clockwise).
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(_pattern(45, 29, 1), "RGB").save(out / "exif6.jpg", quality=95, subsampling=0,
                                                    exif=exif.tobytes())
    add("exif6.jpg", "JPEG, 4:4:4, EXIF Orientation=6: rotate 90 deg clockwise before anything else")

    gray = np.asarray(Image.fromarray(_pattern(41, 30, 2), "RGB").convert("L"))
    Image.fromarray(gray, "L").save(out / "gray.png")
    add("gray.png", "8-bit grayscale PNG (mode L): R = G = B = L")

    pal = Image.fromarray(_pattern(37, 52, 3), "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=0)
    pal.save(out / "palette.png", transparency=0)
    add("palette.png", "palette PNG (mode P) with a transparent index 0: palette colour used, transparency ignored")

    rgba = np.dstack([_pattern(50, 34, 4), np.tile(np.linspace(0, 255, 50, dtype=np.uint8), (34, 1))])
    Image.fromarray(rgba, "RGBA").save(out / "rgba.png")
    add("rgba.png", "RGBA PNG, alpha 0 (left) .. 255 (right): alpha dropped, not composited")

    la = np.dstack([gray, np.full_like(gray, 128)])
    Image.fromarray(la, "LA").save(out / "gray_alpha.png")
    add("gray_alpha.png", "grayscale + alpha PNG (mode LA): alpha dropped")

    yy, xx = np.mgrid[0:27, 0:20]
    gray16 = ((xx * 3000 + yy * 1700 + (xx * yy % 7) * 97) % 65536).astype(np.uint16)
    gray16[5:9, 5:15] = 65535
    Image.fromarray(gray16).save(out / "gray16.png")
    add("gray16.png", "16-bit grayscale PNG, 20x27 (upscaled): v8 = v >> 8, then as L")

    doc = {
        "size": SIZE,
        "resize": "bicubic",
        "mean": list(CLIP_MEAN),
        "std": list(CLIP_STD),
        "layout": "expected: float32 [3, size, size] (CHW, one image); rgb: uint8 [H, W, 3] after decode, "
                  "EXIF orientation and conversion to RGB",
        "cases": cases,
    }
    (out / "cases.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return cases


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m clipserve_distill.testdata OUT_DIR")
    for case in write_cases(Path(sys.argv[1])):
        print(f"{case['file']}: {case['source_mode']}")
