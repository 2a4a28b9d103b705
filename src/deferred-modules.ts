/**
 * Packages that the stack loads at start-up but the bot never or seldom uses load when first
 * used instead. src/install-deferred-modules.ts installs them: src/index.ts imports it first,
 * before anything loads botbuilder.
 *
 * Each package below is required at module load by a dependency, for a feature this bot does not
 * use (botbuilder-dialogs' prompts, restify's HTTP/2, signature, static-file and form plugins,
 * skill calls, speech markup, the file transcript store, teams-ai's AI layer) or does not use
 * before a turn needs it (the token clients of an app id). Measured on the 2-core benchmark
 * machine, loading them took about 600 ms of start-up and 35 MB of resident memory; the
 * recognizers alone took 300 ms and 33 MB.
 *
 * Each package gets a `require.cache` entry (Node's documented module cache) whose exports are a
 * stand-in. The stand-in loads the real package on the first use it cannot answer, and then
 * forwards everything to it: reads, calls, `new`, writes, key listings. So a feature that does
 * run gets the real package, only later. Without loading anything it answers:
 * - `__esModule`, which TypeScript's import helpers read at load;
 * - for the recognizer suite, the culture codes (`Culture.English` and the others) that
 *   botbuilder-dialogs' `PromptCultureModels` reads at load (CULTURE_CODES).
 * `deferred-modules.test.ts` checks every one of these answers against the real package, so an
 * upgrade that changes one fails a test instead of a turn.
 */
import { createRequire, Module } from 'node:module';

/** A package to load on first use. */
export interface DeferredModule {
  /** The package, as its dependent requires it. */
  readonly name: string;
  /** A package (or module) that requires it at load: it is resolved from there, so it is the same copy. */
  readonly requiredBy: string;
  /** What the package exports (the stand-in must be callable if it is a function). */
  readonly exports: 'object' | 'function';
  /** The package's own `__esModule` marker. */
  readonly esModule: true | undefined;
}

const TEAMS_AI_DIALOGS = 'botbuilder-dialogs';

/** The packages deferred, and who requires them. */
export const DEFERRED_MODULES: readonly DeferredModule[] = [
  // botbuilder-dialogs' number, date, confirm and choice prompts (teams-ai loads the dialogs for its sign-in prompts).
  { name: '@microsoft/recognizers-text-suite', requiredBy: TEAMS_AI_DIALOGS, exports: 'object', esModule: true },
  { name: '@microsoft/recognizers-text-date-time', requiredBy: TEAMS_AI_DIALOGS, exports: 'object', esModule: true },
  { name: '@microsoft/recognizers-text-number', requiredBy: TEAMS_AI_DIALOGS, exports: 'object', esModule: true },
  { name: '@microsoft/recognizers-text-choice', requiredBy: TEAMS_AI_DIALOGS, exports: 'object', esModule: true },
  // restify: HTTP/2 (the `spdy` server option), the authorization-header parser, static files, form and query-string bodies.
  { name: 'spdy', requiredBy: 'restify', exports: 'object', esModule: undefined },
  { name: 'http-signature', requiredBy: 'restify', exports: 'object', esModule: undefined },
  { name: 'send', requiredBy: 'restify', exports: 'function', esModule: undefined },
  { name: 'qs', requiredBy: 'restify', exports: 'object', esModule: undefined },
  // botframework-connector: the HTTP client of skill calls; with an app id, the token clients and the
  // inbound token checks (the first authenticated turn loads them).
  { name: 'axios', requiredBy: 'botframework-connector', exports: 'function', esModule: undefined },
  { name: '@azure/identity', requiredBy: 'botframework-connector', exports: 'object', esModule: true },
  { name: '@azure/msal-node', requiredBy: 'botframework-connector', exports: 'object', esModule: undefined },
  { name: 'jsonwebtoken', requiredBy: 'botframework-connector', exports: 'object', esModule: undefined },
  // The HTTP pipeline of outbound calls: the agent of a configured HTTPS proxy.
  { name: 'https-proxy-agent', requiredBy: '@typespec/ts-http-runtime', exports: 'object', esModule: true },
  // botbuilder: the speech markup middleware, the file transcript store.
  { name: 'htmlparser2', requiredBy: 'botbuilder', exports: 'object', esModule: true },
  { name: 'fs-extra', requiredBy: 'botbuilder', exports: 'object', esModule: undefined },
  // teams-ai: YAML output and coloured JSON for its AI layer (the bot's knowledge files load yaml only when not parsed at build).
  { name: 'yaml', requiredBy: '@microsoft/teams-ai/lib/Utilities', exports: 'object', esModule: undefined },
  { name: 'json-colorizer', requiredBy: '@microsoft/teams-ai/lib/internals/Colorize', exports: 'function', esModule: undefined },
];

/** Answers true on a stand-in whose package is not loaded yet (tests, and a second install). */
export const NOT_LOADED_YET = Symbol.for('helpdesk.deferredModule.notLoadedYet');

type Exports = Record<PropertyKey, unknown>;

/** Where `requiredBy` resolves from: botbuilder-dialogs is the copy teams-ai loads. */
function resolverFor(requiredBy: string): NodeJS.Require {
  const from = requiredBy === TEAMS_AI_DIALOGS ? createRequire(require.resolve('@microsoft/teams-ai/lib/Application')).resolve(TEAMS_AI_DIALOGS) : require.resolve(requiredBy);
  return createRequire(from);
}

/**
 * The culture codes of the recognizers' `Culture` (`Culture.English` is 'en-us'), which
 * `PromptCultureModels` reads at load. deferred-modules.test.ts checks them against the suite.
 */
export const CULTURE_CODES: Readonly<Record<string, string>> = {
  Chinese: 'zh-cn',
  Dutch: 'nl-nl',
  English: 'en-us',
  French: 'fr-fr',
  German: 'de-de',
  Italian: 'it-it',
  Japanese: 'ja-jp',
  Portuguese: 'pt-br',
  Spanish: 'es-es',
};

/** A stand-in for a package that `load` loads on the first use `answer` cannot answer. */
function standIn(spec: DeferredModule, load: () => Exports, answer: (key: PropertyKey) => unknown): Exports {
  let real: Exports | undefined;
  const target = (): Exports => (real ??= load());
  const callable = (): ((...args: unknown[]) => unknown) & (new (...args: unknown[]) => object) => target() as never;
  // The proxy's own target only has to be of the right kind: callable for a function.
  const shape = spec.exports === 'function' ? function deferred(): void {} : {};
  const proxy: Exports = new Proxy(shape as Exports, {
    get(_shape, key) {
      if (key === NOT_LOADED_YET) return real === undefined;
      if (real === undefined) {
        if (key === '__esModule') return spec.esModule;
        const answered = answer(key);
        if (answered !== undefined) return answered;
      }
      return Reflect.get(target(), key);
    },
    set: (_shape, key, value) => Reflect.set(target(), key, value),
    has: (_shape, key) => Reflect.has(target(), key),
    deleteProperty: (_shape, key) => Reflect.deleteProperty(target(), key),
    defineProperty: (_shape, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
    apply: (_shape, self, args: unknown[]) => Reflect.apply(callable(), self, args),
    construct: (_shape, args: unknown[], newTarget) => Reflect.construct(callable(), args, newTarget === (proxy as unknown) ? callable() : newTarget) as object,
    ownKeys(own) {
      // A proxy must list its own target's fixed keys (a function's `prototype`).
      const fixed = Reflect.ownKeys(own).filter((key) => Reflect.getOwnPropertyDescriptor(own, key)?.configurable === false);
      return [...new Set([...Reflect.ownKeys(target()), ...fixed])];
    },
    getOwnPropertyDescriptor(own, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      const fixed = Reflect.getOwnPropertyDescriptor(own, key);
      // A proxy may report a fixed property only as its own target has it, and nothing else as fixed.
      if (fixed?.configurable === false) return { ...fixed, value: descriptor?.value ?? fixed.value };
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  return proxy;
}

const RECOGNIZER_SUITE = '@microsoft/recognizers-text-suite';

/** The suite's `Culture`: the culture codes from CULTURE_CODES; anything else loads the suite. */
function suiteCulture(loadSuite: () => Exports): (key: PropertyKey) => unknown {
  let culture: Exports | undefined;
  return (key) => {
    if (key !== 'Culture') return undefined;
    culture ??= new Proxy({} as Exports, {
      get: (_t, name) => (typeof name === 'string' && Object.hasOwn(CULTURE_CODES, name) ? CULTURE_CODES[name] : Reflect.get(loadSuite().Culture as Exports, name)),
    });
    return culture;
  };
}

/**
 * Installs the stand-ins, once per package. A package already loaded (or already deferred), or
 * one that cannot be found from its dependent, is left as it is.
 */
export function deferUnusedModules(modules: readonly DeferredModule[] = DEFERRED_MODULES): void {
  const resolvers = new Map<string, NodeJS.Require>();
  for (const spec of modules) {
    let file: string;
    try {
      let resolver = resolvers.get(spec.requiredBy);
      if (!resolver) resolvers.set(spec.requiredBy, (resolver = resolverFor(spec.requiredBy)));
      file = resolver.resolve(spec.name);
    } catch {
      continue;
    }
    if (require.cache[file]) continue;
    const fromFile = createRequire(file);
    const load = (): Exports => {
      // Drop the stand-in's entry so that Node evaluates the real package; its module then stays cached.
      if ((require.cache[file]?.exports as Exports | undefined)?.[NOT_LOADED_YET] === true) delete require.cache[file];
      return fromFile(file) as Exports;
    };
    const entry = new Module(file);
    entry.filename = file;
    entry.exports = standIn(spec, load, spec.name === RECOGNIZER_SUITE ? suiteCulture(load) : () => undefined);
    entry.loaded = true;
    require.cache[file] = entry;
  }
}
