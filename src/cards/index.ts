/** The bot's Adaptive Cards: one render function per card, their view-models, and the action verbs. */
export { renderTemplate, CardTemplateError, type AdaptiveCard } from './adaptive-card';
export type * from './view-models';
export * from './verbs';
export { renderWelcomeCard } from './render-welcome-card';
export { renderHelpCard } from './render-help-card';
export { renderQuestionCard, shouldUseChoiceSet, MAX_BUTTON_TITLE, MAX_ANSWER_BUTTONS } from './render-question-card';
export { renderDiagnosisCard } from './render-diagnosis-card';
export { renderFixStepCard, looksLikeCommand } from './render-fix-step-card';
export { renderResolvedCard } from './render-resolved-card';
export { renderEscalateCard } from './render-escalate-card';
export { renderTicketCard, TICKET_HISTORY_SHOWN } from './render-ticket-card';
export { renderMessageCard } from './render-message-card';
export { renderAgentTicketCard, AGENT_HISTORY_SHOWN, AGENT_TRANSCRIPT_SHOWN, AGENT_TRANSCRIPT_LINE_LENGTH } from './render-agent-ticket-card';
export { renderIncidentCard, INCIDENT_OPEN_ACTIONS } from './render-incident-card';
export { renderTicketResolvedCard } from './render-ticket-resolved-card';
export { renderLookupResultCard } from './render-lookup-result-card';
export { renderTicketListCard, TICKET_LIST_SHOWN, TICKET_LIST_CAUSE_LENGTH } from './render-ticket-list-card';
