/**
 * The head of every service's /health body. Other processes judge a service by it: `npm start`
 * waits for `status: "ok"`, and the api's /health reads the ingest's and the broker's. After it
 * each service reports its own dependencies, in its own shape (the api: checks and services; the
 * ingest: MQTT, InfluxDB writer and journal).
 */
export type HealthStatus = 'ok' | 'degraded';

export type HealthReport<Details extends object> = { status: HealthStatus; service: string } & Details;

export function healthReport<Details extends object & { status?: never; service?: never }>(service: string, ok: boolean, details: Details): HealthReport<Details> {
  return { status: ok ? 'ok' : 'degraded', service, ...details };
}

/**
 * The HTTP status of a /health answer: 503 when degraded, so that a probe looking only at the
 * status (a Docker healthcheck, a load balancer) sees it; the body says why either way.
 */
export function healthHttpStatus(report: { status: HealthStatus }): 200 | 503 {
  return report.status === 'ok' ? 200 : 503;
}
