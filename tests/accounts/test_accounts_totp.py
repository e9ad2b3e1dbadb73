"""The TOTP module against the test vectors of RFC 6238 (appendix B) and RFC 4226."""

from __future__ import annotations

import pytest

from parindex.accounts import totp

SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890123456789012345678901234567890123456789012345678901234"

RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix_time", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_matches_every_rfc_6238_vector(
    unix_time: int, sha1: str, sha256: str, sha512: str
) -> None:
    step = totp.time_step(unix_time)
    assert totp.hotp(SHA1_KEY, step, digits=8) == sha1
    assert totp.hotp(SHA256_KEY, step, digits=8, digest="sha256") == sha256
    assert totp.hotp(SHA512_KEY, step, digits=8, digest="sha512") == sha512


def test_hotp_matches_the_rfc_4226_vectors() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922",
                "162583", "399871", "520489"]  # fmt: skip
    assert [totp.hotp(SHA1_KEY, counter) for counter in range(10)] == expected


def test_a_code_matches_its_own_step_and_one_either_side_only() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = totp.time_step(now)
    assert totp.matching_step(secret, totp.code_at(secret, step), now) == step
    assert totp.matching_step(secret, totp.code_at(secret, step - 1), now) == step - 1
    assert totp.matching_step(secret, totp.code_at(secret, step + 1), now) == step + 1
    assert totp.matching_step(secret, totp.code_at(secret, step - 2), now) is None
    assert totp.matching_step(secret, "12345", now) is None
    assert totp.matching_step(secret, "abcdef", now) is None


def test_the_provisioning_uri_names_issuer_account_and_parameters() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="so.noivu", issuer="parindex")
    assert uri == (
        "otpauth://totp/parindex:so.noivu?secret=JBSWY3DPEHPK3PXP&issuer=parindex"
        "&algorithm=SHA1&digits=6&period=30"
    )
