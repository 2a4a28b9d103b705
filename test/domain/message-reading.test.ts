import assert from 'node:assert/strict';
import { classifyMessage, extractFacts } from '../../src/domain/message-parser';
import type { QuestionId } from '../../src/domain/question-ids';

/**
 * What employees actually write as their first message, and what the reader must and must not
 * take from it. `must` facts are recorded; `not` facts are never recorded (the reader leaves the
 * question for the bot to ask); flags are proxy / mac / mfa.
 */
interface Case {
  text: string;
  must?: Partial<Record<QuestionId, string>>;
  not?: Partial<Record<QuestionId, string | string[]>>;
  flags?: Partial<Record<'proxy' | 'mac' | 'mfa', boolean>>;
  aadsts?: number[];
  /** Whether it starts triage (default true). */
  problem?: boolean;
}

const CASES: Case[] = [
  // Error codes, however they are written.
  { text: 'OneDrive says 0x8004de40', must: { 'error-code': '0x8004de40' } },
  { text: 'onedrive error 0x8004DE40 since this morning', must: { 'error-code': '0x8004de40' } },
  { text: 'Getting 8004de40 when I open onedrive', must: { 'error-code': '0x8004de40' } },
  { text: 'ERROR CODE 0X8004DE88', must: { 'error-code': '0x8004de88' } },
  { text: 'one drive wont sign in, code 8004DE4A', must: { 'error-code': '0x8004de4a' } },
  { text: 'error 0x8004deef in onedrive', must: { 'error-code': '0x8004deef' } },
  { text: 'OneDrive: 0x8004de90 on my first day', must: { 'error-code': '0x8004de90' } },
  { text: 'Its showing 0x8004de85 in the sync app', must: { 'error-code': '0x8004de85' } },
  { text: '0x8004de8a', must: { 'error-code': '0x8004de8a' } },
  { text: 'office apps say CAA50021 and onedrive wont log in', must: { 'error-code': 'caa50021' } },
  { text: 'error caa50021', must: { 'error-code': 'caa50021' } },
  { text: 'OneDrive error 0x8004de41 (not sure I copied it right)', not: { 'error-code': ['0x8004de40', '0x8004de41'] } },
  { text: 'onedrive says 0x80070005 access denied', not: { 'error-code': '0x8004de40' } },
  { text: 'sign-in log shows AADSTS50173 for onedrive', aadsts: [50173] },
  { text: 'I saw AADSTS 53003 in the browser when I tried', aadsts: [53003] },
  { text: 'onedrive: aadsts50126 invalid username or password', aadsts: [50126] },
  { text: 'Error AADSTS50076 and AADSTS50076 again, onedrive', aadsts: [50076] },
  // Microsoft's own message texts.
  { text: 'OneDrive: Login was either interrupted or unsuccessful. Please try logging in again.', must: { 'error-code': '0x8004de40', 'error-message': 'connection' } },
  { text: 'It keeps saying "We can\'t sign into your account, please try again later"', must: { 'error-code': '0x8004de88', 'error-message': 'connection' } },
  { text: 'We can’t sign in to your account, please try again later', must: { 'error-code': '0x8004de88' } },
  { text: 'onedrive pops up "You don\'t have access to this service"', must: { 'error-code': '0x8004deef' } },
  { text: 'There was a problem connecting to OneDrive. Check your Internet connection, and then try again.', must: { 'error-code': '0x8004de40', 'error-message': 'connection' } },
  { text: 'onedrive says there is a problem with your account', must: { 'error-code': '0x8004de85' } },
  { text: 'Something went wrong [CAA50021] Number of retries exceeded', must: { 'error-code': 'caa50021' } },
  { text: 'Office says number of retries exceeded when I sign in', must: { 'error-code': 'caa50021' } },
  { text: 'Login was interrupted, 0x8004de88', must: { 'error-code': '0x8004de88' } },
  // What the window says, in the employee's words.
  { text: 'OneDrive keeps asking for my password', must: { 'error-message': 'credentials' } },
  { text: 'one drive keeps nagging me for my password', must: { 'error-message': 'credentials' } },
  { text: 'onedrive says something went wrong', must: { 'error-message': 'credentials' } },
  { text: 'OneDrive says my credentials are invalid', must: { 'error-message': 'credentials' } },
  { text: 'onedrive says there was a problem connecting', must: { 'error-message': 'connection' } },
  { text: 'OneDrive cant connect, says check your internet', must: { 'error-message': 'connection' } },
  { text: 'onedrive just says offline all the time', must: { 'error-message': 'connection' } },
  // Spellings of OneDrive and signing in.
  { text: 'onedirve not working' },
  { text: 'ondrive broken again' },
  { text: 'my OD wont sync and asks me to sign in again', must: { 'error-message': 'credentials' } },
  { text: 'OneDrive for Business stopped syncing, sign in error' },
  { text: 'sharepoint sync keeps failing to sign in' },
  { text: 'Onedrvie error' },
  { text: 'cant sign into one drive' },
  { text: 'The sync client cant log in' },
  { text: 'ONEDRIVE WONT LOG IN!!!' },
  { text: 'oneddrive login problem' },
  { text: 'having trouble signing in on my laptop' },
  { text: 'login fails every morning' },
  // Negation and the VPN.
  { text: "i'm not using the vpn today and nobody else on my team has it", problem: false, must: { 'others-affected': 'no' }, not: { network: 'vpn', 'others-affected': 'yes' } },
  { text: 'onedrive fails, VPN is off', not: { network: 'vpn' } },
  { text: 'OneDrive 0x8004de40, the vpn is disconnected', not: { network: 'vpn' } },
  { text: 'not on vpn, onedrive 0x8004de40', not: { network: 'vpn' } },
  { text: 'I dont use a VPN. onedrive says 0x8004de40', not: { network: 'vpn' } },
  { text: 'I never use the VPN at home and OneDrive fails', must: { network: 'home' }, not: { network: 'vpn' } },
  { text: "I'm on the VPN and OneDrive won't sign in", must: { network: 'vpn' } },
  { text: 'connected with GlobalProtect, onedrive error', must: { network: 'vpn' } },
  { text: 'using AnyConnect from the hotel, OneDrive 0x8004de40', must: { network: 'vpn' } },
  { text: 'on forticlient at home and onedrive fails', must: { network: 'vpn' } },
  { text: 'the VPN is on and onedrive still fails', must: { network: 'vpn' } },
  { text: 'Cisco Secure Client connected, OneDrive login fails', must: { network: 'vpn' } },
  { text: 'wfh today, OneDrive wont sign in', must: { network: 'home' } },
  { text: 'working from home on my hotspot, onedrive error', must: { network: 'home' } },
  { text: 'on a hotspot from my phone, one drive cant sign in', must: { network: 'home' } },
  { text: 'at the airport, onedrive keeps failing', must: { network: 'home' } },
  { text: "I'm in the office and OneDrive says 0x8004de40", must: { network: 'office' } },
  { text: 'on the corporate network, onedrive sign in fails', must: { network: 'office' } },
  { text: 'onedrive fails on the company wifi', must: { network: 'office' } },
  { text: "I'm not in the office today, onedrive 0x8004de40", not: { network: 'office' } },
  // Proxy and web filters.
  { text: 'we go through a proxy here and OneDrive fails', flags: { proxy: true } },
  { text: 'zscaler is on, onedrive error 0x8004de40', flags: { proxy: true } },
  { text: 'our netskope client blocks stuff sometimes, onedrive cant log in', flags: { proxy: true } },
  { text: 'there is no proxy, onedrive 0x8004de40', flags: { proxy: false } },
  { text: 'not using any proxy. onedrive fails', flags: { proxy: false } },
  { text: 'OneDrive 0x8004de40', flags: { proxy: false, mac: false, mfa: false } },
  // The password.
  { text: 'I changed my password yesterday and now OneDrive says 0x8004de40', must: { 'password-changed': 'yes' } },
  { text: 'IT reset my password this morning, onedrive broken', must: { 'password-changed': 'yes' } },
  { text: 'onedrive stopped after my password reset', must: { 'password-changed': 'yes' } },
  { text: 'new password since Monday and one drive wont sign in', must: { 'password-changed': 'yes' } },
  { text: 'my password was changed by the help desk, onedrive error', must: { 'password-changed': 'yes' } },
  { text: "I didn't change my password but OneDrive keeps failing", must: { 'password-changed': 'no' } },
  { text: 'I did not reset my password, onedrive says 0x8004de40', must: { 'password-changed': 'no' } },
  { text: 'never changed my password, onedrive still asks for it', must: { 'password-changed': 'no' } },
  { text: "my password hasn't changed in months, onedrive error", must: { 'password-changed': 'no' } },
  { text: 'same password as before, but onedrive wont log in', must: { 'password-changed': 'no' } },
  { text: "pretty sure I didn't change my password, not 100% though. onedrive error", not: { 'password-changed': ['no', 'yes'] } },
  { text: 'I think I changed my password last week? onedrive fails', not: { 'password-changed': 'yes' } },
  { text: 'maybe my password was reset, not sure. OneDrive broken', not: { 'password-changed': 'yes' } },
  { text: "I can't remember if I changed my password. OneDrive 0x8004de40", not: { 'password-changed': ['yes', 'no'] } },
  { text: 'OneDrive wont accept my password', not: { 'password-changed': ['yes', 'no'] } },
  // Colleagues.
  { text: 'OneDrive 0x8004de40, my colleagues have it too', must: { 'others-affected': 'yes' } },
  { text: 'everyone in the office gets 0x8004de40 in onedrive', must: { 'others-affected': 'yes' } },
  { text: 'half the office cant sign into onedrive', must: { 'others-affected': 'yes' } },
  { text: 'the whole team has the onedrive error since the update', must: { 'others-affected': 'yes' } },
  { text: 'only me, onedrive wont sign in', must: { 'others-affected': 'no' } },
  { text: "my colleagues don't have this problem, just my onedrive", must: { 'others-affected': 'no' } },
  { text: 'nobody else has the problem, onedrive says 0x8004de40', must: { 'others-affected': 'no' } },
  { text: 'everyone else is fine, my onedrive fails', must: { 'others-affected': 'no' }, not: { 'others-affected': 'yes' } },
  { text: 'not sure if others have it. onedrive error', not: { 'others-affected': ['yes', 'no'] } },
  { text: 'I think my coworkers have it as well, onedrive fails', not: { 'others-affected': 'yes' } },
  // Other apps.
  { text: 'outlook doesnt work either, onedrive 0x8004de40', must: { 'other-apps': 'no' }, not: { 'other-apps': 'yes' } },
  { text: 'Teams and Outlook are fine, only OneDrive fails', must: { 'other-apps': 'yes' } },
  { text: 'Outlook works but onedrive keeps asking for my password', must: { 'other-apps': 'yes' } },
  { text: "OneDrive and Outlook both won't sign in", not: { 'other-apps': 'yes' } },
  { text: 'teams also fails to sign in, and onedrive too', must: { 'other-apps': 'no' } },
  { text: 'outlook is not working and onedrive says something went wrong', must: { 'other-apps': 'no' } },
  { text: "word and excel can't sign in either, onedrive 0x8004de40", must: { 'other-apps': 'no' } },
  { text: 'email works fine, onedrive doesnt', must: { 'other-apps': 'yes' } },
  // The web.
  { text: 'OneDrive works in the browser but not the app', must: { 'web-works': 'yes' } },
  { text: 'the web version works fine, the sync app says 0x8004de40', must: { 'web-works': 'yes' } },
  { text: 'office.com works, onedrive app fails', must: { 'web-works': 'yes' } },
  { text: "OneDrive doesn't work in the browser either", must: { 'web-works': 'no' }, not: { 'web-works': 'yes' } },
  { text: 'cant open onedrive on the web either, same error', must: { 'web-works': 'no' } },
  { text: "haven't tried the web version, onedrive app fails", must: { 'web-works': 'not-tried' } },
  { text: 'onedrive broken, browser fails too and nothing loads', must: { 'web-works': 'no' } },
  // The device.
  { text: 'onedrive wont sign in on my own laptop', must: { 'device-type': 'personal' } },
  { text: 'personal pc, onedrive says 0x8004de40', must: { 'device-type': 'personal' } },
  { text: 'OneDrive fails on my home computer', must: { 'device-type': 'personal' } },
  { text: 'my work laptop onedrive says 0x8004de40', must: { 'device-type': 'company' } },
  { text: 'company laptop, onedrive sign in error', must: { 'device-type': 'company' } },
  { text: "it's not my personal laptop, it's the company one. onedrive fails", not: { 'device-type': 'personal' } },
  // Mac.
  { text: 'OneDrive on my Mac says it cant sign in', flags: { mac: true } },
  { text: 'MacBook Pro, onedrive keeps asking for my password', flags: { mac: true } },
  { text: 'macOS Sonoma, OneDrive login loop', flags: { mac: true } },
  { text: 'On my imac one drive wont log in', flags: { mac: true } },
  { text: 'not a mac, a windows laptop: onedrive 0x8004de40', flags: { mac: false } },
  { text: 'onedrive on windows 11 fails', flags: { mac: false } },
  // MFA.
  { text: 'OneDrive wants me to approve in Authenticator but nothing comes', flags: { mfa: true } },
  { text: 'I get a code on my phone and then onedrive fails anyway', flags: { mfa: true } },
  { text: 'mfa prompt keeps popping up for onedrive', flags: { mfa: true } },
  { text: 'two-factor keeps failing when onedrive signs in', flags: { mfa: true } },
  // Vague ones: nothing invented.
  { text: "OneDrive doesn't work", not: { 'password-changed': ['yes', 'no'], network: ['vpn', 'home', 'office'], 'error-code': '0x8004de40' } },
  { text: 'onedrive broken', not: { 'others-affected': ['yes', 'no'], 'other-apps': ['yes', 'no'] } },
  { text: 'help with onedrive please', not: { 'web-works': ['yes', 'no'] } },
  { text: 'sync not working since yesterday, onedrive', not: { 'error-message': ['connection', 'credentials'] } },
  { text: 'onedrive is acting up again', not: { 'device-type': ['company', 'personal'] } },
  { text: 'my onedrive has a red x', not: { 'error-code': '0x8004de40' } },
  { text: 'OneDrive cloud icon shows an error', not: { 'password-changed': 'yes' } },
  { text: 'onedrive sign in loop', not: { network: 'vpn' } },
  // Mixed and longer messages.
  {
    text: "Hi, I'm working from home today. I changed my password on Friday and since then OneDrive says 0x8004de40. Outlook works fine.",
    must: { network: 'home', 'password-changed': 'yes', 'error-code': '0x8004de40', 'other-apps': 'yes' },
  },
  {
    text: 'Since the new conditional access thing everyone in finance gets 0x8004de40 in onedrive, web works',
    must: { 'others-affected': 'yes', 'web-works': 'yes', 'error-code': '0x8004de40' },
  },
  { text: 'On VPN from home, no password change, onedrive 0x8004de88', must: { network: 'vpn', 'error-code': '0x8004de88' } },
  {
    text: 'Company laptop in the office. OneDrive: Login was either interrupted or unsuccessful. Teams is fine.',
    must: { 'device-type': 'company', network: 'office', 'error-code': '0x8004de40', 'other-apps': 'yes' },
  },
  {
    text: "OneDrive won't log in on my MacBook, keeps asking for my password after I reset it",
    must: { 'error-message': 'credentials', 'password-changed': 'yes' },
    flags: { mac: true },
  },
  { text: 'New starter here, OneDrive says 0x8004de90', must: { 'error-code': '0x8004de90' } },
  { text: 'New laptop, onedrive setup fails with 0x8004de4a', must: { 'error-code': '0x8004de4a' } },
  { text: 'I use my personal account and work account, onedrive says 0x8004de85', must: { 'error-code': '0x8004de85' } },
  { text: 'OneDrive 0x8004de40. I am not on VPN, and the web works.', must: { 'web-works': 'yes' }, not: { network: 'vpn' } },
  { text: 'OneDrive fails at the office. VPN is not running. Browser works.', must: { network: 'office', 'web-works': 'yes' }, not: { network: 'vpn' } },
  { text: 'onedrive 0x8004de40 and nothing else works either, no internet at all', must: { 'error-message': 'connection' } },
  { text: 'OneDrive, Outlook and Teams all fail, the browser does not load anything', must: { 'web-works': 'no' } },
  { text: 'Hello! onedrive says 0x8004de40 on my work pc', must: { 'error-code': '0x8004de40', 'device-type': 'company' } },
  { text: 'hey, so my one drive keeps failing when I sign in on the company laptop, colleagues are fine', must: { 'device-type': 'company', 'others-affected': 'no' } },
  { text: 'i reset my pw yesterday and od is broken', not: { 'password-changed': 'no' } },
  { text: 'OneDrive error after I got a new password, Outlook asks for my password too', must: { 'password-changed': 'yes', 'other-apps': 'no' } },
  { text: 'onedrive: "We can\'t sign into your account, please try again later". I\'m on the office wifi.', must: { 'error-code': '0x8004de88', network: 'office' } },
  { text: 'Our whole department got 0x8004de88 in OneDrive after the firewall change', must: { 'others-affected': 'yes', 'error-code': '0x8004de88' } },
  { text: 'It says 0x8004deef, I think my licence expired', must: { 'error-code': '0x8004deef' } },
  { text: "OneDrive keeps prompting, I'm on the Authenticator app approving over and over", must: { 'error-message': 'credentials' }, flags: { mfa: true } },
  { text: 'onedrive says 0x8004de40 - not on vpn - web works - outlook works', must: { 'web-works': 'yes', 'other-apps': 'yes' }, not: { network: 'vpn' } },
  // Not problems.
  { text: 'hi', problem: false },
  { text: 'thanks!', problem: false },
  { text: 'good morning', problem: false },
  { text: 'what is the weather', problem: false },
];

describe('message reading: realistic first messages', () => {
  it('when the suite is counted, then it holds at least 150 messages', () => {
    assert.ok(CASES.length >= 150, `${CASES.length} cases`);
  });

  for (const c of CASES) {
    it(`when an employee writes "${c.text}", then the reader takes exactly what it says`, () => {
      const facts = extractFacts(c.text);
      const intent = classifyMessage(c.text);
      assert.equal(intent.kind === 'problem', c.problem ?? true, `starts triage: ${JSON.stringify(intent)}`);
      for (const [question, answer] of Object.entries(c.must ?? {})) {
        assert.equal(facts.answers[question as QuestionId], answer, `${question} in ${JSON.stringify(facts)}`);
      }
      for (const [question, refused] of Object.entries(c.not ?? {})) {
        for (const answer of ([] as string[]).concat(refused as string | string[])) {
          assert.notEqual(facts.answers[question as QuestionId], answer, `${question} must not be ${answer}: ${JSON.stringify(facts)}`);
        }
      }
      for (const [flag, value] of Object.entries(c.flags ?? {})) assert.equal(facts[flag as 'proxy'], value, `${flag}: ${JSON.stringify(facts)}`);
      if (c.aadsts) assert.deepEqual(facts.aadstsCodes, c.aadsts);
    });
  }
});
