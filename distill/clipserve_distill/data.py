"""The demo world: deterministic, seeded drawings of simple objects, some carrying words.

Every image is generated from its own ``random.Random`` seeded with ``"{seed}:{split}:{index}"``
(Python hashes string seeds with SHA-512, so this is stable across runs and machines), which makes
each sample reproducible on its own and splits disjoint by construction.

Kinds of sample:

- ``object``: one drawn object (class, color, position, size, background), no text;
- ``object_text``: an object plus a rendered word on or beside it;
- ``word``: a word alone, plain or on a sign.

A word is the class name, a near-miss of a class name (``gat``, ``cst``) or an unrelated word.
Labels: ``klass`` (object class, ``None`` for a word alone), ``color`` (object color), ``has_text``,
``text``, ``text_kind`` (``class`` / ``near_miss`` / ``other``) and ``text_class`` (the class the word
names or nearly names; ``None`` for unrelated words).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence

from PIL import Image, ImageDraw, ImageFont

GENERATOR_VERSION = 2
"""Bumped whenever the same seed would draw different pixels (cache files carry it in their name)."""

DEFAULT_SIZE = 64
"""Demo image resolution in pixels (square)."""

SPLITS = ("train", "val", "test")

CLASSES: tuple[str, ...] = (
    "cat", "fish", "house", "tree", "star", "car",
    "sun", "flower", "heart", "boat", "apple", "moon",
)

NEAR_MISSES: dict[str, tuple[str, ...]] = {
    "cat": ("gat", "cst", "cet", "kat"),
    "fish": ("fesh", "fisk", "fich"),
    "house": ("hause", "houze", "hcuse"),
    "tree": ("tres", "trae", "tlee"),
    "star": ("stor", "sfar", "stac"),
    "car": ("cor", "caf", "cer"),
    "sun": ("sen", "svn", "sul"),
    "flower": ("flowr", "flawer", "fiower"),
    "heart": ("heort", "haert", "hearl"),
    "boat": ("bost", "boal", "bcat"),
    "apple": ("appel", "aple", "opple"),
    "moon": ("mocn", "moen", "mooh"),
}

UNRELATED_WORDS: tuple[str, ...] = (
    "hello", "sale", "open", "stop", "love", "exit", "yes", "menu", "news", "play", "cool", "wow",
)

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (215, 35, 35),
    "orange": (240, 130, 20),
    "yellow": (235, 200, 20),
    "green": (40, 160, 50),
    "blue": (40, 80, 215),
    "purple": (130, 50, 180),
    "pink": (235, 110, 170),
    "brown": (120, 75, 35),
}

_BACKGROUNDS: tuple[tuple[int, int, int], ...] = (
    (255, 255, 255), (245, 240, 225), (225, 225, 225), (215, 230, 245),
    (220, 240, 220), (250, 230, 230), (240, 235, 250), (200, 200, 200),
)

_TEXT_COLORS: tuple[tuple[int, int, int], ...] = ((0, 0, 0), (20, 20, 90), (150, 0, 0), (30, 30, 30))

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansCondensed-Bold.ttf",
)

KIND_WEIGHTS: dict[str, float] = {"object": 0.45, "object_text": 0.25, "word": 0.30}
"""Default mix of sample kinds."""

_WORD_KIND_WEIGHTS = {
    # kind of sample -> weights of (class name, near-miss, unrelated)
    "object_text": (0.45, 0.25, 0.30),
    "word": (0.45, 0.35, 0.20),
}

_OVERSAMPLE = 2  # draw at 2x and downsample with LANCZOS for anti-aliasing


@dataclass(frozen=True)
class Sample:
    """One generated image with its labels and captions."""

    id: str
    image: Image.Image = field(repr=False, compare=False)
    kind: str
    klass: str | None
    color: str | None
    has_text: bool
    text: str | None
    text_kind: str | None
    text_class: str | None
    captions: tuple[str, ...]

    @property
    def caption(self) -> str:
        """The first (canonical) caption."""
        return self.captions[0]

    def labels(self) -> dict:
        """JSON-ready labels (everything but the image); ``class`` is the object class."""
        d = {k: getattr(self, k) for k in (
            "id", "kind", "klass", "color", "has_text", "text", "text_kind", "text_class")}
        d["class"] = d.pop("klass")
        d["caption"] = self.caption
        d["captions"] = list(self.captions)
        return d

    def on_topic(self, query_class: str) -> bool:
        """True if the image shows ``query_class`` or says it (or a near-miss of it)."""
        return self.klass == query_class or self.text_class == query_class


def near_miss_class(word: str) -> str | None:
    """The class a near-miss word imitates, else None."""
    for c, misses in NEAR_MISSES.items():
        if word in misses:
            return c
    return None


# ---------------------------------------------------------------- drawing


@lru_cache(maxsize=None)
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FONT_DIR / name), px)


def _darker(rgb: tuple[int, int, int], f: float = 0.5) -> tuple[int, int, int]:
    return tuple(int(c * f) for c in rgb)  # type: ignore[return-value]


Box = tuple[float, float, float, float]


def _draw_cat(d: ImageDraw.ImageDraw, b: Box, fill, line, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.polygon([(x0 + 0.08 * w, y0 + 0.45 * h), (x0 + 0.15 * w, y0), (x0 + 0.42 * w, y0 + 0.3 * h)],
              fill=fill, outline=line, width=lw)
    d.polygon([(x1 - 0.08 * w, y0 + 0.45 * h), (x1 - 0.15 * w, y0), (x1 - 0.42 * w, y0 + 0.3 * h)],
              fill=fill, outline=line, width=lw)
    d.ellipse([x0 + 0.05 * w, y0 + 0.2 * h, x1 - 0.05 * w, y1], fill=fill, outline=line, width=lw)
    ey = y0 + 0.5 * h
    for ex in (x0 + 0.33 * w, x0 + 0.67 * w):
        d.ellipse([ex - 0.07 * w, ey - 0.08 * h, ex + 0.07 * w, ey + 0.08 * h], fill=(250, 250, 210))
        d.ellipse([ex - 0.025 * w, ey - 0.07 * h, ex + 0.025 * w, ey + 0.07 * h], fill=(0, 0, 0))
    nx, ny = x0 + 0.5 * w, y0 + 0.68 * h
    d.polygon([(nx - 0.06 * w, ny), (nx + 0.06 * w, ny), (nx, ny + 0.06 * h)], fill=(240, 120, 150))
    for s in (-1, 1):
        for dy in (-0.04, 0.04):
            d.line([(nx + s * 0.1 * w, ny + 0.04 * h), (nx + s * 0.45 * w, ny + (dy * 2) * h)],
                   fill=(0, 0, 0), width=lw)


def _draw_fish(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    flip = rng.random() < 0.5

    def fx(t: float) -> float:
        return x1 - t * w if flip else x0 + t * w

    d.polygon([(fx(0.62), y0 + 0.5 * h), (fx(1.0), y0 + 0.2 * h), (fx(1.0), y0 + 0.8 * h)],
              fill=fill, outline=line, width=lw)
    ex0, ex1 = sorted((fx(0.0), fx(0.75)))
    d.ellipse([ex0, y0 + 0.25 * h, ex1, y0 + 0.75 * h], fill=fill, outline=line, width=lw)
    cx = fx(0.18)
    d.ellipse([cx - 0.05 * w, y0 + 0.4 * h, cx + 0.05 * w, y0 + 0.5 * h], fill=(0, 0, 0))


def _draw_house(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.rectangle([x0 + 0.12 * w, y0 + 0.45 * h, x1 - 0.12 * w, y1], fill=fill, outline=line, width=lw)
    d.polygon([(x0, y0 + 0.47 * h), (x0 + 0.5 * w, y0), (x1, y0 + 0.47 * h)],
              fill=_darker(fill, 0.6), outline=line, width=lw)
    d.rectangle([x0 + 0.42 * w, y0 + 0.68 * h, x0 + 0.58 * w, y1], fill=(90, 50, 20))
    d.rectangle([x0 + 0.2 * w, y0 + 0.55 * h, x0 + 0.34 * w, y0 + 0.68 * h], fill=(180, 220, 250),
                outline=line, width=lw)
    d.rectangle([x1 - 0.34 * w, y0 + 0.55 * h, x1 - 0.2 * w, y0 + 0.68 * h], fill=(180, 220, 250),
                outline=line, width=lw)


def _draw_tree(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.rectangle([x0 + 0.42 * w, y0 + 0.55 * h, x0 + 0.58 * w, y1], fill=(100, 60, 25), outline=line,
                width=lw)
    d.ellipse([x0 + 0.05 * w, y0, x1 - 0.05 * w, y0 + 0.68 * h], fill=fill, outline=line, width=lw)


def _star_points(cx, cy, r_out, r_in, n=5, rot=-math.pi / 2):
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = rot + i * math.pi / n
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _draw_star(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.polygon(_star_points(x0 + w / 2, y0 + h * 0.53, w / 2, w / 5), fill=fill, outline=line, width=lw)


def _draw_car(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.polygon([(x0 + 0.22 * w, y0 + 0.48 * h), (x0 + 0.32 * w, y0 + 0.22 * h),
               (x0 + 0.68 * w, y0 + 0.22 * h), (x0 + 0.8 * w, y0 + 0.48 * h)],
              fill=_darker(fill, 0.75), outline=line, width=lw)
    d.rectangle([x0 + 0.36 * w, y0 + 0.28 * h, x0 + 0.64 * w, y0 + 0.46 * h], fill=(180, 220, 250))
    d.rectangle([x0, y0 + 0.46 * h, x1, y0 + 0.75 * h], fill=fill, outline=line, width=lw)
    for cx in (x0 + 0.25 * w, x0 + 0.75 * w):
        d.ellipse([cx - 0.12 * w, y0 + 0.62 * h, cx + 0.12 * w, y0 + 0.86 * h], fill=(20, 20, 20))
        d.ellipse([cx - 0.05 * w, y0 + 0.69 * h, cx + 0.05 * w, y0 + 0.79 * h], fill=(170, 170, 170))


def _draw_sun(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 18))
    cx, cy = x0 + w / 2, y0 + h / 2
    n = rng.choice((8, 10, 12))
    for i in range(n):
        a = 2 * math.pi * i / n
        d.line([(cx + 0.32 * w * math.cos(a), cy + 0.32 * h * math.sin(a)),
                (cx + 0.5 * w * math.cos(a), cy + 0.5 * h * math.sin(a))], fill=fill, width=lw)
    d.ellipse([cx - 0.28 * w, cy - 0.28 * h, cx + 0.28 * w, cy + 0.28 * h], fill=fill, outline=line,
              width=max(1, int(w / 30)))


def _draw_flower(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    cx, cy = x0 + w / 2, y0 + 0.38 * h
    d.line([(cx, cy), (cx, y1)], fill=(40, 130, 40), width=max(2, int(w / 14)))
    n = rng.choice((5, 6))
    for i in range(n):
        a = 2 * math.pi * i / n
        px, py = cx + 0.22 * w * math.cos(a), cy + 0.22 * h * math.sin(a)
        d.ellipse([px - 0.15 * w, py - 0.15 * h, px + 0.15 * w, py + 0.15 * h], fill=fill, outline=line,
                  width=lw)
    d.ellipse([cx - 0.1 * w, cy - 0.1 * h, cx + 0.1 * w, cy + 0.1 * h], fill=(250, 210, 60), outline=line,
              width=lw)


def _draw_heart(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    pts = []
    for i in range(60):
        t = 2 * math.pi * i / 60
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((x0 + w / 2 + x / 34 * w, y0 + h * 0.45 - y / 34 * h))
    d.polygon(pts, fill=fill, outline=line, width=max(1, int(w / 30)))


def _draw_boat(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.polygon([(x0, y0 + 0.65 * h), (x1, y0 + 0.65 * h), (x1 - 0.18 * w, y1), (x0 + 0.18 * w, y1)],
              fill=fill, outline=line, width=lw)
    mx = x0 + 0.5 * w
    d.line([(mx, y0), (mx, y0 + 0.65 * h)], fill=(60, 40, 20), width=max(1, int(w / 25)))
    d.polygon([(mx + 0.03 * w, y0 + 0.05 * h), (mx + 0.03 * w, y0 + 0.58 * h), (x1 - 0.1 * w, y0 + 0.58 * h)],
              fill=(250, 250, 250), outline=line, width=lw)
    d.polygon([(mx - 0.03 * w, y0 + 0.15 * h), (mx - 0.03 * w, y0 + 0.58 * h), (x0 + 0.15 * w, y0 + 0.58 * h)],
              fill=(235, 235, 235), outline=line, width=lw)


def _draw_apple(d, b, fill, line, rng) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    lw = max(1, int(w / 30))
    d.line([(x0 + 0.5 * w, y0 + 0.28 * h), (x0 + 0.56 * w, y0 + 0.05 * h)], fill=(90, 55, 20),
           width=max(2, int(w / 16)))
    d.ellipse([x0 + 0.58 * w, y0 + 0.02 * h, x0 + 0.85 * w, y0 + 0.16 * h], fill=(50, 150, 50), outline=line,
              width=lw)
    d.ellipse([x0 + 0.05 * w, y0 + 0.22 * h, x0 + 0.58 * w, y1], fill=fill, outline=line, width=lw)
    d.ellipse([x0 + 0.42 * w, y0 + 0.22 * h, x1 - 0.05 * w, y1], fill=fill, outline=line, width=lw)
    d.ellipse([x0 + 0.2 * w, y0 + 0.3 * h, x1 - 0.2 * w, y1 - 0.05 * h], fill=fill)
    d.ellipse([x0 + 0.22 * w, y0 + 0.4 * h, x0 + 0.32 * w, y0 + 0.55 * h], fill=(255, 255, 255))


def _draw_moon(img: Image.Image, b: Box, fill, line, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    mask = Image.new("L", img.size, 0)
    md = ImageDraw.Draw(mask)
    md.ellipse([x0, y0, x1, y1], fill=255)
    off = 0.35 * w * (1 if rng.random() < 0.5 else -1)
    md.ellipse([x0 + off, y0 - 0.1 * h, x1 + off, y1 - 0.1 * h], fill=0)
    edge = Image.new("L", img.size, 0)
    ImageDraw.Draw(edge).ellipse([x0 - 2, y0 - 2, x1 + 2, y1 + 2], fill=255)
    ImageDraw.Draw(edge).ellipse([x0 + off + 2, y0 - 0.1 * h + 2, x1 + off - 2, y1 - 0.1 * h - 2], fill=0)
    img.paste(Image.new("RGB", img.size, line), (0, 0), edge)
    img.paste(Image.new("RGB", img.size, fill), (0, 0), mask)


_DRAWERS: dict[str, Callable] = {
    "cat": _draw_cat, "fish": _draw_fish, "house": _draw_house, "tree": _draw_tree,
    "star": _draw_star, "car": _draw_car, "sun": _draw_sun, "flower": _draw_flower,
    "heart": _draw_heart, "boat": _draw_boat, "apple": _draw_apple,
}
assert set(_DRAWERS) | {"moon"} == set(CLASSES)


def _draw_object(img: Image.Image, klass: str, box: Box, rgb, rng: random.Random) -> None:
    line = _darker(rgb, 0.35)
    if klass == "moon":
        _draw_moon(img, box, rgb, line, rng)
    else:
        _DRAWERS[klass](ImageDraw.Draw(img), box, rgb, line, rng)


def _background(rng: random.Random, px: int) -> Image.Image:
    base = rng.choice(_BACKGROUNDS)
    img = Image.new("RGB", (px, px), base)
    style = rng.random()
    d = ImageDraw.Draw(img)
    if style < 0.3:  # vertical gradient towards a second pale color
        other = rng.choice(_BACKGROUNDS)
        for y in range(px):
            t = y / (px - 1)
            d.line([(0, y), (px, y)], fill=tuple(int(a * (1 - t) + c * t) for a, c in zip(base, other)))
    elif style < 0.45:  # faint dots
        for _ in range(rng.randint(10, 30)):
            x, y, r = rng.uniform(0, px), rng.uniform(0, px), rng.uniform(px / 80, px / 30)
            d.ellipse([x - r, y - r, x + r, y + r], fill=_darker(base, 0.88))
    elif style < 0.55:  # ground line
        y = rng.uniform(0.75, 0.92) * px
        d.rectangle([0, y, px, px], fill=_darker(base, 0.85))
    return img


def _fit_font(word: str, rng: random.Random, max_w: float, max_px: int, min_px: int) -> ImageFont.FreeTypeFont:
    name = rng.choice(_FONT_FILES)
    px = rng.randint(min_px, max_px)
    while px > min_px and _font(name, px).getlength(word) > max_w:
        px -= 1
    return _font(name, px)


def _draw_word(img: Image.Image, word: str, region: Box, rng: random.Random, sign: bool,
               min_px: int, max_px: int) -> None:
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = region
    font = _fit_font(word, rng, (x1 - x0) * 0.95, max_px, min_px)
    l, t, r, b = d.textbbox((0, 0), word, font=font)
    tw, th = r - l, b - t
    x = rng.uniform(x0, max(x0, x1 - tw)) - l
    y = rng.uniform(y0, max(y0, y1 - th)) - t
    if sign:
        pad = th * 0.35
        sign_fill = rng.choice(((250, 250, 250), (250, 230, 120), (30, 30, 30), (200, 30, 30), (30, 60, 160)))
        d.rounded_rectangle([x + l - pad, y + t - pad, x + r + pad, y + b + pad], radius=pad,
                            fill=sign_fill, outline=(0, 0, 0), width=max(1, int(pad / 3)))
        color = (0, 0, 0) if sum(sign_fill) > 450 else (255, 255, 255)
    else:
        color = rng.choice(_TEXT_COLORS)
    d.text((x, y), word, font=font, fill=color)


_WORD_ALONE_FONTS: tuple[str, ...] = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf")


def _draw_word_alone(img: Image.Image, word: str, rng: random.Random, sign: bool) -> None:
    """A word alone: bold, as large as fits (<= 42% of the height), near the center.

    Deliberately less varied than words on objects: a small ViT at patch 16 learns to read these
    within the demo's training budget, so that "cat" lands near images that say "cat".
    """
    d = ImageDraw.Draw(img)
    px = img.size[0]
    name = rng.choice(_WORD_ALONE_FONTS)
    size = int(px * 0.42)
    while size > 8 and _font(name, size).getlength(word) > px * 0.84:
        size -= 1
    font = _font(name, size)
    l, t, r, b = d.textbbox((0, 0), word, font=font)
    x = (px - (r - l)) / 2 - l + rng.uniform(-0.05, 0.05) * px
    y = (px - (b - t)) / 2 - t + rng.uniform(-0.08, 0.08) * px
    if sign:
        pad = (b - t) * 0.35
        fill = rng.choice(((250, 250, 250), (250, 230, 120), (30, 30, 30), (200, 30, 30), (30, 60, 160)))
        d.rounded_rectangle([x + l - pad, y + t - pad, x + r + pad, y + b + pad], radius=pad, fill=fill,
                            outline=(0, 0, 0), width=max(1, int(pad / 3)))
        color = (0, 0, 0) if sum(fill) > 450 else (255, 255, 255)
    else:
        color = rng.choice(_TEXT_COLORS)
    d.text((x, y), word, font=font, fill=color)


# ---------------------------------------------------------------- samples


def _pick_word(rng: random.Random, kind: str, klass: str | None) -> tuple[str, str, str | None]:
    """(word, text_kind, text_class) for a sample kind; ``klass`` is the drawn object if any."""
    w_cls, w_miss, _ = _WORD_KIND_WEIGHTS[kind]
    r = rng.random()
    if r < w_cls:
        c = klass if (klass is not None and rng.random() < 0.7) else rng.choice(CLASSES)
        return c, "class", c
    if r < w_cls + w_miss:
        c = klass if (klass is not None and rng.random() < 0.7) else rng.choice(CLASSES)
        return rng.choice(NEAR_MISSES[c]), "near_miss", c
    return rng.choice(UNRELATED_WORDS), "other", None


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _captions(kind: str, klass: str | None, color: str | None, word: str | None) -> tuple[str, ...]:
    if kind == "object":
        return (f"a drawing of {_a(color)} {klass}", f"{_a(color)} {klass}", f"a drawing of {_a(klass)}",
                f"a picture of {_a(klass)}", f"{klass}")
    if kind == "object_text":
        return (f"a drawing of {_a(color)} {klass} with the word {word}",
                f"{_a(color)} {klass} and the text {word}", f"{_a(klass)} labeled {word}",
                f"a drawing of {_a(klass)} that says {word}")
    return (f"the word {word}", f"a sign that says {word}", f"text that says {word}", f"{word}",
            f"the text {word}")


def make_sample(seed: int, split: str, index: int, size: int = DEFAULT_SIZE,
                kind_weights: dict[str, float] | None = None) -> Sample:
    """Generate sample ``index`` of ``split``; the same arguments always give the same sample."""
    rng = random.Random(f"{seed}:{split}:{index}")
    weights = kind_weights or KIND_WEIGHTS
    kind = rng.choices(list(weights), weights=list(weights.values()))[0]
    px = size * _OVERSAMPLE
    img = _background(rng, px)
    klass = color = word = text_kind = text_class = None
    if kind in ("object", "object_text"):
        klass = rng.choice(CLASSES)
        color = rng.choice(list(COLORS))
        if kind == "object":
            s = rng.uniform(0.45, 0.85) * px
            ox, oy = rng.uniform(0, px - s), rng.uniform(0, px - s)
            _draw_object(img, klass, (ox, oy, ox + s, oy + s), COLORS[color], rng)
        else:
            word, text_kind, text_class = _pick_word(rng, kind, klass)
            placement = rng.choice(("above", "below", "on"))
            if placement == "on":
                s = rng.uniform(0.6, 0.85) * px
                ox, oy = rng.uniform(0, px - s), rng.uniform(0, px - s)
                _draw_object(img, klass, (ox, oy, ox + s, oy + s), COLORS[color], rng)
                cy = oy + s * 0.5
                region = (ox, cy - 0.2 * s, ox + s, cy + 0.2 * s)
                _draw_word(img, word, region, rng, sign=rng.random() < 0.5, min_px=int(px * 0.16),
                           max_px=int(px * 0.26))
            else:
                s = rng.uniform(0.5, 0.62) * px
                ox = rng.uniform(0, px - s)
                band_h = px - s
                if placement == "above":
                    oy = px - s - rng.uniform(0, 0.04 * px)
                    region = (0.03 * px, 0.02 * px, 0.97 * px, oy)
                else:
                    oy = rng.uniform(0, 0.04 * px)
                    region = (0.03 * px, oy + s, 0.97 * px, 0.98 * px)
                _draw_object(img, klass, (ox, oy, ox + s, oy + s), COLORS[color], rng)
                _draw_word(img, word, region, rng, sign=rng.random() < 0.3, min_px=int(px * 0.16),
                           max_px=int(min(band_h, px * 0.3)))
    else:
        word, text_kind, text_class = _pick_word(rng, kind, None)
        _draw_word_alone(img, word, rng, sign=rng.random() < 0.4)
    img = img.resize((size, size), Image.LANCZOS)
    return Sample(
        id=f"{split}-{index:06d}", image=img, kind=kind, klass=klass, color=color,
        has_text=word is not None, text=word, text_kind=text_kind, text_class=text_class,
        captions=_captions(kind, klass, color, word),
    )


def generate(split: str, n: int, seed: int = 0, size: int = DEFAULT_SIZE, start: int = 0,
             kind_weights: dict[str, float] | None = None) -> Iterator[Sample]:
    """Yield samples ``start .. start+n-1`` of ``split``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    for i in range(start, start + n):
        yield make_sample(seed, split, i, size, kind_weights)


def all_caption_texts() -> list[str]:
    """Every caption the generator can produce, plus class prompts (for training a tokenizer)."""
    out: list[str] = []
    words = list(CLASSES) + [m for ms in NEAR_MISSES.values() for m in ms] + list(UNRELATED_WORDS)
    for k in CLASSES:
        out += class_prompts(k)
        for c in COLORS:
            out += _captions("object", k, c, None)
            for w in words:
                out += _captions("object_text", k, c, w)
    for w in words:
        out += _captions("word", None, None, w)
    return out


def class_prompts(klass: str) -> list[str]:
    """Zero-shot prompts for a class (embeddings averaged)."""
    return [f"a drawing of {_a(klass)}", f"a picture of {_a(klass)}", _a(klass)]


def save_eval_set(samples: Sequence[Sample], out_dir: Path) -> None:
    """Write ``<id>.png`` files and ``labels.jsonl`` (one JSON object per line, with ``file``)."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "labels.jsonl", "w") as f:
        for s in samples:
            name = f"{s.id}.png"
            s.image.save(out_dir / name, optimize=True)
            f.write(json.dumps({"file": name, **s.labels()}) + "\n")


# ---------------------------------------------------------------- arrays for training


@dataclass
class ImageSet:
    """A rendered split: ``images`` uint8 ``[N, size, size, 3]`` plus the samples' labels."""

    images: "np.ndarray"
    labels: list[dict]

    def __len__(self) -> int:
        return len(self.labels)


def _render_chunk(args: tuple) -> tuple["np.ndarray", list[dict]]:
    import numpy as np

    seed, split, start, n, size, kind_weights = args
    samples = list(generate(split, n, seed=seed, size=size, start=start, kind_weights=kind_weights))
    return np.stack([np.asarray(s.image, dtype=np.uint8) for s in samples]), [s.labels() for s in samples]


def render_split(split: str, n: int, seed: int = 0, size: int = DEFAULT_SIZE, workers: int = 2,
                 cache_dir: Path | None = None, kind_weights: dict[str, float] | None = None) -> ImageSet:
    """Render ``n`` samples of ``split`` into arrays (in ``workers`` processes), cached as ``.npz``."""
    import json
    import numpy as np

    cache = None
    if cache_dir is not None:
        mix = "" if kind_weights is None else "-" + "-".join(f"{k}{v:g}" for k, v in kind_weights.items())
        cache = Path(cache_dir) / f"demo-v{GENERATOR_VERSION}-{split}-s{seed}-n{n}-px{size}{mix}.npz"
        if cache.exists():
            z = np.load(cache)
            return ImageSet(z["images"], json.loads(str(z["labels"])))
    chunk = 2000
    jobs = [(seed, split, s, min(chunk, n - s), size, kind_weights) for s in range(0, n, chunk)]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_chunk, jobs)
    else:
        parts = [_render_chunk(j) for j in jobs]
    out = ImageSet(np.concatenate([p[0] for p in parts]), [lab for p in parts for lab in p[1]])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, images=out.images, labels=np.array(json.dumps(out.labels)))
        tmp.replace(cache)
    return out
