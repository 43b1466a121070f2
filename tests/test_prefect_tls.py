"""Prefect's API clients share one TLS context per process (flows.prefect_tls)."""
import ssl

import certifi
import pytest

import flows.pipeline  # noqa: F401  shares the contexts when imported
from flows.prefect_tls import _SharedContexts, share_tls_contexts


def test_clients_made_in_one_process_load_the_ca_bundle_once():
    from prefect.client import orchestration
    from prefect.settings import PREFECT_API_URL, temporary_settings

    shared = share_tls_contexts()
    assert shared is orchestration.ssl          # importing flows.pipeline installed it
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        made_before = shared.made
        first = orchestration.get_client(sync_client=True)
        second = orchestration.get_client(sync_client=True)
    assert first is not second
    assert shared.made - made_before <= 1       # 0 if an earlier client made it
    context = shared.create_default_context(cafile=certifi.where())
    assert context is shared.create_default_context(cafile=certifi.where())
    # the context Prefect would have made: certificates and host names checked
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0
    # everything else is the ssl module's own
    assert shared.CERT_NONE is ssl.CERT_NONE and shared.SSLContext is ssl.SSLContext


def test_other_arguments_get_their_own_context():
    shared = _SharedContexts()
    default = shared.create_default_context()
    bundle = shared.create_default_context(cafile=certifi.where())
    assert default is not bundle
    assert shared.made == 2


def test_a_prefect_that_builds_contexts_otherwise_is_left_alone(monkeypatch):
    from prefect.client import orchestration

    stand_in = object()
    monkeypatch.setattr(orchestration, "ssl", stand_in)
    assert share_tls_contexts() is None
    assert orchestration.ssl is stand_in
