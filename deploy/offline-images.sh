#!/usr/bin/env bash
# Builds, from a Debian mirror, local images under the names the Dockerfile and compose.yaml use
# (python:3.11-slim-bookworm, postgres:15-bookworm, redis:7-bookworm, nginx:1.27-bookworm), for a
# host that reaches a Debian mirror and a PyPI mirror but no container registry. Run as root:
#
#   DEBIAN_MIRROR=http://deb.debian.org/debian EXTRA_CA_CERT=/path/ca.crt bash deploy/offline-images.sh
#
# EXTRA_CA_CERT: a certificate authority the image's pip must trust (a proxy that re-signs TLS);
# without it the image trusts Debian's bundle only. The images shadow the official ones on this
# host only; docs/operations.md §1 says what they share with them and what not.
set -euo pipefail
cd "$(dirname "$0")/offline"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if ! docker image inspect smart-province/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >&2
  root="$(mktemp -d)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - smart-province/debian:bookworm >/dev/null
  rm -rf "$root"
fi

if [ -n "${EXTRA_CA_CERT:-}" ]; then cp "$EXTRA_CA_CERT" extra-ca.crt; else : > extra-ca.crt; fi
trap 'rm -f extra-ca.crt' EXIT
build() { docker build -q -f "$1.Dockerfile" -t "$2" . >/dev/null && echo "built $2 (Debian packages)"; }
build python python:3.11-slim-bookworm
build postgres postgres:15-bookworm
build redis redis:7-bookworm
build nginx nginx:1.27-bookworm
