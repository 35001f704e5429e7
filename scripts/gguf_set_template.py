#!/usr/bin/env python3
"""Copies a GGUF file with its `tokenizer.chat_template` replaced.

    python3 scripts/gguf_set_template.py IN.gguf OUT.gguf TEMPLATE_FILE

Why: to check that `aqyl` refuses a hostile chat template (a template is code the
model file brings along), we need the same weights under another template. Only the
header is rewritten; the tensor data section is streamed across byte for byte, so
a 100+ MB model costs one sequential copy and little memory. Tensor offsets in a
GGUF are relative to the data section, so they stay valid wherever it starts.

Layout (GGUF v2/v3, little-endian): magic `GGUF`, u32 version, u64 tensor count,
u64 key/value count, the key/value pairs, the tensor infos, zero padding to
`general.alignment` (default 32), the data section. Standard library only; also
imported by scripts/security_check.
"""
import os
import shutil
import struct
import sys
from dataclasses import dataclass, field

MAGIC = b"GGUF"
TEMPLATE_KEY = "tokenizer.chat_template"
DEFAULT_ALIGNMENT = 32
COPY_CHUNK = 1 << 20

# Value type -> struct format of the fixed-size types.
FIXED = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING, ARRAY = 8, 9


class GGUFError(ValueError):
    """The file is not a GGUF this tool understands (or is damaged)."""


@dataclass
class KeyValue:
    key: str
    vtype: int
    value: object
    raw: bytes  # the pair exactly as stored (key, type and value), copied back unchanged


@dataclass
class TensorInfo:
    name: str
    dims: list
    ggml_type: int
    offset: int


@dataclass
class Header:
    version: int
    kvs: list = field(default_factory=list)
    tensors: list = field(default_factory=list)
    tensors_raw: bytes = b""
    alignment: int = DEFAULT_ALIGNMENT
    data_offset: int = 0  # where the data section starts in the file

    def get(self, key, default=None):
        """The value of metadata `key` (arrays as (element type, list))."""
        for kv in self.kvs:
            if kv.key == key:
                return kv.value
        return default


class Reader:
    """Reads little-endian fields with bounds checks, recording the bytes it read.

    Lengths come from the file, so each is checked against what is left of it:
    a damaged length must give an error, not a 2**63-byte allocation.
    """

    def __init__(self, f, size):
        self.f, self.size, self.record = f, size, None

    def bytes(self, n):
        if n < 0 or n > self.size - self.f.tell():
            raise GGUFError(f"length {n} at offset {self.f.tell()} runs past the end of the file")
        data = self.f.read(n)
        if len(data) != n:
            raise GGUFError("unexpected end of file")
        if self.record is not None:
            self.record += data
        return data

    def fixed(self, fmt):
        return struct.unpack("<" + fmt, self.bytes(struct.calcsize(fmt)))[0]

    def string(self):
        return self.bytes(self.fixed("Q")).decode("utf-8", errors="surrogateescape")

    def value(self, vtype):
        if vtype in FIXED:
            return self.fixed(FIXED[vtype])
        if vtype == STRING:
            return self.string()
        if vtype == ARRAY:
            elem, count = self.fixed("I"), self.fixed("Q")
            if elem in FIXED:  # one read for the whole array: token type arrays are long
                fmt = FIXED[elem]
                data = self.bytes(count * struct.calcsize(fmt))
                return elem, list(struct.unpack(f"<{count}{fmt}", data))
            return elem, [self.value(elem) for _ in range(count)]
        raise GGUFError(f"unknown value type {vtype} at offset {self.f.tell()}")


def read_header(f):
    """Parses everything before the data section of the open file `f`."""
    size = os.fstat(f.fileno()).st_size
    r = Reader(f, size)
    if r.bytes(4) != MAGIC:
        raise GGUFError("not a GGUF file (bad magic)")
    version = r.fixed("I")
    if version not in (2, 3):
        raise GGUFError(f"GGUF version {version} is not supported (2 or 3; a big-endian file reads as a huge number)")
    n_tensors, n_kv = r.fixed("Q"), r.fixed("Q")
    # Each pair takes at least 12 bytes and each tensor info at least 24: a bound before any loop.
    if n_kv * 12 + n_tensors * 24 > size:
        raise GGUFError(f"{n_kv} key/value pairs and {n_tensors} tensors cannot fit in {size} bytes")
    header = Header(version=version)
    for _ in range(n_kv):
        r.record = bytearray()
        key = r.string()
        vtype = r.fixed("I")
        value = r.value(vtype)
        header.kvs.append(KeyValue(key, vtype, value, bytes(r.record)))
    r.record = bytearray()
    for _ in range(n_tensors):
        name = r.string()
        n_dims = r.fixed("I")
        if n_dims > 8:
            raise GGUFError(f"tensor {name!r} has {n_dims} dimensions")
        dims = [r.fixed("Q") for _ in range(n_dims)]
        header.tensors.append(TensorInfo(name, dims, r.fixed("I"), r.fixed("Q")))
    header.tensors_raw = bytes(r.record)
    r.record = None
    alignment = header.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0 or alignment & (alignment - 1):
        raise GGUFError(f"general.alignment {alignment!r} is not a power of two")
    header.alignment = alignment
    header.data_offset = align(f.tell(), alignment)
    if header.data_offset > size:
        raise GGUFError("the file ends before its data section")
    return header


def align(offset, alignment):
    return (offset + alignment - 1) // alignment * alignment


def encode_string(s):
    data = s.encode("utf-8", errors="surrogateescape")
    return struct.pack("<Q", len(data)) + data


def encode_kv(key, vtype, value):
    """One key/value pair as stored. Enough for strings, fixed types and arrays of them."""
    out = encode_string(key) + struct.pack("<I", vtype)
    if vtype in FIXED:
        return out + struct.pack("<" + FIXED[vtype], value)
    if vtype == STRING:
        return out + encode_string(value)
    if vtype == ARRAY:
        elem, items = value
        out += struct.pack("<IQ", elem, len(items))
        for item in items:
            out += encode_string(item) if elem == STRING else struct.pack("<" + FIXED[elem], item)
        return out
    raise GGUFError(f"cannot encode value type {vtype}")


def encode_tensor_info(t):
    """One tensor info as stored (used to build test files)."""
    return (encode_string(t.name) + struct.pack("<I", len(t.dims))
            + b"".join(struct.pack("<Q", d) for d in t.dims) + struct.pack("<IQ", t.ggml_type, t.offset))


def header_bytes(version, kv_raws, n_tensors, tensors_raw, alignment):
    """The bytes before the data section, padded with zeros to `alignment`."""
    head = MAGIC + struct.pack("<IQQ", version, n_tensors, len(kv_raws)) + b"".join(kv_raws) + tensors_raw
    return head + b"\0" * (align(len(head), alignment) - len(head))


def set_template(src, dst, template):
    """Writes `dst`: `src` with `tokenizer.chat_template` = `template` (added if absent)."""
    if os.path.exists(dst) and os.path.samefile(src, dst):
        raise GGUFError("the output would overwrite the input")
    with open(src, "rb") as f:
        header = read_header(f)
        new_kv = encode_kv(TEMPLATE_KEY, STRING, template)
        raws = [new_kv if kv.key == TEMPLATE_KEY else kv.raw for kv in header.kvs]
        if all(kv.key != TEMPLATE_KEY for kv in header.kvs):
            raws.append(new_kv)
        head = header_bytes(header.version, raws, len(header.tensors), header.tensors_raw, header.alignment)
        f.seek(header.data_offset)
        try:
            with open(dst, "wb") as out:
                out.write(head)
                shutil.copyfileobj(f, out, COPY_CHUNK)
        except BaseException:
            if os.path.exists(dst):
                os.unlink(dst)
            raise


def main(argv):
    if len(argv) != 4:
        print("usage: gguf_set_template.py IN.gguf OUT.gguf TEMPLATE_FILE", file=sys.stderr)
        return 2
    src, dst, template_file = argv[1:]
    try:
        with open(template_file, encoding="utf-8") as t:
            template = t.read()
        set_template(src, dst, template)
    except (OSError, GGUFError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
