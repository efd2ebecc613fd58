"""The guard that keeps a pipeline's SOQL condition a condition (Salesforce checks the rest at save time)."""

import pytest

from pipelines.services.pipelines import condition_problem


@pytest.mark.parametrize("condition", [
    "VicBot_Assessment__c = null",
    "Name != '{x}' AND Website LIKE '%.io'",  # braces are literal: the condition never meets format_soql
    "Name = 'a; b' OR Name = 'ORDER BY LIMIT FROM'",  # inside a string literal it is data
    "Name = 'O\\'Brien (Sons'",  # an escaped quote and an unmatched parenthesis inside a literal
    "Id IN (SELECT AccountId FROM Contact WHERE Email != null LIMIT 10)",  # a semi-join is a condition
    "Limit__c > 3 AND Order_By__c = 'x' AND Owner.FromDate__c != null",  # clause words inside names
])
def test_a_condition_passes(condition):
    assert condition_problem(condition) is None


@pytest.mark.parametrize("condition, reason", [
    ("", "empty"),
    ("   ", "empty"),
    ("Name != null; DELETE", "';' is not part"),
    ("Name != null ORDER BY Name", "'ORDER BY' starts another part"),
    ("Name != null order\n by Name", "'ORDER BY' starts another part"),
    ("Name != null LIMIT 5", "'LIMIT' starts another part"),
    ("Name != null OFFSET 5", "'OFFSET' starts another part"),
    ("Id != null FROM Contact", "'FROM' starts another part"),
    ("Name != null GROUP BY Name", "'GROUP BY' starts another part"),
    ("Name != null FOR UPDATE", "'FOR UPDATE' starts another part"),
    ("Name != null ALL ROWS", "'ALL ROWS' starts another part"),
    ("Name != null) OR (Id != null", "closes a parenthesis the condition did not open"),
    ("(Name != null", "'(' is not closed"),
    ("Name = 'open", "string literal is not closed"),
    ("Name = 'ends in a backslash\\'", "string literal is not closed"),
])
def test_what_is_not_just_a_condition_is_refused_with_the_reason(condition, reason):
    assert reason in (condition_problem(condition) or "")


def test_fields_are_checked_against_describe_relationships_by_their_first_hop():
    from pipelines.models import Pipeline
    from pipelines.services.pipelines import InvalidPipeline, fields_against_describe

    pipeline = Pipeline(sobject="Account", fields=["Name", "Owner.Name"], answer_mapping={"A": "Rating"},
                        website_field="")
    described = {"fields": [{"name": "Name", "relationshipName": None, "updateable": True},
                            {"name": "OwnerId", "relationshipName": "Owner", "updateable": True},
                            {"name": "Rating", "relationshipName": None, "updateable": True}]}
    assert fields_against_describe(pipeline, described) == []

    without_relationships = {"fields": [{"name": "Name"}, {"name": "Rating"}]}
    (note,) = fields_against_describe(pipeline, without_relationships)
    assert note.startswith("Owner.Name: describe names no relationships")

    pipeline.fields = ["Name", "Parent.Name"]
    with pytest.raises(InvalidPipeline, match=r"no field Parent.Name \(no relationship named Parent\)"):
        fields_against_describe(pipeline, described)


def test_the_website_field_is_checked_like_the_fields_sent_to_the_model():
    from pipelines.models import Pipeline
    from pipelines.services.pipelines import InvalidPipeline, fields_against_describe, pipeline_validate

    pipeline = Pipeline(sobject="Account", fields=["Name"], answer_mapping={"A": "Rating"})
    described = {"fields": [{"name": "Name"}, {"name": "Rating"}]}
    with pytest.raises(InvalidPipeline, match="Account has no field Website"):
        fields_against_describe(pipeline, described)
    pipeline.website_field = "Website) FROM User --"
    with pytest.raises(InvalidPipeline, match="Not Salesforce API names"):
        pipeline_validate(pipeline)
