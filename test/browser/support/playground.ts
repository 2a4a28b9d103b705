/**
 * Driving the Microsoft 365 Agents Playground (0.2.x) web UI as a person would: pick a chat in the
 * left list, type in the message box, press the buttons the bot's Adaptive Cards render. Nothing
 * here posts activities to the bot; the Playground does that, exactly as it does for a person.
 *
 * What the Playground renders (learned from its DOM; see test/browser/README.md):
 * - the chat list is a tree: `treeitem` "Personal Chat", "Group Chat", "IT Help Desk - Help desk tickets";
 * - every Adaptive Card is `.ac-adaptiveCard` inside `.ac-preview-panel`; a ShowCard opens a nested
 *   `.ac-adaptiveCard` under its card; card buttons are `button`s named by their title;
 * - a personal chat lists messages oldest first; a channel lists posts newest first, each post with
 *   its replies (oldest first) and its own reply box;
 * - Action.Execute answers replace the pressed card in place; the bot's proactive messages simply
 *   appear in the chat they are sent to.
 */
import { strict as assert } from 'node:assert';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How long to wait for something the bot or the Playground should show. */
export const WAIT_MS = 15_000;

/** One person, signed in to their own Playground (see scripts/browser-tests.mjs). */
export interface Person {
  role: 'employee' | 'network' | 'agent';
  name: string;
  aadObjectId: string;
  upn: string;
  url: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: run the browser journeys with "npm run test:browser".`);
  return value;
}

/** The people the runner started a Playground for. */
export function people(): Record<Person['role'], Person> {
  return JSON.parse(env('BROWSER_TEST_PEOPLE')) as Record<Person['role'], Person>;
}

/** The bot's display name in the Playground (.m365agentsplayground.yml `bot.name`). */
export function botName(): string {
  return env('BROWSER_TEST_BOT_NAME');
}

export function firstName(person: Person): string {
  return person.name.split(' ')[0]!;
}

/** Chromium flags: headless, no sandbox (containers, CI), nothing phoning home. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh Chromium profile (its own --user-data-dir) for one journey. */
export async function openBrowser(journey: string): Promise<BrowserContext> {
  const profile = mkdtempSync(join(env('BROWSER_TEST_TMP'), `chromium-${journey}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    // The Playgrounds run in this zone too (scripts/browser-tests.mjs): the bot writes times in the zone the Playground reports.
    timezoneId: process.env.BROWSER_TEST_TIME_ZONE || 'America/Los_Angeles',
    locale: 'en-US',
  });
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

/** Screenshots: every one goes to test-results/browser/<journey>/; the README's also to docs/screenshots/ on request. */
export class Screenshots {
  private n = 0;
  private readonly dir: string;

  constructor(private readonly journey: string) {
    this.dir = join(env('BROWSER_TEST_ARTIFACTS'), journey);
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Takes the screenshot `name` of the page's viewport, or of one card (`card`). `docs` names the
   * file in docs/screenshots/ when the runner was asked to update them (--update-screenshots).
   * Page shots show the end of the conversation, as a person sees it after the bot answered
   * (`scroll: 'top'` for a channel, whose newest post is at the top; 'as-is' keeps the view).
   */
  async take(page: Page, name: string, options: { card?: Locator; docs?: string; scroll?: 'top' | 'bottom' | 'as-is' } = {}): Promise<void> {
    const file = `${String(++this.n).padStart(2, '0')}-${name}.png`;
    const targets = [join(this.dir, file)];
    const docsDir = process.env.BROWSER_TEST_DOCS_SCREENSHOTS;
    if (options.docs && docsDir) {
      mkdirSync(docsDir, { recursive: true });
      targets.push(join(docsDir, options.docs));
    }
    // No caret or focus ring in the pictures.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
    if (!options.card && options.scroll !== 'as-is') await scrollConversation(page, options.scroll ?? 'bottom');
    const shot = options.card ? await cardScreenshot(page, options.card) : await page.screenshot();
    for (const target of targets) writeFileSync(target, shot);
  }

  /** After a failed test: the whole page of every person, to see where it stopped. */
  async failure(pages: Array<{ page: Page; label: string }>, test: string): Promise<void> {
    const slug = test.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    for (const { page, label } of pages) {
      if (page.isClosed()) continue;
      await page.screenshot({ path: join(this.dir, `FAILED-${slug}-${label}.png`), fullPage: true }).catch(() => undefined);
    }
  }
}

/** Scrolls the open chat or channel to its start or end (the pane that scrolls is the cards' nearest scrolling ancestor). */
async function scrollConversation(page: Page, where: 'top' | 'bottom'): Promise<void> {
  await page.evaluate((to) => {
    const card = document.querySelector('.ac-preview-panel');
    let pane = card?.parentElement ?? null;
    while (pane && !(pane.scrollHeight > pane.clientHeight && /auto|scroll/.test(getComputedStyle(pane).overflowY))) pane = pane.parentElement;
    if (pane) pane.scrollTop = to === 'top' ? 0 : pane.scrollHeight;
  }, where);
}

/** A card taller than the viewport: enlarge the viewport for the shot so the Playground's header never covers it. */
async function cardScreenshot(page: Page, card: Locator): Promise<Buffer> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const box = await card.boundingBox();
  const tall = box && box.height > viewport.height - 160;
  if (tall) await page.setViewportSize({ width: viewport.width, height: Math.ceil(box.height) + 240 });
  try {
    await card.scrollIntoViewIfNeeded();
    return await card.screenshot({ animations: 'disabled' });
  } finally {
    if (tall) await page.setViewportSize(viewport);
  }
}

/** Waits until `probe` returns a value; fails with `describe()` after `timeout`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, describe: () => Promise<string> | string, timeout = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(await describe());
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Matches `text` against a card's visible text. */
function matches(text: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
}

/** One person's Playground tab. */
export class Playground {
  private constructor(
    readonly page: Page,
    readonly person: Person,
  ) {}

  /** Opens the person's Playground in a new tab, with its log panel closed (screenshots read better). */
  static async open(context: BrowserContext, person: Person): Promise<Playground> {
    const page = await context.newPage();
    await page.goto(person.url);
    await page.getByRole('treeitem', { name: 'Personal Chat' }).waitFor();
    const hideLogs = page.getByRole('button', { name: 'Hide log panel' });
    if (await hideLogs.isVisible().catch(() => false)) await hideLogs.click();
    return new Playground(page, person);
  }

  /** The signed-in person's name, top right: the Playground shows who you are there. */
  async signedInAs(): Promise<string> {
    return (await this.page.locator('[role=toolbar] .fui-Avatar').first().getAttribute('aria-label')) ?? '';
  }

  async openPersonalChat(): Promise<void> {
    await this.page.getByRole('treeitem', { name: 'Personal Chat' }).click();
    await this.messageBox().waitFor();
  }

  async openChannel(name = 'Help desk tickets'): Promise<void> {
    await this.page.getByRole('treeitem', { name: new RegExp(` - ${name}$`) }).click();
    await this.page.getByRole('button', { name: 'Post' }).waitFor();
  }

  private messageBox(): Locator {
    return this.page.getByRole('textbox').last();
  }

  /** Every top-level card in the open chat, in the order shown. */
  cards(): Locator {
    return this.page.locator('.ac-preview-panel > .ac-adaptiveCard');
  }

  async cardCount(): Promise<number> {
    return this.cards().count();
  }

  /** Types a message in a personal chat and sends it with Enter, as a person would. */
  async say(text: string): Promise<void> {
    const box = this.messageBox();
    await box.click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
    await this.page.getByText(text, { exact: true }).last().waitFor();
  }

  /**
   * The first card shown after the first `after` cards whose text matches `expected`: what the
   * bot answered to the last thing the person did (cards are counted before doing it).
   */
  async nextCard(after: number, expected: string | RegExp, timeout = WAIT_MS): Promise<Locator> {
    const cards = this.cards();
    return eventually(
      async () => {
        const n = await cards.count();
        for (let i = after; i < n; i++) if (matches(await cards.nth(i).innerText(), expected)) return cards.nth(i);
        return undefined;
      },
      async () => `${this.person.name}: no new card showing ${String(expected)} within ${timeout / 1000} s. The newest cards read:\n${await this.describeNewest(after)}`,
      timeout,
    );
  }

  /** The newest card (last in the page) anywhere in the open chat whose text matches `expected`; waits for one. */
  async card(expected: string | RegExp, timeout = WAIT_MS): Promise<Locator> {
    const cards = this.cards();
    return eventually(
      async () => {
        for (let i = (await cards.count()) - 1; i >= 0; i--) if (matches(await cards.nth(i).innerText(), expected)) return cards.nth(i);
        return undefined;
      },
      async () => `${this.person.name}: no card showing ${String(expected)} within ${timeout / 1000} s. The last cards read:\n${await this.describeNewest(0)}`,
      timeout,
    );
  }

  /** Waits until `card` reads `expected` (Action.Execute answers and proactive updates change a card in place). */
  async cardReads(card: Locator, expected: string | RegExp, timeout = WAIT_MS): Promise<string> {
    return eventually(
      async () => {
        const text = await card.innerText();
        return matches(text, expected) ? text : undefined;
      },
      async () => `${this.person.name}: the card never read ${String(expected)}; it reads:\n${(await card.innerText().catch(() => '(gone)')).slice(0, 1500)}`,
      timeout,
    );
  }

  private async describeNewest(after: number): Promise<string> {
    const cards = this.cards();
    const n = await cards.count();
    const texts: string[] = [];
    for (let i = Math.max(0, Math.min(after, n - 4)); i < n; i++) texts.push(`  [${i}] ${(await cards.nth(i).innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
    return texts.join('\n') || '  (no cards)';
  }

  /** Presses the button titled `name` on `card` (not on a ShowCard opened inside it). */
  async press(card: Locator, name: string): Promise<void> {
    await button(card, name).click();
  }

  /** Opens the ShowCard `name` on `card` and returns the card it shows. */
  async openShowCard(card: Locator, name: string): Promise<Locator> {
    await button(card, name).click();
    const shown = card.locator('.ac-adaptiveCard').filter({ visible: true });
    await shown.first().waitFor();
    return shown.last();
  }

  /** Posts a new conversation in the open channel, @mentioning the bot first (the Playground's typeahead, as in Teams). */
  async postMentioningBot(botName: string, text: string): Promise<void> {
    const box = this.page.getByRole('textbox').first();
    await box.click();
    await this.page.keyboard.type(`@${botName.slice(0, 5)}`);
    await this.page.locator('#typeahead-menu').getByText(botName).click();
    await this.page.keyboard.type(` ${text}`);
    await this.page.getByRole('button', { name: 'Post' }).click();
    await this.page.getByText(text.trim()).first().waitFor();
  }

  /** Replies in the thread of the channel post that holds `card`, @mentioning the bot first (it only sees messages that mention it). */
  async replyInThread(card: Locator, botName: string, text: string): Promise<void> {
    const post = this.post(card);
    await post.getByRole('textbox').click();
    await this.page.keyboard.type(`@${botName.slice(0, 5)}`);
    await this.page.locator('#typeahead-menu').getByText(botName).click();
    await this.page.keyboard.type(` ${text}`);
    await post.getByRole('button', { name: 'Send Message' }).click();
    await post.getByText(text.trim()).first().waitFor();
  }

  /** The channel post (with its replies and reply box) that holds `card`. */
  post(card: Locator): Locator {
    return this.page
      .locator('div')
      .filter({ has: card })
      .filter({ has: this.page.getByRole('button', { name: 'Send Message' }) })
      .last();
  }
}

/** A card's own button (ShowCard contents are nested cards; their buttons are excluded by `exact` naming where needed). */
export function button(card: Locator, name: string): Locator {
  return card.getByRole('button', { name, exact: true }).first();
}

/** The button titles a card offers right now, in order (those of open ShowCards included). */
export async function buttonsOf(card: Locator): Promise<string[]> {
  return card.evaluate((el) =>
    [...el.querySelectorAll('button')].filter((b) => (b as HTMLElement).offsetParent !== null).map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''),
  );
}

/** Asserts a card offers exactly these buttons (ignoring ones from open ShowCards). */
export async function assertButtons(card: Locator, expected: string[], message?: string): Promise<void> {
  const actual = await buttonsOf(card);
  assert.deepEqual(actual, expected, message ?? `buttons on the card: ${actual.join(' | ')}`);
}
