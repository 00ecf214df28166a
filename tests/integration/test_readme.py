"""The README's "Using it step by step", run verbatim against a live local Label Studio on
two new French articles (issue 11, item 6: the old section ended in "this version already
exists", exit 1).

The commands are read from the README itself, so they cannot drift. Two placeholders are
filled in: the project folder (``../my-fr-news``, here a fresh folder under the test's
temporary directory, so each run is its own project and prefix) and the articles
(``path/to/your/articles``: ``tests/data/project/``, two short original articles). The
"annotate in the browser" step is a stand-in annotator submitting labels through the API.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import datasets
import pytest

from annotate.corpus import read_articles
from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import project_title
from annotate.layers import get_layer
from annotate.model import Span, task_key
from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README = ROOT / "README.md"
ARTICLES = ROOT / "tests" / "data" / "project"
BROWSER_STEP = "# … annotate in the browser"
MENTIONS = [
    ("Rennes", "LOC"),
    ("Brest", "LOC"),
    ("Nathalie Appéré", "PER"),
    ("Loïg Chesnais-Girard", "PER"),
    ("Union européenne", "ORG"),
    ("Audiar", "ORG"),
]
CLAIMS = [
    "Les travaux doivent commencer en mars 2027",
    "le site devrait créer 400 emplois d'ici 2030",
]


def readme_steps() -> tuple[str, str]:
    """The commands of the step-by-step section before and after the browser step."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it step by step", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    before, browser, after = block.partition(BROWSER_STEP)
    assert browser, f"the README's step-by-step section lost its {BROWSER_STEP!r} line"
    return before, after.split("\n", 1)[1]


def _run(script: str, *, cwd: Path, project: Path) -> subprocess.CompletedProcess[str]:
    script = script.replace("../my-fr-news", str(project))
    script = script.replace("path/to/your/articles", str(ARTICLES))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def _annotate_in_the_browser(creds: dict[str, str], project: Path, prefix: str) -> int:
    """What an annotator would do in the browser: label the entities and claims."""
    client = ls.connect(**creds)
    user = ls.ensure_user(client, email=f"readme-{prefix}@annotate.local")
    docs = list(read_articles(project / "articles", lang="fr"))
    submitted = 0
    for layer in ("entities", "claims"):
        project_id = ls.find_project(client, title=project_title(prefix, layer))
        assert project_id is not None, f"push made no {layer} project"
        tasks = ls.existing_task_keys(client, project_id)
        lay = get_layer(layer)
        for doc in docs:
            for para in doc.paragraphs:
                text = para.slice(doc.text)
                if layer == "entities":
                    found = [(text.find(m), m, label) for m, label in MENTIONS if m in text]
                else:
                    found = [(text.find(c), c, "CLAIM") for c in CLAIMS if c in text]
                if not found:
                    continue
                spans = [
                    Span(f"s{i}", para.start + pos, para.start + pos + len(m), m, label)
                    for i, (pos, m, label) in enumerate(found)
                ]
                if layer == "claims":
                    for s in spans:
                        s.attrs.update(claim_type="plan", modality="asserted", checkworthy="yes")
                result = lay.to_ls_result(spans, [], segment_start=para.start, segment_text=text)
                ls.submit_annotation(
                    client,
                    task_id=tasks[task_key(doc.id, layer, para.start, para.end)],
                    result=result,
                    completed_by=user,
                )
                submitted += 1
    return submitted


def test_the_readme_step_by_step_works_verbatim(ls_server, tmp_path):
    name = f"news-{uuid.uuid4().hex[:8]}"
    project = tmp_path / name
    before, after = readme_steps()
    first = _run(before, cwd=ROOT, project=project)
    assert first.returncode == 0, first.stdout + first.stderr
    creds = {"url": ls_server["url"], "api_key": ls_server["api_key"]}
    assert _annotate_in_the_browser(creds, project, name) >= 4
    # the same shell as before the browser step: activated, in the project, server known
    resume = f'source {ROOT}/.venv/bin/activate\neval "$({ROOT}/scripts/label-studio.sh env)"'
    second = _run(f"{resume}\n{after}", cwd=project, project=project)
    assert second.returncode == 0, second.stdout + second.stderr
    release = project / "releases" / name / "1.0.0"  # the first release
    entities = datasets.load_dataset(str(release), "entities", split="train")
    assert {"Rennes", "Brest", "Nathalie Appéré"} <= set(entities["span_text"])
    docs = datasets.load_dataset(str(release), "documents", split="train")
    assert len(docs) == 2
    card = (release / "README.md").read_text(encoding="utf-8")
    assert name in card
    # the provenance is this project's NOTES.md, not the bundled article's
    assert (project / "NOTES.md").read_text(encoding="utf-8").split("\n")[0] in card
    assert "two independent" not in card and "machine translation of a third-party" not in card
    assert not (release / "translation_errors").exists()  # original French: no MQM layer
    # seen: the card of original French articles carried machine-translation tags
    metadata = card.split("---")[1]
    assert "machine-translation" not in metadata and "- mqm" not in metadata
