import { BaseRpcContext, PacketMetadata } from '@nestjs/microservices';

type InProcessContextArgs = [string, PacketMetadata?];

/** The RPC context of the in-process transport; same accessors as TcpContext minus the socket. */
export class InProcessContext extends BaseRpcContext<InProcessContextArgs> {
  getPattern(): string {
    return this.args[0];
  }

  getMetadata(): PacketMetadata | undefined {
    return this.args[1];
  }
}
