"""gunicorn settings for parindex (``gunicorn -c deploy/gunicorn.conf.py parindex.site.wsgi``).

Read from the environment (the systemd unit's EnvironmentFile, or the container's):
``PARINDEX_WEB_BIND`` (default ``127.0.0.1:8000``; ``unix:/run/parindex/web.sock`` works too),
``PARINDEX_WEB_WORKERS`` (default 2 × CPU cores + 1), ``PARINDEX_WEB_THREADS`` (default 1),
``PARINDEX_WEB_TIMEOUT`` (seconds, default 120). See docs/deployment.md for sizing.
"""

import multiprocessing
import os

bind = [os.environ.get("PARINDEX_WEB_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("PARINDEX_WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("PARINDEX_WEB_THREADS") or 1)
timeout = int(os.environ.get("PARINDEX_WEB_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so that a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# nginx on the same host sets X-Forwarded-Proto; trust it from there only.
forwarded_allow_ips = os.environ.get("PARINDEX_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# Heartbeat files on tmpfs instead of the (possibly slow) disk of /tmp.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
