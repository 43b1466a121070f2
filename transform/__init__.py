"""Raw cells -> the canonical tidy frames of schema.md, one batch at a time."""
