from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_cached_tokens() -> None:
    """Each test fetches its own access tokens (they are cached between calls, decision 0150)."""
    cache.clear()
