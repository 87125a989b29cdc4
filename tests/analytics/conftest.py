import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English for the assertions in this package (pages are also fetched in
    Chinese with an Accept-Language header)."""
