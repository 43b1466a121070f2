"""Orchestration only: Prefect flows, tasks, the command line."""
