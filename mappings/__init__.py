"""Built-in mapping specs (data package)."""
