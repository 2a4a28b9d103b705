/**
 * Reads the knowledge files under content/ once at start-up: one folder per locale (`en/` is
 * required and complete; another locale may hold only the files it translates, the rest come
 * from English). Every file is validated; the first problem stops start-up with the file and
 * the field named.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { z } from 'zod';
import { CAUSE_IDS, isCauseId, type CauseId } from '../domain/causes';
import type { FixStep, Playbook } from '../domain/playbook';
import { QUESTION_ANSWER_IDS, QUESTION_IDS, type QuestionId } from '../domain/question-ids';
import {
  causeFileSchema,
  entraCodesFileSchema,
  messagesFileSchema,
  oneDriveCodesFileSchema,
  phrasesFileSchema,
  questionsFileSchema,
  sharedStepsSchema,
  type OneDriveCodesFile,
  type PhrasesFile,
  type SharedStepsFile,
} from './content-schema';
import type { MessageKey } from './message-keys';
import { createMessages, type Messages } from './messages';
import { openParsedYamlCache, parseContentYaml, type ParsedYamlCache } from './parsed-yaml-cache';

/** A knowledge file is missing, unreadable or invalid. The message names the file and the field. */
export class ContentError extends Error {
  override readonly name = 'ContentError';
}

/** One triage question in one language. */
export interface Question {
  readonly id: QuestionId;
  readonly text: string;
  readonly why: string;
  readonly answers: ReadonlyArray<{ readonly id: string; readonly label: string }>;
}

/** What an AADSTS code means and the cause it points to. */
export interface EntraCodeMeaning {
  readonly causeId: CauseId;
  readonly plain: string;
}

/** Everything the bot knows, in one language. */
export interface Knowledge {
  readonly locale: string;
  readonly playbooks: Readonly<Record<CauseId, Playbook>>;
  readonly questions: Readonly<Record<QuestionId, Question>>;
  readonly entraCodes: ReadonlyMap<number, EntraCodeMeaning>;
  /** Codes that appear in healthy logs, with what each one is. */
  readonly benignCodes: ReadonlyMap<number, string>;
  readonly oneDriveCodes: Readonly<Record<string, { readonly causeId: CauseId | null; readonly meaning: string }>>;
  /** The words the message reader looks for. */
  readonly phrases: PhrasesFile;
  /** What the bot says (messages.yaml, merged key by key over English). */
  readonly messages: Messages;
  /** The message texts behind `messages`, for a translation to merge over. */
  readonly messageTexts: ReadonlyMap<MessageKey, string>;
}

/** Where the repository keeps its content, found from this file whether it runs from src/ or dist/. */
export function defaultContentDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'content');
    if (existsSync(join(candidate, 'en'))) return candidate;
    dir = join(dir, '..');
  }
  throw new ContentError(`No content folder (content/en) found above ${__dirname}`);
}

function describe(file: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field =
    issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(the whole file)';
  return `${file}: ${field}: ${issue.message}`;
}

function readYaml(root: string, path: string, parsed: ParsedYamlCache): unknown {
  const shown = relative(join(root, '..'), path);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ContentError(`${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const data = parsed.get(raw);
    return (data !== undefined ? data : parseContentYaml(raw)) ?? {};
  } catch (error) {
    throw new ContentError(`${shown}: is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function validate<T extends z.ZodTypeAny>(root: string, path: string, schema: T, parsed: ParsedYamlCache): z.infer<T> {
  const result = schema.safeParse(readYaml(root, path, parsed));
  if (!result.success) throw new ContentError(describe(relative(join(root, '..'), path), result.error));
  return result.data as z.infer<T>;
}

function buildPlaybook(root: string, path: string, causeId: CauseId, shared: SharedStepsFile, parsed: ParsedYamlCache): Playbook {
  const file = validate(root, path, causeFileSchema, parsed);
  const shown = relative(join(root, '..'), path);
  const steps: FixStep[] = file.steps.map((entry, index) => {
    if (!('use' in entry)) return entry;
    const step = shared[entry.use];
    if (!step) throw new ContentError(`${shown}: steps[${index}].use: no shared step "${entry.use}" in shared-steps.yaml`);
    return { id: entry.use, ...step };
  });
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    if (seen.has(step.id)) throw new ContentError(`${shown}: steps[${index}].id: "${step.id}" is used twice in this playbook`);
    seen.add(step.id);
  });
  return {
    causeId,
    title: file.title,
    explanation: file.explanation,
    evidenceFor: file.evidenceFor,
    evidenceAgainst: file.evidenceAgainst,
    steps,
    warnings: file.warnings,
    verify: file.verify,
    escalateWhen: file.escalateWhen,
  };
}

/** Loads one locale folder; files it lacks come from `fallback` (English). */
function loadLocale(root: string, locale: string, parsed: ParsedYamlCache, fallback?: Knowledge): Knowledge {
  const dir = join(root, locale);
  const has = (name: string): boolean => existsSync(join(dir, name));
  const need = (name: string): void => {
    if (!fallback && !has(name)) throw new ContentError(`${join(basename(root), locale, name)}: is missing`);
  };
  for (const name of ['shared-steps.yaml', 'questions.yaml', 'entra-codes.yaml', 'onedrive-codes.yaml', 'phrases.yaml', 'messages.yaml', 'causes']) need(name);

  const shared: SharedStepsFile = has('shared-steps.yaml') ? validate(root, join(dir, 'shared-steps.yaml'), sharedStepsSchema, parsed) : {};
  const playbooks = {} as Record<CauseId, Playbook>;
  const causeFiles = has('causes') ? readdirSync(join(dir, 'causes')).filter((f) => !f.startsWith('.')) : [];
  for (const name of causeFiles) {
    const causeId = name.replace(/\.ya?ml$/, '');
    if (!name.match(/\.ya?ml$/) || !isCauseId(causeId)) {
      throw new ContentError(`${join(basename(root), locale, 'causes', name)}: is not named after a cause of the contract (${CAUSE_IDS.join(', ')}), with .yaml`);
    }
    playbooks[causeId] = buildPlaybook(root, join(dir, 'causes', name), causeId, fallback ? { ...sharedOf(fallback), ...shared } : shared, parsed);
  }
  for (const causeId of CAUSE_IDS) {
    if (playbooks[causeId]) continue;
    if (!fallback) throw new ContentError(`${join(basename(root), locale, 'causes', `${causeId}.yaml`)}: is missing`);
    playbooks[causeId] = fallback.playbooks[causeId];
  }

  let questions: Record<QuestionId, Question>;
  if (has('questions.yaml')) {
    const file = validate(root, join(dir, 'questions.yaml'), questionsFileSchema, parsed);
    questions = {} as Record<QuestionId, Question>;
    for (const id of QUESTION_IDS) {
      const q = file[id]!;
      questions[id] = { id, text: q.text, why: q.why, answers: QUESTION_ANSWER_IDS[id].map((answer) => ({ id: answer, label: q.answers[answer]! })) };
    }
  } else questions = { ...fallback!.questions };

  let entraCodes: Map<number, EntraCodeMeaning>;
  let benignCodes: Map<number, string>;
  if (has('entra-codes.yaml')) {
    const file = validate(root, join(dir, 'entra-codes.yaml'), entraCodesFileSchema, parsed);
    entraCodes = new Map(Object.entries(file.codes).map(([code, m]) => [Number(code), { causeId: m.cause, plain: m.meaning }]));
    benignCodes = new Map(Object.entries(file.benign).map(([code, meaning]) => [Number(code), meaning]));
    for (const code of benignCodes.keys()) {
      if (entraCodes.has(code)) throw new ContentError(`${join(basename(root), locale, 'entra-codes.yaml')}: benign.${code}: is also listed under codes`);
    }
  } else {
    entraCodes = new Map(fallback!.entraCodes);
    benignCodes = new Map(fallback!.benignCodes);
  }

  let oneDriveCodes: Knowledge['oneDriveCodes'];
  if (has('onedrive-codes.yaml')) {
    const file: OneDriveCodesFile = validate(root, join(dir, 'onedrive-codes.yaml'), oneDriveCodesFileSchema, parsed);
    const offered = QUESTION_ANSWER_IDS['error-code'].filter((a) => a !== 'other');
    for (const code of Object.keys(file)) {
      if (!offered.includes(code))
        throw new ContentError(`${join(basename(root), locale, 'onedrive-codes.yaml')}: ${code}: is not a code of the error-code question (${offered.join(', ')})`);
    }
    for (const code of offered) {
      if (!file[code]) throw new ContentError(`${join(basename(root), locale, 'onedrive-codes.yaml')}: ${code}: is missing`);
    }
    oneDriveCodes = Object.fromEntries(Object.entries(file).map(([code, v]) => [code, { causeId: v.cause, meaning: v.meaning }]));
  } else oneDriveCodes = fallback!.oneDriveCodes;

  const phrases = has('phrases.yaml') ? validate(root, join(dir, 'phrases.yaml'), phrasesFileSchema, parsed) : fallback!.phrases;

  // A translation may hold only some messages: each one it has replaces the English one.
  const messageTexts = new Map(fallback?.messageTexts ?? []);
  if (has('messages.yaml')) for (const [key, value] of validate(root, join(dir, 'messages.yaml'), messagesFileSchema(!fallback), parsed)) messageTexts.set(key, value);

  return { locale, playbooks, questions, entraCodes, benignCodes, oneDriveCodes, phrases, messages: createMessages(locale, messageTexts), messageTexts };
}

/** Shared steps of an already loaded locale, rebuilt by id so a translation can reuse English ones. */
function sharedOf(knowledge: Knowledge): SharedStepsFile {
  const result: SharedStepsFile = {};
  for (const playbook of Object.values(knowledge.playbooks)) for (const { id, ...step } of playbook.steps) result[id] ??= { ...step, instructions: [...step.instructions] };
  return result;
}

/** Every locale's knowledge, English first. */
export interface KnowledgeBase {
  readonly locales: readonly string[];
  /** The best match for an activity's locale (`fr-CA` → `fr` → `en`). */
  forLocale(locale?: string): Knowledge;
}

/**
 * Loads and validates every locale folder under `root` (default: the repository's content/).
 * Files the build parsed come from `parsed` (default: the build's cache, parsed-yaml-cache.ts).
 */
export function loadKnowledge(root: string = defaultContentDir(), parsed: ParsedYamlCache = openParsedYamlCache()): KnowledgeBase {
  if (!existsSync(join(root, 'en'))) throw new ContentError(`${root}: has no en/ folder`);
  const english = loadLocale(root, 'en', parsed);
  const byLocale = new Map<string, Knowledge>([['en', english]]);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'en' || entry.name.startsWith('.')) continue;
    if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(entry.name)) throw new ContentError(`${join(basename(root), entry.name)}: is not a locale name (e.g. fr or pt-br)`);
    byLocale.set(entry.name.toLowerCase(), loadLocale(root, entry.name, parsed, english));
  }
  const match = (locale: string): Knowledge => {
    const parts = locale.toLowerCase().replace(/_/g, '-').split('-');
    for (let n = parts.length; n > 0; n--) {
      const found = byLocale.get(parts.slice(0, n).join('-'));
      if (found) return found;
    }
    return english;
  };
  // A turn asks for its locale's knowledge many times: remember the answer per locale string (a bounded few).
  const matched = new Map<string, Knowledge>();
  return {
    locales: [...byLocale.keys()],
    forLocale(locale?: string): Knowledge {
      if (typeof locale !== 'string' || locale.length > 35) return english;
      let found = matched.get(locale);
      if (!found) {
        found = match(locale);
        if (matched.size >= 256) matched.clear();
        matched.set(locale, found);
      }
      return found;
    },
  };
}
