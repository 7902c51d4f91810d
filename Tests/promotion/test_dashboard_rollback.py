"""The dashboard's rollback button against the kube-apiserver: the model page offers it where a
target has an earlier deployment, a same-origin form post rolls the target back (a new ledger
entry that rolls out to ready), a post from another origin or without one is refused, and the
ledger page refreshes itself while a promotion is in flight."""

from __future__ import annotations

import requests

from conftest import Kube, namespace_of
from test_promotion import WEB_SECRET, promote, unique


def test_model_page_rollback_button_rolls_the_target_back(cairn, kube: Kube):
    model = unique("button")
    ns = namespace_of("web")
    cairn.register(model, ["s3://models/button/v1", "s3://models/button/v2"])
    for version in ("1", "2"):
        answer = promote(cairn, {"model": model, "version": version, "target": "web"}, secret=WEB_SECRET)
        cairn.wait_status(answer["deployment_id"], {"waiting"})
        kube.roll_out_deployment(ns, model)
        cairn.wait_status(answer["deployment_id"], {"ready"})

    page = requests.get(f"{cairn.url}/models/{model}", timeout=30)
    assert page.status_code == 200
    action = f'action="/models/{model}/rollback"'
    assert action in page.text and 'name="target" value="web"' in page.text

    form = {"target": "web"}
    url = f"{cairn.url}/models/{model}/rollback"
    no_origin = requests.post(url, data=form, allow_redirects=False, timeout=30)
    assert no_origin.status_code == 400, "a form without Origin is refused with auth off"
    foreign = requests.post(url, data=form, headers={"Origin": "http://evil.example"}, allow_redirects=False, timeout=30)
    assert foreign.status_code == 403
    before = {entry["id"] for entry in cairn.ledger(target="web", model=model)}
    pressed = requests.post(url, data=form, headers={"Origin": cairn.url}, allow_redirects=False, timeout=30)
    assert pressed.status_code == 303, pressed.text
    assert pressed.headers["Location"] == "/deployments?target=web"
    new = [entry for entry in cairn.ledger(target="web", model=model) if entry["id"] not in before]
    assert len(new) == 1 and new[0]["version"] == "1"

    ledger = requests.get(f"{cairn.url}/deployments?target=web", timeout=30)
    assert '<meta http-equiv="refresh" content="5">' in ledger.text, "the ledger refreshes while a promotion is in flight"
    cairn.wait_status(new[0]["id"], {"waiting"})
    kube.roll_out_deployment(ns, model)
    assert cairn.wait_status(new[0]["id"], {"ready"})["version"] == "1"
    settled = requests.get(f"{cairn.url}/deployments?target=web&model={model}", timeout=30)
    assert 'http-equiv="refresh"' not in settled.text
