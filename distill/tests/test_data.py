"""The demo world generator: deterministic per seed, labels consistent with captions and images."""

import numpy as np
import pytest

from clipserve_distill import data


def _pixels(s: data.Sample) -> np.ndarray:
    return np.asarray(s.image)


def test_same_seed_gives_identical_samples():
    a = list(data.generate("train", 20, seed=3))
    b = list(data.generate("train", 20, seed=3))
    for x, y in zip(a, b):
        assert x.labels() == y.labels()
        assert np.array_equal(_pixels(x), _pixels(y))


def test_sample_is_independent_of_how_many_were_generated_before():
    batch = list(data.generate("val", 10, seed=1))
    alone = data.make_sample(1, "val", 7)
    assert alone.labels() == batch[7].labels()
    assert np.array_equal(_pixels(alone), _pixels(batch[7]))


def test_other_seed_or_split_gives_other_images():
    a = [_pixels(s) for s in data.generate("train", 10, seed=0)]
    b = [_pixels(s) for s in data.generate("train", 10, seed=1)]
    c = [_pixels(s) for s in data.generate("test", 10, seed=0)]
    assert sum(np.array_equal(x, y) for x, y in zip(a, b)) == 0
    assert sum(np.array_equal(x, y) for x, y in zip(a, c)) == 0
    assert {s.id for s in data.generate("test", 3)} == {"test-000000", "test-000001", "test-000002"}


def test_images_are_rgb_at_requested_size():
    for s in data.generate("train", 5, size=48):
        assert s.image.mode == "RGB" and s.image.size == (48, 48)


def test_labels_are_consistent():
    samples = list(data.generate("train", 400, seed=0))
    kinds = {s.kind for s in samples}
    assert kinds == {"object", "object_text", "word"}
    assert len({s.klass for s in samples if s.klass}) == len(data.CLASSES) >= 10
    for s in samples:
        assert s.has_text == (s.text is not None) == (s.kind != "object")
        assert (s.klass is None) == (s.kind == "word") == (s.color is None)
        if s.klass:
            assert s.klass in data.CLASSES and s.color in data.COLORS
            assert s.klass in s.caption and s.color in s.caption
        if s.has_text:
            assert s.text in s.caption
            if s.text_kind == "class":
                assert s.text == s.text_class
            elif s.text_kind == "near_miss":
                assert s.text in data.NEAR_MISSES[s.text_class]
                assert data.near_miss_class(s.text) == s.text_class
            else:
                assert s.text_kind == "other" and s.text in data.UNRELATED_WORDS and s.text_class is None
        lab = s.labels()
        assert lab["class"] == s.klass and lab["caption"] == s.caption


def test_words_vary_between_class_near_miss_and_other():
    samples = list(data.generate("train", 400, seed=0))
    for kind in ("object_text", "word"):
        text_kinds = {s.text_kind for s in samples if s.kind == kind}
        assert text_kinds == {"class", "near_miss", "other"}


def test_text_actually_changes_pixels():
    # An image with a word differs from a blank background: the renderer drew something dark or light.
    s = next(x for x in data.generate("train", 50) if x.kind == "word")
    px = _pixels(s).astype(int)
    assert px.std() > 10


def test_word_lists_do_not_collide():
    misses = [m for ms in data.NEAR_MISSES.values() for m in ms]
    assert len(set(misses)) == len(misses)
    assert not set(misses) & set(data.CLASSES)
    assert not set(data.UNRELATED_WORDS) & (set(misses) | set(data.CLASSES))


def test_unknown_split_is_refused():
    with pytest.raises(ValueError):
        list(data.generate("holdout", 1))


def test_on_topic():
    cat = data.make_sample(0, "train", 0)
    s = next(x for x in data.generate("train", 200) if x.kind == "word" and x.text_kind == "near_miss")
    assert s.on_topic(s.text_class)
    assert not s.on_topic(next(c for c in data.CLASSES if c != s.text_class))
    assert cat.on_topic(cat.klass) if cat.klass else True
