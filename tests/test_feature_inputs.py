"""Engagement, follow-through and precedent: what the served OpenAPI document says each body
takes is what the server enforces (the document and the service read the same models), and
a partial change (PATCH) tells a field left out from a field sent as null."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_case

DECISION = {"option": "comply-narrowly", "rationale": "narrow and lawful", "override": True}


def _schema(doc: dict, path: str, method: str) -> dict:
    body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]


def _decided(api) -> str:  # noqa: ANN001
    ref = open_case(api)["ref"]
    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    return ref


def _bodies(api) -> list[tuple[str, str, dict]]:  # noqa: ANN001
    """(documented path, real path, a valid body) for each feature's create operation."""
    org = api("admin").post("/organisations", json={"name": "Article 19", "kind": "expert"})
    assert org.status_code == 201, org.get_json()
    ref, other = _decided(api), open_case(api)["ref"]
    due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    return [
        ("/api/v1/organisations", "/organisations", {"name": "Access Now", "kind": "peer"}),
        (
            "/api/v1/cases/{ref}/engagements",
            f"/cases/{ref}/engagements",
            {
                "organisation_id": org.get_json()["id"],
                "engaged_on": "2026-01-12",
                "summary": "Discussed the order",
                "confidential": False,
            },
        ),
        (
            "/api/v1/cases/{ref}/actions",
            f"/cases/{ref}/actions",
            {"title": "Publish it", "owner": "legal@example.org", "due_at": due},
        ),
        ("/api/v1/cases/{ref}/links", f"/cases/{ref}/links", {"other": other, "kind": "related"}),
    ]


def test_documented_required_fields_and_lengths_are_what_the_server_enforces(client, api):
    doc = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for documented, path, valid in _bodies(api):
        schema = _schema(doc, documented, "post")
        assert set(schema["required"]) <= set(valid), documented
        for field in schema["required"]:
            missing = {k: v for k, v in valid.items() if k != field}
            response = api("admin").post(path, json=missing)
            assert response.status_code in (404, 422), (documented, field, response.get_json())
            assert response.get_json()["error"]["field"] == field, (documented, field)
            checked += 1
        for field, prop in schema["properties"].items():
            if prop.get("type") != "string" or "maxLength" not in prop:
                continue
            too_long = valid | {field: "x" * (prop["maxLength"] + 1)}
            response = api("admin").post(path, json=too_long)
            assert response.status_code == 422, (documented, field, response.get_json())
            assert response.get_json()["error"]["field"] == field, (documented, field)
            assert f"> {prop['maxLength']} characters" in response.get_json()["error"]["message"]
            checked += 1
    assert checked >= 20  # every create operation has required fields and limits to check


def test_a_change_tells_a_field_left_out_from_one_sent_as_null(api):
    made = api("legal").post(
        "/organisations", json={"name": "Article 19", "kind": "expert", "country": "GB"}
    )
    org = made.get_json()
    client, headers = api("legal").client, api("legal").person.headers

    def patch(body: dict):  # noqa: ANN202
        return client.patch(f"/api/v1/organisations/{org['id']}", json=body, headers=headers)

    renamed = patch({"notes": "Free expression"})  # nothing else is touched
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json() | {"notes": ""} == org
    refused = patch({"name": None})  # a name cannot be removed
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "name"
    assert patch({"kind": None}).get_json()["error"]["field"] == "kind"
    cleared = patch({"country": None})  # an organisation may have no country
    assert cleared.status_code == 200 and cleared.get_json()["country"] == ""
    assert api("legal").get(f"/organisations/{org['id']}").get_json()["name"] == "Article 19"


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=ngo", "kind"), ("country=Narnia", "country"), ("q=a%00b", "q"), ("limit=x", "limit")],
)
def test_bad_directory_filters_are_422(api, query, field):
    response = api("legal").get(f"/organisations?{query}")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field
