"""Chart views in a real headless Chromium: the x axis as wall or relative time, TensorBoard's
smoothing over the faint raw line, a zoomed range re-bucketed by the server, and the page
script's read-out and drag-to-zoom."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from test_dashboard import same_origin


def path_ys(path) -> list[float]:
    return [float(y) for y in re.findall(r"[ML][-0-9.]+ ([-0-9.]+)", path.get_attribute("d"))]


def test_relative_time_axis_with_smoothing_keeps_the_raw_line_and_its_spike(visit, base_url, seeded):
    run = seeded["runs"][0]
    page = visit(f"/runs/{run['run_id']}?x=relative&smooth=0.9", "run-relative-smoothed")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    chart = page.page.locator("figure[data-metric=loss] svg.chart")
    assert chart.locator("text.axis-label").text_content() == "time since start"
    assert chart.get_attribute("data-x-format") == "relative"
    # The seeded points are 1 ms apart from the run's start: 50,000 steps span 50 s.
    assert 49_000 <= float(chart.get_attribute("data-x1")) <= 50_100
    raw, smoothed = chart.locator("path.raw"), chart.locator("path.smoothed")
    assert raw.count() == 1 and smoothed.count() == 1
    assert min(path_ys(raw)) < 30, "the raw line keeps the spike at the top"
    assert min(path_ys(smoothed)) > min(path_ys(raw)), "the smoothed line flattens it"
    assert page.page.locator("nav.chart-tools strong", has_text="relative time").count() == 1


def test_wall_time_axis_labels_clock_times(visit, base_url, seeded):
    run = seeded["runs"][1]
    page = visit(f"/runs/{run['run_id']}?x=wall", "run-wall")
    same_origin(page, base_url)
    chart = page.page.locator("figure[data-metric=loss] svg.chart")
    assert chart.locator("text.axis-label").text_content() == "time (UTC)"
    ticks = chart.locator("g.axes > text:not(.axis-label)").all_text_contents()
    assert any(re.fullmatch(r"\d\d:\d\d(:\d\d)?", tick) for tick in ticks), ticks


def test_a_zoomed_range_is_rebucketed_by_the_server(visit, base_url, seeded):
    run = seeded["runs"][0]
    page = visit(f"/runs/{run['run_id']}?from=31000&to=32000", "run-zoomed")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    chart = page.page.locator("figure[data-metric=loss] svg.chart")
    assert float(chart.get_attribute("data-x0")) >= 31_000 and float(chart.get_attribute("data-x1")) <= 32_000
    loss = chart.locator("path.series")
    assert int(loss.get_attribute("data-points")) <= 1001
    assert min(path_ys(loss)) < 30, "the spike at step 31,337 is in the range"
    unzoom = page.page.locator("a.unzoom")
    assert "from=" not in unzoom.get_attribute("href")
    bad = visit(f"/runs/{run['run_id']}?from=5&to=1", "run-bad-zoom")
    assert bad.response.status == 400


def test_hovering_reads_out_and_dragging_zooms(visit, base_url, seeded):
    run = seeded["runs"][2]
    page = visit(f"/runs/{run['run_id']}", "run-script")
    same_origin(page, base_url)
    chart = page.page.locator("figure[data-metric=loss] svg.chart")
    box = chart.bounding_box()
    scale = box["width"] / 720
    left = box["x"] + float(chart.get_attribute("data-left")) * scale
    width = float(chart.get_attribute("data-plot-width")) * scale
    middle_y = box["y"] + box["height"] / 2
    page.page.mouse.move(left + width * 0.5, middle_y)
    readout = chart.locator("g.readout")
    assert readout.get_attribute("visibility") == "visible"
    assert "step" in readout.text_content()
    page.page.mouse.move(left + width * 0.4, middle_y)
    page.page.mouse.down()
    page.page.mouse.move(left + width * 0.6, middle_y, steps=5)
    with page.page.expect_navigation():
        page.page.mouse.up()
    query = parse_qs(urlparse(page.page.url).query)
    low, high = int(query["from"][0]), int(query["to"][0])
    assert 15_000 < low < high < 35_000, (low, high)
    zoomed = page.page.locator("figure[data-metric=loss] svg.chart")
    assert float(zoomed.get_attribute("data-x0")) >= low
    assert page.errors == [], page.errors
