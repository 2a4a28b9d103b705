/**
 * The shape of the help desk's knowledge files (content/<locale>/…), checked with zod at
 * start-up. Ids that the public contract fixes (causes, questions, answers) are checked against
 * the code's lists, so a typo in a file stops the bot instead of silently changing what it says.
 */
import { z } from 'zod';
import { CAUSE_IDS } from '../domain/causes';
import { QUESTION_ANSWER_IDS, QUESTION_IDS } from '../domain/question-ids';
import { MESSAGE_KEYS, MESSAGE_PLACEHOLDERS, type MessageKey } from './message-keys';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const kebab = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9 and single hyphens)');

/** One fix step as written in a file. */
export const stepSchema = z
  .object({
    id: kebab,
    title: text(120),
    instructions: z.array(text(600)).min(1, 'needs at least one instruction'),
    audience: z.enum(['self-service', 'needs-admin']),
    needsLocalAdmin: z.boolean().optional(),
    warning: text(1200).optional(),
    check: text(400).optional(),
    skipWhenAnswered: z.enum(QUESTION_IDS).optional(),
    platform: z.enum(['windows', 'mac']).optional(),
  })
  .strict();

/** A step listed by reference to content/<locale>/shared-steps.yaml. */
const stepReference = z.object({ use: kebab }).strict();

/** A step entry: a reference when it has `use`, else a whole step (so errors name the right fields). */
const stepEntry = z.unknown().transform((value, ctx): z.infer<typeof stepReference> | z.infer<typeof stepSchema> => {
  const schema = value !== null && typeof value === 'object' && 'use' in value ? stepReference : stepSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue(issue as z.IssueData);
  return z.NEVER;
});

/** content/<locale>/shared-steps.yaml: steps used by several playbooks, keyed by id. */
export const sharedStepsSchema = z.record(kebab, stepSchema.omit({ id: true }));

/** content/<locale>/causes/<causeId>.yaml: one cause's playbook. */
export const causeFileSchema = z
  .object({
    title: text(80),
    explanation: text(600),
    evidenceFor: z.array(text(200)).min(1).max(6),
    evidenceAgainst: z.array(text(200)).min(1).max(6),
    steps: z.array(stepEntry).min(1, 'needs at least one step'),
    warnings: z.array(text(600)).max(6),
    verify: text(400),
    escalateWhen: text(400),
  })
  .strict();

const questionIdSet: ReadonlySet<string> = new Set(QUESTION_IDS);

/** content/<locale>/questions.yaml: every contract question with a label for each of its answer ids. */
export const questionsFileSchema = z
  .record(z.string(), z.object({ text: text(200), why: text(300), answers: z.record(z.string(), text(120)) }).strict())
  .superRefine((questions, ctx) => {
    for (const id of Object.keys(questions)) {
      if (!questionIdSet.has(id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [id], message: `is not a question of the contract (${QUESTION_IDS.join(', ')})` });
    }
    for (const id of QUESTION_IDS) {
      const question = questions[id];
      if (!question) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [id], message: 'is missing' });
        continue;
      }
      const expected = QUESTION_ANSWER_IDS[id];
      for (const answer of Object.keys(question.answers)) {
        if (!expected.includes(answer))
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [id, 'answers', answer], message: `is not an answer id of ${id} (${expected.join(', ')})` });
      }
      for (const answer of expected) {
        if (!(answer in question.answers)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [id, 'answers', answer], message: 'has no label' });
      }
    }
  });

/** content/<locale>/entra-codes.yaml: what each AADSTS code means and the cause it points to. */
export const entraCodesFileSchema = z
  .object({
    codes: z.record(z.string().regex(/^\d{1,7}$/, 'must be an AADSTS number'), z.object({ cause: z.enum(CAUSE_IDS), meaning: text(200) }).strict()),
    benign: z.record(z.string().regex(/^\d{1,7}$/, 'must be an AADSTS number'), text(200)),
  })
  .strict();

/** content/<locale>/onedrive-codes.yaml: each OneDrive client code the `error-code` question offers. */
export const oneDriveCodesFileSchema = z.record(z.string(), z.object({ cause: z.enum(CAUSE_IDS).nullable(), meaning: text(300) }).strict());

export type CauseFile = z.infer<typeof causeFileSchema>;
export type QuestionsFile = z.infer<typeof questionsFileSchema>;
export type EntraCodesFile = z.infer<typeof entraCodesFileSchema>;
export type OneDriveCodesFile = z.infer<typeof oneDriveCodesFileSchema>;
export type SharedStepsFile = z.infer<typeof sharedStepsSchema>;

/** Typed commands the reader recognises; the words for each live in phrases.yaml. */
export const COMMAND_IDS = ['start over', 'help', 'my tickets', 'tickets'] as const;

const phrase = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .refine((p) => p === p.toLowerCase(), 'must be lower case')
  .refine((p) => !/['\u2019]/.test(p), 'must not contain apostrophes (they are dropped before matching)');
const phraseList = z.array(phrase).min(1);
const questionAnswer = z
  .object({ question: z.enum(QUESTION_IDS), answer: z.string(), negated: z.string().optional(), deniedAfterBy: phraseList.optional(), phrases: phraseList })
  .strict();
const flagMention = z.object({ flag: z.enum(['proxy', 'mac', 'mfa']), phrases: phraseList }).strict();

/** content/<locale>/phrases.yaml: the words the message reader looks for. */
export const phrasesFileSchema = z
  .object({
    oneDrive: phraseList,
    signIn: phraseList,
    commands: z.record(z.enum(COMMAND_IDS), phraseList),
    greetings: phraseList,
    negations: phraseList,
    switchedOff: phraseList,
    hedges: phraseList,
    mentions: z.array(z.union([questionAnswer, flagMention])),
    status: z.array(
      z
        .object({
          question: z.enum(QUESTION_IDS),
          subjects: phraseList,
          good: phraseList,
          bad: phraseList,
          notTried: phraseList,
          answers: z.object({ good: z.string(), bad: z.string(), notTried: z.string() }).strict().optional(),
        })
        .strict(),
    ),
    errorMessages: z.object({ connection: phraseList, credentials: phraseList }).strict(),
    microsoftMessages: z.array(
      z
        .object({
          code: z.enum(QUESTION_ANSWER_IDS['error-code'].filter((c) => c !== 'other') as [string, ...string[]]),
          errorMessage: z.enum(['credentials', 'connection', 'other']),
          phrases: phraseList,
        })
        .strict(),
    ),
    causeHints: z.array(z.object({ cause: z.enum(CAUSE_IDS), phrases: phraseList }).strict()),
  })
  .strict()
  .superRefine((file, ctx) => {
    file.mentions.forEach((m, i) => {
      if (!('question' in m)) return;
      for (const [field, value] of [
        ['answer', m.answer],
        ['negated', m.negated],
      ] as const) {
        if (value !== undefined && !QUESTION_ANSWER_IDS[m.question].includes(value)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['mentions', i, field],
            message: `"${value}" is not an answer id of ${m.question} (${QUESTION_ANSWER_IDS[m.question].join(', ')})`,
          });
        }
      }
    });
    file.status.forEach((st, i) => {
      const answers = st.answers ?? { good: 'yes', bad: 'no', notTried: st.question === 'web-works' ? 'not-tried' : 'not-sure' };
      for (const [field, value] of Object.entries(answers)) {
        if (!QUESTION_ANSWER_IDS[st.question].includes(value))
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['status', i, 'answers', field], message: `"${value}" is not an answer id of ${st.question}` });
      }
    });
    for (const id of COMMAND_IDS) if (!file.commands[id]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['commands', id], message: 'is missing' });
  });

export type PhrasesFile = z.infer<typeof phrasesFileSchema>;

const messageKeySet: ReadonlySet<string> = new Set(MESSAGE_KEYS);

/** Flattens nested groups (`chat: { empty: { title } }`) into dotted keys, reporting anything that is not text or a group. */
function flattenMessages(value: unknown, prefix: string[], out: Map<string, string>, ctx: z.RefinementCtx): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: prefix, message: 'must be a message (text) or a group of messages' });
    return;
  }
  for (const [name, child] of Object.entries(value)) {
    const path = [...prefix, name];
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: 'must be kebab-case (a-z, 0-9 and single hyphens)' });
    else if (typeof child === 'string') out.set(path.join('.'), child);
    else flattenMessages(child, path, out, ctx);
  }
}

/**
 * content/<locale>/messages.yaml: what the bot says, grouped, with `{name}` placeholders. Every
 * key must be one the code uses (src/content/message-keys.ts) and may use only that key's
 * placeholders; with `complete` (English) every key must be there. Parses to a flat map.
 */
export function messagesFileSchema(complete: boolean) {
  return z.unknown().transform((file, ctx): ReadonlyMap<MessageKey, string> => {
    const flat = new Map<string, string>();
    flattenMessages(file, [], flat, ctx);
    for (const [key, textValue] of flat) {
      const path = key.split('.');
      if (!messageKeySet.has(key)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: 'is not a message the bot uses (see src/content/message-keys.ts)' });
        continue;
      }
      if (textValue.trim().length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: 'must not be empty' });
      if (textValue.length > 2000) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: 'must be at most 2000 characters' });
      const allowed: readonly string[] = MESSAGE_PLACEHOLDERS[key as MessageKey];
      for (const match of textValue.matchAll(/\{([^{}]*)\}/g)) {
        if (!allowed.includes(match[1]!)) {
          const hint = allowed.length ? `it may use ${allowed.map((p) => `{${p}}`).join(', ')}` : 'it has no placeholders';
          ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `{${match[1]}} is not a placeholder of this message (${hint})` });
        }
      }
    }
    if (complete) for (const key of MESSAGE_KEYS) if (!flat.has(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: key.split('.'), message: 'is missing' });
    return flat as Map<MessageKey, string>;
  });
}
