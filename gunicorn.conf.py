"""gunicorn settings, read when gunicorn starts in the project folder (command-line flags win).

Sync workers: one request at a time each, so the count is what bounds
concurrency. A sync worker cannot report to the arbiter while it serves a
request; a request still running after `timeout` seconds gets its worker
killed. The longest legitimate request is a streamed CSV export of a whole
province (every overdue dossier: 8 s for 140,000 rows on 2 CPUs), so the
default leaves room for several times that. Without GUNICORN_BIND it listens on
loopback at PORT (8000), the port the app builds its links from.
"""
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
