#!/usr/bin/env python3
"""Dumps llama.cpp's intermediate tensors for one prompt (llama-cpp-python).

    python3 scripts/llama_tensor_dump.py MODEL.gguf OUTDIR '[504,3575,282,4649]' [REGEX]

Runs the prompt the way the parity probe does (Llama(n_ctx=512, n_threads=2,
logits_all=True), one llm.eval) with an eval callback that copies every graph
node whose name matches REGEX (default: everything) to OUTDIR/NNNN_name.npy as
float32 in ggml's logical order (numpy shape = reversed ne), plus
OUTDIR/index.txt (sequence, name, op, type, ne) and OUTDIR/logits.npy
(all positions).
"""
import ctypes, os, re, sys, json
import numpy as np
import llama_cpp
import llama_cpp.llama_cpp as C

GGML_TYPE_F32, GGML_TYPE_F16 = 0, 1


class Tensor(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("buffer", ctypes.c_void_p),
                ("ne", ctypes.c_int64 * 4), ("nb", ctypes.c_size_t * 4),
                ("op", ctypes.c_int), ("op_params", ctypes.c_int32 * 16),
                ("flags", ctypes.c_int32), ("src", ctypes.c_void_p * 10),
                ("view_src", ctypes.c_void_p), ("view_offs", ctypes.c_size_t),
                ("data", ctypes.c_void_p), ("name", ctypes.c_char * 64)]


libdir = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
base = ctypes.CDLL(os.path.join(libdir, "libggml-base.so"))
base.ggml_nbytes.restype = ctypes.c_size_t
base.ggml_nbytes.argtypes = [ctypes.c_void_p]
base.ggml_backend_tensor_get.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
base.ggml_op_desc.restype = ctypes.c_char_p
base.ggml_op_desc.argtypes = [ctypes.c_void_p]


def main():
    path, out, prompt = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    pattern = re.compile(sys.argv[4] if len(sys.argv) > 4 else ".*")
    os.makedirs(out, exist_ok=True)
    index = []
    seq = [0]

    def cb(t, ask, _ud):
        tt = ctypes.cast(t, ctypes.POINTER(Tensor)).contents
        name = tt.name.decode()
        if ask:
            return bool(pattern.search(name))
        if tt.type not in (GGML_TYPE_F32, GGML_TYPE_F16):
            return True
        # Read the bytes the view spans, then walk its strides.
        ne = list(tt.ne); nb = list(tt.nb)
        esz = 4 if tt.type == GGML_TYPE_F32 else 2
        span = sum((ne[i] - 1) * nb[i] for i in range(4)) + esz
        buf = (ctypes.c_uint8 * span)()
        base.ggml_backend_tensor_get(t, buf, 0, span)
        raw = np.frombuffer(buf, dtype=np.uint8)
        dt = np.float32 if tt.type == GGML_TYPE_F32 else np.float16
        arr = np.lib.stride_tricks.as_strided(raw.view(dt) if span % esz == 0 else raw[: span - span % esz].view(dt),
                                              shape=tuple(reversed(ne)), strides=tuple(reversed(nb)))
        arr = np.ascontiguousarray(arr).astype(np.float32)
        fn = f"{seq[0]:04d}_{name}.npy"
        np.save(os.path.join(out, fn), arr)
        index.append(f"{seq[0]:04d} {name} {base.ggml_op_desc(t).decode()} {tt.type} {ne}")
        seq[0] += 1
        return True

    cfun = C.ggml_backend_sched_eval_callback(cb)
    real_init = C.llama_init_from_model

    def patched(model, params):
        params.cb_eval = cfun
        params.cb_eval_user_data = None
        return real_init(model, params)

    C.llama_init_from_model = patched
    llm = llama_cpp.Llama(model_path=path, n_ctx=512, n_threads=2, logits_all=True, verbose=False, seed=0)
    llm.reset(); llm.eval(prompt)
    np.save(os.path.join(out, "logits.npy"), np.array(llm.scores[: len(prompt)], dtype=np.float32))
    with open(os.path.join(out, "index.txt"), "w") as f:
        f.write("\n".join(index) + "\n")
    print("dumped", len(index), "tensors to", out)


if __name__ == "__main__":
    main()
