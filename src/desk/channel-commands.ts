import { TurnContext } from 'botbuilder';
import { sendCard, sendNotice } from '../bot/send';
import { messages } from '../content/knowledge';
import { plainLine, renderLookupResultCard, renderTicketListCard, TEXT_LIMITS } from '../cards';
import { caseEvidence, formatWhen, presentDiagnosis } from '../dialogs/present';
import { newCaseFile } from '../domain/case-file';
import { replyOnTicket } from '../domain/handoff';
import { normaliseText } from '../domain/message-parser';
import { selectNextQuestion } from '../domain/question-selector';
import type { Person } from '../domain/tickets';
import type { AgentDesk } from './agent-desk';
import type { RegistrationDecision } from './agent-roster';
import { channelOf, inHelpdeskChannel, type HelpdeskChannel } from './helpdesk-channel';
import { isTrustedServiceUrl } from '../bot/service-url-policy';
import { presentTicketList } from './present-agent';

/**
 * The channel command (docs/contract.md §3a): after the bot's mention is removed, exactly these
 * words, any case, with an optional full stop or exclamation mark. A sentence that merely
 * contains them ("please don't use this channel for tickets") is not the command.
 */
export function isRegistrationCommand(text: string): boolean {
  return /^use this channel for tickets\s*[.!]?$/i.test(normaliseText(text));
}

/** True when the activity @mentions the bot itself (not just someone else). */
export function mentionsBot(activity: TurnContext['activity']): boolean {
  const botId = activity.recipient?.id;
  return Boolean(botId) && TurnContext.getMentions(activity).some((m) => m.mentioned?.id === botId);
}

/** Why a registration was refused, in words for the person who asked (contract §3a). */
export function registrationRefusal(reason: Exclude<RegistrationDecision, { ok: true }>['reason'], locale?: string): { title: string; text: string } {
  const m = messages(locale);
  return { title: m.text(`desk.registration.${reason}.title`), text: m.text(`desk.registration.${reason}.text`) };
}

/** A channel message as the commands read it: the mention removed, spaces tidied. */
export function channelText(text: string): string {
  return normaliseText(text);
}

/** "tickets": the open queue. */
export function isTicketsCommand(clean: string): boolean {
  return /^(tickets|open tickets|queue)$/.test(clean.toLowerCase());
}

/** "retry deliveries": put set-aside deliveries back in the queue. */
export function isRetryDeliveriesCommand(clean: string): boolean {
  return /^retry (failed )?deliveries[.!]?$/.test(clean.toLowerCase());
}

/** "lookup name@company.com": the address looked up, when the message is that command. */
export function lookupTarget(clean: string): string | undefined {
  return /^lookup\s+(\S+)$/i.exec(clean)?.[1];
}

/** "help" or "?". */
export function isChannelHelp(clean: string): boolean {
  return /^(help|\?)$/.test(clean.toLowerCase());
}

/** True when the message is a reply inside a thread (a ticket's card thread, perhaps). */
export function isThreadMessage(context: TurnContext): boolean {
  return (context.activity.conversation?.id ?? '').includes(';messageid=');
}

/**
 * The help desk channel's typed commands (the bot sees a channel message only when mentioned):
 * "use this channel for tickets", "tickets", "lookup", "retry deliveries", "help", and replies in a
 * ticket's thread. The routes (src/bot/routes.ts) match them and check the agent first.
 */
export class ChannelCommands {
  constructor(private readonly desk: AgentDesk) {}

  private get deps(): AgentDesk['deps'] {
    return this.desk.deps;
  }

  /** "tickets": open tickets by age, their times in HELPDESK_TIME_ZONE (the list is shared, so never the asker's zone). */
  async listTickets(context: TurnContext): Promise<void> {
    const open = await this.deps.tickets.listOpen();
    await sendCard(context, renderTicketListCard(presentTicketList(open, this.desk.now(), this.deps.timeZone)));
  }

  /** The channel commands, in one notice. */
  async help(context: TurnContext): Promise<void> {
    await sendNotice(
      context,
      'Help desk commands',
      'Mention me with: "use this channel for tickets" (agents only: make this channel the ticket queue; announced and audited) · "tickets" (open tickets by age) · "lookup name@company.com" (someone\'s sign-in evidence; audited) · "retry deliveries" (try again the deliveries that were set aside after failing) · or reply in a ticket\'s thread to write to the employee.',
    );
  }

  /** The ticket a thread belongs to, if the message is in one. */
  async threadTicket(context: TurnContext): Promise<string | undefined> {
    if (!isThreadMessage(context)) return undefined;
    return this.deps.channels.ticketForThread(context.activity.conversation?.id ?? '');
  }

  /** An agent's reply in a ticket's thread goes to the employee. */
  async threadReply(context: TurnContext, agent: Person, ticketId: string, text: string): Promise<void> {
    const clean = channelText(text);
    await this.desk.changeTicket(
      context,
      ticketId,
      async (t) => replyOnTicket(t, agent, clean, this.desk.now()),
      () => ({ kind: 'agent-replied', actor: agent, text: clean }),
    );
  }

  /** Anything else said to the bot in a channel. */
  async fallback(context: TurnContext): Promise<void> {
    const m = messages(context.activity.locale || undefined);
    await sendNotice(context, m.text('desk.fallback.title'), m.text('desk.fallback.text'));
  }

  /** Puts every set-aside (dead-lettered) delivery back in the queue; agents only, audited. */
  async retryDeliveries(context: TurnContext, agent: Person): Promise<void> {
    if (!this.deps.deliveries) return;
    const count = await this.deps.deliveries.outbox.requeueDeadLetters(this.desk.now().getTime());
    this.deps.deliveries.kick();
    this.deps.log.info({ audit: true, action: 'retry-deliveries', agent: agent.aadObjectId, count }, 'agent requeued set-aside deliveries');
    await sendNotice(
      context,
      count === 0 ? 'Nothing to retry' : `${count} ${count === 1 ? 'delivery is' : 'deliveries are'} queued again`,
      count === 0 ? 'No delivery is set aside right now.' : 'Each one gets its attempts back. If one fails again, it is set aside again and you will see a new notice here.',
      count === 0 ? 'default' : 'good',
    );
  }

  /**
   * Makes this channel the ticket queue (contract §3a): only in a team channel, only for an
   * existing agent, never from another tenant than the current queue's, never while no agent is
   * configured. Every outcome is audited; a move is announced in the new channel and the old one.
   */
  async register(context: TurnContext): Promise<void> {
    const a = context.activity;
    // channelData is whatever Teams (or a caller) sent: read it as unknown values and check each.
    const channelData = a.channelData as { team?: { id?: unknown; name?: unknown }; channel?: { id?: unknown }; tenant?: { id?: unknown } } | undefined;
    const m = messages(a.locale || undefined);
    const me = this.desk.caller(context);
    const teamId = typeof channelData?.team?.id === 'string' ? channelData.team.id.slice(0, 256) : undefined;
    const rawChannel = typeof channelData?.channel?.id === 'string' ? channelData.channel.id : a.conversation?.id;
    const channelId = a.conversation?.conversationType === 'channel' && typeof rawChannel === 'string' && rawChannel ? channelOf(rawChannel).slice(0, 256) : undefined;
    const rawTenant = channelData?.tenant?.id ?? a.conversation?.tenantId;
    const tenantId = typeof rawTenant === 'string' && rawTenant ? rawTenant.slice(0, 128) : undefined;
    const audit = { audit: true, action: 'register-help-desk-channel', by: me.aadObjectId || undefined, byName: me.name, tenantId, channelId, teamId };
    if (!channelId || !teamId) {
      await sendNotice(context, m.text('desk.registration.team-channel-only.title'), m.text('desk.registration.team-channel-only.text'), 'attention');
      return;
    }
    const decision = await this.deps.roster.mayRegister({ aadObjectId: me.aadObjectId, tenantId });
    if (!decision.ok) {
      this.deps.log.warn({ ...audit, outcome: 'refused', reason: decision.reason, current: decision.current?.channelId }, 'help desk channel registration refused');
      const refusal = registrationRefusal(decision.reason, a.locale || undefined);
      await sendNotice(context, refusal.title, refusal.text, 'attention');
      return;
    }
    if (this.deps.sender.serviceUrlPolicy && !isTrustedServiceUrl(a.serviceUrl, this.deps.sender.serviceUrlPolicy)) {
      this.deps.log.warn({ ...audit, outcome: 'refused', reason: 'untrusted-service-url' }, 'help desk channel registration refused');
      await sendNotice(context, m.text('desk.registration.untrusted-service.title'), m.text('desk.registration.untrusted-service.text'), 'attention');
      return;
    }
    const old = decision.current;
    const next: HelpdeskChannel = {
      serviceUrl: a.serviceUrl,
      channelId,
      teamId,
      tenantId,
      botId: a.recipient?.id,
      registeredBy: me.aadObjectId || undefined,
      at: this.desk.now().toISOString(),
    };
    await this.deps.channels.set(next);
    this.deps.roster.invalidate();
    const moved = old !== undefined && old.channelId !== channelId;
    this.deps.log.info(
      {
        ...audit,
        outcome: 'registered',
        via: decision.via,
        from: old ? { channelId: old.channelId, teamId: old.teamId, tenantId: old.tenantId } : null,
        to: { channelId, teamId, tenantId },
        at: next.at,
      },
      'help desk channel registered',
    );
    // Notices render their text as plain TextRuns (src/cards/plain-text.ts); this only bounds it to one line.
    const who = plainLine(me.name, TEXT_LIMITS.name) || 'An agent';
    await sendNotice(
      context,
      'This channel is now the help desk queue',
      `${who} made this channel the ticket queue${moved ? ' (it moved here from another channel, which has been told)' : ''}. New tickets will appear here as cards. Members of this team are agents, along with the people in HELPDESK_AGENTS and the agents group when those are set: claim, reply, transfer, send fix steps and resolve from the cards.`,
      'good',
    );
    if (moved) await this.announceMove(old, who, plainLine(typeof channelData?.team?.name === 'string' ? channelData.team.name : undefined, TEXT_LIMITS.name));
  }

  /** Tells the old queue where tickets go now. A failure is logged; the move stands. */
  private async announceMove(old: HelpdeskChannel, who: string, teamName: string): Promise<void> {
    try {
      await inHelpdeskChannel(this.deps.sender, old, async (context) => {
        await sendNotice(
          context,
          'The help desk queue has moved',
          `${who} made another channel${teamName ? ` (in the team ${teamName})` : ''} the ticket queue. New tickets are posted there. Members of this team act as agents only if they are in HELPDESK_AGENTS, the agents group or the new queue's team.`,
          'attention',
        );
      });
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message.slice(0, 300), channelId: old.channelId }, 'could not tell the old help desk channel that the queue moved');
    }
  }

  /** "lookup name@company.com": someone's sign-in evidence, audited. */
  async lookup(context: TurnContext, agent: Person, upn: string): Promise<void> {
    const now = this.desk.now();
    this.deps.log.info({ audit: true, action: 'lookup', agent: agent.aadObjectId, agentName: agent.name, target: upn, at: now.toISOString() }, 'agent lookup');
    const userId = await this.deps.directory.findUserIdByUpn?.(upn).catch(() => undefined);
    if (!userId) {
      await sendNotice(context, `No one found for ${upn}`, 'Check the address (user principal name).', 'attention');
      return;
    }
    const result = await this.deps.directory.lookup(userId, { now });
    const file = newCaseFile(now);
    file.lookup = result;
    const evidence = caseEvidence(file, now);
    const diagnosis = selectNextQuestion({ answers: {}, evidence }, []).diagnosis;
    // The card is shared in the channel: its times are in HELPDESK_TIME_ZONE, not the asker's zone.
    const model = presentDiagnosis(diagnosis, file, evidence, this.deps.timeZone);
    const card = renderLookupResultCard({
      upn,
      displayName: result.ok ? result.evidence.user.displayName : undefined,
      causeTitle: model.title,
      causeId: model.causeId,
      confidencePercent: model.confidencePercent,
      findings: model.findings,
      events: model.events.map((e) => ({ when: e.when, app: e.app, outcome: e.outcome, reason: e.reason, policy: e.policy })),
      eventsSummary: model.eventsSummary,
      lookupNote: model.lookupNote,
      auditNote: `Looked up by ${agent.name} at ${formatWhen(now, this.deps.timeZone)}; recorded in the audit log.`,
    });
    await sendCard(context, card);
  }
}
