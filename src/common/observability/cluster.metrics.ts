import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';

const METRICS_REQUEST = 'mm:metrics';
const METRICS_REPLY = 'mm:metrics-reply';

type Message = { type?: string; id?: string; metrics?: string; error?: string };

/**
 * The metrics of every worker together, for a worker answering GET /metrics (WORKERS > 1): it asks the
 * primary, which collects them from every worker with prom-client's cluster aggregation. Undefined in a
 * process that is not a worker.
 */
export function clusterMetrics(): Promise<string> | undefined {
  if (!cluster.isWorker) return undefined;
  return new Promise((resolve, reject) => {
    const id = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error("The primary did not send the workers' metrics within 5 s"));
    }, 5000);
    const onMessage = (message: Message) => {
      if (message?.type !== METRICS_REPLY || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error) reject(new Error(message.error));
      else resolve(message.metrics ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

/** In a worker: answers the primary's requests for this worker's own metrics (prom-client's listener). */
export function joinMetricsAggregation(): void {
  if (cluster.isWorker) new AggregatorRegistry();
}

/** In the primary: gathers every worker's metrics for the worker that asks. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (metrics) => worker.send({ type: METRICS_REPLY, id: message.id, metrics }),
      (err: Error) => worker.send({ type: METRICS_REPLY, id: message.id, error: err.message }),
    );
  });
}
