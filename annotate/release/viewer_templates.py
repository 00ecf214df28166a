"""The Jinja templates of the release viewer (autoescaped; the displaCy markup is the one
value marked safe). Kept in a module rather than package data so that the viewer works
from any install, and small enough to read: one stylesheet, one script for the toggles."""

from __future__ import annotations

from functools import cache

import jinja2

__all__ = ["environment"]

_STYLE = """
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #24292f; color: #fff; padding: 12px 24px; }
header a { color: #9ecbff; }
main { max-width: 980px; margin: 0 auto; padding: 16px 24px 64px; }
h1 { font-size: 1.5em; margin: 0.4em 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; background: #fff; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; font-size: 14px; }
th { background: #f0f3f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.controls { position: sticky; top: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
  padding: 8px 12px; margin: 12px 0; z-index: 100; font-size: 14px; }
.controls label { margin-right: 14px; white-space: nowrap; }
.para { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 16px; margin: 16px 0; }
.para h2 { font-size: 13px; color: #57606a; margin: 0 0 4px; font-weight: 600; }
.badge { font-size: 11px; background: #eaeef2; border-radius: 8px; padding: 1px 6px; margin-left: 6px; }
.block { border-top: 1px dashed #d0d7de; padding: 6px 0; }
.block h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #57606a; margin: 4px 0; }
.block.rater { background: #fbfbf4; }
.vw-mark { padding: 0.2em 0.35em; margin: 0 0.1em; line-height: 1; border-radius: 0.3em; }
.vw-label { font-size: 0.7em; font-weight: bold; margin-left: 0.35em; vertical-align: middle; }
.vw-token { display: inline-block; position: relative; }
.vw-slice, .vw-start { height: 4px; left: -1px; width: calc(100% + 2px); position: absolute; }
.vw-start { border-top-left-radius: 3px; border-bottom-left-radius: 3px; }
.vw-start .vw-label { position: absolute; top: -0.55em; z-index: 10; color: #000; padding: 1px 3px;
  line-height: 1; border-radius: 3px; white-space: nowrap; font-size: 0.6em; margin-left: 0; }
.spans { line-height: 3.2; }
.vw-disputed { outline: 2px dashed #cf222e; }
tr.disputed td { background: #fff1f0; }
.source { white-space: pre-wrap; background: #f6f8fa; border-left: 3px solid #8c959f; padding: 6px 10px; font-size: 14px; }
.hidden { display: none; }
details summary { cursor: pointer; color: #57606a; font-size: 13px; }
"""

_SCRIPT = """
document.querySelectorAll('input[data-toggle]').forEach(function (box) {
  function apply() {
    document.querySelectorAll('[data-' + box.dataset.toggle + '="' + box.value + '"]').forEach(function (el) {
      el.classList.toggle('hidden-' + box.dataset.toggle, !box.checked);
      el.classList.toggle('hidden', el.className.indexOf('hidden-') >= 0);
    });
  }
  box.addEventListener('change', apply);
  apply();
});
"""

_BASE = """<!DOCTYPE html>
<html lang="{{ lang or 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>
<style>{{ style|safe }}</style>
</head>
<body>
<header>{% block header %}{% endblock %}</header>
<main>
{% block main %}{% endblock %}
</main>
<script>{{ script|safe }}</script>
</body>
</html>
"""

_INDEX = """{% extends "base.html" %}
{% block title %}{{ dataset }} {{ version }}: documents{% endblock %}
{% block header %}<strong>{{ dataset }}</strong> {{ version }} · {{ documents|length }} documents{% endblock %}
{% block main %}
<h1>Documents</h1>
<p>Every document of the release with the number of rows it has in each layer. Open one to
see its paragraphs with the layers highlighted.</p>
<table id="documents">
<thead><tr><th>document</th><th>lang</th>
{% for layer in layers %}<th class="num">{{ layer.name }}</th>{% if layer.score %}<th class="num">{{ layer.name }} score</th>{% endif %}{% endfor %}
<th class="num">raters</th></tr></thead>
<tbody>
{% for d in documents %}
<tr><td><a href="{{ d.page }}">{{ d.title }}</a><br><code>{{ d.doc_id[:12] }}</code></td><td>{{ d.lang }}</td>
{% for layer in layers %}<td class="num">{{ d.counts[layer.name] }}</td>{% if layer.score %}<td class="num">{{ d.scores[layer.name] }}</td>{% endif %}{% endfor %}
<td class="num">{{ d.annotators }}</td></tr>
{% endfor %}
</tbody>
</table>
<p>A score is the sum of the rows' <code>weight</code> (the MQM penalty: 0 is a perfect translation).</p>
{% endblock %}
"""

_DOCUMENT = """{% extends "base.html" %}
{% block title %}{{ doc.title or doc.doc_id[:12] }} · {{ dataset }} {{ version }}{% endblock %}
{% block header %}<a href="index.html">{{ dataset }} {{ version }}</a> › {{ doc.title or doc.doc_id[:12] }}{% endblock %}
{% block main %}
<h1>{{ doc.title or "(untitled)" }}</h1>
<p><code>{{ doc.doc_id }}</code> · {{ doc.lang }}{% if doc.machine_translated %} · machine-translated{% if doc.source_lang %} from {{ doc.source_lang }}{% endif %}{% endif %}
{% if annotators %} · {{ annotators|length }} raters, {{ disputed }} disputed spans{% endif %}</p>
<div class="controls">
<strong>Layers</strong>
{% for layer in layers %}<label><input type="checkbox" data-toggle="layer" value="{{ layer }}" checked> {{ layer }}</label>{% endfor %}
{% if annotators %}<br><strong>Raters</strong> (each rater's own version of the paragraphs where raters disagree; <span class="vw-disputed">dashed</span> and ≠: not every rater of the segment made it)
{% for a in annotators %}<label><input type="checkbox" data-toggle="annotator" value="{{ a }}"> {{ a }}</label>{% endfor %}
<label><input type="checkbox" data-toggle="annotator" value="gold" checked> gold</label>{% endif %}
</div>
{% if source_text %}<details{% if source_blocks %} open{% endif %}><summary>Source text{% if source_blocks %} (with the errors marked on the source side){% endif %}</summary>
{% for b in source_blocks %}<div class="block gold source layer-{{ b.layer }}" data-layer="{{ b.layer }}" data-annotator="gold" data-count="{{ b.count }}" data-side="source">
<h3>{{ b.layer }} · source side · {{ b.count }}</h3><div class="spans">{{ b.markup|safe }}</div></div>{% endfor %}
{% if not source_blocks %}<div class="source" id="source-text">{{ source_text }}</div>{% endif %}
</details>{% endif %}
{% for p in paragraphs %}
<section class="para" id="p{{ p.index }}">
<h2>¶ {{ p.index }}{% if p.boilerplate %}<span class="badge">boilerplate</span>{% endif %}</h2>
{% for b in p.blocks %}
<div class="block {{ 'rater' if b.annotator else 'gold' }} layer-{{ b.layer }}" data-layer="{{ b.layer }}" data-annotator="{{ b.annotator or 'gold' }}" data-count="{{ b.count }}">
<h3>{{ b.layer }}{% if b.annotator %} · {{ b.annotator }}{% endif %} · {{ b.count }}</h3>
<div class="spans">{{ b.markup|safe }}</div>
{% if b.rows %}
<details><summary>{{ b.rows|length }} row{{ "" if b.rows|length == 1 else "s" }}</summary>
<table><thead><tr><th>text</th><th>label</th><th>fields</th></tr></thead><tbody>
{% for r in b.rows %}<tr id="row-{{ r.anchor }}"{% if r.disputed %} class="disputed"{% endif %}><td>{{ r.text }}</td><td>{{ r.label }}</td><td>
{% for k, v in r.fields.items() %}{% if k == "sources" %}<div>sources: {% for s in v %}<a href="#p{{ paragraph_of(s.start) }}" title="characters {{ s.start }}–{{ s.end }}">{{ s.text }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</div>
{% elif k == "kb_id" %}<div>kb_id: <a href="https://www.wikidata.org/wiki/{{ v }}">{{ v }}</a></div>
{% elif k == "relations" %}<div>relations: {% for rel in v %}{{ rel.label }} → {{ rel.to_id }}{% if not loop.last %}, {% endif %}{% endfor %}</div>
{% else %}<div>{{ k }}: {{ v }}</div>{% endif %}{% endfor %}
</td></tr>{% endfor %}
</tbody></table></details>
{% endif %}
</div>
{% endfor %}
</section>
{% endfor %}
{% endblock %}
"""


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {"base.html": _BASE, "index.html": _INDEX, "document.html": _DOCUMENT}
        ),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(style=_STYLE, script=_SCRIPT)
    return env
