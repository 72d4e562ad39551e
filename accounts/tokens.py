"""Device tokens: making a key and the digest it is stored and looked up by (decision 0046).

The key is 160 random bits shown once; only its SHA-256 is kept. No salt or pepper is needed: the
key is random, so its digest cannot be reversed by guessing, and an unsalted digest is what lets
the lookup be one indexed equality (``digest = %s``) without an extra query.
"""

from __future__ import annotations

import hashlib
import secrets


def new_key() -> str:
    """40 hexadecimal characters, the shape of the DRF keys the phones already handle."""
    return secrets.token_hex(20)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
