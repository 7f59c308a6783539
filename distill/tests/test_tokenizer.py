from __future__ import annotations

import json

import numpy as np
import pytest

from clipserve_distill.tokenizer import (
    EOT,
    EOW,
    PAD_ID,
    SOT,
    ClipTokenizer,
    base_vocab,
    bytes_to_unicode,
    normalize,
    pre_tokenize,
    train_default,
)


@pytest.fixture(scope="module")
def tok() -> ClipTokenizer:
    return train_default(1024)


def test_bytes_to_unicode_is_a_printable_bijection():
    table = bytes_to_unicode()
    assert len(table) == 256 and len(set(table.values())) == 256
    assert table[ord("a")] == "a" and table[ord(" ")] == "\u0120"
    assert base_vocab()[0] == "!" and base_vocab()[256] == "!" + EOW


def test_normalize_and_pre_tokenize_follow_clips_pattern():
    assert normalize("  Hello\t\n World  ") == " hello world "
    assert pre_tokenize("it's 42 cats!! a.b") == ["it", "'s", "4", "2", "cats", "!!", "a", ".", "b"]
    assert pre_tokenize("caf\u00e9 x<|endoftext|>") == ["café", "x", "<|endoftext|>"]
    assert pre_tokenize("'ll've") == ["'ll", "'ve"]
    assert pre_tokenize("   ") == []


def test_bpe_applies_merges_by_rank_with_end_of_word_suffix():
    tok = ClipTokenizer.from_merges([("c", "a"), ("a", "t</w>"), ("ca", "t</w>"), ("c", "at</w>")])
    ids = tok.tokenize("cat cart")
    tokens = [tok.decoder[i] for i in ids]
    assert tokens == ["cat</w>", "ca", "r", "t</w>"]
    assert tok.vocab_size == 512 + 3 + 2  # "cat</w>" comes from two merges but gets one id


def test_end_token_has_the_largest_id_and_start_the_next(tok):
    assert tok.eot_id == max(tok.vocab.values()) == tok.vocab_size - 1
    assert tok.sot_id == tok.eot_id - 1


def test_encode_pads_with_zero_and_wraps_with_specials(tok):
    ids = tok.encode(["a photo of a red cat", ""], 16)
    assert ids.dtype == np.int64 and ids.shape == (2, 16)
    n = len(tok.tokenize("a photo of a red cat"))
    assert ids[0, 0] == tok.sot_id and ids[0, n + 1] == tok.eot_id
    assert (ids[0, n + 2 :] == PAD_ID).all()
    assert list(ids[1, :3]) == [tok.sot_id, tok.eot_id, PAD_ID]
    assert (ids.argmax(axis=1) == [n + 1, 1]).all()


def test_long_text_is_truncated_keeping_the_end_token_last(tok):
    text = "a very long caption about a red cat " * 20
    ids = tok.encode(text, 16)[0]
    assert ids[0] == tok.sot_id and ids[-1] == tok.eot_id
    assert list(ids[1:-1]) == tok.tokenize(text)[:14]


def test_decode_inverts_encode_up_to_normalization(tok):
    for text in ["a photo of a red cat", "Hello,   World!! it's 42", "Ünïcödé 🐈 café"]:
        ids = tok.encode(text, 64)[0]
        assert tok.decode(ids) == " ".join(pre_tokenize(normalize(text)))


def test_literal_special_tokens_map_to_their_ids(tok):
    assert tok.tokenize("a<|endoftext|>") == tok.tokenize("a") + [tok.eot_id]
    assert tok.tokenize(SOT) == [tok.sot_id]


def test_tokenizer_json_round_trip_is_identical(tok, tmp_path):
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    again = ClipTokenizer.load(path)
    assert again.vocab == tok.vocab and again.merges == tok.merges
    again.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()
    texts = ["a photo of a cat", "it's 42!", "x" * 100]
    assert np.array_equal(again.encode(texts, 16), tok.encode(texts, 16))


def test_tokenizer_json_has_hugging_face_clip_layout(tok):
    doc = json.loads(json.dumps(tok.to_hf_json()))
    assert doc["model"]["type"] == "BPE" and doc["model"]["end_of_word_suffix"] == EOW
    assert doc["model"]["unk_token"] == EOT
    assert all(isinstance(m, str) and len(m.split(" ")) == 2 for m in doc["model"]["merges"])
    assert [n["type"] for n in doc["normalizer"]["normalizers"]] == ["NFC", "Replace", "Lowercase"]
    split, byte_level = doc["pre_tokenizer"]["pretokenizers"]
    assert split["type"] == "Split" and split["behavior"] == "Removed" and split["invert"] is True
    assert byte_level == {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    assert doc["post_processor"]["type"] == "RobertaProcessing"
    assert doc["post_processor"]["cls"] == [SOT, tok.sot_id] and doc["post_processor"]["sep"] == [EOT, tok.eot_id]
    assert [(t["content"], t["id"]) for t in doc["added_tokens"]] == [(SOT, tok.sot_id), (EOT, tok.eot_id)]
    assert doc["decoder"]["type"] == "ByteLevel"


def test_loads_array_style_merges():
    doc = ClipTokenizer.from_merges([("c", "a")]).to_hf_json()
    doc["model"]["merges"] = [["c", "a"]]
    assert ClipTokenizer.from_hf_json(doc).merges == [("c", "a")]


def test_training_is_deterministic_and_learns_frequent_words():
    a, b = train_default(700), train_default(700)
    assert a.merges == b.merges
    assert len(a.tokenize("cat")) == 1 and len(a.tokenize("photo")) == 1
