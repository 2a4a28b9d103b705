import assert from 'node:assert/strict';
import { renderAgentTicketCard, renderDiagnosisCard, renderTicketCard } from '../../src/cards';
import { presentAgentTicket } from '../../src/desk/present-agent';
import { presentDiagnosis, presentTicket } from '../../src/dialogs/present';
import { newCaseFile } from '../../src/domain/case-file';
import { diagnose } from '../../src/domain/diagnosis';
import { itSteps } from '../../src/domain/fix-walkthrough';
import { getPlaybook } from '../../src/domain/playbooks';
import { draftTicket, type Ticket } from '../../src/domain/tickets';
import { allText, assertValidCard } from './card-test-helpers';

const NOW = new Date('2026-11-20T12:00:00.000Z');

function ticketFor(causeId: 'device-trust-broken' | 'conditional-access-block'): Ticket {
  const draft = draftTicket({
    caseFile: newCaseFile(NOW),
    requester: { aadObjectId: 'aad-employee', name: 'Avery Lindqvist' },
    causeId,
    causeTitle: getPlaybook(causeId).title,
    evidence: [],
    keyEvents: [],
    now: NOW,
  });
  return { ...draft, id: 'HD-000007', number: 7, version: 1 };
}

describe('cards: IT steps go to agents, and confidence means something', () => {
  it('when a ticket is shown to an agent, then it lists the steps only IT can do and how to confirm the cause; the employee sees neither', () => {
    const ticket = ticketFor('device-trust-broken');
    const agentCard = renderAgentTicketCard(presentAgentTicket(ticket, [{ aadObjectId: 'aad-agent', name: 'Kari Nordmann' }]));
    // Transfer's and Resolve's `note` inputs share an id in sibling ShowCards (the contract names both); see agent-cards.test.ts.
    assertValidCard(agentCard, { acceptedProblems: ['validate: Duplicate Id "note".'] });
    const agentText = allText(agentCard);
    assert.match(agentText, /For IT \(not shown to the employee\)/);
    for (const step of itSteps(getPlaybook('device-trust-broken'))) assert.ok(agentText.includes(step.title), step.title);
    assert.match(agentText, /dsregcmd \/forcerecovery/);
    assert.match(agentText, /How to confirm this cause/);
    const employeeText = allText(renderTicketCard(presentTicket(ticket)));
    for (const step of itSteps(getPlaybook('device-trust-broken'))) assert.ok(!employeeText.includes(step.title), step.title);
  });

  it('when the cause is not clear yet, then the diagnosis card shows no confidence at all', () => {
    const d = diagnose({ answers: {} });
    assert.equal(d.leading, 'unknown');
    const text = allText(renderDiagnosisCard(presentDiagnosis(d, newCaseFile(NOW), undefined)));
    assert.doesNotMatch(text, /Confidence/);
  });

  it("when only the employee's answers support the cause, then the card never says High and says what it rests on", () => {
    const d = diagnose({ answers: { 'error-code': '0x8004de4a' } });
    const text = allText(renderDiagnosisCard(presentDiagnosis(d, newCaseFile(NOW), undefined)));
    assert.doesNotMatch(text, /Confidence: High/);
    assert.match(text, /based on what you told me/);
  });

  it('when two causes are close, then the card names the second one too', () => {
    const d = diagnose({ answers: { 'error-code': '0x8004deef' } });
    assert.ok(d.runnerUp);
    const text = allText(renderDiagnosisCard(presentDiagnosis(d, newCaseFile(NOW), undefined)));
    assert.match(text, new RegExp(`It is close: this could also be "${getPlaybook(d.runnerUp!).title}"`));
  });
});
