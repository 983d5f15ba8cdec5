import { Controller, Get, Query } from '@nestjs/common';
import { Caller } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/access.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { READINGS_QUERY, type ReadingsQuery } from './readings-query.js';
import { ReadingsService } from './readings.service.js';

@Controller('api/readings')
export class ReadingsController {
  constructor(private readonly readings: ReadingsService) {}

  @Get()
  get(@Caller() caller: Principal, @Query(new ZodPipe(READINGS_QUERY, 'query')) q: ReadingsQuery) {
    return this.readings.readings(caller, q);
  }
}
