"""Migration 0007 (alert reports) on SQLite and PostgreSQL: existing alerts get one report each
with the same keys the app computes at ingest, a later report joins them, and downgrade works."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from conftest import BACKENDS, PG_URL, _admin_engine, _base_config, normalise_pg
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.ingest import ingest
from incident_hub.watch.models import Alert, AlertReport, AlertReportToken, FeedItem, Source
from incident_hub.watch.parse import Entry, content_hash
from incident_hub.watch.same_story import canonical_url, prefix_tokens, title_tokens, url_key
from incident_hub.watch.service import classifier

TITLE = "Ministry orders nationwide mobile internet shutdown ahead of election"
LINK = "https://www.news.example/world/2026/myanmar-shutdown/?utm_source=rss"
NEW_TABLES = {"alert_reports", "alert_report_tokens"}


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A database of its own, with no schema at all (the shared ones are already migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    base = make_url(normalise_pg(PG_URL))
    name = f"{base.database}_{os.getpid()}_migrate"
    engine = _admin_engine(base.render_as_string(hide_password=False))
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    request.addfinalizer(drop)
    return base.set(database=name).render_as_string(hide_password=False)


def _history(at) -> None:  # noqa: ANN001
    """Rows as the revision before knew them: two sources, an alert on each, an unflagged item."""
    gazette = Source(key="gazette", title="Gazette", url="https://gazette.example/feed")
    wire = Source(key="wire", title="Wire", url="https://wire.example/feed")
    items = [
        FeedItem(source=gazette, guid="g1", link=LINK, content_hash="1" * 64, title=TITLE,
                 published_at=at - timedelta(days=1), first_seen_at=at, last_seen_at=at),
        FeedItem(source=wire, guid="w1", link="", content_hash="2" * 64, title="Court ruling",
                 first_seen_at=at, last_seen_at=at),
        FeedItem(source=wire, guid="w2", link="https://wire.example/x", content_hash="3" * 64,
                 title="Phone maker launches handset", first_seen_at=at, last_seen_at=at),
    ]  # fmt: skip
    db.session.add_all(items)
    db.session.add_all(
        Alert(item=entry, source=entry.source, score=5.0, created_at=at) for entry in items[:2]
    )
    db.session.commit()
    db.session.remove()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0007_backfills_one_report_per_alert_and_downgrades_cleanly(empty_database):
    app = create_app(_base_config(empty_database))
    at = now()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0010_item_language")
        assert not NEW_TABLES & _tables()
        _history(at)
        upgrade(directory=MIGRATIONS_DIR)
        reports = db.session.execute(db.select(AlertReport).order_by(AlertReport.id)).scalars()
        first, second = list(reports)
        assert (first.matched_by, second.matched_by) == ("first", "first")
        assert first.url_key == url_key(canonical_url(LINK)) and first.url_key
        assert first.canonical_url == "https://news.example/world/2026/myanmar-shutdown"
        assert first.title_key == " ".join(title_tokens(TITLE))
        assert first.reported_at == at - timedelta(days=1)  # published, else first seen
        assert second.url_key is None and second.reported_at == at
        tokens = db.session.execute(db.select(AlertReportToken.token)).scalars().all()
        assert sorted(tokens) == sorted(prefix_tokens(title_tokens(TITLE)))  # "Court ruling": none
        assert db.session.query(AlertReport).count() == 2  # the unflagged item got none

        # A later report, from another feed, of the migrated alert's story joins it.
        wire = db.session.execute(db.select(Source).filter_by(key="wire")).scalar_one()
        body = "The telecoms regulator ordered operators to suspend mobile data in Myanmar."
        later = Entry("w3", LINK.replace("utm_source=rss", "fbclid=1"), TITLE, body, at,
                      content_hash(TITLE, body))  # fmt: skip
        counts = ingest(wire, [later], classifier(), at)
        db.session.commit()
        assert (counts.new, counts.flagged, counts.joined) == (1, 0, 1)
        assert db.session.query(Alert).count() == 2
        db.session.remove()

        downgrade(directory=MIGRATIONS_DIR, revision="0010_item_language")
        assert not NEW_TABLES & _tables()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM alerts")).scalar() == 2
            assert conn.execute(text("SELECT COUNT(*) FROM feed_items")).scalar() == 4
        upgrade(directory=MIGRATIONS_DIR)  # and up again: the backfill runs on what is there
        assert db.session.query(AlertReport).count() == 2
        db.session.remove()
        db.engine.dispose()
