"""Pages of the purchasing app."""
