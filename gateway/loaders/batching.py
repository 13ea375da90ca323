"""The loaders' common base: aiodataloader's ``DataLoader``, its batch one loop turn sooner.

aiodataloader collects a batch's keys for about two loop turns after the
first (its dispatch is a ``call_soon`` that makes a task), and then starts
the batch function in a task of its own: the function runs on the third turn
after the first key, and its upstream GET leaves a turn later still. Every
turn in between also runs whatever else is ready, which under load is other
requests' work: with 32 clients on one object (``bench.peer``'s query ``c``)
a turn took about 0.3 ms.

:class:`BatchLoader` keeps the window and drops the extra task: the first key
of a batch starts one task, which yields once (the rest of this turn and the
next, as aiodataloader waits) and then runs the batch function itself, on the
second turn. The window matters: nested fields ask for keys a turn apart
(a workflow job's nodes resolve before their jobs), and a batch dispatched a
turn sooner split one ``unified_jobs`` request into two in the end-to-end
tests, which count every upstream request.
"""

from __future__ import annotations

import asyncio
from asyncio import Future, Task
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiodataloader import DataLoader, Loader, dispatch_queue, dispatch_queue_batch, get_chunks

K = TypeVar("K")
V = TypeVar("V")


class BatchLoader(DataLoader[K, V]):
    """A ``DataLoader`` whose batch function runs on the second loop turn after the first key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running: set[Task[None]] = set()
        """Batches under way (the loop keeps only weak references to tasks)."""

    def do_resolve_reject(self, key: K, future: Future[V]) -> None:
        """Queue the key; the first key of a batch starts the task that will dispatch it."""
        self._queue.append(Loader(key=key, future=future))
        if len(self._queue) == 1:
            if self.batch:
                self._start(self._dispatch())
            else:
                dispatch_queue(self)  # as aiodataloader does: each key at once

    def _start(self, batch: Coroutine[Any, Any, None]) -> None:
        """Run ``batch`` in a task, held until it ends."""
        task = self.loop.create_task(batch)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _dispatch(self) -> None:
        """After one yield, run the batch function over the keys queued so far (chunks
        beyond ``max_batch_size`` in tasks of their own, as aiodataloader does)."""
        await asyncio.sleep(0)
        queue, self._queue = self._queue, []
        size = self.max_batch_size
        if size and size < len(queue):
            first, *rest = get_chunks(queue, size)
            for chunk in rest:
                self._start(dispatch_queue_batch(self, chunk))
            queue = first
        await dispatch_queue_batch(self, queue)
