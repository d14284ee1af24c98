// Runs the script of a `runner docs generate` page (target/index.html) in Node against a small
// stand-in for the DOM, and prints what the page draws: the overview, the resource list, each page
// named on the command line (by unique id), and the list filtered by a search. No browser needed;
// crates/runner-cli/tests/it/docs.rs runs it when `node` is installed.
//
//     node scripts/docs-page-smoke.js target/index.html model.shop.orders [search text]
//
// The stand-in implements only what the page uses (createElement, appendChild, setAttribute,
// textContent, className, event listeners); anything else throws, which fails the check.
'use strict';
const fs = require('fs');

const [file, ...ids] = process.argv.slice(2);
const html = fs.readFileSync(file, 'utf8');
function between(open, from) {
  const start = html.indexOf(open, from);
  if (start < 0) throw new Error(`${open} not found`);
  const body = start + open.length;
  return html.slice(body, html.indexOf('</script>', body));
}

class Element {
  constructor(tag) { this.tag = tag; this.children = []; this.attrs = {}; this.text = ''; this.listeners = {}; }
  set textContent(t) { this.text = String(t); this.children = []; }
  get textContent() { return this.text + this.children.map((c) => c.textContent).join(''); }
  get firstChild() { return this.children[0] || null; }
  set className(v) { this.attrs.class = v; }
  appendChild(c) { this.children.push(c); return c; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  addEventListener(ev, f) { this.listeners[ev] = f; }
  dump(indent) {
    const href = this.attrs.href ? ` href=${this.attrs.href}` : '';
    const text = this.text ? ` ${JSON.stringify(this.text)}` : '';
    return [indent + this.tag + href + text].concat(this.children.map((c) => c.dump(indent + '  '))).join('\n');
  }
}

const elements = {
  'manifest-data': { textContent: between('id="manifest-data">') },
  'catalog-data': { textContent: between('id="catalog-data">') },
  tree: new Element('div'),
  main: new Element('main'),
  search: new Element('input'),
};
const windowListeners = {};
global.document = { getElementById: (id) => elements[id], createElement: (tag) => new Element(tag) };
global.window = { addEventListener: (ev, f) => { windowListeners[ev] = f; } };
global.location = { hash: '' };

// The page's own script is the last <script> element.
new Function(between('<script>', html.lastIndexOf('<script>')))();

console.log('=== overview\n' + elements.main.dump(''));
console.log('=== tree\n' + elements.tree.dump(''));
const search = ids.length && !ids[ids.length - 1].includes('.') ? ids.pop() : null;
for (const id of ids) {
  global.location.hash = '#!/' + id;
  windowListeners.hashchange();
  console.log(`=== ${id}\n` + elements.main.dump(''));
}
if (search !== null) {
  elements.search.listeners.input({ target: { value: search } });
  console.log(`=== search ${search}\n` + elements.tree.dump(''));
}
