"""Reports made ready ahead of the first one (reports/ready.py, as a server worker does at its start): the charts'
browser and the layout workers running before any report, the Glossary laid out ahead, nothing started again by
the first report; after the idle time they are started afresh instead of only stopped; without Chromium the rest
is still made ready. Real Chromium, real WeasyPrint workers, the PRD-sample warehouse."""

from __future__ import annotations

import io
import logging
import time

import pikepdf
import psutil
import pytest

from reports import charts, layout
from reports.kinds import pdf_from_search
from reports.ready import prepare
from tests.reports.test_charts import bars, chromium_pids


def layout_pids() -> set[int]:
    return {worker.pid for worker in layout._WORKERS.processes if worker.poll() is None}


@pytest.fixture
def fresh():
    """No browser, no layout workers and no laid-out parts left by earlier tests; shut down afterwards, so that the
    next tests start theirs on demand again (keep_ready would otherwise restart them after every idle time)."""
    for kept in (charts._BROWSER, layout._WORKERS):
        kept.shut_down()
    layout._CACHE._parts.clear()
    others = chromium_pids()  # Playwright's browsers of other tests, if any
    yield others
    for kept in (charts._BROWSER, layout._WORKERS):
        kept.shut_down()


def test_after_prepare_the_first_full_report_starts_nothing_and_lays_out_no_glossary(reader, fresh, monkeypatch):
    prepare(reader)
    browsers, workers = chromium_pids() - fresh, layout_pids()
    assert len(browsers) == 1 and len(workers) == layout.LAYOUT_PROCESSES  # running before any report
    assert len(layout._CACHE._parts) == 1  # the Glossary, laid out

    asked: list[str] = []
    real_ask = layout._ask
    monkeypatch.setattr(layout, "_ask", lambda worker, html: asked.append(html) or real_ask(worker, html))
    report = pdf_from_search(reader, "?tab=overview", "full")
    assert chromium_pids() - fresh == browsers and layout_pids() == workers  # nothing started again
    assert asked and not any('id="tab-glossary"' in html for html in asked)  # every other section laid out
    assert any('id="tab-overview"' in html for html in asked)
    with pikepdf.open(io.BytesIO(report.pdf)) as pdf:  # the Glossary is in the report all the same
        assert [item.title for item in pdf.open_outline().root][-1] == "Glossary"


def small_reports() -> None:
    """What a report does with what is kept, cheaply: a part laid out by a worker, a chart drawn by the browser."""
    with layout.LayoutPool() as pool:
        assert pool.submit(f"<p>{time.monotonic()}</p>").result().pages == 1
    [svg] = charts.render_svgs([bars("kept")])
    assert b"kept" in svg


def test_kept_ready_they_are_started_afresh_after_the_idle_time_and_not_after_shut_down(reader, fresh,
                                                                                       monkeypatch):
    monkeypatch.setattr(charts, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(layout, "IDLE_SECONDS", 0.2)
    prepare(reader)
    browsers, workers = chromium_pids() - fresh, layout_pids()
    small_reports()  # their end starts the idle time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the old ones stopped, new ones running
        now_browsers, now_workers = chromium_pids() - fresh, layout_pids()
        if (len(now_browsers) == 1 and not now_browsers & browsers and len(now_workers) == layout.LAYOUT_PROCESSES
                and not now_workers & workers):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"not restarted: browsers {browsers} -> {now_browsers}, workers {workers} -> "
                             f"{now_workers}")
    assert all(not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
               for pid in browsers | workers)
    monkeypatch.setattr(charts, "IDLE_SECONDS", 300)  # the next report must find the restarted ones, not new ones
    monkeypatch.setattr(layout, "IDLE_SECONDS", 300)
    small_reports()
    assert chromium_pids() - fresh == now_browsers and layout_pids() == now_workers

    monkeypatch.setattr(charts, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(layout, "IDLE_SECONDS", 0.2)
    small_reports()  # its idle time ends after the shut-down (at the process's exit): that starts nothing
    charts._BROWSER.shut_down()
    layout._WORKERS.shut_down()
    time.sleep(1.5)
    assert not chromium_pids() - fresh and not layout_pids()


def test_without_chromium_the_layout_is_still_made_ready_and_the_missing_browser_logged(reader, fresh, monkeypatch,
                                                                                         caplog, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    with caplog.at_level(logging.WARNING, logger="reports.ready"):
        prepare(reader)  # does not raise
    assert "charts in PDF reports need Chromium" in caplog.text
    assert not chromium_pids() - fresh and len(layout_pids()) == layout.LAYOUT_PROCESSES
    assert len(layout._CACHE._parts) == 1


def test_the_setting_is_on_by_default_and_off_when_said():
    from config.settings import load_settings

    assert load_settings({}).reports_ready is True
    assert load_settings({"CUSTOMER_INSIGHT_REPORTS_READY": "off"}).reports_ready is False
    with pytest.raises(ValueError, match="CUSTOMER_INSIGHT_REPORTS_READY must be on or off"):
        load_settings({"CUSTOMER_INSIGHT_REPORTS_READY": "later"})
