/**
 * The three parts of @microsoft/teams-ai the bot uses, from their own modules. The package's
 * index also loads its AI layer (planners, models, the GPT tokenizer with its encoding tables),
 * which the bot never calls: importing from here keeps that out of start-up and idle memory
 * (measured: about 11 MB less live heap). teams-ai 1.x has no `exports` map, so these paths are
 * its public files; the classes are the same objects the index re-exports.
 */
export { Application } from '@microsoft/teams-ai/lib/Application';
export { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';
export { TurnState, TurnStateEntry, type DefaultConversationState, type DefaultTempState, type DefaultUserState } from '@microsoft/teams-ai/lib/TurnState';
