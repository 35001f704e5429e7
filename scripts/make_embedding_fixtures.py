#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/embeddings/*.json: llama.cpp's own embeddings
(llama-cpp-python 0.3.36, `Llama(embedding=True, pooling_type=…)`, `embed(normalize=True)`,
the model's BOS as its tokenizer adds it, n_ctx 512, 2 threads, one text per call) for Kazakh, Russian and
English texts under mean and last-token pooling, so EmbeddingParityTests can check
Aqyl's /v1/embeddings vectors against them (cosine ≥ 0.999).

Usage: python3 scripts/make_embedding_fixtures.py [--models-dir ~/.cache/aqyl/models]
"""
import argparse
import json
import os

import llama_cpp

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "embeddings")
MODELS = {
    "smollm2-135m": "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma3-270m/gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-q4_k_m.gguf",
}
TEXTS = [
    "Қазақстанның астанасы — Астана.",
    "Абай Құнанбайұлы — ұлы ақын, ағартушы, ойшыл.",
    "Сегодня в Алматы солнечно и тепло.",
    "The quick brown fox jumps over the lazy dog.",
]
POOLING = {"mean": llama_cpp.LLAMA_POOLING_TYPE_MEAN, "last": llama_cpp.LLAMA_POOLING_TYPE_LAST}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--models-dir", default=os.path.expanduser("~/.cache/aqyl/models"))
    args = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for name, rel in MODELS.items():
        out = {"model": name, "llama_cpp_python": llama_cpp.__version__, "texts": TEXTS, "pooling": {}}
        for pooling, kind in POOLING.items():
            llm = llama_cpp.Llama(model_path=os.path.join(args.models_dir, rel), embedding=True, pooling_type=kind,
                                  n_ctx=512, n_batch=512, n_threads=2, verbose=False)
            # One text per call: llama.cpp's vector for a text depends on what shares its
            # batch (cosine down to 0.9988 on Gemma 3 between alone and batched), and Aqyl
            # evaluates each input as its own pass, as llama.cpp does a lone text.
            vectors = [llm.embed([t], normalize=True)[0] for t in TEXTS]
            out["pooling"][pooling] = {
                "tokens": [llm.tokenize(t.encode("utf-8")) for t in TEXTS],
                "vectors": [[round(float(x), 7) for x in v] for v in vectors],
            }
            del llm
        with open(os.path.join(OUT, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False)
        print(name, {k: len(v["vectors"][0]) for k, v in out["pooling"].items()})


if __name__ == "__main__":
    main()
