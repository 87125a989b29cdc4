"""The benchmark harness behind `shangyou bench`: a deterministic data generator at scale
(`generate`, a registry of per-table generators loading through COPY / executemany), and timed
scenarios through the real views and API (`scenarios`, `runner`), with results recorded as JSON
and tabled in docs/benchmarks.md (`report`)."""
