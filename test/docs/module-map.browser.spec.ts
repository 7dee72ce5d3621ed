import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { AppProcess, baseEnv, PROJECT_ROOT } from '../support/app-process.js';
import { freePort } from '../support/free-port.js';

/**
 * The module map the application serves at /docs/modules, opened in a real browser (Debian's headless
 * Chromium, driven by playwright-core): the diagram must be drawn, as an SVG with a node per module.
 * CI installs Chromium (.ci/run); elsewhere the spec is skipped, saying so, when it is missing.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(PROJECT_ROOT, '.tmp', 'module-map.png');
const MODULES = ['users', 'orders', 'auth'];
const available = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!available)
  process.stderr.write(`\nmodule-map.browser.spec: ${CHROMIUM} is missing (apt-get install chromium); the browser check is skipped\n\n`);

(available ? describe : describe.skip)('the served module map, in headless Chromium', () => {
  let app: AppProcess;
  let browser: BrowserContext;

  beforeAll(async () => {
    const port = await freePort();
    app = new AppProcess({
      name: 'monolith',
      port,
      logFile: join(PROJECT_ROOT, '.tmp', 'module-map', 'monolith.log'),
      env: { ...baseEnv(), DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    });
    await app.start();
    const profile = join(PROJECT_ROOT, '.tmp', 'module-map', `chromium-profile-${process.pid}-${Date.now()}`);
    mkdirSync(profile, { recursive: true });
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.kill();
  });

  it('draws the diagram from the local Mermaid bundle: an SVG with a node per module and an edge per call and event', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(`${app.url}/docs/modules`);
    expect(response?.status()).toBe(200);
    await page.waitForFunction('document.body.getAttribute("data-diagram") !== null', undefined, { timeout: 30_000 });
    expect(await page.getAttribute('body', 'data-diagram')).toBe('rendered');

    const svg = page.locator('#module-map svg');
    await expect(svg.count()).resolves.toBe(1);
    const nodes = await svg.locator('g.node').evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));
    for (const module of MODULES) expect(nodes.some((text) => text.startsWith(module) && text.includes(`${module}.ping`))).toBe(true);
    expect(nodes).toHaveLength(MODULES.length);
    const labels = await svg.locator('.edgeLabel').evaluateAll((elements) => elements.map((e) => e.textContent ?? '').filter(Boolean));
    expect(labels).toEqual(
      expect.arrayContaining(['users.get', 'users.user-deleted', 'auth.account-registered', 'auth.credentials-changed']),
    );
    // Everything the page loaded came from the application itself.
    expect(requests.filter((url) => !url.startsWith(app.url))).toEqual([]);

    mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`module map screenshot: ${SCREENSHOT}\n`);
  }, 60_000);
});
