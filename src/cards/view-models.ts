/**
 * View-models for the bot's Adaptive Cards: plain data, already worded for the
 * employee. Each card has one render function (src/cards/render-*.ts) that turns
 * its view-model into card JSON. Optional fields may be left out; the render
 * functions drop the parts of the card that would show them.
 *
 * Names, notes, messages and anything from Graph are shown as plain text (TextRuns, see
 * plain-text.ts) and bounded by the render functions themselves, so a model built anywhere is
 * safe; titles, labels and explanations the bot writes itself are the only Markdown. Every card
 * is fitted to Teams' size limit (card-budget.ts): lists may show fewer items than given.
 */

/** Greeting card for a bare "hi" or the first contact. */
export interface WelcomeCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  /** Display name (first name is best) used in the greeting; no greeting line without it. */
  userName?: string;
  /** Example messages the person could send, shown as "Try:" bullets. */
  examples: string[];
}

/** What the bot understands. */
export interface HelpCardModel {
  commands: Array<{ command: string; description: string }>;
}

/** One triage question (contract §2). */
export interface QuestionCardModel {
  /** A contract question id (e.g. `password-changed`). */
  questionId: string;
  text: string;
  /** One line that says why the bot asks. */
  why: string;
  /** Contract answer ids and the words shown for them. */
  answers: Array<{ id: string; label: string }>;
  /** E.g. "Question 2". */
  progress?: string;
  /** E.g. "I couldn't read your sign-in logs: …". */
  lookupNote?: string;
  /** True: one expanded ChoiceSet plus "Next"; false: one button per answer. See `shouldUseChoiceSet`. */
  useChoiceSet: boolean;
  /** The case the question belongs to (its `startedAt`), echoed in the actions' `case`. */
  caseRef?: string;
}

/** One sign-in event shown as evidence on the diagnosis card. */
export interface DiagnosisEventModel {
  /** Already formatted for the reader, e.g. "Today 09:14". */
  when: string;
  app: string;
  outcome: string;
  reason: string;
  policy?: string;
  device?: string;
  place?: string;
}

/** The diagnosis: the cause, why the bot thinks so, and the evidence. */
export interface DiagnosisCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  /** A contract cause id; every action on the card carries it. */
  causeId: string;
  title: string;
  /** E.g. "High". */
  confidenceLabel: string;
  /** 0–100. */
  confidencePercent: number;
  explanation: string;
  /** Evidence for (`supports`) and against the cause. */
  findings: Array<{ text: string; supports: boolean }>;
  events: DiagnosisEventModel[];
  /** E.g. "I read 14 sign-in events from the last 48 hours." */
  eventsSummary: string;
  lookupNote?: string;
  warnings: string[];
  alternatives: Array<{ title: string; confidencePercent: number }>;
  /** How many fix steps follow; 0 means only the help desk can fix it. */
  stepCount: number;
  /** False when the cause is not clear yet: the card then shows no confidence at all. */
  showConfidence?: boolean;
  /** What the diagnosis rests on, in words ("your sign-in logs" or "your answers only"). */
  basis?: string;
  /** A second cause nearly as likely: the card says it is close and names both. */
  closeTo?: string;
  /** When to stop trying and hand over (the playbook's words). */
  escalateWhen?: string;
}

/** One fix step. */
export interface FixStepCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  causeId: string;
  stepId: string;
  /** 1-based. */
  stepNumber: number;
  stepCount: number;
  title: string;
  /** One action per line, in order. */
  instructions: string[];
  audience: 'self-service' | 'needs-admin';
  /** "You can do this" / "IT needs to do this". */
  audienceLabel: string;
  /** Shown before the instructions. */
  warning?: string;
  /** How to tell it worked. */
  check?: string;
  causeTitle: string;
  /** The case the step belongs to (its `startedAt`), echoed in the actions' `case`. */
  caseRef?: string;
}

/** After the employee reports a fix worked. */
export interface ResolvedCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  causeId: string;
  causeTitle: string;
  /** How to verify the fix held. */
  verify: string;
}

/** Hand-over to the help desk. */
export interface EscalateCardModel {
  causeId: string;
  causeTitle: string;
  /** Why the bot hands over, e.g. "The next step needs IT." */
  reason: string;
  /** What the ticket will carry, one line each. */
  summary: string[];
}

/** The employee's view of their ticket. */
export interface TicketCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  ticketId: string;
  /** Machine status (e.g. `open`); shown through `statusLabel`. */
  status: string;
  statusLabel: string;
  causeTitle: string;
  /** Already formatted dates. */
  createdAt: string;
  updatedAt: string;
  assignee?: string;
  summary: string;
  stepsTried: Array<{ title: string; outcome: string }>;
  /** Oldest first; the card shows the most recent few. */
  history: Array<{ when: string; text: string }>;
  canWithdraw: boolean;
  /** The employee's rating (1–5), once given. */
  rating?: number;
  /** Show "Add details" (default true); set false for closed tickets. */
  canAddDetails?: boolean;
}

/** A simple notice or error, no actions. */
export interface MessageCardModel {
  title: string;
  text: string;
  tone: 'default' | 'attention' | 'good';
}

/** The ticket as agents see it in the help desk channel (Universal Actions, `Action.Execute`). */
export interface AgentTicketCardModel {
  ticketId: string;
  /** Machine status (e.g. `open`); shown through `statusLabel`. */
  status: string;
  statusLabel: string;
  requesterName: string;
  requesterUpn?: string;
  causeTitle: string;
  /** 0–100. */
  confidencePercent: number;
  /** Already formatted dates: relative and in the help desk's zone (src/desk/shared-time.ts), the same for every viewer. */
  openedAt: string;
  updatedAt: string;
  /** No assignee shows "Nobody yet". */
  assigneeName?: string;
  /** Evidence lines from the diagnosis. */
  evidence: string[];
  /** The sign-in events that matter, one line each. */
  keyEvents: string[];
  /** The employee's triage answers. */
  answers: Array<{ question: string; answer: string }>;
  stepsTried: Array<{ title: string; outcome: string }>;
  /** What the employee wrote when opening the ticket or adding details. */
  details?: string;
  /** E.g. "I couldn't read the sign-in logs: …". */
  lookupNote?: string;
  /** The whole transcript, oldest first; the card shows the latest lines that fit behind "Transcript" and counts the rest. */
  transcript: Array<{ when: string; who: string; text: string }>;
  /** Oldest first; the card shows the most recent few, newest first. `internal` entries (only agents see them) are marked. */
  history: Array<{ when: string; text: string; internal?: boolean }>;
  /** Transfer targets (`id` is the agent's aadObjectId), best sorted by name; empty: the agent types an object ID. */
  agents: Array<{ id: string; name: string }>;
  /** Agents left out of `agents` (a long roster is cut); the card says so under the list. */
  agentsNotShown?: number;
  /** Causes an agent can send the fix for (contract cause ids); empty: no "Send fix". */
  causes: Array<{ id: string; title: string }>;
  /** The steps only IT can do for this cause (from the playbook), each as a title and its instructions. */
  itSteps?: Array<{ title: string; detail: string }>;
  /** What usually points to this cause (`supports`) and what rules it out, from the playbook: how an agent confirms it. */
  causeChecks?: Array<{ text: string; supports: boolean }>;
  /** Open tickets get the agent actions; closed ones only "Reopen". */
  isOpen: boolean;
  isClaimed: boolean;
  /** The employee's rating (1–5), once given. */
  rating?: number;
  /**
   * Who gets the card's automatic Universal Actions refresh: Teams user MRIs (`29:…`, the id a
   * bot sees as `from.id`), the assignee first, at most `AGENT_REFRESH_USERS`. Empty or absent:
   * the card has no `refresh` at all.
   */
  refreshUserIds?: string[];
}

/** Several employees report the same signal in a short window: a possible tenant-wide problem. */
export interface IncidentCardModel {
  title: string;
  summary: string;
  causeTitle: string;
  /** The shared signal, e.g. "53003 · Require compliant device for SharePoint". */
  signature: string;
  count: number;
  windowMinutes: number;
  /**
   * The linked tickets; the card offers "Open" for the first few. `when` is already formatted;
   * `at` (ISO), when given, lets the deliverer word it relative to the moment it posts the card.
   */
  tickets: Array<{ ticketId: string; requesterName: string; when: string; at?: string }>;
  /** Affected employees who have no ticket. */
  employees: string[];
}

/** Shown to the employee when an agent resolves their ticket; asks for a rating. */
export interface TicketResolvedCardModel {
  /** The reader's locale (an activity's `locale`), for the card's own words; English when absent. */
  locale?: string;
  ticketId: string;
  agentName: string;
  /** The agent's resolution note. */
  note?: string;
  causeTitle: string;
}

/** An agent's `lookup <UPN>`: the diagnosis for someone else, read-only. */
export interface LookupResultCardModel {
  upn: string;
  displayName?: string;
  causeTitle: string;
  causeId: string;
  /** 0–100. */
  confidencePercent: number;
  findings: Array<{ text: string; supports: boolean }>;
  events: Array<{ when: string; app: string; outcome: string; reason: string; policy?: string }>;
  eventsSummary: string;
  /** E.g. "Looked up by Kari Nordmann at 21 Nov 2026, 11:05 — recorded in the audit log". */
  auditNote: string;
  lookupNote?: string;
}

/** The `tickets` command in the help desk channel. */
export interface TicketListCardModel {
  title: string;
  tickets: Array<{
    ticketId: string;
    status: string;
    statusLabel: string;
    /** When it was opened, already formatted, e.g. "2 h ago (Tue 3 Mar, 09:14 UTC)". */
    age: string;
    requesterName: string;
    causeTitle: string;
    /** No assignee shows "Nobody yet". */
    assigneeName?: string;
  }>;
  /** Shown when there are no tickets. */
  emptyText: string;
}
