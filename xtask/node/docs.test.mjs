// The docs portal in a real browser (Debian's Chromium, driven by
// playwright-core): every operation of the served spec has a page that
// renders its method, path and samples; search filters the operations; the
// changelog lists breaking changes first; Markdown lists are lists; "Try it"
// logs in and calls the service; axe-core finds no serious or critical
// violation on any page; the static copy works from file:// with "Try it"
// off; the pages load nothing from outside the service. Run by
// `cargo xtask docs test` with DOCS_BASE (the service's URL), CHROMIUM,
// SCREENSHOTS, DOCS_STATIC (a copy written by `cargo xtask docs --out`),
// DOCS_USER, DOCS_PASSWORD and DOCS_API_TOKEN (the live server's admin) set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.DOCS_BASE;
const wait = { timeout: 15000 };
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

test('the index renders the Markdown list of info.description as a list', async () => {
  await page.goto(`${base}/docs/`);
  const items = page.locator('main > ul > li');
  assert.equal(await items.count(), 3, 'the three surfaces are list items');
  assert.equal((await items.first().locator('strong').innerText()).trim(), 'system servers');
  assert.ok(!(await page.locator('main').innerText()).includes('- **'), 'no literal Markdown bullets');
  assert.equal(await page.locator('main a[href="spec/openapi.yaml"]').count(), 1, 'the spec is offered for download');
});

test('the changelog lists each release, breaking changes first', async () => {
  await page.goto(`${base}/docs/`);
  await page.click('nav a.changelog-link');
  assert.equal(new URL(page.url()).pathname, '/docs/changelog.html');
  const release = page.locator('section.release#v0\\.1\\.0');
  assert.equal(await release.count(), 1, 'a section for 0.1.0');
  assert.equal(await page.locator('section.release#v0\\.0\\.0').count(), 1, 'and for the baseline 0.0.0');
  const headings = await release.locator('h3').allInnerTexts();
  assert.match(headings[0], /^Breaking changes \(\d+\)$/, 'breaking changes come first');
  assert.match(headings[1], /^Compatible changes/);
  const breaking = await release.locator('ul.changes.breaking li').allInnerTexts();
  assert.ok(breaking.some((t) => t === 'POST /api/2.0/people: required request body field email added'), breaking.join('\n'));
  assert.ok(breaking.some((t) => t.startsWith('POST /api/2.0/people: request body field userName removed')), 'the people rewrite is breaking');
  const link = release.locator('ul.changes.breaking a[href="operations/person_create.html"]').first();
  assert.ok(await link.isVisible(), 'changes link their operation');
  for (const v of ['0.0.0', '0.1.0']) {
    const spec = await fetch(`${base}/docs/spec/released/${v}.yaml`);
    assert.equal(spec.status, 200, v);
    assert.match(await spec.text(), new RegExp(`\\n  version: ${v.replace(/\./g, '\\.')}\\n`));
    assert.equal(await page.locator(`a[href="spec/released/${v}.yaml"]`).count(), 1, `${v} is offered for download`);
  }
  const current = await fetch(`${base}/docs/spec/openapi.yaml`);
  assert.equal(current.status, 200);
  assert.match(await current.text(), /^openapi: 3\.0\.3/);
  await page.screenshot({ path: `${screenshots}/changelog.png`, fullPage: true });
});

test('each operation page says since which version it exists', async () => {
  await page.goto(`${base}/docs/operations/server_list.html`);
  assert.equal((await page.locator('main p.since').innerText()).trim(), 'Since version 0.0.0');
  for (const op of await operations()) {
    await page.goto(`${base}/docs/operations/${op.id}.html`);
    assert.match(await page.locator('main p.since').innerText(), /^Since version \d+\.\d+\.\d+$/, op.id);
    assert.equal(await page.locator('main ul:empty, main p:empty, main li:empty, main table:empty').count(), 0, `${op.id}: no empty elements`);
  }
});

async function send(expected) {
  await page.click('#try-it button.try-send');
  const status = page.locator('#try-it .try-status[data-status]');
  await status.waitFor(wait);
  const code = await status.getAttribute('data-status');
  const body = await page.locator('#try-it .try-response code').innerText();
  assert.equal(code, String(expected), body);
  return body;
}

test('Try it: log in, list servers, create one, and call the other surfaces', async () => {
  await page.goto(`${base}/docs/operations/server_list.html`);
  assert.ok(await page.locator('#try-it').isVisible(), 'Try it is on where the service serves the portal');
  // Without a session the service answers 401, shown as such.
  await send(401);
  await page.fill('#try-session-user', process.env.DOCS_USER);
  await page.fill('#try-session-pass', process.env.DOCS_PASSWORD);
  await page.click('#try-it form.try-login[data-kind="session"] button');
  await page.locator('#try-it output.try-state[data-for="session"]', { hasText: 'Logged in as' }).waitFor(wait);
  await page.fill('#try-query-limit', '5');
  const list = JSON.parse(await send(200));
  assert.ok(Array.isArray(list.data) && typeof list.count === 'number', JSON.stringify(list));
  assert.match(await page.locator('#try-it .try-headers code').innerText(), /content-type: application\/json/);
  await page.screenshot({ path: `${screenshots}/try-it-server_list.png`, fullPage: true });
  // A write: the session cookie and the CSRF token from the login.
  await page.goto(`${base}/docs/operations/server_create.html`);
  assert.match(await page.locator('#try-it output.try-state[data-for="session"]').innerText(), /Logged in as/, 'the session is kept across pages');
  await page.fill('#try-body', JSON.stringify({ hostname: `try-${Date.now()}`, extname: 'try.example.com' }));
  const created = JSON.parse(await send(201));
  assert.equal(created.extname, 'try.example.com');
  // The managers surface: an API token.
  await page.goto(`${base}/docs/operations/manager_list.html`);
  await page.fill('#try-token-x-api-token', process.env.DOCS_API_TOKEN);
  await send(200);
  // The ONLYOFFICE surface: its own login, a token in Authorization.
  await page.goto(`${base}/docs/operations/people_list.html`);
  await page.fill('#try-oo-user', process.env.DOCS_USER);
  await page.fill('#try-oo-pass', process.env.DOCS_PASSWORD);
  await page.click('#try-it form.try-login[data-kind="onlyoffice"] button');
  await page.locator('#try-it output.try-state[data-for="onlyoffice"]', { hasText: 'Logged in as' }).waitFor(wait);
  const people = JSON.parse(await send(200));
  assert.equal(people.statusCode, 200);
});

test('axe-core finds no serious or critical violation on any page', async () => {
  // CSP forbids injected scripts, as it should: axe runs in a context of its own that bypasses it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1300, height: 1000 } });
  const axePage = await context.newPage();
  // The harness can fail: a page with an image without text alternative is a critical violation.
  await axePage.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="data:,"></main></html>');
  await axePage.addScriptTag({ content: axeSource });
  const control = await axePage.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `${v.id}:${v.impact}`));
  assert.ok(control.includes('image-alt:critical'), `axe reports a known violation: ${control}`);
  const pages = ['index.html', 'changelog.html', ...(await operations()).map((op) => `operations/${op.id}.html`)];
  const found = [];
  for (const path of pages) {
    await axePage.goto(`${base}/docs/${path}`);
    await axePage.addScriptTag({ content: axeSource });
    const violations = await axePage.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
    for (const v of violations) found.push(`${path}: ${v}`);
  }
  await context.close();
  assert.ok(pages.length > 3);
  assert.deepEqual(found, []);
});

test('the static copy works from file:// with Try it off', async () => {
  const root = process.env.DOCS_STATIC;
  assert.ok(existsSync(`${root}/spec/openapi.yaml`) && existsSync(`${root}/spec/released/0.1.0.yaml`), 'the spec files are in the copy');
  const staticPage = await browser.newPage();
  await staticPage.goto(`file://${root}/index.html`);
  await staticPage.click('main a[href="operations/server_list.html"]');
  assert.ok(staticPage.url().endsWith('/operations/server_list.html'), staticPage.url());
  assert.equal(await staticPage.locator('#try-it').isVisible(), false, 'Try it is off in a static copy');
  assert.ok(await staticPage.locator('main .endpoint .path').isVisible(), 'the styles and page load');
  await staticPage.click('nav a.changelog-link');
  assert.ok(await staticPage.locator('section.release#v0\\.1\\.0').isVisible());
  await staticPage.screenshot({ path: `${screenshots}/static-changelog.png` });
  await staticPage.close();
});

test('the portal loads nothing from outside the service', () => {
  assert.deepEqual(outside, []);
});
