import { readFileSync } from 'node:fs';
import type { AppProcess } from './app-process.js';

export interface HandledMessage {
  correlationId: string;
  pattern: string;
}

/** Every bus message a process logged as handled (at LOG_LEVEL=info, one line per message from another process). */
export function handledMessages(process: AppProcess): HandledMessage[] {
  const found: HandledMessage[] = [];
  for (const line of readFileSync(process.logFile, 'utf8').split('\n')) {
    if (!line.includes('"message handled"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; correlationId?: string; pattern?: string };
      if (entry.msg === 'message handled' && entry.correlationId && entry.pattern) {
        found.push({ correlationId: entry.correlationId, pattern: entry.pattern });
      }
    } catch {
      // A line cut by a SIGKILL, or not JSON: not a handled message.
    }
  }
  return found;
}
