"""Raw cells -> the canonical tidy frames of docs/contract.md (declared in transform/schema.py), one batch at a time."""
