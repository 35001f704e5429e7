#!/usr/bin/env python3
"""Validate the Kazakh smoke suite in data/eval/smoke/ (stdlib only).

Checks: valid UTF-8 JSON lines, exact key sets and types, expected item counts, unique ids
with the right prefix and numbering, answer index in range, correct answers spread evenly over
positions, 8 reading-comprehension passages, short choices and answers, no empty or
untrimmed strings, NFC text, no Latin letters inside Cyrillic words (a common copy-paste
error), and 3–6 sentences per perplexity paragraph.

Usage: python3 scripts/check_smoke_suite.py [DIR]   (exit status 1 on any problem)
"""
import collections
import json
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBJECTS = {"geography", "history", "language", "science", "math", "everyday", "culture"}
TR_PREFIXES = ("Аударыңыз (орысшадан қазақшаға): ", "Аударыңыз (ағылшыншадан қазақшаға): ")

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def check_text(where, s):
    if not isinstance(s, str) or not s.strip():
        err(where, "empty or not a string")
        return
    if s != s.strip():
        err(where, "leading/trailing whitespace")
    if unicodedata.normalize("NFC", s) != s:
        err(where, "not NFC")
    for word in re.findall(r"\w+", s):
        has_cyr = any("CYRILLIC" in unicodedata.name(c, "") for c in word)
        has_lat = any("LATIN" in unicodedata.name(c, "") for c in word)
        if has_cyr and has_lat:
            err(where, f"mixed Latin/Cyrillic word {word!r}")


def load(directory, name, prefix, count, keys, optional=()):
    path = os.path.join(directory, name)
    rows = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(name, f"not UTF-8: {e}")
        return rows
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            err(f"{name}:{n}", "blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            err(f"{name}:{n}", f"bad JSON: {e}")
            continue
        if not isinstance(obj, dict):
            err(f"{name}:{n}", "not an object")
            continue
        missing = set(keys) - obj.keys()
        extra = obj.keys() - set(keys) - set(optional)
        if missing or extra:
            err(f"{name}:{n}", f"missing {sorted(missing)} extra {sorted(extra)}")
        rows.append(obj)
    if len(rows) != count:
        err(name, f"{len(rows)} items, expected {count}")
    ids = [r.get("id") for r in rows]
    dup = [i for i, c in collections.Counter(ids).items() if c > 1]
    if dup:
        err(name, f"duplicate ids {dup}")
    for n, i in enumerate(ids, 1):
        if i != f"{prefix}{n:03d}":
            err(name, f"id {i!r} at line {n}, expected {prefix}{n:03d}")
    return rows


def check_mc(rows):
    positions = collections.Counter()
    passages = 0
    for r in rows:
        w = r.get("id")
        check_text(f"{w}.question", r.get("question"))
        if "passage" in r:
            passages += 1
            check_text(f"{w}.passage", r["passage"])
            sentences = len(re.findall(r"[.!?…](\s|$)", r["passage"]))
            if not 2 <= sentences <= 4:
                err(w, f"passage has {sentences} sentences, expected 2–4")
        choices = r.get("choices")
        if not isinstance(choices, list) or len(choices) != 4:
            err(w, "choices must be a list of 4")
            continue
        for k, c in enumerate(choices):
            check_text(f"{w}.choices[{k}]", c)
            if isinstance(c, str) and not 1 <= len(c.split()) <= 6:
                err(w, f"choice {c!r} is not 1–6 words")
        if len({c.casefold() for c in choices if isinstance(c, str)}) != 4:
            err(w, "duplicate choices")
        a = r.get("answer")
        if not isinstance(a, int) or isinstance(a, bool) or not 0 <= a < len(choices):
            err(w, f"answer {a!r} out of range")
        else:
            positions[a] += 1
        if r.get("subject") not in SUBJECTS:
            err(w, f"subject {r.get('subject')!r}")
    if passages != 8:
        err("kk_mc.jsonl", f"{passages} passage items, expected 8")
    counts = [positions[p] for p in range(4)]
    if max(counts) - min(counts) > 1:
        err("kk_mc.jsonl", f"answer positions unbalanced: {counts}")
    subjects = collections.Counter(r.get("subject") for r in rows)
    return counts, subjects


def check_answers(w, answers, max_words):
    if not isinstance(answers, list) or not answers:
        err(w, "answers must be a non-empty list")
        return
    for k, a in enumerate(answers):
        check_text(f"{w}.answers[{k}]", a)
        if max_words and isinstance(a, str) and not 1 <= len(a.split()) <= max_words:
            err(w, f"answer {a!r} is not 1–{max_words} words")
    if len(set(answers)) != len(answers):
        err(w, "duplicate answers")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data", "eval", "smoke")
    mc = load(directory, "kk_mc.jsonl", "kk-mc-", 36,
              ["id", "question", "choices", "answer", "subject"], optional=["passage"])
    counts, subjects = check_mc(mc)

    for r in load(directory, "kk_qa_gen.jsonl", "kk-gen-", 30, ["id", "question", "answers"]):
        check_text(f"{r.get('id')}.question", r.get("question"))
        check_answers(r.get("id"), r.get("answers"), 3)

    tr = load(directory, "kk_translate_gen.jsonl", "kk-tr-", 30, ["id", "question", "answers", "metric"])
    directions = collections.Counter()
    for r in tr:
        w = r.get("id")
        q = r.get("question", "")
        check_text(f"{w}.question", q)
        prefix = next((p for p in TR_PREFIXES if isinstance(q, str) and q.startswith(p)), None)
        if prefix is None or not q[len(prefix):].strip():
            err(w, "question must start with a translation instruction followed by a source sentence")
        else:
            directions[prefix.split("(")[1].split(")")[0]] += 1
        check_answers(w, r.get("answers"), 0)
        if r.get("metric") != "chrf":
            err(w, "metric must be 'chrf'")

    for r in load(directory, "kk_ppl.jsonl", "kk-ppl-", 24, ["id", "text"]):
        w = r.get("id")
        check_text(f"{w}.text", r.get("text"))
        sentences = len(re.findall(r"[.!?…](\s|$)", r.get("text", "")))
        if not 3 <= sentences <= 6:
            err(w, f"{sentences} sentences, expected 3–6")

    if errors:
        print("\n".join(errors))
        print(f"FAILED: {len(errors)} problem(s)")
        sys.exit(1)
    print(f"OK: kk_mc 36 (answer positions {counts}, subjects {dict(sorted(subjects.items()))}), "
          f"kk_qa_gen 30, kk_translate_gen 30 ({dict(directions)}), kk_ppl 24")


if __name__ == "__main__":
    main()
