/**
 * Realistic view-models for every card the bot sends, sized like the cards a triage on the demo
 * tenant produces (a diagnosis of about 6 KB, a fix step of about 2 KB), for the in-process render
 * benchmark (card-render.ts).
 */
import {
  renderAgentTicketCard,
  renderDiagnosisCard,
  renderEscalateCard,
  renderFixStartCard,
  renderFixStepCard,
  renderHelpCard,
  renderIncidentCard,
  renderLookupResultCard,
  renderMessageCard,
  renderQuestionCard,
  renderResolvedCard,
  renderTicketCard,
  renderTicketListCard,
  renderTicketResolvedCard,
  renderWelcomeCard,
  type AdaptiveCard,
} from '../src/cards';

/** One card the bench renders: its name, how often a triage turn sends it, and the call. */
export interface CardCase {
  name: string;
  /** True for the cards an employee's triage sends (first message, answer, fix step, ticket). */
  triage: boolean;
  render: () => AdaptiveCard;
}

const EVENTS = [
  {
    when: 'Today 09:14',
    app: 'Microsoft OneDrive',
    outcome: 'Failed',
    reason: '50173: the provided grant has expired due to it being revoked, a fresh auth token is needed',
    device: 'ALEXW-LT01 (Windows 11)',
    place: 'Chicago, Illinois, US',
  },
  {
    when: 'Today 07:40',
    app: 'Microsoft OneDrive',
    outcome: 'Failed',
    reason: '50126: invalid username or password',
    device: 'ALEXW-LT01 (Windows 11)',
    place: 'Chicago, Illinois, US',
  },
  { when: 'Yesterday 22:10', app: 'Microsoft OneDrive', outcome: 'Failed', reason: '50173: the provided grant has expired', device: 'ALEXW-LT01 (Windows 11)' },
  { when: 'Yesterday 17:02', app: 'Microsoft Outlook', outcome: 'Succeeded', reason: 'Signed in interactively', place: 'Chicago, Illinois, US' },
  { when: 'Yesterday 16:30', app: 'Microsoft Teams', outcome: 'Succeeded', reason: 'Signed in interactively' },
];

const STEP_INSTRUCTIONS = [
  'Right-click the OneDrive cloud icon in the taskbar, then select Settings > Pause syncing > Quit OneDrive.',
  'Open the Start menu, type OneDrive and open it again.',
  'Sign in with your work email address and your new password when OneDrive asks.',
  'Wait a minute: the cloud icon should turn white or blue without a red cross.',
];

/** Every card the bot renders, with the model a busy morning would give it. */
export const CARD_CASES: readonly CardCase[] = [
  {
    name: 'diagnosis',
    triage: true,
    render: () =>
      renderDiagnosisCard({
        causeId: 'stale-credentials',
        title: 'Saved sign-in details are out of date',
        confidenceLabel: 'High',
        confidencePercent: 97,
        explanation:
          'OneDrive and Windows are still using the password you had before you changed it two days ago. Outlook and Teams asked you to sign in again and got the new one; OneDrive signs in silently in the background, so it keeps presenting the old one and Microsoft Entra refuses it.',
        findings: [
          { text: 'Your password changed 2 days ago (Tuesday 16:40).', supports: true },
          { text: 'Nine OneDrive sign-ins failed since then with 50173 or 50126 (expired grant, wrong password).', supports: true },
          { text: 'Outlook and Teams signed in successfully after the change.', supports: true },
          { text: 'The device is compliant and joined to Microsoft Entra.', supports: false },
        ],
        events: EVENTS,
        eventsSummary: 'I read 23 sign-in events from the last 48 hours.',
        warnings: ['Do not delete the OneDrive folder: files that have not synced yet would be lost.'],
        alternatives: [
          { title: 'Password not synced from on-premises yet', confidencePercent: 22 },
          { title: 'Session expired', confidencePercent: 8 },
        ],
        stepCount: 9,
      }),
  },
  {
    name: 'fix-step',
    triage: true,
    render: () =>
      renderFixStepCard({
        causeId: 'stale-credentials',
        stepId: 'restart-onedrive',
        stepNumber: 1,
        stepCount: 9,
        title: 'Quit OneDrive and start it again',
        instructions: STEP_INSTRUCTIONS,
        audience: 'self-service',
        audienceLabel: 'You can do this',
        warning: 'Quitting OneDrive does not delete anything: files sync again when it starts.',
        check: 'The cloud icon turns white or blue and no sign-in window comes back.',
        causeTitle: 'Saved sign-in details are out of date',
      }),
  },
  {
    name: 'question',
    triage: true,
    render: () =>
      renderQuestionCard({
        questionId: 'network',
        text: 'How is this PC connected right now?',
        why: 'VPNs and proxies are a common reason the sign-in never reaches Microsoft.',
        answers: [
          { id: 'office', label: 'Office network' },
          { id: 'home', label: 'Home or public Wi-Fi' },
          { id: 'vpn', label: 'VPN' },
          { id: 'not-sure', label: 'Not sure' },
        ],
        progress: 'Question 2',
        useChoiceSet: false,
      }),
  },
  {
    name: 'escalate',
    triage: true,
    render: () =>
      renderEscalateCard({
        causeId: 'stale-credentials',
        causeTitle: 'Saved sign-in details are out of date',
        reason: 'The steps did not fix it, so the help desk takes it from here.',
        summary: ['Error 0x8004de40 in the OneDrive window', 'Nine OneDrive sign-ins failed with 50173 or 50126 since Tuesday', 'Tried: quit and restart OneDrive (still broken)'],
      }),
  },
  {
    name: 'ticket',
    triage: true,
    render: () =>
      renderTicketCard({
        ticketId: 'HD-001042',
        status: 'new',
        statusLabel: 'Waiting for an agent',
        causeTitle: 'Saved sign-in details are out of date',
        createdAt: '21 Nov 2026, 09:20',
        updatedAt: '21 Nov 2026, 09:20',
        summary: 'OneDrive keeps asking me to sign in since I changed my password; restarting it did not help.',
        stepsTried: [{ title: 'Quit OneDrive and start it again', outcome: 'Still broken' }],
        history: [{ when: '21 Nov, 09:20', text: 'Ticket opened from the chat' }],
        canWithdraw: true,
      }),
  },
  {
    name: 'resolved',
    triage: true,
    render: () =>
      renderResolvedCard({
        causeId: 'stale-credentials',
        causeTitle: 'Saved sign-in details are out of date',
        verify: 'Open File Explorer: the OneDrive folder shows green ticks again.',
      }),
  },
  {
    name: 'message',
    triage: true,
    render: () => renderMessageCard({ title: "Let's start again", text: 'I forgot the earlier answers. Tell me what OneDrive shows.', tone: 'default' }),
  },
  {
    name: 'welcome',
    triage: false,
    render: () => renderWelcomeCard({ userName: 'Alex', examples: ['OneDrive shows 0x8004de40', 'OneDrive keeps asking for my password', 'my tickets'] }),
  },
  {
    name: 'help',
    triage: false,
    render: () =>
      renderHelpCard({
        commands: [
          { command: 'start over', description: 'Forget the answers and begin again' },
          { command: 'my tickets', description: 'Show your tickets' },
          { command: 'help', description: 'This list' },
        ],
      }),
  },
  {
    name: 'agent-ticket',
    triage: false,
    render: () =>
      renderAgentTicketCard({
        ticketId: 'HD-001042',
        status: 'new',
        statusLabel: 'Waiting for an agent',
        requesterName: 'Alex Wilber',
        requesterUpn: 'alexw@contoso.com',
        causeTitle: 'Saved sign-in details are out of date',
        confidencePercent: 97,
        openedAt: '21 Nov 2026, 09:20',
        updatedAt: '21 Nov 2026, 09:20',
        evidence: ['Password changed 2 days ago (Tuesday 16:40).', 'Nine OneDrive sign-ins failed since then with 50173 or 50126.'],
        keyEvents: EVENTS.map((e) => `${e.when} · ${e.app} · ${e.outcome} · ${e.reason}`),
        answers: [{ question: 'Did you change or reset your password in the last two weeks?', answer: 'Yes' }],
        stepsTried: [{ title: 'Quit OneDrive and start it again', outcome: 'Still broken' }],
        details: 'It started this morning after the laptop restarted. Outlook and Teams still work.',
        transcript: Array.from({ length: 12 }, (_, i) => ({
          when: `09:${String(i + 5).padStart(2, '0')}`,
          who: i % 2 === 0 ? 'Alex Wilber' : 'Help desk bot',
          text: `Transcript line ${i + 1}`,
        })),
        history: [{ when: '21 Nov, 09:20', text: 'Ticket opened from the chat' }],
        agents: [
          { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Kari Nordmann' },
          { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', name: 'Megan Bowen' },
        ],
        causes: [
          { id: 'stale-credentials', title: 'Saved sign-in details are out of date' },
          { id: 'conditional-access-block', title: 'A company access policy is blocking OneDrive' },
        ],
        isOpen: true,
        isClaimed: false,
      }),
  },
  {
    name: 'incident',
    triage: false,
    render: () =>
      renderIncidentCard({
        title: 'OneDrive sign-ins blocked by Conditional Access',
        summary: 'Seven people hit the same Conditional Access block within half an hour.',
        causeTitle: 'A company access policy is blocking OneDrive',
        signature: '53003 · Require compliant device for SharePoint',
        count: 7,
        windowMinutes: 30,
        tickets: Array.from({ length: 7 }, (_, i) => ({ ticketId: `HD-0000${20 + i}`, requesterName: `Employee ${i + 1}`, when: `09:${10 + i * 3}` })),
        employees: ['Johanna Lorenz', 'Grady Archie'],
      }),
  },
  {
    name: 'ticket-resolved',
    triage: false,
    render: () =>
      renderTicketResolvedCard({
        ticketId: 'HD-001042',
        agentName: 'Kari Nordmann',
        note: 'I removed the old saved sign-in; sign in once more with your new password.',
        causeTitle: 'Saved sign-in details are out of date',
      }),
  },
  { name: 'fix-start', triage: false, render: () => renderFixStartCard({ causeId: 'stale-credentials' }) },
  {
    name: 'lookup-result',
    triage: false,
    render: () =>
      renderLookupResultCard({
        upn: 'alexw@contoso.com',
        displayName: 'Alex Wilber',
        causeTitle: 'Saved sign-in details are out of date',
        causeId: 'stale-credentials',
        confidencePercent: 97,
        findings: [{ text: 'Password changed 2 days ago.', supports: true }],
        events: EVENTS.slice(0, 3),
        eventsSummary: 'I read 23 sign-in events from the last 48 hours.',
        auditNote: 'Looked up by Kari Nordmann at 21 Nov 2026, 11:05 — recorded in the audit log',
      }),
  },
  {
    name: 'ticket-list',
    triage: false,
    render: () =>
      renderTicketListCard({
        title: 'Open tickets',
        tickets: Array.from({ length: 10 }, (_, i) => ({
          ticketId: `HD-00${1040 + i}`,
          status: i % 2 ? 'claimed' : 'new',
          statusLabel: i % 2 ? 'An agent is working on it' : 'Waiting for an agent',
          age: `${i * 7} min`,
          requesterName: `Employee ${i + 1}`,
          causeTitle: 'Saved sign-in details are out of date',
          assigneeName: i % 2 ? 'Kari Nordmann' : undefined,
        })),
        emptyText: 'No open tickets.',
      }),
  },
];
