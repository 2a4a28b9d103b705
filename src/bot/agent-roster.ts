import { TeamsInfo, type CloudAdapter, type TurnContext } from 'botbuilder';
import type { HelpdeskChannelRegistry } from './helpdesk-channel';
import { channelReference } from './helpdesk-channel';
import type { BotLogger } from './app';

/** A help desk agent. */
export interface Agent {
  aadObjectId: string;
  name: string;
}

/**
 * Who is an agent: the members of the help desk channel's team (read through the Teams roster
 * API and cached), plus the HELPDESK_AGENTS allow-list.
 */
export class AgentRoster {
  private cache?: { at: number; agents: Agent[]; teamId: string };

  constructor(
    private readonly deps: {
      allowList: readonly string[];
      channels: HelpdeskChannelRegistry;
      adapter: CloudAdapter;
      botAppId?: string;
      log: BotLogger;
      ttlMs?: number;
      clock?: () => number;
    },
  ) {}

  /** True when the caller may act as an agent. `context` is used to read the roster when it is a turn in the team. */
  async isAgent(aadObjectId: string | undefined, context?: TurnContext): Promise<boolean> {
    if (!aadObjectId) return false;
    if (this.deps.allowList.includes(aadObjectId)) return true;
    // Teams only delivers a team channel's messages and card actions from people in that team,
    // so an activity from inside the help desk team is a member's even when the roster API is unavailable.
    const teamId = context?.activity.channelData?.team?.id;
    if (teamId && context?.activity.conversation?.conversationType === 'channel') {
      const channel = await this.deps.channels.get();
      if (channel?.teamId && channel.teamId === teamId) return true;
    }
    const agents = await this.agents(context);
    return agents.some((a) => a.aadObjectId === aadObjectId);
  }

  /** Every agent we know, for the transfer list. */
  async agents(context?: TurnContext): Promise<Agent[]> {
    const now = (this.deps.clock ?? Date.now)();
    const channel = await this.deps.channels.get();
    const teamId = channel?.teamId;
    const allow = this.deps.allowList.map((id) => ({ aadObjectId: id, name: id }));
    if (!teamId || !channel) return allow;
    if (!this.cache || this.cache.teamId !== teamId || now - this.cache.at > (this.deps.ttlMs ?? 300_000)) {
      try {
        const members = context?.activity.channelData?.team?.id === teamId ? await this.readRoster(context, teamId) : await this.readRosterProactively(channel, teamId);
        this.cache = { at: now, agents: members, teamId };
      } catch (error) {
        this.deps.log.warn({ err: (error as Error).message, teamId }, 'could not read the help desk team roster');
        if (!this.cache) return allow;
      }
    }
    const fromTeam = this.cache?.agents ?? [];
    return [...fromTeam, ...allow.filter((a) => !fromTeam.some((t) => t.aadObjectId === a.aadObjectId))];
  }

  /** Forgets the cached roster (after the channel changes). */
  invalidate(): void {
    this.cache = undefined;
  }

  private async readRoster(context: TurnContext, teamId: string): Promise<Agent[]> {
    const agents: Agent[] = [];
    let token: string | undefined;
    do {
      const page = await TeamsInfo.getPagedTeamMembers(context, teamId, 500, token);
      for (const m of page.members) if (m.aadObjectId) agents.push({ aadObjectId: m.aadObjectId, name: m.name || m.aadObjectId });
      token = page.continuationToken || undefined;
    } while (token);
    return agents;
  }

  private async readRosterProactively(channel: NonNullable<Awaited<ReturnType<HelpdeskChannelRegistry['get']>>>, teamId: string): Promise<Agent[]> {
    let agents: Agent[] = [];
    await this.deps.adapter.continueConversationAsync(this.deps.botAppId ?? '', channelReference(channel), async (context) => {
      agents = await this.readRoster(context, teamId);
    });
    return agents;
  }
}
