import assert from 'node:assert/strict';
import { CAUSE_IDS, type CauseId } from '../../src/domain/causes';
import type { FixStep } from '../../src/domain/playbook';
import { allPlaybooks, findStep, getPlaybook } from '../../src/domain/playbooks';

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const AUDIENCES = ['self-service', 'needs-admin'];

/** Splits text into sentences at '.', '!' or '?' followed by white space. */
function sentences(text: string): string[] {
  return text
    .trim()
    .split(/(?<=[.!?])\s+/)
    .filter((part) => part.length > 0);
}

function allSteps(): Array<{ causeId: CauseId; step: FixStep }> {
  return CAUSE_IDS.flatMap((causeId) => getPlaybook(causeId).steps.map((step) => ({ causeId, step })));
}

function stepText(step: FixStep): string {
  return [step.title, ...step.instructions].join('\n');
}

describe('playbooks', () => {
  it('when every cause id is looked up, then each has a playbook whose causeId matches', () => {
    for (const causeId of CAUSE_IDS) {
      const playbook = getPlaybook(causeId);
      assert.ok(playbook, `no playbook for ${causeId}`);
      assert.equal(playbook.causeId, causeId);
      assert.deepEqual(getPlaybook(causeId), playbook);
    }
  });

  it('when the knowledge base is listed, then it holds no playbook for an id outside the contract', () => {
    assert.deepEqual(
      allPlaybooks()
        .map((p) => p.causeId)
        .sort(),
      [...CAUSE_IDS].sort(),
    );
  });

  it('when a playbook explains its cause, then the explanation is one plain sentence ending with a full stop', () => {
    for (const causeId of CAUSE_IDS) {
      const parts = sentences(getPlaybook(causeId).explanation);
      assert.equal(parts.length, 1, `${causeId}: ${JSON.stringify(parts)}`);
      assert.ok(parts[0]!.length <= 220, `${causeId}: ${parts[0]!.length} characters`);
      for (const part of parts) assert.ok(part.endsWith('.'), `${causeId}: "${part}" does not end with '.'`);
    }
  });

  it('when a playbook is shown, then it has a title, 2 to 4 evidence items each way, 1 to 6 steps an employee on each platform can see, a verify and an escalation note', () => {
    for (const causeId of CAUSE_IDS) {
      const playbook = getPlaybook(causeId);
      assert.ok(playbook.title.trim().length > 0, `${causeId}: empty title`);
      assert.ok(playbook.evidenceFor.length >= 2 && playbook.evidenceFor.length <= 4, `${causeId}: evidenceFor`);
      assert.ok(playbook.evidenceAgainst.length >= 2 && playbook.evidenceAgainst.length <= 4, `${causeId}: evidenceAgainst`);
      for (const platform of ['windows', 'mac'] as const) {
        const shown = playbook.steps.filter((step) => step.audience === 'self-service' && (!step.platform || step.platform === platform));
        assert.ok(shown.length >= 1 && shown.length <= 6, `${causeId}: ${shown.length} ${platform} steps`);
      }
      assert.ok(playbook.verify.trim().length > 0, `${causeId}: empty verify`);
      assert.ok(playbook.escalateWhen.trim().length > 0, `${causeId}: empty escalateWhen`);
    }
  });

  it('when a playbook lists its steps, then every step has a unique kebab-case id, instructions and a valid audience', () => {
    for (const causeId of CAUSE_IDS) {
      const ids = new Set<string>();
      for (const step of getPlaybook(causeId).steps) {
        assert.match(step.id, KEBAB_CASE, `${causeId}: step id "${step.id}" is not kebab-case`);
        assert.ok(!ids.has(step.id), `${causeId}: duplicate step id "${step.id}"`);
        ids.add(step.id);
        assert.ok(step.title.trim().length > 0, `${causeId}/${step.id}: empty title`);
        assert.ok(step.instructions.length > 0, `${causeId}/${step.id}: no instructions`);
        for (const line of step.instructions) assert.ok(line.trim().length > 0, `${causeId}/${step.id}: empty instruction line`);
        assert.ok(AUDIENCES.includes(step.audience), `${causeId}/${step.id}: audience "${step.audience}"`);
      }
    }
  });

  it('when a step resets or unlinks OneDrive, then it warns to keep a copy of online-only files first', () => {
    const resetOrUnlink = allSteps().filter(({ step }) => step.instructions.some((line) => line.includes('/reset') || line.includes('Unlink this PC')));
    assert.ok(resetOrUnlink.length > 0, 'expected at least one reset or unlink step');
    for (const { causeId, step } of resetOrUnlink) {
      assert.ok(step.warning, `${causeId}/${step.id}: no warning`);
      assert.match(step.warning, /online-only/i, `${causeId}/${step.id}: warning does not mention online-only files`);
    }
  });

  it('when a step runs dsregcmd /leave, then it is for IT, warns to stay on the corporate network and needs local admin rights', () => {
    const leaveSteps = allSteps().filter(({ step }) => step.instructions.some((line) => /dsregcmd\s+(?:\/debug\s+)?\/leave/i.test(line)));
    assert.ok(leaveSteps.length > 0, 'expected at least one dsregcmd /leave step');
    for (const { causeId, step } of leaveSteps) {
      assert.ok(step.warning, `${causeId}/${step.id}: no warning`);
      assert.match(step.warning, /corporate network/i, `${causeId}/${step.id}: warning does not mention the corporate network`);
      assert.equal(step.needsLocalAdmin, true, `${causeId}/${step.id}: needsLocalAdmin is not true`);
      assert.equal(step.audience, 'needs-admin', `${causeId}/${step.id}: dsregcmd /leave is not an employee step`);
    }
  });

  it('when a PC is Entra joined rather than hybrid, then re-registration uses dsregcmd /forcerecovery, never /leave', () => {
    const rejoin = allSteps().find(({ step }) => step.id === 'rejoin-device')!.step;
    const entraLine = rejoin.instructions.find((line) => /Entra joined/i.test(line));
    assert.ok(entraLine && /\/forcerecovery/.test(entraLine) && !/\/leave/.test(entraLine), entraLine);
  });

  it('when a step is written for Windows, then it is marked so and a Mac user never sees it; Mac steps name Mac places', () => {
    const windowsWords = /taskbar|Windows\+|Start menu|Command Prompt|Credential Manager|regedit|%localappdata%|\bcmd\b/i;
    for (const { causeId, step } of allSteps()) {
      if (step.audience !== 'self-service') continue;
      const text = [step.title, ...step.instructions].join(' ');
      if (windowsWords.test(text)) assert.equal(step.platform, 'windows', `${causeId}/${step.id}`);
      if (step.platform === 'mac') assert.match(text, /menu bar|Finder|Keychain|System Settings|Apple menu|Company Portal|App Store/, `${causeId}/${step.id}`);
    }
  });

  it('when no step tells the employee to run dsregcmd /join, then Windows is left to re-register on its own', () => {
    for (const { causeId, step } of allSteps()) {
      for (const line of step.instructions) {
        assert.ok(!/(?:^|\b)(?:type|run)\s+dsregcmd\s+\/join/i.test(line), `${causeId}/${step.id}: tells someone to run dsregcmd /join`);
      }
    }
  });

  it('when a step uses an elevated command, then it is marked as needing local admin rights', () => {
    const elevated = /netsh winsock reset|ipconfig \/release|dsregcmd \/leave|gpresult/i;
    for (const { causeId, step } of allSteps()) {
      if (step.instructions.some((line) => elevated.test(line))) {
        assert.equal(step.needsLocalAdmin, true, `${causeId}/${step.id}: elevated command without needsLocalAdmin`);
      }
    }
  });

  it('when the credential clean-up step is shown, then it limits removal to Office and OneDrive entries and spares VPN and network-share ones', () => {
    const cleanups = allSteps().filter(({ step }) => step.instructions.some((line) => line.includes('Microsoft.CredentialManager')));
    assert.ok(cleanups.length > 0, 'expected a Credential Manager step');
    for (const { causeId, step } of cleanups) {
      const warning = step.warning ?? '';
      const text = step.instructions.join(' ');
      // Only entries Credential Manager really holds for OneDrive and Office.
      for (const name of ['MicrosoftOffice16_Data', 'OneDrive Cached Credential']) assert.ok(text.includes(name), `${causeId}/${step.id}: does not name ${name}`);
      for (const name of ['Microsoft.AAD.BrokerPlugin', 'ADAL'])
        assert.ok(!text.includes(name) && !warning.includes(name), `${causeId}/${step.id}: names ${name}, which is no Credential Manager entry`);
      assert.match(warning, /Outlook.*Teams|Teams.*Outlook/, `${causeId}/${step.id}: warning does not say Outlook and Teams will ask to sign in`);
      assert.match(warning, /VPN/, `${causeId}/${step.id}: warning does not spare VPN entries`);
      assert.match(warning, /network share/i, `${causeId}/${step.id}: warning does not spare network-share entries`);
    }
  });

  it('when the cause is on the network path or is stale credentials, then the playbook warns against third-party repair tools', () => {
    for (const causeId of ['network-blocked', 'tls-or-network-stack', 'stale-credentials'] as const) {
      const warned = getPlaybook(causeId).warnings.some((warning) => /third-party/i.test(warning) && /repair tool/i.test(warning));
      assert.ok(warned, `${causeId}: no warning against third-party repair tools`);
    }
  });

  it('when any text names a repair tool, then it is never a recommendation to download one', () => {
    for (const { causeId, step } of allSteps()) {
      assert.doesNotMatch(stepText(step), /Support and Recovery Assistant|repair tool/i, `${causeId}/${step.id}: mentions a repair tool in its steps`);
    }
  });

  it('when the cause needs IT, then the playbook has at least one needs-admin step', () => {
    for (const causeId of ['conditional-access-block', 'license-missing', 'account-disabled'] as const) {
      assert.ok(
        getPlaybook(causeId).steps.some((step) => step.audience === 'needs-admin'),
        `${causeId}: no needs-admin step`,
      );
    }
  });

  it('when IT reviews a Conditional Access block, then the steps cover non-interactive sign-in logs, What If, report-only and the time changes take', () => {
    const adminText = getPlaybook('conditional-access-block')
      .steps.filter((step) => step.audience === 'needs-admin')
      .map(stepText)
      .join('\n');
    assert.match(adminText, /non-interactive/i);
    assert.match(adminText, /Monitoring & health > Sign-in logs > User sign-ins \(non-interactive\)/);
    assert.match(adminText, /What If/);
    assert.match(adminText, /report-only/i);
    assert.match(adminText, /take time to apply/i);
    assert.match(adminText, /OneDrive sync client/i);
  });

  it('when the employee can only act through IT, then Conditional Access and licence changes are never marked self-service', () => {
    for (const { causeId, step } of allSteps()) {
      if (step.audience !== 'self-service') continue;
      assert.doesNotMatch(stepText(step), /Microsoft 365 admin center|Intune admin center|Entra admin center/i, `${causeId}/${step.id}: admin portal in a self-service step`);
    }
  });

  it('when a step id is known, then findStep returns the step and its position', () => {
    for (const causeId of CAUSE_IDS) {
      getPlaybook(causeId).steps.forEach((step, index) => {
        const found = findStep(causeId, step.id);
        assert.ok(found, `${causeId}/${step.id}: not found`);
        assert.equal(found.step, step);
        assert.equal(found.index, index);
      });
    }
    const reset = findStep('stale-credentials', 'reset-onedrive');
    assert.ok(reset);
    assert.ok(reset.step.instructions.some((line) => line.includes('/reset')));
  });

  it('when a step id is unknown, then findStep returns undefined', () => {
    assert.equal(findStep('stale-credentials', 'no-such-step'), undefined);
    assert.equal(findStep('unknown', ''), undefined);
    assert.equal(findStep('license-missing', 'reset-onedrive'), undefined);
  });
});
