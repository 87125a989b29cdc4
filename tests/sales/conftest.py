import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English for the assertions in this package (views switch language)."""
