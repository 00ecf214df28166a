"""Write the bad-input corpus: one small Label Studio export per case under ``cases/``, and
``cases.json`` with what each must produce (issue code, severity and JSON path in the
export, counts, exit code). The expectations are written here by hand, next to the input
they describe; nothing is computed by the validator.

Run from the repository root after changing a case:  python tests/data/bad/make_cases.py
"""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CASES = HERE / "cases"
ARTICLE = (HERE / "articles" / "depeche.txt").read_text(encoding="utf-8")
# sha256 of the article (it is already normalised: NFC, \n line ends)
DOC_ID = "7de83189c08ebf3440b0e2b997c2961517e7010ff38f4b74694b8062d523a485"
PARAS = [(0, 79), (81, 175), (177, 241), (243, 284)]
A = "$[0].annotations[0]"
R = f"{A}.result"


# ---------------------------------------------------------------- builders
def ptext(p: int) -> str:
    s, e = PARAS[p]
    return ARTICLE[s:e]


def find(p: int, word: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of ``word`` in paragraph ``p`` (relative to the paragraph)."""
    text, pos = ptext(p), -1
    for _ in range(occurrence):
        pos = text.index(word, pos + 1)
    return pos, pos + len(word)


def task(
    layer: str, p: int, annotations: list[Any] | None = None, tid: Any = 1, **more: Any
) -> dict[str, Any]:
    s, e = PARAS[p]
    data = {
        "text": ptext(p),
        "task_key": f"{DOC_ID[:16]}:{layer}:{s}-{e}",
        "doc_id": DOC_ID,
        "layer": layer,
        "unit": "paragraph",
        "segment_index": p,
        "segment_start": s,
        "segment_end": e,
        "boilerplate": p == 3,
        "lang": "fr",
        "title": "Stargate",
    }
    out: dict[str, Any] = {"id": tid, "data": data, "annotations": annotations or []}
    out.update(more)
    return out


def reg(rid: Any, p: int, word: str, label: Any, occ: int = 1, **value: Any) -> dict[str, Any]:
    s, e = find(p, word, occ)
    v = {"start": s, "end": e, "text": word, "labels": [label] if isinstance(label, str) else label}
    v.update(value)
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": v,
    }


def choice(rid: str, name: str, value: str, p: int, word: str, occ: int = 1) -> dict[str, Any]:
    s, e = find(p, word, occ)
    return {
        "id": rid,
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "origin": "manual",
        "value": {"start": s, "end": e, "text": word, "choices": [value]},
    }


def textarea(rid: str, name: str, value: str, p: int, word: str) -> dict[str, Any]:
    s, e = find(p, word)
    return {
        "id": rid,
        "from_name": name,
        "to_name": "text",
        "type": "textarea",
        "origin": "manual",
        "value": {"start": s, "end": e, "text": [value]},
    }


def judge(value: str) -> dict[str, Any]:
    return {
        "id": "jdg",
        "from_name": "judgement",
        "to_name": "text",
        "type": "choices",
        "origin": "manual",
        "value": {"choices": [value]},
    }


def rel(a: str, b: str, label: str | None = "attributed_to") -> dict[str, Any]:
    out: dict[str, Any] = {"from_id": a, "to_id": b, "type": "relation", "direction": "right"}
    if label is not None:
        out["labels"] = [label]
    return out


def ann(aid: Any, result: Any, who: Any = 1, **more: Any) -> dict[str, Any]:
    out = {
        "id": aid,
        "completed_by": who,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2024-05-01T10:00:00.000000Z",
        "updated_at": "2024-05-01T10:00:00.000000Z",
        "lead_time": 12.5,
    }
    out.update(more)
    return out


def foreign(text: str, result: list[Any], tid: int = 1) -> dict[str, Any]:
    return {"id": tid, "data": {"text": text}, "annotations": [ann(1, result)]}


def fregion(rid: str, text: str, word: str, label: str, occ: int = 1) -> dict[str, Any]:
    pos = -1
    for _ in range(occ):
        pos = text.index(word, pos + 1)
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": pos, "end": pos + len(word), "text": word, "labels": [label]},
    }


def E(code: str, path: str) -> dict[str, str]:
    return {"severity": "error", "code": code, "json_path": path}


def W(code: str, path: str) -> dict[str, str]:
    return {"severity": "warning", "code": code, "json_path": path}


def counts(received: int, valid: int, quarantined: int = 0, skipped: int = 0) -> dict[str, int]:
    return {
        "received": received,
        "valid": valid,
        "quarantined": quarantined,
        "skipped_total": skipped,
    }


def dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")


# ---------------------------------------------------------------- valid building blocks
def ents_p0() -> list[dict[str, Any]]:
    return [
        reg("e1", 0, "Microsoft", "ORG"),
        reg("e2", 0, "OpenAI", "ORG"),
        reg("e3", 0, "100 milliards de dollars", "MONEY"),
    ]


def claims_p1() -> list[dict[str, Any]]:
    claim = "le projet Stargate pourrait être lancé dès 2028 à Reno"
    return [
        reg("s1", 1, "The Information", "SOURCE"),
        reg("c1", 1, claim, "CLAIM"),
        choice("c1", "claim_type", "plan", 1, claim),
        choice("c1", "modality", "hedged", 1, claim),
        choice("c1", "checkworthy", "yes", 1, claim),
        rel("c1", "s1"),
    ]


def mqm_p2(
    label: str = "fluency/punctuation", severity: str = "minor", word: str = ","
) -> list[dict[str, Any]]:
    return [reg("m1", 2, word, label), choice("m1", "severity", severity, 2, word)]


def valid_entities_task(tid: int = 1, aid: int = 101) -> dict[str, Any]:
    return task("entities", 0, [ann(aid, ents_p0())], tid=tid)


CASES_SPEC: list[dict[str, Any]] = []


def case(
    name: str,
    description: str,
    content: Any,
    *,
    exit_code: int = 0,
    expect: list[dict[str, str]] | None = None,
    counts: dict[str, int] | None = None,
    args: list[str] | None = None,
    valid_spans: list[list[Any]] | None = None,
    expect_codes: dict[str, int] | None = None,
    file: str | None = None,
) -> None:
    spec: dict[str, Any] = {
        "name": name,
        "description": description,
        "file": file or f"cases/{name}.json",
        "args": args or [],
        "exit_code": exit_code,
    }
    if expect_codes is not None:
        spec["expect_codes"] = expect_codes
    else:
        spec["expect"] = expect or []
    if counts is not None:
        spec["counts"] = counts
    if valid_spans is not None:
        spec["valid_spans"] = valid_spans
    CASES_SPEC.append(spec)
    if content is not None:
        data = content if isinstance(content, bytes) else dump(content)
        (HERE / spec["file"]).write_bytes(data)


def build() -> None:  # a flat list of cases reads best
    # ------------------------------------------------------------ the file itself
    case(
        "valid-entities",
        "a clean entities export (control)",
        [valid_entities_task()],
        counts=counts(1, 1),
    )
    full = dump(
        [valid_entities_task(1, 101), valid_entities_task(2, 102), valid_entities_task(3, 103)]
    )
    case(
        "truncated-json",
        "the export is cut in the middle of its third task",
        full[: int(len(full) * 0.8)],
        exit_code=1,
        expect=[E("invalid-json", "$[2]")],
        counts=counts(2, 2),
    )
    case(
        "not-json",
        "a text file, not JSON",
        b"task,annotation\n1,ORG\n",
        exit_code=1,
        expect=[E("invalid-json", "$")],
        counts=counts(0, 0),
    )
    case(
        "empty-file",
        "zero bytes",
        b"",
        exit_code=1,
        expect=[E("empty-export", "$")],
        counts=counts(0, 0),
    )
    case(
        "empty-list",
        "an export with no task",
        b"[]",
        expect=[W("empty-export", "$")],
        counts=counts(0, 0),
    )
    case(
        "empty-list-strict",
        "no task, with --strict: a warning fails the run",
        b"[]",
        args=["--strict"],
        exit_code=1,
        expect=[W("empty-export", "$")],
        counts=counts(0, 0),
    )
    case(
        "top-level-object",
        "a JSON object that is not a task",
        {"foo": 1},
        exit_code=1,
        expect=[E("not-an-export", "$")],
        counts=counts(0, 0),
    )
    one = valid_entities_task()
    case(
        "single-task-object",
        "one task object, as cloud storage writes it",
        one,
        counts=counts(1, 1),
    )
    case(
        "bom",
        "a UTF-8 byte order mark before the JSON",
        b"\xef\xbb\xbf" + dump([valid_entities_task()]),
        counts=counts(1, 1),
    )
    case(
        "missing-file",
        "the export does not exist",
        None,
        exit_code=1,
        expect=[E("unreadable", "$")],
        counts=counts(0, 0),
    )
    case(
        "nan-literal",
        "NaN is not JSON; the task before it still counts",
        b"[" + dump(valid_entities_task()) + b', {"id": 2, "data": {"x": NaN}}]',
        exit_code=1,
        expect=[E("invalid-json", "$[1]")],
        counts=counts(1, 1),
    )

    # ------------------------------------------------------------ tasks and annotations
    case(
        "task-not-object",
        "a number where a task should be",
        [1, valid_entities_task()],
        expect=[E("not-a-task", "$[0]")],
        counts=counts(2, 1, 1),
    )
    case(
        "no-annotation",
        "a task nobody annotated",
        [task("entities", 0, [])],
        counts=counts(1, 0, 0, 1),
    )
    t = valid_entities_task()
    t["annotations"].append(ann(102, [reg("x", 0, "Microsoft", "NOPE")], who=2, was_cancelled=True))
    case(
        "cancelled",
        "a cancelled (skipped) annotation is not a record, whatever it holds",
        [t],
        counts=counts(2, 1, 0, 1),
    )
    t = task(
        "entities",
        0,
        [],
        drafts=[{"id": 5, "result": [], "user": "a@b.c"}, {"id": 6, "result": [], "user": 2}],
    )
    case("drafts", "drafts are kept out of the dataset and counted", [t], counts=counts(2, 0, 0, 2))
    legacy = {
        "id": 1,
        "data": task("entities", 0)["data"],
        "completions": [
            {"id": 9001, "result": ents_p0(), "lead_time": 3.2, "created_at": 1588000000}
        ],
    }
    case(
        "legacy-completions",
        "Label Studio 0.x: completions, epoch created_at, no completed_by",
        [legacy],
        expect=[W("no-annotator", "$[0].completions[0].completed_by")],
        counts=counts(1, 1),
    )
    t1 = task(
        "entities",
        0,
        [ann(101, ents_p0(), who={"id": 7, "email": "ann@example.org", "first_name": "Ann"})],
        tid=1,
    )
    t2 = task("entities", 0, [ann(102, ents_p0(), who=7)], tid=2)
    case(
        "completed-by-forms",
        "completed_by as an object and as an id",
        [t1, t2],
        counts=counts(2, 2),
    )
    preds = [
        {"id": 31, "model_version": "spacy-fr", "score": 0.8, "result": ents_p0()},
        {"id": 32, "model_version": "rules", "result": [reg("p1", 0, "Microsoft", "PERSON")]},
    ]
    case(
        "predictions-skipped",
        "predictions are counted, not validated, unless asked",
        [task("entities", 0, [ann(101, ents_p0())], predictions=preds)],
        counts=counts(3, 1, 0, 2),
    )
    case(
        "predictions-included",
        "with --include-predictions a bad prediction is quarantined",
        None,
        file="cases/predictions-skipped.json",
        args=["--include-predictions"],
        expect=[E("unknown-label", "$[0].predictions[1].result[0].value.labels")],
        counts=counts(3, 2, 1),
    )
    t = valid_entities_task()
    t["annotations"] = {"id": 1}
    case(
        "annotations-not-list",
        "annotations is an object",
        [t],
        expect=[E("wrong-type", "$[0].annotations")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    t["annotations"] = ["oops"]
    case(
        "annotation-not-object",
        "an annotation is a string",
        [t],
        expect=[E("not-an-annotation", A)],
        counts=counts(1, 0, 1),
    )
    case(
        "result-not-list",
        "result is a string",
        [task("entities", 0, [ann(101, "ORG")])],
        expect=[E("wrong-type", f"{A}.result")],
        counts=counts(1, 0, 1),
    )
    case(
        "empty-result",
        "an empty result: 'read it, found nothing' (valid for entities)",
        [task("entities", 0, [ann(101, [])])],
        counts=counts(1, 1),
    )
    case(
        "result-item-not-object",
        "a number in the result list",
        [task("entities", 0, [ann(101, [42, *ents_p0()])])],
        expect=[E("wrong-type", f"{R}[0]")],
        counts=counts(1, 0, 1),
    )
    bad = reg("e1", 0, "Microsoft", "ORG")
    bad["value"] = [0, 9]
    case(
        "value-not-object",
        "a region whose value is a list",
        [task("entities", 0, [ann(101, [bad])])],
        expect=[E("wrong-type", f"{R}[0].value")],
        counts=counts(1, 0, 1),
    )
    case(
        "unknown-layer",
        "a foreign task and no --layer",
        [foreign("Microsoft à Paris.", [fregion("a", "Microsoft à Paris.", "Microsoft", "ORG")])],
        expect=[E("unknown-layer", "$[0].data")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    t["data"]["layer"] = "entitys"
    case(
        "unknown-layer-name",
        "a misspelt layer in the task data",
        [t],
        expect=[E("unknown-layer", "$[0].data.layer")],
        counts=counts(1, 0, 1),
    )
    case(
        "bad-layer-option",
        "--layer names no layer: bad usage",
        None,
        file="cases/valid-entities.json",
        args=["--layer", "entites"],
        exit_code=2,
    )
    t = valid_entities_task()
    t["data"]["doc_id"] = "0" * 64
    case(
        "unknown-document",
        "the task's document is not in the corpus",
        [t],
        expect=[E("unknown-document", "$[0].data.doc_id")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    t["data"]["text"] = t["data"]["text"].replace("données", "donnees")
    case(
        "segment-text-changed",
        "the task text no longer matches the corpus",
        [t],
        expect=[E("segment-text", "$[0].data.segment_start")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    t["data"]["segment_start"], t["data"]["segment_end"] = 5000, 5079
    case(
        "segment-out-of-range",
        "segment offsets past the end of the document",
        [t],
        expect=[E("segment-range", "$[0].data.segment_start")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    t["data"]["segment_start"] = "zero"
    case(
        "segment-wrong-type",
        "segment_start is a word",
        [t],
        expect=[E("wrong-type", "$[0].data.segment_start")],
        counts=counts(1, 0, 1),
    )
    t = valid_entities_task()
    del t["data"]["text"]
    case(
        "no-text",
        "an annotate task without its text",
        [t],
        expect=[E("no-text", "$[0].data.text")],
        counts=counts(1, 0, 1),
    )
    t1, t2 = valid_entities_task(1, 101), valid_entities_task(1, 101)
    case(
        "duplicate-annotation",
        "the same annotation twice in one export",
        [t1, t2],
        expect=[E("duplicate-record", "$[1].annotations[0]")],
        counts=counts(2, 1, 1),
    )
    t1, t2 = valid_entities_task(1, 101), valid_entities_task(1, 101)
    t2["id"], t2["annotations"][0]["id"] = "1", "101"
    case(
        "id-formats",
        "ids as numbers and as digit strings are the same ids",
        [t1, t2],
        expect=[E("duplicate-record", "$[1].annotations[0]")],
        counts=counts(2, 1, 1),
    )

    # ------------------------------------------------------------ offsets and text
    def one(
        region: dict[str, Any], layer: str = "entities", p: int = 0, more: list[Any] | None = None
    ) -> list[Any]:
        return [task(layer, p, [ann(101, [region, *(more or [])])])]

    r = reg("e1", 0, "Microsoft", "ORG")
    r["value"]["start"] = "0"
    case(
        "offset-string",
        "start is text",
        one(r),
        expect=[E("wrong-type", f"{R}[0].value.start")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG")
    r["value"]["end"] = 9.5
    case(
        "offset-float",
        "end is a decimal number",
        one(r),
        expect=[E("wrong-type", f"{R}[0].value.end")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG")
    r["value"]["start"] = True
    case(
        "offset-bool",
        "start is true",
        one(r),
        expect=[E("wrong-type", f"{R}[0].value.start")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG", start=-3)
    case(
        "negative-offset",
        "start is negative",
        one(r),
        expect=[E("negative-offset", f"{R}[0].value.start")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "dollars.", "ORG", end=500)
    case(
        "offset-past-end",
        "end is past the end of the task text",
        one(r),
        expect=[E("offset-out-of-range", f"{R}[0].value.end")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG", start=9, end=9)
    case(
        "empty-span",
        "start equals end",
        one(r),
        expect=[E("empty-span", f"{R}[0].value")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG", text="Micorsoft")
    case(
        "stale-text",
        "value.text disagrees with the offsets: recomputed, warned",
        one(r),
        expect=[W("stale-text", f"{R}[0].value.text")],
        counts=counts(1, 1),
    )
    case(
        "stale-text-strict",
        "the same with --strict fails",
        None,
        file="cases/stale-text.json",
        args=["--strict"],
        exit_code=1,
        expect=[W("stale-text", f"{R}[0].value.text")],
        counts=counts(1, 1),
    )
    s, e = find(1, "Austin")
    r = reg("e1", 1, "Austin", "LOC", start=s + 1, end=e + 1)  # 😀 counts 2 UTF-16 units
    case(
        "emoji-utf16-offsets",
        "offsets counted in UTF-16 units after an emoji",
        one(r, p=1),
        expect=[E("utf16-offsets", f"{R}[0].value.start")],
        counts=counts(1, 0, 1),
    )
    case(
        "emoji-code-points",
        "code-point offsets after an emoji (control)",
        one(reg("e1", 1, "Austin", "LOC"), p=1),
        counts=counts(1, 1),
    )
    raw = "Communiqué du 3 mai.\r\nMicrosoft ouvre un centre à Reno.\r\n"
    case(
        "crlf-foreign",
        "a foreign task with \\r\\n line ends: offsets mapped to the normalised text",
        [foreign(raw, [fregion("a", raw, "Microsoft", "ORG"), fregion("b", raw, "Reno", "LOC")])],
        args=["--layer", "entities"],
        counts=counts(1, 1),
        valid_spans=[[21, 30, "Microsoft"], [49, 53, "Reno"]],
    )
    raw = unicodedata.normalize("NFD", "Le président élu à Genève rencontre Zoé.")
    case(
        "nfd-foreign",
        "a foreign task in NFD: offsets mapped to NFC",
        [
            foreign(
                raw,
                [
                    fregion("a", raw, unicodedata.normalize("NFD", "Genève"), "LOC"),
                    fregion("b", raw, unicodedata.normalize("NFD", "Zoé"), "PER"),
                ],
            )
        ],
        args=["--layer", "entities"],
        counts=counts(1, 1),
        valid_spans=[[19, 25, "Genève"], [36, 39, "Zoé"]],
    )
    region = fregion("a", raw, "Zoe", "PER")  # ends between the e and its combining accent
    case(
        "nfd-split-character",
        "an offset inside a decomposed character",
        [foreign(raw, [region])],
        args=["--layer", "entities"],
        expect=[E("offset-splits-character", f"{R}[0].value.end")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, " OpenAI", "ORG")
    case(
        "whitespace-edge",
        "a span starting with a space (flagged by default)",
        one(r),
        expect=[E("whitespace-edge", f"{R}[0].value.start")],
        counts=counts(1, 0, 1),
    )
    case(
        "whitespace-fix",
        "the same with --whitespace fix: trimmed, warned",
        None,
        file="cases/whitespace-edge.json",
        args=["--whitespace", "fix"],
        expect=[W("whitespace-trimmed", f"{R}[0].value.start")],
        counts=counts(1, 1),
        valid_spans=[[13, 19, "OpenAI"]],
    )
    case(
        "whitespace-bad-option",
        "--whitespace takes flag or fix",
        None,
        file="cases/whitespace-edge.json",
        args=["--whitespace", "strip"],
        exit_code=2,
    )
    raw = "Selon «\u202fLe Monde\u202f», Paris."
    case(
        "nbsp-edge",
        "a narrow no-break space at the end of a span",
        [foreign(raw, [fregion("a", raw, "Le Monde\u202f", "ORG")])],
        args=["--layer", "entities"],
        expect=[E("whitespace-edge", f"{R}[0].value.end")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG", start=9, end=10, text=" ")
    case(
        "blank-span",
        "a span of one space",
        one(r),
        expect=[E("blank-span", f"{R}[0]")],
        counts=counts(1, 0, 1),
    )

    # ------------------------------------------------------------ labels and ids
    case(
        "unknown-label",
        "a label the schema does not know",
        one(reg("e1", 0, "Microsoft", "Organization")),
        expect=[E("unknown-label", f"{R}[0].value.labels")],
        counts=counts(1, 0, 1),
    )
    case(
        "no-label",
        "a region without a label",
        one(reg("e1", 0, "Microsoft", [])),
        expect=[E("no-label", f"{R}[0].value.labels")],
        counts=counts(1, 0, 1),
    )
    case(
        "many-labels",
        "a region with two labels",
        one(reg("e1", 0, "Microsoft", ["ORG", "PRODUCT"])),
        expect=[E("many-labels", f"{R}[0].value.labels")],
        counts=counts(1, 0, 1),
    )
    r = reg("e1", 0, "Microsoft", "ORG")
    r["value"]["labels"] = "ORG"
    case(
        "labels-not-list",
        "labels is a string",
        one(r),
        expect=[E("wrong-type", f"{R}[0].value.labels")],
        counts=counts(1, 0, 1),
    )
    case(
        "duplicate-region-id",
        "two regions share an id",
        one(reg("e1", 0, "Microsoft", "ORG"), more=[reg("e1", 0, "OpenAI", "ORG")]),
        expect=[E("duplicate-span-id", f"{R}[1].id")],
        counts=counts(1, 0, 1),
    )
    case(
        "duplicate-span",
        "the same span and label twice (claims allow overlap)",
        one(
            reg("s1", 1, "The Information", "SOURCE"),
            layer="claims",
            p=1,
            more=[reg("s2", 1, "The Information", "SOURCE")],
        ),
        expect=[E("duplicate-span", f"{R}[1]")],
        counts=counts(1, 0, 1),
    )
    case(
        "overlapping-entities",
        "entities never overlap",
        one(reg("e1", 0, "Microsoft et OpenAI", "ORG"), more=[reg("e2", 0, "OpenAI", "ORG")]),
        expect=[E("overlapping-spans", f"{R}[1]")],
        counts=counts(1, 0, 1),
    )
    case(
        "same-offsets-two-labels",
        "one stretch labelled twice in a no-overlap layer",
        one(reg("e1", 0, "OpenAI", "ORG"), more=[reg("e2", 0, "OpenAI", "PRODUCT")]),
        expect=[E("overlapping-spans", f"{R}[1]")],
        counts=counts(1, 0, 1),
    )
    case(
        "kb-id-format",
        "kb_id is not a Wikidata id",
        one(
            reg("e1", 0, "Microsoft", "ORG"), more=[textarea("e1", "kb_id", "2283", 0, "Microsoft")]
        ),
        expect=[E("bad-format", f"{R}[1].value.text")],
        counts=counts(1, 0, 1),
    )
    case(
        "orphan-region-field",
        "a per-region field for a region that does not exist",
        one(
            reg("e1", 0, "Microsoft", "ORG"),
            more=[textarea("zz", "kb_id", "Q2283", 0, "Microsoft")],
        ),
        expect=[E("orphan-region-field", f"{R}[1]")],
        counts=counts(1, 0, 1),
    )
    case(
        "unknown-control",
        "a control the layer does not have is ignored with a warning",
        one(
            reg("e1", 0, "Microsoft", "ORG"),
            more=[
                {
                    "id": "r",
                    "from_name": "rating",
                    "to_name": "text",
                    "type": "rating",
                    "value": {"rating": 4},
                }
            ],
        ),
        expect=[W("unknown-control", f"{R}[1]")],
        counts=counts(1, 1),
    )

    # ------------------------------------------------------------ claims
    case(
        "claims-valid",
        "a claim attributed to its source (control)",
        [task("claims", 1, [ann(101, claims_p1())])],
        counts=counts(1, 1),
    )
    res = claims_p1()
    res[-1] = rel("c1", "gone")
    case(
        "dangling-relation",
        "a relation to a deleted region",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("dangling-relation", f"{R}[5].to_id")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res[-1] = rel("s1", "c1")
    case(
        "reversed-attribution",
        "attributed_to drawn from the source to the claim",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("bad-relation", f"{R}[5]")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res.append(copy.deepcopy(res[-1]))
    case(
        "duplicate-relation",
        "the same relation twice",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("duplicate-relation", f"{R}[6]")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res[-1] = {"from_id": "c1", "type": "relation", "labels": ["attributed_to"]}
    case(
        "relation-incomplete",
        "a relation without to_id",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("relation-incomplete", f"{R}[5]")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    del res[3]  # modality
    case(
        "claim-missing-attribute",
        "a CLAIM without its modality",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("missing-field", f"{R}[1]")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res.append(choice("s1", "modality", "reported", 1, "The Information"))
    case(
        "source-with-attribute",
        "a SOURCE carrying a claim attribute",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("field-not-allowed", f"{R}[0]")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res[-1] = rel("c1", "s1", "said_by")
    case(
        "unknown-relation",
        "a relation label the schema does not know",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("unknown-relation", f"{R}[5].labels")],
        counts=counts(1, 0, 1),
    )
    res = claims_p1()
    res[2] = choice(
        "c1", "claim_type", "Plan", 1, "le projet Stargate pourrait être lancé dès 2028 à Reno"
    )
    case(
        "unknown-choice-value",
        "a choice value in the wrong case",
        [task("claims", 1, [ann(101, res)])],
        expect=[E("unknown-value", f"{R}[2].value.choices")],
        counts=counts(1, 0, 1),
    )

    # ------------------------------------------------------------ translation errors (MQM)
    def mqm(result: list[Any]) -> list[Any]:
        return [task("translation_errors", 2, [ann(101, result)])]

    case(
        "mqm-valid",
        "a minor punctuation error, judged 'errors' (control)",
        mqm([*mqm_p2(), judge("errors")]),
        counts=counts(1, 1),
    )
    case(
        "mqm-no-error",
        "no span, judged 'no-error' (control)",
        mqm([judge("no-error")]),
        counts=counts(1, 1),
    )
    case(
        "mqm-punctuation-critical",
        "fluency/punctuation cannot be critical",
        mqm([*mqm_p2(severity="critical"), judge("errors")]),
        expect=[E("forbidden-combination", f"{R}[1].value.choices")],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-nontranslation-minor",
        "non-translation is never minor",
        mqm([*mqm_p2("non-translation", "minor", "coûteraient cher"), judge("errors")]),
        expect=[E("forbidden-combination", f"{R}[1].value.choices")],
        counts=counts(1, 0, 1),
    )
    res = [*mqm_p2("non-translation", "major", "Sam Altman a déclaré"), *mqm_p2(), judge("errors")]
    res[2]["id"] = res[3]["id"] = "m2"
    case(
        "mqm-nontranslation-with-others",
        "non-translation together with another error",
        mqm(res),
        expect=[E("exclusive-label", f"{R}[0]")],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-no-error-with-spans",
        "judged 'no-error' but has an error span",
        mqm([*mqm_p2(), judge("no-error")]),
        expect=[E("judgement-conflict", f"{R}[2].value.choices")],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-errors-without-spans",
        "judged 'errors' but no span",
        mqm([judge("errors")]),
        expect=[E("judgement-conflict", f"{R}[0].value.choices")],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-missing-judgement",
        "no span and no judgement",
        mqm([]),
        expect=[E("missing-judgement", R)],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-implied-judgement",
        "spans but no judgement: 'errors' implied, warned",
        mqm(mqm_p2()),
        expect=[W("judgement-implied", R)],
        counts=counts(1, 1),
    )
    case(
        "mqm-missing-severity",
        "an error span without severity",
        mqm([mqm_p2()[0], judge("errors")]),
        expect=[E("missing-field", f"{R}[0]")],
        counts=counts(1, 0, 1),
    )
    case(
        "mqm-severity-case",
        "severity 'Major' (WMT spelling)",
        mqm([*mqm_p2(severity="Major"), judge("errors")]),
        expect=[E("unknown-value", f"{R}[1].value.choices")],
        counts=counts(1, 0, 1),
    )
    res = [*mqm_p2(), judge("errors"), reg("m9", 2, "Sam", "fluency/grammar", start=3, end=70)]
    case(
        "mqm-crosses-segment",
        "a span running past its paragraph",
        mqm(res),
        expect=[E("offset-out-of-range", f"{R}[3].value.end")],
        counts=counts(1, 0, 1),
    )

    # ------------------------------------------------------------ JSON_MIN
    def min_row(labels: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
        row = dict(task("entities", 0)["data"])
        row.update(
            {
                "id": 1,
                "label": labels,
                "annotator": 3,
                "annotation_id": 501,
                "created_at": "2024-05-01T10:00:00Z",
                "updated_at": "2024-05-01T10:00:00Z",
                "lead_time": 4.0,
            }
        )
        row.update(more)
        return row

    def mlab(word: str, label: str) -> dict[str, Any]:
        s, e = find(0, word)
        return {"start": s, "end": e, "text": word, "labels": [label]}

    case(
        "json-min-valid",
        "a JSON_MIN export (control)",
        [min_row([mlab("Microsoft", "ORG"), mlab("OpenAI", "ORG")])],
        counts=counts(1, 1),
    )
    case(
        "json-min-unknown-label",
        "JSON_MIN with a label the schema does not know",
        [min_row([mlab("Microsoft", "Organization")])],
        expect=[E("unknown-label", "$[0].label[0].labels")],
        counts=counts(1, 0, 1),
    )
    empty = {k: v for k, v in min_row([]).items() if k not in ("label", "annotation_id")}
    empty["annotator"] = None
    case(
        "json-min-no-annotation",
        "JSON_MIN row of a task nobody annotated",
        [empty, min_row([mlab("Microsoft", "ORG")], id=2, annotation_id=502)],
        counts=counts(2, 1, 0, 1),
    )
    row = dict(task("translation_errors", 2)["data"])
    s1, e1 = find(2, ",")
    s2, e2 = find(2, "Sam")
    row.update(
        {
            "id": 1,
            "annotator": 3,
            "annotation_id": 501,
            "judgement": "errors",
            "severity": ["minor", "major"],
            "label": [
                {"start": s1, "end": e1, "text": ",", "labels": ["fluency/punctuation"]},
                {"start": s2, "end": e2, "text": "Sam", "labels": ["fluency/spelling"]},
            ],
        }
    )
    case(
        "json-min-lossy",
        "JSON_MIN drops which region a severity belongs to",
        [row],
        expect=[
            E("json-min-lossy", "$[0].severity[0]"),
            E("json-min-lossy", "$[0].severity[1]"),
            E("missing-field", "$[0].label[0]"),
            E("missing-field", "$[0].label[1]"),
        ],
        counts=counts(1, 0, 1),
    )

    # ------------------------------------------------------------ mixed, and real files
    mixed = [
        valid_entities_task(1, 101),
        task("entities", 0, [ann(102, [reg("x", 0, "Microsoft", "Organisation")])], tid=2),
        valid_entities_task(3, 103),
        task("entities", 0, [ann(104, [reg("y", 0, "OpenAI", "ORG", start=-1)])], tid=4),
        valid_entities_task(5, 105),
        task("claims", 1, [ann(106, claims_p1())], tid=6),
    ]
    case(
        "mixed-file",
        "valid and broken records in one file: the valid ones all come through",
        mixed,
        expect=[
            E("unknown-label", "$[1].annotations[0].result[0].value.labels"),
            E("negative-offset", "$[3].annotations[0].result[0].value.start"),
        ],
        counts=counts(6, 4, 2),
    )
    case(
        "mixed-file-strict",
        "the same with --strict fails the run",
        None,
        file="cases/mixed-file.json",
        args=["--strict"],
        exit_code=1,
        expect=[
            E("unknown-label", "$[1].annotations[0].result[0].value.labels"),
            E("negative-offset", "$[3].annotations[0].result[0].value.start"),
        ],
        counts=counts(6, 4, 2),
    )
    case(
        "external-full",
        "a real JSON export (BiographyNet) read as entities: foreign labels, relations",
        None,
        file="../external/labelstudio/daza_biographynet_testing_ls_full.json",
        args=["--layer", "entities", "--text-field", "text"],
        expect_codes={"unknown-label": 13, "relations-not-allowed": 2},
        counts=counts(2, 0, 2),
    )
    case(
        "external-json-min",
        "a real JSON_MIN export (BiographyNet) read as entities",
        None,
        file="../external/labelstudio/daza_biographynet_testing_ls_JSON_MIN.json",
        args=["--layer", "entities", "--text-field", "text"],
        counts=counts(2, 2),
    )


def main() -> None:
    CASES.mkdir(exist_ok=True)
    for old in CASES.glob("*.json"):
        old.unlink()
    build()
    names = [c["name"] for c in CASES_SPEC]
    assert len(names) == len(set(names)), "case names must be unique"
    (HERE / "cases.json").write_text(
        json.dumps(CASES_SPEC, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(CASES_SPEC)} cases")


if __name__ == "__main__":
    main()
