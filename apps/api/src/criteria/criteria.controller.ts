import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { z } from 'zod';
import { Caller } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/access.js';
import type { HttpResponse } from '../http/http-types.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { CRITERIA_QUERY, EVIDENCE_PATH, EVIDENCE_QUERY } from './criteria-queries.js';
import { CriteriaService } from './criteria.service.js';

@Controller('api')
export class CriteriaController {
  constructor(private readonly criteria: CriteriaService) {}

  @Get('criteria')
  list(@Caller() caller: Principal, @Query(new ZodPipe(CRITERIA_QUERY, 'query')) q: z.output<typeof CRITERIA_QUERY>) {
    return this.criteria.criteria(caller, q);
  }

  @Get('evidence/:criterion')
  async evidence(
    @Caller() caller: Principal,
    @Param(new ZodPipe(EVIDENCE_PATH, 'path')) p: z.output<typeof EVIDENCE_PATH>,
    @Query(new ZodPipe(EVIDENCE_QUERY, 'query')) q: z.output<typeof EVIDENCE_QUERY>,
    @Res({ passthrough: true }) response: HttpResponse,
  ) {
    const report = await this.criteria.evidence(caller, p.criterion, q);
    response.setHeader('content-type', report.contentType);
    return report.body;
  }
}
