#!/usr/bin/env python3
"""Golden chrF / chrF++ scores from sacrebleu for Tests/EvaluationTests/MetricsChrFTests.swift.

Usage:  pip install sacrebleu   (2.x)
        python3 scripts/make_chrf_fixtures.py
Writes Tests/Fixtures/eval/chrf.json.

Each case has a hypothesis and one or more references; sentence-level chrF (CHRF()) and
chrF++ (CHRF(word_order=2)) are stored per case, and corpus-level scores over all cases.
Cases with several references exercise "best reference per sentence"; for the corpus call
the references are transposed into sacrebleu's stream layout and padded with None where a
sentence has fewer references.
"""
import json
import os
import sys

import sacrebleu
from sacrebleu.metrics import CHRF

CASES = [
    # (name, hypothesis, [references])
    ("kk_identical", "Қазақстанның астанасы — Астана.", ["Қазақстанның астанасы — Астана."]),
    ("kk_paraphrase", "Алматы Қазақстандағы ең үлкен қала.", ["Алматы — Қазақстанның ең ірі қаласы."]),
    ("kk_word_order", "Мен кітапты кеше оқыдым.", ["Кеше мен кітапты оқыдым."]),
    ("kk_partial", "Абай ақын болған.", ["Абай Құнанбайұлы — ұлы қазақ ақыны және ойшыл."]),
    ("kk_case_diff", "НАУРЫЗ 22 НАУРЫЗДА ТОЙЛАНАДЫ", ["Наурыз 22 наурызда тойланады."]),
    ("kk_special_letters", "Әңгіме өте қызық болды, үйге ұзақ жүрдік.", ["Әңгіме өте қызықты болды, үйге ұзақ жүрдік."]),
    ("kk_multi_ref", "Бүгін ауа райы жақсы.", ["Бүгін күн ашық.", "Бүгін ауа райы жақсы екен.", "Ауа райы бүгін тамаша."]),
    ("kk_multi_ref_tie", "сәлем", ["сәлем", "сәлем"]),
    ("ru_identical", "Столица Казахстана — Астана.", ["Столица Казахстана — Астана."]),
    ("ru_paraphrase", "Я вчера прочитал эту книгу.", ["Вчера я прочла эту книгу."]),
    ("ru_vs_kk", "Добрый день!", ["Қайырлы күн!"]),
    ("en_simple", "The cat sat on the mat.", ["The cat is sitting on the mat."]),
    ("en_multi_ref", "It is raining today.", ["Today it rains.", "It's raining today."]),
    ("en_no_overlap", "xyz", ["abc def"]),
    ("punct_heavy", "Иә!!! «Жоқ», — деді ол... (мүмкін?)", ["Иә! «Жоқ» — деді ол (мүмкін)."]),
    ("punct_edges", "(hi) 'quoted' end. ,start", ["(hi) quoted end , start"]),
    ("punct_only", "?!.", [".,!"]),
    ("empty_hyp", "", ["Бұл сөйлем бос емес."]),
    ("empty_ref", "Бір нәрсе", [""]),
    ("single_char", "а", ["а"]),
    ("short_hyp", "Ас", ["Астана"]),
    ("whitespace_mix", "  Көк\tаспан \n астында  ", ["Көк аспан астында"]),
    ("numbers", "1991 жылы 16 желтоқсанда", ["1991 жылғы 16 желтоқсан"]),
    ("repeated", "қала қала қала қала", ["қала"]),
    ("long_kk", "Каспий теңізі — жер шарындағы ең үлкен тұйық су айдыны, ол Қазақстанның батысында орналасқан.",
     ["Каспий теңізі жер бетіндегі ең ірі тұйық су қоймасы болып табылады және Қазақстанның батысында жатыр."]),
    ("nfd_vs_nfc", "й", ["и\u0306"]),
    ("mixed_script", "Python бағдарламалау тілі", ["Python — бағдарламалау тілі"]),
]


def main() -> None:
    chrf = CHRF()
    chrfpp = CHRF(word_order=2)
    cases = []
    for name, hyp, refs in CASES:
        cases.append({
            "name": name,
            "hypothesis": hyp,
            "references": refs,
            "chrf": chrf.sentence_score(hyp, refs).score,
            "chrf_pp": chrfpp.sentence_score(hyp, refs).score,
        })

    hyps = [c[1] for c in CASES]
    max_refs = max(len(c[2]) for c in CASES)
    # sacrebleu wants one stream per reference slot: streams[k][i] = k-th reference of sentence i.
    streams = [[c[2][k] if k < len(c[2]) else None for c in CASES] for k in range(max_refs)]
    corpus_chrf = CHRF()
    corpus_chrfpp = CHRF(word_order=2)
    out = {
        "generator": "scripts/make_chrf_fixtures.py",
        "sacrebleu_version": sacrebleu.__version__,
        "python_version": sys.version.split()[0],
        "corpus": {
            "chrf": corpus_chrf.corpus_score(hyps, streams).score,
            "chrf_pp": corpus_chrfpp.corpus_score(hyps, streams).score,
            "chrf_signature": str(corpus_chrf.get_signature()),
            "chrf_pp_signature": str(corpus_chrfpp.get_signature()),
        },
        "sentence_signatures": {
            "chrf": str(chrf.get_signature()),
            "chrf_pp": str(chrfpp.get_signature()),
        },
        "cases": cases,
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "Fixtures", "eval", "chrf.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases, corpus chrF {out['corpus']['chrf']:.4f}, "
          f"chrF++ {out['corpus']['chrf_pp']:.4f}")


if __name__ == "__main__":
    main()
