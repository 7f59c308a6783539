from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from clipserve_distill import preprocess
from clipserve_distill.presets import CLIP_MEAN, CLIP_STD


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _hand_normalize(rgb: np.ndarray) -> np.ndarray:
    out = np.empty((3,) + rgb.shape[:2], dtype=np.float32)
    for c in range(3):
        for y in range(rgb.shape[0]):
            for x in range(rgb.shape[1]):
                v = np.float32(rgb[y, x, c]) / np.float32(255)
                out[c, y, x] = (v - np.float32(CLIP_MEAN[c])) / np.float32(CLIP_STD[c])
    return out


@pytest.mark.parametrize(("height", "top"), [(6, 1), (5, 0), (7, 2), (9, 2)])
def test_center_crop_rounds_half_to_even_and_normalizes(height, top):
    # Width 4 = size: no resize; the crop offset is round((h - 4) / 2): 1, round(0.5)=0, round(1.5)=2, round(2.5)=2.
    rgb = (np.arange(height * 4 * 3).reshape(height, 4, 3) * 5 % 256).astype(np.uint8)
    out = preprocess.preprocess(_png(Image.fromarray(rgb, "RGB")), 4)
    assert out.dtype == np.float32 and out.shape == (3, 4, 4)
    assert np.array_equal(out, _hand_normalize(rgb[top : top + 4]))


def test_hand_computed_pixel_value():
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[...] = (255, 0, 128)
    out = preprocess.preprocess(_png(Image.fromarray(rgb, "RGB")), 2)
    assert out[0, 0, 0] == pytest.approx((1.0 - 0.48145466) / 0.26862954, abs=1e-6)
    assert out[1, 0, 0] == pytest.approx((0.0 - 0.4578275) / 0.26130258, abs=1e-6)
    assert out[2, 1, 1] == pytest.approx((128 / 255 - 0.40821073) / 0.27577711, abs=1e-6)


def test_resize_sizes_follow_torchvision():
    img = Image.new("RGB", (300, 217))
    assert preprocess.resize_shortest_side(img, 224).size == (int(224 * 300 / 217), 224)
    img = Image.new("RGB", (97, 140))
    assert preprocess.resize_shortest_side(img, 224).size == (224, int(224 * 140 / 97))
    resized = preprocess.resize_shortest_side(Image.fromarray(np.random.default_rng(0).integers(
        0, 256, (40, 30, 3), dtype=np.uint8), "RGB"), 15)
    assert resized.size == (15, 20)


def test_resize_is_pil_bicubic():
    rgb = np.random.default_rng(1).integers(0, 256, (23, 41, 3), dtype=np.uint8)
    img = Image.fromarray(rgb, "RGB")
    expected = np.asarray(img.resize((int(8 * 41 / 23), 8), Image.BICUBIC))
    assert np.array_equal(np.asarray(preprocess.resize_shortest_side(img, 8)), expected)


def test_alpha_is_dropped_not_composited():
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., :3] = (10, 200, 30)  # stored colour, fully transparent
    rgb = preprocess.to_rgb(preprocess.open_image(_png(Image.fromarray(rgba, "RGBA"))))
    assert np.asarray(rgb)[0, 0].tolist() == [10, 200, 30]


def test_grayscale_and_palette_become_rgb():
    gray = Image.fromarray(np.full((3, 5), 77, dtype=np.uint8), "L")
    assert np.asarray(preprocess.to_rgb(gray))[1, 1].tolist() == [77, 77, 77]
    pal = Image.new("P", (3, 3), 1)
    pal.putpalette([0, 0, 0, 12, 34, 56] + [0] * 762)
    assert np.asarray(preprocess.to_rgb(pal))[2, 2].tolist() == [12, 34, 56]


def test_sixteen_bit_keeps_the_high_byte():
    values = np.array([[0, 255, 256, 40000, 65535]], dtype=np.uint16)
    rgb = preprocess.to_rgb(preprocess.open_image(_png(Image.fromarray(values))))
    assert np.asarray(rgb)[0, :, 0].tolist() == [0, 0, 1, 156, 255]


def test_exif_orientation_is_applied():
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)  # 3 wide, 2 high; top-left pixel red
    rgb[0, 0] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG", exif=exif.tobytes())
    img = preprocess.open_image(buf.getvalue())
    assert img.size == (2, 3)
    arr = np.asarray(img.convert("RGB"))
    assert arr[0, 1].tolist() == [255, 0, 0]  # top-left went to top-right
