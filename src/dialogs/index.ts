export * from './conversation-state';
export * from './employee-turn';
export * from './present';
