"""Field metadata of the emulated sObjects, as `describe` reports it and as writes and SOQL check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Types whose values are strings with a maximum length.
TEXT_TYPES = frozenset({"string", "textarea", "url", "email", "phone", "picklist"})


@dataclass(frozen=True)
class Field:
    name: str
    # describe type: id, string, textarea, url, email, phone, picklist, reference, datetime, boolean, double
    type: str
    length: int = 0
    label: str = ""
    filterable: bool = True  # Long Text Areas are neither filterable nor sortable
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    reference_to: str | None = None
    relationship_name: str | None = None

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def is_id(self) -> bool:
        return self.type in ("id", "reference")

    @property
    def required(self) -> bool:
        return self.createable and not self.nillable and self.type != "boolean"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label or self.name.removesuffix("__c").replace("_", " "),
            "type": self.type,
            "length": self.length,
            "custom": self.name.endswith("__c"),
            "filterable": self.filterable,
            "sortable": self.filterable,
            "groupable": self.filterable,
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable,
            "calculated": False,
            "referenceTo": [self.reference_to] if self.reference_to else [],
            "relationshipName": self.relationship_name,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
        }


_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "datetime": "xsd:dateTime",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
}


@dataclass
class SObjectType:
    name: str
    key_prefix: str
    fields: dict[str, Field] = field(
        default_factory=dict
    )  # by lower-case name: API names are case-insensitive

    def add(self, *new_fields: Field) -> None:
        for f in new_fields:
            self.fields[f.name.lower()] = f

    def field(self, name: str) -> Field | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        lowered = name.lower()
        return next((f for f in self.fields.values() if (f.relationship_name or "").lower() == lowered), None)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.name.removesuffix("__c").replace("_", " "),
            "keyPrefix": self.key_prefix,
            "custom": self.name.endswith("__c"),
            "queryable": True,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "fields": [f.describe() for f in self.fields.values()],
        }


def system_fields() -> list[Field]:
    readonly = {"createable": False, "updateable": False, "nillable": False}
    user = {"type": "reference", "length": 18, "reference_to": "User", **readonly}
    return [
        Field("Id", "id", 18, label="Record ID", **readonly),
        Field("IsDeleted", "boolean", **readonly),
        Field("CreatedDate", "datetime", **readonly),
        Field("CreatedById", relationship_name="CreatedBy", **user),
        Field("LastModifiedDate", "datetime", **readonly),
        Field("LastModifiedById", relationship_name="LastModifiedBy", **user),
        Field("SystemModstamp", "datetime", **readonly),
    ]


def standard_types() -> list[SObjectType]:
    account = SObjectType("Account", "001")
    account.add(
        *system_fields(),
        Field("Name", "string", 255, label="Account Name", nillable=False),
        Field("Website", "url", 255),
        Field("Description", "textarea", 32000, filterable=False),
        Field("Industry", "picklist", 255),
        Field("VicBot_Assessment__c", "string", 255),
        Field("VicBot_Reasoning__c", "textarea", 131072, filterable=False),
        Field("VicBot_Status__c", "string", 255),
        # The partners' decision on a pitch (a fund's own picklist): the evaluation lab's answer key.
        Field("Partner_Decision__c", "picklist", 255),
    )
    contact = SObjectType("Contact", "003")
    contact.add(
        *system_fields(),
        Field("FirstName", "string", 40),
        Field("LastName", "string", 80, nillable=False),
        # Compound name: computed from First and Last name, never written directly.
        Field("Name", "string", 121, label="Full Name", createable=False, updateable=False),
        Field("Email", "email", 80),
        Field("Title", "string", 128),
        Field("AccountId", "reference", 18, reference_to="Account", relationship_name="Account"),
        Field("Phone", "phone", 40),
        Field("LinkedIn__c", "url", 255, label="LinkedIn"),
    )
    user = SObjectType("User", "005")
    user.add(
        *system_fields(),
        Field("Name", "string", 121),
        Field("Username", "string", 80, nillable=False),
        Field("Email", "email", 128),
    )
    return [account, contact, user]
