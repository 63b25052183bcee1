"""Where evidence files' bytes live: one interface, a local directory by default or an S3-compatible object store
when configured (ASSESSMENT_S3_*, docs/deploy.md), chosen once by create_app."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

CHUNK = 64 * 1024
EVIDENCE_STORAGE = "assessment.evidence_storage"
"""The app extension holding the evidence storage create_app chose."""


class Readable(Protocol):
    """Bytes read in chunks."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to size bytes; b"" at the end."""


class ReadStream(Readable, Protocol):
    """Bytes read in chunks, closed when done."""

    def close(self) -> None:
        """Release the stream."""


class TooLarge(ValueError):
    """A stream grew past the bound given to `put`; nothing of it is kept."""


class MissingObject(LookupError):
    """No object is stored under this key."""


class Storage(Protocol):
    """Keeps objects under keys of 64 hex digits; `put` is atomic: an object is whole or absent."""

    def put(self, key: str, stream: Readable, max_bytes: int) -> int:
        """Store the stream under key, its size; raises TooLarge (leaving nothing) beyond max_bytes."""

    def open(self, key: str) -> ReadStream:
        """The object's bytes to read in chunks; raises MissingObject."""

    def delete(self, key: str) -> None:
        """Remove the object if there is one."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""

    def keys(self) -> Iterator[str]:
        """Every key stored."""

    def stored_at(self, key: str) -> float:
        """When the object was stored (seconds since the epoch), to leave uploads in progress alone."""


def _checked(key: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        raise ValueError("bad storage key")
    return key


class _Bounded:
    """Reads a stream on, raising TooLarge once more than max_bytes came."""

    def __init__(self, stream: Readable, max_bytes: int) -> None:
        self.stream, self.max_bytes, self.size = stream, max_bytes, 0

    def read(self, size: int = -1, /) -> bytes:
        """Exactly size bytes unless the stream ends first (boto3 takes a short read for the end)."""
        wanted = size if size > 0 else CHUNK
        parts: list[bytes] = []
        while wanted > 0 and (chunk := self.stream.read(wanted)):
            parts.append(chunk)
            wanted -= len(chunk)
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise TooLarge(self.max_bytes)
        return b"".join(parts)


class LocalDirectory:
    """Objects as files in a directory: <root>/<first two>/<key>, written to a temporary name and renamed."""

    def __init__(self, root: Path | Callable[[], Path]) -> None:
        # a callable is read at each use, so the app's EVIDENCE_DIR may still change after create_app (tests do)
        self._root = root

    @property
    def root(self) -> Path:
        """The directory the objects are kept in."""
        return self._root() if callable(self._root) else self._root

    def path(self, key: str) -> Path:
        """The file of an object."""
        return self.root / _checked(key)[:2] / key

    def put(self, key: str, stream: Readable, max_bytes: int) -> int:
        """Store the stream under key, its size; raises TooLarge (leaving nothing) beyond max_bytes."""
        target = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".upload-{secrets.token_hex(8)}"
        bounded = _Bounded(stream, max_bytes)
        try:
            with open(temporary, "wb") as out:
                while chunk := bounded.read(CHUNK):
                    out.write(chunk)
            target.parent.mkdir(exist_ok=True)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return bounded.size

    def open(self, key: str) -> ReadStream:
        """The object's bytes to read in chunks; raises MissingObject."""
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError as exc:
            raise MissingObject(key) from exc

    def delete(self, key: str) -> None:
        """Remove the object if there is one."""
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""
        return self.path(key).is_file()

    def keys(self) -> Iterator[str]:
        """Every key stored."""
        return (p.name for p in self.root.glob("??/*") if re.fullmatch(r"[0-9a-f]{64}", p.name))

    def stored_at(self, key: str) -> float:
        """When the object was stored (seconds since the epoch)."""
        return self.path(key).stat().st_mtime


class ObjectStore:
    """Objects in a bucket of an S3-compatible store (boto3), under <prefix><key>; uploads abort on any error."""

    def __init__(self, bucket: str, client: Any, prefix: str = "evidence/") -> None:
        from boto3.s3.transfer import TransferConfig

        self.bucket, self.client, self.prefix = bucket, client, prefix
        self.transfer = TransferConfig(use_threads=False)  # reads the upload stream in the request's own thread

    def _name(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, stream: Readable, max_bytes: int) -> int:
        """Store the stream under key, its size; raises TooLarge (leaving nothing) beyond max_bytes."""
        bounded = _Bounded(stream, max_bytes)
        # a failed single upload stores nothing; a failed multipart upload is aborted by boto3's transfer manager
        self.client.upload_fileobj(bounded, self.bucket, self._name(key), Config=self.transfer)
        return bounded.size

    def open(self, key: str) -> ReadStream:
        """The object's bytes to read in chunks; raises MissingObject."""
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise MissingObject(key) from exc
        body: ReadStream = found["Body"]
        return body

    def delete(self, key: str) -> None:
        """Remove the object if there is one."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def keys(self) -> Iterator[str]:
        """Every key stored."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for entry in page.get("Contents", []):
                name = str(entry["Key"])[len(self.prefix):]
                if re.fullmatch(r"[0-9a-f]{64}", name):
                    yield name

    def stored_at(self, key: str) -> float:
        """When the object was stored (seconds since the epoch)."""
        found = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        return float(found["LastModified"].timestamp())


def object_store(config: Mapping[str, Any]) -> ObjectStore:
    """The S3-compatible store the config names (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY; keys not given come from boto3's usual sources)."""
    import boto3

    client = boto3.client("s3", endpoint_url=config.get("S3_ENDPOINT_URL") or None,
                          region_name=config.get("S3_REGION") or None,
                          aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
                          aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None)
    return ObjectStore(str(config["S3_BUCKET"]), client, str(config.get("S3_PREFIX", "evidence/")))


def storage_of(where: Storage | Path) -> Storage:
    """A storage for a directory given as a path (the callers and tests of before), or the storage itself."""
    return LocalDirectory(where) if isinstance(where, Path) else where


def evidence_storage_of(config: Mapping[str, Any], instance_path: Callable[[], str]) -> Storage:
    """The evidence storage the config asks for: an S3-compatible store if S3_BUCKET is set, else the local
    directory EVIDENCE_DIR (default <instance>/evidence), read at each use."""
    if config.get("S3_BUCKET"):
        return object_store(config)
    return LocalDirectory(lambda: Path(config.get("EVIDENCE_DIR") or Path(instance_path()) / "evidence"))
