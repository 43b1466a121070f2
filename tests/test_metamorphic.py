"""Metamorphic property: one report's truth, rendered in every layout,
encoding, line ending and noise style that `xxgk synth` knows, reads the
same: every cell's value (and, when null, the same reason), and the same
status, template, year and agency.  A layout that reads a cell differently
from the others has a gap the others do not."""
import os
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expectations.validate import Validator, statuses
from extract.files import ParsedReport, read_document
from extract.report import extract_document
from synth.model import make_truth
from synth.render import LAYOUTS, render_report
from synth.writer import ENCODINGS, encode, line_endings
from transform.frames import build_frames


@pytest.fixture(scope="module")
def validator():
    return Validator()


def _read(validator, raw: bytes) -> tuple[dict, tuple]:
    document = read_document(raw)
    parsed = ParsedReport("r", "x", len(raw), 0, document.encoding, None, extract_document(document))
    frames = build_frames([parsed])
    status = statuses(frames["reports"], validator.validate(frames)).iloc[0]
    cells = {}
    for dataset, keys in (("requests", ("row", "applicant")), ("review_litigation", ("proceeding", "outcome")),
                          ("active_disclosure", ("article", "item", "metric"))):
        f = frames[dataset]
        for *key, value, error in zip(*(f[k] for k in keys), f["value"], f["cell_error"]):
            cells[(dataset, *map(str, key))] = (None if pd.isna(value) else float(value),
                                                None if pd.isna(error) else error.split(":")[0])
    e = parsed.extraction
    return cells, (status, e.template, e.year, e.agency)


# In CI the examples are fixed (a submission must not pass or fail by the
# draw); elsewhere each run draws new ones, to keep finding gaps.
@settings(max_examples=12, deadline=None, derandomize=os.environ.get("CI") == "true",
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), error_rate=st.sampled_from([0.0, 0.5]))
def test_one_truth_reads_the_same_in_every_variant(validator, seed, error_rate):
    truth = make_truth(random.Random(seed), error_rate=error_rate)
    readings = {}
    for i, layout in enumerate(LAYOUTS):
        # each variant gets its own noise style (digits, separators, blank markers, brackets)
        text = render_report(truth, layout, random.Random(seed + i))
        encoding = ENCODINGS[(seed + i) % len(ENCODINGS)]
        ending = ("lf", "crlf", "cr")[(seed + i) % 3] if layout != "html" else "lf"
        readings[(layout, encoding, ending)] = _read(validator, encode(line_endings(text, ending), encoding))
    (first_variant, (first_cells, first_meta)), *others = readings.items()
    assert first_meta[1:] == (truth.template, truth.year, truth.agency)
    # A row printed short on purpose (a converter lost cells) is unknowable
    # where the layout keeps no positions, and placed by position where it
    # does (space-aligned text): its cells are the one legitimate difference.
    lost = ("requests", truth.ragged_row)
    for variant, (cells, meta) in others:
        assert meta == first_meta, (variant, first_variant)
        differing = {k: (cells.get(k), v) for k, v in first_cells.items()
                     if cells.get(k) != v and k[:2] != lost}
        assert differing == {}, (variant, first_variant)
