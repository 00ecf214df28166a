"""The fast array reader (orjson per item, cut at the separator between tasks) gives what
a plain ``ijson.items(f, "item", use_float=True)`` pass gives — the same items, then the
same error after the same number of items — on compact and indented exports, cut at every
place, with faults in and between items, and whatever the chunk size."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import ijson
import pytest

from annotate.labelstudio import json_items
from annotate.labelstudio.json_items import array_items


def _read(reader: Any, data: bytes) -> tuple[list[Any], tuple[str, str] | None]:
    items: list[Any] = []
    try:
        for item in reader(io.BytesIO(data)):
            items.append(item)
    except ijson.JSONError as exc:
        return items, (type(exc).__name__, (str(exc).splitlines() or [""])[0])
    return items, None


def _ijson(stream: io.BytesIO) -> Any:
    return ijson.items(stream, "item", use_float=True)


def _task(i: int, rng: random.Random) -> dict[str, Any]:
    text = rng.choice(["a", ',{"id":1', '},{"id": 2', "]}{", "é" * rng.randint(0, 40)])
    result = [{"id": "x", "value": {"start": 0, "end": 1.5}}, {"id": "y", "value": {}}]
    annotations = [{"id": i, "result": result}, {"id": -i, "result": []}]
    return {"id": i, "data": {"text": text}, "annotations": annotations}


def _exports() -> list[bytes]:
    rng = random.Random(7)
    out: list[bytes] = []
    for n in range(6):
        tasks = [_task(i, rng) for i in range(n)]
        for indent in (None, 2):
            whole = json.dumps(tasks, indent=indent, ensure_ascii=False).encode()
            out.append(whole)
            step = max(1, len(whole) // 41)
            out += [whole[:cut] for cut in range(1, len(whole), step)]  # truncated
            out.append(b"\n " + whole + b"\n")
            out.append(whole + b" trailing")
            out.append(whole.replace(b'"a"', b"NaN"))
            out.append(whole.replace(b'"a"', b'"\\ud800"'))  # ijson reads it, orjson not
            out.append(whole.replace(b'"a"', b'"\xff"'))  # not UTF-8
            out.append(whole.replace(b"}, {", b"},, {", 1).replace(b"},{", b"},,{", 1))
            out.append(whole.replace(b"}, {", b"} {", 1).replace(b"},{", b"}{", 1))
    out += [b"[]", b"[ ]", b"[1, 2]", b'[{"a": 1}, 2]', b'[{"a": 1},]', b"[", b"[{"]
    return out


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_the_fast_reader_reads_what_ijson_reads(chunk: int, monkeypatch: Any) -> None:
    monkeypatch.setattr(json_items, "CHUNK", chunk)
    exports = _exports()
    assert len(exports) > 400
    for data in exports:
        assert _read(array_items, data) == _read(_ijson, data), data[:300]
