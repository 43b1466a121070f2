"""Prefect settings the CLI applies to a run on its own temporary server."""
from prefect.settings import get_current_settings

from flows import cli


def test_heartbeats_off_only_on_the_runs_own_temporary_server(monkeypatch):
    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None
    # a configured server (PREFECT_API_URL): Prefect's settings as set
    monkeypatch.setattr(cli, "_SERVER", [])
    with cli._settings_for_this_server():
        assert get_current_settings().flows.heartbeat_frequency == default
    # the run's temporary server: nothing outlives the run to read heartbeats
    monkeypatch.setattr(cli, "_SERVER", [object()])
    with cli._settings_for_this_server():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
