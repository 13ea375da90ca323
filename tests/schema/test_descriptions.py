"""Every type, field, argument, input field and enum value of the schema is described.

The failure message is the to-do list: every coordinate still without a
description, one per line.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    specified_scalar_types,
)

from schema import build_schema


def _described(description: str | None) -> bool:
    return bool(description and description.strip())


def _own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """The schema's types but introspection's (``__*``) and graphql's built-in scalars."""
    return [
        named
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in specified_scalar_types
    ]


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Schema coordinates (``Type``, ``Type.field``, ``Type.field(arg:)``, ``Enum.VALUE``)
    that have no non-empty description."""
    missing: list[str] = []
    for named in _own_types(schema):
        if not _described(named.description):
            missing.append(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not _described(field.description):
                    missing.append(f"{named.name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not _described(arg.description):
                        missing.append(f"{named.name}.{field_name}({arg_name}:)")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not _described(input_field.description):
                    missing.append(f"{named.name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not _described(value.description):
                    missing.append(f"{named.name}.{value_name}")
        else:
            assert isinstance(named, GraphQLScalarType | GraphQLUnionType), named
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = undescribed(build_schema()._schema)
    assert not missing, f"{len(missing)} schema coordinates lack a description:\n" + "\n".join(
        missing
    )


def test_the_walk_sees_what_it_checks() -> None:
    """Not vacuous: the walk reaches fields, arguments, input fields and enum values."""
    schema = build_schema()._schema
    query = schema.query_type
    assert query is not None
    assert "id" in query.fields["node"].args
    job_filter = schema.type_map["JobFilter"]
    assert isinstance(job_filter, GraphQLInputObjectType)
    assert "sources" in job_filter.fields
    job_state = schema.type_map["JobState"]
    assert isinstance(job_state, GraphQLEnumType)
    assert "QUEUED" in job_state.values
    names = {named.name for named in _own_types(schema)}
    assert {"DateTime", "JSON", "Query", "Mutation"} <= names
    assert not names & {"String", "Int", "Float", "Boolean", "ID", "__Type"}
