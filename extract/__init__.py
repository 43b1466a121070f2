"""Bytes -> text -> cells.  Pure functions over plain data: no Prefect, no GX."""
