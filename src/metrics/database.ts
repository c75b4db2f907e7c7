import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent.js';
import type { Metrics } from './instruments.js';

/**
 * Records every statement's time (TypeORM's after-query event, millisecond clock) and, on
 * PostgreSQL, the pool's connections at each scrape.
 */
export function instrumentDatabase(dataSource: DataSource, metrics: Metrics): void {
  const database = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const subscriber: EntitySubscriberInterface = {
    afterQuery(event: AfterQueryEvent<unknown>) {
      if (event.executionTime === undefined && event.success) return;
      metrics.dbQueryDuration.observe(
        { database, outcome: event.success ? 'ok' : 'error' },
        (event.executionTime ?? 0) / 1000,
      );
    },
  };
  dataSource.subscribers.push(subscriber);
  if (database === 'postgres') {
    const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
    metrics.observePool(() =>
      pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined,
    );
  }
}

interface PgPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}
