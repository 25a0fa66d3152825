"""``flask --app app worker``: a Huey consumer for this app's jobs and periodic tasks."""
from __future__ import annotations

import logging

import click
from flask import current_app


@click.command("worker")
@click.option("--workers", "-w", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker threads (jobs run at the same time).")
@click.option("--no-periodic", is_flag=True,
              help="Do not schedule periodic tasks (sweeper, cleanup) from this worker.")
def worker_command(workers: int, no_periodic: bool) -> None:
    """Run jobs from the queue until stopped (SIGINT: finish running jobs; SIGTERM: stop)."""
    from kaohe.jobs.engine import huey, storage_for  # loads Huey (see kaohe.jobs.queue)

    if huey.immediate:
        raise click.ClickException("KAOHE_JOBS_IMMEDIATE 已开启：任务在提交处同步执行，无需工作进程。")
    storage, kwargs = storage_for(current_app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"任务工作进程：{workers} 个线程，队列 {storage.__name__} "
               f"{kwargs.get('filename') or '(Redis)'}")
    consumer = huey.create_consumer(workers=workers, worker_type="thread",
                                    periodic=not no_periodic, scheduler_interval=1,
                                    max_delay=2.0)
    consumer.run()
