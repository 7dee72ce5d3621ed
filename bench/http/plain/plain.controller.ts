import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { Caller, IdentityGuard } from '../../../src/common/identity/identity.guard.js';
import type { Identity } from '../../../src/common/identity/identity.js';
import { mayAccess, requireUser } from '../../../src/modules/auth/index.js';
import { PlaceOrderBody, type OrderReply } from '../../../src/modules/orders/index.js';
import { GetUserRequest, type UserReply } from '../../../src/modules/users/index.js';
import { PlainStore, userNotFound } from './plain.store.js';

/** The monolith's three benchmarked routes, their DTOs and access rules, answered without a bus. */
@Controller({ version: '1' })
@UseGuards(IdentityGuard)
export class PlainController {
  constructor(private readonly store: PlainStore) {}

  @Get('users/me')
  me(@Caller() caller: Identity): Promise<UserReply> {
    return this.user(requireUser(caller).userId, caller);
  }

  @Get('users/:id')
  get(@Param() { id }: GetUserRequest, @Caller() caller: Identity): Promise<UserReply> {
    return this.user(id, caller);
  }

  @Post('orders')
  place(@Body() body: PlaceOrderBody, @Caller() caller: Identity): Promise<OrderReply> {
    const lines = body.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
    return this.store.placeOrder(requireUser(caller).userId, lines);
  }

  private async user(id: string, caller: Identity): Promise<UserReply> {
    if (!mayAccess(caller, id)) throw userNotFound();
    const user = await this.store.user(id);
    if (!user) throw userNotFound();
    return user;
  }
}
