import { z } from 'zod';
import { criterion, id, timeRange } from '../http/params.js';

export const CRITERIA_QUERY = timeRange({ community: id });
export const EVIDENCE_QUERY = timeRange({ community: id, format: z.enum(['json', 'csv', 'html']).optional() });
export const EVIDENCE_PATH = z.strictObject({ criterion });
