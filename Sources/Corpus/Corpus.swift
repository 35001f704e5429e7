// Kazakh text tools. See docs/corpus.md.
