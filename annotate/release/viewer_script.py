"""The stylesheet and the script of viewer format 2 (:mod:`annotate.release.viewer_data`).

The script reads the page's JSON (``<script type="application/json" id="vw-data">``) and
draws what format 1 draws in Python: per paragraph one block per layer with its gold
spans (``<mark class="vw-mark">`` where the document's spans of that layer never overlap;
otherwise the text is cut at every boundary and each span gets a label ``vw-start`` and
one stacked line under its text), each span's fields on hover and in a table (claim
sources linked to their paragraph, knowledge-base ids to Wikidata), the errors marked on
the source side over the source text, and, where the raters of a segment disagree, each
rater's own version with the spans not every rater made marked ``vw-disputed`` and ``≠``.
Elements are made with DOM calls and text nodes: no HTML is built from strings. Offsets
are code points, as in the release: the text is indexed as ``Array.from(text)``.
"""

from __future__ import annotations

from annotate.release.viewer_templates import STYLE as _BASE_STYLE
from annotate.release.viewer_templates import TOGGLES

__all__ = ["SCRIPT", "STYLE"]

STYLE = (
    _BASE_STYLE
    + """
.spans { line-height: 2.7; }
.vw-seg { padding-bottom: 1px; }
.vw-start { position: static; display: inline-block; height: auto; width: auto; left: auto;
  font-size: 0.6em; font-weight: bold; line-height: 1.1; padding: 1px 4px; margin: 0 2px 0 1px;
  border-radius: 3px; vertical-align: 0.5em; white-space: nowrap; }
.vw-label a, .vw-start a { color: inherit; }
.para .text { white-space: pre-wrap; }
.pages { margin: 12px 0; }
"""
)

_DRAW = r"""
(function () {
  'use strict';
  var node = document.getElementById('vw-data');
  if (!node) return;
  var data = JSON.parse(node.textContent);
  var POSITIONAL = {doc_id: 1, segment_start: 1, segment_end: 1, start: 1, end: 1, span_text: 1};
  var RAW = {layer: 1, annotator: 1, annotation_id: 1, ground_truth: 1, judgement: 1, label: 1,
    span_id: 1, attributes: 1};
  var starts = data.paragraphs.map(function (p) { return p[0]; });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  function rowsOf(columns, classes) {
    var names = Object.keys(columns || {}), out = [];
    var n = names.length ? columns[names[0]].length : 0;
    for (var i = 0; i < n; i++) {
      var r = {};
      names.forEach(function (k) {
        var v = columns[k][i];
        r[k] = classes && classes[k] && typeof v === 'number' ? classes[k][v] : v;
      });
      if (typeof r.attributes === 'string') r.attributes = JSON.parse(r.attributes);
      out.push(r);
    }
    return out;
  }
  function empty(v) { return v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length); }
  function plain(v) {
    if (Array.isArray(v)) return v.map(plain).join(', ');
    if (v && typeof v === 'object') return v.text || JSON.stringify(v);
    return String(v);
  }
  function fields(layer, r) {
    var out = [];
    Object.keys(r).forEach(function (k) {
      if (!(POSITIONAL[k] || RAW[k] || k === layer.id || k === layer.label || empty(r[k]))) out.push([k, r[k]]);
    });
    if (r.attributes && typeof r.attributes === 'object') {
      Object.keys(r.attributes).forEach(function (k) { out.push([k, r.attributes[k]]); });
    }
    return out;
  }
  function label(layer, r) {
    if (layer.label && !empty(r[layer.label])) return String(r[layer.label]);
    if (r.attributes && !empty(r.attributes[layer.label])) return String(r.attributes[layer.label]);
    return String(r.label || layer.name);
  }
  function tag(layer, r) {
    var f = {}, parts = [label(layer, r)];
    fields(layer, r).forEach(function (kv) { f[kv[0]] = kv[1]; });
    ['modality', 'severity', 'claim_type'].forEach(function (k) {
      if (k in f && parts.indexOf(String(f[k])) < 0) parts.push(String(f[k]));
    });
    if (f.checkworthy === true || f.checkworthy === 'yes') parts.push('✓');
    return parts.join(' · ');
  }
  function hover(layer, r) {
    return fields(layer, r).map(function (kv) { return kv[0] + ': ' + plain(kv[1]); }).join('; ');
  }
  function color(layer, r) { return layer.colors[label(layer, r)] || '#ddd'; }
  function ink(hex) {  // black on a light colour, white on a dark one
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
    if (!m) return '#000';
    var y = 0.299 * parseInt(m[1], 16) + 0.587 * parseInt(m[2], 16) + 0.114 * parseInt(m[3], 16);
    return y < 140 ? '#fff' : '#000';
  }
  function paint(layer, r) { var c = color(layer, r); return 'background:' + c + ';color:' + ink(c); }
  function anchor(layer, r, who) {
    var id = r[layer.id || 'span_id'] || r.span_id || (r.start + '-' + r.end);
    return (layer.name + '-' + (who || 'gold') + '-' + id).replace(/[^A-Za-z0-9_-]/g, '_');
  }
  function paragraphOf(offset) {
    var i = 0;
    while (i + 1 < starts.length && starts[i + 1] <= offset) i++;
    return i;
  }
  function sourceSide(r) { return (r.side || (r.attributes && r.attributes.side)) === 'source'; }
  function overlapping(list) {
    var s = list.slice().sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    for (var i = 1; i < s.length; i++) if (s[i].start < s[i - 1].end) return true;
    return false;
  }
  function text(chars, a, b) { return chars.slice(a, b).join(''); }

  function drawMarks(layer, chars, start, end, list, who, disputed) {
    var box = el('div', {'class': 'spans'}), at = start;
    list.forEach(function (r) {
      var lab = el('span', {'class': 'vw-label'}, [tag(layer, r) + (disputed(r) ? ' ≠' : '')]);
      if (r.kb_id) lab.append(' ', el('a', {href: 'https://www.wikidata.org/wiki/' + r.kb_id}, [r.kb_id]));
      box.append(text(chars, at, r.start), el('mark', {
        'class': 'vw-mark' + (disputed(r) ? ' vw-disputed' : ''), id: anchor(layer, r, who),
        title: hover(layer, r), style: paint(layer, r)
      }, [text(chars, r.start, r.end), lab]));
      at = r.end;
    });
    box.append(text(chars, at, end));
    return box;
  }
  function drawLines(layer, chars, start, end, list, who, disputed) {
    var box = el('div', {'class': 'spans'}), cuts = [start, end], slots = [], slotEnd = [];
    list.forEach(function (r) { cuts.push(Math.max(start, r.start), Math.min(end, r.end)); });
    cuts = cuts.filter(function (c, i) { return cuts.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
    list.forEach(function (r, i) {  // the line a span is drawn on: the first one free where it starts
      var s = 0;
      while (slotEnd[s] > r.start) s++;
      slots[i] = s;
      slotEnd[s] = r.end;
    });
    for (var c = 0; c + 1 < cuts.length; c++) {
      var a = cuts[c], b = cuts[c + 1], over = [];
      list.forEach(function (r, i) { if (Math.max(r.start, start) <= a && b <= r.end) over.push(i); });
      if (!over.length) { box.append(text(chars, a, b)); continue; }
      over.sort(function (x, y) { return slots[x] - slots[y]; });
      var seg = el('span', {'class': 'vw-seg'});
      over.forEach(function (i) {
        var r = list[i];
        if (Math.max(r.start, start) !== a) return;
        seg.append(el('span', {
          'class': 'vw-start' + (disputed(r) ? ' vw-disputed' : ''), id: anchor(layer, r, who),
          title: hover(layer, r), style: paint(layer, r)
        }, [tag(layer, r) + (disputed(r) ? ' ≠' : '')]));
      });
      seg.append(text(chars, a, b));
      seg.style.boxShadow = over.map(function (i) {
        return '0 ' + (3 + 4 * slots[i]) + 'px 0 ' + color(layer, list[i]);
      }).join(', ');
      box.append(seg);
    }
    return box;
  }
  function drawTable(layer, chars, list, who, disputed) {
    var body = el('tbody');
    list.forEach(function (r) {
      var cell = el('td');
      fields(layer, r).forEach(function (kv) {
        var k = kv[0], v = kv[1], div = el('div', {}, [k + ': ']);
        if (k === 'sources' && Array.isArray(v)) {
          v.forEach(function (s, i) {
            if (i) div.append(', ');
            div.append(el('a', {href: '#p' + paragraphOf(s.start), title: 'characters ' + s.start + '–' + s.end}, [s.text]));
          });
        } else if (k === 'kb_id') {
          div.append(el('a', {href: 'https://www.wikidata.org/wiki/' + v}, [String(v)]));
        } else if (k === 'relations' && Array.isArray(v)) {
          div.append(v.map(function (x) { return x.label + ' → ' + x.to_id; }).join(', '));
        } else {
          div.append(plain(v));
        }
        cell.append(div);
      });
      body.append(el('tr', {id: 'row-' + anchor(layer, r, who), 'class': disputed(r) ? 'disputed' : null},
        [el('td', {}, [text(chars, r.start, r.end)]), el('td', {}, [tag(layer, r)]), cell]));
    });
    var head = el('tr', {}, [el('th', {}, ['text']), el('th', {}, ['label']), el('th', {}, ['fields'])]);
    var n = list.length;
    return el('details', {}, [el('summary', {}, [n + (n === 1 ? ' row' : ' rows')]),
      el('table', {}, [el('thead', {}, [head]), body])]);
  }
  function drawBlock(layer, chars, start, end, list, who, disputed, side) {
    list.sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    var draw = layer.overlapping ? drawLines : drawMarks;
    var attrs = {'class': 'block ' + (who ? 'rater' : 'gold') + ' layer-' + layer.name,
      'data-layer': layer.name, 'data-annotator': who || 'gold', 'data-count': list.length,
      'data-side': side || null};
    var title = layer.name + (who ? ' · ' + who : '') + (side ? ' · source side' : '') + ' · ' + list.length;
    var children = [el('h3', {}, [title]), draw(layer, chars, start, end, list, who, disputed)];
    if (list.length) children.push(drawTable(layer, chars, list, who, disputed));
    return el('div', attrs, children);
  }

  // what each rater of a segment made, and the spans that some but not all of them made
  var raw = rowsOf(data.raw, null), made = {}, disputedIn = {}, disputedCount = 0;
  raw.forEach(function (r) {
    var seg = r.layer + '|' + r.segment_start + '|' + r.segment_end;
    var mine = (made[seg] = made[seg] || {});
    mine[r.annotator] = mine[r.annotator] || {};
    if (r.start !== null) mine[r.annotator][r.start + '|' + r.end + '|' + r.label] = true;
  });
  Object.keys(made).forEach(function (seg) {
    var raters = Object.keys(made[seg]), times = {};
    if (raters.length < 2) return;
    raters.forEach(function (a) { Object.keys(made[seg][a]).forEach(function (k) { times[k] = (times[k] || 0) + 1; }); });
    Object.keys(times).forEach(function (k) {
      if (times[k] < raters.length) { (disputedIn[seg] = disputedIn[seg] || {})[k] = true; disputedCount++; }
    });
  });
  function isDisputed(r) {
    var seg = disputedIn[r.layer + '|' + r.segment_start + '|' + r.segment_end];
    return !!(seg && seg[r.start + '|' + r.end + '|' + r.label]);
  }
  function never() { return false; }
  var annotators = Object.keys(raw.reduce(function (o, r) { o[r.annotator] = 1; return o; }, {})).sort();

  var chars = Array.from(data.text);
  var layers = data.layers.map(function (layer) {
    layer.list = rowsOf(layer.rows, layer.classes);
    layer.overlapping = overlapping(layer.list);
    return layer;
  });
  data.paragraphs.forEach(function (p, i) {
    var section = document.getElementById('p' + i), start = p[0], end = p[1];
    if (!section) return;
    layers.forEach(function (layer) {
      var mine = layer.list.filter(function (r) { return start <= r.start && r.start < end && !sourceSide(r); });
      section.append(drawBlock(layer, chars, start, end, mine, null, never));
    });
    var contested = {};
    Object.keys(disputedIn).forEach(function (seg) {
      var parts = seg.split('|');
      if (+parts[1] < end && start < +parts[2]) contested[parts[0]] = true;
    });
    annotators.forEach(function (who) {
      layers.forEach(function (layer) {
        if (!contested[layer.name]) return;
        var mine = raw.filter(function (r) {
          return r.annotator === who && r.layer === layer.name && r.start !== null &&
            start <= r.start && r.start < end && !sourceSide(r);
        });
        if (mine.length) section.append(drawBlock(layer, chars, start, end, mine, who, isDisputed));
      });
    });
    var plainText = section.querySelector('.text');
    if (plainText) plainText.remove();
  });
  var source = document.getElementById('source');
  if (source && data.source_text) {
    var sourceChars = Array.from(data.source_text), drawn = 0;
    layers.forEach(function (layer) {
      var mine = layer.list.filter(sourceSide);
      if (!mine.length) return;
      source.append(drawBlock(layer, sourceChars, 0, sourceChars.length, mine, null, never, 'source'));
      drawn++;
    });
    if (drawn) { source.open = true; source.querySelector('.source').remove(); }
  }
  var count = document.getElementById('vw-disputed');
  if (count) count.textContent = String(disputedCount);
})();
"""

SCRIPT = _DRAW + TOGGLES
