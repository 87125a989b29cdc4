import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English for the assertions in this package."""


# Scratch databases, process groups and working directories for the subprocess tests.
from .pgcluster import pg_cluster  # noqa: E402, F401 - a PostgreSQL server of the test's own
from .scratch import ops_dir, processes, scratch, scratch_templates  # noqa: E402, F401
