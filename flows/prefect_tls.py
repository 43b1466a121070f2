"""One TLS context per process for Prefect's API clients.

Prefect 3.8 builds a new ``ssl.SSLContext`` for every API client it
creates, loading the CA bundle each time: 21-34 ms here (OpenSSL 3 loads
certificate files slowly, python/cpython#95031), even though a run's own
server speaks plain HTTP.  Each task run makes a worker create two clients
(one for the task's context, one for its engine), so a worker spent
~0.25 s of a 20,000-report run loading the same bundle again and again
(py-spy: about as much as the rest of Prefect's cost per task).  Prefect
has no setting to hand its clients a context (PrefectHQ/prefect#19106, open,
adds one); until it does, its client module gets contexts made once per
distinct arguments and shared, as one context per application is the
``ssl`` module's advice.  The contexts are the ones Prefect would have
made: same arguments, and Prefect sets the same options on them each time.
"""
from __future__ import annotations

import ssl
import threading


class _SharedContexts:
    """Stands in for the ``ssl`` module inside Prefect's client module:
    ``create_default_context`` returns one context per distinct arguments;
    everything else is the ``ssl`` module's own."""

    def __init__(self):
        self._contexts: dict[tuple, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.made = 0

    def create_default_context(self, purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
        key = (purpose, cafile, capath, cadata)
        with self._lock:
            context = self._contexts.get(key)
            if context is None:
                context = self._contexts[key] = ssl.create_default_context(
                    purpose, cafile=cafile, capath=capath, cadata=cadata)
                self.made += 1
            return context

    def __getattr__(self, name):
        return getattr(ssl, name)


def share_tls_contexts() -> _SharedContexts | None:
    """Make Prefect's API clients in this process share their TLS contexts
    (idempotent).  Returns the stand-in, or None if this Prefect builds its
    clients' contexts some other way (then nothing is changed)."""
    from prefect.client import orchestration

    current = getattr(orchestration, "ssl", None)
    if isinstance(current, _SharedContexts):
        return current
    if current is not ssl:
        return None
    orchestration.ssl = shared = _SharedContexts()
    return shared
