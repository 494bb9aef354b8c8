// The web UI end to end in headless chromium (playwright-core), against the hub that
// tests/web/browser_pgrmqtest.cpp started. Each role signs in and does its main work:
//   operator  sees a mailbox letter (published on the bus by the mailbox adapter) appear on the
//             open dispatch desk without a reload, records a phone appeal (with the caller's
//             history), dispatches the letter;
//   staff     claims and answers it; the mailbox simulator receives the answer; the ticket page
//             shows it delivered;
//   admin     adds a routing rule, tries it on a sample appeal, saves it; the next appeal is
//             routed by it and appears in the staff member's open queue without a reload;
//   manager   opens the dashboard (the statistics API: figures, or its empty state when the hub
//             has none), the overdue list, approvals, delivery failures, the statistics table and
//             its CSV export.
// Screenshots of each main page (1366×768) go to $SCREENSHOTS. Exit 0 when everything held.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const BASE = process.env.BASE_URL;
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const MAILBOX = process.env.MAILBOX_URL;
const SHOTS = process.env.SCREENSHOTS || '/tmp/appealhub-screenshots';
const PASSWORD = 'correct horse battery';
const DEPT = 'zfzd';
const DEPT_NAME = '广元市交通运输综合行政执法支队';
mkdirSync(SHOTS, { recursive: true });

let failures = 0;
let passes = 0;
function check(what, ok, detail = '') {
  if (ok) passes++;
  else failures++;
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}${detail ? ': ' + detail : ''}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 30000, every = 300) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

// A small API client for the test's own set-up and checks (cookie session + CSRF).
class Api {
  async login(username, password) {
    const r = await fetch(BASE + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    this.cookie = r.headers.get('set-cookie').split(';')[0];
    this.csrf = (await r.json()).csrf_token;
    return this;
  }
  async call(method, path, body) {
    const r = await fetch(BASE + path, {
      method,
      headers: { Cookie: this.cookie, 'X-CSRF-Token': this.csrf, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

async function signIn(page, username, password) {
  await page.goto(BASE + '/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('[data-test=login]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
async function pick(page, selectSelector, optionText) {
  await page.click(selectSelector);
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click();
  await page.keyboard.press('Escape').catch(() => {});
}
// Element Plus puts attributes of <el-input> on the native input or textarea, of others on the root.
const field = (name) => `input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`;
const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png` });

async function main() {
  // ---- set-up: users, and no routing rules (every appeal goes to the dispatch desk) --------
  const admin = await new Api().login('admin', ADMIN_PASSWORD);
  await admin.call('PUT', '/api/v1/rules', { $comment: 'browser test: everything to the dispatch desk', rules: [] });
  for (const [username, roles, departments, display_name] of [
    ['op1', ['operator'], [], '李话务'],
    ['st1', ['staff'], [DEPT], '张承办'],
    ['mg1', ['manager'], [], '王科长'],
  ]) {
    await admin.call('POST', '/api/v1/users', { username, display_name, roles, departments, password: PASSWORD });
  }
  const operatorApi = await new Api().login('op1', PASSWORD);

  // Security headers on the UI's pages and deep links.
  const deep = await fetch(BASE + '/tickets/12345');
  const csp = deep.headers.get('content-security-policy') || '';
  check('a deep link answers the UI', deep.status === 200 && (await deep.text()).includes('<div id="app">'));
  check('CSP forbids inline scripts and framing', csp.includes("script-src 'self'") && !/script-src[^;]*unsafe-inline/.test(csp) && csp.includes("frame-ancestors 'none'"), csp);
  check('frame denial and no sniffing', deep.headers.get('x-frame-options') === 'DENY' && deep.headers.get('x-content-type-options') === 'nosniff');

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const consoleErrors = [];
  const newPage = async () => {
    // A browser far from China: dates on the pages must still be China dates.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'America/Los_Angeles', acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    return page;
  };

  // ---- operator ------------------------------------------------------------------------------
  const op = await newPage();
  await op.goto(BASE + '/desk');
  const toLogin = await op.waitForURL('**/login?next=**', { timeout: 10000 }).then(() => true, () => false);
  check('a page opened without a session goes to sign-in', toLogin, op.url());
  await shot(op, 'login');
  await op.fill('#username', 'op1');
  await op.fill('#password', PASSWORD);
  await op.click('[data-test=login]');
  await op.waitForURL('**/desk');
  check('the operator lands on the dispatch desk after sign-in', true);
  await op.waitForSelector('[data-test=ticket-table]');
  // A letter arrives at the mailbox; the adapter publishes it on the bus; it shows on the open desk.
  const gen = await (await fetch(MAILBOX + '/_sim/generate', { method: 'POST', body: JSON.stringify({ count: 6, public: true }) })).json();
  const letterId = gen.ids[0];
  const letterTicket = await until('the letter as a triage ticket', async () => {
    const t = (await operatorApi.call('GET', `/api/v1/tickets?channel=mailbox&external_id=${encodeURIComponent(letterId)}`)).tickets[0];
    if (t && t.status !== 'triage') throw new Error(`ticket #${t.id} is ${t.status}, not triage`);
    return t;
  });
  const appeared = await op.waitForSelector(`[data-test=ticket-${letterTicket.id}]`, { timeout: 20000 }).then(() => true, () => false);
  check('a ticket published on the bus appears on the open desk without a reload', appeared);
  await shot(op, 'desk');

  // Record a phone appeal; the caller's history shows as the number is typed.
  await op.goto(BASE + '/record');
  const phone = '13908391234';
  await op.fill('#rec-phone', phone);
  await op.fill('#rec-name', '赵先生');
  await op.fill('#rec-title', '出租车拒载');
  await op.fill('#rec-content', '今天下午在万达广场打车，出租车司机拒载，希望处理。');
  await op.click('[data-test=rec-submit]');
  const recorded = await op.waitForSelector('[data-test=rec-done]', { timeout: 15000 }).then(() => true, () => false);
  check('the operator records a phone appeal', recorded);
  // Found by the id the page showed (searches by phone are logged and limited: the page's own).
  const externalId = (await op.textContent('[data-test=rec-done]')).match(/OP-[0-9a-f]+/)?.[0];
  const phoneTicket = await until('the phone appeal as a ticket', async () => (await operatorApi.call('GET', `/api/v1/tickets?channel=operator&external_id=${externalId}`)).tickets[0]);
  check('the phone appeal became a ticket from channel operator', phoneTicket.channel === 'operator');
  await op.fill('#rec-phone', phone);
  const history = await op.waitForSelector(`[data-test=history] >> text=#${phoneTicket.id}`, { timeout: 10000 }).then(() => true, () => false);
  check("the caller's history shows while the number is typed", history);
  check('the history masks the phone', !(await op.textContent('[data-test=history]')).includes(phone));
  await shot(op, 'record');

  // Dispatch the letter to a department.
  await op.goto(BASE + '/desk');
  await op.click(`[data-test=open-${letterTicket.id}]`);
  await op.waitForSelector('[data-test=routing-reason]');
  const reason = await op.textContent('[data-test=routing-reason]');
  check("the desk shows the rule engine's reason in Chinese", reason.includes('无规则匹配'), reason);
  await pick(op, '[data-test=dispatch-lead]', DEPT_NAME);
  await op.fill('#dispatch-reason', '执法支队处理');
  await op.click('[data-test=dispatch-submit]');
  const dispatched = await until('dispatch', async () => (await operatorApi.call('GET', `/api/v1/tickets/${letterTicket.id}`)).status === 'assigned', 10000).catch(() => false);
  check('the operator dispatches the triage ticket', dispatched);
  // The other letters go to the same department through the API, so the queue has some rows.
  for (const id of gen.ids.slice(1)) {
    const t = (await operatorApi.call('GET', `/api/v1/tickets?channel=mailbox&external_id=${encodeURIComponent(id)}`)).tickets[0];
    if (t?.status === 'triage') await operatorApi.call('POST', `/api/v1/tickets/${t.id}/dispatch`, { lead_department: DEPT });
  }

  // ---- staff ---------------------------------------------------------------------------------
  const st = await newPage();
  await signIn(st, 'st1', PASSWORD);
  check('staff land on their queue', st.url().includes('/queue'));
  await st.waitForSelector(`[data-test=ticket-${letterTicket.id}]`, { timeout: 15000 });
  check('the dispatched ticket is in the staff queue', true);
  const colour = await st.locator('[data-test^=deadline-]').first().getAttribute('data-test');
  check('the queue shows a deadline colour', /deadline-(on_time|due_soon|overdue)/.test(colour), colour);
  await shot(st, 'queue');
  // A tablet (1024×768): the page fits the width; and the English switch.
  await st.setViewportSize({ width: 1024, height: 768 });
  const overflow = await st.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('the queue fits a tablet without sideways scrolling', overflow <= 0, String(overflow));
  await shot(st, 'queue-tablet');
  await pick(st, '.header .el-select', 'English');
  const english = await st.waitForSelector('h1:has-text("My queue")', { timeout: 5000 }).then(() => true, () => false);
  check('the English switch turns the page into English', english);
  await pick(st, '.header .el-select', '中文');
  await st.setViewportSize({ width: 1366, height: 768 });
  // The queue refreshes as tickets arrive: a button the clerk is about to press stays on its ticket
  // when an urgent ticket lands above it (same-day deadline, so it sorts first).
  const buttons = await st.$$('[data-test^=claim-]');
  const pressed = await Promise.all(buttons.map((b) => b.getAttribute('data-test')));
  const urgent = await operatorApi.call('POST', '/api/v1/tickets', { request_id: 'browser-urgent', title: '隧道内货车抛锚', content: '隧道内有货车抛锚，请尽快处理。', kind: 'help', urgency: 'critical', citizen: { name: '李先生', phone: '13908396666' } });
  const urgentTicket = await until('the urgent appeal as a ticket', async () => (await operatorApi.call('GET', `/api/v1/tickets?channel=operator&external_id=${urgent.external_id}`)).tickets[0], 20000);
  if (urgentTicket.status === 'triage') await operatorApi.call('POST', `/api/v1/tickets/${urgentTicket.id}/dispatch`, { lead_department: DEPT });
  await st.waitForSelector(`[data-test=claim-${urgentTicket.id}]`, { timeout: 15000 });
  const first = await st.locator('[data-test^=claim-]').first().getAttribute('data-test');
  const still = await Promise.all(buttons.map((b) => b.getAttribute('data-test')));
  check('a ticket arriving above leaves each claim button on its own ticket', first === `claim-${urgentTicket.id}` && pressed.length > 0 && still.every((s, i) => s === pressed[i]), `first ${first}; ${pressed.join(',')} -> ${still.join(',')}`);
  await st.click(`[data-test=claim-${letterTicket.id}]`);
  await st.waitForURL(`**/tickets/${letterTicket.id}`);
  await st.waitForSelector(field('answer-content'));
  const answer = '您好，您反映的问题已由执法支队核实处理，感谢您的监督。';
  await st.fill(field('answer-content'), answer);
  const counter = await st.textContent('[data-test=answer-counter]');
  const channelLimit = (await operatorApi.call('GET', `/api/v1/tickets/${letterTicket.id}`)).channel_rules?.max_answer_chars ?? 5000;
  check('the answer box counts against the channel limit', counter.replace(/\s/g, '') === `${answer.length}/${channelLimit}`, counter);
  await st.click('[data-test=answer-submit]');
  const answered = await until('the answer', async () => (await operatorApi.call('GET', `/api/v1/tickets/${letterTicket.id}`)).answers.length === 1, 10000).catch(() => false);
  check('staff answer the ticket', answered, answered ? '' : await st.locator('.el-message').allTextContents().then((t) => t.join(' | ')));
  const received = await until('the mailbox to receive the answer', async () => {
    const ledger = await (await fetch(MAILBOX + '/_sim/ledger')).json();
    return (ledger.received?.replies || []).some((r) => r.letter_id === letterId && r.accepted_new === 1);
  }, 60000).catch(() => false);
  check("the channel's simulator received the answer", received);
  await st.reload();
  const delivered = await st.waitForSelector('[data-test=reply-delivered]', { timeout: 20000 }).then(() => true, () => false);
  check('the ticket page shows the answer delivered', delivered);
  const original = await st.textContent('[data-test=original]');
  check("the ticket page shows the citizen's text", original.trim().length > 0);
  // Deadlines end a China day: shown as 23:59 in China time whatever the browser's zone.
  check('the ticket page shows the deadline in China time', (await st.textContent('body')).includes(' 23:59'));
  // The router's deadline explanation and the dispatch desk read in Chinese on the timeline.
  const timeline = await st.textContent('[data-test=timeline]');
  check('the timeline explains the deadline in Chinese', timeline.includes('个工作日') && !timeline.includes('working day'), timeline);
  check('the timeline names the dispatch desk, not its code', !timeline.includes('triage'), timeline);
  await shot(st, 'ticket');

  // ---- admin: a new rule routes the next appeal, which appears in the open staff queue ------
  await st.goto(BASE + '/queue');
  await st.waitForSelector('[data-test=ticket-table]');
  const ad = await newPage();
  await signIn(ad, 'admin', ADMIN_PASSWORD);
  check('the administrator lands on users', ad.url().includes('/admin/users'));
  await ad.waitForSelector('text=st1');
  await shot(ad, 'admin-users');
  await ad.goto(BASE + '/admin/rules');
  await ad.click('[data-test=rule-new]');
  await ad.fill('#r-id', 'road-occupation');
  await ad.fill('#r-desc', '占道经营由执法支队主办');
  await ad.fill(field('r-keywords'), '占道经营');
  await pick(ad, '[data-test=r-lead]', DEPT_NAME);
  await ad.click('[data-test=r-add]');
  await ad.fill(field('try-title'), '路边占道经营');
  await ad.fill(field('try-content'), '桥头有人长期占道经营，影响通行。');
  await ad.click('[data-test=try]');
  const tryText = await ad.waitForSelector('[data-test=try-result]', { timeout: 10000 }).then((e) => e.textContent(), () => '');
  check('"try these rules" shows where a sample goes and why', tryText.includes(DEPT_NAME) && tryText.includes('规则 road-occupation：关键词 占道经营'), tryText);
  await shot(ad, 'rules');
  await ad.click('[data-test=rules-save]');
  await until('the rule to be saved', async () => (await admin.call('GET', '/api/v1/rules')).document.rules.some((r) => r.id === 'road-occupation'), 10000);
  check('the administrator saves the rule', true);
  // The routers follow within seconds: record appeals until one is placed by the new rule.
  let routed = null;
  for (let i = 0; i < 10 && !routed; i++) {
    const r = await operatorApi.call('POST', '/api/v1/tickets', {
      request_id: `browser-rule-${i}`, title: `占道经营${i}`, content: '市场门口有人占道经营，车辆无法通行。', kind: 'complaint', category: 'road_administration', division: '510802', citizen: { name: '钱女士', phone: '1390839000' + i },
    });
    const t = await until('the appeal as a ticket', async () => (await operatorApi.call('GET', `/api/v1/tickets?channel=operator&external_id=${r.external_id}`)).tickets[0], 20000);
    if (t.lead_department === DEPT) routed = t;
    else await sleep(1000);
  }
  check('the new rule routes the next appeal', !!routed);
  if (routed) {
    const live = await st.waitForSelector(`[data-test=ticket-${routed.id}]`, { timeout: 20000 }).then(() => true, () => false);
    check('the routed appeal appears in the open staff queue without a reload', live);
  }

  // ---- manager -------------------------------------------------------------------------------
  const mg = await newPage();
  await signIn(mg, 'mg1', PASSWORD);
  check('the manager lands on the dashboard', mg.url().includes('/dashboard'));
  const statsAnswer = await fetch(BASE + '/api/v1/stats/summary?from=2026-01-01&to=2026-12-31&group_by=month', { headers: { Cookie: (await new Api().login('mg1', PASSWORD)).cookie } });
  if (statsAnswer.status === 404) {
    const empty = await mg.waitForSelector('[data-test=stats-empty]', { timeout: 15000 }).then(() => true, () => false);
    check('without a statistics API the dashboard shows its empty state', empty);
    console.log('note - the statistics API is absent on this hub: figures and the CSV export are not checked');
  } else {
    const figure = await mg.waitForSelector('[data-test=figure-received]', { timeout: 15000 }).then((e) => e.textContent(), () => '');
    check('the dashboard shows the number of appeals received', Number(figure) >= 3, figure);
    // One more appeal: the figure changes when the dashboard is refreshed.
    const more = await operatorApi.call('POST', '/api/v1/tickets', { request_id: 'browser-dashboard', title: '公交车晚点', content: '12路公交车经常晚点。', kind: 'complaint', category: 'bus', citizen: { name: '孙先生', phone: '13908395555' } });
    await until('the appeal as a ticket', async () => (await operatorApi.call('GET', `/api/v1/tickets?channel=operator&external_id=${more.external_id}`)).tickets[0], 20000);
    const changed = await until('the dashboard figure to change', async () => {
      await mg.click('[data-test=refresh]');
      await sleep(500);
      return Number(await mg.textContent('[data-test=figure-received]')) > Number(figure);
    }, 20000, 1000).catch(() => false);
    check('the dashboard figure changes with a new appeal', changed);
    await mg.goto(BASE + '/stats');
    const [download] = await Promise.all([mg.waitForEvent('download', { timeout: 15000 }), mg.click('[data-test=csv]')]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    check('the manager downloads the statistics as CSV', readFileSync(path, 'utf8').split('\n').length >= 2);
    const [sheet] = await Promise.all([mg.waitForEvent('download', { timeout: 15000 }), mg.click('[data-test=xlsx]')]);
    check('the manager downloads the statistics as an Excel workbook (a zip)', readFileSync(await sheet.path()).subarray(0, 2).toString() === 'PK');
    await shot(mg, 'stats');
    await mg.goto(BASE + '/dashboard');
    await mg.waitForSelector('[data-test=figure-received]');
  }
  await sleep(800); // charts animate in
  await shot(mg, 'dashboard');
  await mg.goto(BASE + '/failures');
  await mg.waitForSelector('[data-test=failures]');
  await shot(mg, 'failures');
  await mg.goto(BASE + `/tickets/${letterTicket.id}`);
  await mg.click('[data-test=show-contact]');
  await mg.fill('.el-message-box input', '核实回访');
  await mg.click('.el-message-box .el-button--primary');
  const contactShown = await mg.waitForSelector('[data-test=contact]', { timeout: 10000 }).then(() => true, () => false);
  const logged = contactShown && (await operatorApi.call('GET', `/api/v1/tickets/${letterTicket.id}`)).timeline.some((e) => e.type === 'contact.viewed' && e.data?.purpose === '核实回访');
  check('"show contact" asks a purpose and the view is logged', logged);

  // Sign out ends the session.
  await mg.click('[data-test=logout]');
  await mg.waitForURL('**/login');
  const me = await mg.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
  check('signing out ends the session', me === 401, String(me));

  const cspErrors = consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e));
  check('no Content-Security-Policy violations in the console', cspErrors.length === 0, cspErrors.join(' | '));
  await browser.close();
}

try {
  await main();
} catch (e) {
  failures++;
  console.log('FAIL - ' + (e.stack || e));
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
