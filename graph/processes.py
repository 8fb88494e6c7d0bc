"""Work in other processes: a forked child for one function (``in_background``), and the
watch that ends a child process when its parent is gone (``exit_with_parent``)."""

from __future__ import annotations

import os
from typing import Any, Callable, Generic, TypeVar

__all__ = ["Background", "done", "exit_with_parent", "in_background"]

T = TypeVar("T")


class Background(Generic[T]):
    """Work started in a forked child: call it to wait for the result; ``running()`` says whether the
    child is still at it (a caller may then hold back other work that would share its core)."""

    def __init__(self, wait: Callable[[], T], running: Callable[[], bool]) -> None:
        self._wait, self.running = wait, running

    def __call__(self) -> T:
        return self._wait()


def in_background(fn: Callable[..., T], *args: Any) -> Background[T]:
    """Start ``fn(*args)`` in a forked child (sharing this process's memory copy-on-write) and
    return a ``Background`` that waits for its result. Where processes cannot fork, or when the
    child dies or fails, ``fn`` runs here instead (so an error is raised here)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return done(fn(*args))
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_run_in_child, args=(fn, args, writer, os.getpid()), daemon=True)
    child.start()
    writer.close()

    def wait() -> T:
        try:
            outcome: tuple[bool, Any] = reader.recv()
        except EOFError:  # the child died
            outcome = (False, None)
        finally:
            reader.close()
            child.join()
        ok, result = outcome
        return result if ok else fn(*args)

    return Background(wait, child.is_alive)


def done(result: T) -> Background[T]:
    """Work done already, which gives ``result``: what in_background returns where it cannot fork."""
    return Background(lambda: result, lambda: False)


def _run_in_child(fn: Callable[..., Any], args: tuple[Any, ...], writer: Any, parent: int) -> None:
    exit_with_parent(parent)
    try:
        outcome = (True, fn(*args))
    except BaseException:  # noqa: BLE001 - the parent runs it again and reports the error itself
        outcome = (False, None)
    writer.send(outcome)
    writer.close()


def exit_with_parent(parent: int) -> None:
    """End this child process as soon as ``parent`` is gone: a killed build leaves no workers behind
    (pool workers otherwise wait on their queue for ever)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="redchain-parent-watch", daemon=True).start()
