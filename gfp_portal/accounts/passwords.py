"""Argon2id password hashing with parameters from the config."""
import base64
import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def _stand_in_hash(hasher):
    """A well-formed hash at the configured cost that no password matches.

    Verifying against it costs one Argon2 computation, exactly like a real account, so a
    refused sign-in takes the same time whether or not the account exists."""
    def b64(raw):
        return base64.b64encode(raw).decode("ascii").rstrip("=")
    return (f"$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost},"
            f"p={hasher.parallelism}${b64(bytes(hasher.salt_len))}${b64(bytes(hasher.hash_len))}")


def verify_password(password_hash, password):
    hasher = _hasher()
    if not password_hash:
        with contextlib.suppress(VerificationError):
            hasher.verify(_stand_in_hash(hasher), password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)
