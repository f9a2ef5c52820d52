/**
 * @waymark/core — the pure journey language: document schemas, validation and migrations,
 * the condition language, time-zone and send-window maths, and the deterministic evaluator
 * `step(definition, state, input, now, rng) -> { state, commands }`.
 *
 * Core imports nothing of ours and does no I/O (enforced by eslint): everything it needs
 * (the time, randomness, the profile) is passed in.
 */
export * from './journey/duration.ts';
export * from './journey/schema.ts';
export * from './conditions/schema.ts';
export * from './evaluator/types.ts';
export * from './conditions/evaluate.ts';
export * from './time/zones.ts';
export * from './time/window.ts';
export * from './evaluator/rng.ts';
export * from './evaluator/step.ts';
export * from './evaluator/goals.ts';
export * from './evaluator/entry.ts';
export * from './journey/validate.ts';
export * from './journey/migrate.ts';
export * from './journey/parse.ts';
export * from './journey/template-text.ts';
export * from './personalization/interests.ts';
export * from './personalization/interest-node.ts';
export * from './replies/understand.ts';
export * from './replies/expectation.ts';
export * from './channels/catalogue.ts';
export * from './profile/trait-changes.ts';
