"""The dashboard benchmark's data, as functions of a run's and a key's number: what
dashboard_bench.py logs to Cairn and what dashboard_mlflow.py writes into MLflow's schema (its
SQL repeats these formulas with the same float8 arithmetic) and checks against."""


def param_value(run: int, key: int) -> str:
    """Param p{key} of run-{run}."""
    return str((run * 7 + key) % 97)


def metric_value(run: int, key: int) -> float:
    """Metric m{key} of run-{run}, logged once at step 0."""
    return ((run * 13 + key) % 1000) / 1000


def loss(run: int, key: int, step: int) -> float:
    """Series loss{key} of the long-{run} run: a decay with noise of its own per run and key (so
    that no two lines are alike, as in real training, and the pages compress as real ones do) and
    a spike every 33,333 steps."""
    noise = (step * step * 7919 + step * 104729 + key * 1299709 + run * 15485863) % 1000003
    return 1 / (1 + step / 1000) + 0.1 * (noise / 1000003 - 0.5) + (5.0 if step % 33_333 == 0 else 0.0)
