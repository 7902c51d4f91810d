"""Every dashboard page in a real headless Chromium: renders, no console errors, no request to
another origin, the DOM holds the data, charts keep their spikes, filter errors show inline."""

from __future__ import annotations

import re
from urllib.parse import urlparse


def same_origin(visit, base_url: str) -> None:
    origin = urlparse(base_url).netloc
    foreign = [url for url in visit.requests if urlparse(url).netloc not in ("", origin) and not url.startswith("data:")]
    assert foreign == [], foreign
    assert visit.errors == [], (visit.errors, visit.failed)


def test_experiments_page_lists_the_experiment_with_its_run_count(visit, base_url, seeded):
    page = visit("/", "experiments")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    row = page.page.locator("tr", has_text=seeded["name"]).first
    assert row.locator("td.num").inner_text() == "3"
    searched = visit(f"/?q={seeded['name']}", "experiments-search")
    assert searched.page.locator("tbody tr").count() == 1


def test_runs_table_shows_chosen_columns_sorted(visit, base_url, seeded):
    page = visit(f"/experiments/{seeded['experiment_id']}?metrics=accuracy&params=lr&order=metrics.%60accuracy%60%20DESC", "experiment")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    names = page.page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert names == [f"{seeded['name']}-run-{i}" for i in (2, 1, 0)]
    assert page.page.locator("tbody tr").first.locator("td.num").inner_text() == "0.92"
    assert page.page.locator("thead th", has_text="lr").count() == 1
    assert page.page.locator("#filter-error").count() == 0, "no error without a filter"
    assert page.page.locator("a[rel=next]").count() == 0, "three runs fit on one page"
    assert "nil" not in page.page.locator("main").inner_text()


def test_a_filter_error_is_shown_inline_in_the_servers_words(visit, base_url, seeded):
    page = visit(f"/experiments/{seeded['experiment_id']}?filter=metrics.loss%20%3C%3C%201", "experiment-filter-error")
    same_origin(page, base_url)
    error = page.page.locator("#filter-error")
    assert error.is_visible() and "position" in error.inner_text()
    assert page.page.locator("#filter").get_attribute("aria-invalid") == "true"


def test_run_page_has_a_chart_per_metric_whose_spike_survives(visit, base_url, seeded):
    run = seeded["runs"][0]
    page = visit(f"/runs/{run['run_id']}", "run")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    charts = page.page.locator("figure.chart-box")
    assert sorted(charts.evaluate_all("els => els.map(e => e.dataset.metric)")) == ["accuracy", "loss"]
    loss = page.page.locator("figure[data-metric=loss] path.series")
    assert loss.count() == 1
    assert int(loss.get_attribute("data-points")) <= 4 * 320, "at most four points per bucket"
    # The spike (10 above a curve below 1.01) is the path's topmost point: the smallest y.
    ys = [float(y) for y in re.findall(r"[ML][-0-9.]+ ([-0-9.]+)", loss.get_attribute("d"))]
    assert min(ys) < 30, "the spike reaches the top of the plot"
    assert "lr" in page.page.locator("section", has_text="Params").inner_text()
    assert page.page.locator("a", has_text=seeded["model"]).count() == 1
    log = visit(f"/runs/{run['run_id']}?log=loss", "run-log")
    assert log.page.locator("figure[data-metric=loss] a.toggle").inner_text() == "linear scale"


def test_compare_draws_a_line_per_run_and_marks_differing_params(visit, base_url, seeded):
    ids = ",".join(run["run_id"] for run in seeded["runs"])
    page = visit(f"/compare?runs={ids}", "compare")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    assert page.page.locator("figure[data-metric=loss] path.series").count() == 3
    assert page.page.locator("tr.differs", has_text="lr").count() == 1
    assert page.page.locator("tr.differs", has_text="depth").count() == 0
    # Parallel coordinates: an axis for the differing param (lr) and each metric, a line per run.
    parallel = page.page.locator("svg.parallel")
    assert parallel.locator("text.dimension").all_text_contents() == ["lr", "accuracy", "loss"]
    assert parallel.locator("path.series").count() == 3
    assert all(d.count("L") == 2 for d in parallel.locator("path.series").evaluate_all("els => els.map(e => e.getAttribute('d'))"))


def test_model_pages_show_versions_aliases_and_lineage(visit, base_url, seeded):
    models = visit(f"/models?q={seeded['name']}", "models")
    same_origin(models, base_url)
    assert models.page.locator("tbody tr", has_text=seeded["model"]).locator(".alias").inner_text() == "champion→1"
    model = visit(f"/models/{seeded['model']}", "model")
    assert model.response.status == 200, (model.failed, model.page.inner_text("main")[:500])
    same_origin(model, base_url)
    assert model.page.locator("tbody tr").first.locator("a").get_attribute("href") == f"/runs/{seeded['runs'][0]['run_id']}"


def test_deployments_page_and_missing_things_render(visit, base_url):
    page = visit("/deployments", "deployments")
    assert page.response.status == 200, (page.failed, page.page.inner_text("main")[:500])
    same_origin(page, base_url)
    missing = visit("/experiments/987654321", "missing")
    assert missing.response.status == 404
    assert "RESOURCE_DOES_NOT_EXIST" in missing.page.locator("h1").inner_text()


def test_pages_carry_a_strict_content_security_policy(visit, base_url):
    page = visit("/", "csp")
    policy = page.response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
