# Stands in for python:3.11-slim-bookworm: Debian's own Python 3.11, pip on PATH as in the official image
FROM smart-province/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3-pip python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* /usr/lib/python3.11/EXTERNALLY-MANAGED \
 && ln -s /usr/bin/python3.11 /usr/local/bin/python && ln -s /usr/bin/pip3 /usr/local/bin/pip
COPY extra-ca.crt /usr/local/share/ca-certificates/extra-ca.crt
RUN update-ca-certificates >/dev/null
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python"]
