"""Built-in filing templates (data package)."""
