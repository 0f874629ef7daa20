// End-to-end test of the annotation page in headless Chromium (playwright-core).
// Usage: node e2e.mjs URL OUT_DIR   (run by tests/web/web_test.cpp against a live server whose
// image im0.png has a bright disc centred at (40, 44), categories 1 "cell" and 2 "debris").
// Exits non-zero with a message on the first failed check; writes OUT_DIR/annotation-app.png.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [url, outDir] = process.argv.slice(2);
const X = 40, Y = 44;

function check(ok, what) {
  if (!ok) throw new Error('check failed: ' + what);
}
function maskContains(mask, x, y) {
  const [h] = mask.size;
  const k = x * h + y;  // column-major index
  let i = 0, on = 0;
  for (const run of mask.counts) {
    if (k < i + run) return on === 1;
    i += run; on ^= 1;
  }
  return false;
}

let step = 'launch';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 620 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const opened = () => page.waitForFunction(() => /instances/.test(document.getElementById('status').textContent));
  const classCount = (id) => page.textContent(`#classes li[data-category="${id}"] .count`);
  const canvasPixel = () => page.evaluate(([x, y]) => {
    const v = document.getElementById('view');
    const s = v.width / 128;
    return Array.from(v.getContext('2d').getImageData(x * s + 1, y * s + 1, 1, 1).data);
  }, [X, Y]);

  step = 'open';
  await page.goto(url);
  await opened();
  check(await classCount(1) === '1', 'the saved cell is counted on open');
  const before = await canvasPixel();

  // Click on the disc: the server returns a mask containing the click, drawn at once.
  const box = await page.locator('#view').boundingBox();
  const scale = box.width / 128;
  step = 'click adds';
  const added = page.waitForResponse((r) => r.url().endsWith('/api/instances') && r.request().method() === 'POST');
  await page.mouse.click(box.x + (X + 0.5) * scale, box.y + (Y + 0.5) * scale);
  const res = await added;
  check(res.status() === 201, 'POST /api/instances answered 201, got ' + res.status());
  const made = await res.json();
  check(maskContains(made.mask, X, Y), 'the returned mask contains the click');
  await page.waitForFunction(() => /mask in|added/.test(document.getElementById('status').textContent));
  const after = await canvasPixel();
  check(after.slice(0, 3).some((v, i) => Math.abs(v - before[i]) > 20),
    `the mask is drawn over the click (pixel ${before} -> ${after})`);
  check(await classCount(1) === '2', 'two cells counted after the click');

  step = 'class key';
  // Class 2 by its number key: saved on the server.
  const changed = page.waitForResponse((r) => /\/api\/instances\/\d+$/.test(r.url()) && r.request().method() === 'PUT');
  await page.keyboard.press('2');
  const put = await changed;
  check(put.status() === 200 && (await put.json()).category === 2, 'class change saved');
  check(await classCount(2) === '1', 'one debris counted');

  step = 'reload';
  // Reload: the saved state comes back.
  await page.reload();
  await opened();
  check(await classCount(2) === '1' && await classCount(1) === '1', 'reload shows the saved classes');
  await page.screenshot({ path: path.join(outDir, 'annotation-app.png') });

  step = 'export';
  // Export: COCO JSON and points CSV downloads.
  const cocoDownload = page.waitForEvent('download');
  await page.click('#export-coco');
  const coco = JSON.parse(fs.readFileSync(await (await cocoDownload).path(), 'utf8'));
  const mine = coco.annotations.find((a) => a.point && a.point[0] === X && a.point[1] === Y);
  check(mine && mine.category_id === 2 && mine.segmentation && mine.segmentation.counts,
    'the exported COCO has the clicked instance with class 2 and a mask');
  const csvDownload = page.waitForEvent('download');
  await page.click('#export-csv');
  const csv = fs.readFileSync(await (await csvDownload).path(), 'utf8');
  check(csv.includes(`im0.png,${X},${Y},debris`), 'the exported CSV has the point: ' + csv);

  // Shift-click removes the saved cell. Then Ctrl+Z, Ctrl+Y, Ctrl+Z pressed back to back, each
  // before the previous request has come back: the page runs them in order, so the cell comes
  // back (same id), goes again and comes back.
  step = 'shift-click delete';
  const box2 = await page.locator('#view').boundingBox();
  const at = (x, y) => [box2.x + (x + 0.5) * box2.width / 128, box2.y + (y + 0.5) * box2.height / 128];
  const calls = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/instances')) calls.push({ method: r.request().method(), status: r.status(), r });
  });
  await page.keyboard.down('Shift');
  await page.mouse.click(...at(3, 3));
  await page.keyboard.up('Shift');
  await page.waitForFunction(() => document.querySelector('#classes li[data-category="1"] .count').textContent === '0');
  check(calls.length === 1 && calls[0].method === 'DELETE' && calls[0].status === 200,
    'shift-click deletes: ' + calls.map((c) => c.method + ' ' + c.status).join(', '));
  step = 'undo, redo, undo';
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+y');
  await page.keyboard.press('Control+z');
  for (let t = 0; calls.length < 4 && t < 200; t++) await page.waitForTimeout(100);
  await page.waitForFunction(() => document.querySelector('#classes li[data-category="1"] .count').textContent === '1');
  await page.waitForTimeout(300);  // nothing more may follow
  const seen = calls.slice(1).map((c) => c.method + ' ' + c.status).join(', ');
  check(seen === 'POST 201, DELETE 200, POST 201', 'undo, redo, undo sent in order, got: ' + seen);
  const restored = await calls[1].r.json();
  check(restored.id === 1 && restored.category === 1, 'undo restores the deleted instance with its id');

  step = 'next image';
  // Next image by keyboard: the model's predictions are shown on first open.
  await page.keyboard.press('n');
  await page.waitForFunction(() => /^im1\.png/.test(document.getElementById('status').textContent));
  check(errors.length === 0, 'no page errors: ' + errors.join('; '));
  console.log('e2e: all checks passed');
} catch (e) {
  console.error(`e2e (${step}): ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
