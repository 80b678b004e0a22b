"""Feeds that move, polled from the loopback feed server: a chain of permanent redirects (301,
308) updates the source's address everywhere it is shown; any temporary hop (302, 303, 307)
leaves it alone; every hop still passes the SSRF checks; a file source keeps the new address
while its feed file still names the old one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import web_login
from feedserver import rss
from sqlalchemy import select

from incident_hub.audit.models import AuditEvent
from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch import ssrf
from incident_hub.watch.fetch import FetchError, FetchSettings, fetch, make_client

LOOSE = FetchSettings(timeout_s=2, allow_private_networks=True)
ORDER = {
    "title": "Regulator orders nationwide block of messaging app",
    "description": "The telecoms regulator ordered operators to block the encrypted app.",
    "guid": "urn:moved:1",
}


def hop(feeds, path: str, status: int, to: str) -> str:
    return feeds.serve(path, b"", status=status, headers={"Location": to})


def chain(feeds, statuses: list[int]) -> str:
    """/c0 → /c1 → … → /feed.xml, one hop per status; returns the first address."""
    target = feeds.serve("/feed.xml", rss([ORDER]), etag='"v1"')
    for index in reversed(range(len(statuses))):
        target = hop(feeds, f"/c{index}", statuses[index], target)
    return target


@pytest.mark.parametrize(
    ("statuses", "moves"),
    [([301], True), ([308], True), ([301, 308, 301], True), ([], False), ([302], False),
     ([303], False), ([307], False), ([301, 302], False), ([307, 301], False),
     ([301, 301, 307], False)],
    ids=lambda v: ("-".join(map(str, v)) or "no-redirect") if isinstance(v, list) else None,
)  # fmt: skip
def test_only_a_chain_of_permanent_redirects_reports_a_move(feeds, statuses, moves):
    start = chain(feeds, statuses)
    result = fetch(start, settings=LOOSE)
    assert result.final_url == feeds.url("/feed.xml")
    assert result.moved_to == (feeds.url("/feed.xml") if moves else None)
    not_modified = fetch(start, etag='"v1"', settings=LOOSE)
    assert not_modified.not_modified and not_modified.moved_to == result.moved_to


def test_a_permanent_redirect_to_a_refused_address_is_never_followed(feeds):
    """Every hop is still checked: the guard refuses the move before anything is stored."""
    public = ssrf.guarded_transport(allow_private=True, resolver=lambda h, p: ["127.0.0.1"])
    port = feeds.base.rsplit(":", 1)[1]
    strict = FetchSettings(timeout_s=2, allow_private_networks=False)
    hop(feeds, "/gone", 301, feeds.url("/feed.xml"))  # to 127.0.0.1: loopback
    mounts = {f"http://feeds.test:{port}": public}
    with make_client(strict, mounts=mounts) as client, pytest.raises(FetchError) as caught:
        fetch(f"http://feeds.test:{port}/gone", settings=strict, client=client)
    assert caught.value.kind == "ssrf" and "redirected to" in caught.value.reason
    assert feeds.hits("/feed.xml") == 0


def add_source(api, url: str, key: str = "moving") -> None:
    created = api("admin").post("/sources", json={"key": key, "title": "Moving", "url": url})
    assert created.status_code == 201, created.get_json()


def poll(runner, *args: str) -> str:
    result = runner.invoke(["poll", *args])
    assert result.exit_code == 0, result.output
    return result.output


def source(api, key: str = "moving") -> dict:
    return next(s for s in api("admin").get("/sources").get_json() if s["key"] == key)


def test_a_permanently_moved_feed_is_polled_at_its_new_address_from_then_on(
    app, api, runner, client, people, feeds
):
    add_source(api, chain(feeds, [301, 308]))
    output = poll(runner)
    new = feeds.url("/feed.xml")
    assert f"moved permanently to {new}" in output and "1 new" in output
    moved = source(api)
    assert (moved["url"], moved["moved_from"]) == (new, feeds.url("/c0"))
    assert moved["moved_at"] and moved["healthy"]
    hits = feeds.hits("/c0")
    later = (now() + timedelta(days=1)).isoformat()
    assert "moved" not in poll(runner, "--at", later)
    assert feeds.hits("/c0") == hits and feeds.requests[-1][0] == "/feed.xml"
    with app.app_context():
        (event,) = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "source.moved")
        ).scalars()
        assert event.details["to"] == new and event.details["from"] == feeds.url("/c0")
        assert event.actor == "system"
    assert runner.invoke(["audit", "verify"]).exit_code == 0
    web_login(client, app, people["admin"].email)
    page = client.get("/sources").get_data(as_text=True)
    assert "Moved permanently" in page and new in page and feeds.url("/c0") in page


@pytest.mark.parametrize("statuses", [[302], [307], [303], [301, 307], [302, 301]])
def test_a_temporary_hop_leaves_the_address_alone(api, runner, feeds, statuses):
    start = chain(feeds, statuses)
    add_source(api, start)
    output = poll(runner)
    assert "1 new" in output and "moved" not in output
    assert (source(api)["url"], source(api)["moved_from"]) == (start, None)


@pytest.mark.parametrize(
    ("target", "says"),
    [("/missing", "404"), ("/page.html", "web page"), ("file:///etc/passwd", "refused")],
    ids=["to-404", "to-a-web-page", "to-a-file-url"],
)
def test_a_permanent_redirect_to_no_feed_does_not_move_the_source(api, runner, feeds, target, says):
    feeds.serve(
        "/page.html", b"<!doctype html><html></html>", headers={"Content-Type": "text/html"}
    )
    start = hop(feeds, "/old", 301, target)
    add_source(api, start)
    poll(runner)
    failed = source(api)
    assert failed["healthy"] is False and says in failed["last_error"], failed["last_error"]
    assert (failed["url"], failed["moved_from"]) == (start, None)


def test_a_feed_moved_back_to_its_first_address_is_no_longer_marked_moved(api, runner, feeds):
    feeds.serve("/a.xml", rss([ORDER]))
    first = hop(feeds, "/first.xml", 301, "/a.xml")
    add_source(api, first)
    poll(runner)
    assert source(api)["moved_from"] == first
    feeds.serve("/first.xml", rss([ORDER]))
    hop(feeds, "/a.xml", 308, first)
    poll(runner, "--source", "moving")
    assert (source(api)["url"], source(api)["moved_from"], source(api)["moved_at"]) == (
        first,
        None,
        None,
    )


def write_feed_file(app, url: str) -> None:
    path = app.config["FEEDS_DIR"] + "/shipped.toml"
    with open(path, "w", encoding="utf-8") as out:
        out.write(f'[[sources]]\nkey = "shipped"\ntitle = "Shipped"\nurl = "{url}"\n')


def test_a_file_source_keeps_its_new_address_while_the_file_names_the_old_one(
    app, api, runner, feeds
):
    old = chain(feeds, [301])
    write_feed_file(app, old)
    poll(runner)  # syncs the file, then polls: moved
    new = feeds.url("/feed.xml")
    assert (source(api, "shipped")["url"], source(api, "shipped")["moved_from"]) == (new, old)
    for days in (1, 2):  # each poll re-syncs the file, which still names the old address
        poll(runner, "--at", (now() + timedelta(days=days)).isoformat())
        assert (source(api, "shipped")["url"], source(api, "shipped")["moved_from"]) == (new, old)
    assert feeds.hits("/c0") == 1
    write_feed_file(app, new)  # the maintainer catches up: the move is over
    poll(runner, "--source", "shipped")
    assert (source(api, "shipped")["url"], source(api, "shipped")["moved_from"]) == (new, None)
    elsewhere = feeds.serve("/elsewhere.xml", rss([ORDER]))
    write_feed_file(app, elsewhere)  # any other address in the file is an edit, and wins
    poll(runner, "--source", "shipped")
    assert source(api, "shipped")["url"] == elsewhere


def test_a_moved_address_is_refused_when_too_long_to_store(app, api, runner, feeds):
    long_path = "/" + "x" * 2100 + ".xml"
    feeds.serve(long_path, rss([ORDER]))
    start = hop(feeds, "/short.xml", 301, long_path)
    add_source(api, start)
    output = poll(runner)
    assert "1 new" in output and "moved" not in output
    assert source(api)["url"] == start
