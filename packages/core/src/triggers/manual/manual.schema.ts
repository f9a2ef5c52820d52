/** The manual trigger's schema: enrolment through the admin API only. */
import { z } from 'zod';

/** Enrolment through the admin API or the CLI only. */
export const ManualTrigger = z
  .strictObject({ type: z.literal('manual') })
  .describe('Runs start only through the admin API (`POST /api/journeys/{id}/enrol`).');
