import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { installKnowledge } from '../../src/content/knowledge';
import { defaultContentDir, loadKnowledge } from '../../src/content/load-content';
import { assertContentError, edit, useContentCopies } from './content-test-kit';
import { MESSAGE_KEYS, MESSAGE_PLACEHOLDERS } from '../../src/content/message-keys';
import { fillPlaceholders } from '../../src/content/messages';
import { renderTicketCard } from '../../src/cards';
import { presentTicket } from '../../src/dialogs/present';
import { draftTicket } from '../../src/domain/tickets';
import { newCaseFile } from '../../src/domain/case-file';

function editMessages(root: string, change: (text: string) => string): void {
  edit(root, 'en/messages.yaml', change);
}

describe('messages (content/<locale>/messages.yaml)', () => {
  const { copy } = useContentCopies();

  it('when the shipped English file is read, then it has exactly the keys the code uses, each with only its own placeholders', () => {
    const file = parse(readFileSync(join(defaultContentDir(), 'en', 'messages.yaml'), 'utf8')) as Record<string, unknown>;
    const keys: string[] = [];
    const walk = (node: Record<string, unknown>, prefix: string): void => {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'string') keys.push(`${prefix}${k}`);
        else walk(v as Record<string, unknown>, `${prefix}${k}.`);
      }
    };
    walk(file, '');
    assert.deepEqual([...keys].sort(), [...MESSAGE_KEYS].sort());
    const english = loadKnowledge().forLocale('en');
    for (const key of MESSAGE_KEYS) {
      const used = [...english.messageTexts.get(key)!.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
      for (const name of used) assert.ok((MESSAGE_PLACEHOLDERS[key] as readonly string[]).includes(name!), `${key}: {${name}}`);
    }
  });

  it('when a message is missing from the English file, then loading stops naming the file and the key', () => {
    const root = copy();
    editMessages(root, (t) => t.replace(/^ {4}title: Nothing to read\n/m, ''));
    assertContentError(root, /en\/messages\.yaml: chat\.empty\.title: is missing/);
  });

  it('when a message uses a placeholder it does not have, then loading stops naming the file, the key and the placeholder', () => {
    const root = copy();
    editMessages(root, (t) => t.replace('created-summary: Ticket {ticketId} is open.', 'created-summary: Ticket {ticketNumber} is open.'));
    assertContentError(root, /en\/messages\.yaml: tickets\.created-summary: \{ticketNumber\} is not a placeholder of this message \(it may use \{ticketId\}\)/);
  });

  it('when a file has a key the code does not use (a misspelt key), then loading stops naming it', () => {
    const root = copy();
    editMessages(root, (t) => t.replace('  empty:\n    title: Nothing to read', '  emtpy:\n    title: Nothing to read'));
    assertContentError(root, /en\/messages\.yaml: chat\.emtpy\.title: is not a message the bot uses/);
  });

  it('when a message is a list instead of text, then loading stops naming the key', () => {
    const root = copy();
    editMessages(root, (t) => t.replace('welcome-summary: Hi! I help when OneDrive will not sign in.', 'welcome-summary:\n    - Hi!'));
    assertContentError(root, /en\/messages\.yaml: chat\.welcome-summary: must be a message \(text\) or a group of messages/);
  });

  it('when a fr folder has a partial messages.yaml, then French readers get those messages and English for the rest', () => {
    const root = copy();
    mkdirSync(join(root, 'fr'));
    writeFileSync(join(root, 'fr', 'messages.yaml'), 'chat:\n  empty:\n    title: Rien à lire\ntickets:\n  created-summary: Le ticket {ticketId} est ouvert.\n');
    const base = loadKnowledge(root);
    const fr = base.forLocale('fr-CA').messages;
    assert.equal(fr.locale, 'fr');
    assert.equal(fr.text('chat.empty.title'), 'Rien à lire');
    assert.equal(fr.text('tickets.created-summary', { ticketId: 'HD-000042' }), 'Le ticket HD-000042 est ouvert.');
    // Not translated: English, word for word.
    assert.equal(fr.text('chat.empty.text'), 'That message was empty. Tell me what OneDrive shows, or type "help".');
    assert.equal(base.forLocale('en-US').messages.text('chat.empty.title'), 'Nothing to read');
  });

  it('when a translation uses an unknown placeholder, then loading stops naming its file', () => {
    const root = copy();
    mkdirSync(join(root, 'de'));
    writeFileSync(join(root, 'de', 'messages.yaml'), 'tickets:\n  created-summary: Ticket {id} ist offen.\n');
    assertContentError(root, /de\/messages\.yaml: tickets\.created-summary: \{id\} is not a placeholder/);
  });

  it('when a value carries braces or Markdown, then it is put in as given and not read as another placeholder', () => {
    assert.equal(fillPlaceholders('Sent to {name}', { name: '{ticketId} **x**' }), 'Sent to {ticketId} **x**');
    assert.equal(fillPlaceholders('Ticket {ticketId} updated.', { ticketId: 'HD-000001' }), 'Ticket HD-000001 updated.');
  });

  it('when a card is drawn for a French reader, then its fixed words come from the French messages and its facts stay plain', () => {
    const root = copy();
    mkdirSync(join(root, 'fr'));
    writeFileSync(join(root, 'fr', 'messages.yaml'), 'cards:\n  ticket:\n    status: Statut\npresent:\n  status:\n    new: En attente\n');
    installKnowledge(loadKnowledge(root));
    try {
      const now = new Date('2026-01-05T10:00:00Z');
      const ticket = {
        ...draftTicket({ caseFile: newCaseFile(now), requester: { aadObjectId: 'u1', name: 'Alex' }, causeId: 'unknown', causeTitle: 'Unknown', evidence: [], keyEvents: [], now }),
        id: 'HD-000001',
      };
      const json = JSON.stringify(renderTicketCard(presentTicket(ticket as never, 'UTC', 'fr')));
      assert.match(json, /"Statut"/);
      assert.match(json, /En attente/);
      assert.doesNotMatch(JSON.stringify(renderTicketCard(presentTicket(ticket as never, 'UTC', 'en'))), /Statut/);
    } finally {
      installKnowledge(loadKnowledge());
    }
  });
});
