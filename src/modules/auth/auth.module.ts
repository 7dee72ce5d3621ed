import { Module } from '@nestjs/common';
import { AuthHandlers } from './auth.handlers.js';

/** The auth core: credentials and tokens in the auth schema. */
@Module({ controllers: [AuthHandlers] })
export class AuthCoreModule {}

/** The auth HTTP API. */
@Module({})
export class AuthGatewayModule {}
