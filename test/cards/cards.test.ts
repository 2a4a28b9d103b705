import assert from 'node:assert/strict';
import {
  CardTemplateError,
  FIX_RESULTS,
  renderDiagnosisCard,
  renderEscalateCard,
  renderFixStepCard,
  renderHelpCard,
  renderMessageCard,
  renderQuestionCard,
  renderResolvedCard,
  renderTemplate,
  renderTicketCard,
  renderWelcomeCard,
  shouldUseChoiceSet,
  Verbs,
  type AdaptiveCard,
  type DiagnosisCardModel,
  type EscalateCardModel,
  type FixStepCardModel,
  type QuestionCardModel,
  type TicketCardModel,
} from '../../src/cards';
import { QUESTION_IDS, getQuestion } from '../../src/domain/questions';
import { validateAdaptiveCard } from './adaptive-cards-validator';
import { allText, assertValidCard, BLOCKED_SIGN_INS, collectActions, dataActions, elementsOfType, factGroups, factsOf, LONG, shownTexts, type Json } from './card-test-helpers';

// ---------------------------------------------------------------------------------------------
// Helpers (the shared ones are in card-test-helpers.ts)

/** Titles of every action in the card, ShowCards and body included. */
function titles(card: AdaptiveCard): string[] {
  return collectActions(card).map(({ action }) => String(action.title));
}

// ---------------------------------------------------------------------------------------------
// Sample view-models

const fullDiagnosis: DiagnosisCardModel = {
  causeId: 'conditional-access-block',
  title: 'A Conditional Access policy blocks OneDrive',
  confidenceLabel: 'High',
  confidencePercent: 86,
  explanation:
    'A company sign-in policy refuses the token the OneDrive app asks for in the background. Outlook and Teams are not covered by the same rule, which is why they still work.',
  findings: [
    { text: 'Three OneDrive sign-ins failed with error 53003 (blocked by Conditional Access).', supports: true },
    { text: 'The policy "Require compliant device for SharePoint" reported failure for each of them.', supports: true },
    { text: 'Your password has not changed in the last 30 days.', supports: false },
  ],
  events: [{ ...BLOCKED_SIGN_INS[0], device: 'LAPTOP-4821 (Windows 11)', place: 'Oslo, NO' }, { ...BLOCKED_SIGN_INS[1] }],
  eventsSummary: 'I read 14 sign-in events from the last 48 hours.',
  lookupNote: 'I could not read the device list, so device details may be missing.',
  warnings: ['Do not delete the OneDrive folder: files that have not synced yet would be lost.'],
  alternatives: [
    { title: 'Device is not compliant', confidencePercent: 35 },
    { title: 'Session expired', confidencePercent: 10 },
  ],
  stepCount: 3,
};

const minimalDiagnosis: DiagnosisCardModel = {
  causeId: 'unknown',
  title: "I couldn't pin this down",
  confidenceLabel: 'Low',
  confidencePercent: 20,
  explanation: 'None of the known causes matches what I found well enough.',
  findings: [],
  events: [],
  eventsSummary: '',
  warnings: [],
  alternatives: [],
  stepCount: 0,
};

const fullFixStep: FixStepCardModel = {
  causeId: 'stale-credentials',
  stepId: 'clear-credential-manager',
  stepNumber: 2,
  stepCount: 4,
  title: 'Remove the saved OneDrive sign-in from Credential Manager',
  instructions: [
    'Close OneDrive: right-click the cloud icon in the taskbar, then select Settings > Pause syncing > Quit OneDrive.',
    'Open the Start menu, type Credential Manager and open it.',
    'Select Windows Credentials.',
    'Remove every entry that starts with OneDrive Cached Credential or MicrosoftOffice16_Data.',
    'cmdkey /list | findstr /i onedrive',
    '%localappdata%\\Microsoft\\OneDrive\\onedrive.exe /reset',
    LONG,
  ],
  audience: 'self-service',
  audienceLabel: 'You can do this',
  warning: 'Only remove entries that mention OneDrive or Microsoft Office; other entries belong to other apps.',
  check: 'OneDrive asks for your email address once, then the cloud icon turns white or blue without a red cross.',
  causeTitle: 'Saved sign-in is out of date',
};

const adminFixStep: FixStepCardModel = {
  causeId: 'device-trust-broken',
  stepId: 'rejoin-device',
  stepNumber: 1,
  stepCount: 1,
  title: 'Re-register this PC with Microsoft Entra',
  instructions: ['IT runs dsregcmd /leave and re-joins the device.'],
  audience: 'needs-admin',
  audienceLabel: 'IT needs to do this',
  causeTitle: 'The PC lost its trust with Microsoft Entra',
};

const fullTicket: TicketCardModel = {
  ticketId: 'HD-1042',
  status: 'in-progress',
  statusLabel: 'In progress',
  causeTitle: 'A Conditional Access policy blocks OneDrive',
  createdAt: '21 Nov 2026, 09:20',
  updatedAt: '21 Nov 2026, 11:05',
  assignee: 'Kari Nordmann',
  summary: LONG,
  stepsTried: [
    { title: 'Sign out and back in to OneDrive', outcome: 'Still broken' },
    { title: 'Check the device is compliant', outcome: "Couldn't do it" },
  ],
  history: Array.from({ length: 8 }, (_, i) => ({ when: `21 Nov, 0${i + 1}:00`, text: `Update number ${i + 1}` })),
  canWithdraw: true,
  rating: 4,
};

const minimalTicket: TicketCardModel = {
  ticketId: 'HD-7',
  status: 'closed',
  statusLabel: 'Closed',
  causeTitle: 'Unknown',
  createdAt: '1 Nov 2026',
  updatedAt: '2 Nov 2026',
  summary: '',
  stepsTried: [],
  history: [],
  canWithdraw: false,
};

const buttonQuestion: QuestionCardModel = {
  questionId: 'password-changed',
  text: 'Did you change or reset your password in the last two weeks?',
  why: 'A new password makes the one OneDrive saved on this PC stale.',
  answers: [
    { id: 'yes', label: 'Yes' },
    { id: 'no', label: 'No' },
    { id: 'not-sure', label: 'Not sure' },
  ],
  useChoiceSet: false,
};

const choiceQuestion: QuestionCardModel = {
  questionId: 'error-message',
  text: 'What does the OneDrive message say?',
  why: 'The wording tells a sign-in refusal apart from a connection that never got through.',
  answers: [
    { id: 'credentials', label: 'Something went wrong, credentials invalid, or it keeps asking me to sign in' },
    { id: 'connection', label: 'There was a problem connecting, check your internet' },
    { id: 'other', label: 'Something else' },
  ],
  progress: 'Question 2',
  lookupNote: "I couldn't read your sign-in logs: the directory did not answer in time.",
  useChoiceSet: true,
};

const escalate: EscalateCardModel = {
  causeId: 'device-not-compliant',
  causeTitle: 'This PC does not meet the company device rules',
  reason: 'The next step needs IT: only they can mark a device compliant.',
  summary: [
    'Error 0x8004de40 in the OneDrive window',
    'Four OneDrive sign-ins failed with 53000 (device not compliant) since 08:50',
    'Tried: restart OneDrive (still broken)',
    LONG,
  ],
};

// ---------------------------------------------------------------------------------------------

describe('cards', () => {
  describe('renderTemplate', () => {
    it('when a template refers to a field the data lacks, then it throws instead of leaving ${…}', () => {
      const template = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Hi ${nme}' }] };
      assert.throws(() => renderTemplate(template, { name: 'Ola' }), CardTemplateError);
    });

    it('when the data itself contains "${", then it is kept verbatim and nothing throws', () => {
      const template = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Run: ${command}' }] };
      const card = renderTemplate(template, { command: 'Remove-Item ${env:LOCALAPPDATA}\\OneDrive -WhatIf' });
      assert.equal(allText(card), 'Run: Remove-Item ${env:LOCALAPPDATA}\\OneDrive -WhatIf');
    });

    it('when a rendered card is changed (trimmed for size, say), then neither its model nor its template changes, even where the template took a whole list from the model or data held "${"', () => {
      const template = {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [
          { type: 'FactSet', facts: '${facts}' },
          { type: 'TextBlock', text: 'Static' },
        ],
      };
      const model = {
        facts: [
          { title: 'Run', value: 'Get-Item ${env:TEMP}' },
          { title: 'Plain', value: 'text' },
        ],
      };
      const modelBefore = JSON.stringify(model);
      const templateBefore = JSON.stringify(template);
      const card = renderTemplate(template, model) as { body: Array<{ facts?: Array<{ value: string }>; text?: string }> };
      assert.equal(card.body[0]!.facts![0]!.value, 'Get-Item ${env:TEMP}');
      card.body[0]!.facts![0]!.value = 'cut';
      card.body[0]!.facts!.pop();
      card.body[1]!.text = 'changed';
      assert.equal(JSON.stringify(model), modelBefore);
      assert.equal(JSON.stringify(template), templateBefore);
      const again = renderTemplate(template, model) as typeof card;
      assert.deepEqual(
        again.body.map((b) => b.text ?? b.facts!.map((f) => f.value).join('|')),
        ['Get-Item ${env:TEMP}|text', 'Static'],
      );
    });

    it('when one template is rendered twice with different data, then the second render is not affected by the first', () => {
      const first = renderMessageCard({ title: 'First', text: 'One', tone: 'good' });
      const second = renderMessageCard({ title: 'Second', text: 'Two', tone: 'attention' });
      assert.match(allText(first), /First/);
      assert.doesNotMatch(allText(second), /First/);
    });
  });

  describe('welcome card', () => {
    it('when rendered with a name and examples, then it greets, lists the examples and offers start and help', () => {
      const card = renderWelcomeCard({
        userName: 'Ingrid',
        examples: ['OneDrive says 0x8004de40', 'OneDrive keeps asking for my password', LONG],
      });
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /OneDrive sign-in help/);
      assert.match(text, /Hi Ingrid/);
      assert.match(text, /Microsoft Entra sign-in logs/);
      assert.match(text, /Try:/);
      assert.match(text, /• OneDrive says 0x8004de40/);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        [{ verb: Verbs.triageStart }, { verb: Verbs.helpShow }],
      );
    });

    it('when rendered without a name or examples, then neither a greeting nor a "Try:" heading appears', () => {
      const card = renderWelcomeCard({ examples: [] });
      assertValidCard(card);
      assert.doesNotMatch(allText(card), /Hi |Try:/);
    });
  });

  describe('help card', () => {
    it('when rendered with commands, then each command and description is shown and Start begins triage', () => {
      const card = renderHelpCard({
        commands: [
          { command: 'start over', description: 'Forget my answers and begin again.' },
          { command: 'my ticket', description: 'Show the status of my open ticket.' },
          { command: 'help', description: LONG },
        ],
      });
      assertValidCard(card);
      assert.match(allText(card), /start over[\s\S]*Forget my answers/);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        [{ verb: Verbs.triageStart }],
      );
      assert.deepEqual(titles(card), ['Start']);
    });

    it('when rendered with no commands, then it is still a valid card', () => {
      assertValidCard(renderHelpCard({ commands: [] }));
    });
  });

  describe('question card', () => {
    it('when useChoiceSet is false, then there is one button per answer carrying questionId and the answer id, and no ChoiceSet', () => {
      const card = renderQuestionCard(buttonQuestion);
      assertValidCard(card);
      assert.equal(elementsOfType(card, 'Input.ChoiceSet').length, 0);
      assert.deepEqual(titles(card), ['Yes', 'No', 'Not sure']);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        buttonQuestion.answers.map(({ id }) => ({ verb: 'triage.answer', questionId: 'password-changed', answer: id })),
      );
      assert.doesNotMatch(allText(card), /Question \d|couldn't read/);
    });

    it('when useChoiceSet is true, then an expanded required ChoiceSet "answer" and one Next button without an answer are shown', () => {
      const card = renderQuestionCard(choiceQuestion);
      assertValidCard(card);
      const [choiceSet, ...others] = elementsOfType(card, 'Input.ChoiceSet');
      assert.equal(others.length, 0);
      assert.equal(choiceSet.id, 'answer');
      assert.equal(choiceSet.style, 'expanded');
      assert.equal(choiceSet.isRequired, true);
      assert.ok(typeof choiceSet.errorMessage === 'string' && choiceSet.errorMessage.length > 0);
      assert.deepEqual(
        choiceSet.choices,
        choiceQuestion.answers.map(({ id, label }) => ({ title: label, value: id })),
      );
      assert.deepEqual(titles(card), ['Next']);
      assert.deepEqual(dataActions(card)[0].data, { verb: 'triage.answer', questionId: 'error-message' });
    });

    it('when progress and a lookup note are given, then both are shown, the note in attention colour', () => {
      const card = renderQuestionCard(choiceQuestion);
      const blocks = shownTexts(card);
      assert.ok(blocks.some((block) => block.text === 'Question 2' && block.isSubtle === true));
      const note = blocks.find((block) => String(block.text).startsWith("I couldn't read your sign-in logs"));
      assert.equal(note?.color, 'Attention');
      assert.equal(note?.type, 'RichTextBlock', 'the note quotes Graph: plain text, which always wraps');
      const question = blocks.find((block) => block.text === choiceQuestion.text);
      assert.equal(question?.weight, 'Bolder');
    });

    it('when a question text and why are very long, then they wrap and the card stays valid', () => {
      const card = renderQuestionCard({ ...buttonQuestion, text: LONG, why: LONG, progress: 'Question 5' });
      assertValidCard(card);
      assert.ok(elementsOfType(card, 'TextBlock').every((block) => block.wrap === true));
    });

    for (const questionId of QUESTION_IDS) {
      it(`when the contract question "${questionId}" is rendered as shouldUseChoiceSet suggests, then every answer id is reachable and titles fit`, () => {
        const question = getQuestion(questionId);
        const answers = question.answers.map(({ id, label }) => ({ id, label }));
        const card = renderQuestionCard({
          questionId,
          text: question.text,
          why: question.why,
          answers,
          useChoiceSet: shouldUseChoiceSet(answers),
        });
        assertValidCard(card);
        const choiceValues = elementsOfType(card, 'Input.ChoiceSet').flatMap((set) => (set.choices as Array<{ value: string }>).map((choice) => choice.value));
        const buttonValues = dataActions(card).flatMap(({ data }) => (typeof data.answer === 'string' ? [data.answer] : []));
        assert.deepEqual(
          [...choiceValues, ...buttonValues],
          answers.map(({ id }) => id),
        );
        for (const { data } of dataActions(card)) assert.equal(data.questionId, questionId);
      });
    }

    it('when answers are many or long, then shouldUseChoiceSet says so; when few and short, it does not', () => {
      assert.equal(shouldUseChoiceSet(buttonQuestion.answers), false);
      assert.equal(shouldUseChoiceSet(choiceQuestion.answers), true);
      assert.equal(shouldUseChoiceSet(Array.from({ length: 9 }, (_, i) => ({ label: `0x8004de4${i}` }))), true);
    });
  });

  describe('diagnosis card', () => {
    it('when rendered with everything, then it shows the cause, confidence, findings, events, notes, warnings and alternatives', () => {
      const card = renderDiagnosisCard(fullDiagnosis);
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /What we found/);
      assert.match(text, /A Conditional Access policy blocks OneDrive/);
      assert.match(text, /Confidence: High \(86%\)/);
      assert.match(text, /Why I think so/);
      assert.match(text, /✔ Three OneDrive sign-ins failed/);
      assert.match(text, /✖ Your password has not changed/);
      assert.match(text, /I read 14 sign-in events/);
      assert.match(text, /could not read the device list/);
      assert.match(text, /Do not delete the OneDrive folder/);
      assert.match(text, /Other possibilities: Device is not compliant \(35%\), Session expired \(10%\)/);
      const title = elementsOfType(card, 'TextBlock').find((block) => block.text === fullDiagnosis.title);
      assert.equal(title?.size, 'Large');
      assert.equal(title?.weight, 'Bolder');
      const warning = elementsOfType(card, 'TextBlock').find((block) => String(block.text).includes('Do not delete'));
      assert.equal(warning?.color, 'Attention');
    });

    it('when an event has a policy, device and place, then its FactSet shows them; when not, those facts are left out', () => {
      const card = renderDiagnosisCard(fullDiagnosis);
      assert.deepEqual(factGroups(card), [
        ['When', 'App', 'Result', 'Reason', 'Policy', 'Device', 'Location'],
        ['When', 'App', 'Result', 'Reason'],
      ]);
      assert.ok(factsOf(card).some((fact) => fact.value === 'Require compliant device for SharePoint'));
    });

    it('when every action is inspected, then each carries the causeId and only ticket.create is offered', () => {
      for (const model of [fullDiagnosis, minimalDiagnosis]) {
        const card = renderDiagnosisCard(model);
        const actions = dataActions(card);
        assert.ok(actions.length > 0);
        for (const { data, path } of actions) assert.equal(data.causeId, model.causeId, `${path} lacks causeId`);
        assert.deepEqual(
          actions.map(({ data }) => data),
          [{ verb: 'ticket.create', causeId: model.causeId }],
        );
        assert.deepEqual(titles(card), ['Open a ticket']);
      }
    });

    it('when there are no findings, events, notes, warnings or alternatives, then none of their headings appear', () => {
      const card = renderDiagnosisCard(minimalDiagnosis);
      assertValidCard(card);
      const text = allText(card);
      assert.doesNotMatch(text, /Why I think so|Sign-ins that matter|Other possibilities|⚠/);
      assert.equal(elementsOfType(card, 'FactSet').length, 0);
      assert.match(text, /needs the help desk/);
    });

    it('when the confidence is out of range, then the shown percentage is clamped to 0–100', () => {
      const card = renderDiagnosisCard({ ...minimalDiagnosis, confidencePercent: 140.4 });
      assert.match(allText(card), /\(100%\)/);
    });

    it('when texts are long, then the card stays valid and wraps', () => {
      const card = renderDiagnosisCard({
        ...fullDiagnosis,
        explanation: LONG,
        findings: [{ text: LONG, supports: true }],
        warnings: [LONG, LONG],
      });
      assertValidCard(card);
      assert.ok(elementsOfType(card, 'TextBlock').every((block) => block.wrap === true));
    });
  });

  describe('fix step card', () => {
    it('when rendered with a warning and a check, then it shows the step, badge, warning before numbered instructions, and the check', () => {
      const card = renderFixStepCard(fullFixStep);
      assertValidCard(card);
      const texts = elementsOfType(card, 'TextBlock').map((block) => String(block.text));
      assert.ok(texts.includes('Step 2 of 4'));
      assert.ok(texts.includes('You can do this'));
      const warningAt = texts.findIndex((text) => text.includes('Only remove entries'));
      const firstStepAt = texts.findIndex((text) => text.startsWith('1.'));
      assert.ok(warningAt >= 0 && warningAt < firstStepAt, 'the warning comes before the instructions');
      fullFixStep.instructions.forEach((line, i) => assert.ok(texts.includes(`${i + 1}.\u00a0${line}`), `instruction ${i + 1}`));
      assert.ok(texts.some((text) => text.startsWith('How to tell it worked: OneDrive asks')));
      const warning = elementsOfType(card, 'TextBlock').find((block) => String(block.text).includes('Only remove entries'));
      assert.equal(warning?.color, 'Attention');
    });

    it('when an instruction is a command, then it is monospace; plain instructions are not', () => {
      const blocks = elementsOfType(renderFixStepCard(fullFixStep), 'TextBlock');
      const fontOf = (start: string) => blocks.find((block) => String(block.text).includes(start))?.fontType;
      assert.equal(fontOf('cmdkey /list'), 'Monospace');
      assert.equal(fontOf('%localappdata%'), 'Monospace');
      assert.equal(fontOf('Select Windows Credentials'), 'Default');
    });

    it("when the actions are inspected, then they are It worked / Still broken / I can't do this with causeId, stepId and result", () => {
      for (const model of [fullFixStep, adminFixStep]) {
        const card = renderFixStepCard(model);
        assert.deepEqual(titles(card), ['It worked', 'Still broken', "I can't do this"]);
        assert.deepEqual(
          dataActions(card).map(({ data }) => data),
          FIX_RESULTS.map((result) => ({ verb: 'fix.result', causeId: model.causeId, stepId: model.stepId, result })),
        );
        for (const action of card.actions as Json[]) {
          assert.equal(action.type, 'Action.Execute', 'Universal Actions: a pressed card can be replaced by its outcome');
          assert.equal(action.verb, 'fix.result');
          assert.equal(action.style, undefined, 'Teams ignores "positive"');
        }
      }
    });

    it('when the step carries its case, then every action echoes it in `case`', () => {
      const card = renderFixStepCard({ ...fullFixStep, caseRef: '2026-12-02T08:00:00.000Z' });
      for (const { data } of dataActions(card)) assert.equal(data.case, '2026-12-02T08:00:00.000Z');
    });

    it('when the step needs an admin and has no warning or check, then the badge says so and nothing else is shown', () => {
      const card = renderFixStepCard(adminFixStep);
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /IT needs to do this/);
      assert.match(text, /Step 1 of 1/);
      assert.doesNotMatch(text, /How to tell it worked|⚠/);
      const badge = elementsOfType(card, 'Column').find((column) => JSON.stringify(column).includes('IT needs to do this'));
      assert.equal(badge?.style, 'warning');
    });
  });

  describe('resolved card', () => {
    it('when rendered, then it celebrates, shows how to verify and offers five ratings as numbers with the causeId', () => {
      const card = renderResolvedCard({
        causeId: 'stale-credentials',
        causeTitle: 'Saved sign-in is out of date',
        verify: 'Tomorrow morning, check that the OneDrive cloud icon has no red cross and your files show green ticks.',
      });
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /Glad that's fixed/);
      assert.match(text, /Tomorrow morning/);
      assert.match(text, /How did I do\?/);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        [1, 2, 3, 4, 5].map((rating) => ({ verb: 'triage.rate', causeId: 'stale-credentials', rating })),
      );
      for (const title of titles(card)) assert.ok(title.length <= 4, title);
    });

    it('when the verify text is empty or long, then the card stays valid', () => {
      assertValidCard(renderResolvedCard({ causeId: 'unknown', causeTitle: 'Unknown', verify: '' }));
      assertValidCard(renderResolvedCard({ causeId: 'unknown', causeTitle: 'Unknown', verify: LONG }));
    });
  });

  describe('escalate card', () => {
    it('when rendered, then it explains the hand-over, lists the summary and has an optional details box', () => {
      const card = renderEscalateCard(escalate);
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /couldn't fix this together/);
      assert.match(text, /only they can mark a device compliant/);
      assert.match(text, /• Error 0x8004de40 in the OneDrive window/);
      const [details, ...others] = elementsOfType(card, 'Input.Text');
      assert.equal(others.length, 0);
      assert.equal(details.id, 'details');
      assert.equal(details.isMultiline, true);
      assert.equal(details.maxLength, 2000);
      assert.equal(details.placeholder, 'Anything else the help desk should know? (optional)');
      assert.notEqual(details.isRequired, true);
    });

    it('when the actions are inspected, then "Open a ticket" and "Start over" both carry the causeId', () => {
      const card = renderEscalateCard(escalate);
      assert.deepEqual(titles(card), ['Open a ticket', 'Start over']);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        [
          { verb: 'ticket.create', causeId: 'device-not-compliant' },
          { verb: 'triage.restart', causeId: 'device-not-compliant' },
        ],
      );
    });

    it('when there is no reason and no summary, then no "What I\'ll send" heading appears', () => {
      const card = renderEscalateCard({ causeId: 'unknown', causeTitle: 'Unknown', reason: '', summary: [] });
      assertValidCard(card);
      assert.doesNotMatch(allText(card), /What I'll send/);
    });
  });

  describe('ticket card', () => {
    it('when rendered with everything, then it shows the facts, summary, steps tried and the latest history first', () => {
      const card = renderTicketCard(fullTicket);
      assertValidCard(card);
      const text = allText(card);
      assert.match(text, /Ticket HD-1042/);
      assert.deepEqual(
        factsOf(card).map((fact) => fact.title),
        ['Status', 'Cause', 'Opened', 'Updated', 'Your rating', 'Assigned to'],
      );
      assert.ok(factsOf(card).some((fact) => fact.title === 'Status' && fact.value === 'In progress'));
      assert.match(text, /• Sign out and back in to OneDrive: Still broken/);
      assert.match(text, /Update number 8[\s\S]*Update number 4/);
      assert.doesNotMatch(text, /Update number 3\b/);
    });

    it('when the actions are inspected (including inside "Add details"), then every one carries the ticketId', () => {
      const card = renderTicketCard(fullTicket);
      assert.deepEqual(titles(card), ['Refresh status', 'Add details', 'Send', 'Withdraw']);
      const actions = dataActions(card);
      for (const { data, path } of actions) assert.equal(data.ticketId, 'HD-1042', `${path} lacks ticketId`);
      assert.deepEqual(
        actions.map(({ data }) => data.verb),
        [Verbs.ticketStatus, Verbs.ticketAddDetails, Verbs.ticketWithdraw],
      );
      const showCard = collectActions(card).find(({ action }) => action.type === 'Action.ShowCard')?.action;
      const [input] = elementsOfType(showCard?.card, 'Input.Text');
      assert.equal(input.id, 'text');
      assert.equal(input.isMultiline, true);
    });

    it('when the ticket cannot be withdrawn and has no optional parts, then there is no Withdraw button and no empty sections', () => {
      const card = renderTicketCard(minimalTicket);
      assertValidCard(card);
      assert.deepEqual(titles(card), ['Refresh status', 'Add details', 'Send']);
      assert.deepEqual(
        factsOf(card).map((fact) => fact.title),
        ['Status', 'Cause', 'Opened', 'Updated'],
      );
      assert.doesNotMatch(allText(card), /Steps tried|Updates/);
      for (const { data } of dataActions(card)) assert.equal(data.ticketId, 'HD-7');
    });

    it('when details are not allowed, then "Add details" is left out', () => {
      const card = renderTicketCard({ ...minimalTicket, canAddDetails: false });
      assertValidCard(card);
      assert.deepEqual(titles(card), ['Refresh status']);
    });
  });

  describe('message card', () => {
    for (const [tone, color] of [
      ['default', 'Default'],
      ['attention', 'Attention'],
      ['good', 'Good'],
    ] as const) {
      it(`when the tone is ${tone}, then the title is ${color} and there are no actions`, () => {
        const card = renderMessageCard({ title: 'Something went wrong', text: LONG, tone });
        assertValidCard(card);
        assert.equal(card.actions, undefined);
        assert.equal(collectActions(card).length, 0);
        assert.equal(shownTexts(card)[0].color, color);
      });
    }

    it('when the text is empty, then only the title is shown', () => {
      const card = renderMessageCard({ title: 'Done', text: '', tone: 'good' });
      assertValidCard(card);
      assert.deepEqual(
        shownTexts(card).map((shown) => shown.text),
        ['Done'],
      );
    });
  });

  describe('validator', () => {
    it('when a card has an unknown element, an invalid colour and a leftover expression, then it reports each', () => {
      const problems = validateAdaptiveCard({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', color: 'Purple' }, { type: 'TextBlock', text: '${x}' }],
      });
      assert.ok(
        problems.some((problem) => problem.includes('Bogus')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((problem) => problem.includes('color')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((problem) => problem.includes('unexpanded')),
        problems.join('\n'),
      );
    });

    it('when a required input has no label, then property validation reports it', () => {
      const problems = validateAdaptiveCard({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'Input.Text', id: 'x', isRequired: true }],
      });
      assert.ok(
        problems.some((problem) => problem.includes('label')),
        problems.join('\n'),
      );
    });
  });
});
