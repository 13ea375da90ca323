"""The committed schema.graphql must match the schema the code builds."""

from __future__ import annotations

from pathlib import Path

from schema import print_sdl

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SDL.read_text()
    assert committed == print_sdl(), "schema.graphql drifted: run `make schema` and commit it"


def test_schema_has_the_documented_shape() -> None:
    sdl = print_sdl()
    for line in (
        "interface Node",
        "interface Job implements Node",
        "type FlowJob implements Job & Node",
        "type OperationsJob implements Job & Node",
        "type WorkflowJob implements AwxJob & Job & Node",
        "enum JobState",
        "scalar DateTime",
        "scalar JSON",
    ):
        assert line in sdl, line
