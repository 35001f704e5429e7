#!/usr/bin/env python3
"""The official hub client against an Aqyl test hub (or any hub): downloads files with
`huggingface_hub.hf_hub_download` and reads the model info with `HfApi.model_info`, then
prints one JSON object (the test compares it with what `aqyl models pull` got).

    HF_ENDPOINT=http://127.0.0.1:PORT HF_HUB_CACHE=DIR \\
        python3 scripts/hub_client_check.py --repo org/name --file model.gguf [--file ...]
"""

import argparse
import hashlib
import json
import os

from huggingface_hub import HfApi, hf_hub_download
import huggingface_hub


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repo", required=True)
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--token", default=None)
    args = p.parse_args()
    info = HfApi().model_info(args.repo, files_metadata=True, token=args.token)
    out = {
        "version": huggingface_hub.__version__,
        "endpoint": os.environ.get("HF_ENDPOINT"),
        "sha": info.sha,
        "siblings": {s.rfilename: {"size": s.size, "sha256": s.lfs.sha256 if s.lfs else None} for s in info.siblings},
        "files": {},
    }
    for name in args.file:
        path = hf_hub_download(args.repo, name, token=args.token)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        out["files"][name] = {"path": path, "real": os.path.realpath(path), "sha256": digest, "size": os.path.getsize(path)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
