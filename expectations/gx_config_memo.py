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
memo belongs to the thread that validates and is emptied when its
validation ends; other threads (a Dask worker builds suites in one thread
while it validates in another) read the property as GX wrote it.
``tests/test_expectations.py`` checks that validations are the same with
and without it.
"""
from __future__ import annotations

import contextlib
import threading

_lock = threading.Lock()
_swapped = 0            # validations running in this process, any thread
_original = None
_local = threading.local()  # .memo: id -> (expectation, configuration); .depth


def _memoised_configuration(self):
    memo = getattr(_local, "memo", None)
    if memo is None:    # a thread outside memoised_configurations()
        return _original.fget(self)
    hit = memo.get(id(self))
    if hit is None:
        hit = memo[id(self)] = (self, _original.fget(self))
    return hit[1]


@contextlib.contextmanager
def memoised_configurations():
    """Validations run in this thread inside this block read each
    expectation's configuration once.  The property is swapped by the first
    block to start in the process and restored by the last to end."""
    global _swapped, _original
    from great_expectations.expectations.expectation import Expectation

    with _lock:
        if _swapped == 0:
            _original = Expectation.__dict__["configuration"]
            Expectation.configuration = property(_memoised_configuration, doc=_original.__doc__)
        _swapped += 1
    depth = getattr(_local, "depth", 0)
    if depth == 0:
        _local.memo = {}
    _local.depth = depth + 1
    try:
        yield
    finally:
        _local.depth = depth
        if depth == 0:
            _local.memo = None
        with _lock:
            _swapped -= 1
            if _swapped == 0:
                Expectation.configuration = _original
