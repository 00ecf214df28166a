"""The Dask engine against a real LocalCluster of two worker processes: `annotate tasks
--engine dask` gives the bytes of `--engine local`, each worker loads the spaCy pipeline
once, only a few batches are in flight, and an unreachable scheduler is one line and a
hint (exit 1)."""

from __future__ import annotations

import itertools
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from annotate.cli import app
from annotate.engine import open_engine
from annotate.preannotate.batches import BATCH_DOCUMENTS, stream_predictions
from tests.synthetic import synthetic_documents

from .corpus_shards import write_corpus_shards

pytestmark = pytest.mark.slow

runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as started:
        yield started


def _tasks(corpus: Path, out: Path, *engine: str) -> bytes:
    args = ["tasks", str(corpus), "--predictors", "entities.rules", "--no-cache"]
    result = runner.invoke(app, [*args, "--out", str(out), *engine])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_tasks_on_dask_are_the_bytes_of_local(cluster: LocalCluster, tmp_path: Path) -> None:
    corpus = write_corpus_shards(tmp_path / "corpus", 200)
    local = _tasks(corpus, tmp_path / "local.json", "--engine", "local", "--jobs", "1")
    address = ["--engine", "dask", "--address", cluster.scheduler_address]
    dask = _tasks(corpus, tmp_path / "dask.json", *address)
    assert dask == local
    # a heading and a paragraph per document
    assert local.count(b'"task_key"') == 400 and local.count(b'"model_version"') > 100
    # the pipeline was loaded once on each worker (the preload), not once per batch
    with Client(cluster, set_as_default=False) as client:
        loads = client.run(_rules_pipeline_loads)
    assert sorted(loads.values()) == [1, 1]


def _rules_pipeline_loads() -> int:
    from annotate.preannotate.entities import rules_nlp

    return rules_nlp.cache_info().misses


def test_only_a_few_batches_are_in_flight(cluster: LocalCluster) -> None:
    read = 0

    def documents() -> Iterator[object]:
        nonlocal read
        for document in synthetic_documents(400, paragraphs=1):
            read += 1
            yield document

    with open_engine("dask", address=cluster.scheduler_address) as engine:
        stream = stream_predictions(["entities.rules"], documents(), engine=engine)  # type: ignore[arg-type]
        first = list(itertools.islice(stream, 1))
        # two workers: at most 2 × 2 batches sent, and the one being read
        assert first and read <= 5 * BATCH_DOCUMENTS < 400
        stream.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("how", ["--address", "env"])
def test_an_unreachable_scheduler_is_one_line_and_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    args = ["tasks", str(write_corpus_shards(tmp_path / "c", 2)), "--engine", "dask"]
    if how == "env":
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    else:
        args += ["--address", address]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"error: cannot reach the Dask scheduler at {address}")
    assert lines[1].strip().startswith("hint: ") and len(lines) == 2
    assert "Traceback" not in result.output


def test_a_malformed_address_and_address_without_dask_are_refused(tmp_path: Path) -> None:
    corpus = str(write_corpus_shards(tmp_path / "c", 2))
    bad = runner.invoke(app, ["tasks", corpus, "--engine", "dask", "--address", "nonsense"])
    assert bad.exit_code == 1 and "not a Dask scheduler address: 'nonsense'" in bad.output
    local = runner.invoke(app, ["tasks", corpus, "--address", "tcp://127.0.0.1:8786"])
    assert local.exit_code == 2 and "--engine dask" in local.output
    unknown = runner.invoke(app, ["tasks", corpus, "--engine", "spark"])
    assert unknown.exit_code == 2 and "known: dask, local" in unknown.output


def test_the_cluster_started_for_a_run_does_not_profile_its_workers() -> None:
    """Dask's workers sample their stacks every 10 ms and the GIL every 1 ms by default,
    which took a third of a busy pure-Python task's time on this 2-core machine."""
    from annotate.engine.dask import DaskExecutor

    with DaskExecutor(workers=1) as engine:
        seen = engine.client.run(
            lambda: (
                __import__("dask").config.get("distributed.worker.profile.enabled"),
                __import__("dask").config.get("distributed.admin.system-monitor.gil.enabled"),
            )
        )
    assert list(seen.values()) == [(False, False)]
