import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { SettingsStore } from '../domain/outbox';
import { isTrustedServiceUrl, UntrustedServiceUrlError, type ServiceUrlPolicy } from '../bot/service-url-policy';

/** Where tickets are posted: a Teams channel, and the team whose members are agents (docs/contract.md §3a). */
export interface HelpdeskChannel {
  serviceUrl: string;
  /** The channel's conversation id (`19:…@thread.tacv2`), without any `;messageid=` suffix. */
  channelId: string;
  teamId?: string;
  tenantId?: string;
  botId?: string;
  registeredBy?: string;
  at: string;
}

const KEY = 'helpdesk-channel';

/**
 * Reads and records the help desk channel (the `use this channel for tickets` command, or config).
 * Who may set it is decided by the agent desk (only an existing agent); this class only stores it.
 */
export class HelpdeskChannelRegistry {
  constructor(
    private readonly settings: SettingsStore,
    private readonly fromConfig?: { channelId: string; teamId?: string; serviceUrl: string },
  ) {}

  async get(): Promise<HelpdeskChannel | undefined> {
    const saved = await this.settings.get<HelpdeskChannel>(KEY);
    if (saved) return saved;
    if (this.fromConfig) return { ...this.fromConfig, at: new Date(0).toISOString() };
    return undefined;
  }

  async set(channel: HelpdeskChannel): Promise<void> {
    await this.settings.set(KEY, channel);
  }

  /** The ticket a channel thread belongs to. */
  async ticketForThread(conversationId: string): Promise<string | undefined> {
    return this.settings.get<string>(`thread:${rootOf(conversationId)}`);
  }

  async linkThread(conversationId: string, ticketId: string): Promise<void> {
    await this.settings.set(`thread:${rootOf(conversationId)}`, ticketId);
  }
}

/** A channel conversation id without its thread suffix. */
export function channelOf(conversationId: string): string {
  return conversationId.split(';')[0]!;
}

function rootOf(conversationId: string): string {
  return conversationId.trim();
}

/** A conversation reference that addresses the channel itself (for starting new threads). */
export function channelReference(channel: HelpdeskChannel): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: channel.serviceUrl,
    bot: { id: channel.botId ?? 'helpdesk-bot', name: 'Help desk' },
    conversation: { id: channel.channelId, isGroup: true, conversationType: 'channel', tenantId: channel.tenantId, name: '' },
  };
}

/** What a proactive turn in the help desk channel needs. */
export interface ChannelSender {
  adapter: CloudAdapter;
  botAppId?: string;
  /** With credentials set, a stored service URL is re-checked before the bot's token goes to it. */
  serviceUrlPolicy?: ServiceUrlPolicy;
}

/**
 * Runs `logic` in a proactive turn addressed to `channel` and returns its result. Errors inside the
 * turn are thrown to the caller: left to the adapter they would reach onTurnError, which swallows
 * them (and would post a "something went wrong" notice into the channel).
 */
export async function inHelpdeskChannel<T>(sender: ChannelSender, channel: HelpdeskChannel, logic: (context: TurnContext) => Promise<T>): Promise<T> {
  if (sender.serviceUrlPolicy && !isTrustedServiceUrl(channel.serviceUrl, sender.serviceUrlPolicy)) throw new UntrustedServiceUrlError(channel.serviceUrl);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  await sender.adapter.continueConversationAsync(sender.botAppId ?? '', channelReference(channel), async (context) => {
    try {
      outcome = { ok: true, value: await logic(context) };
    } catch (error) {
      outcome = { ok: false, error };
    }
  });
  if (!outcome) throw new Error('the proactive turn in the help desk channel did not run');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
