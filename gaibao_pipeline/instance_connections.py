"""Held database connections for a process that writes a bulk run's events.

Dagster's PostgreSQL storages open a new connection for every read and write, except in the
webserver, which calls `optimize_for_webserver` to give each storage a small pool. A bulk run
writes ~18 events per report, so a fresh connection per write (~3.5 ms on a local server)
is most of what a run on a PostgreSQL instance costs (200 reports: 75 s that way, 36 s with
held connections; bench/RESULTS.md). The per-report steps and `gaibao run` hold them the same
way for as long as their process lives. SQLite and in-memory storages ignore it.
"""

from __future__ import annotations

import weakref

import dagster as dg

NO_STATEMENT_TIMEOUT = 0  # a batch load may legitimately run for minutes
POOL_RECYCLE_SECONDS = 3600  # reconnect after an hour, as the webserver does by default
MAX_OVERFLOW = 4  # connections beyond the held one, for the rare concurrent read

_holding: weakref.WeakSet[dg.DagsterInstance] = weakref.WeakSet()


def hold_connections(instance: dg.DagsterInstance) -> None:
    """Give the instance's storages pooled connections (once per instance object)."""
    if instance in _holding:
        return  # again would replace the pools and leave the held connections open
    instance.optimize_for_webserver(NO_STATEMENT_TIMEOUT, POOL_RECYCLE_SECONDS, MAX_OVERFLOW)
    _holding.add(instance)
