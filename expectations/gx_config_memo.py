"""Each GX expectation builds its ``configuration`` once while a batch is
validated, not on every read.

In GX 1.24 ``Expectation.configuration`` is a property that rebuilds an
``ExpectationConfiguration`` from the pydantic model (``self.dict()``, then
a new object) every time it is read, and validating one expectation reads
it ~140 times (once per keyword in ``_get_domain_kwargs``, again in
``_get_success_kwargs``, ...).  That was 0.2-0.45 s of every batch's
validation, whatever the batch's size: about half of GX's fixed cost per
batch.  Inside ``memoised_configurations()`` the property returns the
configuration the object built on its first read.

Why this is safe: GX does not change an expectation object while it
validates (it deep-copies a configuration before adding to it, then builds a
new expectation object from the copy), and the memo holds every object it
answered for, so no other object can take its id while the memo lives.  The
memo is emptied when the last validation running in the process ends.
``tests/test_expectations.py`` checks that validations are the same with
and without it.
"""
from __future__ import annotations

import contextlib
import threading

_lock = threading.Lock()
_active = 0
_memo: dict[int, tuple[object, object]] = {}
_original = None


def _memoised_configuration(self):
    hit = _memo.get(id(self))
    if hit is None:
        hit = _memo[id(self)] = (self, _original.fget(self))
    return hit[1]


@contextlib.contextmanager
def memoised_configurations():
    """Validations run inside this block read each expectation's
    configuration once.  Validations in several threads of one process
    (Dask workers) share it: the first to enter swaps the property, the
    last to leave restores it."""
    global _active, _original
    from great_expectations.expectations.expectation import Expectation

    with _lock:
        if _active == 0:
            _original = Expectation.__dict__["configuration"]
            Expectation.configuration = property(_memoised_configuration, doc=_original.__doc__)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                Expectation.configuration = _original
                _memo.clear()
