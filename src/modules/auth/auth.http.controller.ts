import { Body, Controller, HttpCode, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdentityGuard, Public } from '../../common/identity/identity.guard.js';
import { unauthenticated } from '../../common/identity/token.verifier.js';
import { ApiOperationProblems } from '../../common/contracts/operation.problems.js';
import { CredentialThrottle } from '../../common/http/rate-limit.decorators.js';
import { AuthClient } from './contracts/auth.client.js';
import { AuthOperations } from './contracts/auth.operations.js';
import { ChangePasswordRequest, LoginRequest, RegisterRequest, SessionGrant, SessionReply } from './contracts/auth.messages.js';
import { clearRefreshCookie, readRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';

/** Hands the refresh token to the browser in its cookie and the rest in the body. */
function respond(reply: FastifyReply, { refreshToken, refreshExpiresIn, ...session }: SessionGrant): SessionReply {
  setRefreshCookie(reply, refreshToken, refreshExpiresIn);
  return session;
}

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
@UseGuards(IdentityGuard)
export class AuthHttpController {
  constructor(private readonly auth: AuthClient) {}

  @Post('register')
  @Public()
  @CredentialThrottle()
  @ApiOperation({
    summary: 'Create an account and sign in',
    description:
      'Password: 12-128 characters, at least 5 different ones, not containing the email name. ' +
      `Sets the \`${REFRESH_COOKIE}\` cookie. Rate limited per address and email (CREDENTIAL_RATE_LIMIT per RATE_LIMIT_WINDOW_MS).`,
  })
  @ApiCreatedResponse({ type: SessionReply })
  @ApiOperationProblems(AuthOperations.register)
  async register(@Body() body: RegisterRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionReply> {
    return respond(reply, await this.auth.register(body));
  }

  @Post('login')
  @Public()
  @CredentialThrottle()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in',
    description:
      'An unknown email and a wrong password get the same answer. ' +
      `Sets the \`${REFRESH_COOKIE}\` cookie. Rate limited per address and email (CREDENTIAL_RATE_LIMIT per RATE_LIMIT_WINDOW_MS).`,
  })
  @ApiOkResponse({ type: SessionReply })
  @ApiOperationProblems(AuthOperations.login)
  async login(@Body() body: LoginRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionReply> {
    return respond(reply, await this.auth.login(body));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiCookieAuth(REFRESH_COOKIE)
  @ApiOperation({
    summary: 'Exchange the refresh cookie for new tokens',
    description:
      'The presented refresh token is spent. Presenting a spent one again revokes every token of its sign-in (AUTH.REFRESH_REUSED).',
  })
  @ApiOkResponse({ type: SessionReply })
  @ApiOperationProblems(AuthOperations.refresh)
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionReply> {
    const refreshToken = readRefreshCookie(request);
    if (!refreshToken) throw unauthenticated('The refresh cookie is missing');
    return respond(reply, await this.auth.refresh({ refreshToken }));
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiCookieAuth(REFRESH_COOKIE)
  @ApiOperation({
    summary: 'Sign out',
    description: "Revokes the refresh cookie's sign-in and clears the cookie. Access tokens already issued expire by themselves.",
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiOperationProblems(AuthOperations.logout)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const refreshToken = readRefreshCookie(request);
    if (refreshToken) await this.auth.logout({ refreshToken });
    clearRefreshCookie(reply);
  }

  @Patch('password')
  @CredentialThrottle()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the password',
    description: 'Needs the current password. Every access and refresh token issued before stops working; the answer carries new ones.',
  })
  @ApiOkResponse({ type: SessionReply })
  @ApiOperationProblems(AuthOperations.changePassword, {
    never: { 'AUTH.FORBIDDEN': 'the HTTP API takes only access tokens, which name a user' },
  })
  async changePassword(@Body() body: ChangePasswordRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionReply> {
    // The guard verified the bearer token; it travels to the auth core in the request context.
    return respond(reply, await this.auth.changePassword(body));
  }
}
