import { JsonSocket, type TcpSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import type { Type } from '@nestjs/common';
import { CommonErrors } from '../errors/common.errors.js';
import type { ErrorBody } from '../errors/domain-error.js';

/** Framing failures of the stock JSON socket (by class name: the classes are not exported), as error bodies. */
const FRAMING_ERRORS: Record<string, ErrorBody> = {
  MaxPacketLengthExceededException: { ...CommonErrors.PAYLOAD_TOO_LARGE, message: 'The frame is larger than this listener accepts' },
  CorruptedPacketLengthException: { ...CommonErrors.MALFORMED_REQUEST, message: 'The frame does not start with a valid length' },
  InvalidJSONFormatException: { ...CommonErrors.MALFORMED_REQUEST, message: 'The frame is not valid JSON' },
};

/**
 * NestJS's JSON socket with a frame limit, which on a framing error tells the peer why in one last
 * error packet (without an id: the frame's id was never read) before the connection is closed.
 */
export function frameLimitedSocket(maxFrameChars: number): Type<TcpSocket> {
  return class FrameLimitedSocket extends JsonSocket {
    constructor(socket: Socket) {
      super(socket, { maxBufferSize: maxFrameChars });
    }

    protected override handleDataError(error: unknown, options: { destroy?: boolean } = {}): void {
      const body = FRAMING_ERRORS[(error as object | undefined)?.constructor?.name ?? ''];
      if (body && !options.destroy) this.sendMessage({ err: body, isDisposed: true, status: 'error' });
      super.handleDataError(error, options);
    }
  };
}
