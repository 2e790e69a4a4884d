"""The action server's client models against the back office's schemas, field by field.

The clients in `actions/clients/` copy what they need of the back-office schemas (the action
server does not import the back office). These checks compare the two JSON schemas:

- `reads(client, schema)`: every field the client reads is one the back office writes, with a
  type the client accepts (a `null` the back office may send needs an optional client field);
- `sends(client, schema)`: every field the back office requires is one the client sends, every
  field the client sends is one the back office knows, with a type the back office accepts.

Nested models are compared the same way, pair by pair.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

Schema = dict[str, Any]


def _resolve(node: Schema, defs: Schema) -> Schema:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


def _alternatives(node: Schema, defs: Schema) -> list[Schema]:
    node = _resolve(node, defs)
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        return [alt for option in options for alt in _alternatives(option, defs)]
    return [node]


def _kind(node: Schema) -> str:
    if "properties" in node or node.get("type") == "object":
        return "object"
    if "enum" in node or "const" in node:
        values = node.get("enum", [node.get("const")])
        return "string" if all(isinstance(value, str) for value in values) else "other"
    kind = node.get("type", "any")
    return "number" if kind == "integer" else str(kind)


def _problems(
    path: str, writer: Schema, writer_defs: Schema, reader: Schema, reader_defs: Schema
) -> list[str]:
    """What `reader` cannot take of what `writer` produces at `path`."""
    readable = {_kind(alt) for alt in _alternatives(reader, reader_defs)}
    if "any" in readable:
        return []
    found = []
    for alt in _alternatives(writer, writer_defs):
        kind = _kind(alt)
        if kind not in readable and kind != "any":
            found.append(f"{path}: written as {kind}, read as {sorted(readable)}")
        elif kind == "array":
            arrays = [r for r in _alternatives(reader, reader_defs) if _kind(r) == "array"]
            items = arrays[0].get("items", {})
            found += _problems(f"{path}[]", alt.get("items", {}), writer_defs, items, reader_defs)
        elif kind == "object" and "properties" in alt:
            reader_object = next(
                r for r in _alternatives(reader, reader_defs) if _kind(r) == "object"
            )
            if "properties" in reader_object:
                found += _object_problems(path, alt, writer_defs, reader_object, reader_defs)
    return found


def _object_problems(
    path: str, writer: Schema, writer_defs: Schema, reader: Schema, reader_defs: Schema
) -> list[str]:
    written, read = writer["properties"], reader["properties"]
    found = [
        f"{path}.{name}: required, never written"
        for name in reader.get("required", [])
        if name not in written
    ]
    for name in read.keys() & written.keys():
        found += _problems(f"{path}.{name}", written[name], writer_defs, read[name], reader_defs)
    return sorted(set(found))


def _schema(model: type[BaseModel], mode: JsonSchemaMode) -> tuple[Schema, Schema]:
    schema = model.model_json_schema(mode=mode)
    return schema, schema.get("$defs", {})


def reads(client: type[BaseModel], schema: type[BaseModel]) -> list[str]:
    """What the client model cannot read of what the back office answers."""
    written, written_defs = _schema(schema, "serialization")
    read, read_defs = _schema(client, "validation")
    found = _object_problems(client.__name__, written, written_defs, read, read_defs)
    found += [
        f"{client.__name__}.{name}: read, never written"
        for name in read["properties"]
        if name not in written["properties"]
    ]
    return sorted(set(found))


def sends(client: type[BaseModel], schema: type[BaseModel]) -> list[str]:
    """What the back office cannot take of what the client model sends."""
    written, written_defs = _schema(client, "serialization")
    read, read_defs = _schema(schema, "validation")
    found = _object_problems(client.__name__, written, written_defs, read, read_defs)
    found += [
        f"{client.__name__}.{name}: sent, unknown to the back office"
        for name in written["properties"]
        if name not in read["properties"]
    ]
    return sorted(set(found))
