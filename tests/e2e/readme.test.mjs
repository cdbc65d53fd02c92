// The README's app, exactly as the README shows it: the three fenced blocks of
// "## Use Pixie in your Leptos app" are written to an empty folder beside a
// `pixie` folder (this repository), built with `trunk build`, served, and
// signed in through the local provider: log in, call the API, log out.
// Run from the repo root: node --test tests/e2e/readme.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT, testEvents } from './servers.mjs';
import { APP, ISSUER, TEST_TIMEOUT, atProviderLogin, signInAtProvider, useServersAndBrowser, withPage } from './helpers.mjs';

const SECTION = '## Use Pixie in your Leptos app';

/** The fenced blocks with a `title="…"` of the README section, by title. */
export function readmeApp(readme) {
  const start = readme.indexOf(`\n${SECTION}\n`);
  assert.ok(start >= 0, `README.md has no section titled exactly "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = {};
  for (const [, lang, title, code] of section.matchAll(/^```(\w+) title="([^"]+)"\n([\s\S]*?)^```$/gm)) {
    blocks[title] = { lang, code };
  }
  return blocks;
}

const folder = mkdtempSync(join(tmpdir(), 'pixie-readme-'));
const app = join(folder, 'my-app');
const dist = join(app, 'dist');

before(() => {
  const blocks = readmeApp(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.deepEqual(Object.keys(blocks).sort(), ['Cargo.toml', 'index.html', 'src/main.rs'], 'the README app\'s files');
  assert.deepEqual(Object.values(blocks).map((b) => b.lang).sort(), ['html', 'rust', 'toml']);
  // `../pixie` is this repository, as for someone who cloned it beside their app.
  symlinkSync(ROOT, join(folder, 'pixie'));
  mkdirSync(join(app, 'src'), { recursive: true });
  for (const [file, { code }] of Object.entries(blocks)) writeFileSync(join(app, file), code);
  // What the README asks the reader to add: a config.json for the provider.
  writeFileSync(join(app, 'config.json'), JSON.stringify({
    issuer: ISSUER, client_id: 'pixie-demo', api_url: `${ISSUER}/api/me`,
  }));
  // The repository's lock, so the build needs no registry look-up and reuses its versions.
  copyFileSync(join(ROOT, 'Cargo.lock'), join(app, 'Cargo.lock'));
  // The pinned trunk and wasm-bindgen that `make setup` installs.
  const tools = join(process.env.PIXIE_TOOLS_DIR ?? join(homedir(), '.cache', 'pixie-tools'), 'bin');
  const build = spawnSync('trunk', ['build', '--offline'], {
    cwd: app,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${tools}:${process.env.PATH}`,
      CARGO_TARGET_DIR: join(ROOT, 'target', 'readme-app'),
      TRUNK_SKIP_VERSION_CHECK: 'true',
    },
  });
  assert.equal(build.status, 0, `trunk build of the README app failed (${build.error ?? 'exit ' + build.status}):\n${build.stdout}\n${build.stderr}`);
});

useServersAndBrowser({ dist });
after(() => rmSync(folder, { recursive: true, force: true }));

test('the README app signs in, calls the API and logs out', { timeout: TEST_TIMEOUT }, (t) => withPage(t, async (page) => {
  await page.goto(`${APP}/`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await atProviderLogin(page);
  await signInAtProvider(page, 'dana');
  await page.locator('#sub').filter({ hasText: 'dana' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'no code or state left in the address bar');

  await page.getByRole('button', { name: 'Call API' }).click();
  const answer = page.locator('#answer').filter({ hasText: 'dana' });
  await answer.waitFor();
  const body = JSON.parse(await answer.textContent());
  assert.equal(body.sub, 'dana', 'the API saw the signed-in user');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  assert.equal(new URL(page.url()).origin, APP);
  assert.equal(await page.locator('#sub').count(), 0, 'signed out');
  assert.equal((await testEvents()).endSessionsConfirmed, 1, 'the provider ended its session');
}));
