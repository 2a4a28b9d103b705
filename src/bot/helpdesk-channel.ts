import type { ConversationReference } from 'botbuilder';
import type { SettingsStore } from '../domain/outbox';

/** Where tickets are posted: a Teams channel, and the team whose members are agents. */
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

/** Reads and records the help desk channel (the `use this channel for tickets` command, or config). */
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
