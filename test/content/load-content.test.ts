import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadKnowledge } from '../../src/content/load-content';
import { assertContentError, edit, useContentCopies } from './content-test-kit';
import { CAUSE_IDS } from '../../src/domain/causes';
import { QUESTION_ANSWER_IDS, QUESTION_IDS } from '../../src/domain/question-ids';

describe('content loader', () => {
  const { copy: broken } = useContentCopies();

  it('when the shipped content is loaded, then every cause, question, answer and offered code is there', () => {
    const english = loadKnowledge().forLocale('en');
    assert.deepEqual(Object.keys(english.playbooks).sort(), [...CAUSE_IDS].sort());
    for (const id of QUESTION_IDS)
      assert.deepEqual(
        english.questions[id].answers.map((a) => a.id),
        [...QUESTION_ANSWER_IDS[id]],
      );
    for (const code of QUESTION_ANSWER_IDS['error-code'].filter((c) => c !== 'other')) assert.ok(english.oneDriveCodes[code]?.meaning, code);
    assert.ok(english.entraCodes.size >= 20);
  });

  it('when a step field name has a typo, then loading stops naming the file and the field', () => {
    const root = broken();
    edit(root, 'en/causes/stale-credentials.yaml', (t) => t.replace('    check: OneDrive starts without', '    chek: OneDrive starts without'));
    assertContentError(root, /en\/causes\/stale-credentials\.yaml: steps\[\d+\].*chek/);
  });

  it('when a step has an audience the bot does not know, then loading stops naming steps[n].audience', () => {
    const root = broken();
    edit(root, 'en/causes/stale-credentials.yaml', (t) => t.replace('audience: self-service', 'audience: everyone'));
    assertContentError(root, /stale-credentials\.yaml: steps\[\d+\]\.audience/);
  });

  it('when a cause file is named after no cause of the contract, then loading stops naming that file', () => {
    const root = broken();
    writeFileSync(join(root, 'en/causes/stale-credential.yaml'), readFileSync(join(root, 'en/causes/stale-credentials.yaml')));
    assertContentError(root, /causes\/stale-credential\.yaml: is not named after a cause/);
  });

  it('when a cause file is missing, then loading stops naming the missing file', () => {
    const root = broken();
    unlinkSync(join(root, 'en/causes/no-internet.yaml'));
    assertContentError(root, /en\/causes\/no-internet\.yaml: is missing/);
  });

  it("when an answer label is missing or an answer id is not the contract's, then loading stops naming the question and answer", () => {
    const root = broken();
    edit(root, 'en/questions.yaml', (t) => t.replace('    not-tried: ', '    not-tryed: '));
    assertContentError(root, /questions\.yaml: web-works\.answers\.not-tryed: is not an answer id of web-works/);
  });

  it('when a playbook uses a shared step that does not exist, then loading stops naming steps[n].use', () => {
    const root = broken();
    edit(root, 'en/causes/stale-credentials.yaml', (t) => t.replace('- use: restart-onedrive', '- use: restart-one-drive'));
    assertContentError(root, /stale-credentials\.yaml: steps\[0\]\.use: no shared step "restart-one-drive"/);
  });

  it('when a code points to a cause that does not exist, then loading stops naming the code', () => {
    const root = broken();
    edit(root, 'en/entra-codes.yaml', (t) => t.replace('cause: account-locked', 'cause: account-lock'));
    assertContentError(root, /entra-codes\.yaml: codes\.50053\.cause/);
  });

  it('when a file is not valid YAML, then loading stops naming the file', () => {
    const root = broken();
    edit(root, 'en/questions.yaml', (t) => `${t}\n  : : [unclosed\n`);
    assertContentError(root, /en\/questions\.yaml: is not valid YAML/);
  });

  it('when a locale folder translates only some files, then the rest come from English and the activity locale picks it', () => {
    const root = broken();
    mkdirSync(join(root, 'fr', 'causes'), { recursive: true });
    edit(root, 'en/causes/no-internet.yaml', (t) => t);
    writeFileSync(
      join(root, 'fr', 'causes', 'no-internet.yaml'),
      readFileSync(join(root, 'en/causes/no-internet.yaml'), 'utf8').replace(/^title: .*$/m, 'title: Pas de connexion Internet'),
    );
    const base = loadKnowledge(root);
    assert.equal(base.forLocale('fr-CA').playbooks['no-internet'].title, 'Pas de connexion Internet');
    assert.equal(base.forLocale('fr-FR').playbooks['stale-credentials'].title, base.forLocale('en').playbooks['stale-credentials'].title);
    assert.equal(base.forLocale('de-DE').locale, 'en');
    assert.equal(base.forLocale(undefined).locale, 'en');
  });
});

describe('content loader: phrases', () => {
  const { copy: broken } = useContentCopies();

  it('when a phrase is written with capitals or an apostrophe, then loading stops naming the list and the entry', () => {
    const root = broken();
    edit(root, 'en/phrases.yaml', (t) => t.replace('  - onedirve\n', '  - OneDirve\n'));
    assertContentError(root, /en\/phrases\.yaml: oneDrive\[\d+\]: must be lower case/);
    const other = broken();
    edit(other, 'en/phrases.yaml', (t) => t.replace('  - doesnt\n', "  - doesn't\n"));
    assertContentError(other, /en\/phrases\.yaml: negations\[\d+\]: must not contain apostrophes/);
  });

  it('when a mention names an answer its question does not have, then loading stops naming it', () => {
    const root = broken();
    edit(root, 'en/phrases.yaml', (t) => t.replace('    answer: vpn\n', '    answer: tunnel\n'));
    assertContentError(root, /en\/phrases\.yaml: mentions\[0\]\.answer: "tunnel" is not an answer id of network/);
  });
});
