"""Work started at once in several threads, as server processes would."""

import threading

from app import db


def in_threads(app, count, work):
    """Run ``work(n)`` in ``count`` threads at once, each with its own app
    context (and database connection), as server processes would. Returns
    each thread's answer; fails if any thread raised."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(n):
        with app.app_context():
            try:
                barrier.wait()
                results[n] = work(n)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results
