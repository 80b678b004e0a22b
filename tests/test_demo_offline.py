"""A demo instance stays on its loopback snapshots for its whole life: the demo's own poll, every
later `tick` and `poll` (the scheduler runs the same jobs), and a source shipped after it."""

from __future__ import annotations

import shutil
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Runner, _base_config
from sqlalchemy import select

from incident_hub import create_app
from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.models import DEMO_ORIGIN, Source

SHIPPED_FEEDS = Path(__file__).resolve().parent.parent / "feeds"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def demo_app(db_url, tmp_path):
    """The app with a copy of the shipped feeds (real addresses) and private networks refused,
    as on a newcomer's machine."""
    feeds_dir = tmp_path / "feeds"
    shutil.copytree(SHIPPED_FEEDS, feeds_dir)
    config = _base_config(db_url)
    config.update(FEEDS_DIR=str(feeds_dir), FEEDS={"TIMEOUT_S": 5})
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    """Every host name resolved; anything but loopback fails as it would with no network."""
    hosts: list[str] = []
    real = socket.getaddrinfo

    def spy(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        hosts.append(str(host))
        if str(host) not in LOOPBACK:
            raise socket.gaierror(f"test: no internet ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    return hosts


def _sources(app) -> list[Source]:
    with app.app_context():
        return list(db.session.execute(select(Source)).scalars())


def test_tick_and_poll_on_a_demo_instance_fetch_only_loopback(demo_app, looked_up):
    cli = Runner(demo_app)
    result = cli.invoke(["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "flagged for triage" in result.output
    sources = _sources(demo_app)
    enabled = [s for s in sources if s.enabled]
    assert enabled and all(s.origin == DEMO_ORIGIN for s in sources)
    assert all(s.url.startswith("http://127.0.0.1/snapshots/") for s in enabled)
    assert all(s.error_count == 0 for s in enabled), [(s.key, s.last_error) for s in enabled]

    later = (now() + timedelta(days=2)).isoformat()
    for args in (
        ["tick", "--at", later],
        ["poll", "--at", later],
        ["poll", "--source", enabled[0].key],
    ):
        result = cli.invoke(args)
        assert result.exit_code == 0, result.output
    after = {s.key: s for s in _sources(demo_app)}
    for source in sources:  # nothing was re-synced back to the real addresses
        assert after[source.key].url == source.url
        assert after[source.key].enabled == source.enabled
    assert all(after[s.key].error_count == 0 for s in enabled)
    assert looked_up and set(looked_up) <= LOOPBACK, sorted(set(looked_up) - LOOPBACK)


def test_a_source_shipped_after_the_demo_joins_it_on_loopback(demo_app, looked_up):
    cli = Runner(demo_app)
    assert cli.invoke(["demo", "--no-serve"]).exit_code == 0
    feeds_dir = Path(demo_app.config["FEEDS_DIR"])
    shutil.copy(feeds_dir / "snapshots" / "edri.xml", feeds_dir / "snapshots" / "later.xml")
    (feeds_dir / "later.toml").write_text(
        '[[sources]]\nkey = "later-recorded"\ntitle = "Later, recorded"\n'
        'url = "https://later.example.org/feed"\nsnapshot = "snapshots/later.xml"\n\n'
        '[[sources]]\nkey = "later-live"\ntitle = "Later, live only"\n'
        'url = "https://live.example.org/feed"\n',
        encoding="utf-8",
    )
    result = cli.invoke(["tick", "--at", (now() + timedelta(hours=3)).isoformat()])
    assert result.exit_code == 0, result.output
    added = {s.key: s for s in _sources(demo_app) if s.key.startswith("later-")}
    assert added["later-recorded"].origin == DEMO_ORIGIN and added["later-recorded"].enabled
    assert added["later-recorded"].url == "http://127.0.0.1/snapshots/later.xml"
    assert added["later-recorded"].last_polled_at is not None
    assert added["later-live"].origin == DEMO_ORIGIN and not added["later-live"].enabled
    assert set(looked_up) <= LOOPBACK


def test_an_instance_that_never_ran_the_demo_keeps_the_real_addresses(demo_app):
    from incident_hub.watch.sources import sync_sources_from_files

    with demo_app.app_context():
        sync_sources_from_files()
        sources = list(db.session.execute(select(Source)).scalars())
    assert sources and all(s.origin == "file" and s.enabled for s in sources)
    assert all(s.url.startswith("https://") for s in sources)
