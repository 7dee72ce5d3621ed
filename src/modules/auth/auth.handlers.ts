import { MessagePattern } from '@nestjs/microservices';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';

@MessageHandlers()
export class AuthHandlers {
  @MessagePattern('auth.ping')
  ping() {
    return { module: 'auth' };
  }
}
