"""What extraction has to say about a table, as structured values.

The table readers (extract/tables.py, extract/grid.py) and the template
detection (extract/report.py) record a ``Note`` where a row could not be
stored as printed.  transform/frames.py uses them twice: ``str(note)`` is the
human text joined into ``reports.notes`` (``requests.granted: 5 cells for 7
columns``), and a note naming a row gives the reason of that row's unplaced
cells (``cell_error`` / ``cell_error_code``), looked up by ``note.name``.
"""
from __future__ import annotations

from dataclasses import dataclass

# The note codes (docs/contract.md): a small stable vocabulary.
NOT_PLACED = "not_placed"            # a row's figures could not be put in its columns without doubt
PRINTED_TWICE = "printed_twice"      # a row (or cell) printed twice with different figures
COLUMNS_NOT_FOUND = "columns_not_found"  # table 4: no figure found for some outcome columns
UNKNOWN_LABEL = "unknown_label"      # a row of figures whose label names no row of the template
NO_FIGURES = "no_figures"            # table 4 named, but no row of figures found
AMBIGUOUS_ROWS = "ambiguous_rows"    # table 4: rows of figures that cannot be told apart
BOTH_TEMPLATES = "both_templates"    # labels of both templates: no template recognised
MIXED_TEMPLATE = "mixed_template"    # table 2 of one template, table-3 rows of the other
NAMED_BY_NUMBER = "named_by_number"  # a table-3 row whose words name none, taken by its number in its group
FONT_MISSING = "font_missing"        # a PDF's font is neither embedded nor installed: characters may be lost

NOTE_CODES = (NOT_PLACED, PRINTED_TWICE, COLUMNS_NOT_FOUND, UNKNOWN_LABEL, NO_FIGURES, AMBIGUOUS_ROWS,
              BOTH_TEMPLATES, MIXED_TEMPLATE, NAMED_BY_NUMBER, FONT_MISSING)


@dataclass(frozen=True, slots=True)
class Note:
    """One thing extraction noted.

    table: ``requests``, ``review_litigation``, ``active_disclosure``,
    ``template`` or ``document`` (the file as a whole); key: the row it is about (a table-3 row key, a table-4
    proceeding, an (article, item) pair of table 2), None for the table as
    a whole; code: one of NOTE_CODES; message: the detail, for people."""
    table: str
    key: str | tuple[str, str] | None
    code: str
    message: str

    @property
    def name(self) -> str:
        """'requests.granted', 'active_disclosure.art20_1.regulations', or the table alone."""
        if self.key is None:
            return self.table
        if isinstance(self.key, str):
            return f"{self.table}.{self.key}"
        return ".".join((self.table, *self.key))

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"
