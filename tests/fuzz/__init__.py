"""Seeded, deterministic fuzzing of everything that reads untrusted input.

- `seeds`: real-looking inputs per target (the example dataset, small records written for the project,
  the shared samples when present).
- `mutate`: a small seeded mutator (bit flips, truncation, splicing, repetition, a dictionary of nasty
  tokens: NUL, surrogates, huge numbers, deep nesting, invalid IRIs, BOMs, CRLF, quotes, entities).
- `loader_fuzz`: each input through `algokg load` (CliRunner in-process, a few subprocesses), outcome tallied.
- `server_fuzz`: SPARQL queries on `/sparql`, updates on `/update`, bodies on `POST /api/validate` of a real server.
- `run`: `make fuzz`, the same targets with many more inputs and a summary table.
"""
