"""Pages of the analytics app (thin: parse, call a service or selector, render)."""
