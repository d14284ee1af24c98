// runner's docs page: reads the manifest and catalog embedded in this file and draws a resource
// list and a detail pane. Text from the project only ever reaches the page through textContent,
// never parsed as HTML, so descriptions and SQL cannot inject markup.
(function () {
  'use strict';
  var manifest = JSON.parse(document.getElementById('manifest-data').textContent);
  var catalog = JSON.parse(document.getElementById('catalog-data').textContent);
  var LISTED = ['model', 'seed', 'snapshot', 'source'];
  var nodes = manifest.nodes || {};
  var sources = manifest.sources || {};
  var all = {};
  Object.keys(nodes).forEach(function (id) { all[id] = nodes[id]; });
  Object.keys(sources).forEach(function (id) { all[id] = sources[id]; });

  // Who depends on what (tests aside, which are shown with the columns they check).
  var children = {};
  var testsOn = {};
  Object.keys(nodes).forEach(function (id) {
    var n = nodes[id];
    var parents = (n.depends_on && n.depends_on.nodes) || [];
    if (n.resource_type === 'test') {
      var target = n.attached_node || parents[0];
      if (target) (testsOn[target] = testsOn[target] || []).push(n);
      return;
    }
    parents.forEach(function (p) { (children[p] = children[p] || []).push(id); });
  });

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k) e.appendChild(k); });
    return e;
  }
  function link(id) {
    var r = all[id];
    var label = r ? (r.resource_type === 'source' ? r.source_name + '.' + r.name : r.name) : id;
    return el('a', { href: '#!/' + id, text: label, title: id });
  }
  function catalogEntry(id) {
    return (catalog.nodes && catalog.nodes[id]) || (catalog.sources && catalog.sources[id]) || null;
  }
  function folderOf(r) {
    if (r.resource_type === 'source') return 'sources/' + r.source_name;
    var path = r.original_file_path || r.path || '';
    var cut = path.lastIndexOf('/');
    return cut > 0 ? path.slice(0, cut) : r.resource_type + 's';
  }

  // The left-hand list: package, then folder, then resources by name.
  var entries = Object.keys(all).filter(function (id) {
    return LISTED.indexOf(all[id].resource_type) >= 0;
  }).map(function (id) {
    var r = all[id];
    var label = r.resource_type === 'source' ? r.source_name + '.' + r.name : r.name;
    return { id: id, label: label, pkg: r.package_name, folder: folderOf(r),
      haystack: (label + ' ' + id + ' ' + (r.description || '')).toLowerCase() };
  }).sort(function (a, b) {
    return a.pkg.localeCompare(b.pkg) || a.folder.localeCompare(b.folder) || a.label.localeCompare(b.label);
  });
  var tree = document.getElementById('tree');
  var anchors = {};
  function drawTree(filter) {
    tree.textContent = '';
    anchors = {};
    var pkgBox = null, folderList = null, pkg = null, folder = null;
    entries.forEach(function (e) {
      if (filter && e.haystack.indexOf(filter) < 0) return;
      if (e.pkg !== pkg) {
        pkg = e.pkg; folder = null;
        pkgBox = el('details', { open: '' }, [el('summary', { text: pkg })]);
        tree.appendChild(pkgBox);
      }
      if (e.folder !== folder) {
        folder = e.folder;
        folderList = el('ul');
        pkgBox.appendChild(el('details', { open: '' }, [el('summary', { text: folder }), folderList]));
      }
      var a = el('a', { href: '#!/' + e.id, text: e.label, title: e.id });
      anchors[e.id] = a;
      folderList.appendChild(el('li', {}, [a]));
    });
    if (!tree.firstChild) tree.appendChild(el('p', { class: 'muted', text: 'Nothing matches.' }));
    markCurrent();
  }
  document.getElementById('search').addEventListener('input', function (ev) {
    drawTree(ev.target.value.trim().toLowerCase());
  });

  function section(title, body) {
    return [el('h2', { text: title }), body];
  }
  function kvTable(rows) {
    return el('table', {}, rows.filter(function (r) { return r[1] !== null && r[1] !== undefined && r[1] !== ''; })
      .map(function (r) { return el('tr', {}, [el('td', { class: 'kv', text: r[0] }), el('td', { text: String(r[1]) })]); }));
  }
  function testBadge(t) {
    var name = (t.test_metadata && t.test_metadata.name) || t.name;
    return el('a', { class: 'test', href: '#!/' + t.unique_id, text: name, title: t.unique_id });
  }
  function columnsTable(id, r) {
    var cat = catalogEntry(id);
    var documented = r.columns || {};
    var names = [];
    var lower = {};
    if (cat) {
      Object.keys(cat.columns).sort(function (a, b) { return cat.columns[a].index - cat.columns[b].index; })
        .forEach(function (c) { names.push(c); lower[c.toLowerCase()] = c; });
    }
    var docByLower = {};
    Object.keys(documented).forEach(function (c) {
      docByLower[c.toLowerCase()] = documented[c];
      if (!(c.toLowerCase() in lower)) names.push(c);
    });
    if (!names.length) return el('p', { class: 'muted', text: 'No columns documented, and the relation is not in the catalog.' });
    var tests = testsOn[id] || [];
    var head = el('tr', {}, ['Column', 'Type', 'Description', 'Tests'].map(function (h) { return el('th', { text: h }); }));
    var rows = names.map(function (c) {
      var doc = docByLower[c.toLowerCase()] || {};
      var type = cat && cat.columns[c] ? cat.columns[c].type : (doc.data_type || '');
      var onColumn = tests.filter(function (t) { return (t.column_name || '').toLowerCase() === c.toLowerCase(); });
      return el('tr', {}, [el('td', {}, [el('code', { text: c })]), el('td', { text: type }),
        el('td', { class: 'description', text: doc.description || '' }), el('td', {}, onColumn.map(testBadge))]);
    });
    return el('table', {}, [head].concat(rows));
  }
  function linkList(ids) {
    if (!ids || !ids.length) return el('p', { class: 'muted', text: 'None.' });
    return el('ul', { class: 'links' }, ids.slice().sort().map(function (id) { return el('li', {}, [link(id)]); }));
  }

  function showResource(id) {
    var r = all[id];
    var main = document.getElementById('main');
    main.textContent = '';
    if (!r) { main.appendChild(el('p', { text: 'No resource ' + id + ' in this project.' })); return; }
    var cfg = r.config || {};
    var cat = catalogEntry(id);
    var label = r.resource_type === 'source' ? r.source_name + '.' + r.name : r.name;
    var parts = [
      el('h1', { text: label }, [el('span', { class: 'badge', text: r.resource_type })]),
      el('div', { class: 'relation', text: r.relation_name || '' }),
    ];
    parts = parts.concat(section('Description', el('p', { class: r.description ? 'description' : 'description muted', text: r.description || 'No description.' })));
    parts = parts.concat(section('Details', kvTable([
      ['unique id', id], ['package', r.package_name], ['path', r.original_file_path],
      ['materialized', cfg.materialized], ['database', r.database], ['schema', r.schema],
      ['identifier', r.alias || r.identifier], ['tags', (r.tags || []).join(', ')],
      ['loader', r.loader], ['relation type', cat && cat.metadata.type], ['owner', cat && cat.metadata.owner],
      ['warehouse comment', cat && cat.metadata.comment],
    ])));
    if (r.resource_type !== 'test') parts = parts.concat(section('Columns', columnsTable(id, r)));
    var modelTests = (testsOn[id] || []).filter(function (t) { return !t.column_name; });
    if (modelTests.length) parts = parts.concat(section('Tests', el('div', {}, modelTests.map(testBadge))));
    parts = parts.concat(section('Depends on', linkList(r.depends_on && r.depends_on.nodes)));
    parts = parts.concat(section('Referenced by', linkList(children[id])));
    if (r.compiled_code) parts = parts.concat(section('Compiled SQL', el('pre', {}, [el('code', { text: r.compiled_code })])));
    if (r.raw_code) parts = parts.concat(section('Source', el('pre', {}, [el('code', { text: r.raw_code })])));
    parts.forEach(function (p) { main.appendChild(p); });
    main.scrollTop = 0;
  }

  function showOverview() {
    var main = document.getElementById('main');
    main.textContent = '';
    var md = manifest.metadata || {};
    var count = function (type) { return entries.filter(function (e) { return all[e.id].resource_type === type; }).length; };
    main.appendChild(el('h1', { text: md.project_name || 'dbt project' }));
    main.appendChild(el('p', { class: 'muted', text: 'Generated at ' + ((catalog.metadata || {}).generated_at || md.generated_at || '?') }));
    main.appendChild(kvTable([['models', count('model')], ['seeds', count('seed')], ['snapshots', count('snapshot')],
      ['sources', count('source')], ['in the catalog', Object.keys(catalog.nodes || {}).length + Object.keys(catalog.sources || {}).length],
      ['adapter', md.adapter_type], ['dbt version', md.dbt_version]]));
    main.appendChild(el('p', { class: 'muted', text: 'Pick a resource on the left, or search.' }));
  }

  var current = null;
  function markCurrent() {
    Object.keys(anchors).forEach(function (id) { anchors[id].className = id === current ? 'current' : ''; });
  }
  function route() {
    var hash = decodeURIComponent(location.hash || '');
    current = hash.indexOf('#!/') === 0 ? hash.slice(3) : null;
    if (current) showResource(current); else showOverview();
    markCurrent();
  }
  window.addEventListener('hashchange', route);
  drawTree('');
  route();
})();
