"""One log's header → one row of the evals frame (names as in ``evals_df``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evallens.io._logfile import LogFile
from evallens.io._samples import eval_identity
from evallens.io._summary import normalize_created

LIMIT_FIELDS = ("message_limit", "token_limit", "time_limit", "working_limit")


def _scores(results: dict[str, Any]) -> list[dict[str, Any]]:
    scores = results.get("scores")
    if isinstance(scores, list):
        return [s for s in scores if isinstance(s, dict)]
    scorer = results.get("scorer")
    if isinstance(scorer, dict):
        # the oldest format: one scorer with metrics alongside
        return [{**scorer, "scorer": scorer.get("name"), "metrics": results.get("metrics") or {}}]
    return []


def _metric_value(metric: Any) -> Any:
    return metric.get("value") if isinstance(metric, dict) else metric


def _headline(
    scores: list[dict[str, Any]], declared: dict[str, Any] | None
) -> tuple[dict[str, Any], str] | None:
    """The headline (score, metric name): the declared one if it resolves, else the first."""
    if not scores:
        return None
    if declared:
        candidates = scores
        for field, key in (("reducer", "reducer"), ("scorer", "scorer"), ("score", "name")):
            wanted = declared.get(field)
            if wanted is not None:
                candidates = [s for s in candidates if s.get(key) == wanted]
        metric = declared.get("metric")
        if candidates and metric is not None:
            for score in candidates:
                if metric in (score.get("metrics") or {}):
                    return score, metric
        elif candidates:
            first = next(iter(candidates[0].get("metrics") or {}), None)
            if first is not None:
                return candidates[0], first
    first_metric = next(iter(scores[0].get("metrics") or {}), None)
    return (scores[0], first_metric) if first_metric is not None else None


def headline_score(header: dict[str, Any]) -> tuple[str, str] | None:
    """The (scorer, score name) of a log's headline: the score its results lead with.

    Example:
        >>> headline_score({"results": {"scores": [{"name": "acc", "scorer": "rubric",
        ...     "metrics": {"mean": {"value": 0.5}}}]}})
        ('rubric', 'acc')
    """
    results = header.get("results") or {}
    spec = header.get("eval") or {}
    declared = results.get("headline") or spec.get("headline_metric")
    found = _headline(_scores(results), declared if isinstance(declared, dict) else None)
    if found is None:
        return None
    score = found[0]
    name = str(score.get("name", ""))
    return (str(score.get("scorer") or name), name)


def _metric_columns(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """``score_<score>_<metric>``; the reducer joins the name only when names would clash."""
    counts: dict[tuple[str, str], int] = {}
    for score in scores:
        for metric in score.get("metrics") or {}:
            key = (str(score.get("name", "")), metric)
            counts[key] = counts.get(key, 0) + 1
    columns: dict[str, Any] = {}
    for score in scores:
        name = str(score.get("name", ""))
        for metric_name, metric in (score.get("metrics") or {}).items():
            base = name
            if counts[(name, metric_name)] > 1 and score.get("reducer") is not None:
                base = f"{name}_{score['reducer']}"
            columns[f"score_{base}_{metric_name}"] = _metric_value(metric)
    return columns


def eval_record(log: LogFile) -> dict[str, Any]:
    """The evals-frame row for one log."""
    header = log.header
    spec: dict[str, Any] = header["eval"]
    config: dict[str, Any] = spec.get("config") or {}
    results: dict[str, Any] = header.get("results") or {}
    dataset: dict[str, Any] = spec.get("dataset") or {}
    error = header.get("error")
    created = spec.get("created")
    identity = eval_identity(log)
    record: dict[str, Any] = {
        "eval_id": identity["eval_id"],
        "run_id": spec.get("run_id"),
        "task_id": spec.get("task_id"),
        "log": identity["log"],
        "created": (
            datetime.fromisoformat(normalize_created(created)) if isinstance(created, str) else None
        ),
        "task_name": identity["task_name"],
        "task_display_name": identity["task_display_name"],
        "task_version": spec.get("task_version"),
        "model": identity["model"],
        "model_display_name": identity["model_display_name"],
        "status": header.get("status"),
        "error_message": error.get("message") if isinstance(error, dict) else None,
        "total_samples": results.get("total_samples"),
        "completed_samples": results.get("completed_samples"),
        "dataset_samples": dataset.get("samples"),
        "epochs": config.get("epochs"),
    }
    for field in LIMIT_FIELDS:
        record[field] = config.get(field)
    scores = _scores(results) if header.get("results") is not None else []
    declared = results.get("headline") or spec.get("headline_metric")
    headline = _headline(scores, declared if isinstance(declared, dict) else None)
    if headline is not None:
        score, metric_name = headline
        stderr = (score.get("metrics") or {}).get("stderr")
        stderr_value = _metric_value(stderr) if stderr is not None else None
        record |= {
            "score_headline_name": score.get("scorer"),
            "score_headline_score": score.get("name"),
            "score_headline_metric": metric_name,
            "score_headline_value": _metric_value(score["metrics"][metric_name]),
            "score_headline_stderr": float(stderr_value) if stderr_value is not None else None,
        }
    else:
        record |= {
            "score_headline_name": None,
            "score_headline_score": None,
            "score_headline_metric": None,
            "score_headline_value": None,
            "score_headline_stderr": None,
        }
    record |= _metric_columns(scores)
    return record
