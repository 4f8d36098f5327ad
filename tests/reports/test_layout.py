"""The worker processes that lay out the parts of a report with a contents page (reports.layout), with real
WeasyPrint: a part's page count and headings, and clear errors when a part fails or its process dies."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from reports import layout
from reports.layout import LayoutError, LayoutPool

THREE_PAGES = ("<h1>Alpha</h1><h2>first card</h2><p>text</p>"
               "<h1 style='break-before: page'>Beta</h1><div style='break-before: page'>third page</div>")


def test_a_part_comes_back_with_its_pages_and_headings():
    with LayoutPool() as pool:
        part = pool.submit(THREE_PAGES).result()
    assert part.pdf.startswith(b"%PDF-") and part.pages == 3
    assert [(b.label, b.page, [c.label for c in b.children]) for b in part.bookmarks] == [
        ("Alpha", 0, ["first card"]), ("Beta", 1, [])]


def test_a_part_waits_for_its_charts_and_gets_them_filled_in():
    from concurrent.futures import Future

    chart: Future = Future()
    with LayoutPool() as pool:
        part = pool.submit("<p>@@x@@</p>", fill=lambda html, results: html.replace("@@x@@", results[0]),
                           after=[chart])
        assert not part.done()  # its chart is not drawn yet
        chart.set_result("<h1>the chart</h1>")
        assert [b.label for b in part.result().bookmarks] == ["the chart"]


def test_the_same_html_is_laid_out_once():
    html = f"<h1>{uuid.uuid4()}</h1>"
    with LayoutPool() as pool:
        first = pool.submit(html).result()
    with LayoutPool() as pool:
        for worker in pool._workers:  # no process to ask: the answer can only come from the cache
            worker.kill()
            worker.wait()
        assert pool.submit(html).result() is first


def test_a_failing_part_and_a_dead_process_give_clear_errors():
    with LayoutPool() as pool:
        with pytest.raises(LayoutError, match="laying out a part of the report failed") as failed:
            pool.submit(None).result()  # WeasyPrint gets no document
        assert "TypeError" in str(failed.value)
        assert pool.submit("<p>still working</p>").result().pages == 1  # the worker goes on after an error
        for worker in pool._workers:  # killed while laying out a long part
            part = pool.submit("".join(f"<p style='break-after: page'>{uuid.uuid4()}</p>" for _ in range(400)))
            time.sleep(0.3)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            with pytest.raises(LayoutError, match=r"the PDF layout process stopped \(exit code -9\)"):
                part.result()
            break


def test_workers_are_kept_for_the_next_report_replaced_when_dead_and_stopped_when_idle(monkeypatch):
    with LayoutPool() as pool:
        assert pool.submit("<p>one</p>").result().pages == 1
        first = {worker.pid for worker in pool._workers}
    with LayoutPool() as pool:
        assert {worker.pid for worker in pool._workers} == first  # no new processes for the next report
        for worker in pool._workers:  # died while idle (out of memory, killed): replaced, the part still made
            worker.kill()
            worker.wait()
        parts = [pool.submit(f"<p>{uuid.uuid4()}</p>") for _ in range(2)]  # both workers at once
        assert [part.result().pages for part in parts] == [1, 1]
        assert len(pool._workers) == 2 and not {worker.pid for worker in pool._workers} & first
    monkeypatch.setattr(layout, "IDLE_SECONDS", 0.2)
    with LayoutPool() as pool:
        kept = pool._workers
    time.sleep(1)
    assert layout._WORKERS.processes == [] and all(worker.poll() is not None for worker in kept)
    with LayoutPool() as pool:  # the next report starts new ones
        assert pool.submit(f"<p>{uuid.uuid4()}</p>").result().pages == 1
