import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdentityGuard } from '../../common/identity/identity.guard.js';
import { ApiOperationProblems } from '../../common/contracts/operation.problems.js';
import { OrdersClient } from './contracts/orders.client.js';
import { OrdersOperations } from './contracts/orders.operations.js';
import { GetOrderRequest, ListOrdersRequest, OrderPageReply, OrderReply, PlaceOrderBody } from './contracts/orders.messages.js';

/** Orders belong to the caller; another user's order answers 404 exactly like a missing one. Admins reach all. */
@ApiTags('orders')
@ApiBearerAuth()
@Controller({ path: 'orders', version: '1' })
@UseGuards(IdentityGuard)
export class OrdersHttpController {
  constructor(private readonly orders: OrdersClient) {}

  @Post()
  @ApiOperation({
    summary: 'Place an order for the caller',
    description:
      'The owner is the caller; the status and total are set by the server. A body with userId, status or totalCents is refused.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    description:
      'Optional, 1-255 visible ASCII characters, chosen by the client per order it means to place. Sent again ' +
      'with the same items within 24 hours, the request answers 201 with the first order instead of placing another ' +
      '(also when several arrive at once); with other items it answers 422 ORDERS.IDEMPOTENCY_KEY_REUSED. Failed requests are not ' +
      'remembered.',
  })
  @ApiCreatedResponse({
    type: OrderReply,
    description: 'The placed order, status `pending` (or the first order placed with this Idempotency-Key)',
  })
  @ApiOperationProblems(OrdersOperations.place)
  place(@Body() body: PlaceOrderBody, @Req() request: FastifyRequest): Promise<OrderReply> {
    // Read from the request rather than with @Headers, which would document the header as required.
    const idempotencyKey = request.headers['idempotency-key'];
    return this.orders.place(idempotencyKey === undefined ? body : { ...body, idempotencyKey: String(idempotencyKey) });
  }

  @Get()
  @ApiOperation({
    summary: "List the caller's orders, oldest first",
    description: 'Admins may name any userId, or omit it to list every order.',
  })
  @ApiOkResponse({ type: OrderPageReply, description: 'One page of orders' })
  @ApiOperationProblems(OrdersOperations.list)
  list(@Query() query: ListOrdersRequest): Promise<OrderPageReply> {
    return this.orders.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get an order',
    description: 'Its buyer or an admin may read it; for anyone else the answer is ORDERS.NOT_FOUND, as for an id nobody has.',
  })
  @ApiOkResponse({ type: OrderReply, description: 'The order' })
  @ApiOperationProblems(OrdersOperations.get)
  get(@Param() { id }: GetOrderRequest): Promise<OrderReply> {
    return this.orders.get({ id });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a pending order',
    description:
      'Its buyer or an admin may cancel it, and only while it is pending: a cancelled order answers ORDERS.NOT_CANCELLABLE, ' +
      "another user's order ORDERS.NOT_FOUND.",
  })
  @ApiOkResponse({ type: OrderReply, description: 'The order, status `cancelled`' })
  @ApiOperationProblems(OrdersOperations.cancel)
  cancel(@Param() { id }: GetOrderRequest): Promise<OrderReply> {
    return this.orders.cancel({ id });
  }
}
