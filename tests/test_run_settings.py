"""Prefect settings the CLI applies to a run on its own temporary server."""
import os
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("env", [
    {},
    {"PREFECT_HOME": "{tmp}/home"},
    {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///{tmp}/elsewhere.db"},
    {"PREFECT_API_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///{tmp}/older-name.db"},
    {"PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://user:secret@db:5432/prefect"},
])
def test_the_database_file_is_where_prefect_puts_it(env, tmp_path, monkeypatch):
    """The CLI places Prefect's database without importing Prefect (to say
    that a first run creates it); it must agree with Prefect's settings."""
    from prefect.settings import Settings

    from flows.server import prefect_database_file

    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    for name in ("PREFECT_HOME", "PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    url = Settings().server.database.connection_url.get_secret_value()
    expected = Path(url.split(":///", 1)[1]) if url.startswith("sqlite") else None
    assert prefect_database_file() == expected
    if env:
        assert prefect_database_file(env) == expected      # the environment passed in, not the process's
        assert expected != Path("~/.prefect/prefect.db").expanduser()


def test_in_memory_databases_are_no_file():
    from flows.server import prefect_database_file

    assert prefect_database_file({"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///:memory:"}) is None
    assert prefect_database_file({"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///file:x?mode=memory&uri=true"}) is None


def test_a_server_creates_the_database_only_where_there_is_none(tmp_path, monkeypatch):
    from flows.server import missing_prefect_database

    for name in ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert missing_prefect_database() == tmp_path / "prefect.db"
    (tmp_path / "prefect.db").write_bytes(b"")
    assert missing_prefect_database() is None
    # a database that is no local file is never created by a start here
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert missing_prefect_database() is None


def test_a_run_sends_no_telemetry_unless_the_user_says_otherwise(monkeypatch):
    """Prefect's server analytics and its SDK telemetry (which an interactive
    terminal's first flow run would send) are both off by default."""
    from prefect._internal.analytics.enabled import is_telemetry_enabled

    # a copy of the environment, so that nothing set here outlives the test
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items()
                                        if k not in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")})
    monkeypatch.setattr("prefect._internal.analytics.enabled.is_ci_environment", lambda: False)
    assert is_telemetry_enabled()           # Prefect's default, outside CI
    cli._quiet_prefect_env()
    assert not is_telemetry_enabled()
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    # a user's own choice stands
    os.environ["DO_NOT_TRACK"] = "0"
    cli._quiet_prefect_env()
    assert os.environ["DO_NOT_TRACK"] == "0"
