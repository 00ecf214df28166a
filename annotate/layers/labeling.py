"""A layer's Label Studio labeling config, generated from its taxonomy, and the keys it
binds.

What annotators meet, and why it is built so:

- **Hotkeys.** Every label and choice gets the key its schema names (``hotkey`` of a
  label, ``hotkeys`` of a choice). Label Studio gives a control without one the next free
  key of ``1234567890qwet…`` — a digit, differently in every layer — so nothing is left
  to it. No key may be one of Label Studio's own (:data:`LS_KEYS`, its 1.23 keymap) nor
  one of the keys its own assignment leaves alone (``h``, ``r``, ``u``). On the source
  side, a label's or per-region choice's key is ``shift+`` the target's.
  :func:`hotkey_problems` checks a taxonomy.
- **Required.** A choice the schema marks ``required`` (the segment judgement, an
  error's severity) is required by Label Studio: it refuses to submit without it (a
  per-region one only in a config with one text: see :func:`label_config`).
- **Colours.** Labels have their schema ``background``; choices may colour their values
  (``colours``: the severities), which shows a region's severity on its choice buttons.
- **Source beside the target.** With ``source``, the source text and its labels are a
  column left of the target's (the source is the whole document's, so it scrolls).
- **Titled questions.** Each per-region and per-segment question has a title (the
  schema's ``title``, else its name) above its description.
- **The task's notice.** A line above the text shows the task's ``notice`` (boilerplate
  paragraphs say so there; see :func:`annotate.labelstudio.tasks.task_data`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from annotate.schemas import Choice, Taxonomy

__all__ = [
    "FROM_NAME",
    "LS_KEYS",
    "NOTICE_FIELD",
    "SOURCE_NAME",
    "SOURCE_PREFIX",
    "TO_NAME",
    "hotkey_problems",
    "label_config",
    "layer_hotkeys",
]

# The names of the <Labels> and <Text> tags in every generated config; a region on the
# ``source`` object is marked in the document's source text (an omission, a source error).
FROM_NAME = "label"
TO_NAME = "text"
SOURCE_NAME = "source"
SOURCE_PREFIX = "source_"  # of the controls of regions on the source
NOTICE_FIELD = "notice"  # a task's line above its text (empty for most tasks)

# Label Studio 1.23's shortcuts in a text config (its keymap,
# web/libs/editor/src/core/settings/keymap.json, and the data manager's), and the single
# keys its automatic assignment skips (h, r, u: u unselects a region). A layer's hotkeys
# avoid them all. (The image tools' single letters — b, e, k, m, o, p, v, w … — are bound
# only when a config has an image.)
LS_KEYS = frozenset(
    {
        "ctrl+enter", "ctrl+space", "alt+enter", "ctrl+right", "ctrl+left", "ctrl+up",
        "ctrl+down", "ctrl+z", "ctrl+shift+z", "ctrl+backspace", "ctrl+d", "ctrl+h",
        "ctrl+shift+a", "enter", "escape", "backspace", "delete", "left", "right",
        "shift+left", "shift+right", "shift+up", "shift+down", "shift+.", "alt+r",
        "alt+h", "alt+l", "alt+m", "alt+.", "alt+left", "alt+right", "shift+alt+left",
        "shift+alt+right", "h", "r", "u",
    }
)  # fmt: skip

_HINT = {"size": "5", "style": "font-size:13px;font-weight:normal;color:#555;margin:2px 0 4px"}
_TITLE = {"size": "5", "style": "font-size:14px;font-weight:600;color:#222;margin:10px 0 0"}
_NOTICE = {"size": "5", "style": "font-size:14px;font-weight:600;color:#8a4b00;margin:4px 0"}
_RELATION_LINE_HEIGHT = "2.2"
_COLUMNS = "display:flex;gap:24px;align-items:flex-start"
_COLUMN = "flex:1 1 0;min-width:0"
_SOURCE_COLUMN = _COLUMN + ";max-height:70vh;overflow-y:auto"


def _source_key(key: str) -> str:
    return f"shift+{key}"


def layer_hotkeys(tax: Taxonomy, *, source: bool = False) -> dict[str, str]:
    """Key → what it selects (``label:<value>``, ``<choice>:<value>``; with ``source``
    the source side's labels too), as the config binds them."""
    keys: dict[str, str] = {}
    for value, info in tax.labels.items():
        if info.get("hotkey"):
            keys.setdefault(info["hotkey"], f"{FROM_NAME}:{value}")
            if source:
                keys.setdefault(_source_key(info["hotkey"]), f"{SOURCE_PREFIX}{FROM_NAME}:{value}")
    for choice in tax.choices.values():
        for value, key in choice.hotkeys.items():
            keys.setdefault(key, f"{choice.name}:{value}")
            if source and not choice.per_segment:
                keys.setdefault(_source_key(key), f"{SOURCE_PREFIX}{choice.name}:{value}")
    return keys


def hotkey_problems(tax: Taxonomy) -> list[str]:
    """What is wrong with a layer's hotkeys: a label or choice value without one, a key
    used twice, a Label Studio shortcut, a digit (Label Studio's own assignment)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    # (what, key, whether the source side binds shift+key too)
    wanted = [(f"label {v!r}", info.get("hotkey"), True) for v, info in tax.labels.items()]
    for choice in tax.choices.values():
        sided = not choice.per_segment  # per-region: the source side's is shift+key
        wanted += [(f"{choice.name} {v!r}", choice.hotkeys.get(v), sided) for v in choice.values]
        for v in sorted(choice.hotkeys.keys() - choice.values.keys()):
            problems.append(f"{tax.layer}: {choice.name} has a hotkey for {v!r}, not a value")
    for what, key, sided in wanted:
        if not key:
            problems.append(f"{tax.layer}: {what} has no hotkey")
            continue
        key = key.lower()
        for side in (key, _source_key(key)) if sided else (key,):
            if side in LS_KEYS:
                problems.append(f"{tax.layer}: {what}: {side!r} is a Label Studio shortcut")
        if key.isdigit():
            problems.append(f"{tax.layer}: {what}: {key!r} is a digit (Label Studio's own)")
        if key in seen:
            problems.append(f"{tax.layer}: {what}: {key!r} is also {seen[key]}'s")
        seen[key] = what
    return problems


def label_config(tax: Taxonomy, *, title: str | None = None, source: bool = False) -> str:
    """The Label Studio labeling config (XML) of a layer with taxonomy ``tax``. With
    ``source`` (tasks whose documents have a source text, for a layer that shows it) the
    source is a column beside the target, with its own labels and per-region controls
    (named ``source_…``), so that annotators mark omissions and source errors there."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value=title or tax.title)
    ET.SubElement(view, "Header", {"value": f"${NOTICE_FIELD}", **_NOTICE})
    _relations(view, tax)
    texts: ET.Element = view
    if source:
        texts = ET.SubElement(view, "View", style=_COLUMNS)
        left = ET.SubElement(texts, "View", style=_SOURCE_COLUMN)
        ET.SubElement(left, "Header", {"value": "Source", **_TITLE})
        hint = "Mark omissions (and errors of the source itself) here: shift + the label's key."
        ET.SubElement(left, "Header", {"value": hint, **_HINT})
        _labels(left, tax, SOURCE_PREFIX + FROM_NAME, SOURCE_NAME)
        ET.SubElement(left, "Text", name=SOURCE_NAME, value="$source_text")
        texts = ET.SubElement(texts, "View", style=_COLUMN)
        ET.SubElement(texts, "Header", {"value": "Translation", **_TITLE})
        ET.SubElement(
            texts, "Header", {"value": "Mark the errors of the translation here.", **_HINT}
        )
    _labels(texts, tax, FROM_NAME, TO_NAME)
    ET.SubElement(texts, "Text", name=TO_NAME, value="$text")
    # Label Studio checks a required per-region choice on every region of the task, of
    # either text: with two texts, the target's severity would be required of the
    # source's regions. There, validation asks for it instead.
    _region_controls(view, tax, required=not source)
    if source:
        _region_controls(view, tax, prefix=SOURCE_PREFIX, to_name=SOURCE_NAME, required=False)
    for choice in tax.segment_choices():
        box = ET.SubElement(view, "View")
        _choices(box, choice, name=choice.name, to_name=TO_NAME)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode")


def _relations(view: ET.Element, tax: Taxonomy) -> None:
    if not tax.relations:
        return
    rels = ET.SubElement(view, "Relations")
    for name, rel in tax.relations.items():
        ET.SubElement(rels, "Relation", value=name, hint=rel.get("description", ""))
    # Label Studio draws a relation's label in a box at the top of its arrow, over the
    # line of text above the regions it links, and has no setting to move it. Lines
    # further apart leave the arrows room; a layer with one relation hides the boxes
    # (they would all say the same; the Relations panel still names each).
    css = [f".lsf-richtext__container {{ line-height: {_RELATION_LINE_HEIGHT}; }}"]
    if len(tax.relations) == 1:
        css.append('.relations-overlay g[text-anchor="middle"] { display: none; }')
    ET.SubElement(view, "Style").text = " ".join(css)


def _labels(view: ET.Element, tax: Taxonomy, name: str, to_name: str) -> None:
    labels = ET.SubElement(view, "Labels", name=name, toName=to_name, showInline="true")
    on_source = name.startswith(SOURCE_PREFIX)
    for value, info in tax.labels.items():
        attrs = {"value": value, "hint": info.get("description", "")}
        if info.get("background"):
            attrs["background"] = info["background"]
        if info.get("hotkey"):
            attrs["hotkey"] = _source_key(info["hotkey"]) if on_source else info["hotkey"]
        ET.SubElement(labels, "Label", attrs)


def _choices(
    box: ET.Element,
    choice: Choice,
    *,
    name: str,
    to_name: str,
    per_region: bool = False,
    on_source: bool = False,
    required: bool = True,
) -> None:
    ET.SubElement(box, "Header", {"value": choice.heading, **_TITLE})
    if choice.description:
        ET.SubElement(box, "Header", {"value": choice.description, **_HINT})
    attrs = {"name": name, "toName": to_name, "choice": "single", "showInline": "true"}
    if per_region:
        attrs["perRegion"] = "true"
    if choice.required and required:
        attrs |= {"required": "true", "requiredMessage": f"{choice.heading}: {choice.description}"}
    ctl = ET.SubElement(box, "Choices", attrs)
    for value, hint in choice.values.items():
        item = {"value": value, "hint": hint}
        if choice.hotkeys.get(value):
            key = choice.hotkeys[value]
            item["hotkey"] = _source_key(key) if on_source else key
        if choice.colours.get(value):
            colour = choice.colours[value]
            item["style"] = f"border-left:6px solid {colour};padding-left:4px"
        ET.SubElement(ctl, "Choice", item)


def _region_controls(
    view: ET.Element,
    tax: Taxonomy,
    *,
    prefix: str = "",
    to_name: str = TO_NAME,
    required: bool = True,
) -> None:
    # Group the per-region controls by the label they apply to, so that Label Studio
    # shows only the relevant ones when a region is selected.
    groups: dict[str, list[tuple[str, Any]]] = {}
    for choice in tax.region_choices():
        groups.setdefault(choice.applies_to, []).append(("choice", choice))
    for name, spec in tax.text_fields.items():
        groups.setdefault(spec.get("applies_to", "*"), []).append(("text", (name, spec)))
    for applies_to, controls in groups.items():
        # shown for the regions of this side's labels only (and of the label it is for)
        attrs = {"visibleWhen": "region-selected", "whenTagName": prefix + FROM_NAME}
        if applies_to != "*":
            attrs["whenLabelValue"] = applies_to
        box = ET.SubElement(view, "View", attrs)
        if prefix:
            ET.SubElement(box, "Header", {"value": "The selected source-side error", **_TITLE})
        for kind, item in controls:
            if kind == "choice":
                _choices(
                    box,
                    item,
                    name=prefix + item.name,
                    to_name=to_name,
                    per_region=True,
                    on_source=bool(prefix),
                    required=required,
                )
                continue
            name, spec = item
            ET.SubElement(box, "Header", {"value": spec.get("description", name), **_HINT})
            area = {
                "name": prefix + name,
                "toName": to_name,
                "perRegion": "true",
                "editable": "true",
                "maxSubmissions": "1",
                "rows": "1",
            }
            if spec.get("placeholder"):
                area["placeholder"] = spec["placeholder"]
            ET.SubElement(box, "TextArea", area)
