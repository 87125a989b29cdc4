"""Pages of the sales app (thin: parse, call a service or selector, render)."""
