"""Ed25519 detached signatures of ``manifest.json`` (with the ``cryptography`` library).

The signature file ``manifest.json.sig`` holds the raw 64-byte Ed25519 signature of the exact bytes
of ``manifest.json``, so it can also be checked without this tool::

    openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in manifest.json -sigfile manifest.json.sig

Keys are PEM files: a PKCS#8 private key (``nhi-evidence keygen`` or
``openssl genpkey -algorithm ed25519 -out signing.pem``) and its SubjectPublicKeyInfo public key
(``openssl pkey -in signing.pem -pubout -out signing.pub.pem``). An encrypted private key is opened
with the passphrase in ``NHI_EVIDENCE_KEY_PASSPHRASE``.

NOTE: Ed25519 signs the message itself (no pre-hash), which is why openssl needs ``-rawin``;
see https://cryptography.io/en/latest/hazmat/primitives/asymmetric/ed25519/ and
https://docs.openssl.org/3.0/man1/openssl-pkeyutl/.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: Algorithm name recorded in the manifest.
ALGORITHM = "ed25519"
#: Environment variable holding the passphrase of an encrypted private key.
PASSPHRASE_ENV = "NHI_EVIDENCE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
#: Largest key file read.
MAX_KEY_BYTES = 64 * 1024


class SigningError(Exception):
    """A key could not be read or is not an Ed25519 key (message fit for the user)."""


def _read_key_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_BYTES + 1)
    except FileNotFoundError:
        raise SigningError(f"{path}: no such key file") from None
    except IsADirectoryError:
        raise SigningError(f"{path}: is a folder, not a key file") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot read key file ({exc.strerror})") from None
    if len(data) > MAX_KEY_BYTES:
        raise SigningError(f"{path}: too large to be a PEM key")
    return data


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file."""
    data = _read_key_file(path)
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except TypeError:
        raise SigningError(f"{path}: the key is encrypted; set {PASSPHRASE_ENV}") from None
    except ValueError:
        # The library's message may quote PEM details; keep ours generic and never echo key material.
        raise SigningError(f"{path}: not a readable PEM private key (or wrong passphrase)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key ({type(key).__name__.removeprefix('_')})")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file (a private key file is accepted too)."""
    data = _read_key_file(path)
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SigningError(f"{path}: not a readable PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 public key")
    return key


def public_key_sha256(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key (hex): the key fingerprint recorded in manifests."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """The detached 64-byte signature of message."""
    return key.sign(message)


def check(key: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    """True when signature is a valid signature of message by key."""
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def generate(private_path: Path) -> Path:
    """Write a new private key (mode 0600, never overwriting) and its public key beside it; return the public path."""
    public_path = private_path.with_name(private_path.name.removesuffix(".pem") + ".pub.pem")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for target in (private_path, public_path):
        if target.exists():
            raise SigningError(f"{target}: already exists (not overwritten)")
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as exc:
        raise SigningError(f"{private_path}: cannot write key ({exc.strerror})") from None
    return public_path
