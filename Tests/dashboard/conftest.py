"""Fixtures of the dashboard suite: a running `cairn serve` (DASHBOARD_URL, provided by
scripts/test.sh; with DASHBOARD_TOKEN it runs `--auth token` and that is an admin token), seeded
here through the REST API, and Debian's headless Chromium driven by Playwright (CHROMIUM, default
/usr/lib/chromium/chromium). With a token, the browser signs in through the form first and every
page is then read through the session cookie."""

from __future__ import annotations

import math
import os
import uuid

import pytest
import requests
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("DASHBOARD_URL")
    if not url:
        pytest.exit("Tests/dashboard needs DASHBOARD_URL (scripts/test.sh starts a server and sets it)", returncode=1)
    return url


@pytest.fixture(scope="session")
def token() -> str | None:
    return os.environ.get("DASHBOARD_TOKEN") or None


@pytest.fixture(scope="session")
def seeded(base_url: str, token: str | None) -> dict:
    api = f"{base_url}/api/2.0/mlflow"
    http = requests.Session()
    if token:
        http.headers["Authorization"] = f"Bearer {token}"
    name = f"dash-{uuid.uuid4().hex[:8]}"
    experiment_id = http.post(f"{api}/experiments/create", json={"name": name}, timeout=30).json()["experiment_id"]
    runs = []
    for index in range(3):
        run = http.post(f"{api}/runs/create", json={"experiment_id": experiment_id, "run_name": f"{name}-run-{index}",
                                                         "start_time": 1_700_000_000_000 + index}, timeout=30).json()["run"]["info"]
        points = [{"key": "loss", "value": math.exp(-step / 2000) + (10.0 if step == 31_337 else 0.0) + index * 0.01,
                   "timestamp": 1_700_000_000_000 + step, "step": step} for step in range(50_000)]
        for start in range(0, len(points), 1000):
            http.post(f"{api}/runs/log-batch", json={"run_id": run["run_id"], "metrics": points[start:start + 1000]},
                          timeout=30).raise_for_status()
        http.post(f"{api}/runs/log-batch", json={
            "run_id": run["run_id"], "params": [{"key": "lr", "value": str(0.1 * (index + 1))}, {"key": "depth", "value": "6"}],
            "metrics": [{"key": "accuracy", "value": 0.9 + index / 100, "timestamp": 1, "step": 0}]}, timeout=30).raise_for_status()
        http.post(f"{api}/runs/update", json={"run_id": run["run_id"], "status": "FINISHED", "end_time": 1_700_000_090_000}, timeout=30)
        runs.append(run)
    model = f"{name}-model"
    http.post(f"{api}/registered-models/create", json={"name": model}, timeout=30).raise_for_status()
    http.post(f"{api}/model-versions/create", json={"name": model, "source": f"runs:/{runs[0]['run_id']}/model",
                                                        "run_id": runs[0]["run_id"]}, timeout=30).raise_for_status()
    http.post(f"{api}/registered-models/alias", json={"name": model, "alias": "champion", "version": "1"}, timeout=30)
    return {"experiment_id": experiment_id, "name": name, "runs": runs, "model": model}


@pytest.fixture(scope="session")
def chromium():
    executable = os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser(chromium, base_url: str, token: str | None):
    """A browser context; signed in through the form when the server asks for a token."""
    context = chromium.new_context()
    if token:
        page = context.new_page()
        page.goto(base_url + "/")
        assert "/signin" in page.url
        page.fill("#token", token)
        page.click("form.signin button")
        page.wait_for_url(base_url + "/")
        page.close()
    yield context
    context.close()


class Visit:
    """A page load that records console errors and every request the page made."""

    def __init__(self, browser, base_url: str, path: str, shots: str | None, name: str):
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        # Responses of 400 and above, "STATUS URL": the assertion messages name what failed.
        self.failed: list[str] = []
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(f"{response.status} {response.url}"))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.response = self.page.goto(base_url + path)
        if shots:
            os.makedirs(shots, exist_ok=True)
            self.page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)


@pytest.fixture()
def visit(browser, base_url):
    opened = []

    def open_page(path: str, name: str) -> Visit:
        page = Visit(browser, base_url, path, os.environ.get("DASHBOARD_SCREENSHOTS"), name)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.page.close()
