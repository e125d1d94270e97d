"""People's data at rest: AES-256-GCM for ID numbers and phones, HMAC-SHA256 keyed hashes for lookup."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

_PREFIX = "v1:"


def _derived(name: str) -> bytes:
    configured = current_app.config.get(name)
    if configured:
        raw = configured.encode()
        return raw if len(raw) == 32 else hashlib.sha256(raw).digest()
    # Development/testing: derived from SECRET_KEY; production refuses to start without its own keys.
    return hashlib.sha256(f"county_net {name}|{current_app.config['SECRET_KEY']}".encode()).digest()


def encrypt(plain: str | None, purpose: str) -> str | None:
    if plain is None or plain == "":
        return None
    nonce = os.urandom(12)
    sealed = AESGCM(_derived("DATA_ENCRYPTION_KEY")).encrypt(nonce, plain.encode(), purpose.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str | None, purpose: str) -> str | None:
    if not token:
        return None
    if not token.startswith(_PREFIX):
        raise ValueError("unknown ciphertext version")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX):])
    return AESGCM(_derived("DATA_ENCRYPTION_KEY")).decrypt(raw[:12], raw[12:], purpose.encode()).decode()


def lookup_hash(value: str | None, purpose: str) -> str | None:
    if not value:
        return None
    return hmac.new(_derived("LOOKUP_HMAC_KEY"), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()
