import { ActivityTypes, type TurnContext } from 'botbuilder';

/** Wait before the first "typing…" and between the next ones (teams-ai's own value). */
export const TYPING_DELAY_MS = 1000;

/**
 * Shows "typing…" while the turn of a message runs, with a timer that belongs to this turn.
 *
 * teams-ai's own timer (`startTypingTimer`) is one slot per Application, shared by every turn in
 * the process: while one conversation's turn was slow (Graph, a slow connector), every other
 * conversation found the slot taken and showed no indicator, and whichever turn ended first
 * stopped the slow one's. The app is built with that timer off and each turn runs in this.
 */
export async function withTypingIndicator<T>(context: TurnContext, work: () => Promise<T>, delayMs = TYPING_DELAY_MS): Promise<T> {
  if (String(context.activity.type) !== String(ActivityTypes.Message)) return work();
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let lastSend: Promise<unknown> = Promise.resolve();
  const stop = (): void => {
    running = false;
    clearTimeout(timer);
    timer = undefined;
  };
  context.onSendActivities(async (_context, activities, next) => {
    if (running && activities.some((a) => a.type === ActivityTypes.Message)) {
      stop();
      // The indicator already on its way goes first; sent after the answer it would stay on screen.
      await lastSend;
    }
    return next();
  });
  const tick = (): void => {
    timer = undefined;
    if (!running) return;
    // A failed indicator is not worth failing the turn for; a slow one only delays this turn's next indicator.
    lastSend = context.sendActivity({ type: ActivityTypes.Typing }).catch(() => undefined);
    void lastSend.then(() => {
      if (running) timer = setTimeout(tick, delayMs);
    });
  };
  timer = setTimeout(tick, delayMs);
  try {
    return await work();
  } finally {
    stop();
  }
}
