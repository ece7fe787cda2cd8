"""`flask worker run`: the delivery worker; `flask worker jobs`: its periodic jobs."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.common.jobs import load_scheduled_modules, periodic_jobs
from app.extensions import db
from app.notifications.models import PeriodicJob
from app.notifications.worker import Worker

worker_cli = AppGroup("worker", help="The notification delivery worker and its periodic jobs")


@worker_cli.command("run")
@click.option("--batch-size", type=int, default=None, help="Messages claimed at a time (WORKER_BATCH_SIZE)")
@click.option("--lease", type=float, default=None, help="Seconds a claim holds (WORKER_LEASE_SECONDS)")
@click.option("--poll", type=float, default=None, help="Seconds between polls when idle (WORKER_POLL_SECONDS)")
@click.option("--urgent-only", is_flag=True, help="Only OTP codes: a dedicated lane for them")
@click.option("--no-jobs", is_flag=True, help="Do not run the periodic jobs in this worker")
@click.option("--until-idle", is_flag=True, help="Exit when nothing is due (instead of waiting)")
def run_worker(batch_size, lease, poll, urgent_only, no_jobs, until_idle):
    """Deliver outbox messages until stopped (SIGTERM or Ctrl-C)."""
    load_scheduled_modules()
    worker = Worker(current_app._get_current_object(), batch_size=batch_size, lease_seconds=lease,
                    poll_seconds=poll, urgent_only=urgent_only, run_jobs=not no_jobs)
    click.echo(f"worker {worker.name}: delivering (batch {worker.batch_size}, lease {worker.lease}s)")
    outcomes = worker.run(until_idle=until_idle)
    click.echo(f"worker {worker.name} stopped: {dict(outcomes)}")


@worker_cli.command("jobs")
def list_jobs():
    """List the periodic jobs and when each runs next."""
    load_scheduled_modules()
    rows = {row.name: row for row in db.session.scalars(select(PeriodicJob))}
    for job in periodic_jobs():
        row = rows.get(job.name)
        when = row.next_run_at.isoformat() if row else "at the first worker start"
        error = f"  last error: {row.last_error}" if row and row.last_error else ""
        click.echo(f"{job.name:40} every {job.every}  next {when}{error}")
