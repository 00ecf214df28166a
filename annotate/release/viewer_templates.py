"""The Jinja templates of the release viewer (autoescaped; the displaCy markup is the one
value marked safe). Kept in a module rather than package data so that the viewer works
from any install, and small enough to read: one stylesheet, one script for the toggles."""

from __future__ import annotations

from functools import cache

import jinja2

__all__ = ["DIFF_STYLE", "STYLE", "TOGGLES", "environment"]

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


# The diff's pages (annotate.release.diff_view) add to the viewer's stylesheet.
DIFF_STYLE = (
    _STYLE
    + """
.legend { font-size: 14px; margin: 8px 0; }
.legend .item { display: inline-block; margin: 0 22px 4px 0; }
.legend .swatch { display: inline-block; padding: 0 8px; border-radius: 4px; margin-right: 4px; }
.block.kind-added { border-left: 4px solid #2da44e; padding-left: 10px; }
.block.kind-removed { border-left: 4px solid #cf222e; padding-left: 10px; }
.block.kind-changed { border-left: 4px solid #bf8700; padding-left: 10px; }
.vw-removed { text-decoration: line-through; text-decoration-color: #cf222e; }
td.added, span.added { color: #1a7f37; } td.removed, span.removed { color: #cf222e; }
td.changed, span.changed { color: #9a6700; } td.zero { color: #afb8c1; }
"""
)

_DIFF_MACROS = """{% macro legend(kinds) %}<p class="legend">
<span class="item"><span class="swatch" style="background:{{ kinds.added }}">added</span> in the newer release only</span>
<span class="item"><span class="swatch" style="background:{{ kinds.removed }}"><s>removed</s></span> in the older release only</span>
<span class="item"><span class="swatch" style="background:{{ kinds.changed }}">changed</span> the same span with other fields (the newer version; the table says what was before)</span>
</p>{% endmacro %}
{% macro counts(c) %}{% for k in ("added", "removed", "changed") %}<td class="num {{ k if c[k] else 'zero' }}">{{ c[k] }}</td>{% endfor %}{% endmacro %}
"""

_DIFF_INDEX = """{% extends "base.html" %}
{% import "diff_macros.html" as m %}
{% block title %}{{ dataset }}: what changed from {{ a }} to {{ b }}{% endblock %}
{% block header %}<strong>{{ dataset }}</strong> {{ a }} → {{ b }} · {{ documents|length }} changed document{{ "" if documents|length == 1 else "s" }}{% endblock %}
{% block main %}
<h1>What changed from {{ a }} to {{ b }}</h1>
{{ m.legend(kinds) }}
<table id="totals">
<thead><tr><th>layer</th><th class="num">added</th><th class="num">removed</th><th class="num">changed</th><th class="num">unchanged</th></tr></thead>
<tbody>
{% for name, c in totals.items() %}<tr data-layer="{{ name }}"><td>{{ "judgements" if name == "segments" else name }}</td>{{ m.counts(c) }}<td class="num">{{ c.unchanged }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if schema.removed or schema.added %}<h2>Schema</h2><ul>
{% for s in schema.removed %}<li><span class="removed">removed or renamed</span>: {{ s }}</li>{% endfor %}
{% for s in schema.added %}<li><span class="added">added</span>: {{ s }}</li>{% endfor %}
</ul>{% endif %}
{% for layer, c in raw.items() if c.added or c.removed or c.changed %}{% if loop.first %}<p>Raw rows of the other annotators (the <code>annotations</code> config):{% endif %}
{{ layer }} {{ c.added }} added, {{ c.removed }} removed, {{ c.changed }} changed{{ "." if loop.last else ";" }}{% if loop.last %}</p>{% endif %}{% endfor %}
<h2>Changed documents</h2>
{% if documents %}<table id="documents">
<thead><tr><th rowspan="2">document</th>
{% for layer in layers %}<th colspan="3">{{ layer }}</th>{% endfor %}<th colspan="3">judgements</th></tr>
<tr>{% for layer in layers + ["judgements"] %}<th class="num">+</th><th class="num">−</th><th class="num">~</th>{% endfor %}</tr></thead>
<tbody>
{% for d in documents %}
<tr><td><a href="{{ d.page }}">{{ d.title }}</a>{% if d.status %} <span class="{{ d.status }}">({{ d.status }})</span>{% endif %}<br><code>{{ d.doc_id[:12] }}</code>{% if d.fields %} · {{ d.fields }} field{{ "" if d.fields == 1 else "s" }} changed{% endif %}</td>
{% for layer in layers %}{{ m.counts(d.counts[layer]) }}{% endfor %}{{ m.counts(d.judgements) }}</tr>
{% endfor %}
</tbody>
</table>
{% else %}<p>No document changed.</p>{% endif %}
{% endblock %}
"""

_DIFF_DOCUMENT = """{% extends "base.html" %}
{% import "diff_macros.html" as m %}
{% block title %}{{ doc.title or doc.doc_id[:12] }} · {{ dataset }} {{ a }} → {{ b }}{% endblock %}
{% block header %}<a href="index.html">{{ dataset }} {{ a }} → {{ b }}</a> › {{ doc.title or doc.doc_id[:12] }}{% endblock %}
{% block main %}
<h1>{{ doc.title or "(untitled)" }}{% if status %} <span class="{{ status }}">({{ status }} in {{ b if status == "added" else a }})</span>{% endif %}</h1>
<p><code>{{ doc.doc_id }}</code> · {{ doc.lang }} · {{ unchanged_paragraphs }} paragraph{{ "" if unchanged_paragraphs == 1 else "s" }} without a change not shown</p>
{{ m.legend(kinds) }}
<div class="controls">
<strong>Layers</strong>
{% for layer in layers %}<label><input type="checkbox" data-toggle="layer" value="{{ layer }}" checked> {{ layer }}</label>{% endfor %}
<br><strong>Changes</strong>
{% for k in kinds %}<label><input type="checkbox" data-toggle="kind" value="{{ k }}" checked> {{ k }}</label>{% endfor %}
</div>
{% if document_fields %}<h2>Document fields</h2>
<table id="document-fields"><thead><tr><th>field</th><th>{{ a }}</th><th>{{ b }}</th></tr></thead><tbody>
{% for f in document_fields %}<tr><td>{{ f.field }}</td><td>{{ f.before }}</td><td>{{ f.after }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
{% if judgements %}<h2>Judgements</h2>
<p>A segment's judgement row: who made its gold, by which rule, from how many raters' versions.</p>
<table id="judgements"><thead><tr><th>change</th><th>layer</th><th>segment</th><th>judgement</th><th>what changed ({{ a }} → {{ b }})</th></tr></thead><tbody>
{% for j in judgements %}<tr data-kind="{{ j.kind }}"><td class="{{ j.kind }}">{{ j.kind }}</td><td>{{ j.layer }}</td><td>{{ j.segment }}</td><td>{{ j.judgement if j.judgement is not none else "—" }}</td><td>{% for f in j.fields %}<div>{{ f }}</div>{% endfor %}</td></tr>{% endfor %}
</tbody></table>{% endif %}
{% macro block(b, side) %}<div class="block diff kind-{{ b.kind }}" data-layer="{{ b.layer }}" data-kind="{{ b.kind }}" data-count="{{ b.count }}"{% if side %} data-side="{{ side }}"{% endif %}>
<h3>{{ b.layer }} · <span class="{{ b.kind }}">{{ b.kind }}</span> · {{ b.count }}</h3>
<div class="spans">{{ b.markup|safe }}</div>
<details{% if b.kind == "changed" %} open{% endif %}><summary>{{ b.rows|length }} row{{ "" if b.rows|length == 1 else "s" }}</summary>
<table><thead><tr><th>text</th><th>label</th><th>fields</th></tr></thead><tbody>
{% for r in b.rows %}<tr><td>{{ r.text }}</td><td>{{ r.label }}</td><td>{% for k, v in r.fields.items() %}<div>{{ k }}: {{ v }}</div>{% endfor %}</td></tr>{% endfor %}
</tbody></table></details>
</div>{% endmacro %}
{% if source_blocks %}<section class="para" id="source"><h2>Source text (errors marked on the source side)</h2>
{% for b in source_blocks %}{{ block(b, "source") }}{% endfor %}</section>{% endif %}
{% for p in paragraphs %}
<section class="para" id="p{{ p.index }}">
<h2>¶ {{ p.index }}</h2>
{% for b in p.blocks %}{{ block(b, none) }}
{% endfor %}
</section>
{% endfor %}
{% endblock %}
"""


STYLE = _STYLE  # the viewer's stylesheet and toggles, which format 2 extends
TOGGLES = _SCRIPT

# Viewer format 2 (annotate.release.viewer_data): the page holds the paragraphs' text and
# the rows as JSON; the script (annotate.release.viewer_script) draws the blocks.
_INDEX2 = """{% extends "base.html" %}
{% block title %}{{ dataset }} {{ version }}: documents{% if pages|length > 1 %} ({{ number }}/{{ pages|length }}){% endif %}{% endblock %}
{% block header %}<strong>{{ dataset }}</strong> {{ version }} · {{ total }} document{{ "" if total == 1 else "s" }}{% endblock %}
{% block main %}
<h1>Documents</h1>
<p>Every document of the release with the number of rows it has in each layer. Open one to
see its paragraphs with the layers highlighted.</p>
{% macro nav() %}{% if pages|length > 1 %}<p class="pages">Pages: {% for p in pages %}{% if loop.index == number %}<strong>{{ loop.index }}</strong>{% else %}<a href="{{ p }}">{{ loop.index }}</a>{% endif %} {% endfor %}</p>{% endif %}{% endmacro %}
{{ nav() }}
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
{{ nav() }}
<p>A score is the sum of the rows' <code>weight</code> (the MQM penalty: 0 is a perfect translation).</p>
{% endblock %}
"""

_DOCUMENT2 = """{% extends "base.html" %}
{% block title %}{{ doc.title or doc.doc_id[:12] }} · {{ dataset }} {{ version }}{% endblock %}
{% block header %}<a href="index.html">{{ dataset }} {{ version }}</a> › {{ doc.title or doc.doc_id[:12] }}{% endblock %}
{% block main %}
<h1>{{ doc.title or "(untitled)" }}</h1>
<p><code>{{ doc.doc_id }}</code> · {{ doc.lang }}{% if doc.machine_translated %} · machine-translated{% if doc.source_lang %} from {{ doc.source_lang }}{% endif %}{% endif %}
{% if annotators %} · {{ annotators|length }} raters, <span id="vw-disputed">?</span> disputed spans{% endif %}</p>
<noscript><p>The spans are drawn by the page's script: allow it to see them. The text is below.</p></noscript>
<div class="controls">
<strong>Layers</strong>
{% for layer in layers %}<label><input type="checkbox" data-toggle="layer" value="{{ layer }}" checked> {{ layer }}</label>{% endfor %}
{% if annotators %}<br><strong>Raters</strong> (each rater's own version of the paragraphs where raters disagree; <span class="vw-disputed">dashed</span> and ≠: not every rater of the segment made it)
{% for a in annotators %}<label><input type="checkbox" data-toggle="annotator" value="{{ a }}"> {{ a }}</label>{% endfor %}
<label><input type="checkbox" data-toggle="annotator" value="gold" checked> gold</label>{% endif %}
</div>
{% if doc.source_text %}<details id="source"><summary>Source text</summary>
<div class="source">{{ doc.source_text }}</div>
</details>{% endif %}
{% for p in paragraphs %}
<section class="para" id="p{{ loop.index0 }}">
<h2>¶ {{ loop.index0 }}{% if p.boilerplate %}<span class="badge">boilerplate</span>{% endif %}</h2>
<div class="text">{{ p.text }}</div>
</section>
{% endfor %}
<script type="application/json" id="vw-data">{{ data|safe }}</script>
{% endblock %}
"""


@cache
def environment() -> jinja2.Environment:
    from annotate.release.viewer_marks import document_template

    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "base.html": _BASE,
                "index.html": _INDEX,
                "document.html": _DOCUMENT,
                "diff_macros.html": _DIFF_MACROS,
                "diff_index.html": _DIFF_INDEX,
                "diff_document.html": _DIFF_DOCUMENT,
                "index2.html": _INDEX2,
                "document2.html": _DOCUMENT2,
                "document3.html": document_template(_DOCUMENT2),
            }
        ),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(style=_STYLE, script=_SCRIPT)
    return env
