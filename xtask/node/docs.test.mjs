// The docs portal in a real browser (Debian's Chromium, driven by
// playwright-core): every operation of the served spec has a page that
// renders its method, path and samples; search filters the operations; the
// pages load nothing from outside the service. Run by `cargo xtask docs test`
// with DOCS_BASE (the service's URL), CHROMIUM and SCREENSHOTS set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.DOCS_BASE;
const screenshots = process.env.SCREENSHOTS;
let browser;
let page;
const outside = [];

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
});

after(async () => { await browser?.close(); });

async function operations() {
  const spec = await (await fetch(`${base}/openapi.json`)).json();
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      if (item[method]) ops.push({ method, path, id: item[method].operationId, summary: item[method].summary });
    }
  }
  return ops;
}

test('the index lists every operation by tag', async () => {
  const ops = await operations();
  assert.ok(ops.length > 0);
  await page.goto(`${base}/docs`);
  assert.equal(new URL(page.url()).pathname, '/docs/', '/docs redirects to /docs/');
  await page.screenshot({ path: `${screenshots}/index.png`, fullPage: true });
  for (const op of ops) {
    const link = page.locator(`main a[href="operations/${op.id}.html"]`);
    assert.equal(await link.count(), 1, `index links ${op.id}`);
    assert.equal((await link.innerText()).trim(), op.path);
  }
});

test('every operation page renders its method, path and samples', async () => {
  for (const op of await operations()) {
    const response = await page.goto(`${base}/docs/operations/${op.id}.html`);
    assert.equal(response.status(), 200, op.id);
    assert.equal((await page.locator('main .endpoint .method').innerText()).trim(), op.method.toUpperCase(), op.id);
    assert.equal((await page.locator('main .endpoint .path').innerText()).trim(), op.path, op.id);
    assert.equal((await page.locator('main h1').innerText()).trim(), op.summary, op.id);
    const samples = {};
    for (const lang of ['curl', 'javascript', 'rust']) {
      const code = page.locator(`section.sample[data-lang="${lang}"] pre code`);
      assert.equal(await code.count(), 1, `${op.id} has a ${lang} sample`);
      samples[lang] = await code.innerText();
      assert.ok(await code.isVisible(), `${op.id}: the ${lang} sample is shown`);
    }
    const concrete = op.path.replace(/\{[^}]+\}/g, '');
    assert.match(samples.curl, new RegExp(`^curl --request ${op.method.toUpperCase()}`), op.id);
    assert.ok(samples.curl.includes(concrete.split('/').filter(Boolean)[0] ?? ''), `${op.id}: curl names the path`);
    assert.ok(samples.javascript.includes(`method: "${op.method.toUpperCase()}"`), `${op.id}: fetch sets the method`);
    assert.ok(samples.rust.includes(`.${op.id}()`), `${op.id}: the Rust sample calls the client's method`);
    assert.ok(await page.locator('main h2', { hasText: 'Responses' }).isVisible(), op.id);
    await page.screenshot({ path: `${screenshots}/${op.id}.png`, fullPage: true });
  }
});

test('search filters operations across tags', async () => {
  await page.goto(`${base}/docs/`);
  const visible = async () => page.locator('#ops li.op:not([hidden]) a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const visibleText = async () => page.locator('#ops li.op:not([hidden])').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-search')));
  const all = await visible();
  await page.fill('#search', 'delete');
  const deletes = await visible();
  assert.ok(deletes.length >= 1 && deletes.length < all.length, `search narrows: ${deletes}`);
  assert.ok((await visibleText()).every((text) => text.includes('delete')), `${deletes}`);
  await page.fill('#search', 'group members');
  const words = await visibleText();
  assert.ok(words.length >= 1 && words.every((text) => text.includes('group') && text.includes('members')), 'every word must match');
  await page.fill('#search', 'no such operation zzz');
  assert.equal((await visible()).length, 0);
  assert.ok(await page.locator('#no-match').isVisible());
  await page.fill('#search', '');
  assert.equal((await visible()).length, all.length);
});

test('the portal loads nothing from outside the service', () => {
  assert.deepEqual(outside, []);
});
