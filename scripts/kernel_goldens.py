#!/usr/bin/env python3
"""Bit-exactness harness: Aqyl's CKernels against llama.cpp's ggml (the oracle).

Compiles Sources/CKernels/*.c into a temporary shared library, loads it next
to ggml's CPU backend (llama-cpp-python's libggml-cpu.so / libggml-base.so),
and compares on random and adversarial inputs (fixed seeds):

  (a) activation quantizers Q8_0 / Q8_1 / Q8_K byte for byte
      (ours ck_quantize_act_avx2 vs ggml quantize_row_*; ours _generic vs
      ggml quantize_row_*_generic),
  (b) every dot kernel bit for bit (as float32), fed ggml's own quantized
      activations, for weights made by ggml's quantize_row_*_ref and for
      random valid blocks (random bytes, sane fp16 scales); also the
      multi-token matmul path (ck_gemm_rows, 4-token kernels) per token,
  (c) rms_norm / softmax / silu(swiglu) against ggml's vector ops.

Prints mismatch rates and max differences. With --write-goldens it also
writes Tests/Fixtures/kernels/goldens.json (small) for the Swift tests.

Usage: python3 scripts/kernel_goldens.py [--write-goldens] [--ggml-lib DIR]
Env:   CC (default: clang if found, as SwiftPM builds CKernels with clang).
"""
import argparse
import ctypes as C
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GGML = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/llama_cpp/lib"

# ggml type ids and block geometry: (block elements, block bytes)
T = dict(Q4_0=2, Q4_1=3, Q5_0=6, Q5_1=7, Q8_0=8, Q8_1=9, Q4_K=12, Q5_K=13, Q6_K=14, Q8_K=15)
GEOM = {"Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22), "Q5_1": (32, 24), "Q8_0": (32, 34),
        "Q8_1": (32, 36), "Q4_K": (256, 144), "Q5_K": (256, 176), "Q6_K": (256, 210), "Q8_K": (256, 292)}
ACT = {"Q4_0": "Q8_0", "Q4_1": "Q8_1", "Q5_0": "Q8_0", "Q5_1": "Q8_1", "Q8_0": "Q8_0",
       "Q4_K": "Q8_K", "Q5_K": "Q8_K", "Q6_K": "Q8_K"}
WEIGHTS = list(ACT)


def tname(t):
    """ggml's spelling in symbol names: q4_0, q4_K."""
    return t[:-1].lower() + t[-1] if t.endswith("K") else t.lower()


def row_bytes(t, n):
    qk, bb = GEOM[t]
    return n // qk * bb


# ---------------------------------------------------------------- libraries

def build_ours(tmp):
    cc = os.environ.get("CC") or shutil.which("clang") or "/opt/swift/usr/bin/clang"
    if not os.path.exists(cc) and not shutil.which(cc):
        cc = "cc"
    srcs = sorted(glob.glob(os.path.join(ROOT, "Sources/CKernels/*.c")))
    out = os.path.join(tmp, "libck.so")
    # Same flags SwiftPM uses for the CKernels target (Package.swift).
    # GCC ignores `#pragma STDC FP_CONTRACT OFF` and fuses a*b+c by default.
    extra = [] if "clang" in os.path.basename(cc) else ["-ffp-contract=off"]
    cmd = [cc, "-O3", "-fno-math-errno", *extra, "-shared", "-fPIC", "-I", os.path.join(ROOT, "Sources/CKernels/include"),
           *srcs, "-lpthread", "-lm", "-o", out]
    subprocess.run(cmd, check=True)
    return C.CDLL(out), cc


def load_ggml(d):
    base = C.CDLL(os.path.join(d, "libggml-base.so"), mode=C.RTLD_GLOBAL)
    cpu = C.CDLL(os.path.join(d, "libggml-cpu.so"), mode=C.RTLD_GLOBAL)
    cpu.ggml_cpu_init()  # fills the fp16 -> fp32 table the kernels read
    return base, cpu


P = C.c_void_p
FP = C.POINTER(C.c_float)


def ptr(a):
    return a.ctypes.data_as(P)


class Libs:
    def __init__(self, ours, base, cpu):
        self.ours, self.base, self.cpu = ours, base, cpu
        for f in ("ck_quantize_act", "ck_quantize_act_generic", "ck_quantize_act_avx2"):
            getattr(ours, f).argtypes = [C.c_int, P, P, C.c_int]
        for f in ("ck_vec_dot", "ck_vec_dot_generic", "ck_vec_dot_avx2"):
            getattr(ours, f).argtypes = [C.c_int, C.c_int, P, P]
            getattr(ours, f).restype = C.c_float
        ours.ck_gemm_rows.argtypes = [C.c_int, P, C.c_size_t, C.c_int, C.c_int, P, C.c_size_t, C.c_int, C.c_int,
                                      P, C.c_size_t]
        ours.ck_rms_norm.argtypes = [P, P, C.c_float, C.c_int, P]
        ours.ck_softmax.argtypes = [P, C.c_int]
        ours.ck_silu_mul.argtypes = [P, P, C.c_int]
        ours.ck_kernel_set.restype = C.c_char_p

    # ggml
    def g_quant(self, at, x, generic=False):
        n = x.size
        y = np.zeros(row_bytes(at, n), np.uint8)
        f = getattr(self.cpu, "quantize_row_" + tname(at) + ("_generic" if generic else ""))
        f.argtypes = [P, P, C.c_int64]
        f(ptr(x), ptr(y), n)
        return y

    def g_quant_ref(self, wt, x):
        n = x.size
        y = np.zeros(row_bytes(wt, n), np.uint8)
        f = getattr(self.base, "quantize_row_" + tname(wt) + "_ref")
        f.argtypes = [P, P, C.c_int64]
        f(ptr(x), ptr(y), n)
        return y

    def g_dot(self, wt, n, wx, ay, generic=False):
        at = ACT[wt]
        name = "ggml_vec_dot_%s_%s" % (tname(wt), tname(at))
        f = getattr(self.cpu, name + ("_generic" if generic else ""))
        f.argtypes = [C.c_int, FP, C.c_size_t, P, C.c_size_t, P, C.c_size_t, C.c_int]
        s = C.c_float(np.nan)
        f(n, C.byref(s), 0, ptr(wx), 0, ptr(ay), 0, 1)
        return np.float32(s.value)

    # ours
    def o_quant(self, at, x, path):
        n = x.size
        y = np.zeros(row_bytes(at, n), np.uint8)
        getattr(self.ours, {"avx2": "ck_quantize_act_avx2", "generic": "ck_quantize_act_generic",
                            "best": "ck_quantize_act"}[path])(T[at], ptr(x), ptr(y), n)
        return y

    def o_dot(self, wt, n, wx, ay, path):
        f = getattr(self.ours, {"avx2": "ck_vec_dot_avx2", "generic": "ck_vec_dot_generic",
                                "best": "ck_vec_dot"}[path])
        return np.float32(f(T[wt], n, ptr(wx), ptr(ay)))

    def o_gemm(self, wt, w, rows, a, tokens, n):
        y = np.full(rows * tokens, np.nan, np.float32)
        self.ours.ck_gemm_rows(T[wt], ptr(w), row_bytes(wt, n), 0, rows, ptr(a), row_bytes(ACT[wt], n),
                               tokens, n, ptr(y), rows)
        return y.reshape(tokens, rows)


# ---------------------------------------------------------------- inputs

def f16(v):
    return np.asarray(v, np.float16).view(np.uint16)


def act_inputs(rng, n, kind):
    """Activation rows of length n (multiple of 256)."""
    if kind == "normal":
        return rng.standard_normal(n).astype(np.float32)
    if kind == "heavy":  # LLM-like: mostly small with a few outliers
        x = rng.standard_normal(n).astype(np.float32) * 0.5
        idx = rng.integers(0, n, n // 64)
        x[idx] *= 40
        return x
    if kind == "ties":  # x*127/amax lands exactly on k+0.5 for many elements
        x = (rng.integers(-127, 127, n) + 0.5).astype(np.float32)
        x[::32] = 127.0 * np.where(rng.random(n // 32) < 0.5, -1, 1)
        return x
    if kind == "ties_k":  # ties for Q8_K: max = -127 -> iscale = 1
        x = (rng.integers(-127, 127, n) + 0.5).astype(np.float32)
        x[::256] = -127.0
        x[128::256] = 127.0  # same |max|, opposite sign, later: first one wins
        return x
    if kind == "zeros":
        x = rng.standard_normal(n).astype(np.float32)
        x[:64] = 0
        x[256:512] = 0
        return x
    if kind == "huge":
        return (rng.standard_normal(n) * 1e4).astype(np.float32)
    if kind == "small":
        return (rng.standard_normal(n) * 1e-6).astype(np.float32)
    if kind == "tiny":  # fp16 scale underflows
        return (rng.standard_normal(n) * 1e-9).astype(np.float32)
    if kind == "ints":  # small integers: many exact products
        return rng.integers(-3, 4, n).astype(np.float32)
    raise ValueError(kind)


ACT_KINDS = ["normal", "heavy", "ties", "ties_k", "zeros", "huge", "small", "tiny", "ints"]


def random_blocks(rng, wt, n):
    """Random valid weight blocks: random bytes with sane fp16 scales."""
    qk, bb = GEOM[wt]
    nb = n // qk
    b = rng.integers(0, 256, (nb, bb), dtype=np.uint8)
    def put(off, vals):
        b[:, off:off + 2] = f16(vals).view(np.uint8).reshape(nb, 2)
    if wt in ("Q4_0", "Q5_0", "Q8_0"):
        put(0, rng.uniform(1e-3, 5e-2, nb) * rng.choice([-1, 1], nb))
    elif wt in ("Q4_1", "Q5_1"):
        put(0, rng.uniform(1e-3, 5e-2, nb)); put(2, -rng.uniform(0, 0.5, nb))
    elif wt in ("Q4_K", "Q5_K"):
        put(0, rng.uniform(1e-4, 3e-3, nb)); put(2, rng.uniform(1e-4, 3e-3, nb))
    elif wt == "Q6_K":
        put(208, rng.uniform(1e-4, 3e-3, nb) * rng.choice([-1, 1], nb))
    return b.reshape(-1)


def weight_rows(rng, libs, wt, n, rows):
    out = []
    for r in range(rows):
        if r % 2 == 0:
            x = (rng.standard_normal(n) * 0.05).astype(np.float32)
            out.append(libs.g_quant_ref(wt, x))
        else:
            out.append(random_blocks(rng, wt, n))
    return np.stack(out)


# ---------------------------------------------------------------- comparisons

def ulp_diff(a, b):
    a = np.asarray(a, np.float32).view(np.int32).astype(np.int64)
    b = np.asarray(b, np.float32).view(np.int32).astype(np.int64)
    a = np.where(a < 0, -(a & 0x7fffffff), a)
    b = np.where(b < 0, -(b & 0x7fffffff), b)
    return np.abs(a - b)


def compare_quantizers(libs, rng, n=1024, reps=8):
    print("== activation quantizers (blocks with any differing byte)")
    res = {}
    for at in ("Q8_0", "Q8_1", "Q8_K"):
        qk, bb = GEOM[at]
        for ours_path, ggml_generic in (("avx2", False), ("generic", True)):
            bad = tot = 0
            worst = ""
            for kind in ACT_KINDS:
                for _ in range(reps):
                    x = act_inputs(rng, n, kind)
                    g = libs.g_quant(at, x, ggml_generic).reshape(-1, bb)
                    o = libs.o_quant(at, x, ours_path).reshape(-1, bb)
                    if at == "Q8_K":  # ggml leaves bsums of all-zero blocks unset
                        z = g[:, :4].view(np.float32).reshape(-1) == 0
                        g[z, 260:] = 0; o[z, 260:] = 0
                    diff = np.any(g != o, axis=1)
                    bad += int(diff.sum()); tot += diff.size
                    if diff.any() and not worst:
                        i = int(np.argmax(diff))
                        worst = "%s blk %d: bytes %s" % (kind, i, np.nonzero(g[i] != o[i])[0][:8].tolist())
            key = "%s/%s" % (at, ours_path)
            res[key] = bad / tot
            print("  %-14s vs ggml %-8s mismatch %6d/%-6d = %7.3f%%  %s" % (
                key, "generic" if ggml_generic else "x86", bad, tot, 100 * bad / tot, worst))
    return res


def compare_dots(libs, rng, n=4096, rows=32):
    print("== dot products (rows whose float32 result differs in any bit)")
    res = {}
    for wt in WEIGHTS:
        at = ACT[wt]
        w = weight_rows(rng, libs, wt, n, rows)
        for ours_path, ggml_generic in (("avx2", False), ("generic", True)):
            bad = tot = 0
            maxulp = 0
            maxrel = 0.0
            for kind in ("normal", "heavy", "ties", "zeros", "ints"):
                x = act_inputs(rng, n, kind)
                a = libs.g_quant(at, x, ggml_generic)
                for r in range(rows):
                    g = libs.g_dot(wt, n, w[r], a, ggml_generic)
                    o = libs.o_dot(wt, n, w[r], a, ours_path)
                    tot += 1
                    if g.view(np.uint32) != o.view(np.uint32):
                        bad += 1
                        maxulp = max(maxulp, int(ulp_diff(g, o)))
                        maxrel = max(maxrel, abs(float(g) - float(o)) / max(abs(float(g)), 1e-30))
            key = "%s/%s" % (wt, ours_path)
            res[key] = bad / tot
            print("  %-14s vs ggml %-8s mismatch %4d/%-4d = %7.3f%%  max %d ulp, max rel %.2e" % (
                key, "generic" if ggml_generic else "x86", bad, tot, 100 * bad / tot, maxulp, maxrel))
        # multi-token path (x4 kernels + tail) against ggml's per-token vec_dot
        tokens = 5
        xs = [act_inputs(rng, n, k) for k in ("normal", "heavy", "ties", "zeros", "ints")][:tokens]
        a = np.concatenate([libs.g_quant(at, x) for x in xs])
        y = libs.o_gemm(wt, w, rows, a, tokens, n)
        ab = row_bytes(at, n)
        bad = 0
        maxulp = 0
        for t in range(tokens):
            for r in range(rows):
                g = libs.g_dot(wt, n, w[r], a[t * ab:(t + 1) * ab])
                if g.view(np.uint32) != y[t, r].view(np.uint32):
                    bad += 1
                    maxulp = max(maxulp, int(ulp_diff(g, y[t, r])))
        key = "%s/gemm5" % wt
        res[key] = bad / (tokens * rows)
        print("  %-14s vs ggml %-8s mismatch %4d/%-4d = %7.3f%%  max %d ulp" % (
            key, "x86", bad, tokens * rows, 100 * bad / (tokens * rows), maxulp))
    return res


def compare_vecops(libs, rng):
    print("== vector ops (elements differing; max ulp)")
    res = {}
    cpu = libs.cpu
    sizes = [576, 579, 11]
    # softmax: ggml computes max, then ggml_vec_soft_max_f32(n, y, x, max) -> sum (ggml_float),
    # then scales by 1/sum (ggml_vec_scale_f32).
    cpu.ggml_vec_soft_max_f32.argtypes = [C.c_int, P, P, C.c_float]
    cpu.ggml_vec_soft_max_f32.restype = C.c_double
    bad = tot = mu = 0
    for it in range(30):
        n = sizes[it % 3]
        x = (rng.standard_normal(n) * (4 if it < 20 else 60)).astype(np.float32)
        if it % 5 == 4:
            x[::7] = -np.inf  # masked positions
        y = np.zeros(n, np.float32)
        s = cpu.ggml_vec_soft_max_f32(n, ptr(y), ptr(x), C.c_float(x.max()))
        g = (y * np.float32(1.0 / s)).astype(np.float32)
        o = x.copy()
        libs.ours.ck_softmax(ptr(o), n)
        d = g.view(np.uint32) != o.view(np.uint32)
        bad += int(d.sum()); tot += n; mu = max(mu, int(ulp_diff(g, o).max()))
    res["softmax"] = bad / tot
    print("  softmax   mismatch %6d/%-6d = %7.3f%%  max %d ulp" % (bad, tot, 100 * bad / tot, mu))
    # swiglu: ggml_vec_swiglu_f32(n, y, x(gate), g(up))
    cpu.ggml_vec_swiglu_f32.argtypes = [C.c_int, P, P, P]
    bad = tot = mu = 0
    for it in range(30):
        n = sizes[it % 3]
        gt = (rng.standard_normal(n) * (3 if it < 20 else 80)).astype(np.float32)
        up = rng.standard_normal(n).astype(np.float32)
        g = np.zeros(n, np.float32)
        cpu.ggml_vec_swiglu_f32(n, ptr(g), ptr(gt), ptr(up))
        o = gt.copy()
        libs.ours.ck_silu_mul(ptr(o), ptr(up), n)
        d = g.view(np.uint32) != o.view(np.uint32)
        bad += int(d.sum()); tot += n; mu = max(mu, int(ulp_diff(g, o).max()))
    res["swiglu"] = bad / tot
    print("  swiglu    mismatch %6d/%-6d = %7.3f%%  max %d ulp" % (bad, tot, 100 * bad / tot, mu))
    # rms_norm: ggml: sum in ggml_float (double) of x*x, mean = sum/n, scale = 1/sqrtf(mean+eps),
    # y = x*scale; then a separate mul by the weight.
    bad = tot = mu = 0
    eps = np.float32(1e-5)
    for it in range(30):
        n = sizes[it % 3]
        x = (rng.standard_normal(n) * (2 if it < 20 else 1e-3)).astype(np.float32)
        w = rng.standard_normal(n).astype(np.float32)
        sm = 0.0
        for v in (x * x).astype(np.float32).astype(np.float64):  # float squares, double sum
            sm += float(v)
        mean = np.float32(sm / n)
        scale = np.float32(1.0) / np.sqrt(np.float32(mean + eps), dtype=np.float32)
        g = ((x * scale).astype(np.float32) * w).astype(np.float32)
        o = np.zeros(n, np.float32)
        libs.ours.ck_rms_norm(ptr(x), ptr(w), eps, n, ptr(o))
        d = g.view(np.uint32) != o.view(np.uint32)
        bad += int(d.sum()); tot += n; mu = max(mu, int(ulp_diff(g, o).max()))
    res["rms_norm"] = bad / tot
    print("  rms_norm  mismatch %6d/%-6d = %7.3f%%  max %d ulp" % (bad, tot, 100 * bad / tot, mu))
    return res


# ---------------------------------------------------------------- goldens

# ------------------------------------------------------- repacked Q4_K path

QMAT_SYM = "_Z19ggml_quantize_mat_tILl8EL9ggml_type15EEvPKfPvll"  # ggml_quantize_mat_t<8, GGML_TYPE_Q8_K>


def setup_repack(libs):
    o, g = libs.ours, libs.cpu
    o.ck_repack_q4_K_8x8.argtypes = [P, P, C.c_int, C.c_int]
    for f in ("ck_quantize_mat_q8_K_4x8", "ck_quantize_mat_q8_K_4x8_generic"):
        getattr(o, f).argtypes = [P, P, C.c_int64]
    getattr(g, QMAT_SYM).argtypes = [P, P, C.c_int64, C.c_int64]
    g.ggml_quantize_mat_q8_K_4x8_generic.argtypes = [P, P, C.c_int64]
    for lib, pre in ((o, "ck_"), (g, "ggml_")):
        for k in ("gemv", "gemm"):
            for suf in ("", "_generic"):
                getattr(lib, pre + k + "_q4_K_8x8_q8_K" + suf).argtypes = [C.c_int, P, C.c_size_t, P, P, C.c_int, C.c_int]
    o.ck_repack_quantize_act.argtypes = [P, P, C.c_int, C.c_int]
    o.ck_repack_gemm_rows.argtypes = [P, C.c_int, C.c_int, C.c_int, P, C.c_int, C.c_int, P, C.c_size_t]


def repack_ours(libs, w, rows, n):
    out = np.zeros(w.size, np.uint8)
    assert libs.ours.ck_repack_q4_K_8x8(ptr(w), ptr(out), rows, n) == 0
    return out


def ggml_quant_acts(libs, x, tokens, n, generic=False):
    """forward_mul_mat's activation quantization: groups of 4 rows with
    quantize_mat (block_q8_Kx4), leftover rows with quantize_row_q8_K."""
    rb = row_bytes("Q8_K", n)
    a = np.zeros(rb * tokens, np.uint8)
    g4 = tokens - tokens % 4
    for t in range(0, g4, 4):
        if generic:
            libs.cpu.ggml_quantize_mat_q8_K_4x8_generic(ptr(x[t:]), ptr(a[t * rb:]), n)
        else:
            getattr(libs.cpu, QMAT_SYM)(ptr(x[t:]), ptr(a[t * rb:]), 4, n)
    for t in range(g4, tokens):
        a[t * rb:(t + 1) * rb] = libs.g_quant("Q8_K", np.ascontiguousarray(x[t]), generic)
    return a


def ggml_compose(libs, wp, rows, a, tokens, n, generic=False):
    """forward_mul_mat_one_chunk over all rows: gemm for tokens - tokens % 4, gemv for the rest."""
    suf = "_generic" if generic else ""
    y = np.full((tokens, rows), np.nan, np.float32)
    rb = row_bytes("Q8_K", n)
    g4 = tokens - tokens % 4
    if tokens > 3:
        getattr(libs.cpu, "ggml_gemm_q4_K_8x8_q8_K" + suf)(n, ptr(y), rows, ptr(wp), ptr(a), g4, rows)
    for t in range(g4, tokens):
        getattr(libs.cpu, "ggml_gemv_q4_K_8x8_q8_K" + suf)(n, ptr(y[t]), rows, ptr(wp), ptr(a[t * rb:]), 1, rows)
    return y


def ours_compose(libs, wp, rows, x, tokens, n, chunks=(0,)):
    rb = row_bytes("Q8_K", n)
    a = np.zeros(rb * tokens, np.uint8)
    libs.ours.ck_repack_quantize_act(ptr(x), ptr(a), tokens, n)
    y = np.full((tokens, rows), np.nan, np.float32)
    bounds = list(chunks) + [rows]
    for r0, r1 in zip(bounds[:-1], bounds[1:]):
        libs.ours.ck_repack_gemm_rows(ptr(wp), rows, r0, r1, ptr(a), tokens, n, ptr(y), rows)
    return a, y


def compare_repack(libs, rng, n=1024, rows=32):
    setup_repack(libs)
    print("== repacked Q4_K (q4_K_8x8_q8_K): quantize_mat / gemv / gemm / composition")
    res = {}
    w = weight_rows(rng, libs, "Q4_K", n, rows)
    wp = repack_ours(libs, w.reshape(-1), rows, n)
    # repack layout sanity: ggml's gemv on our repacked weights ~ vec_dot on the plain rows
    x = act_inputs(rng, n, "normal")
    a = libs.g_quant("Q8_K", x)
    ys = np.zeros(rows, np.float32)
    libs.cpu.ggml_gemv_q4_K_8x8_q8_K(n, ptr(ys), rows, ptr(wp), ptr(a), 1, rows)
    yd = np.array([libs.g_dot("Q4_K", n, w[r], a) for r in range(rows)], np.float32)
    rel = float(np.max(np.abs(ys - yd)) / (np.max(np.abs(yd)) + 1e-30))
    print("  repack layout: ggml gemv(our repack) vs vec_dot max rel diff %.2e" % rel)
    res["repack_layout"] = 0.0 if rel < 1e-5 else 1.0
    for path, gen in (("avx2", False), ("generic", True)):
        bad = tot = 0
        for kind in ACT_KINDS:
            x4 = np.stack([act_inputs(rng, n, kind) for _ in range(4)])
            q_g = np.zeros(row_bytes("Q8_K", n) * 4, np.uint8)
            q_o = np.zeros_like(q_g)
            if gen:
                libs.cpu.ggml_quantize_mat_q8_K_4x8_generic(ptr(x4), ptr(q_g), n)
                libs.ours.ck_quantize_mat_q8_K_4x8_generic(ptr(x4), ptr(q_o), n)
            else:
                getattr(libs.cpu, QMAT_SYM)(ptr(x4), ptr(q_g), 4, n)
                libs.ours.ck_quantize_mat_q8_K_4x8(ptr(x4), ptr(q_o), n)
            bg, bo = q_g.reshape(-1, 1168), q_o.reshape(-1, 1168)
            tot += bg.shape[0]
            bad += int(np.sum(np.any(bg != bo, axis=1)))
        print("  quantize_mat %-8s %d/%d blocks differ" % (path, bad, tot))
        res["qmat_" + path] = bad / tot
        suf = "_generic" if gen else ""
        for tokens in (1, 4, 8, 16, 20, 36):
            x = np.stack([act_inputs(rng, n, ACT_KINDS[(t + tokens) % len(ACT_KINDS)]) for t in range(tokens)])
            a = ggml_quant_acts(libs, x, tokens, n, gen)
            yg = ggml_compose(libs, wp, rows, a, tokens, n, gen)
            yo = np.full((tokens, rows), np.nan, np.float32)
            rb = row_bytes("Q8_K", n)
            g4 = tokens - tokens % 4
            if tokens > 3:
                getattr(libs.ours, "ck_gemm_q4_K_8x8_q8_K" + suf)(n, ptr(yo), rows, ptr(wp), ptr(a), g4, rows)
            for t in range(g4, tokens):
                getattr(libs.ours, "ck_gemv_q4_K_8x8_q8_K" + suf)(n, ptr(yo[t]), rows, ptr(wp), ptr(a[t * rb:]), 1, rows)
            d = ulp_diff(yg, yo)
            frac = float(np.mean(d != 0))
            print("  gemv/gemm %-8s tokens=%-3d mismatch %.3f%% max ulp %d" % (path, tokens, 100 * frac, int(d.max())))
            res["gemm_%s_t%d" % (path, tokens)] = frac
    # composition (our quantization + our dispatch, chunked) vs ggml's forward_mul_mat composition
    for tokens in (1, 4, 5, 9, 17):
        x = np.stack([act_inputs(rng, n, ACT_KINDS[t % len(ACT_KINDS)]) for t in range(tokens)])
        a_g = ggml_quant_acts(libs, x, tokens, n)
        yg = ggml_compose(libs, wp, rows, a_g, tokens, n)
        a_o, yo = ours_compose(libs, wp, rows, x, tokens, n, chunks=(0, 8, 24))
        qa = bool(np.array_equal(a_g, a_o))
        d = ulp_diff(yg, yo)
        frac = float(np.mean(d != 0))
        print("  composition tokens=%-3d acts equal %s, output mismatch %.3f%%" % (tokens, qa, 100 * frac))
        res["compose_t%d" % tokens] = frac if qa else 1.0
    return res


# ---------------------------------------------------------------- tiled matmul

class GGMLInitParams(C.Structure):
    _fields_ = [("mem_size", C.c_size_t), ("mem_buffer", C.c_void_p), ("no_alloc", C.c_bool)]


def ggml_mul_mat_graph(libs, wt, w, rows, x, tokens, n, threads=2):
    """llama.cpp's own ggml_mul_mat in a ggml graph (CPU backend): weights
    (rows x n, type wt, no repack buffer) times f32 activations (tokens x n).
    For Q4_K/Q5_K/Q6_K and tokens >= 8 ggml takes its tiled path here."""
    b, cpu = libs.base, libs.cpu
    b.ggml_init.argtypes = [GGMLInitParams]
    b.ggml_init.restype = P
    b.ggml_new_tensor_2d.argtypes = [P, C.c_int, C.c_int64, C.c_int64]
    b.ggml_new_tensor_2d.restype = P
    b.ggml_mul_mat.argtypes = [P, P, P]
    b.ggml_mul_mat.restype = P
    b.ggml_new_graph.argtypes = [P]
    b.ggml_new_graph.restype = P
    b.ggml_build_forward_expand.argtypes = [P, P]
    b.ggml_get_data.argtypes = [P]
    b.ggml_get_data.restype = P
    b.ggml_free.argtypes = [P]
    cpu.ggml_graph_compute_with_ctx.argtypes = [P, P, C.c_int]
    mem = 64 * 1024 * 1024 + w.nbytes + x.nbytes * 8
    ctx = b.ggml_init(GGMLInitParams(mem, None, False))
    tw = b.ggml_new_tensor_2d(ctx, T[wt], n, rows)
    tx = b.ggml_new_tensor_2d(ctx, 0, n, tokens)
    C.memmove(b.ggml_get_data(tw), ptr(w), w.nbytes)
    C.memmove(b.ggml_get_data(tx), ptr(x), x.nbytes)
    ty = b.ggml_mul_mat(ctx, tw, tx)
    gf = b.ggml_new_graph(ctx)
    b.ggml_build_forward_expand(gf, ty)
    cpu.ggml_graph_compute_with_ctx(ctx, gf, threads)
    y = np.frombuffer(C.string_at(b.ggml_get_data(ty), rows * tokens * 4), np.float32).reshape(tokens, rows).copy()
    b.ggml_free(ctx)
    return y


def setup_tiled(libs):
    o = libs.ours
    for f in ("ck_tiled_gemm_rows", "ck_tiled_gemm_rows_generic"):
        getattr(o, f).argtypes = [C.c_int, P, C.c_size_t, C.c_int, C.c_int, P, C.c_size_t, C.c_int, C.c_int,
                                  P, C.c_size_t]
    o.ck_tiled_active.argtypes = [C.c_int, C.c_int]


def ours_tiled(libs, wt, w, rows, a, tokens, n, fn="ck_tiled_gemm_rows"):
    y = np.full(rows * tokens, np.nan, np.float32)
    getattr(libs.ours, fn)(T[wt], ptr(w), row_bytes(wt, n), 0, rows, ptr(a), row_bytes("Q8_K", n),
                           tokens, n, ptr(y), rows)
    return y.reshape(tokens, rows)


def quant_acts_q8K(libs, x):
    return np.concatenate([libs.g_quant("Q8_K", x[t]) for t in range(x.shape[0])])


def compare_tiled(libs, rng):
    """ck_gemm_rows (8+ tokens: tiled), ck_tiled_gemm_rows and its scalar
    reference against ggml_mul_mat run by ggml itself (tiled for 8+ tokens);
    below 8 tokens ggml uses vec_dot, and so do we."""
    setup_tiled(libs)
    res = {}
    for wt in ("Q6_K", "Q5_K", "Q4_K"):
        for n, rows, tokens in ((256, 16, 8), (1024, 40, 9), (2048, 33, 17), (512, 300, 24), (768, 24, 4),
                                (1024, 16, 300)):
            w = np.concatenate(weight_rows(rng, libs, wt, n, rows))
            x = np.stack([act_inputs(rng, n, ("normal", "heavy")[t % 2]) for t in range(tokens)]).astype(np.float32)
            yg = ggml_mul_mat_graph(libs, wt, w, rows, x, tokens, n)
            a = quant_acts_q8K(libs, x)
            checks = {"gemm_rows": libs.o_gemm(wt, w, rows, a, tokens, n)}
            if tokens >= 8:
                checks["tiled"] = ours_tiled(libs, wt, w, rows, a, tokens, n)
                checks["tiled_ref"] = ours_tiled(libs, wt, w, rows, a, tokens, n, "ck_tiled_gemm_rows_generic")
            for tag, yo in checks.items():
                bad = int((yo.view(np.uint32) != yg.view(np.uint32)).sum())
                key = "tiled %s %s" % (wt, tag)
                res[key] = max(res.get(key, 0.0), bad / yo.size)
                print("  %-26s n=%4d rows=%3d tokens=%3d mismatches %d/%d max|d| %.3g" % (
                    key, n, rows, tokens, bad, yo.size, float(np.abs(yo - yg).max())))
    return res


def repack_goldens(libs, rng):
    """Fixture for the repacked path: Q4_K rows (16 x 512), activations for
    tokens 1, 4, 5, 9, and ggml's outputs (gemm/gemv composition on x86)."""
    setup_repack(libs)
    n, rows = 512, 16
    w = weight_rows(rng, libs, "Q4_K", n, rows)
    wp = repack_ours(libs, w.reshape(-1), rows, n)
    ent = {"n": n, "rows": rows, "w": w.tobytes().hex(), "cases": []}
    for tokens in (1, 4, 5, 9):
        x = np.stack([act_inputs(rng, n, ("normal", "heavy")[t % 2]) for t in range(tokens)]).astype(np.float32)
        a = ggml_quant_acts(libs, x, tokens, n)
        y = ggml_compose(libs, wp, rows, a, tokens, n)
        ent["cases"].append({"tokens": tokens, "x": hexf(x), "act": a.tobytes().hex(), "out": hexf(y)})
    return ent


def tiled_goldens(libs, rng):
    """Fixture for the tiled path: per type, weight rows (rows x n), and for
    several token counts the f32 activations, ggml's Q8_K activations and
    ggml_mul_mat's output (tiled for tokens >= 8, vec_dot below)."""
    setup_tiled(libs)
    out = []
    for wt, n, rows in (("Q6_K", 512, 24), ("Q5_K", 512, 16), ("Q4_K", 256, 20)):
        w = np.concatenate(weight_rows(rng, libs, wt, n, rows))
        ent = {"type": wt, "n": n, "rows": rows, "w": w.tobytes().hex(), "cases": []}
        for tokens in ((4, 8, 9) if wt == "Q6_K" else (8, 10)):
            x = np.stack([act_inputs(rng, n, ("normal", "heavy")[t % 2]) for t in range(tokens)]).astype(np.float32)
            y = ggml_mul_mat_graph(libs, wt, w, rows, x, tokens, n)
            a = quant_acts_q8K(libs, x)
            ent["cases"].append({"tokens": tokens, "x": hexf(x), "act": a.tobytes().hex(), "out": hexf(y)})
        out.append(ent)
    return out


def hexf(a):
    """float32 array -> hex of its little-endian bytes."""
    return np.asarray(a, np.float32).tobytes().hex()


def write_goldens(libs, path):
    """Small fixture for Tests/KernelsTests/GGMLGoldenTests.swift. Floats are
    stored as hex of their little-endian float32 bytes ("x", "out"), quantized
    blocks as hex bytes, dot results as hex of the float32 bit pattern."""
    rng = np.random.default_rng(20240611)
    out = {"source": "ggml of llama-cpp-python 0.3.36 (libggml-cpu.so, x86 AVX2 build); "
                     "regenerate with python3 scripts/kernel_goldens.py --write-goldens",
           "quantizers": [], "dots": [], "vecops": []}
    for at in ("Q8_0", "Q8_1", "Q8_K"):
        n = 512 if at == "Q8_K" else 256
        for kind in ("normal", "heavy", "ties", "ties_k", "zeros", "huge", "tiny"):
            x = act_inputs(rng, 512, kind)[:n]
            ent = {"type": at, "kind": kind, "n": n, "x": hexf(x)}
            for tag, gen in (("x86", False), ("generic", True)):
                q = libs.g_quant(at, x, gen)
                if at == "Q8_K":  # bsums of all-zero blocks are left unset by ggml: write 0
                    q = q.reshape(-1, 292)
                    z = q[:, :4].copy().view(np.float32).reshape(-1) == 0
                    q[z, 260:] = 0
                    q = q.reshape(-1)
                ent[tag] = q.tobytes().hex()
            out["quantizers"].append(ent)
    for wt in WEIGHTS:
        at = ACT[wt]
        qk, _ = GEOM[wt]
        n = 2 * qk
        w = weight_rows(rng, libs, wt, n, 4)
        acts = []
        for kind in ("normal", "heavy", "ties"):
            x = act_inputs(rng, max(n, 256), kind)[:n]
            ent = {"kind": kind, "x": hexf(x)}
            for tag, gen in (("x86", False), ("generic", True)):
                a = libs.g_quant(at, x, gen)
                ent[tag] = {"act": a.tobytes().hex(),
                            "dots": ["%08x" % int(libs.g_dot(wt, n, w[r], a, gen).view(np.uint32)) for r in range(4)]}
            acts.append(ent)
        out["dots"].append({"type": wt, "act_type": at, "n": n, "rows": [r.tobytes().hex() for r in w],
                            "acts": acts})
    # vector ops (x86 ggml; our scalar paths reproduce the same bits)
    cpu = libs.cpu
    n = 35  # four 8-wide blocks and a scalar tail
    x = (rng.standard_normal(n) * 6).astype(np.float32)
    x[5] = -np.inf
    y = np.zeros(n, np.float32)
    cpu.ggml_vec_soft_max_f32.argtypes = [C.c_int, P, P, C.c_float]
    cpu.ggml_vec_soft_max_f32.restype = C.c_double  # also when --only skips compare_vecops
    sm = cpu.ggml_vec_soft_max_f32(n, ptr(y), ptr(x), C.c_float(x.max()))
    out["vecops"].append({"op": "softmax", "x": hexf(x), "out": hexf(y * np.float32(1.0 / sm))})
    g = (rng.standard_normal(n) * 5).astype(np.float32)
    g[3] = -150.0  # exp overflow branch of ggml_v_expf
    up = rng.standard_normal(n).astype(np.float32)
    y = np.zeros(n, np.float32)
    cpu.ggml_vec_swiglu_f32(n, ptr(y), ptr(g), ptr(up))
    out["vecops"].append({"op": "swiglu", "x": hexf(g), "up": hexf(up), "out": hexf(y)})
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    w = rng.standard_normal(n).astype(np.float32)
    eps = np.float32(1e-6)
    sq = 0.0
    for v in (x * x).astype(np.float32):
        sq += float(v)
    scale = np.float32(1.0) / np.sqrt(np.float32(sq / n) + eps, dtype=np.float32)
    out["vecops"].append({"op": "rms_norm", "eps": float(eps), "x": hexf(x), "w": hexf(w),
                          "out": hexf((x * scale).astype(np.float32) * w)})
    out["repack_q4_K"] = repack_goldens(libs, np.random.default_rng(20240612))
    out["tiled"] = tiled_goldens(libs, np.random.default_rng(20240613))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=0, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ggml-lib", default=DEFAULT_GGML)
    ap.add_argument("--write-goldens", action="store_true")
    ap.add_argument("--only", default="", help="comma list: quant,dot,vec,repack,tiled")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ckgold")
    try:
        ours, cc = build_ours(tmp)
        base, cpu = load_ggml(args.ggml_lib)
        libs = Libs(ours, base, cpu)
        print("ours built with %s, kernel set %s" % (cc, ours.ck_kernel_set().decode()))
        only = set(args.only.split(",")) if args.only else {"quant", "dot", "vec", "repack", "tiled"}
        summary = {}
        if "quant" in only:
            summary.update(compare_quantizers(libs, np.random.default_rng(1)))
        if "dot" in only:
            summary.update(compare_dots(libs, np.random.default_rng(2)))
        if "vec" in only:
            summary.update(compare_vecops(libs, np.random.default_rng(3)))
        if "repack" in only:
            summary.update(compare_repack(libs, np.random.default_rng(4)))
        if "tiled" in only:
            summary.update(compare_tiled(libs, np.random.default_rng(5)))
        if args.write_goldens:
            write_goldens(libs, os.path.join(ROOT, "Tests/Fixtures/kernels/goldens.json"))
        bad = {k: v for k, v in summary.items() if v}
        print("SUMMARY: %d/%d comparisons exact" % (len(summary) - len(bad), len(summary)))
        for k, v in bad.items():
            print("  inexact: %-14s %.3f%%" % (k, 100 * v))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
