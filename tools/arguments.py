"""Argument types shared by several tools."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator


def blank_to_none(value: str | None) -> str | None:
    """Models often send "" for 'I do not know'; treat it as absent."""
    return (value or "").strip() or None


class CompanyFindArgs(BaseModel):
    name: str | None = Field(default=None, description="The company's name, or part of it.")
    website: str | None = Field(
        default=None, description="The company's website or domain, e.g. https://acme.com."
    )

    _strip = field_validator("name", "website")(blank_to_none)

    @model_validator(mode="after")
    def _needs_a_clue(self) -> CompanyFindArgs:
        if not (self.name or self.website):
            raise ValueError("give a name or a website")
        return self
