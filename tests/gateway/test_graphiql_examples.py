"""GraphiQL's example operations (gateway/graphiql/examples/) fit the schema."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, OperationType, parse, validate
from graphql.execution.values import get_variable_values

from gateway.graphiql.examples import Example, load_examples
from schema import build_schema

EXAMPLES = load_examples()


@pytest.fixture(scope="module")
def graphql_schema() -> GraphQLSchema:
    return build_schema()._schema


def operation_of(example: Example) -> OperationDefinitionNode:
    operations = [
        d for d in parse(example.query).definitions if isinstance(d, OperationDefinitionNode)
    ]
    assert len(operations) == 1, f"{example.name}: one operation per example"
    return operations[0]


def test_the_examples_cover_each_screen() -> None:
    names = {operation_of(example).name.value for example in EXAMPLES}  # type: ignore[union-attr]
    assert names == {
        "FailingJobs",
        "FailuresBySystem",
        "JobDetail",
        "DurationsReport",
        "CreateFlowJob",
        "LiveJobStatus",
        "WhatFailedInside",
        "RelaunchJob",
    }
    kinds = {operation_of(example).operation for example in EXAMPLES}
    assert kinds == {OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_example_validates_against_the_schema(
    example: Example, graphql_schema: GraphQLSchema
) -> None:
    document = parse(example.query)
    assert validate(graphql_schema, document) == []
    operation = operation_of(example)
    coerced = get_variable_values(
        graphql_schema, operation.variable_definitions or (), example.variables or {}
    )
    # a list of errors when a variable does not coerce (graphql-core's VariableValues else)
    assert not isinstance(coerced, list), f"{example.name}'s variables: {coerced}"
