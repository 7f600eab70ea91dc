"""Where stored files live: a folder on this machine, or the database that every machine shares.

Both stores take a checked key (see core.storage) and the same operations: put, read, chunks
(a stream), delete, exists, size, and the keys of a folder older than a time. In the database
a file is written, read and sized in the request's own transaction, so it is kept exactly when
the change that refers to it is committed; a download streams on short connections of its own,
one chunk at a time, and a delete is committed at once, as on a disk (files are removed only
once the change that dropped them is committed). Content is cut into chunks, so no single
value or query ever holds a whole large file.
"""
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import UTCDateTime, db, utcnow

CHUNK_BYTES = 1024 * 1024


class StoredBlob(db.Model):
    """One file kept in the database: its key and size; the content is in its chunks."""
    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredChunk(db.Model):
    __tablename__ = "stored_file_chunks"

    file_key: Mapped[str] = mapped_column(
        String(80), ForeignKey("stored_files.key", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LocalStore:
    """Files under one folder of this machine: the single-machine default."""

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        return self.root / key

    def put(self, key, data):
        # Written under a temporary name, then renamed: a failure never leaves half a file.
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)

    def size(self, key):
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def exists(self, key):
        return self._path(key).is_file()

    def keys(self):
        """Every file of the folder, as a key (a half-written `.part` file is not one)."""
        if self.root.is_dir():
            yield from sorted(path.relative_to(self.root).as_posix()
                              for path in self.root.rglob("*") if path.is_file())

    def keys_older_than(self, folder, cutoff):
        """The keys under `folder` last written before `cutoff`."""
        directory = self.root / folder
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                if path.is_file() and \
                        datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
                    yield f"{folder}/{path.name}"

    def read(self, key):
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def chunks(self, key):
        with open(self._path(key), "rb") as handle:
            while block := handle.read(CHUNK_BYTES):
                yield block

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


class DatabaseStore:
    """Files in the stored_files tables: shared by every machine that shares the database."""

    def __init__(self, session):
        self.session = session
        self.engine = session.get_bind()

    def put(self, key, data):
        blobs, chunks = StoredBlob.__table__, StoredChunk.__table__
        connection = self.session.connection()
        self._delete(connection, key)
        connection.execute(insert(blobs).values(key=key, size=len(data), created_at=utcnow()))
        for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            connection.execute(insert(chunks).values(
                file_key=key, seq=seq, data=data[start:start + CHUNK_BYTES]))

    def size(self, key):
        return self.session.connection().scalar(
            select(StoredBlob.__table__.c.size).where(StoredBlob.__table__.c.key == key))

    def exists(self, key):
        return self.size(key) is not None

    def keys_older_than(self, folder, cutoff):
        column = StoredBlob.__table__.c
        return self.session.connection().scalars(select(column.key).where(
            column.key.startswith(f"{folder}/", autoescape=True), column.created_at < cutoff)
            .order_by(column.key)).all()

    def read(self, key):
        column = StoredChunk.__table__.c
        if not self.exists(key):
            return None
        return b"".join(bytes(block) for block in self.session.connection().scalars(
            select(column.data).where(column.file_key == key).order_by(column.seq)))

    def chunks(self, key):
        # One short query per chunk, no connection held in between: a slow download ties up
        # nothing in the database's pool.
        column = StoredChunk.__table__.c
        seq = 0
        while True:
            with self.engine.connect() as connection:
                block = connection.scalar(select(column.data).where(
                    column.file_key == key, column.seq == seq))
            if block is None:
                return
            yield bytes(block)
            seq += 1

    def delete(self, key):
        with self.engine.begin() as connection:
            self._delete(connection, key)

    @staticmethod
    def _delete(connection, key):
        connection.execute(delete(StoredChunk.__table__)
                           .where(StoredChunk.__table__.c.file_key == key))
        connection.execute(delete(StoredBlob.__table__).where(StoredBlob.__table__.c.key == key))
