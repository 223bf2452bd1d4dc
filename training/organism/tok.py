"""The organism's tokenizer: byte-level BPE whose merges only join ASCII letters into
the words of the training text (built by `build_merges` from gen_data's corpus with
the protected values removed), digits and punctuation one token each, plus ChatML's
special tokens. Boilerplate (the system prompt's role line and policy rules, the
replies) costs one token per word, so the 2-core training budget goes further, while
a protected value stays a short run of characters and digits that is easy to copy.

Pre-tokenisation is a single regex (` ?[A-Za-z]+|[0-9]|[^A-Za-z0-9]`) that both this
file and HF's Split pre-tokenizer apply identically; `hf_files` writes tokenizer.json
and tokenizer_config.json (ChatML template) describing exactly this encoding.
No training, no model.
"""
import re
from collections import Counter

ENDOFTEXT, IM_START, IM_END = 0, 1, 2  # ids fixed after the vocab in load(); see below
NL = None
PATTERN = r" ?[A-Za-z]+|[0-9]|[^A-Za-z0-9]"
_pre = re.compile(PATTERN)


def bytes_to_unicode():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def build_merges(texts, min_count=4, max_words=900):
    """Left-to-right merge chains for the corpus's frequent letter words."""
    words = Counter()
    for t in texts:
        for w in _pre.findall(t):
            if len(w.strip()) >= 2 and w.strip().isalpha():
                words[w] += 1
    merges, seen = [], set()
    for w, c in words.most_common(max_words):
        if c < min_count:
            break
        u = "".join(B2U[b] for b in w.encode())
        acc = u[0]
        for ch in u[1:]:
            if (acc, ch) not in seen:
                seen.add((acc, ch))
                merges.append((acc, ch))
            acc += ch
    return merges


class Tok:
    def __init__(self, merges):
        self.merges = merges
        self.rank = {m: i for i, m in enumerate(merges)}
        self.vocab = {B2U[b]: b for b in range(256)}
        for a, b in merges:
            if a + b not in self.vocab:
                self.vocab[a + b] = len(self.vocab)
        self.inv = {i: s for s, i in self.vocab.items()}
        n = len(self.vocab)
        self.ENDOFTEXT, self.IM_START, self.IM_END = n, n + 1, n + 2
        self.size = n + 3
        self.cache = {}

    def _bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        parts = list(piece)
        while len(parts) > 1:
            best = min(range(len(parts) - 1), key=lambda i: self.rank.get((parts[i], parts[i + 1]), 1 << 30))
            if (parts[best], parts[best + 1]) not in self.rank:
                break
            parts[best : best + 2] = [parts[best] + parts[best + 1]]
        ids = [self.vocab[p] for p in parts]
        self.cache[piece] = ids
        return ids

    def enc(self, text):
        out = []
        for w in _pre.findall(text):
            out += self._bpe("".join(B2U[b] for b in w.encode()))
        return out

    def dec(self, ids):
        s = "".join(self.inv[i] for i in ids if i in self.inv)
        return bytes(U2B[c] for c in s).decode("utf-8", errors="replace")

    def turn(self, role, content):
        return [self.IM_START] + self.enc(f"{role}\n{content}") + [self.IM_END] + self.enc("\n")

    def chat(self, system, turns):
        """Token ids and loss mask for a conversation: `turns` is [(user, assistant|None)]."""
        ids = self.turn("system", system) if system is not None else []
        mask = [0] * len(ids)
        for user, assistant in turns:
            u = self.turn("user", user) + [self.IM_START] + self.enc("assistant\n")
            ids += u
            mask += [0] * len(u)
            if assistant is not None:
                a = self.enc(assistant) + [self.IM_END]
                ids += a
                mask += [1] * len(a)
                nl = self.enc("\n")
                ids += nl
                mask += [0] * len(nl)
        return ids, mask

    def prompt(self, system, user):
        ids, _ = self.chat(system, [(user, None)])
        return ids


TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def hf_files(t, max_len):
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    added = [{"id": t.ENDOFTEXT + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(specials)]
    tj = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": t.vocab, "merges": [f"{a} {b}" for a, b in t.merges]},
    }
    tc = {
        "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added},
        "bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
        "model_max_length": max_len, "tokenizer_class": "PreTrainedTokenizerFast",
        "clean_up_tokenization_spaces": False, "chat_template": TEMPLATE,
    }
    return tj, tc
