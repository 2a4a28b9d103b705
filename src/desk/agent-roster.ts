import { systemClock, type Clock } from '../domain/clock';
import type { TokenCredential } from '@azure/identity';
import { TeamsInfo } from 'botbuilder';
import type { Config } from '../config';
import { createGraphCredential } from '../graph/graph-credential';
import { GraphGroupMembership, type GroupMembershipPort } from '../graph/group-membership';
import type { Logger } from '../logger';
import { inHelpdeskChannel, type ChannelSender, type HelpdeskChannel, type HelpdeskChannelRegistry } from './helpdesk-channel';
import { createServiceUrlPolicy } from '../bot/service-url-policy';
import { isTeamsUserId } from '../cards/render-agent-ticket-card';

/** A help desk agent. */
export interface Agent {
  aadObjectId: string;
  name: string;
  /** Their Teams user MRI (`29:…`, the roster member's id), for the agent card's `refresh.userIds`; unknown for allow-list-only agents. */
  mri?: string;
}

/** What makes someone an agent (docs/contract.md §3a). */
export type AgentSource = 'allow-list' | 'group' | 'team';

/** Whether a caller may make a channel the ticket queue, and why not. */
export type RegistrationDecision =
  { ok: true; via: AgentSource; current?: HelpdeskChannel } | { ok: false; reason: 'not-configured' | 'not-agent' | 'other-tenant'; current?: HelpdeskChannel };

export interface AgentRosterDeps extends ChannelSender {
  /** HELPDESK_AGENTS: aadObjectIds. */
  allowList: readonly string[];
  channels: HelpdeskChannelRegistry;
  /** HELPDESK_AGENTS_GROUP_ID read through Graph; undefined when not configured or Graph is off. */
  group?: GroupMembershipPort;
  log: Logger;
  /** How long the team roster is reused; default 5 minutes. */
  ttlMs?: number;
  /**
   * A caller missing from a roster at least this old re-reads it once (someone just added to the
   * team), and a failed read is not retried sooner; default 60 s.
   */
  missRefreshMs?: number;
  /** The last good roster stands in for a failed read at most this long; default 1 hour. */
  maxStaleMs?: number;
  clock?: Clock;
}

/** Roster pages read at most (500 members each). */
const MAX_ROSTER_PAGES = 40;

/**
 * Who is an agent: the HELPDESK_AGENTS allow-list, the members of the HELPDESK_AGENTS_GROUP_ID
 * Entra group (through Graph), and the members of the team that holds the registered help desk
 * channel (through the Teams roster API of that channel's own service URL, cached). Nothing on an
 * incoming activity (its team id, its channel) counts: anyone can add the app to a team of their own.
 */
export class AgentRoster {
  private readonly allow: ReadonlySet<string>;
  private roster?: { key: string; at: number; agents: Agent[] };
  private reading?: { key: string; promise: Promise<Agent[] | undefined> };
  private lastFailure?: { key: string; at: number };

  constructor(private readonly deps: AgentRosterDeps) {
    this.allow = new Set(deps.allowList.map((id) => id.toLowerCase()));
  }

  private now(): number {
    return (this.deps.clock ?? systemClock)().getTime();
  }

  /** How `aadObjectId` is an agent, or undefined when it is not one. Cheapest source first. */
  async sourceOf(aadObjectId: string | undefined): Promise<AgentSource | undefined> {
    if (!aadObjectId || aadObjectId.length > 128) return undefined;
    const id = aadObjectId.toLowerCase();
    if (this.allow.has(id)) return 'allow-list';
    const team = await this.teamMembers(id);
    if (team.some((a) => a.aadObjectId.toLowerCase() === id)) return 'team';
    if (this.deps.group && (await this.deps.group.isMember(aadObjectId))) return 'group';
    return undefined;
  }

  /** True when the caller may act as an agent. */
  async isAgent(aadObjectId: string | undefined): Promise<boolean> {
    return (await this.sourceOf(aadObjectId)) !== undefined;
  }

  /** Every agent we can list (the team and the allow-list; group members are checked, not listed), for the transfer list. */
  async agents(): Promise<Agent[]> {
    const team = await this.teamMembers();
    const listed = this.deps.allowList.filter((id) => !team.some((t) => t.aadObjectId.toLowerCase() === id.toLowerCase())).map((id) => ({ aadObjectId: id, name: id }));
    return [...team, ...listed];
  }

  /** True when some agent source exists: the allow-list, the group, or a registered channel's team. */
  async hasConfiguredSource(): Promise<boolean> {
    return this.allow.size > 0 || this.deps.group !== undefined || (await this.deps.channels.get()) !== undefined;
  }

  /**
   * Contract §3a: only an existing agent may make a channel the ticket queue, never from another
   * tenant than the current queue's, and nobody at all while no agent source is configured.
   */
  async mayRegister(caller: { aadObjectId?: string; tenantId?: string }): Promise<RegistrationDecision> {
    const current = await this.deps.channels.get();
    if (this.allow.size === 0 && !this.deps.group && !current) return { ok: false, reason: 'not-configured' };
    if (current?.tenantId && current.tenantId !== caller.tenantId) return { ok: false, reason: 'other-tenant', current };
    const via = await this.sourceOf(caller.aadObjectId);
    if (!via) return { ok: false, reason: 'not-agent', current };
    return { ok: true, via, current };
  }

  /** Forgets the cached roster (after the channel changes). */
  invalidate(): void {
    this.roster = undefined;
    this.lastFailure = undefined;
  }

  /** The registered team's members: cached; re-read when stale, or once a minute for someone missing. */
  private async teamMembers(lookingFor?: string): Promise<Agent[]> {
    const channel = await this.deps.channels.get();
    if (!channel?.teamId) return [];
    const key = `${channel.teamId}|${channel.channelId}|${channel.serviceUrl}`;
    const now = this.now();
    const ttl = this.deps.ttlMs ?? 300_000;
    const missRefresh = this.deps.missRefreshMs ?? 60_000;
    const cached = this.roster?.key === key ? this.roster : undefined;
    const missing = lookingFor !== undefined && cached !== undefined && !cached.agents.some((a) => a.aadObjectId.toLowerCase() === lookingFor);
    if (cached && now - cached.at < ttl && !(missing && now - cached.at >= missRefresh)) return cached.agents;
    const usable = cached && now - cached.at < (this.deps.maxStaleMs ?? 3_600_000) ? cached.agents : [];
    if (this.lastFailure?.key === key && now - this.lastFailure.at < missRefresh) return usable;
    const agents = await this.readShared(key, channel);
    if (!agents) return usable;
    this.roster = { key, at: this.now(), agents };
    return agents;
  }

  /** One roster read at a time per team; concurrent callers share it. */
  private readShared(key: string, channel: HelpdeskChannel): Promise<Agent[] | undefined> {
    if (this.reading?.key === key) return this.reading.promise;
    const promise = this.readRoster(channel)
      .then((agents) => {
        if (this.lastFailure) this.deps.log.info({ teamId: channel.teamId }, 'the help desk team roster can be read again');
        this.lastFailure = undefined;
        return agents;
      })
      .catch((error: Error) => {
        // One warning per run of failures, not one per card action.
        if (!this.lastFailure)
          this.deps.log.warn(
            { err: error.message.slice(0, 300), teamId: channel.teamId },
            'could not read the help desk team roster; its members are not treated as agents until it answers',
          );
        this.lastFailure = { key, at: this.now() };
        return undefined;
      })
      .finally(() => {
        if (this.reading?.promise === promise) this.reading = undefined;
      });
    this.reading = { key, promise };
    return promise;
  }

  /** Reads the team's members through the registered channel's own connector (never an activity's). */
  private async readRoster(channel: HelpdeskChannel): Promise<Agent[]> {
    const teamId = channel.teamId!;
    return inHelpdeskChannel(this.deps, channel, async (context) => {
      const agents: Agent[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await TeamsInfo.getPagedTeamMembers(context, teamId, 500, token);
        for (const m of page.members ?? []) {
          if (typeof m.aadObjectId !== 'string' || !m.aadObjectId || m.aadObjectId.length > 128) continue;
          const name = typeof m.name === 'string' && m.name.trim() ? m.name.trim().slice(0, 120) : m.aadObjectId;
          agents.push({ aadObjectId: m.aadObjectId, name, ...(isTeamsUserId(m.id) ? { mri: m.id } : {}) });
        }
        token = page.continuationToken || undefined;
        pages += 1;
      } while (token && pages < MAX_ROSTER_PAGES);
      return agents;
    });
  }
}

/**
 * Builds the roster from the configuration: HELPDESK_AGENTS, and HELPDESK_AGENTS_GROUP_ID when
 * Microsoft Graph is configured (without Graph, e.g. on the demo tenant, the group source is off
 * and start-up says so once).
 */
export function createAgentRoster(
  config: Pick<Config, 'helpdeskAgents' | 'helpdeskAgentsGroupId' | 'graph' | 'bot' | 'trustedServiceUrls'>,
  deps: Omit<AgentRosterDeps, 'allowList' | 'group' | 'serviceUrlPolicy'> & { graphCredential?: TokenCredential },
): AgentRoster {
  let group: GroupMembershipPort | undefined;
  if (config.helpdeskAgentsGroupId && config.graph) {
    group = new GraphGroupMembership({
      credential: deps.graphCredential ?? createGraphCredential(config.graph),
      baseUrl: config.graph.baseUrl,
      groupId: config.helpdeskAgentsGroupId,
      log: deps.log,
    });
  } else if (config.helpdeskAgentsGroupId) {
    deps.log.warn(
      { groupId: config.helpdeskAgentsGroupId },
      'HELPDESK_AGENTS_GROUP_ID is set but Microsoft Graph is not configured, so the group is not read and its members are not agents; set the Graph credentials (see docs/connect-to-your-tenant.md) or use HELPDESK_AGENTS',
    );
  }
  return new AgentRoster({
    ...deps,
    allowList: config.helpdeskAgents,
    group,
    serviceUrlPolicy: createServiceUrlPolicy({ authenticated: config.bot.authenticated, trustedServiceUrls: config.trustedServiceUrls }),
  });
}
