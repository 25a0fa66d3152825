"""Durable background jobs (issue 15): Huey for the queue, the ``job`` table for the truth.

Why Huey
--------
Candidates compared for "a worker thread in the web process on SQLite by default,
several servers and workers on PostgreSQL/Redis":

* **Celery** — the most complete, but a broker (RabbitMQ/Redis) is mandatory, no SQLite
  or in-process mode fit for ``flask run``, and a large dependency and configuration surface.
* **RQ** — simple, but Redis only (no embedded default) and fork-per-job workers (no Windows,
  no threads).
* **Dramatiq** — reliable acks and retries, but RabbitMQ or Redis only; no embedded SQLite
  broker.
* **Procrastinate** — PostgreSQL only (LISTEN/NOTIFY, locks in the database): excellent
  for the multi-server case but nothing for the SQLite default, and async-first.
* **Huey** (chosen) — one small, well-kept package without dependencies: ``SqliteHuey`` on
  a file for the single-machine default with a consumer in threads of the web process,
  ``RedisHuey`` for several servers and ``flask worker`` processes, an immediate
  (synchronous) mode for tests, and a periodic scheduler (crontab) built in. Huey can
  also keep its queue in PostgreSQL (``huey.contrib.sql_huey``), but only through peewee,
  a second ORM beside SQLAlchemy with its own connection handling; Redis is the store Huey
  is built around (blocking pops, no polling), is one Debian package, and loses nothing
  that matters if it restarts empty: the ``job`` table below is the truth, and the
  sweeper sends again any job a restarted queue forgot.

What Huey lacks we add in the ``job`` table (:mod:`kaohe.jobs.models`): a task whose
consumer is killed mid-run is lost by Huey, and Huey keeps no progress another server
can read. Each run claims its job row (attempt number), reports progress and a
heartbeat there; the sweeper (a periodic task, every 30 s) queues again a job whose
heartbeat is older than ``KAOHE_JOB_STALE_SECONDS`` (60) while attempts remain, else
marks it failed 「执行中断：工作进程退出，已重试 N 次」. Files travel in the row
(``payload_blob``, ``result_blob``), so any server reads them.

API for features
----------------
Declare a job kind (the module must be imported by the app, e.g. from the feature's views)::

    from kaohe.jobs import JobContext, job_kind

    @job_kind("feature.thing", "生成某某", max_attempts=3,
              can_read=lambda job, user: ...,        # who else may see it (creator always)
              result_template="feature/_thing_result.html")  # optional, on the job page
    def make_thing(ctx: JobContext) -> dict | None:
        data = ctx.blob                      # the file given to submit(), if any
        for i, x in enumerate(ctx.payload["ids"], 1):
            ...                              # call services (flush only), as a view would
            ctx.progress(i, len(ids), "正在处理…")   # committed at once, readable anywhere
        ctx.result_file(pdf_bytes, "结果.pdf")     # optional download on /jobs/<id>/file
        return {"count": n}                  # JSON kept in job.result

The handler runs in an app context of its own; its session is committed once it
returns, together with the job's "done". Raise to fail: ``JobFailed("中文原因")`` and
:class:`~kaohe.core.errors.ValidationFailed` messages are shown as they are, other
exceptions as a generic Chinese reason naming the exception class. A handler may run
again after a worker died, so it should be safe to repeat. Submit it from a view or
service (flush only; the job is queued when the request commits)::

    from kaohe.jobs import submit
    job = submit("feature.thing", {"ids": ids}, blob=upload, ref=f"thing:{thing.id}")
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))   # the progress page

A periodic task (every server's consumer schedules it; ``once=True`` runs each slot on one
server only and records the run as a ``job`` row)::

    from kaohe.jobs import crontab, periodic

    @periodic(crontab(hour="7", minute="0"), "todos.digest")
    def send_digest() -> None:
        ...                                  # app context; committed on success

    send_digest.call_local()                 # the Huey task: runs it now (tests)

Huey itself is loaded on first use (a submission, the first request of a web process,
``flask worker``): tasks are declared through :mod:`kaohe.jobs.queue` (issue 17).

Operations: ``kaohe.jobs.services.queue_ok()`` for /readyz and ``queue_stats()`` for /metrics;
``flask --app app worker`` runs a consumer (see :mod:`kaohe.jobs.cli`).
"""
from kaohe.jobs.kinds import job_kind
from kaohe.jobs.runner import JobContext, JobFailed
from kaohe.jobs.queue import crontab
from kaohe.jobs.services import submit
from kaohe.jobs.tasks import periodic

__all__ = ["JobContext", "JobFailed", "crontab", "job_kind", "periodic", "submit"]
