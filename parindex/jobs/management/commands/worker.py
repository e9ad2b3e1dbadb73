"""`manage.py worker`: a process that runs background jobs until SIGTERM (or Ctrl-C), always
finishing the job in hand first. Run as many as the machine has cores for, on any host that
reaches the database (docs/decisions/0015)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parindex.jobs import registry
from parindex.jobs.runner import Worker, worker_name


class Command(BaseCommand):
    help = "Run background jobs (imports) until SIGTERM; the current job is finished first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run the jobs waiting now, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        worker = Worker(worker_name("worker"), stop)

        def finish_then_stop(signum: int, frame: FrameType | None) -> None:
            self.stderr.write("stopping after the current job")
            stop.set()
            worker.wake.set()

        signal.signal(signal.SIGTERM, finish_then_stop)
        signal.signal(signal.SIGINT, finish_then_stop)
        self.stdout.write(f"{worker.name} runs: {', '.join(registry.kinds()) or '(no kinds)'}")
        if options["once"]:
            while not stop.is_set() and worker.run_one():
                pass
            return
        worker.run()
