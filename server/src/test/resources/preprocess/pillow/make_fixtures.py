"""Regenerates these fixtures with the reference pipeline (Debian's /usr/bin/python3, Pillow 9.4):

    cd server/src/test/resources/preprocess/pillow && /usr/bin/python3 make_fixtures.py

Each case: an encoded image and `<file>.npy`, float32 [3, SIZE, SIZE] from
clipserve_distill.preprocess (CLIP mean/std). Read by PillowFixturesTest.
"""
import io, json, struct, sys, zlib
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[6] / "distill"))
from clipserve_distill.preprocess import preprocess  # noqa: E402

SIZE = 16
rng = np.random.default_rng(7)
cases = []


def picture(h, w):
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 9 + y * 2) % 256, np.sin(x / 4.0) * 100 + 128, (y * 13) % 256], -1)
    noise = rng.integers(0, 256, (h, w, 3))
    return np.where(rng.random((h, w, 1)) < 0.25, noise, base).astype(np.uint8)


def enc(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def add(name, data, what):
    Path(name).write_bytes(data)
    np.save(name + ".npy", preprocess(data, SIZE).astype(np.float32))
    cases.append({"file": name, "description": what})


def png16(arr, ctype):
    h, w = arr.shape[:2]
    raw = b"".join(b"\0" + arr[y].astype(">u2").tobytes() for y in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, ctype, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


a = picture(21, 34)
for o in range(1, 9):
    img = Image.fromarray(a)
    exif = img.getexif()
    exif[0x0112] = o
    add(f"exif{o}.jpg", enc(img, "JPEG", exif=exif.tobytes(), quality=95), f"JPEG, EXIF Orientation {o}")
    add(f"exif{o}.png", enc(img, "PNG", exif=exif.tobytes()), f"PNG eXIf chunk, Orientation {o}")
b = picture(37, 29)
add("jpeg420_progressive.jpg", enc(Image.fromarray(b), "JPEG", quality=85, subsampling=2, progressive=True), "progressive JPEG, 4:2:0")
add("jpeg422.jpg", enc(Image.fromarray(b), "JPEG", quality=90, subsampling=1), "JPEG 4:2:2")
add("jpeg_gray.jpg", enc(Image.fromarray(b).convert("L"), "JPEG"), "grayscale JPEG")
add("jpeg_icc.jpg", enc(Image.fromarray(b), "JPEG", icc_profile=Path("linear.icc").read_bytes()), "JPEG with a non-sRGB ICC profile: profile ignored")
add("cmyk.jpg", enc(Image.fromarray(b).convert("CMYK"), "JPEG"), "Adobe CMYK JPEG: Pillow cmyk2rgb")
add("cmyk.tif", enc(Image.fromarray(b).convert("CMYK"), "TIFF"), "CMYK TIFF: Pillow cmyk2rgb")
add("bilevel.png", enc(Image.fromarray(b).convert("1"), "PNG"), "1-bit PNG")
add("palette2bit.png", enc(Image.fromarray(b).convert("P", palette=Image.ADAPTIVE, colors=4), "PNG", bits=2), "2-bit palette PNG")
frames = [Image.fromarray(picture(30, 25)) for _ in range(3)]
add("animated.gif", enc(frames[0], "GIF", save_all=True, append_images=frames[1:]), "animated GIF: first frame")
add("rgb.bmp", enc(Image.fromarray(b), "BMP"), "24-bit BMP")
add("rgb16.png", png16(rng.integers(0, 65536, (23, 31, 3)), 2), "16-bit RGB PNG: high byte")
add("rgba16.png", png16(rng.integers(0, 65536, (23, 31, 4)), 6), "16-bit RGBA PNG: high byte, alpha dropped")
add("wide.png", enc(Image.fromarray(picture(3, 200)), "PNG"), "3x200: strong upscale vertically, downscale horizontally")
Path("cases.json").write_text(json.dumps({"size": SIZE, "cases": cases}, indent=1) + "\n")

# Refused (no .npy): the JDK JPEG reader cannot read CMYK with an ICC profile.
Path("refused_cmyk_icc.jpg").write_bytes(
    enc(Image.fromarray(b).convert("CMYK"), "JPEG", icc_profile=Path("linear.icc").read_bytes()))
