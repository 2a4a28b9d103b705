/** The one clock type: every part that needs the time is given one, so tests can fix it. */
export type Clock = () => Date;

/** The real clock. */
export const systemClock: Clock = () => new Date();
