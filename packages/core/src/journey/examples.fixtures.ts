/**
 * Seed scenarios written as a user would write them (YAML), and the helpers that break them the
 * ways users break them: `broken(yaml, change)` validates a changed copy and returns its issues
 * as `[path, code]` pairs. Shared by `examples.test.ts` and the node and trigger kinds' tests.
 */
import { parseJourneyText } from './parse.ts';
import { validateJourney } from './validate.ts';
import type { ValidateOptions, ValidationIssue } from './validate.ts';

/** Scenario 7: cart abandoned -> email -> not opened in 12 h -> SMS inside 09:00-21:00. */
export const BASKET = `
schemaVersion: 1
id: basket-retargeting
name: Basket retargeting
trigger:
  type: event
  event: cart_abandoned
  where: { field: event.properties.total, op: gt, value: 0 }
start: basket-email
nodes:
  basket-email:
    type: send
    channel: email
    template: basket-email
    next: wait-open
  wait-open:
    type: wait_for
    outcome: { node: basket-email, is: [opened, clicked] }
    timeout: 12h
    onTimeout: basket-sms
    next: done
  basket-sms:
    type: send
    channel: sms
    template: basket-sms
    next: done
  done:
    type: exit
    reason: reminded
policies:
  reentry: { mode: after, after: 7d }
  timezone: Europe/Lisbon
  sendWindows:
    sms: { start: "09:00", end: "21:00" }
  goals:
    - id: purchased
      event: order_completed
      valueProperty: revenue
templates:
  basket-email:
    channel: email
    subject: "[[[customer_name]]], you left something behind"
    body: "Hello [[[customer_name]]]. Your basket is waiting: {{ trigger.properties.cart_url }}"
    html: "<p>Hello {{ profile.traits.customer_name | default: 'there' }}</p>"
  basket-sms:
    channel: sms
    body: >-
      Hello [[[customer_name]]]. Just a friendly reminder that you've left some articles in
      your basket. Get them before they're gone! If you need help, call 900-900-900.
`;

/** Scenario 2: invoice overdue -> email -> SMS -> phone-call task; payment exits (goal). */
export const COLLECTION = `
schemaVersion: 1
id: collection
name: Overdue invoice collection
trigger:
  type: event
  event: invoice_overdue
start: reminder-email
nodes:
  reminder-email:
    type: send
    channel: email
    template: reminder-email
    transactional: true
    next: wait-open
  wait-open:
    type: wait_for
    outcome: { node: reminder-email, is: [opened] }
    timeout: 24h
    onTimeout: reminder-sms
    next: grace
  grace:
    type: wait
    duration: 3d
    next: reminder-sms
  reminder-sms:
    type: send
    channel: sms
    template: reminder-sms
    transactional: true
    next: wait-click
  wait-click:
    type: wait_for
    outcome: { node: reminder-sms, is: [clicked] }
    timeout: 48h
    onTimeout: call-task
    next: grace-after-click
  grace-after-click:
    type: wait
    duration: 24h
    next: call-task
  call-task:
    type: task
    team: collection
    title: "Call {{ profile.traits.name }} about invoice {{ trigger.properties.invoice_id }}"
    due: 1d
    next: wait-call
  wait-call:
    type: wait_for
    task: { node: call-task }
    timeout: 3d
    onTimeout: escalate
    next: call-outcome
  call-outcome:
    type: branch
    cases:
      - when: { field: last.outcome, op: eq, value: promised_to_pay }
        next: done
    default: escalate
  escalate:
    type: alert
    channel: email
    to: collections-lead@example.com
    template: escalation
    next: done
  done:
    type: exit
policies:
  reentry: { mode: concurrent }
  sendWindows:
    default: { days: [mon, tue, wed, thu, fri, sat], start: "08:00", end: "20:00" }
  goals:
    - id: payment_received
      event: payment_received
      where: { field: event.properties.invoice_id, op: exists }
      valueProperty: amount
templates:
  reminder-email:
    channel: email
    subject: "Invoice {{ trigger.properties.invoice_id }} is overdue"
    body: "Pay here: {{ trigger.properties.pay_url }}"
  reminder-sms:
    channel: sms
    body: "Your invoice {{ trigger.properties.invoice_id }} is overdue. Pay: {{ trigger.properties.pay_url }}"
  escalation:
    channel: email
    subject: "Collection call got no promise: {{ profile.id }}"
    body: "{{ profile.traits.name }} ({{ profile.traits.phone }}) still owes {{ trigger.properties.amount }}."
`;

/** Scenario 8: abandoned call -> 5 min -> voice callback unless a call succeeded -> else SMS. */
export const QUEUE = `
schemaVersion: 1
id: queue-abandon-recovery
name: Queue-abandon recovery
trigger:
  type: event
  event: call_abandoned
start: wait-5m
nodes:
  wait-5m:
    type: wait
    duration: 5m
    next: callback
  callback:
    type: send
    channel: voice
    template: callback-script
    connectTo: "+351210000000"
    skipIf:
      event: call_completed
      where: { field: event.properties.status, op: eq, value: answered }
      within: 10m
    next: wait-bridge
  wait-bridge:
    type: wait_for
    outcome: { node: callback, is: [bridged] }
    timeout: 15m
    onTimeout: sms-fallback
    next: done
  sms-fallback:
    type: send
    channel: sms
    template: sorry-sms
    skipIf: { event: call_completed, within: 30m }
    next: done
  done:
    type: exit
policies:
  reentry: { mode: after, after: 1h }
  timezone: Europe/Lisbon
  sendWindows:
    voice: { start: "08:00", end: "22:00" }
templates:
  callback-script:
    channel: voice
    body: "Hello {{ profile.traits.first_name }}, we are connecting you to an agent now."
  sorry-sms:
    channel: sms
    body: "Sorry we missed you, [[[first_name]]]. Call us back on 210 000 000."
`;

/** Scenario 10: a segment now -> voucher email -> not opened in 48 h -> SMS with the same code. */
export const VOUCHER = `
schemaVersion: 1
id: voucher-broadcast
name: Spring voucher
trigger:
  type: broadcast
  audience:
    all:
      - { inList: newsletter }
      - { field: profile.traits.country, op: in, value: [PT, ES] }
start: assign-code
nodes:
  assign-code:
    type: update_profile
    set:
      voucher_code: "SPRING-{{ profile.id | slice: 0, 6 | upcase }}"
    next: ab
  ab:
    type: split
    holdout: 10
    variants:
      - { name: plain, weight: 50, next: voucher-email }
      - { name: urgent, weight: 50, next: voucher-email-urgent }
  voucher-email:
    type: send
    channel: email
    template: voucher-email
    next: wait-open
  voucher-email-urgent:
    type: send
    channel: email
    template: voucher-email-urgent
    next: wait-open-urgent
  wait-open:
    type: wait_for
    outcome: { node: voucher-email, is: [opened] }
    timeout: 48h
    onTimeout: voucher-sms
    next: done
  wait-open-urgent:
    type: wait_for
    outcome: { node: voucher-email-urgent, is: [opened] }
    timeout: 48h
    onTimeout: voucher-sms
    next: done
  voucher-sms:
    type: send
    channel: sms
    template: voucher-sms
    next: done
  done:
    type: exit
policies:
  reentry: { mode: once }
  frequencyCaps:
    - { channel: sms, max: 2, per: 7d }
  goals:
    - id: redeemed
      event: voucher_redeemed
      where: { field: event.properties.code, op: starts_with, value: SPRING- }
templates:
  voucher-email:
    channel: email
    subject: "A spring voucher for you"
    body: "Your code: {{ profile.traits.voucher_code }}"
  voucher-email-urgent:
    channel: email
    subject: "Only 3 days left: your spring voucher"
    body: "Your code: {{ profile.traits.voucher_code }} (ends Sunday)"
  voucher-sms:
    channel: sms
    body: "Your spring voucher {{ profile.traits.voucher_code }} is waiting. Ends Sunday."
`;

/** Scenario 6: appointment booked -> confirmation now -> reminder a day before at 10:00. */
export const APPOINTMENT = `
schemaVersion: 1
id: appointment-reminder
name: Appointment reminder
trigger:
  type: date
  field: event.properties.appointment_at
  event: appointment_booked
  offset: -P1D
  at: "10:00"
start: reminder
nodes:
  reminder:
    type: send
    channel: sms
    template: reminder
    next: done
  done:
    type: exit
templates:
  reminder:
    channel: sms
    body: "See you tomorrow at {{ trigger.properties.appointment_at | date: '%H:%M' }}. Map: {{ trigger.properties.map_url }}"
`;

/** A journey document as plain data. */
export type Doc = Record<string, unknown>;

/** Parses a scenario to plain data. */
export function load(yaml: string): Doc {
  const parsed = parseJourneyText(yaml);
  // Not `node:assert`: core's non-test modules may not import node (this is a fixture module).
  if (!parsed.ok) throw new Error(JSON.stringify(parsed));
  return parsed.value as Doc;
}

/** Walks to the parent of `path` (creating nothing) and hands it to `edit`. */
function at(doc: Doc, path: string[], edit: (parent: Doc, key: string) => void): void {
  let parent: unknown = doc;
  for (const key of path.slice(0, -1)) parent = (parent as Doc)[key];
  edit(parent as Doc, path[path.length - 1] ?? '');
}

/** Sets the value at a path. */
export function set(doc: Doc, path: string[], value: unknown): void {
  at(doc, path, (parent, key) => (parent[key] = value));
}

/** Deletes the value at a path. */
export function remove(doc: Doc, path: string[]): void {
  at(doc, path, (parent, key) => delete parent[key]);
}

/** Validates a changed copy of a scenario and returns its issues as `[path, code]` pairs. */
export function broken(yaml: string, change: (doc: Doc) => void, opts?: ValidateOptions) {
  const doc = structuredClone(load(yaml));
  change(doc);
  const result = validateJourney(doc, opts);
  if (result.ok) throw new Error('the broken variant should not validate');
  return pairs(result.issues);
}

/** Issues as `[path, code]` pairs. */
export function pairs(issues: ValidationIssue[]): Array<[string, string]> {
  return issues.map((i) => [i.path, i.code]);
}
