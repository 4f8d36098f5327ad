"""Long reports laid out in parallel: WeasyPrint is single-threaded Python, so a report with a contents page (the
full report, the usage activity report) has each of its sections laid out and drawn as a PDF of its own in a
worker process, while the next sections are still being built, and the parts are joined here (pikepdf).

What a single WeasyPrint document did across sections is redone after the join, from the parts' page counts:
- the front part (title, filters, contents with page numbers) is laid out last, with the numbers written in, and
  one blank page per page of the parts that carries only the footer ("page X of Y"), drawn over each part's page;
- the contents' links point at named destinations (the sections' ids) that are set to each part's first page;
- the outline (the PDF viewer's bookmarks) is rebuilt from each part's headings.

The workers are `python -m reports.layout` processes, started by the first report (or ahead of it on a server:
reports/ready.py) and kept for the next ones while reports come (importing WeasyPrint costs each 0.4 CPU-s), that
read pickled HTML on stdin and answer with the pickled part: plain processes rather than multiprocessing, so that
nothing depends on the caller's main module (a cron script, the CLI, gunicorn) and nothing is forked from a process
that has threads. This module imports only WeasyPrint (through reports/weasy.py), the standard library and
reports/kept.py (standard library only), nothing of the dashboard."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from reports.kept import KeptBetweenReports

TEMPLATES = Path(__file__).with_name("templates")
ROOT = Path(__file__).resolve().parents[1]
LAYOUT_PROCESSES = 2  # one per core of the 2-core reference machine; more only queue behind each other
_LENGTH = struct.Struct(">Q")
# Workers yield the CPU to the report's own process, whose tab builds are the longest path (a part cannot be laid
# out before its tab is built), and to the dashboard's requests on a server: layout fills the idle moments.
WORKER_NICENESS = 5
# A part's PDF depends only on its HTML: the same HTML (the Glossary appendix of every full report, any section of a
# report asked for again) is not laid out twice by this process. Bounded by the size of the PDFs kept.
CACHE_BYTES = 64 * 1024 * 1024
IDLE_SECONDS = 300  # workers are stopped after this long without a report (_Workers)


@dataclass
class Bookmark:
    label: str
    page: int  # 0-based, in its own part
    children: list[Bookmark] = field(default_factory=list)


@dataclass
class LaidOut:
    """One part as its worker returns it (pickled across the process boundary)."""

    pdf: bytes
    pages: int
    bookmarks: list[Bookmark]


def lay_out(html: str) -> LaidOut:
    """Lay out and draw one part (runs in a worker process)."""
    from reports.weasy import HTML

    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    return LaidOut(document.write_pdf(), len(document.pages), outline_of(document.make_bookmark_tree()))


def outline_of(tree: list) -> list[Bookmark]:
    """WeasyPrint's bookmark tree (Document.make_bookmark_tree) as plain data."""
    return [Bookmark(label, page, outline_of(children)) for label, (page, _x, _y), children, _state in tree]


class _PartCache:
    """Least recently used parts, up to CACHE_BYTES of PDF."""

    def __init__(self, limit: int) -> None:
        self._parts: OrderedDict[bytes, LaidOut] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key: bytes) -> LaidOut | None:
        with self._lock:
            if key in self._parts:
                self._parts.move_to_end(key)
            return self._parts.get(key)

    def put(self, key: bytes, part: LaidOut) -> None:
        with self._lock:
            self._parts[key] = part
            while sum(len(p.pdf) for p in self._parts.values()) > self._limit and len(self._parts) > 1:
                self._parts.popitem(last=False)


_CACHE = _PartCache(CACHE_BYTES)


class LayoutError(RuntimeError):
    """A part could not be laid out (WeasyPrint failed, or its worker process died)."""


class _Workers(KeptBetweenReports):
    """The layout worker processes of this process, shared by its reports: started by the first report, kept while
    reports come (a server's next report skips the 0.5 CPU-s per worker of importing WeasyPrint, and two reports at
    once share the cores instead of starting four processes), stopped IDLE_SECONDS after the last report ends and at
    exit. A worker that died (killed, out of memory) is replaced when it is handed back."""

    def _reset(self) -> None:
        super()._reset()
        self.processes: list[subprocess.Popen] = []
        self._idle: queue.SimpleQueue[subprocess.Popen] = queue.SimpleQueue()

    def _report_begun(self) -> None:
        while len(self.processes) < LAYOUT_PROCESSES:
            self._idle.put(self._start())

    def _start_ready(self) -> None:
        with self._lock:
            self._report_begun()

    def _holding(self) -> bool:
        return bool(self.processes)

    def _idle_seconds(self) -> float:
        return IDLE_SECONDS

    def take(self) -> subprocess.Popen:
        worker = self._idle.get()
        if worker.poll() is None:
            return worker
        with self._lock:  # died while idle: a new one, rather than a failed part
            if worker in self.processes:
                self.processes.remove(worker)
            return self._start()

    def give_back(self, worker: subprocess.Popen) -> None:
        with self._lock:
            if worker not in self.processes:  # stopped meanwhile
                return
            if worker.poll() is not None:
                self.processes.remove(worker)
                worker = self._start()
            self._idle.put(worker)

    def close(self, only_if_idle: bool = False) -> None:
        with self._lock:
            if only_if_idle and self._reports:
                return
            stopping, self.processes, self._idle = self.processes, [], queue.SimpleQueue()
        for worker in stopping:
            with contextlib.suppress(OSError):
                worker.stdin.close()  # the worker's loop ends at the end of its input
        for worker in stopping:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still laying out a part nobody waits for (an error elsewhere)
                worker.kill()
                worker.wait()

    def _start(self) -> subprocess.Popen:
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                                os.environ.get("PYTHONPATH")]))}
        worker = subprocess.Popen([sys.executable, "-m", "reports.layout"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=environment)
        self.processes.append(worker)
        return worker


_WORKERS = _Workers()
atexit.register(_WORKERS.shut_down)


class LayoutPool:
    """`with LayoutPool() as pool: future = pool.submit(html, fill, after=[svg futures])`: once the futures it
    waits for (its charts) are done, the part is laid out by the next free worker process (this process's shared
    ones, _Workers); `future.result()` is its LaidOut."""

    def __enter__(self) -> LayoutPool:
        _WORKERS.begin_report()
        self._waiters = ThreadPoolExecutor(thread_name_prefix="report-part")  # these threads only wait
        return self

    @property
    def _workers(self) -> list[subprocess.Popen]:
        return list(_WORKERS.processes)

    def submit(self, html: str, fill: Callable[[str, list], str] | None = None,
               after: Sequence[Future] = ()) -> Future:
        """`fill(html, results)` puts the results of `after` into the HTML (the charts' SVGs) before layout."""
        def when_ready() -> LaidOut:
            results = [future.result() for future in after]
            return _laid_out(fill(html, results) if fill else html)
        return self._waiters.submit(when_ready)

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self._waiters.shutdown(wait=exc_type is None, cancel_futures=exc_type is not None)
        finally:
            _WORKERS.end_report()


def keep_ready() -> None:
    """Start this process's layout workers now and keep them ready (reports.kept)."""
    _WORKERS.keep_ready()


def lay_out_ahead(html: str) -> None:
    """Lay out a part that reports will ask for (the full report's Glossary) into the part cache, ahead of them."""
    with LayoutPool() as pool:
        pool.submit(html).result()


def _laid_out(html: str) -> LaidOut:
    """The part from the cache, else from the next free worker."""
    key = hashlib.sha256(pickle.dumps(html)).digest()
    if (cached := _CACHE.get(key)) is not None:
        return cached
    worker = _WORKERS.take()
    try:
        part = _ask(worker, html)
    finally:
        _WORKERS.give_back(worker)
    _CACHE.put(key, part)
    return part


def _ask(worker: subprocess.Popen, html: str) -> LaidOut:
    try:
        _send(worker.stdin, html)
        answer = _receive(worker.stdout)
    except (OSError, EOFError) as exc:
        with contextlib.suppress(subprocess.TimeoutExpired):  # its pipe closes a moment before its exit is known
            worker.wait(timeout=5)
        raise LayoutError(f"the PDF layout process stopped (exit code {worker.poll()})") from exc
    if isinstance(answer, str):
        raise LayoutError(f"laying out a part of the report failed:\n{answer}")
    return answer


def _send(stream: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> object:
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    size, = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker's loop: HTML in, LaidOut (or the error's traceback as text) out, until the input ends."""
    while True:
        try:
            html = _receive(requests)
        except EOFError:
            return
        try:
            answer: object = lay_out(html)
        except Exception:  # reported to the report's process, which raises it there
            answer = traceback.format_exc()
        _send(answers, answer)


def join(front: bytes, front_pages: int, front_bookmarks: list[Bookmark], parts: list[LaidOut],
         anchors: list[str], title: str) -> bytes:
    """One PDF: the front part's first `front_pages` pages, then every part's pages with the front part's remaining
    (footer-only) pages drawn over them in order; `anchors[i]` names part i's first page (the contents' links)."""
    import pikepdf

    with contextlib.ExitStack() as opened:  # sources stay open until the save: qpdf copies their streams then
        front_pdf = opened.enter_context(pikepdf.open(io.BytesIO(front)))
        out = opened.enter_context(pikepdf.new())
        out.add_pages_from(front_pdf, range(front_pages))
        starts: list[int] = []
        for part in parts:
            starts.append(len(out.pages))
            out.add_pages_from(opened.enter_context(pikepdf.open(io.BytesIO(part.pdf))))
        for index in range(front_pages, len(out.pages)):
            out.pages[index].add_overlay(out.copy_foreign(front_pdf.pages[index].as_form_xobject()))
        _set_destinations(out, dict(zip(anchors, starts, strict=True)))
        with out.open_outline() as outline:
            outline.root.extend(_outline(front_bookmarks, 0, front_pages))
            for part, start in zip(parts, starts, strict=True):
                outline.root.extend(_outline(part.bookmarks, start))
        out.docinfo["/Title"] = title
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()


def _set_destinations(out, first_pages: dict[str, int]) -> None:
    """The front part's links name destinations (`/Dest (tab-usage)`, its own hidden anchors); point each name at
    its part's first page instead."""
    import pikepdf

    names = pikepdf.Array()
    for anchor, page in sorted(first_pages.items()):
        names.extend([pikepdf.String(anchor), pikepdf.Array([out.pages[page].obj, pikepdf.Name.Fit])])
    out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=names))


def _outline(bookmarks: list[Bookmark], offset: int, below: int | None = None) -> list:
    from pikepdf import OutlineItem

    items = []
    for bookmark in bookmarks:
        if below is not None and bookmark.page >= below:
            continue
        item = OutlineItem(bookmark.label, bookmark.page + offset)
        item.children.extend(_outline(bookmark.children, offset, below))
        items.append(item)
    return items


if __name__ == "__main__":
    from reports.layout import lay_out as _lay_out
    from reports.layout import serve as _serve  # the module under its name: LaidOut pickles as reports.layout's

    os.nice(WORKER_NICENESS)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed (a library's warning) goes to stderr, not into the answers
    sys.stdout = sys.stderr
    _lay_out("<p>ready</p>")  # WeasyPrint imported, fonts and Pango set up before the first part comes
    _serve(sys.stdin.buffer, answers)
