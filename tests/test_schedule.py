"""The nightly deployment registers with its cron schedule."""
import asyncio

from conftest import prefect_api_url


def test_nightly_deployment_registers(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", prefect_api_url())
    from prefect.client.orchestration import get_client

    from flows.schedule import nightly_deployment

    deployment = nightly_deployment(str(tmp_path / "in"), str(tmp_path / "w"), cron="0 2 * * *")
    deployment_id = deployment.apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    stored = asyncio.run(read())
    assert stored.name == "nightly"
    assert stored.parameters["input_dir"] == str(tmp_path / "in")
    assert stored.parameters["wait"] is True
    crons = [s.schedule.cron for s in stored.schedules]
    assert crons == ["0 2 * * *"]
    assert stored.entrypoint == "flows/pipeline.py:xxgk_run"
    assert stored.name == "nightly" and "xxgk" in stored.tags
