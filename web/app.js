// The annotation page: talks to `wisenet serve` (see src/wisenet/serve/annotation_server.h).
// Masks arrive and leave as uncompressed COCO RLE (column-major runs, starting with zeros).
'use strict';

const PALETTE = [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
  [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212]];

const state = {
  images: [], categories: [], index: -1, image: null, instances: [], selected: null,
  category: 0, tool: null, undo: [], redo: [], pixels: null, scale: 1, painting: null,
};
const $ = (id) => document.getElementById(id);
const view = $('view');
const ctx = view.getContext('2d');

function status(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function api(method, url, body) {
  const res = await fetch(url, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.error || ('HTTP ' + res.status));
    err.status = res.status;
    throw err;
  }
  return data;
}

// RLE <-> Uint8Array of h*w in row-major order.
function decode(mask) {
  const [h, w] = mask.size;
  const out = new Uint8Array(h * w);
  let i = 0, on = 0;
  for (const run of mask.counts) {
    if (on) for (let k = i; k < i + run; k++) out[(k % h) * w + Math.floor(k / h)] = 1;
    i += run; on ^= 1;
  }
  return out;
}
function encode(bits, h, w) {
  const counts = [];
  let cur = 0, run = 0;
  for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) {
    const v = bits[y * w + x];
    if (v !== cur) { counts.push(run); run = 0; cur = v; }
    run++;
  }
  counts.push(run);
  return { size: [h, w], counts };
}

function colorOf(category) {
  const i = Math.max(0, state.categories.findIndex((c) => c.id === category));
  return PALETTE[i % PALETTE.length];
}

function withBits(inst) { inst.bits = decode(inst.mask); return inst; }

function draw() {
  if (!state.image) return;
  const w = state.image.width, h = state.image.height;
  const off = document.createElement('canvas');
  off.width = w; off.height = h;
  const octx = off.getContext('2d');
  octx.drawImage(state.image, 0, 0);
  const img = octx.getImageData(0, 0, w, h);
  const d = img.data;
  for (const inst of state.instances) {
    const [r, g, b] = colorOf(inst.category);
    const bits = inst.bits;
    const sel = state.selected === inst.id;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!bits[p]) continue;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !bits[p - 1] ||
        !bits[p + 1] || !bits[p - w] || !bits[p + w];
      const a = edge ? 1 : (sel ? 0.6 : 0.45);
      const q = 4 * p;
      const er = edge && sel ? 255 : r, eg = edge && sel ? 255 : g, eb = edge && sel ? 255 : b;
      d[q] = d[q] * (1 - a) + er * a; d[q + 1] = d[q + 1] * (1 - a) + eg * a;
      d[q + 2] = d[q + 2] * (1 - a) + eb * a;
    }
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, view.width, view.height);
  ctx.drawImage(off, 0, 0, view.width, view.height);
  renderLists();
}

function renderLists() {
  const ul = $('images');
  ul.innerHTML = '';
  state.images.forEach((im, i) => {
    const li = document.createElement('li');
    li.className = i === state.index ? 'active' : '';
    const count = i === state.index ? state.instances.length : im.count;
    li.innerHTML = `<span></span><span>${count}</span>`;
    li.firstChild.textContent = im.file_name;
    li.onclick = () => openImage(i);
    ul.appendChild(li);
  });
  const cl = $('classes');
  cl.innerHTML = '';
  state.categories.forEach((c, i) => {
    const li = document.createElement('li');
    li.className = c.id === state.category ? 'active' : '';
    li.dataset.category = c.id;
    const n = state.instances.filter((x) => x.category === c.id).length;
    const [r, g, b] = colorOf(c.id);
    li.innerHTML = `<span><span class="swatch" style="background:rgb(${r},${g},${b})"></span>` +
      `${i + 1}. <span class="name"></span></span><span class="count">${n}</span>`;
    li.querySelector('.name').textContent = c.name;
    li.onclick = () => chooseClass(c.id);
    cl.appendChild(li);
  });
  $('brush').className = state.tool === 'brush' ? 'on' : '';
  $('eraser').className = state.tool === 'eraser' ? 'on' : '';
}

// Edits and image changes run one at a time, in the order they were asked for: a key pressed
// while a request is on its way waits for it, instead of finding the undo stacks half updated.
let pending = Promise.resolve();
function serially(fn) {
  const run = pending.then(fn);
  pending = run.catch(() => {});
  return run;
}

function openImage(i) { return serially(() => showImage(i)); }
function openNext(delta) { return serially(() => showImage(state.index + delta)); }
async function showImage(i) {
  if (i < 0 || i >= state.images.length) return;
  state.index = i; state.selected = null; state.undo = []; state.redo = [];
  const name = state.images[i].file_name;
  status('opening ' + name + '...');
  const img = new Image();
  const loaded = new Promise((ok, fail) => { img.onload = ok; img.onerror = fail; });
  img.src = 'api/image?name=' + encodeURIComponent(name);
  const [, data] = await Promise.all([loaded, api('GET', 'api/annotations?image=' + encodeURIComponent(name))]);
  state.image = img;
  state.instances = data.instances.map(withBits);
  state.images[i].count = state.instances.length;
  state.scale = Math.max(1, Math.floor(512 / Math.max(img.width, img.height)));
  view.width = img.width * state.scale; view.height = img.height * state.scale;
  status(name + ': ' + state.instances.length + ' instances');
  draw();
}

function pixelOf(ev) {
  const r = view.getBoundingClientRect();
  return [Math.floor((ev.clientX - r.left) / r.width * state.image.width),
    Math.floor((ev.clientY - r.top) / r.height * state.image.height)];
}
function instanceAt(x, y) {
  const w = state.image.width;
  for (let k = state.instances.length - 1; k >= 0; k--) {
    if (state.instances[k].bits[y * w + x]) return state.instances[k];
  }
  return null;
}
function replaceLocal(id, inst) {
  const k = state.instances.findIndex((x) => x.id === id);
  if (inst && k >= 0) state.instances[k] = withBits(inst);
  else if (inst) state.instances.push(withBits(inst));
  else if (k >= 0) state.instances.splice(k, 1);
}
function snapshot(inst) {
  return inst && { id: inst.id, category: inst.category, point: inst.point, mask: inst.mask };
}

// Makes the server's instance `id` equal `target` (null: absent); returns the resulting id.
async function apply(id, target) {
  const name = state.images[state.index].file_name;
  const current = state.instances.find((x) => x.id === id);
  if (!target) {
    if (current) await api('DELETE', 'api/instances/' + id);
    replaceLocal(id, null);
    return id;
  }
  if (!current) {
    const made = await api('POST', 'api/instances', { image: name, id: target.id,
      category: target.category, point: target.point, mask: target.mask });
    replaceLocal(made.id, made);
    return made.id;
  }
  const made = await api('PUT', 'api/instances/' + id, { category: target.category, mask: target.mask });
  replaceLocal(id, made);
  return id;
}

// Every edit goes through here: it is sent, then remembered for undo.
function edit(label, fn) { return serially(() => runEdit(label, fn)); }
async function runEdit(label, fn) {
  try {
    const step = await fn();
    if (step) {
      state.undo.push(step); state.redo = [];
      status(label);
    }
  } catch (e) {
    status(e.message, true);
    if (e.status === 409) await reloadAnnotations();
  }
  draw();
}
async function reloadAnnotations() {
  const name = state.images[state.index].file_name;
  const data = await api('GET', 'api/annotations?image=' + encodeURIComponent(name));
  state.instances = data.instances.map(withBits);
}

// `from` and `to` name the stacks ('undo', 'redo'): they are looked up when the step runs.
function undoRedo(from, to, label) { return serially(() => runUndoRedo(state[from], state[to], label)); }
async function runUndoRedo(from, to, label) {
  const step = from.pop();
  if (!step) return;
  try {
    const id = await apply(step.id, step.before);
    to.push({ id, before: step.after, after: step.before });
    status(label);
  } catch (e) {
    status(e.message, true);
    if (e.status === 409) await reloadAnnotations();
  }
  draw();
}

function addAt(x, y) {
  const name = state.images[state.index].file_name;
  const category = state.category;
  return edit('added an instance', async () => {
    const t0 = performance.now();
    const made = await api('POST', 'api/instances', { image: name, category, point: [x, y] });
    // Clicked just before the next image opened: saved on its own image, not drawn on this one.
    if (state.images[state.index].file_name !== name) return null;
    replaceLocal(made.id, made);
    state.selected = made.id;
    status('mask in ' + Math.round(performance.now() - t0) + ' ms');
    return { id: made.id, before: null, after: snapshot(made) };
  });
}
function removeInstance(inst) {
  if (!inst) return;
  const id = inst.id;
  return edit('removed instance ' + id, async () => {
    const current = state.instances.find((x) => x.id === id);
    if (!current) return null;
    const before = snapshot(current);
    await api('DELETE', 'api/instances/' + id);
    replaceLocal(id, null);
    if (state.selected === id) state.selected = null;
    return { id, before, after: null };
  });
}
function chooseClass(category) {
  state.category = category;
  const inst = state.instances.find((x) => x.id === state.selected);
  if (!inst || inst.category === category) { draw(); return; }
  const id = inst.id;
  return edit('class changed', async () => {
    const current = state.instances.find((x) => x.id === id);
    if (!current || current.category === category) return null;
    const before = snapshot(current);
    const made = await api('PUT', 'api/instances/' + id, { category });
    replaceLocal(id, made);
    return { id, before, after: snapshot(made) };
  });
}

function paint(x, y) {
  const p = state.painting;
  const w = state.image.width, h = state.image.height;
  const r = Number($('brush-size').value);
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
      if ((xx - x) ** 2 + (yy - y) ** 2 <= r * r) p.inst.bits[yy * w + xx] = p.value;
    }
  }
  draw();
}

view.addEventListener('mousedown', (ev) => {
  if (!state.image) return;
  const [x, y] = pixelOf(ev);
  const hit = instanceAt(x, y);
  if (state.tool && state.selected !== null) {
    const inst = state.instances.find((i) => i.id === state.selected);
    if (inst) {
      state.painting = { inst, before: snapshot(inst), value: state.tool === 'brush' ? 1 : 0 };
      paint(x, y);
      return;
    }
  }
  if (ev.shiftKey) { removeInstance(hit); return; }
  if (hit) { state.selected = hit.id; state.category = hit.category; draw(); return; }
  addAt(x, y);
});
view.addEventListener('mousemove', (ev) => {
  if (state.painting) { const [x, y] = pixelOf(ev); paint(x, y); }
});
window.addEventListener('mouseup', () => {
  const p = state.painting;
  if (!p) return;
  state.painting = null;
  const { inst } = p;
  const mask = encode(inst.bits, state.image.height, state.image.width);
  edit('mask edited', async () => {
    const made = await api('PUT', 'api/instances/' + inst.id, { mask });
    replaceLocal(inst.id, made);
    return { id: inst.id, before: p.before, after: snapshot(made) };
  });
});

function toggleTool(tool) { state.tool = state.tool === tool ? null : tool; draw(); }
$('brush').onclick = () => toggleTool('brush');
$('eraser').onclick = () => toggleTool('eraser');
$('undo').onclick = () => undoRedo('undo', 'redo', 'undone');
$('redo').onclick = () => undoRedo('redo', 'undo', 'redone');
$('delete').onclick = () => removeInstance(state.instances.find((x) => x.id === state.selected));

window.addEventListener('keydown', (ev) => {
  if (ev.target.tagName === 'INPUT') return;
  const key = ev.key;
  if ((ev.ctrlKey || ev.metaKey) && key.toLowerCase() === 'z') {
    ev.preventDefault();
    if (ev.shiftKey) undoRedo('redo', 'undo', 'redone');
    else undoRedo('undo', 'redo', 'undone');
  } else if ((ev.ctrlKey || ev.metaKey) && key.toLowerCase() === 'y') {
    ev.preventDefault(); undoRedo('redo', 'undo', 'redone');
  } else if (key === 'n' || key === 'ArrowRight') openNext(1);
  else if (key === 'p' || key === 'ArrowLeft') openNext(-1);
  else if (key === 'Delete' || key === 'Backspace') $('delete').onclick();
  else if (key === 'b') toggleTool('brush');
  else if (key === 'e') toggleTool('eraser');
  else if (key === 'Escape') { state.selected = null; state.tool = null; draw(); }
  else if (/^[1-9]$/.test(key)) {
    const c = state.categories[Number(key) - 1];
    if (c) chooseClass(c.id);
  }
});

(async () => {
  try {
    const info = await api('GET', 'api/info');
    state.images = info.images; state.categories = info.categories;
    state.category = info.categories.length ? info.categories[0].id : 0;
    renderLists();
    await openImage(0);
  } catch (e) { status(e.message, true); }
})();
