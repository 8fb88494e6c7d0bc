"""Progress of a build: events from the pipeline, and a one-line display for a terminal.

The pipeline never prints; it calls ``progress(Step(...))`` when a callable is given.
``TerminalProgress`` redraws one line on a stream (stderr) at most ``interval``
seconds apart, and ``close()`` clears it, so the build's summary line stands alone.
The CLI uses it only when stderr is a terminal and ``--quiet`` is not given.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from typing import Callable, TextIO

MB = 1_000_000
STAGES = {
    "extract": "extracting", "resolve": "resolving entities", "rdf": "building the graph",
    "validate": "validating", "write": "writing outputs", "export": "writing exports", "view": "rendering the view",
}


@dataclass(frozen=True, slots=True)
class Step:
    stage: str  # a key of STAGES
    done: int = 0  # documents done (extract only)
    total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


ProgressFn = Callable[[Step], None]


class TerminalProgress:
    """One line, redrawn in place: ``extracting 120/400 documents, 3.1/10.0 MB, 2.4 MB/s, ETA 0:12``."""

    def __init__(self, stream: TextIO, *, interval: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.last_draw = float("-inf")
        self.stage = ""
        self.start = (0.0, 0)  # (time, bytes done) when extraction started
        self.shown = False

    def __call__(self, step: Step) -> None:
        now = self.clock()
        if step.stage != self.stage:
            self.stage = step.stage
            self.start = (now, step.bytes_done)
        elif now - self.last_draw < self.interval and step.done < step.total:
            return
        self.last_draw = now
        self._draw(self.line(step, now))

    def line(self, step: Step, now: float) -> str:
        label = STAGES.get(step.stage, step.stage)
        if step.stage != "extract":
            return f"{label}…"
        text = f"{label} {step.done}/{step.total} documents, {step.bytes_done / MB:.1f}/{step.bytes_total / MB:.1f} MB"
        elapsed = now - self.start[0]
        moved = step.bytes_done - self.start[1]
        if elapsed > 0.5 and moved > 0:
            rate = moved / elapsed
            text += f", {rate / MB:.2f} MB/s, ETA {_clock((step.bytes_total - step.bytes_done) / rate)}"
        return text

    def _draw(self, text: str) -> None:
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        self.stream.write("\r" + text[:width] + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line (call before printing the summary)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
