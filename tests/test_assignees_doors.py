"""Named assignees and a case's functions through the CLI and the web page, on both
databases: the same services as the API (see test_assignees.py, test_case_functions.py)."""

from __future__ import annotations

from cli_checks import ok, refused
from conftest import csrf_from, open_case, web_login
from test_assignees import add_person, assignment, events


def test_cli_assign_delegate_and_remove(app, api, people, runner):
    add_person(app, "counsel", ["lead"], ["legal"])
    ref = open_case(api)["ref"]
    out = ok(runner.invoke(["cases", "assign", "--as", "legal@example.org", ref, "legal"]))
    assert "owner nobody yet" in out
    out = ok(
        runner.invoke(
            [
                "cases", "assign", "--as", "triager@example.org", ref, "legal",
                "--owner", "counsel@example.org",
                "--delegate", "rights@example.org", "--delegate", "policy@example.org",
            ]
        )
    )  # fmt: skip
    assert "owner counsel@example.org" in out
    assert "rights@example.org" in out and "policy@example.org" in out
    out = ok(
        runner.invoke(
            ["cases", "assign", "--as", "counsel@example.org", ref, "legal",
             "--remove-delegate", "policy@example.org"]
        )
    )  # fmt: skip
    assert "delegates rights@example.org." in out
    refused(
        runner.invoke(
            ["cases", "assign", "--as", "tech@example.org", ref, "legal",
             "--owner", "tech@example.org"]
        ),
        "only the owner of Legal",
    )  # fmt: skip
    refused(
        runner.invoke(
            ["cases", "assign", "--as", "admin@example.org", ref, "legal",
             "--owner", "ghost@example.org"]
        ),
        "no active user",
    )  # fmt: skip
    refused(runner.invoke(["cases", "assign", "--as", "admin@example.org", ref, "nope"]), "nope")
    origins = [e.origin.split()[0] for e in events(app, "assignment.changed")]
    assert origins == ["cli", "cli"]


def test_cli_open_with_owner_add_function_and_change_playbook(app, api, people, runner):
    add_person(app, "counsel", ["lead"], ["legal"])
    out = ok(
        runner.invoke(
            ["cases", "open", "--as", "triager@example.org", "--playbook", "content-takedown",
             "--title", "Order", "--jurisdiction", "TR", "--owner", "legal=counsel@example.org"]
        )
    )  # fmt: skip
    ref = out.split()[0]
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert assignment(case, "legal")["owner"] == "counsel@example.org"
    refused(
        runner.invoke(
            ["cases", "open", "--as", "triager@example.org", "--playbook", "content-takedown",
             "--title", "Order", "--jurisdiction", "TR", "--owner", "legal"]
        ),
        "FUNCTION=EMAIL",
        code=2,
    )  # fmt: skip
    out = ok(
        runner.invoke(
            ["cases", "add-function", "--as", "triager@example.org", ref, "engineering",
             "--optional"]
        )
    )  # fmt: skip
    assert f"engineering added to {ref}" in out
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert assignment(case, "engineering")["required"] is False
    refused(
        runner.invoke(["cases", "add-function", "--as", "legal@example.org", ref, "privacy"]),
        "only the case's opener",
    )
    refused(
        runner.invoke(
            ["cases", "change-playbook", "--as", "legal@example.org", ref, "network-shutdown"]
        ),
        "only the case's opener",
    )
    out = ok(
        runner.invoke(
            ["cases", "change-playbook", "--as", "admin@example.org", ref, "network-shutdown"]
        )
    )
    assert "now follows network-shutdown" in out
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert assignment(case, "legal")["owner"] == "counsel@example.org"  # kept
    assert "engineering" in [a["function"] for a in case["assignments"]]


def _page(client, ref: str) -> str:
    page = client.get(f"/cases/{ref}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_web_take_reassign_add_function_and_change_playbook(app, api, client, people):
    add_person(app, "counsel", ["lead"], ["legal"])
    ref = open_case(api)["ref"]
    web_login(client, app, "counsel@example.org")
    html = _page(client, ref)
    assert "Who owes each analysis" in html and "Not taken yet" in html and "Take it" in html
    assert "Add a function" not in html  # a lead does not route the case
    taken = client.post(
        f"/cases/{ref}/assignments/legal/take", data={"csrf_token": csrf_from(html)}
    )
    assert taken.status_code == 302
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert assignment(case, "legal")["owner"] == "counsel@example.org"
    html = _page(client, ref)
    assert "Reassign or delegate" in html  # its owner now
    done = client.post(
        f"/cases/{ref}/assignments/legal/assignees",
        data={"csrf_token": csrf_from(html), "owner": "", "delegate": "rights@example.org"},
    )
    assert done.status_code == 302
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert assignment(case, "legal")["delegates"] == ["rights@example.org"]
    # someone the services refuse comes back to the page with the message
    refused = client.post(
        f"/cases/{ref}/assignments/security/assignees",
        data={"csrf_token": csrf_from(html), "owner": "counsel@example.org"},
        follow_redirects=True,
    )
    assert "only the owner of Security" in refused.get_data(as_text=True)
    triager = app.test_client()
    web_login(triager, app, "triager@example.org")
    html = _page(triager, ref)
    assert "Add a function" in html and "Change the playbook" in html
    added = triager.post(
        f"/cases/{ref}/assignments",
        data={"csrf_token": csrf_from(html), "function": "engineering", "required": "on"},
        follow_redirects=True,
    )
    assert "Engineering added." in added.get_data(as_text=True)
    changed = triager.post(
        f"/cases/{ref}/playbook",
        data={"csrf_token": csrf_from(html), "playbook": "network-shutdown"},
        follow_redirects=True,
    )
    assert "Playbook changed." in changed.get_data(as_text=True)
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert case["playbook"] == "network-shutdown"
    assert assignment(case, "legal")["owner"] == "counsel@example.org"
