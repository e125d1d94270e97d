"""People's data at rest: AES-256-GCM for ID numbers and phones, HMAC-SHA256 keyed hashes for lookup.

Ciphertexts name the key that sealed them (`v2:<key id>:…`), so the data key can be rotated without a
stop: set the new `DATA_ENCRYPTION_KEY`, keep the old one in `DATA_ENCRYPTION_OLD_KEYS` until
`flask petitions rekey` has re-sealed every value, then drop it. `v1:` values (before key ids) are opened
with whichever configured key fits."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

_V1, _V2 = "v1:", "v2:"


def _as_key(configured: str) -> bytes:
    raw = configured.encode()
    return raw if len(raw) == 32 else hashlib.sha256(raw).digest()


def _derived(name: str) -> bytes:
    configured = current_app.config.get(name)
    if configured:
        return _as_key(configured)
    # Development/testing: derived from SECRET_KEY; production refuses to start without its own keys.
    return hashlib.sha256(f"county_net {name}|{current_app.config['SECRET_KEY']}".encode()).digest()


def key_id(key: bytes) -> str:
    """A short public name for a key (not the key: a hash of it under its own label)."""
    return hashlib.sha256(b"county_net key id|" + key).hexdigest()[:8]


def _data_keys() -> dict[str, bytes]:
    """The current data key first, then the old ones still accepted for reading."""
    keys = [_derived("DATA_ENCRYPTION_KEY")]
    old = current_app.config.get("DATA_ENCRYPTION_OLD_KEYS") or ""
    keys += [_as_key(item.strip()) for item in old.split(",") if item.strip()]
    return {key_id(k): k for k in keys}


def current_key_id() -> str:
    return key_id(_derived("DATA_ENCRYPTION_KEY"))


def encrypt(plain: str | None, purpose: str) -> str | None:
    if plain is None or plain == "":
        return None
    key = _derived("DATA_ENCRYPTION_KEY")
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), purpose.encode())
    return f"{_V2}{key_id(key)}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def sealed_with(token: str | None) -> str | None:
    """The key id a ciphertext names (None for v1 values, which name none)."""
    if token and token.startswith(_V2):
        return token[len(_V2):].split(":", 1)[0]
    return None


def decrypt(token: str | None, purpose: str) -> str | None:
    if not token:
        return None
    keys = _data_keys()
    if token.startswith(_V2):
        kid, body = token[len(_V2):].split(":", 1)
        if kid not in keys:
            raise ValueError(f"密钥 {kid} 未配置：请把旧密钥放进 DATA_ENCRYPTION_OLD_KEYS")
        candidates = [keys[kid]]
    elif token.startswith(_V1):
        body, candidates = token[len(_V1):], list(keys.values())
    else:
        raise ValueError("unknown ciphertext version")
    raw = base64.urlsafe_b64decode(body)
    for key in candidates:
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except InvalidTag:
            continue
    raise ValueError("没有能解开该密文的密钥")


def lookup_key() -> bytes:
    """The key of the lookup hashes, for callers that hash many values at once (the repeat index)."""
    return _derived("LOOKUP_HMAC_KEY")


def lookup_hash(value: str | None, purpose: str) -> str | None:
    if not value:
        return None
    return hmac.new(_derived("LOOKUP_HMAC_KEY"), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()
