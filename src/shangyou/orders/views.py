"""Pages of the orders app (thin: parse, call a service or selector, render)."""
