// Renders the UI with mocked IPC (mock.html) in Debian's Chromium and saves screenshots, to
// look at the interface without the Tauri shell. Not part of the build or the tests.
//   node scripts/screenshots.mjs [outDir]      (default /tmp/sodate-shots)
// Needs: apt-get install chromium (playwright-core drives it; no browser is downloaded).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';

const outDir = process.argv[2] ?? '/tmp/sodate-shots';
mkdirSync(outDir, { recursive: true });

const server = await createServer({ server: { port: 1430, strictPort: false }, logLevel: 'warn' });
await server.listen();
const base = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:1430/';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

async function shot(name, query, hash, { dark = false, width = 1440, height = 900, act } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: dark ? 'dark' : 'light' });
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[${name}] ${msg.type()}:`, msg.text());
  });
  await page.goto(`${base}mock.html?${query}${hash}`);
  await page.waitForTimeout(900);
  if (act) await act(page);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  await page.close();
  console.log('saved', name);
}

const only = process.env.ONLY?.split(',');

/** Types a path into the import wizard and reads the file. */
function inspect(path) {
  return async (page) => {
    await page.fill('[data-testid="import-path"]', path);
    await page.click('[data-testid="import-inspect"]');
    await page.waitForSelector('[data-testid="import-mapping-row"], [data-testid="import-error"]');
    await page.waitForTimeout(400);
  };
}
const shots = [
  // docs/screenshot-export.png: the export dialog opened on a selection of the lead list.
  ['export-dialog-ja', 'lang=ja', '#/leads', {
    act: async (page) => {
      for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8]) await page.locator('[data-testid="lead-row-select"]').nth(i).click();
      await page.click('[data-testid="lead-selection-export"]');
      await page.waitForSelector('[data-testid="export-preview"]');
      await page.waitForTimeout(500);
    },
  }],
  // The one kept in the repository (docs/screenshot-leads.png): a row opened from the list.
  ['readme-leads', 'lang=ja', '#/leads', {
    act: async (page) => {
      await page.locator('[data-testid="lead-row"]').nth(3).click();
      await page.waitForTimeout(700);
    },
  }],
  ['timeline-ja', 'lang=ja', '#/leads/97', {
    act: async (page) => {
      await page.evaluate(() => {
        const content = document.querySelector('[data-testid="lead-detail"] .content');
        if (content) content.scrollTop = 1100;
      });
      await page.waitForTimeout(300);
    },
  }],
  ['leads-detail-ja', 'lang=ja', '#/leads/17'],
  ['leads-detail-en', 'lang=en', '#/leads/17'],
  ['leads-list-ja', 'lang=ja', '#/leads'],
  ['leads-dark-ja', 'lang=ja', '#/leads/17', { dark: true }],
  ['empty-ja', 'lang=ja&scenario=empty', '#/leads'],
  ['empty-en', 'lang=en&scenario=empty', '#/leads'],
  ['demo-loading-ja', 'lang=ja&scenario=empty', '#/leads', {
    act: async (page) => {
      await page.click('[data-testid="demo-load"]');
      await page.waitForTimeout(400);
    },
  }],
  ['db-newer-ja', 'lang=ja&scenario=db_newer', '#/leads'],
  ['db-locked-en', 'lang=en&scenario=db_locked', '#/leads'],
  ['form-new-ja', 'lang=ja', '#/leads/new', {
    act: async (page) => {
      await page.fill('[data-testid="field-companyName"]', '株式会社サンプル商事');
      await page.fill('[data-testid="field-familyName"]', '山田');
      await page.fill('[data-testid="field-email"]', 'yamada@sample');
      await page.fill('[data-testid="field-phone"]', '03-1234');
      await page.fill('[data-testid="field-tags"]', '展示会, 決裁者,');
      await page.click('[data-testid="field-notes"]');
      await page.waitForTimeout(700);
    },
  }],
  ['form-server-error-ja', 'lang=ja', '#/leads/new', {
    act: async (page) => {
      // The mock refuses an email that another lead already has (code duplicate_email,
      // which the UI has no text for: the server's English message is shown).
      const email = await page.evaluate(async () => {
        const { invoke } = await import('/node_modules/.vite/deps/@tauri-apps_api_core.js');
        const page0 = await invoke('lead_list', { query: { search: null, sort: 'name', descending: false, offset: 0, limit: 1 } });
        return page0.rows[0].email;
      }).catch(() => 'sato.s@sample-shoji.example.jp');
      await page.fill('[data-testid="field-familyName"]', '佐藤');
      await page.fill('[data-testid="field-email"]', email);
      await page.click('[data-testid="lead-save"]');
      await page.waitForTimeout(500);
    },
  }],
  ['edit-ja', 'lang=ja', '#/leads/17/edit'],
  ['delete-confirm-ja', 'lang=ja', '#/leads/17', {
    act: async (page) => {
      await page.click('[data-testid="lead-delete"]');
      await page.waitForTimeout(200);
    },
  }],
  ['companies-ja', 'lang=ja', '#/companies/2'],
  ['companies-en', 'lang=en', '#/companies'],
  ['placeholder-ja', 'lang=ja', '#/segments'],
  ['placeholder-en', 'lang=en', '#/board'],
  ['settings-ja', 'lang=ja', '#/settings'],
  ['settings-en', 'lang=en', '#/settings'],
  ['million-middle-ja', 'lang=ja&leads=1000000', '#/leads', {
    act: async (page) => {
      await page.evaluate(() => {
        const grid = document.querySelector('[role="grid"]');
        grid.scrollTop = (grid.scrollHeight - grid.clientHeight) / 2;
      });
      await page.waitForTimeout(800);
    },
  }],
  ['million-end-ja', 'lang=ja&leads=1000000', '#/leads', {
    act: async (page) => {
      await page.evaluate(() => {
        const grid = document.querySelector('[role="grid"]');
        grid.scrollTop = grid.scrollHeight;
      });
      await page.waitForTimeout(800);
    },
  }],
  ['search-ja', 'lang=ja', '#/leads', {
    act: async (page) => {
      await page.keyboard.press('Control+k');
      await page.keyboard.type('さとう');
      await page.waitForTimeout(600);
    },
  }],
  ['narrow-ja', 'lang=ja', '#/leads/17', { width: 1100, height: 760 }],
  // The import wizard over the mock backend (every file reads as the Eight export fixture;
  // `errors` in the name gives rows with problems, `quote` a file that cannot be read).
  ['import-empty-ja', 'lang=ja', '#/import'],
  ...['ja', 'en'].map((lang) => [`import-inspected-${lang}`, `lang=${lang}`, '#/import', { act: inspect('/home/tanaka/Downloads/eight_sjis.csv') }]),
  ['import-preview-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_errors.csv')(page);
      await page.locator('[data-testid="import-preview-row"]').first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
    },
  }],
  ['import-upsert-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_sjis.csv')(page);
      await page.click('[data-testid="import-mode-upsert"]');
      await page.waitForTimeout(300);
      await page.locator('[data-testid="import-keep"]').scrollIntoViewIfNeeded();
    },
  }],
  ['import-dry-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_errors.csv')(page);
      await page.click('[data-testid="import-dry-run"]');
      await page.waitForTimeout(700);
    },
  }],
  ['import-running-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_sjis.csv')(page);
      await page.click('[data-testid="import-run"]');
      await page.waitForTimeout(200);
    },
  }],
  ...['ja', 'en'].map((lang) => [`import-result-${lang}`, `lang=${lang}`, '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_errors.csv')(page);
      await page.click('[data-testid="import-run"]');
      await page.waitForSelector('[data-testid="import-result"]');
      await page.waitForTimeout(300);
    },
  }]),
  ['import-error-ja', 'lang=ja', '#/import', { act: inspect('/home/tanaka/Downloads/quote.csv') }],
  ['import-dark-ja', 'lang=ja', '#/import', {
    dark: true,
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_errors.csv')(page);
      await page.evaluate(() => {
        const scroller = document.querySelector('.scroll');
        const row = document.querySelector('[data-testid="import-mapping-row"][data-column="9"]');
        if (scroller && row) scroller.scrollTop += row.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      });
      await page.waitForTimeout(300);
    },
  }],
  ['import-history-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_sjis.csv')(page);
      await page.click('[data-testid="import-run"]');
      await page.waitForSelector('[data-testid="import-result"]');
      await page.click('[data-testid="import-again"]');
      await inspect('/home/tanaka/Downloads/eight_errors.csv')(page);
      await page.click('[data-testid="import-mode-upsert"]');
      await page.waitForTimeout(200);
      await page.click('[data-testid="import-run"]');
      await page.waitForSelector('[data-testid="import-result"]');
      await page.click('[data-testid="import-tab-history"]');
      await page.locator('[data-testid="import-history-undo"]').first().click();
      await page.click('[data-testid="confirm-ok"]');
      await page.waitForTimeout(500);
    },
  }],
  ['import-tray-ja', 'lang=ja', '#/import', {
    act: async (page) => {
      await inspect('/home/tanaka/Downloads/eight_sjis.csv')(page);
      await page.click('[data-testid="import-run"]');
      await page.click('[data-testid="nav-leads"]');
      await page.waitForTimeout(400);
    },
  }],
  ['collapsed-ja', 'lang=ja', '#/leads', {
    act: async (page) => {
      await page.click('[data-testid="sidebar-toggle"]');
      await page.waitForTimeout(300);
    },
  }],
];

try {
  for (const [name, query, hash, opts] of shots) {
    if (only && !only.includes(name)) continue;
    await shot(name, query, hash, opts);
  }
} finally {
  await browser.close();
  await server.close();
}
