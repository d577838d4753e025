"""The gunicorn settings we ship and test (docs/deploy.md):

    gunicorn -c python:comments_service.gunicorn_conf 'comments_service:create_app()'

Command-line options (`--bind`, `--workers`, ...) and GUNICORN_CMD_ARGS override these.

Why threads: a sync worker reads a request in the worker itself, so two clients sending one byte
every two seconds froze a two-worker service for the length of their requests. A gthread worker
waits for data in its poller and reads requests in a pool of threads: a slow client holds one
thread of one worker, never the service (nginx in front, as deployed, buffers requests fully).
The app is thread-safe: per-thread Markdown converters, locked caches, the SQLite writer queue.

Why preload: the master builds the app once (and migrates the schema once) and forks the workers
from it, so the pages holding the code and the app's objects are the master's, shared with every
worker (copy-on-write; gc.freeze keeps the collector from copying them): each worker costs its own
pages only (issue 16: 74-91 MB RSS per worker, most of it the same imports in every one). A HUP
then starts workers with the code the master loaded: after an upgrade, restart the service.
"""

import gc
import multiprocessing

from comments_service.core import malloc

bind = "127.0.0.1:8001"
worker_class = "gthread"
#: Two processes per core (gunicorn's rule of thumb), at least two.
workers = max(2, 2 * multiprocessing.cpu_count())
#: Requests each worker serves at once; slow clients are held here, not in whole workers.
threads = 16
#: A worker silent this long is restarted; requests are short (a POST takes milliseconds).
timeout = 30
#: Finish in-flight requests on reload or stop, then go.
graceful_timeout = 10
keepalive = 5
#: Requests are small (64 KiB bodies, a few headers): refuse anything larger before the app.
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190
preload_app = True
#: Restart each worker now and then (with jitter, so never all at once): memory stays bounded.
max_requests = 20_000
max_requests_jitter = 2_000


def tune_malloc() -> bool:
    """Keep glibc's malloc from holding memory a worker no longer uses (issue 16 item 4:
    core/malloc.py tune: 2 arenas, a fixed mmap threshold): in the master before it starts a
    thread or forks, so that every worker inherits it. 16 threads building 1,000-comment pages
    grew a worker by ~3 MiB of arena each, and page bodies freed in the heap stayed there."""
    return malloc.tune()


def on_starting(server) -> None:
    """In the master, first thing (before the app is loaded, any thread started or worker forked)."""
    tune_malloc()


def when_ready(server) -> None:
    """In the master, after the app is loaded and before any worker is forked: close the app's
    database connections (a connection shared by two processes mixes their conversations), then
    move every object so far out of the collector's reach, so that collections in the workers do
    not write to (and so copy) the pages they share with the master."""
    from comments_service import db

    db.close_connections(server.app.wsgi())
    gc.freeze()


def post_worker_init(worker) -> None:
    """Start the worker's mail sender and re-baker as soon as it has loaded the app, not at its
    first request: mail and bakes a killed or stopped worker left queued go out even when no
    request comes."""
    from comments_service import rebake
    from comments_service.notifications import mail

    mail.start(worker.wsgi)
    rebake.start(worker.wsgi)
