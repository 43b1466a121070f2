"""The Great Expectations suites (suites/*.json) and the glue that runs them."""
