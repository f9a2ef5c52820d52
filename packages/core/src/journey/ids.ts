/**
 * The small schemas every part of a journey document is built from: ids, node references, local
 * times and time-zone names. A leaf module: it imports only zod.
 */
import { z } from 'zod';

/** An id of a node, template, list, goal or variant: letters, digits, `_ . : -`, at most 128. */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'expected an id of letters, digits, _ . : -')
  .meta({ title: 'id' });
/** The id of another node of the journey (an edge, or a node a wait refers to). */
export const NodeRef = Id.meta({ title: 'node id' });
/** Local time of day, 24-hour `HH:MM`. */
export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM"')
  .meta({ title: 'time HH:MM' });
/** An IANA time-zone name; validated semantically (the name must be known) by `validateJourney`. */
export const TimeZoneName = z.string().min(1).meta({ title: 'time zone' });

/** The `next` field of every node that goes on to one node. */
export const Next = { next: NodeRef.describe('The node to go to next.') };
