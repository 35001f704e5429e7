// Evaluation: see docs/eval.md.
