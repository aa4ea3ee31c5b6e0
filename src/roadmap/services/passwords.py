"""Password hashing with Argon2id (argon2-cffi, the reference binding)."""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# The RFC 9106 low-memory profile (64 MiB, 3 passes) unless ROADMAP_ARGON2_PROFILE names a
# cheaper one; the test suite uses "CHEAPEST" to keep hundreds of sign-ins fast. Hashes
# made under one profile still verify under another and are upgraded on the next sign-in.
_profile = getattr(profiles, os.environ.get("ROADMAP_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"))
_hasher = PasswordHasher.from_parameters(_profile)

# Verified against when the username does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
