"""Pages of the catalog app (thin: parse, call a service or selector, render)."""
