"""Which worker runs a job: a PostgreSQL advisory lock held for the whole run.

The lock belongs to the worker's database session, so PostgreSQL drops it the moment that worker
dies (killed, crashed, machine lost), without anyone having to clean up. That makes two questions
cheap and exact: "is another worker running this job right now?" (a duplicate delivery must not
run it twice) and "is this running job still alive?" (the requeue sweeper sends orphans again).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

# hashtext() folds the names into the two 32-bit keys of an advisory lock; the namespace keeps these
# locks apart from any other advisory lock the database might see.
_NAMESPACE = "crm_saas.jobs"


def _try_lock(job_id: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), hashtext(%s))", [_NAMESPACE, job_id])
        return bool(cursor.fetchone()[0])


def _unlock(job_id: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))", [_NAMESPACE, job_id])
    except DatabaseError:
        # The session is gone (database restarted mid-job): PostgreSQL released the lock with it.
        logger.warning("Could not release the run lock of job %s; its database session ended.", job_id)


@contextmanager
def job_run_lock(job_id: str) -> Iterator[bool]:
    """Hold the run lock of ``job_id`` while the block runs; yields False if another session has it."""
    acquired = _try_lock(job_id)
    try:
        yield acquired
    finally:
        if acquired:
            _unlock(job_id)


def job_run_lock_is_held(job_id: str) -> bool:
    """True while some live worker session runs the job."""
    if not _try_lock(job_id):
        return True
    _unlock(job_id)
    return False
