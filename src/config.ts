import { z } from 'zod';

/** A configuration problem, naming the variable at fault. Start-up prints it and stops. */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
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

/** Treats a blank value (an App Service setting or .env line left empty) as not set. */
const blankAsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z.object({
  PORT: intInRange(0, 65535, 3978),
  DATA_DIR: optionalText.transform((v) => v ?? './data'),
  BOT_ID: optionalText,
  BOT_PASSWORD: optionalText,
  BOT_TENANT_ID: optionalText,
  BOT_TYPE: z.preprocess(blankAsUnset, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']).optional()),
  DEMO_TENANT_FILE: optionalText,
  SIGNIN_WINDOW_HOURS: intInRange(1, 720, 48),
  LOG_LEVEL: z.preprocess(blankAsUnset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  HELPDESK_AGENTS: optionalText.transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  NODE_ENV: optionalText,
});

/** The validated configuration, read once at start-up. */
export interface Config {
  port: number;
  dataDir: string;
  bot: { appId?: string; password?: string; tenantId?: string; type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi'; authenticated: boolean };
  demoTenantFile?: string;
  signInWindowHours: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  helpdeskAgents: string[];
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
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    bot: { appId: e.BOT_ID, password: e.BOT_PASSWORD, tenantId: e.BOT_TENANT_ID, type, authenticated: Boolean(e.BOT_ID) },
    demoTenantFile: e.DEMO_TENANT_FILE,
    signInWindowHours: e.SIGNIN_WINDOW_HOURS,
    logLevel: e.LOG_LEVEL,
    helpdeskAgents: e.HELPDESK_AGENTS,
    production: e.NODE_ENV === 'production',
  };
}
