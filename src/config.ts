import { z } from 'zod';

/** A configuration problem, naming the variable at fault. Start-up prints it and stops. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v ? v : undefined));

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** A comma-separated list; blanks dropped. */
const commaList = optionalText.transform((v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [],
);

/** Treats a blank value (an App Service setting or .env line left empty) as not set. */
const blankAsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** An IANA time zone (HELPDESK_TIME_ZONE), in its canonical spelling; `UTC` when unset. */
const timeZone = optionalText.transform((v, ctx) => {
  if (v === undefined) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be an IANA time zone such as Europe/Oslo or UTC, got "${v.slice(0, 64)}"` });
    return z.NEVER;
  }
});

const schema = z.object({
  PORT: intInRange(0, 65535, 3978),
  DATA_DIR: optionalText.transform((v) => v ?? './data'),
  BOT_ID: optionalText,
  BOT_PASSWORD: optionalText,
  BOT_TENANT_ID: optionalText,
  BOT_TYPE: z.preprocess(blankAsUnset, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']).optional()),
  DEMO_TENANT_FILE: optionalText,
  CONTENT_DIR: optionalText,
  SIGNIN_WINDOW_HOURS: intInRange(1, 720, 48),
  LOG_LEVEL: z.preprocess(blankAsUnset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  HELPDESK_AGENTS: commaList,
  HELPDESK_AGENTS_GROUP_ID: optionalText,
  ALLOWED_TENANT_IDS: commaList,
  BOT_OPENID_METADATA_URL: optionalText.pipe(z.string().url().optional()),
  TRUSTED_SERVICE_URLS: commaList,
  HELPDESK_CHANNEL_ID: optionalText,
  HELPDESK_TEAM_ID: optionalText,
  HELPDESK_SERVICE_URL: optionalText.transform((v) => v ?? 'https://smba.trafficmanager.net/teams/'),
  HELPDESK_TIME_ZONE: timeZone,
  WEBHOOK_URL: optionalText.pipe(z.string().url().optional()),
  WEBHOOK_SECRET: optionalText,
  OUTBOX_RETRY_BASE_MS: intInRange(10, 600_000, 2000),
  OUTBOX_MAX_ATTEMPTS: intInRange(1, 100, 10),
  OUTBOX_DELIVERY_TIMEOUT_MS: intInRange(100, 120_000, 15_000),
  OUTBOX_CONCURRENCY: intInRange(1, 64, 4),
  RETENTION_DAYS: intInRange(1, 3650, 180),
  INCIDENT_THRESHOLD: intInRange(2, 1000, 3),
  INCIDENT_WINDOW_MINUTES: intInRange(1, 1440, 30),
  USER_RATE_LIMIT_PER_MINUTE: intInRange(0, 6000, 60),
  USER_RATE_BURST: intInRange(1, 1000, 20),
  USER_RATE_MAX_TRACKED: intInRange(100, 1_000_000, 10_000),
  GRAPH_ENABLED: z.preprocess(blankAsUnset, z.enum(['true', 'false']).optional()),
  GRAPH_TENANT_ID: optionalText,
  GRAPH_CLIENT_ID: optionalText,
  GRAPH_CLIENT_SECRET: optionalText,
  GRAPH_CERTIFICATE_PATH: optionalText,
  AZURE_CLIENT_ID: optionalText,
  GRAPH_BASE_URL: optionalText.transform((v) => v ?? 'https://graph.microsoft.com').pipe(z.string().url()),
  AZURE_AUTHORITY_HOST: optionalText.transform((v) => v ?? 'https://login.microsoftonline.com').pipe(z.string().url()),
  GRAPH_CACHE_SECONDS: intInRange(0, 3600, 60),
  GRAPH_TIME_BUDGET_MS: intInRange(500, 120_000, 45_000),
  LOOKUP_WAIT_MS: intInRange(0, 14_000, 5000),
  STORAGE_BACKEND: z.preprocess(blankAsUnset, z.enum(['sqlite', 'azure']).default('sqlite')),
  AZURE_STORAGE_CONNECTION_STRING: optionalText,
  AZURE_STORAGE_ACCOUNT_NAME: optionalText,
  AZURE_STORAGE_BLOB_CONTAINER: optionalText.transform((v) => v ?? 'botstate'),
  AZURE_STORAGE_TABLE_PREFIX: optionalText.transform((v) => v ?? 'helpdesk'),
  ALLOW_SQLITE_IN_PRODUCTION: z.preprocess(blankAsUnset, z.enum(['true', 'false']).optional()),
  NODE_ENV: optionalText,
});

/** The validated configuration, read once at start-up. */
export interface Config {
  port: number;
  dataDir: string;
  bot: { appId?: string; password?: string; tenantId?: string; type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi'; authenticated: boolean };
  demoTenantFile?: string;
  /** Where the knowledge files live (content/<locale>/…); the repository's content/ by default. */
  contentDir?: string;
  signInWindowHours: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Agents by aadObjectId (HELPDESK_AGENTS). */
  helpdeskAgents: string[];
  /** An Entra security group whose members are agents, read through Graph. */
  helpdeskAgentsGroupId?: string;
  /** Tenants whose activities are served; empty means any tenant (local use only). */
  allowedTenantIds: string[];
  /** Where the bot reads the Bot Framework channel's OpenID metadata (sovereign clouds; tests). */
  openIdMetadataUrl?: string;
  /** Extra Bot Connector service URL origins trusted besides Teams' own (with credentials set). */
  trustedServiceUrls: string[];
  /** The ticket queue channel when set in config rather than by the channel command. */
  helpdeskChannel?: { channelId: string; teamId?: string; serviceUrl: string };
  /** The IANA zone of the absolute times on the cards shared in the help desk channel (never a viewer's own zone). */
  helpdeskTimeZone: string;
  webhook?: { url: string; secret?: string };
  outboxRetryBaseMs: number;
  outbox: { maxAttempts: number; deliveryTimeoutMs: number; concurrency: number };
  /** How long an employee's turn waits for the sign-in logs before it carries on and finishes the read in the background. */
  lookupWaitMs: number;
  /** The longest a whole sign-in evidence read may take (the Graph budget, or 45 s). */
  lookupBudgetMs: number;
  /** Days closed tickets and their transcripts are kept before the purge job deletes them. */
  retentionDays: number;
  incidents: { threshold: number; windowMinutes: number };
  /**
   * The per-user flood guard (src/bot/user-rate-limit.ts): activities a minute and the burst a
   * person may send before the bot answers politely instead of running turns; per instance.
   * `perMinute` 0 turns it off. `maxTrackedUsers` bounds its memory.
   */
  userRateLimit: { perMinute: number; burst: number; maxTrackedUsers: number };
  /** Microsoft Graph, when configured; otherwise the demo tenant answers lookups. */
  graph?: {
    baseUrl: string;
    authorityHost: string;
    tenantId?: string;
    credential:
      | { kind: 'client-secret'; clientId: string; secret: string }
      | { kind: 'certificate'; clientId: string; certificatePath: string }
      | { kind: 'managed-identity'; clientId?: string };
    cacheSeconds: number;
    timeBudgetMs: number;
  };
  storage: { backend: 'sqlite' } | { backend: 'azure'; connectionString?: string; accountName?: string; clientId?: string; blobContainer: string; tablePrefix: string };
  production: boolean;
}

/** Reads and validates the environment. Throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = parsed.data;
  const type = e.BOT_TYPE ?? 'MultiTenant';
  if (e.BOT_PASSWORD && !e.BOT_ID) throw new ConfigError('BOT_ID', 'is required when BOT_PASSWORD is set');
  if (type === 'SingleTenant' && e.BOT_ID && !e.BOT_TENANT_ID) throw new ConfigError('BOT_TENANT_ID', 'is required when BOT_TYPE is SingleTenant');
  if (type !== 'UserAssignedMsi' && e.BOT_ID && !e.BOT_PASSWORD) throw new ConfigError('BOT_PASSWORD', `is required when BOT_ID is set and BOT_TYPE is ${type}`);
  const production = e.NODE_ENV === 'production';
  const authenticated = Boolean(e.BOT_ID);
  if (e.WEBHOOK_URL && authenticated && !e.WEBHOOK_URL.toLowerCase().startsWith('https://')) {
    throw new ConfigError('WEBHOOK_URL', 'must use https:// when the bot runs with credentials (http is only for local use)');
  }
  const allowedTenantIds = e.ALLOWED_TENANT_IDS.length > 0 ? e.ALLOWED_TENANT_IDS : e.BOT_TENANT_ID ? [e.BOT_TENANT_ID] : [];
  let graph: Config['graph'];
  const tenantId = e.GRAPH_TENANT_ID ?? e.BOT_TENANT_ID;
  const graphCommon = {
    baseUrl: e.GRAPH_BASE_URL.replace(/\/$/, ''),
    authorityHost: e.AZURE_AUTHORITY_HOST,
    tenantId,
    cacheSeconds: e.GRAPH_CACHE_SECONDS,
    timeBudgetMs: e.GRAPH_TIME_BUDGET_MS,
  };
  if (e.GRAPH_ENABLED !== 'false') {
    if (e.GRAPH_CLIENT_SECRET || e.GRAPH_CERTIFICATE_PATH) {
      if (!e.GRAPH_CLIENT_ID) throw new ConfigError('GRAPH_CLIENT_ID', 'is required with GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH');
      if (!tenantId) throw new ConfigError('GRAPH_TENANT_ID', 'is required (or BOT_TENANT_ID) with a client secret or certificate');
      graph = {
        ...graphCommon,
        credential: e.GRAPH_CLIENT_SECRET
          ? { kind: 'client-secret', clientId: e.GRAPH_CLIENT_ID, secret: e.GRAPH_CLIENT_SECRET }
          : { kind: 'certificate', clientId: e.GRAPH_CLIENT_ID, certificatePath: e.GRAPH_CERTIFICATE_PATH! },
      };
    } else if (e.GRAPH_ENABLED === 'true') {
      graph = { ...graphCommon, credential: { kind: 'managed-identity', clientId: e.AZURE_CLIENT_ID } };
    }
  }
  let storage: Config['storage'] = { backend: 'sqlite' };
  if (e.STORAGE_BACKEND === 'azure') {
    if (!e.AZURE_STORAGE_CONNECTION_STRING && !e.AZURE_STORAGE_ACCOUNT_NAME) {
      throw new ConfigError('AZURE_STORAGE_ACCOUNT_NAME', 'is required when STORAGE_BACKEND is azure (or set AZURE_STORAGE_CONNECTION_STRING for local use)');
    }
    storage = {
      backend: 'azure',
      connectionString: e.AZURE_STORAGE_CONNECTION_STRING,
      accountName: e.AZURE_STORAGE_ACCOUNT_NAME,
      clientId: e.AZURE_CLIENT_ID,
      blobContainer: e.AZURE_STORAGE_BLOB_CONTAINER,
      tablePrefix: e.AZURE_STORAGE_TABLE_PREFIX,
    };
  } else if (production && e.ALLOW_SQLITE_IN_PRODUCTION !== 'true') {
    throw new ConfigError(
      'STORAGE_BACKEND',
      'is sqlite (the default) but NODE_ENV is production: App Service may run several instances that must share state. Set STORAGE_BACKEND=azure with AZURE_STORAGE_ACCOUNT_NAME, or ALLOW_SQLITE_IN_PRODUCTION=true for a single instance with a persistent disk.',
    );
  }
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    bot: { appId: e.BOT_ID, password: e.BOT_PASSWORD, tenantId: e.BOT_TENANT_ID, type, authenticated },
    demoTenantFile: e.DEMO_TENANT_FILE,
    contentDir: e.CONTENT_DIR,
    signInWindowHours: e.SIGNIN_WINDOW_HOURS,
    logLevel: e.LOG_LEVEL,
    helpdeskAgents: e.HELPDESK_AGENTS,
    helpdeskAgentsGroupId: e.HELPDESK_AGENTS_GROUP_ID,
    allowedTenantIds,
    openIdMetadataUrl: e.BOT_OPENID_METADATA_URL,
    trustedServiceUrls: e.TRUSTED_SERVICE_URLS,
    helpdeskChannel: e.HELPDESK_CHANNEL_ID ? { channelId: e.HELPDESK_CHANNEL_ID, teamId: e.HELPDESK_TEAM_ID, serviceUrl: e.HELPDESK_SERVICE_URL } : undefined,
    helpdeskTimeZone: e.HELPDESK_TIME_ZONE,
    webhook: e.WEBHOOK_URL ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : undefined,
    outboxRetryBaseMs: e.OUTBOX_RETRY_BASE_MS,
    outbox: { maxAttempts: e.OUTBOX_MAX_ATTEMPTS, deliveryTimeoutMs: e.OUTBOX_DELIVERY_TIMEOUT_MS, concurrency: e.OUTBOX_CONCURRENCY },
    retentionDays: e.RETENTION_DAYS,
    lookupWaitMs: e.LOOKUP_WAIT_MS,
    lookupBudgetMs: e.GRAPH_TIME_BUDGET_MS + 1000,
    incidents: { threshold: e.INCIDENT_THRESHOLD, windowMinutes: e.INCIDENT_WINDOW_MINUTES },
    userRateLimit: { perMinute: e.USER_RATE_LIMIT_PER_MINUTE, burst: e.USER_RATE_BURST, maxTrackedUsers: e.USER_RATE_MAX_TRACKED },
    graph,
    storage,
    production,
  };
}
