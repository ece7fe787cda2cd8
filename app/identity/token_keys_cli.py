"""`flask token-keys`: generate an access-token key, print the verification keys (JWKS)."""
import json

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.cli import AppGroup

from app.common.token_keys import thumbprint, token_keys

token_keys_cli = AppGroup("token-keys", help="Access-token signing keys (EdDSA) and their rotation")


@token_keys_cli.command("generate")
def generate_command():
    """Print a new Ed25519 private key (PEM), its public key and its kid."""
    key = Ed25519PrivateKey.generate()
    click.echo(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode(), nl=False)
    click.echo(key.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode(), nl=False)
    click.echo(f"kid: {thumbprint(key.public_key())}", err=True)


@token_keys_cli.command("jwks")
def jwks_command():
    """Print every key that verifies access tokens, as a JWKS document (for other services)."""
    keys = token_keys()
    click.echo(json.dumps({**keys.jwks(), "signing_kid": keys.signing_kid}, indent=2))
