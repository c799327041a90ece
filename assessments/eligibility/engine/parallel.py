"""Running the county's batches on a few database connections at once.

Each batch is one statement in its own transaction on disjoint household id ranges, so batches never touch
the same rows and can run side by side: on a two-core database server two connections halve the wall time
of a recompute (the statement is CPU-bound: joins, reasons, index inserts, foreign-key checks at commit).
"""
import os
import queue
import threading

from django.conf import settings
from django.db import connection, connections


def worker_count() -> int:
    """``settings.ELIGIBILITY_RECOMPUTE_CONNECTIONS`` or one per CPU core, at most 4."""
    configured = getattr(settings, "ELIGIBILITY_RECOMPUTE_CONNECTIONS", None)
    return max(1, int(configured) if configured else min(4, os.cpu_count() or 1))


def run_batches(work, batches: list, *, workers: int) -> None:
    """Call ``work(batch)`` for every batch, on ``workers`` threads each with its own connection.

    Inside a transaction (tests, or a caller's atomic block) the other connections could not see its
    uncommitted rows, so the batches then run here, one after the other. The first error stops the others
    from starting new batches and is raised here.
    """
    if workers <= 1 or len(batches) <= 1 or connection.in_atomic_block:
        for batch in batches:
            work(batch)
        return
    pending = queue.SimpleQueue()
    for batch in batches:
        pending.put(batch)
    errors = []

    def worker():
        try:
            while not errors:
                try:
                    batch = pending.get_nowait()
                except queue.Empty:
                    return
                work(batch)
        except BaseException as error:  # re-raised in the calling thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"eligibility-batch-{n}") for n in range(min(workers, len(batches)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
