"""The background job that sends one target's queue (run by ``zhujian worker``)."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task()
def send_target(target: str) -> dict[str, Any]:
    """Scan, reconcile, send and poll ``target`` (:func:`zhujian.exchange.engine.run`).
    Idempotent: a second run at the same time claims other rows or none."""
    from zhujian.exchange import engine

    return {"target": target, **engine.run(target).as_dict()}
