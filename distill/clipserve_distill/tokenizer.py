"""CLIP's byte-level BPE tokenizer, read from and written to Hugging Face ``tokenizer.json``.

A port of OpenAI's ``clip/simple_tokenizer.py`` that follows the ``tokenizer.json`` that
``openai/clip-vit-base-patch32`` ships (the Java server implements the same file format):

1. **Special tokens** ``<|startoftext|>`` / ``<|endoftext|>`` written literally in the input text
   are split out first (before normalization, as Hugging Face's added tokens) and map to their ids.
2. **Normalize** each remaining piece: Unicode NFC, every run of white space (Unicode
   ``White_Space``) -> one ``" "``, lowercase (full Unicode ``str.lower``).
3. **Pre-tokenize** with CLIP's pattern, keeping only the matches (white space between them goes)::

       <\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+

   i.e. at each position, leftmost-first: a contraction, a run of letters, one number
   character, or a run of characters that are neither white space, letters nor numbers.
4. **Byte-level**: each piece's UTF-8 bytes map to printable characters (``bytes_to_unicode``).
5. **BPE** with end-of-word suffix ``</w>`` on the piece's last symbol; merges apply by rank.
6. **Ids**: ``[<|startoftext|>] + ids + [<|endoftext|>]`` (RobertaProcessing).

:meth:`ClipTokenizer.encode` then truncates to ``context_length`` keeping the end token last
(``sot + first ctx-2 ids + eot``; it never refuses long text) and pads with id 0.

Differences from OpenAI's ``simple_tokenizer``: no ``ftfy.fix_text`` and no ``html.unescape``
(the Hugging Face tokenizer has neither); NFC is applied (OpenAI gets it from ftfy).

Vocabulary layout (as OpenAI's): 256 byte symbols in ``bytes_to_unicode`` order, the same 256
with ``</w>``, one token per merge, then ``<|startoftext|>`` and ``<|endoftext|>``: the end token
has the largest id, which CLIP text towers rely on (they read the feature at argmax(ids)).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import numpy as np

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
EOW = "</w>"
PAD_ID = 0
SPLIT_PATTERN = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")
# Unicode White_Space (what \s means in the Rust and Java regex engines with Unicode classes).
_WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + [" ", "\x85", "\xa0", "\u1680", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
    + [chr(c) for c in range(0x2000, 0x200B)]
)


@lru_cache()
def bytes_to_unicode() -> dict[int, str]:
    """Byte -> printable character, as GPT-2/CLIP: printable Latin-1 bytes map to themselves."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def base_vocab() -> list[str]:
    symbols = list(bytes_to_unicode().values())
    return symbols + [s + EOW for s in symbols]


def _is_letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def _is_number(c: str) -> bool:
    return unicodedata.category(c).startswith("N")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    in_space = False
    for c in text:
        if c in _WHITE_SPACE:
            if not in_space:
                out.append(" ")
            in_space = True
        else:
            out.append(c)
            in_space = False
    return "".join(out).lower()


def pre_tokenize(text: str) -> list[str]:
    """The matches of :data:`SPLIT_PATTERN` in ``text``, in order (leftmost-first alternation)."""
    pieces: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        special = next((s for s in (SOT, EOT) if text.startswith(s, i)), None)
        contraction = next((s for s in _CONTRACTIONS if text.startswith(s, i)), None)
        if special is not None or contraction is not None:
            j = i + len(special or contraction or "")
        elif _is_letter(c):
            j = i + 1
            while j < n and _is_letter(text[j]):
                j += 1
        elif _is_number(c):
            j = i + 1
        elif c not in _WHITE_SPACE:
            j = i + 1
            while j < n and not (text[j] in _WHITE_SPACE or _is_letter(text[j]) or _is_number(text[j])):
                j += 1
        else:
            i += 1
            continue
        pieces.append(text[i:j])
        i = j
    return pieces


def _split_specials(text: str) -> list[str]:
    """Splits raw text into literal special tokens and the text between them."""
    parts: list[str] = []
    i = 0
    while True:
        hits = [(text.find(s, i), s) for s in (SOT, EOT)]
        hits = [(pos, s) for pos, s in hits if pos >= 0]
        if not hits:
            parts.append(text[i:])
            return [p for p in parts if p]
        pos, s = min(hits)
        parts.extend([text[i:pos], s])
        i = pos + len(s)


def _byte_encode(piece: str) -> str:
    enc = bytes_to_unicode()
    return "".join(enc[b] for b in piece.encode("utf-8"))


def _merge_word(word: tuple[str, ...], ranks: dict[tuple[str, str], int]) -> tuple[str, ...]:
    while len(word) > 1:
        pairs = {(word[k], word[k + 1]) for k in range(len(word) - 1)}
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        first, second = best
        merged: list[str] = []
        k = 0
        while k < len(word):
            if k < len(word) - 1 and word[k] == first and word[k + 1] == second:
                merged.append(first + second)
                k += 2
            else:
                merged.append(word[k])
                k += 1
        word = tuple(merged)
    return word


class ClipTokenizer:
    """Byte-level BPE with ``</w>``; build with :meth:`from_merges`, :meth:`load` or :func:`train_bpe`."""

    def __init__(self, vocab: dict[str, int], merges: Sequence[tuple[str, str]]) -> None:
        for special in (SOT, EOT):
            if special not in vocab:
                raise ValueError(f"vocabulary lacks {special}")
        if vocab[EOT] != max(vocab.values()):
            raise ValueError(f"{EOT} must have the largest id (CLIP reads the text feature at argmax(ids))")
        self.vocab = dict(vocab)
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.decoder = {i: t for t, i in self.vocab.items()}
        self.byte_decoder = {v: k for k, v in bytes_to_unicode().items()}
        self.sot_id = self.vocab[SOT]
        self.eot_id = self.vocab[EOT]
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_merges(cls, merges: Sequence[tuple[str, str]]) -> "ClipTokenizer":
        """OpenAI's vocabulary layout for a merge list (duplicate merge results get one id)."""
        tokens = base_vocab()
        seen = set(tokens)
        for a, b in merges:
            if a + b not in seen:
                tokens.append(a + b)
                seen.add(a + b)
        tokens += [SOT, EOT]
        return cls({t: i for i, t in enumerate(tokens)}, merges)

    @property
    def vocab_size(self) -> int:
        return max(self.vocab.values()) + 1

    def _bpe_ids(self, piece: str) -> list[int]:
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        symbols = _byte_encode(piece)
        word = tuple(symbols[:-1]) + (symbols[-1] + EOW,)
        ids = [self.vocab[s] for s in _merge_word(word, self.ranks)]
        self._cache[piece] = ids
        return ids

    def tokenize(self, text: str) -> list[int]:
        """Ids of ``text`` without start/end tokens (literal special tokens map to their ids)."""
        ids: list[int] = []
        for part in _split_specials(text):
            if part in (SOT, EOT):
                ids.append(self.vocab[part])
                continue
            for piece in pre_tokenize(normalize(part)):
                ids.extend(self._bpe_ids(piece))
        return ids

    def encode(self, texts: Union[str, Sequence[str]], context_length: int) -> np.ndarray:
        """int64 ``[N, context_length]``: sot, ids, eot, then ``PAD_ID``; long texts are truncated
        to ``sot + ids[:context_length - 2] + eot`` (never refused)."""
        if context_length < 2:
            raise ValueError("context_length must be at least 2 (start and end tokens)")
        if isinstance(texts, str):
            texts = [texts]
        out = np.full((len(texts), context_length), PAD_ID, dtype=np.int64)
        for row, text in enumerate(texts):
            ids = [self.sot_id] + self.tokenize(text)[: context_length - 2] + [self.eot_id]
            out[row, : len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``: start tokens skipped, stops at the first end token (padding follows it);
        ``</w>`` becomes a space, as OpenAI's."""
        data = bytearray()
        for i in ids:
            i = int(i)
            if i == self.eot_id:
                break
            if i == self.sot_id:
                continue
            token = self.decoder[i]
            word_end = token.endswith(EOW)
            data.extend(self.byte_decoder[c] for c in (token[: -len(EOW)] if word_end else token))
            if word_end:
                data.extend(b" ")
        return data.decode("utf-8", errors="replace").strip()

    # --- Hugging Face tokenizer.json ----------------------------------------------------------

    def to_hf_json(self) -> dict:
        """The ``tokenizer.json`` document, laid out as ``openai/clip-vit-base-patch32``'s."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                _added_token(self.sot_id, SOT, normalized=True),
                _added_token(self.eot_id, EOT, normalized=False),
            ],
            "normalizer": {
                "type": "Sequence",
                "normalizers": [
                    {"type": "NFC"},
                    {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
                    {"type": "Lowercase"},
                ],
            },
            "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Removed", "invert": True},
                    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
                ],
            },
            "post_processor": {
                "type": "RobertaProcessing",
                "sep": [EOT, self.eot_id],
                "cls": [SOT, self.sot_id],
                "trim_offsets": False,
                "add_prefix_space": False,
            },
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": EOT,
                "continuing_subword_prefix": "",
                "end_of_word_suffix": EOW,
                "fuse_unk": False,
                "byte_fallback": False,
                "vocab": self.vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }

    def save(self, path: Union[str, Path]) -> None:
        Path(path).write_text(json.dumps(self.to_hf_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_hf_json(cls, doc: dict) -> "ClipTokenizer":
        model = doc["model"]
        if model.get("type") != "BPE" or model.get("end_of_word_suffix") != EOW:
            raise ValueError("not a CLIP tokenizer.json: expected model.type BPE with end_of_word_suffix </w>")
        vocab = {str(k): int(v) for k, v in model["vocab"].items()}
        for tok in doc.get("added_tokens", []):
            vocab.setdefault(tok["content"], int(tok["id"]))
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        return cls(vocab, merges)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Union[str, Path]) -> "ClipTokenizer":
        return cls.from_hf_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _added_token(token_id: int, content: str, normalized: bool) -> dict:
    return {
        "id": token_id,
        "content": content,
        "single_word": False,
        "lstrip": False,
        "rstrip": False,
        "normalized": normalized,
        "special": True,
    }


# --- training ---------------------------------------------------------------------------------


def train_bpe(texts: Iterable[str], vocab_size: int, min_frequency: int = 2) -> ClipTokenizer:
    """Learns merges from ``texts`` (classic BPE: repeatedly merge the most frequent adjacent pair).

    Deterministic: ties go to the lexicographically smallest pair. Stops when the vocabulary
    (512 byte symbols + merges + 2 specials) reaches ``vocab_size`` or no pair occurs
    ``min_frequency`` times. The result may be smaller than ``vocab_size``.
    """
    base = len(base_vocab()) + 2
    if vocab_size < base:
        raise ValueError(f"vocab_size must be at least {base}")
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for part in _split_specials(text):
            if part in (SOT, EOT):
                continue
            for piece in pre_tokenize(normalize(part)):
                symbols = _byte_encode(piece)
                counts[tuple(symbols[:-1]) + (symbols[-1] + EOW,)] += 1
    words = list(counts.items())
    merges: list[tuple[str, str]] = []
    known = set(base_vocab())
    while len(known) + 2 < vocab_size:
        pair_counts: Counter[tuple[str, str]] = Counter()
        for word, freq in words:
            for k in range(len(word) - 1):
                pair_counts[(word[k], word[k + 1])] += freq
        if not pair_counts:
            break
        best_count = max(pair_counts.values())
        if best_count < min_frequency:
            break
        best = min(p for p, c in pair_counts.items() if c == best_count)
        merges.append(best)
        known.add(best[0] + best[1])
        ranks = {best: 0}
        words = [(_merge_word(w, ranks) if len(w) > 1 else w, f) for w, f in words]
    return ClipTokenizer.from_merges(merges)


def default_corpus() -> list[str]:
    """A small deterministic caption corpus (demo-world words) for test tokenizers."""
    colors = ["red", "green", "blue", "yellow", "black", "white", "orange", "purple", "pink", "brown", "gray"]
    things = ["cat", "dog", "fish", "house", "tree", "star", "car", "bird", "flower", "sun", "boat", "apple"]
    templates = [
        "a photo of a {c} {t}",
        "a drawing of a {c} {t}",
        "the word {t} written in {c}",
        "a {c} {t} with the word \"{w}\" on it",
        "an image that says {w}",
        "{c} {t}s on a white background",
    ]
    words = ["cat", "gat", "cot", "hello", "world", "clip", "text", "sign", "stop", "open"]
    corpus = []
    for i, tpl in enumerate(templates):
        for j, c in enumerate(colors):
            for k, t in enumerate(things):
                corpus.append(tpl.format(c=c, t=t, w=words[(i + j + k) % len(words)]))
    corpus += ["there are 2 cats and 3 dogs!", "it's a cat's toy, isn't it?", "what's that? a star..."]
    return corpus


def train_default(vocab_size: int, corpus: Optional[Sequence[str]] = None) -> ClipTokenizer:
    return train_bpe(corpus if corpus is not None else default_corpus(), vocab_size)
