/**
 * Every card action verb, in one place. The contract's verbs (docs/contract.md §3)
 * are public and never renamed; the rest are this bot's own additions, documented in the README.
 */
export const Verbs = {
  // Contract: employee side
  triageAnswer: 'triage.answer',
  fixResult: 'fix.result',
  ticketCreate: 'ticket.create',
  ticketStatus: 'ticket.status',
  ticketRate: 'ticket.rate',
  // Contract: agents' side
  ticketClaim: 'ticket.claim',
  ticketTransfer: 'ticket.transfer',
  ticketReply: 'ticket.reply',
  ticketResolve: 'ticket.resolve',
  ticketReopen: 'ticket.reopen',
  // This bot's additions
  triageStart: 'triage.start',
  triageRestart: 'triage.restart',
  triageRate: 'triage.rate',
  fixStart: 'fix.start',
  helpShow: 'help.show',
  ticketWithdraw: 'ticket.withdraw',
  ticketNotFixed: 'ticket.not-fixed',
  ticketAddDetails: 'ticket.details',
  ticketSendFix: 'ticket.send-fix',
  ticketAskInfo: 'ticket.ask-info',
  ticketHandBack: 'ticket.hand-back',
  ticketRefresh: 'ticket.refresh',
} as const;

/** A verb this bot understands. */
export type Verb = (typeof Verbs)[keyof typeof Verbs];

const ALL_VERBS: readonly string[] = Object.values(Verbs);

/** Narrows untrusted card data to a known verb. */
export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && ALL_VERBS.includes(value);
}

/** Fix step outcomes (contract §3, `fix.result`). */
export const FIX_RESULTS = ['fixed', 'not-fixed', 'cannot-do'] as const;
export type FixResult = (typeof FIX_RESULTS)[number];
