#!/usr/bin/env python3
"""Independent golden files for Aqyl's PEFT adapter import/export and merge.

Usage:
    pip install numpy gguf          # no torch needed
    python3 scripts/make_peft_fixtures.py [--out Tests/Fixtures/peft]

Writes (numpy seed 20240601, all small):
  tiny-llama.gguf      a random `llama` model, F32 weights, made from Hugging Face
                       layout weights the way llama.cpp's converter does: q and k
                       rows permuted for ggml's interleaved RoPE, ggml ne = numpy
                       shape reversed. vocab 64, embd 32, 2 layers, 4 heads
                       (head dim 8), 2 kv heads, ff 64, untied output.
  adapter/             a PEFT LoRA directory as PEFT saves it: adapter_config.json
                       and adapter_model.safetensors (F32) with random non-zero
                       lora_A (r, in) and lora_B (out, r) on q,k,v,o,gate,up,down
                       of every layer; r 4, lora_alpha 8.
  logits.json          logits of the Hugging Face forward pass computed here in
                       float64 numpy (HF weight layout, rotate_half RoPE, RMSNorm,
                       SwiGLU, GQA, causal attention), for every position of two
                       token sequences: `base` without the adapter and `adapted`
                       with W + (alpha/r)·B·A.

Why an independent oracle: Aqyl's own forward pass runs on GGUF (permuted)
weights with ggml-style RoPE, so agreeing with this unpermuted HF-convention
computation shows the q/k permutation of lora_B is right; the base logits are
checked too, so a permutation bug in the model cannot hide one in the adapter.
"""
import argparse
import json
import os
import struct

import numpy as np

VOCAB = 64
EMBD = 32
LAYERS = 2
HEADS = 4
KV_HEADS = 2
HEAD_DIM = EMBD // HEADS
FF = 64
CTX = 64
RMS_EPS = 1e-5
ROPE_BASE = 10000.0
RANK = 4
ALPHA = 8
SEED = 20240601
SEQUENCES = [[1, 17, 42, 5, 63, 8, 30], [60, 2, 2, 33, 11]]

# HF module path -> (outputs, inputs)
TARGETS = {
    "self_attn.q_proj": (HEADS * HEAD_DIM, EMBD),
    "self_attn.k_proj": (KV_HEADS * HEAD_DIM, EMBD),
    "self_attn.v_proj": (KV_HEADS * HEAD_DIM, EMBD),
    "self_attn.o_proj": (EMBD, HEADS * HEAD_DIM),
    "mlp.gate_proj": (FF, EMBD),
    "mlp.up_proj": (FF, EMBD),
    "mlp.down_proj": (EMBD, FF),
}
GGUF_NAMES = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def permute(w, n_head):
    """llama.cpp convert_hf_to_gguf.py LlamaModel.permute: rotate_half pairs (j, j+hd/2) -> (2j, 2j+1)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def make_weights(rng):
    f32 = np.float32
    w = {
        "embed": rng.standard_normal((VOCAB, EMBD)).astype(f32),
        "final_norm": (1 + 0.2 * rng.standard_normal(EMBD)).astype(f32),
        "lm_head": (rng.standard_normal((VOCAB, EMBD)) / np.sqrt(EMBD)).astype(f32),
        "layers": [],
    }
    for _ in range(LAYERS):
        layer = {
            "input_norm": (1 + 0.2 * rng.standard_normal(EMBD)).astype(f32),
            "post_norm": (1 + 0.2 * rng.standard_normal(EMBD)).astype(f32),
        }
        for path, (outputs, inputs) in TARGETS.items():
            layer[path] = (rng.standard_normal((outputs, inputs)) / np.sqrt(inputs)).astype(f32)
        w["layers"].append(layer)
    return w


def make_adapter(rng):
    """{(layer, path): (A (r, in), B (out, r))}, float32, all non-zero."""
    out = {}
    for l in range(LAYERS):
        for path, (outputs, inputs) in TARGETS.items():
            a = (rng.standard_normal((RANK, inputs)) / np.sqrt(inputs)).astype(np.float32)
            b = (0.2 * rng.standard_normal((outputs, RANK))).astype(np.float32)
            out[(l, path)] = (a, b)
    return out


def write_gguf(gguf, path, w):
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny-llama-peft")
    writer.add_context_length(CTX)
    writer.add_embedding_length(EMBD)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_layer_norm_rms_eps(RMS_EPS)
    writer.add_rope_freq_base(ROPE_BASE)
    writer.add_rope_dimension_count(HEAD_DIM)
    writer.add_vocab_size(VOCAB)
    # No tokenizer, so llama.cpp (which requires the key) loads the model for cross-checks.
    writer.add_tokenizer_model("no_vocab")
    writer.add_tensor("token_embd.weight", w["embed"])
    writer.add_tensor("output_norm.weight", w["final_norm"])
    writer.add_tensor("output.weight", w["lm_head"])
    for l, layer in enumerate(w["layers"]):
        b = f"blk.{l}."
        writer.add_tensor(b + "attn_norm.weight", layer["input_norm"])
        for path in TARGETS:
            m = layer[path]
            if path == "self_attn.q_proj":
                m = permute(m, HEADS)
            elif path == "self_attn.k_proj":
                m = permute(m, KV_HEADS)
            writer.add_tensor(b + GGUF_NAMES[path] + ".weight", np.ascontiguousarray(m))
        writer.add_tensor(b + "ffn_norm.weight", layer["post_norm"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_safetensors(path, tensors):
    """safetensors as PEFT writes it: u64 header length, JSON header (keys sorted, padded to 8), data."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_adapter(directory, adapter):
    os.makedirs(directory, exist_ok=True)
    tensors = {}
    for (l, path), (a, b) in adapter.items():
        key = f"base_model.model.model.layers.{l}.{path}"
        tensors[key + ".lora_A.weight"] = a
        tensors[key + ".lora_B.weight"] = b
    write_safetensors(os.path.join(directory, "adapter_model.safetensors"), tensors)
    config = {
        "alpha_pattern": {}, "base_model_name_or_path": "tiny-llama-peft", "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "lora_alpha": ALPHA, "lora_dropout": 0.0,
        "modules_to_save": None, "peft_type": "LORA", "r": RANK, "rank_pattern": {},
        "target_modules": sorted(p.split(".")[1] for p in TARGETS), "task_type": "CAUSAL_LM",
        "use_dora": False, "use_rslora": False,
    }
    with open(os.path.join(directory, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")


def rms_norm(x, weight):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + RMS_EPS) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def forward(w, tokens, adapter=None):
    """Hugging Face LlamaForCausalLM in float64: logits (tokens, vocab)."""
    f64 = lambda a: a.astype(np.float64)
    scale = ALPHA / RANK
    n = len(tokens)
    x = f64(w["embed"])[tokens]
    inv_freq = 1.0 / (ROPE_BASE ** (np.arange(0, HEAD_DIM, 2, dtype=np.float64) / HEAD_DIM))
    angles = np.outer(np.arange(n, dtype=np.float64), inv_freq)
    emb = np.concatenate([angles, angles], axis=-1)           # (n, head_dim)
    cos, sin = np.cos(emb)[:, None, :], np.sin(emb)[:, None, :]
    mask = np.triu(np.full((n, n), -np.inf), k=1)
    group = HEADS // KV_HEADS

    for l, layer in enumerate(w["layers"]):
        def linear(path, h):
            y = h @ f64(layer[path]).T
            if adapter is not None:
                a, b = adapter[(l, path)]
                y = y + scale * (h @ f64(a).T) @ f64(b).T
            return y

        h = rms_norm(x, f64(layer["input_norm"]))
        q = linear("self_attn.q_proj", h).reshape(n, HEADS, HEAD_DIM)
        k = linear("self_attn.k_proj", h).reshape(n, KV_HEADS, HEAD_DIM)
        v = linear("self_attn.v_proj", h).reshape(n, KV_HEADS, HEAD_DIM)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        out = np.zeros((n, HEADS, HEAD_DIM))
        for hd in range(HEADS):
            kv = hd // group
            scores = q[:, hd, :] @ k[:, kv, :].T / np.sqrt(HEAD_DIM) + mask
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            out[:, hd, :] = scores @ v[:, kv, :]
        x = x + linear("self_attn.o_proj", out.reshape(n, HEADS * HEAD_DIM))
        h = rms_norm(x, f64(layer["post_norm"]))
        gate = linear("mlp.gate_proj", h)
        up = linear("mlp.up_proj", h)
        x = x + linear("mlp.down_proj", gate / (1 + np.exp(-gate)) * up)
    return rms_norm(x, f64(w["final_norm"])) @ f64(w["lm_head"]).T


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "peft"))
    args = ap.parse_args()
    import gguf

    rng = np.random.default_rng(SEED)
    weights = make_weights(rng)
    adapter = make_adapter(rng)
    os.makedirs(args.out, exist_ok=True)
    write_gguf(gguf, os.path.join(args.out, "tiny-llama.gguf"), weights)
    write_adapter(os.path.join(args.out, "adapter"), adapter)

    cases = []
    for tokens in SEQUENCES:
        base = forward(weights, tokens)
        adapted = forward(weights, tokens, adapter)
        cases.append({
            "tokens": tokens,
            # float32 repr (shortest round trip); rows are positions.
            "base": [[float(np.float32(v)) for v in row] for row in base],
            "adapted": [[float(np.float32(v)) for v in row] for row in adapted],
        })
        print(f"tokens {tokens}: max |adapted - base| = {np.abs(adapted - base).max():.4f}")
    about = {
        "_about": "scripts/make_peft_fixtures.py: HF-convention float64 numpy forward pass of tiny-llama.gguf's "
                  "weights in HF layout, without (base) and with (adapted) the adapter/ LoRA at scale alpha/r",
        "alpha": ALPHA, "r": RANK, "vocab": VOCAB,
    }
    with open(os.path.join(args.out, "logits.json"), "w") as f:
        json.dump({"about": about, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
