"""The preview's validated rows, kept next to the upload so that the run does not read, validate
and spell the file again.

`<upload>.prepared.jsonl`: a header line, one `ImportRow.dump()` per row in file order, and
a last line with the number of rows.
The header names the upload's SHA-256 and a digest of what validation depended on (the
company's grades and members, the stage and source names, this format's version); the run
uses the file only when both still match, and reads the upload again otherwise. Per-row errors
that depend on other customers (customer numbers, duplicates) are not kept: the run checks
them again, against the database as it is then.
"""

import hashlib
import json
import logging
import tempfile
from typing import IO

from django.core.files import File

from .rows import Context, ImportRow

log = logging.getLogger(__name__)

#: Part of the header: a change of the row format or of the derived columns changes it.
VERSION = 1
SUFFIX = ".prepared.jsonl"


def upload_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def context_digest(ctx: Context) -> str:
    text = json.dumps([VERSION, ctx.fingerprint()], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Writer:
    """Collects the lines in a temporary file while the rows are validated."""

    def __init__(self, *, data: bytes, ctx: Context) -> None:
        self.handle: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in save()
        header = {"version": VERSION, "upload": upload_digest(data), "context": context_digest(ctx)}
        self.handle.write(json.dumps(header).encode() + b"\n")

    def add_lines(self, text: str) -> None:
        self.handle.write(text.encode())

    def save(self, job, *, rows: int) -> None:
        """Store the file next to the job's upload (replacing a leftover of the same name),
        ending with the number of rows: a file cut short is not taken for a shorter one."""
        storage = job.file.storage
        name = job.file.name + SUFFIX
        try:
            self.handle.write(json.dumps({"rows": rows}).encode() + b"\n")
            self.handle.seek(0)
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(self.handle))
            if saved != name:  # the storage chose another name: the run would not find it
                storage.delete(saved)
        finally:
            self.handle.close()

    def discard(self) -> None:
        self.handle.close()


def load(job, *, data: bytes, ctx: Context) -> list[ImportRow] | None:
    """The prepared rows of the job's upload, or None when there are none that fit."""
    storage = job.file.storage
    name = job.file.name + SUFFIX
    try:
        if not storage.exists(name):
            return None
        with storage.open(name, "rb") as opened:
            # Django's File iterates from the start (it seeks to 0): read the file object's
            # own lines.
            handle = getattr(opened, "file", opened)
            header = json.loads(handle.readline())
            expected = {
                "version": VERSION,
                "upload": upload_digest(data),
                "context": context_digest(ctx),
            }
            if header != expected:
                log.info("import %s: prepared rows out of date, reading the upload", job.pk)
                return None
            items = [json.loads(line) for line in handle]
        if not items or items[-1] != {"rows": job.total_rows} or len(items) != job.total_rows + 1:
            log.warning("import %s: prepared rows incomplete, reading the upload", job.pk)
            return None
        rows = [ImportRow.load(item) for item in items[:-1]]
        del items
    except (OSError, ValueError, TypeError) as exc:
        log.warning("import %s: prepared rows unreadable (%s), reading the upload", job.pk, exc)
        return None
    grades, owners = set(ctx.grades.values()), set(ctx.owners.values())
    for row in rows:  # ids must be the company's own, whatever the file says
        if (row.grade_id is not None and row.grade_id not in grades) or (
            row.owner_id is not None and row.owner_id not in owners
        ):
            log.warning("import %s: prepared rows name unknown ids, reading the upload", job.pk)
            return None
    return rows


def delete(job) -> None:
    name = job.file.name + SUFFIX
    if job.file.name and job.file.storage.exists(name):
        job.file.storage.delete(name)
