import { Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { AlertEvent } from '#registry';

/** New and changed alerts of this process, after they are committed (feeds SSE clients). */
@Injectable()
export class AlertEventBus {
  private readonly subject = new Subject<AlertEvent>();

  publish(events: AlertEvent[]): void {
    for (const e of events) this.subject.next(e);
  }

  get events(): Observable<AlertEvent> {
    return this.subject.asObservable();
  }

  close(): void {
    this.subject.complete();
  }
}
