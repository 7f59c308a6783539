"""The reference image pipeline (what CLIP's torchvision transform does), reimplemented in Java.

Steps, in order, for an encoded image (bytes) and a target ``size``:

1. **Decode** with Pillow (``Image.open``). Only the first frame of animated images is used.
2. **EXIF orientation**: ``ImageOps.exif_transpose`` applies the EXIF Orientation tag (1..8) and
   drops it. Images without the tag are unchanged.
3. **To 8-bit RGB** (:func:`to_rgb`), by mode:

   - ``RGB``: unchanged. 16-bit-per-channel RGB(A) PNGs are already 8-bit here: Pillow keeps the
     high byte of each sample when it decodes them.
   - ``L`` (grayscale): R = G = B = L. ``1`` (bilevel): 0 or 255, replicated.
   - ``P`` (palette): the palette colour of each index; palette transparency is ignored.
   - ``RGBA``, ``LA``, ``PA``, ``RGBa``: **alpha is dropped** (Pillow ``convert("RGB")`` semantics;
     no compositing on a background: a fully transparent pixel keeps its stored colour).
   - ``I;16``, ``I;16B``, ``I;16L``, ``I`` (16-bit grayscale PNGs): ``v8 = clamp(v, 0, 65535) >> 8``
     (the high byte, as Pillow does for 16-bit RGB), then as ``L``. (Plain Pillow
     ``convert("RGB")`` would clip at 255 and turn most 16-bit images white; we do not copy that.)
   - anything else (``CMYK``, ``YCbCr``, ``LAB``, ``F``, ...): Pillow's ``convert("RGB")``.

4. **Resize** the shortest side to ``size`` (torchvision ``Resize(size)`` on a PIL image): with
   ``(w, h)`` the input size, if ``w <= h``: ``new_w = size, new_h = int(size * h / w)``, else
   ``new_h = size, new_w = int(size * w / h)`` (``int`` truncates; Python float division).
   Then ``img.resize((new_w, new_h), Image.BICUBIC)``: Pillow's separable convolution resampler
   (cubic kernel a = -0.5, support 2 scaled by the downscale factor so downscaling antialiases,
   filter coefficients normalized to sum 1 and held as fixed point with 22 fractional bits),
   horizontal pass first into an 8-bit image (rounded, clamped 0..255), then the vertical pass.
   If ``(new_w, new_h)`` equals the input size, the image is unchanged.
5. **Center crop** to ``size x size`` (torchvision ``CenterCrop``): ``top = int(round((new_h - size)
   / 2.0))``, ``left = int(round((new_w - size) / 2.0))``. ``round`` is Python's: **half to even**
   (``round(0.5) == 0``, ``round(1.5) == 2``, ``round(2.5) == 2``).
6. **To float**: ``x = float32(v) / float32(255)`` per channel (``ToTensor``).
7. **Normalize** per channel ``c``: ``(x - float32(mean[c])) / float32(std[c])`` in float32.
8. **Layout**: NCHW float32, channels R, G, B.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence, Union

import numpy as np
from PIL import Image, ImageOps

from .presets import CLIP_MEAN, CLIP_STD

ImageSource = Union[str, Path, bytes, Image.Image]

_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def open_image(source: ImageSource) -> Image.Image:
    """Decodes (if needed) and applies EXIF orientation (steps 1-2)."""
    if isinstance(source, Image.Image):
        img = source
    elif isinstance(source, bytes):
        img = Image.open(io.BytesIO(source))
    else:
        img = Image.open(source)
    img.load()
    return ImageOps.exif_transpose(img)


def to_rgb(img: Image.Image) -> Image.Image:
    """Step 3: any Pillow mode to 8-bit RGB (see the module docstring for each mode)."""
    if img.mode == "RGB":
        return img
    if img.mode in _SIXTEEN_BIT_MODES:
        values = np.asarray(img, dtype=np.int64)
        gray = (np.clip(values, 0, 65535) >> 8).astype(np.uint8)
        return Image.fromarray(gray, mode="L").convert("RGB")
    return img.convert("RGB")


def resize_shortest_side(img: Image.Image, size: int) -> Image.Image:
    """Step 4: torchvision ``Resize(size)`` with bicubic interpolation on a PIL image."""
    w, h = img.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    if (new_w, new_h) == (w, h):
        return img
    return img.resize((new_w, new_h), Image.BICUBIC)


def center_crop(img: Image.Image, size: int) -> Image.Image:
    """Step 5: torchvision ``CenterCrop(size)`` (the image is at least ``size`` on both sides)."""
    w, h = img.size
    if w < size or h < size:
        raise ValueError(f"image {w}x{h} is smaller than the crop {size}")
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def normalize(rgb: np.ndarray, mean: Sequence[float] = CLIP_MEAN, std: Sequence[float] = CLIP_STD) -> np.ndarray:
    """Steps 6-8: uint8 HWC RGB -> float32 CHW, ``(v / 255 - mean) / std``."""
    x = rgb.astype(np.float32) / np.float32(255.0)
    m = np.asarray(mean, dtype=np.float32).reshape(1, 1, 3)
    s = np.asarray(std, dtype=np.float32).reshape(1, 1, 3)
    return np.ascontiguousarray(((x - m) / s).transpose(2, 0, 1))


def preprocess(
    source: ImageSource, size: int, mean: Sequence[float] = CLIP_MEAN, std: Sequence[float] = CLIP_STD
) -> np.ndarray:
    """One image -> float32 ``[3, size, size]``."""
    img = center_crop(resize_shortest_side(to_rgb(open_image(source)), size), size)
    return normalize(np.asarray(img, dtype=np.uint8), mean, std)


def preprocess_batch(
    sources: Sequence[ImageSource], size: int, mean: Sequence[float] = CLIP_MEAN, std: Sequence[float] = CLIP_STD
) -> np.ndarray:
    """Images -> float32 ``[N, 3, size, size]`` (NCHW)."""
    return np.stack([preprocess(s, size, mean, std) for s in sources]).astype(np.float32)
