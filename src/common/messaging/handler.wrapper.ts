import type { MessageHandler } from '@nestjs/microservices';
import type { MessageDrain } from '../lifecycle/message.drain.js';
import { guardPayload } from './payload.guard.js';

/**
 * What each of our listeners registers, from its `addHandler`, in place of the handler Nest gives it:
 * the drain's count (or its refusal once shutdown began) around the payload check around the handler.
 * Wrapped at registration, every message a handler is given goes through both, whichever way the
 * transport looks the handler up.
 */
export function wrapHandler(handler: MessageHandler, isEventHandler: boolean, drain: MessageDrain): MessageHandler {
  return drain.wrap(guardPayload(handler, isEventHandler));
}
