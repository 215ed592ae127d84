"""`jianyi scheduler` and `jianyi serve`: the processes that run Jianyi — the timer scheduler, and
the web app on gunicorn or the development server.

gunicorn is imported only when `serve` runs it (`--workers`/`--config`): the development server,
the scheduler and every other command never need it.
"""
from __future__ import annotations

import threading

import click

from engine.scheduler import make_scheduler, tick
from workflows import housekeeping
from workflows.mail import outbox

from .. import create_app
from .common import warn_calendar


@click.command("scheduler")
@click.option("--interval", default=10.0, help="seconds between ticks")
@click.option("--once", is_flag=True, help="run one tick and exit")
def scheduler(interval: float, once: bool) -> None:
    """Run the timer scheduler in the foreground."""
    app = create_app()
    database, engine = app.extensions["db"], app.extensions["engine"]
    if once:
        click.echo(f"cases with fired timers: {tick(database, engine)}")
        with database.session() as session:
            warn_calendar(session)
        click.echo(f"suggestions whose words were counted: {housekeeping(database)}")
        for job in jobs(app)[1:]:
            click.echo(f"mails sent: {job(database)}")
        return
    make_scheduler(database, engine, interval_s=interval, blocking=True, jobs=jobs(app)).start()


def jobs(app) -> list:
    """The scheduler's jobs beside the timers: housekeeping, and sending mail when configured
    (with no SMTP host, notifications stay in the app and nothing is sent)."""
    settings = app.config["MAIL"]
    return [housekeeping] + ([outbox.job(settings)] if settings is not None else [])


class _Admission:
    """WSGI middleware of the development server: at most `limit` requests run the app at once.

    Werkzeug starts a thread per connection, and every thread competes for the one interpreter
    lock: in a 50-way burst of completions `/healthz` waited 4-6 s for its turns with no limit,
    up to 1.7 s with 4 requests at once, 0.6 s with 2 and 0.08 s with 1, while the burst took
    about as long in each case. Threads past the limit wait here holding nothing (no database
    connection, no lock); `/healthz` never waits.
    """

    def __init__(self, app, limit: int):
        self.app, self._slots = app, threading.BoundedSemaphore(limit)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            return self.app(environ, start_response)
        with self._slots:
            return self.app(environ, start_response)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
@click.option("--workers", type=int, default=0,
              help="production: serve with this many gunicorn worker processes (0: development "
                   "server)")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="a gunicorn config file (e.g. docs/deploy/gunicorn.conf.py)")
@click.option("--with-scheduler/--no-scheduler", default=True,
              help="development server only: also run the timer scheduler in this process")
@click.option("--threads", type=click.IntRange(1, 64), default=1,
              help="development server only: requests that run at once (more wait their turn; "
                   "/healthz never waits)")
def serve(host: str, port: int, workers: int, config_file: str | None,
          with_scheduler: bool, threads: int) -> None:
    """Run the web app: gunicorn with --workers or --config, else the development server."""
    if workers or config_file:
        from ..production import GunicornServer
        # Timers are fired by `jianyi scheduler` processes, never inside web workers.
        GunicornServer({"bind": f"{host}:{port}" if not config_file else None,
                        "workers": workers or None}, config_file).run()
        return
    app = create_app()
    if with_scheduler:
        make_scheduler(app.extensions["db"], app.extensions["engine"],
                       interval_s=app.config["SCHEDULER_INTERVAL_S"], jobs=jobs(app)).start()
    app.wsgi_app = _Admission(app.wsgi_app, threads)
    app.run(host=host, port=port, use_reloader=False, threaded=True)
