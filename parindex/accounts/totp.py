"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): 30-second steps, 6 digits,
HMAC-SHA-1, the parameters every authenticator app uses by default.

Standard library only, so the RFC's test vectors check it without Django.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block the RFC recommends


def new_secret() -> str:
    """A fresh shared secret in base32 (what authenticator apps accept), without padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def time_step(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def code_at(secret: str, step: int) -> str:
    return hotp(_key(secret), step)


def matching_step(secret: str, code: str, unix_time: float, *, drift: int = 1) -> int | None:
    """The time step whose code is `code`, looking `drift` steps either side of now (clocks
    of phones run a little early or late), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not (code.isascii() and code.isdecimal()):
        return None
    now = time_step(unix_time)
    key = _key(secret)
    for step in range(now - drift, now + drift + 1):
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
