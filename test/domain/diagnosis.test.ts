import assert from 'node:assert/strict';
import { AUTH_CAUSES, CAUSE_IDS, NETWORK_CAUSES, type CauseId } from '../../src/domain/causes';
import { diagnose, mappedCodes, type Diagnosis, type DiagnosisInput } from '../../src/domain/diagnosis';
import { entraCode } from '../../src/domain/entra-codes';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import { getQuestion, QUESTION_IDS, type Answers } from '../../src/domain/questions';
import { e3Licence, exchangeOnlyLicence } from '../../src/graph/demo-tenant-data';
import { EARLIER_SUCCESS, NOW, ONEDRIVE_SYNC_APP_ID, failures, makeEvidence, makeSnapshot, webAppsOnlyLicence, type CaseSpec } from './evidence-fixture';

/** Contract §1: every AADSTS code the causes table lists, and the cause it documents. */
const CONTRACT_CODES: ReadonlyArray<[number, CauseId]> = [
  [50126, 'stale-credentials'],
  [50133, 'stale-credentials'],
  [50173, 'stale-credentials'],
  [53003, 'conditional-access-block'],
  [53000, 'device-not-compliant'],
  [530003, 'device-not-compliant'],
  [50097, 'device-trust-broken'],
  [50129, 'device-trust-broken'],
  [53001, 'device-trust-broken'],
  [50076, 'mfa-required'],
  [50074, 'mfa-required'],
  [50158, 'mfa-required'],
  [50079, 'mfa-registration-required'],
  [70043, 'session-expired'],
  [70044, 'session-expired'],
  [700082, 'session-expired'],
  [50053, 'account-locked'],
  [50057, 'account-disabled'],
  [50055, 'password-expired'],
  [50144, 'password-expired'],
  // Added from Microsoft's table (docs/reference/aadsts-codes.md): device identity problems, and the
  // pass-through authentication agent's errors, which only IT can fix.
  [50155, 'device-trust-broken'],
  [135011, 'device-trust-broken'],
  [700003, 'device-trust-broken'],
  ...([80001, 80002, 80004, 80005, 80007, 80010, 80012, 80013, 80014] as const).map((code): [number, CauseId] => [code, 'unknown']),
];

/** The two device situations every code is checked under. */
const DEVICES: ReadonlyArray<{ label: string; device: CaseSpec['device'] }> = [
  { label: 'a healthy company PC', device: {} },
  { label: 'no registered device', device: null },
];

function leaderFor(spec: CaseSpec, answers: Answers = {}): Diagnosis {
  return diagnose({ answers, evidence: makeEvidence(spec) });
}

function describeRanking(d: Diagnosis): string {
  return d.ranked
    .slice(0, 4)
    .map((r) => `${r.causeId}:${r.score}`)
    .join(', ');
}

describe('diagnosis', () => {
  describe('AADSTS codes from the OneDrive sync client', () => {
    it('when the contract table is compared with ENTRA_CODES, then every documented code is mapped to its documented cause and no other code is', () => {
      for (const [code, causeId] of CONTRACT_CODES) {
        assert.equal(entraCode(code)?.causeId, causeId, `entraCode(${code})`);
        assert.ok(entraCode(code)!.plain.length > 0, `entraCode(${code}) has plain words`);
      }
      assert.deepEqual(
        mappedCodes().sort((a, b) => a - b),
        CONTRACT_CODES.map(([code]) => code).sort((a, b) => a - b),
      );
    });

    it('when the snapshot is built, then its OneDrive failures carry the sync client app id and the user is cloud-only with a SharePoint licence', () => {
      const snapshot = makeSnapshot({ oneDrive: failures(50126), office: [{ app: 'outlook', hoursAgo: 2 }] });
      assert.equal(snapshot.user.onPremisesSyncEnabled, false);
      assert.ok(snapshot.user.licenseDetails!.some((l) => l.servicePlans!.some((p) => p.servicePlanName === 'SHAREPOINTENTERPRISE' && p.provisioningStatus === 'Success')));
      const oneDrive = snapshot.signIns.filter((s) => s.appId === ONEDRIVE_SYNC_APP_ID);
      assert.equal(oneDrive.length, 3);
      assert.ok(oneDrive.every((s) => s.status?.errorCode === 50126));
      const analysis = analyzeEvidence(snapshot, NOW);
      assert.equal(analysis.oneDriveFailures.length, 3);
      assert.equal(analysis.licence, 'present');
      assert.equal(analysis.officeSucceeding, true);
    });

    for (const [code, causeId] of CONTRACT_CODES) {
      for (const { label, device } of DEVICES) {
        it(`when OneDrive fails with AADSTS${code} on ${label} while Outlook signs in, then the leading cause is ${causeId}`, () => {
          const snapshot = makeSnapshot({ device, oneDrive: [EARLIER_SUCCESS, ...failures(code)], office: [{ app: 'outlook', hoursAgo: 2 }] });
          const d = diagnose({ answers: {}, evidence: analyzeEvidence(snapshot, NOW) });
          assert.equal(d.leading, causeId, describeRanking(d));
          assert.equal(entraCode(code)!.causeId, causeId);
        });
      }
    }

    it('when OneDrive fails with a single recent AADSTS code of each kind, then that code still names the leading cause', () => {
      for (const [code, causeId] of CONTRACT_CODES) {
        const d = leaderFor({ device: {}, oneDrive: failures(code, [1]), office: [{ app: 'outlook', hoursAgo: 2 }] });
        assert.equal(d.leading, causeId, `AADSTS${code}: ${describeRanking(d)}`);
      }
    });

    it('when the leader comes from a sign-in code, then its findings quote the code from the sign-in log', () => {
      const d = leaderFor({ device: {}, oneDrive: failures(70043) });
      const top = d.ranked.find((r) => r.causeId === d.leading)!;
      assert.ok(
        top.findings.some((f) => f.source === 'sign-in-log' && f.text.includes('70043')),
        JSON.stringify(top.findings),
      );
    });
  });

  describe('benign sign-in noise', () => {
    /** 50140 "keep me signed in" and 50058 "no session yet" everywhere, including after the last failure. */
    const interrupts = [0.2, 0.6, 1.5, 3, 5, 7, 9, 12, 15, 19, 24, 30, 36, 44].flatMap((h) => [
      { hoursAgo: h, errorCode: 50140 },
      { hoursAgo: h + 0.05, errorCode: 50058 },
    ]);
    /** Successes before the failures started. */
    const olderSuccesses = [21, 23, 26, 29, 33, 38, 42].map((h) => ({ hoursAgo: h }));
    const staleCase: CaseSpec = { device: {}, oneDrive: [...failures(50126)] };

    it('when many 50140, 50058 and older successful events are added to a stale-credentials case, then the leader, clarity and failure count do not change', () => {
      const base = makeEvidence(staleCase);
      const noisy = makeEvidence({ ...staleCase, oneDrive: [...staleCase.oneDrive!, ...interrupts, ...olderSuccesses] });
      assert.equal(noisy.oneDriveFailures.length, base.oneDriveFailures.length);
      const before = diagnose({ answers: {}, evidence: base });
      const after = diagnose({ answers: {}, evidence: noisy });
      assert.equal(before.leading, 'stale-credentials');
      assert.equal(after.leading, 'stale-credentials', describeRanking(after));
      assert.equal(after.clear, before.clear);
      assert.equal(after.ranked[0]!.score, before.ranked[0]!.score);
    });

    it('when successes and interrupts are interleaved between and around the 50126 failures, then the leader is still stale-credentials', () => {
      const interleaved = [0.5, 4, 10, 16].map((h) => ({ hoursAgo: h }));
      const d = leaderFor({ ...staleCase, oneDrive: [...staleCase.oneDrive!, ...interrupts, ...olderSuccesses, ...interleaved] });
      assert.equal(d.leading, 'stale-credentials', describeRanking(d));
    });

    it('when OneDrive events are only 0, 50140 and 50058 and Office signs in, then the leader is not an auth cause', () => {
      for (const { label, device } of DEVICES) {
        const ev = makeEvidence({ device, oneDrive: [...interrupts, ...olderSuccesses, { hoursAgo: 0.1 }] });
        assert.equal(ev.oneDriveFailures.length, 0, label);
        const d = diagnose({ answers: {}, evidence: ev });
        assert.ok(!AUTH_CAUSES.includes(d.leading), `${label}: ${describeRanking(d)}`);
        for (const cause of AUTH_CAUSES) {
          const ranked = d.ranked.find((r) => r.causeId === cause)!;
          assert.ok(
            ranked.findings.every((f) => f.source !== 'sign-in-log' || f.weight <= 0),
            `${label}: ${cause} got positive sign-in-log findings: ${JSON.stringify(ranked.findings)}`,
          );
        }
      }
    });

    it('when OneDrive events are only 50140 and 50058 interrupts (no success at all), then no auth cause leads', () => {
      const d = leaderFor({ device: {}, oneDrive: interrupts });
      assert.ok(!AUTH_CAUSES.includes(d.leading), describeRanking(d));
    });
  });

  describe('OneDrive error codes given as answers', () => {
    const named: ReadonlyArray<[string, CauseId]> = [
      ['0x8004de4a', 'license-missing'],
      ['0x8004de90', 'onedrive-not-provisioned'],
      ['0x8004de85', 'account-mismatch'],
      ['0x8004de8a', 'account-mismatch'],
    ];
    for (const [code, causeId] of named) {
      it(`when the employee reports ${code} and there is no evidence, then the leading cause is ${causeId} and it is clear`, () => {
        const d = diagnose({ answers: { 'error-code': code } });
        assert.equal(d.leading, causeId, describeRanking(d));
        assert.equal(d.clear, true);
      });
    }

    it('when the employee reports 0x8004deef, then a missing licence leads but a credential mismatch stays close, so it is not settled yet', () => {
      const d = diagnose({ answers: { 'error-code': '0x8004deef' } });
      assert.equal(d.leading, 'license-missing', describeRanking(d));
      assert.equal(d.clear, false);
      assert.equal(d.runnerUp, 'stale-credentials');
      const changed = diagnose({ answers: { 'error-code': '0x8004deef', 'password-changed': 'yes' } });
      assert.equal(changed.leading, 'stale-credentials', describeRanking(changed));
    });

    it('when the employee reports CAA50021 and there is no evidence, then device-trust-broken leads the causes', () => {
      const d = diagnose({ answers: { 'error-code': 'caa50021' } });
      assert.equal(d.leading, 'device-trust-broken', describeRanking(d));
      assert.equal(d.ranked[0]!.causeId, 'device-trust-broken');
      assert.ok(d.ranked[0]!.score > d.ranked[1]!.score);
    });

    it('when the employee reports the generic 0x8004de40 and nothing else is known, then no cause is named yet', () => {
      const d = diagnose({ answers: { 'error-code': '0x8004de40' } });
      assert.equal(d.leading, 'unknown');
      assert.equal(d.clear, false);
    });

    it('when 0x8004de90 is reported and OneDrive otherwise signs in, then onedrive-not-provisioned still leads', () => {
      const d = diagnose({ answers: { 'error-code': '0x8004de90' }, evidence: makeEvidence({ device: {}, oneDrive: [{ hoursAgo: 3 }] }) });
      assert.equal(d.leading, 'onedrive-not-provisioned', describeRanking(d));
    });

    it('when 0x8004de85 is reported and OneDrive otherwise signs in, then account-mismatch leads', () => {
      const d = diagnose({ answers: { 'error-code': '0x8004de85' }, evidence: makeEvidence({ device: {}, oneDrive: [{ hoursAgo: 3 }] }) });
      assert.equal(d.leading, 'account-mismatch', describeRanking(d));
    });
  });

  describe('no OneDrive attempts reach Entra', () => {
    /** OneDrive signed in four days ago (outside the 48 h window); Outlook and Teams sign in now. */
    const silent: CaseSpec = { device: {}, oneDrive: [{ hoursAgo: 100 }] };

    it('when OneDrive has no attempt in the window while Outlook succeeds, then the leader is a network cause', () => {
      const ev = makeEvidence(silent);
      assert.equal(ev.oneDriveAttempts, false);
      assert.equal(ev.officeSucceeding, true);
      const d = diagnose({ answers: {}, evidence: ev });
      assert.ok(NETWORK_CAUSES.includes(d.leading), describeRanking(d));
      assert.notEqual(d.leading, 'no-internet', 'Outlook signing in rules out a dead connection');
    });

    it('when there are no attempts and the employee is on a VPN, then the leader is network-blocked', () => {
      const d = leaderFor(silent, { network: 'vpn' });
      assert.equal(d.leading, 'network-blocked', describeRanking(d));
      assert.equal(d.clear, true);
    });

    it('when there are no attempts and the employee mentions a proxy, then the leader is network-blocked', () => {
      const d = diagnose({ answers: { network: 'office' }, proxy: true, evidence: makeEvidence(silent) });
      assert.equal(d.leading, 'network-blocked', describeRanking(d));
    });

    it('when there are no attempts, the employee is at home and the web version works, then the leader is tls-or-network-stack', () => {
      const d = leaderFor(silent, { network: 'home', 'web-works': 'yes' });
      assert.equal(d.leading, 'tls-or-network-stack', describeRanking(d));
    });

    it('when there are no attempts and neither the web version nor other apps work, then the leader is no-internet', () => {
      const d = leaderFor(silent, { 'web-works': 'no', 'other-apps': 'no' });
      assert.equal(d.leading, 'no-internet', describeRanking(d));
    });

    it('when nothing at all reached Entra and neither the web nor other apps work, then no-internet is clear', () => {
      const d = leaderFor({ device: {}, oneDrive: [], office: [] }, { 'web-works': 'no', 'other-apps': 'no', 'error-message': 'connection' });
      assert.equal(d.leading, 'no-internet', describeRanking(d));
      assert.equal(d.clear, true);
    });

    it('when OneDrive does reach Entra and fails, then no network cause leads even if the employee is on a VPN', () => {
      const d = leaderFor({ device: {}, oneDrive: failures(50076) }, { network: 'vpn' });
      assert.ok(!NETWORK_CAUSES.includes(d.leading), describeRanking(d));
      assert.equal(d.leading, 'mfa-required');
    });
  });

  describe('hybrid identity and password changes', () => {
    const sixtyDays = 60 * 24;

    it('when a hybrid user says the password changed but Entra shows a change 60 days ago and OneDrive fails with 50126, then the leader is password-sync-delay', () => {
      const spec: CaseSpec = {
        device: { trustType: 'ServerAd' },
        user: { onPremisesSyncEnabled: true, passwordChangedHoursAgo: sixtyDays },
        oneDrive: [EARLIER_SUCCESS, ...failures(50126)],
      };
      const ev = makeEvidence(spec);
      assert.equal(ev.hybrid, true);
      assert.equal(ev.passwordChangedRecently, false);
      const d = diagnose({ answers: { 'password-changed': 'yes' }, evidence: ev });
      assert.equal(d.leading, 'password-sync-delay', describeRanking(d));
    });

    it('when the same user is cloud-only, then the leader is stale-credentials', () => {
      const spec: CaseSpec = { device: {}, user: { onPremisesSyncEnabled: false, passwordChangedHoursAgo: sixtyDays }, oneDrive: [EARLIER_SUCCESS, ...failures(50126)] };
      const d = leaderFor(spec, { 'password-changed': 'yes' });
      assert.equal(d.leading, 'stale-credentials', describeRanking(d));
      assert.equal(d.ranked.find((r) => r.causeId === 'password-sync-delay')!.score < 0, true);
    });

    it('when a cloud-only password was reset yesterday and OneDrive fails with 50126 since, then stale-credentials is clear without asking', () => {
      const d = leaderFor({ device: {}, user: { passwordChangedHoursAgo: 24 }, oneDrive: [{ hoursAgo: 30 }, ...failures(50126, [20, 10, 2])] });
      assert.equal(d.leading, 'stale-credentials');
      assert.equal(d.clear, true);
      const stale = d.ranked.find((r) => r.causeId === 'stale-credentials')!;
      assert.ok(
        stale.findings.some((f) => f.source === 'directory' && /password was changed/.test(f.text)),
        JSON.stringify(stale.findings),
      );
    });
  });

  describe('licences', () => {
    it('when the user has no SharePoint/OneDrive plan, then the leader is license-missing', () => {
      const ev = makeEvidence({ device: {}, user: { licenseDetails: exchangeOnlyLicence() }, oneDrive: [{ hoursAgo: 3 }] });
      assert.equal(ev.licence, 'missing');
      const d = diagnose({ answers: {}, evidence: ev });
      assert.equal(d.leading, 'license-missing', describeRanking(d));
    });

    it('when the only SharePoint plan is SHAREPOINTWAC (Office for the web), then it does not count as a OneDrive licence', () => {
      const ev = makeEvidence({ device: {}, user: { licenseDetails: webAppsOnlyLicence() }, oneDrive: [{ hoursAgo: 3 }] });
      assert.equal(ev.licence, 'missing');
      assert.equal(diagnose({ answers: {}, evidence: ev }).leading, 'license-missing');
    });

    it('when SHAREPOINTWAC comes with SHAREPOINTENTERPRISE, then the licence is present and license-missing is argued against', () => {
      const both = [
        {
          skuPartNumber: 'SPE_E3',
          servicePlans: [
            { servicePlanName: 'SHAREPOINTWAC', provisioningStatus: 'Success' },
            { servicePlanName: 'SHAREPOINTENTERPRISE', provisioningStatus: 'Success' },
          ],
        },
      ];
      const ev = makeEvidence({ device: {}, user: { licenseDetails: both }, oneDrive: [{ hoursAgo: 3 }] });
      assert.equal(ev.licence, 'present');
      const d = diagnose({ answers: {}, evidence: ev });
      assert.notEqual(d.leading, 'license-missing');
      assert.ok(d.ranked.find((r) => r.causeId === 'license-missing')!.score < 0);
    });

    it('when the SharePoint plan is disabled, then the licence is missing', () => {
      const ev = makeEvidence({ device: {}, user: { licenseDetails: e3Licence('Disabled') } });
      assert.equal(ev.licence, 'missing');
    });

    it('when a new account has its SharePoint plan still provisioning, then the leader is onedrive-not-provisioned', () => {
      const ev = makeEvidence({
        device: {},
        user: { licenseDetails: e3Licence('PendingProvisioning'), createdHoursAgo: 24, passwordChangedHoursAgo: 24 },
        oneDrive: [{ hoursAgo: 3 }],
      });
      assert.equal(ev.licence, 'pending');
      assert.equal(ev.accountCreatedRecently, true);
      const d = diagnose({ answers: {}, evidence: ev });
      assert.equal(d.leading, 'onedrive-not-provisioned', describeRanking(d));
    });
  });

  describe('Conditional Access', () => {
    it('when a named policy fails on OneDrive with 53003, then the policy name appears in the findings of the leader', () => {
      const d = leaderFor({ device: {}, failingPolicy: 'Block unmanaged sync', oneDrive: failures(53003) });
      assert.equal(d.leading, 'conditional-access-block');
      assert.equal(d.clear, true);
      const leader = d.ranked.find((r) => r.causeId === d.leading)!;
      assert.ok(
        leader.findings.some((f) => f.text.includes('Block unmanaged sync')),
        JSON.stringify(leader.findings.map((f) => f.text)),
      );
    });

    it('when a compliance policy fails on OneDrive with 530003, then the policy name supports device-not-compliant, not a block', () => {
      const d = leaderFor({ device: { isCompliant: false }, failingPolicy: 'Require compliant device', oneDrive: failures(530003) });
      assert.equal(d.leading, 'device-not-compliant');
      const leader = d.ranked.find((r) => r.causeId === d.leading)!;
      assert.ok(leader.findings.some((f) => f.text.includes('Require compliant device')));
    });
  });

  describe('unknown and reachability', () => {
    it('when there is no evidence and no answer, then the diagnosis is unknown and not clear', () => {
      const d = diagnose({ answers: {} });
      assert.equal(d.leading, 'unknown');
      assert.equal(d.clear, false);
      assert.equal(d.ranked[0]!.causeId, 'unknown');
    });

    it('when OneDrive fails only with a code no cause maps, then the diagnosis is unknown and says which code', () => {
      const d = leaderFor({ device: {}, oneDrive: failures(9002313) });
      assert.equal(d.leading, 'unknown', describeRanking(d));
      assert.ok(d.ranked[0]!.findings.some((f) => f.text.includes('9002313')));
    });

    /** One input per cause; together they must reach all 18. */
    const REACH: ReadonlyArray<{ causeId: CauseId; input: () => DiagnosisInput }> = [
      { causeId: 'stale-credentials', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50126) }) }) },
      {
        causeId: 'password-sync-delay',
        input: () => ({ answers: { 'password-changed': 'yes' }, evidence: makeEvidence({ device: {}, user: { onPremisesSyncEnabled: true }, oneDrive: failures(50126) }) }),
      },
      { causeId: 'conditional-access-block', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, failingPolicy: 'Block sync', oneDrive: failures(53003) }) }) },
      { causeId: 'device-not-compliant', input: () => ({ answers: {}, evidence: makeEvidence({ device: { isCompliant: false }, oneDrive: failures(53000) }) }) },
      { causeId: 'device-trust-broken', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50097) }) }) },
      { causeId: 'mfa-required', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50076) }) }) },
      { causeId: 'mfa-registration-required', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50079) }) }) },
      { causeId: 'session-expired', input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(700082) }) }) },
      {
        causeId: 'account-locked',
        input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50053), office: [{ app: 'outlook', hoursAgo: 1, errorCode: 50053 }] }) }),
      },
      {
        causeId: 'account-disabled',
        input: () => ({
          answers: {},
          evidence: makeEvidence({ device: {}, user: { accountEnabled: false }, oneDrive: failures(50057), office: [{ app: 'teams', hoursAgo: 1, errorCode: 50057 }] }),
        }),
      },
      {
        causeId: 'password-expired',
        input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, oneDrive: failures(50055), office: [{ app: 'outlook', hoursAgo: 1, errorCode: 50055 }] }) }),
      },
      { causeId: 'network-blocked', input: () => ({ answers: { network: 'vpn' }, evidence: makeEvidence({ device: {}, oneDrive: [] }) }) },
      { causeId: 'tls-or-network-stack', input: () => ({ answers: { network: 'home', 'web-works': 'yes' }, evidence: makeEvidence({ device: {}, oneDrive: [] }) }) },
      { causeId: 'no-internet', input: () => ({ answers: { 'web-works': 'no', 'other-apps': 'no' }, evidence: makeEvidence({ device: {}, oneDrive: [], office: [] }) }) },
      {
        causeId: 'license-missing',
        input: () => ({ answers: {}, evidence: makeEvidence({ device: {}, user: { licenseDetails: exchangeOnlyLicence() }, oneDrive: [{ hoursAgo: 2 }] }) }),
      },
      { causeId: 'onedrive-not-provisioned', input: () => ({ answers: { 'error-code': '0x8004de90' } }) },
      { causeId: 'account-mismatch', input: () => ({ answers: { 'error-code': '0x8004de85' } }) },
      { causeId: 'unknown', input: () => ({ answers: {} }) },
    ];

    for (const { causeId, input } of REACH) {
      it(`when the facts point to ${causeId}, then ${causeId} leads`, () => {
        const d = diagnose(input());
        assert.equal(d.leading, causeId, describeRanking(d));
      });
    }

    it('when every reachability input is diagnosed, then the leaders cover all 18 cause ids', () => {
      const reached = new Set(REACH.map(({ input }) => diagnose(input()).leading));
      assert.equal(CAUSE_IDS.length, 18);
      assert.deepEqual([...reached].sort(), [...CAUSE_IDS].sort());
    });
  });

  describe('confidence and clarity', () => {
    /** Evidence situations × every single answer × pairs of answers. */
    function* inputs(): Generator<DiagnosisInput> {
      const situations = [
        undefined,
        makeEvidence({ device: {}, oneDrive: failures(50126) }),
        makeEvidence({ device: {}, oneDrive: failures(53003, [2]) }),
        makeEvidence({ device: {}, oneDrive: [] }),
        makeEvidence({ device: null, oneDrive: [], office: [] }),
        makeEvidence({ device: {}, user: { onPremisesSyncEnabled: true }, oneDrive: failures(50126, [1]) }),
        makeEvidence({ device: {}, user: { accountEnabled: false }, oneDrive: failures(50057) }),
        makeEvidence({ device: {}, oneDrive: failures(9002313) }),
      ];
      const single: Answers[] = [{}];
      for (const q of QUESTION_IDS) for (const a of getQuestion(q).answers) single.push({ [q]: a.id });
      for (const evidence of situations) {
        for (const answers of single) {
          yield { answers, evidence };
          yield { answers, evidence, proxy: true };
        }
        for (let i = 0; i < QUESTION_IDS.length; i++) {
          for (let j = i + 1; j < QUESTION_IDS.length; j++) {
            for (const a of getQuestion(QUESTION_IDS[i]!).answers) {
              for (const b of getQuestion(QUESTION_IDS[j]!).answers) yield { answers: { [QUESTION_IDS[i]!]: a.id, [QUESTION_IDS[j]!]: b.id }, evidence };
            }
          }
        }
      }
    }

    it('when any mix of evidence and answers is diagnosed, then every confidence is between 0 and 100 and a clear diagnosis never names unknown', () => {
      let count = 0;
      for (const input of inputs()) {
        const d = diagnose(input);
        count += 1;
        const where = JSON.stringify(input.answers);
        assert.ok(Number.isFinite(d.confidence) && d.confidence >= 0 && d.confidence <= 100, `confidence ${d.confidence} for ${where}`);
        for (const r of d.ranked) assert.ok(r.confidence >= 0 && r.confidence <= 100, `${r.causeId} confidence ${r.confidence} for ${where}`);
        if (d.clear) assert.notEqual(d.leading, 'unknown', where);
        assert.equal(d.ranked[0]!.causeId, d.leading, where);
        assert.equal(d.ranked.length, CAUSE_IDS.length - (d.leading === 'unknown' ? 0 : 1), where);
      }
      assert.ok(count > 1000);
    });

    it('when the same facts are diagnosed twice, then the result is identical', () => {
      const input: DiagnosisInput = { answers: { 'error-message': 'credentials', network: 'home' }, evidence: makeEvidence({ device: {}, oneDrive: failures(50133) }) };
      assert.deepEqual(diagnose(input), diagnose(input));
    });
  });
});
