"""The strict-mode check an assistant's answer schema passes before it is saved (one test per rule)."""

import copy

from vicbot.schema_strict import strict_schema_problems

VERDICT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["Assessment", "Reasoning", "Sources"],
    "properties": {
        "Assessment": {"type": "string", "enum": ["Strong fit", "Possible fit", "Not a fit"]},
        "Reasoning": {"type": "string", "description": "Why."},
        "Sources": {
            "type": "array", "maxItems": 5,
            "items": {"type": "object", "additionalProperties": False, "required": ["url", "seen_at"],
                      "properties": {"url": {"type": "string"},
                                     "seen_at": {"type": ["string", "null"], "format": "date-time"}}},
        },
    },
}


def verdict(**changes) -> dict:
    schema = copy.deepcopy(VERDICT)
    schema.update(changes)
    return schema


def one_problem(schema) -> str:
    problems = strict_schema_problems(schema)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_schema_that_follows_every_rule_passes():
    assert strict_schema_problems(VERDICT) == []


def test_the_tools_own_generated_schemas_pass():
    # pydantic's output through the SDK (titles, nullable anyOf, $defs) is what OpenAI takes for tools.
    from pydantic import BaseModel

    from tools.base import Tool

    class Where(BaseModel):
        city: str

    class Arguments(BaseModel):
        name: str
        limit: int = 5
        title: str | None = None
        where: Where

    tool = Tool(name="t", description="d", arguments=Arguments, function=lambda arguments, context: None)
    assert strict_schema_problems(tool.openai_definition()["parameters"]) == []


def test_the_root_must_be_an_object():
    assert "root must have \"type\": \"object\"" in one_problem({"type": "array", "items": {"type": "string"}})
    assert "must be a JSON object" in one_problem(["not", "a", "schema"])


def test_the_root_must_not_be_an_any_of():
    schema = {"anyOf": [verdict(), verdict()]}
    assert any("not an anyOf" in problem for problem in strict_schema_problems(schema))


def test_every_object_sets_additional_properties_false_nested_ones_too():
    schema = verdict()
    del schema["properties"]["Sources"]["items"]["additionalProperties"]
    assert one_problem(schema).startswith("#/properties/Sources/items: an object must set \"additionalProperties\"")
    assert "additionalProperties" in one_problem(verdict(additionalProperties=True))
    assert "additionalProperties" in one_problem(verdict(additionalProperties={"type": "string"}))


def test_every_property_is_listed_in_required():
    problem = one_problem(verdict(required=["Assessment", "Reasoning"]))
    assert "missing: Sources" in problem and "nullable" in problem


def test_required_names_no_undefined_property():
    assert "not defined: Score" in one_problem(verdict(required=["Assessment", "Reasoning", "Sources", "Score"]))


def test_every_schema_names_its_type_unless_it_is_an_any_of_or_a_ref():
    schema = verdict()
    schema["properties"]["Reasoning"] = {"description": "free text"}
    assert "#/properties/Reasoning: every schema must name its \"type\"" in one_problem(schema)


def test_an_unknown_type_is_refused():
    schema = verdict()
    schema["properties"]["Reasoning"] = {"type": "text"}
    assert "unknown type 'text'" in one_problem(schema)


def test_unsupported_keywords_are_refused():
    for keyword, value in [("allOf", [{"type": "string"}]), ("oneOf", [{"type": "string"}]), ("not", {}),
                           ("minLength", 1), ("if", {}), ("patternProperties", {})]:
        schema = verdict()
        schema["properties"]["Reasoning"][keyword] = value
        assert f"does not support: {keyword}" in one_problem(schema), keyword


def test_a_keyword_of_another_type_is_refused():
    schema = verdict()
    schema["properties"]["Reasoning"]["maxItems"] = 3
    assert "maxItems do not apply to type 'string'" in one_problem(schema)


def test_only_the_documented_string_formats_are_accepted():
    schema = verdict()
    schema["properties"]["Reasoning"]["format"] = "uri"
    assert "format 'uri' is not supported" in one_problem(schema)


def test_any_of_is_allowed_below_the_root_and_its_branches_are_checked():
    schema = verdict()
    schema["properties"]["Reasoning"] = {"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]}
    assert one_problem(schema).startswith("#/properties/Reasoning/anyOf/1: an object must set")


def test_a_ref_points_inside_the_schema_stands_alone_and_its_definition_is_checked():
    item = copy.deepcopy(VERDICT["properties"]["Sources"]["items"])
    schema = verdict(**{"$defs": {"source": item}})
    schema["properties"]["Sources"]["items"] = {"$ref": "#/$defs/source"}
    assert strict_schema_problems(schema) == []

    schema["properties"]["Sources"]["items"] = {"$ref": "#/$defs/missing"}
    assert "points at nothing" in one_problem(schema)
    schema["properties"]["Sources"]["items"] = {"$ref": "https://example.com/source.json"}
    assert "must point inside this schema" in one_problem(schema)
    schema["properties"]["Sources"]["items"] = {"$ref": "#/$defs/source", "description": "a source"}
    assert "must stand alone" in one_problem(schema)
    schema["properties"]["Sources"]["items"] = {"$ref": "#/$defs/source"}
    del schema["$defs"]["source"]["additionalProperties"]
    assert one_problem(schema).startswith("#/$defs/source: an object must set")


def test_a_recursive_schema_through_the_root_reference_passes():
    schema = {"type": "object", "additionalProperties": False, "required": ["name", "children"],
              "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}}
    assert strict_schema_problems(schema) == []


def nested(levels: int) -> dict:
    schema = {"type": "object", "additionalProperties": False, "required": [], "properties": {}}
    for _ in range(levels - 1):
        schema = {"type": "object", "additionalProperties": False, "required": ["inner"],
                  "properties": {"inner": schema}}
    return schema


def test_objects_nest_at_most_ten_levels():
    assert strict_schema_problems(nested(10)) == []
    assert "nest 11 levels deep" in one_problem(nested(11))


def test_at_most_five_thousand_properties():
    def with_properties(count):
        names = [f"p{i}" for i in range(count)]
        return {"type": "object", "additionalProperties": False, "required": names,
                "properties": {name: {"type": "boolean"} for name in names}}

    assert strict_schema_problems(with_properties(5000)) == []
    assert "5001 object properties" in one_problem(with_properties(5001))


def test_at_most_a_thousand_enum_values():
    def with_enum(count):
        schema = verdict()
        schema["properties"]["Assessment"]["enum"] = [f"v{i}" for i in range(count)]
        return schema

    assert strict_schema_problems(with_enum(1000)) == []
    assert "1001 enum values" in one_problem(with_enum(1001))


def test_a_large_string_enum_is_bounded_in_characters():
    schema = verdict()
    schema["properties"]["Assessment"]["enum"] = [f"{i:03d}" + "x" * 60 for i in range(251)]  # 251 × 63 chars
    assert "enum of more than 250 strings" in one_problem(schema)


def test_names_and_values_are_bounded_in_total_characters():
    names = [f"{i:04d}" + "n" * 40 for i in range(2800)]  # 2800 × 44 = 123,200 characters
    schema = {"type": "object", "additionalProperties": False, "required": names,
              "properties": {name: {"type": "string"} for name in names}}
    assert "total 123200 characters" in one_problem(schema)
