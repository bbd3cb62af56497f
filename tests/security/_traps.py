"""A FIFO that shows whether anything opened it: a parser that opens it for reading blocks
(no writer), so the call is run in a thread and a call still running after the timeout is a
parser that tried to read the file. The trap then opens the writing end so the call ends."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LONG_COMMENT = b"<!--" + b"x" * 70_000 + b"-->"
"""Longer than the 64 KB window the old DOCTYPE guard scanned."""


def doctype_with_external_pe(url: str) -> bytes:
    """A DOCTYPE whose internal subset pulls an external parameter entity from ``url``."""
    return f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>'.encode()


@dataclass
class Outcome:
    result: Any
    blocked: bool  # the call was still running: it had opened the FIFO


def fifo(tmp: Path) -> Path:
    path = tmp / "trap.fifo"
    os.mkfifo(path)
    return path


def call_with_fifo(path: Path, fn: Callable[[], Any], timeout: float = 10.0) -> Outcome:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # reported to the test, which asserts on it
            box["result"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    blocked = thread.is_alive()
    if blocked:  # release the reader: open and close the writing end
        fd = os.open(path, os.O_WRONLY)
        os.close(fd)
        thread.join(timeout)
    return Outcome(result=box.get("result"), blocked=blocked)
