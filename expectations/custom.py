"""Custom expectations for invariants no built-in expectation can say on pandas.

``ExpectColumnSumsToBalance``: for every row, the sum of the ``left`` columns
equals the sum of the ``right`` columns -- the 勾稽关系 of table 3
(「第一项加第二项之和，等于第三项加第四项之和」) and every "total equals the sum
of its parts" rule.  GX's ExpectMulticolumnSumToEqual compares a row sum with a
constant, so it cannot say A+B = C+D without rewriting the data.

Importing this module registers the expectation with GX, so suites stored as
JSON can name it by its snake_case type.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)


class MulticolumnSumsBalance(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.sums_balance"
    condition_domain_keys = (
        "batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if",
    )
    condition_value_keys = ("left", "right")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, left, right, **kwargs):
        # Exact integer arithmetic where the columns are integers; a missing
        # cell makes the row unbalanced unless ignore_row_if skipped it.
        lhs = column_list[list(left)].sum(axis=1, skipna=False, min_count=1)
        rhs = column_list[list(right)].sum(axis=1, skipna=False, min_count=1)
        return (lhs == rhs).fillna(False).astype(bool)


class ExpectColumnSumsToBalance(MulticolumnMapExpectation):
    """Expect, row by row, sum(left columns) == sum(right columns)."""

    left: list[str] = pydantic.Field(description="Columns added on the left-hand side")
    right: list[str] = pydantic.Field(description="Columns added on the right-hand side")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"

    map_metric: ClassVar[str] = "multicolumn_values.sums_balance"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "left", "right")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "left", "right")
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["xxgk"], "contributors": ["xxgk"]}
