"""Where the bytes of attachments live: behind one small interface, a local folder or an
S3-compatible bucket ([ATTACHMENTS] STORE).

Content-addressed: a file is kept under its SHA-256 (``ab/ab12…``), never under any name a
client sent, so the same content is stored once and no name can reach outside the store. A
file is written whole or not at all (a temporary file renamed into place; one S3 PUT).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from ..errors import ServiceError


class Unavailable(ServiceError):
    """The store cannot be reached or does not hold what the database says it does."""

    status, code = 503, "store_unavailable"


class Store(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...

    def get(self, sha256: str) -> bytes: ...


def key_of(sha256: str) -> str:
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256}"


def checked(sha256: str, data: bytes) -> bytes:
    """``data`` if it is the content of ``sha256``; a store that gives back other bytes is
    refused (a file changed or damaged behind the app's back is never served as evidence)."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Unavailable("the stored file does not match its recorded SHA-256; ask an admin")
    return data


class LocalStore:
    """Files under a folder (by default ``instance/attachments``), owner-only."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / key_of(sha256)

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.is_file():
            return
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_name(f".{sha256}.{os.getpid()}.{secrets.token_hex(6)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        except OSError as exc:
            raise Unavailable(f"the attachment could not be stored: {exc.strerror}") from None

    def get(self, sha256: str) -> bytes:
        try:
            return checked(sha256, self._path(sha256).read_bytes())
        except OSError as exc:
            raise Unavailable(f"the stored file cannot be read: {exc.strerror}") from None


class S3Store:
    """Objects in an S3-compatible bucket, under ``PREFIX`` + the key; credentials come from
    the environment and boto3's standard chain (never from the config file)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str = "", region: str = ""):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
        )

    def _key(self, sha256: str) -> str:
        return self.prefix + key_of(sha256)

    def put(self, sha256: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(sha256),
                Body=data,
                ContentType="application/octet-stream",
            )
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(f"the attachment could not be stored: {exc}") from None

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))
            return checked(sha256, answer["Body"].read())
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(f"the stored file cannot be read: {exc}") from None


def settings() -> dict[str, Any]:
    return current_app.config["ATTACHMENTS"]  # type: ignore[no-any-return]


def current_store() -> Store:
    """The app's store (one per app: an S3 client is made once)."""
    cache = current_app.extensions.setdefault("incident_hub.attachments", {})
    if "store" not in cache:
        cfg = settings()
        if cfg["STORE"] == "s3":
            cache["store"] = S3Store(
                cfg["BUCKET"], cfg["PREFIX"], cfg["ENDPOINT_URL"], cfg["REGION"]
            )
        else:
            root = cfg["DIR"] or os.path.join(current_app.instance_path, "attachments")
            cache["store"] = LocalStore(root)
    return cache["store"]  # type: ignore[no-any-return]
