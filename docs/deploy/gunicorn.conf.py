# Sample gunicorn configuration for `jianyi serve --config docs/deploy/gunicorn.conf.py`.
# Environment (see README "Production"): DATABASE_URL, SECRET_KEY, JIANYI_SECURE_COOKIES=1,
# ATTACHMENTS_DIR. Timers are fired by separate `jianyi scheduler` processes.
import multiprocessing
import os

bind = os.environ.get("JIANYI_BIND", "127.0.0.1:8000")  # behind a TLS reverse proxy (nginx)
# Completions are CPU-bound (SpiffWorkflow in Python): one sync worker per core.
workers = int(os.environ.get("JIANYI_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60            # a worker stuck longer than this is killed and replaced
graceful_timeout = 30   # on SIGTERM/HUP, finish requests in flight first
keepalive = 5
max_requests = 20000    # recycle workers now and then (bounded memory)
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = "127.0.0.1"  # trust X-Forwarded-* only from the local proxy
