import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Sse } from '@nestjs/common';
import { type Observable, concat, interval, map, merge, of } from 'rxjs';
import { Caller } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/access.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { alertId } from '../http/params.js';
import { z } from 'zod';
import { ACK_BODY, ALERT_LIST_QUERY, ALERT_STREAM_QUERY, ASSIGN_BODY, COMMENT_BODY, RESOLVE_BODY } from './alert-queries.js';
import { AlertsService } from './alerts.service.js';

const ALERT_PATH = z.strictObject({ alertId });
type Body<T extends z.ZodType> = z.output<T>;

@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  list(@Caller() caller: Principal, @Query(new ZodPipe(ALERT_LIST_QUERY, 'query')) q: Body<typeof ALERT_LIST_QUERY>) {
    return { alerts: this.alerts.list(caller, q) };
  }

  /**
   * Server-Sent Events. A first comment commits the headers at once; a comment every 15 s keeps
   * proxies from closing an idle stream. Comments only: any other field would make Nest number
   * the message, and a client would send that number back as its Last-Event-ID.
   */
  @Sse('stream')
  stream(@Caller() caller: Principal, @Query(new ZodPipe(ALERT_STREAM_QUERY, 'query')) q: Body<typeof ALERT_STREAM_QUERY>, @Headers('last-event-id') lastEventId?: string): Observable<object> {
    const events = this.alerts.stream(caller, q.community, lastEventId ?? q.lastEventId);
    return concat(of({ comment: 'greenwatch alerts' }), merge(events, interval(15_000).pipe(map(() => ({ comment: 'keep-alive' })))));
  }

  @Get(':alertId')
  get(@Caller() caller: Principal, @Param(new ZodPipe(ALERT_PATH, 'path')) p: Body<typeof ALERT_PATH>) {
    return this.alerts.get(caller, p.alertId);
  }

  @Post(':alertId/ack')
  @HttpCode(200)
  ack(@Caller() caller: Principal, @Param(new ZodPipe(ALERT_PATH, 'path')) p: Body<typeof ALERT_PATH>, @Body(new ZodPipe(ACK_BODY.default({}), 'body')) b: Body<typeof ACK_BODY>) {
    return this.alerts.act(caller, p.alertId, { kind: 'ack', by: b.by ?? caller.label, comment: b.comment });
  }

  @Post(':alertId/resolve')
  @HttpCode(200)
  resolve(@Caller() caller: Principal, @Param(new ZodPipe(ALERT_PATH, 'path')) p: Body<typeof ALERT_PATH>, @Body(new ZodPipe(RESOLVE_BODY, 'body')) b: Body<typeof RESOLVE_BODY>) {
    return this.alerts.act(caller, p.alertId, { kind: 'resolve', by: b.by ?? caller.label, comment: b.comment });
  }

  @Post(':alertId/assign')
  @HttpCode(200)
  assign(@Caller() caller: Principal, @Param(new ZodPipe(ALERT_PATH, 'path')) p: Body<typeof ALERT_PATH>, @Body(new ZodPipe(ASSIGN_BODY, 'body')) b: Body<typeof ASSIGN_BODY>) {
    return this.alerts.act(caller, p.alertId, { kind: 'assign', by: b.by ?? caller.label, assignee: b.assignee, comment: b.comment });
  }

  @Post(':alertId/comments')
  @HttpCode(200)
  comment(@Caller() caller: Principal, @Param(new ZodPipe(ALERT_PATH, 'path')) p: Body<typeof ALERT_PATH>, @Body(new ZodPipe(COMMENT_BODY, 'body')) b: Body<typeof COMMENT_BODY>) {
    return this.alerts.act(caller, p.alertId, { kind: 'comment', by: b.by ?? caller.label, comment: b.comment });
  }
}
