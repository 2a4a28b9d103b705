import type { Activity, TurnContext } from 'botbuilder';
import { MAX_MESSAGE_LENGTH } from '../domain/message-parser';

/** What one activity carries, before any validation: typed text, card data, or nothing. */
export type BotInput = { kind: 'text'; text: string; truncated: boolean } | { kind: 'card'; data: Record<string, unknown> } | { kind: 'empty' };

/** True for an Adaptive Card Action.Execute invoke. */
export function isActionExecute(activity: Partial<Activity>): boolean {
  return (
    activity.type === 'invoke' && activity.name === 'adaptiveCard/action' && (activity.value as { action?: { type?: unknown } } | undefined)?.action?.type === 'Action.Execute'
  );
}

/** The data of an Action.Submit: a message whose value is a (non-array) object. */
export function submitData(activity: Partial<Activity>): Record<string, unknown> | undefined {
  if (activity.type !== 'message') return undefined;
  const value = activity.value as unknown;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The data of an adaptiveCard/action invoke, with the action's verb when the data names none. */
export function invokeData(activity: Partial<Activity>): Record<string, unknown> {
  const action = (activity.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
  const data = { ...(action?.data ?? {}) };
  if (data.verb === undefined && action?.verb) data.verb = action.verb;
  return data;
}

/** The verb a card action names (the data's, else the Action.Execute's own), if any. */
export function cardVerb(context: TurnContext): unknown {
  const a = context.activity;
  if (a.type === 'invoke' && a.name === 'adaptiveCard/action') return invokeData(a).verb;
  return submitData(a)?.verb;
}

/** Reads an activity: typed text (cut at the parser's limit), Action.Submit data (message with value) or Action.Execute (invoke). */
export function readActivity(activity: Partial<Activity>): BotInput {
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') return { kind: 'card', data: invokeData(activity) };
  if (activity.type === 'message') {
    const data = submitData(activity);
    if (data) return { kind: 'card', data };
    const raw = typeof activity.text === 'string' ? activity.text : '';
    if (!raw.trim()) return { kind: 'empty' };
    const truncated = raw.length > MAX_MESSAGE_LENGTH;
    return { kind: 'text', text: truncated ? raw.slice(0, MAX_MESSAGE_LENGTH) : raw, truncated };
  }
  return { kind: 'empty' };
}

/** True in a 1:1 chat (Teams omits the type there sometimes). */
export function isPersonal(context: TurnContext): boolean {
  return (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
}
