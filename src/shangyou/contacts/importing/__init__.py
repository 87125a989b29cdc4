"""Two-phase import of customers and their contacts from CSV, XLSX and vCard (C1).

1. `import_preview` reads the upload, validates every row (row numbers as in the file, the
   header being row 1; vCards by the line where the card begins), finds duplicates — against
   the company's customers and earlier rows of the same file — and stores the report with the
   file in an `ImportJob`, and the validated rows (with their duplicate keys and search
   columns) in a file next to the upload (`prepared`). Nothing else is written. Big files are
   validated in worker processes (`rows`).
2. `import_commit` records the user's choices (skip invalid rows? skip / merge / create each
   duplicate) and queues `run_import`, which applies the whole file in ONE transaction with
   progress: a failed import changes nothing, and a worker killed half-way leaves nothing behind
   — the task runs again from the start and, being idempotent, imports once. The run takes the
   prepared rows when they still fit the upload and the company (else it reads the file again),
   checks customer numbers and duplicates against the database as it is then, and writes the
   new customers in bulk (`writing`: COPY on PostgreSQL).
"""

from .duplicates import find_duplicates
from .jobs import (
    DECISIONS,
    MAX_STORED_PROBLEMS,
    import_commit,
    import_job_get,
    import_preview,
    import_progress,
    import_run,
)
from .rows import CUSTOMER_KEYS, ImportRow, ParsedFile, parse_upload
from .writing import BATCH_ROWS

__all__ = [
    "BATCH_ROWS",
    "CUSTOMER_KEYS",
    "DECISIONS",
    "MAX_STORED_PROBLEMS",
    "ImportRow",
    "ParsedFile",
    "find_duplicates",
    "import_commit",
    "import_job_get",
    "import_preview",
    "import_progress",
    "import_run",
    "parse_upload",
]
