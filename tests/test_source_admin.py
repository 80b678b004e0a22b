"""Admins edit, disable, enable and poll one source from the Sources page and the API; the next
sync from the feed files keeps their edits; everyone else is refused (403, audited)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import csrf_from, web_login
from feedserver import rss
from sqlalchemy import select

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db
from incident_hub.watch.models import Source

SHUTDOWN = {
    "title": "Ministry orders nationwide mobile internet shutdown ahead of election",
    "description": "The telecoms regulator ordered operators to suspend mobile data in Myanmar.",
    "link": "http://example.org/shutdown",
    "guid": "urn:x:1",
}


def _feed_file(app, url: str, **extra: str) -> None:
    """A shipped source in the feed files (FEEDS_DIR), as feeds/sources.toml has them."""
    lines = ["[[sources]]", 'key = "gazette"', 'title = "Official Gazette"', f'url = "{url}"']
    lines += [f'{k} = "{v}"' for k, v in {"jurisdiction": "MM", **extra}.items()]
    Path(app.config["FEEDS_DIR"], "sources.toml").write_text("\n".join(lines) + "\n", "utf-8")


def _source(app, key: str = "gazette") -> Source:
    with app.app_context():
        source = db.session.execute(select(Source).where(Source.key == key)).scalar_one()
        db.session.expunge(source)
        return source


def _events(app, action: str) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.actor, AuditEvent.outcome, AuditEvent.object_ref)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def _patch(client, person, path: str, body: dict):
    """PATCH the JSON API as ``person`` (tests/conftest.py's Api has no patch)."""
    return client.patch(f"/api/v1{path}", json=body, headers=person.headers)


def _post(client, page: str, url: str, data: dict):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def shipped(app, runner, feeds):
    """The gazette source synced from the feed files by a first ``incident-hub poll``."""
    url = feeds.serve("/gazette.xml", rss([SHUTDOWN]))
    _feed_file(app, url)
    result = runner.invoke(["poll"])
    assert result.exit_code == 0, result.output
    return url


def test_admin_edits_a_shipped_source_and_the_next_sync_keeps_the_edit(
    app, client, people, runner, feeds, shipped
):
    web_login(client, app, people["admin"].email)
    page = client.get("/sources").get_data(as_text=True)
    assert 'href="/sources/gazette/edit"' in page and "Poll now" in page
    assert "Myanmar" in page  # the jurisdiction by name, not MM
    edit = client.get("/sources/gazette/edit").get_data(as_text=True)
    assert 'value="Myanmar"' in edit and "<datalist" in edit
    moved = feeds.serve("/gazette-v2.xml", rss([SHUTDOWN]))
    saved = _post(
        client,
        "/sources/gazette/edit",
        "/sources/gazette/edit",
        {
            "title": "Gazette of the Union",
            "url": moved,
            "language": "en",
            "interval_min": "120",
            "jurisdiction": "Thailand",
            "covers": "Laws and orders",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    source = _source(app)
    assert (source.title, source.url, source.jurisdiction) == ("Gazette of the Union", moved, "TH")
    assert source.interval_min == 120 and source.etag is None
    assert source.admin_fields == ["covers", "interval_min", "jurisdiction", "title", "url"]
    (event,) = _events(app, "source.edited")
    assert event == (people["admin"].email, "ok", "gazette")

    result = runner.invoke(["poll", "--source", "gazette"])  # syncs the files first
    assert result.exit_code == 0, result.output
    after = _source(app)
    assert (after.title, after.url, after.jurisdiction) == ("Gazette of the Union", moved, "TH")
    assert after.last_status == "ok"  # polled at the address the admin gave
    assert feeds.hits("/gazette-v2.xml") == 1


def test_a_setting_the_admin_did_not_touch_still_follows_the_file(
    app, client, people, runner, shipped
):
    changed = _patch(client, people["admin"], "/sources/gazette", {"title": "Renamed"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["admin_fields"] == ["title"]
    _feed_file(app, shipped, jurisdiction="TH", covers="Now from the file")
    assert runner.invoke(["poll"]).exit_code == 0
    source = _source(app)
    assert source.title == "Renamed"  # the admin's
    assert (source.jurisdiction, source.covers) == ("TH", "Now from the file")  # the file's


def test_admin_disables_and_enables_a_source_and_sync_keeps_it_disabled(
    app, client, people, runner, feeds, shipped
):
    web_login(client, app, people["admin"].email)
    off = _post(client, "/sources", "/sources/gazette/enabled", {"enabled": "false"})
    assert off.status_code == 302
    assert "Source gazette disabled." in client.get("/sources").get_data(as_text=True)
    before = len(feeds.requests)
    result = runner.invoke(["tick", "--at", "2099-01-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert _source(app).enabled is False and len(feeds.requests) == before  # not polled
    on = _post(client, "/sources", "/sources/gazette/enabled", {"enabled": "true"})
    assert on.status_code == 302 and _source(app).enabled is True
    assert [e[0] for e in _events(app, "source.disabled")] == [people["admin"].email]
    assert [e[0] for e in _events(app, "source.enabled")] == [people["admin"].email]


def test_admin_polls_one_source_now_from_the_page_and_the_api(app, client, api, people, feeds):
    url = feeds.serve("/a.xml", rss([SHUTDOWN]))
    created = api("admin").post("/sources", json={"key": "a", "title": "A", "url": url})
    assert created.status_code == 201
    web_login(client, app, people["admin"].email)
    polled = _post(client, "/sources", "/sources/a/poll", {})
    assert polled.status_code == 302
    page = client.get("/sources").get_data(as_text=True)
    assert "Polled a: 1 new, 0 updated, 1 flagged." in page
    assert len(api("triager").get("/alerts").get_json()) == 1
    again = api("admin").post("/sources/a/poll")
    assert again.status_code == 200, again.get_json()
    body = again.get_json()
    assert body["source"]["key"] == "a" and body["status"] in ("ok", "not_modified")
    assert body["new"] == 0
    assert [e[0] for e in _events(app, "source.polled")] == [people["admin"].email] * 2
    feeds.serve("/a.xml", b"down for maintenance", status=500)
    failing = api("admin").post("/sources/a/poll").get_json()
    assert failing["status"] == "error" and failing["error"]


@pytest.mark.parametrize(
    ("method", "path", "body", "action"),
    [
        ("patch", "/sources/gazette", {"title": "Mine"}, "source.edit"),
        ("post", "/sources/gazette/poll", None, "source.poll"),
    ],
)
def test_others_are_refused_through_the_api_and_audited(
    app, client, api, people, shipped, method, path, body, action
):
    for who in ("triager", "legal", "exec"):
        if method == "patch":
            response = _patch(client, people[who], path, body)
        else:
            response = api(who).post(path, json=body)
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
    denied = _events(app, action)
    assert [(a, o) for a, o, _ in denied] == [
        (people[w].email, "denied") for w in ("triager", "legal", "exec")
    ]
    assert _source(app).title == "Official Gazette"


def test_others_are_refused_on_the_web_and_see_no_controls(app, client, people, shipped):
    web_login(client, app, people["triager"].email)
    page = client.get("/sources").get_data(as_text=True)
    assert "Poll now" not in page and "/sources/gazette/edit" not in page
    assert client.get("/sources/gazette/edit").status_code == 403
    token = csrf_from(page)
    for url, data in [
        ("/sources/gazette/edit", {"title": "Mine"}),
        ("/sources/gazette/enabled", {"enabled": "false"}),
        ("/sources/gazette/poll", {}),
    ]:
        refused = client.post(url, data={**data, "csrf_token": token})
        assert refused.status_code == 403, url
    source = _source(app)
    assert source.enabled and source.title == "Official Gazette"
    assert len(_events(app, "source.edit")) == 2  # the form page, and the edit posted
    assert [o for _, o, _ in _events(app, "source.disable")] == ["denied"]
    assert [o for _, o, _ in _events(app, "source.poll")] == ["denied"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("url", "ftp://example.org/feed", "Feed address must be an http:// or https:// address"),
        ("title", "", "Title is required"),
        ("jurisdiction", "Narnia", "Jurisdiction “Narnia” is not an ISO 3166 country"),
        ("interval_min", "soon", "Poll interval (minutes) must be a whole number"),
        ("language", "xx", "Language must be one the watcher reads"),
    ],
)
def test_a_bad_edit_is_shown_at_the_field_in_words(
    app, client, people, shipped, field, value, shown
):
    web_login(client, app, people["admin"].email)
    form = {"title": "Official Gazette", "url": shipped, "language": "en", field: value}
    bad = _post(client, "/sources/gazette/edit", "/sources/gazette/edit", form)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422, html
    assert f'id="{field}-error"' in html and shown in html
    assert _source(app).admin_fields == []


@pytest.mark.config(FEEDS={"ALLOW_PRIVATE_NETWORKS": False})
def test_an_address_on_a_private_network_is_refused_when_it_is_set(app, client, api, people):
    added = api("admin").post(
        "/sources", json={"key": "lan", "title": "LAN", "url": "http://10.0.0.7/feed.xml"}
    )
    assert added.status_code == 422 and added.get_json()["error"]["field"] == "url"
    good = api("admin").post(
        "/sources", json={"key": "web", "title": "Web", "url": "https://example.org/feed.xml"}
    )
    assert good.status_code == 201
    for url in ("http://127.0.0.1:8080/feed", "http://[::1]/feed", "http://0x7f.1/feed"):
        moved = _patch(client, people["admin"], "/sources/web", {"url": url})
        assert moved.status_code == 422, url
        assert "private" in moved.get_json()["error"]["message"]
    assert _source(app, "web").url == "https://example.org/feed.xml"


def test_the_api_edits_and_switches_and_names_an_unknown_source(app, client, api, people, shipped):
    admin = api("admin")
    off = _patch(
        client, people["admin"], "/sources/gazette", {"enabled": False, "jurisdiction": ""}
    )
    assert off.status_code == 200, off.get_json()
    assert off.get_json()["enabled"] is False and off.get_json()["jurisdiction"] == ""
    assert _patch(client, people["admin"], "/sources/nope", {"title": "x"}).status_code == 404
    assert admin.post("/sources/nope/poll").status_code == 404
    bad = _patch(client, people["admin"], "/sources/gazette", {"interval_min": True})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "interval_min"
