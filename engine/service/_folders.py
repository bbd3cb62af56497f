"""A watched folder (``serve.watch``): files dropped into it are claimed, ingested, archived.

Layout under the watched folder ``DIR``::

    DIR/            new files (only regular files at the top; names starting with "." and
                    ending in ".tmp" are never read: write as NAME.tmp, then rename to NAME)
    DIR/work/       claimed files: a rename from DIR (atomic on one file system), so two
                    services on one folder never both take a file
    DIR/archive/    ingested files (the store holds their messages)
    DIR/error/      files none of whose messages could be kept, each with NAME.reason.json
                    (the diagnostics, as the CLI's JSON)

A file is claimed only once its size and modification time have not changed for
``stable_seconds`` (a writer that does not use the ``.tmp`` convention is still not read half
way). At start the files left in ``work/`` by a stopped or killed process are ingested first:
the store's content hash makes that idempotent (a file whose messages were committed before
the kill gives duplicates and is archived, never stored twice), so no file is skipped or
processed twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from ._ingest import IngestOutcome

log = logging.getLogger("ensgate.service.folder")

Ingest = Callable[[str, bytes], Awaitable[IngestOutcome]]
SUBFOLDERS = ("work", "archive", "error")


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name.1``, ``name.2``... when a file of that name is there."""
    target = folder / name
    n = 0
    while target.exists():
        n += 1
        target = folder / f"{name}.{n}"
    return target


def readable(path: Path) -> bool:
    name = path.name
    return not name.startswith(".") and not name.endswith(".tmp") and path.is_file()


class FolderInput:
    """One watched folder; ``run(stop)`` until ``stop`` is set, finishing the file in hand."""

    def __init__(self, folder: Path, ingest: Ingest, *, stable_seconds: float = 1.0,
                 poll_ms: int = 500) -> None:
        self.folder = folder
        self.ingest = ingest
        self.stable_seconds = stable_seconds
        self.poll_ms = poll_ms
        self.work, self.archive, self.error = (folder / s for s in SUBFOLDERS)
        self._seen: dict[str, tuple[int, int, float]] = {}  # name -> size, mtime, since
        self.name = f"folder:{folder}"

    def prepare(self) -> None:
        for d in (self.folder, self.work, self.archive, self.error):
            d.mkdir(parents=True, exist_ok=True)

    async def run(self, stop: asyncio.Event) -> None:
        self.prepare()
        for left in sorted(self.work.iterdir()):  # resumed: a stopped run's claimed files
            if stop.is_set():
                return
            if left.is_file():
                log.info("resuming %s", left.name, extra={"file": left.name})
                await self._process(left)
        await self._scan(stop)
        async for _changes in watchfiles.awatch(
                self.folder, stop_event=stop, recursive=False, yield_on_timeout=True,
                rust_timeout=self.poll_ms, debounce=200, step=50):
            await self._scan(stop)

    async def _scan(self, stop: asyncio.Event) -> None:
        now = time.monotonic()
        present = set()
        for path in sorted(self.folder.iterdir()):
            if stop.is_set():
                return
            if not readable(path):
                continue
            present.add(path.name)
            try:
                st = path.stat()
            except FileNotFoundError:
                continue  # taken by another service
            size_mtime = (st.st_size, st.st_mtime_ns)
            seen = self._seen.get(path.name)
            if seen is None or seen[:2] != size_mtime:
                self._seen[path.name] = (*size_mtime, now)
                if self.stable_seconds > 0:
                    continue
            elif now - seen[2] < self.stable_seconds:
                continue
            claimed = self._claim(path)
            self._seen.pop(path.name, None)
            if claimed is not None:
                await self._process(claimed)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        if self._seen and self.stable_seconds > 0:
            # files waiting to be stable: look again after the wait, changed or not
            await asyncio.sleep(min(self.stable_seconds, 0.5))

    def _claim(self, path: Path) -> Path | None:
        target = _free_name(self.work, path.name)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None  # another service claimed it first
        return target

    async def _process(self, path: Path) -> None:
        name = path.name
        try:
            data = path.read_bytes()
            out = await self.ingest(name, data)
        except Exception as exc:  # the file goes to error/ with the reason; the rest goes on
            log.exception("%s: not ingested", name, extra={"file": name})
            self._fail(path, {"name": name, "error": f"{type(exc).__name__}: {exc}"})
            return
        if out.failed:
            self._fail(path, out.to_dict())
            return
        os.rename(path, _free_name(self.archive, name))
        log.info("%s: %d stored, %d duplicate(s), %d filing(s)", name, out.stored,
                 out.duplicates, len(out.filings), extra={"file": name})

    def _fail(self, path: Path, reason: dict[str, object]) -> None:
        target = _free_name(self.error, path.name)
        tmp = target.with_name(target.name + ".reason.json.tmp")
        tmp.write_text(json.dumps(reason, indent=1, ensure_ascii=False), "utf-8")
        os.replace(tmp, target.with_name(target.name + ".reason.json"))
        os.rename(path, target)
        log.warning("%s: moved to error/", path.name, extra={"file": path.name})
