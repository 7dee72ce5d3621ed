import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, BUS_PROBLEMS } from '../../common/http/problem.js';
import { OrdersClient } from './contracts/orders.client.js';
import { GetOrderRequest, ListOrdersRequest, OrderPageReply, OrderReply, PlaceOrderRequest } from './contracts/orders.messages.js';

const INVALID = { 400: ['COMMON.VALIDATION_FAILED'] };
const NOT_FOUND = { 404: ['ORDERS.NOT_FOUND'] };

@ApiTags('orders')
@Controller({ path: 'orders', version: '1' })
export class OrdersHttpController {
  constructor(private readonly orders: OrdersClient) {}

  @Post()
  @ApiOperation({ summary: 'Place an order', description: 'The user must exist; the total is computed by the server.' })
  @ApiCreatedResponse({ type: OrderReply, description: 'The placed order, status `pending`' })
  @ApiProblems({ ...INVALID, 422: ['ORDERS.USER_NOT_FOUND'], ...BUS_PROBLEMS })
  place(@Body() body: PlaceOrderRequest): Promise<OrderReply> {
    return this.orders.place(body);
  }

  @Get()
  @ApiOperation({ summary: "List a user's orders, oldest first" })
  @ApiOkResponse({ type: OrderPageReply, description: 'One page of orders' })
  @ApiProblems({ 400: ['COMMON.VALIDATION_FAILED', 'ORDERS.INVALID_CURSOR'], ...BUS_PROBLEMS })
  list(@Query() query: ListOrdersRequest): Promise<OrderPageReply> {
    return this.orders.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an order' })
  @ApiOkResponse({ type: OrderReply, description: 'The order' })
  @ApiProblems({ ...INVALID, ...NOT_FOUND, ...BUS_PROBLEMS })
  get(@Param() { id }: GetOrderRequest): Promise<OrderReply> {
    return this.orders.get({ id });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending order' })
  @ApiOkResponse({ type: OrderReply, description: 'The order, status `cancelled`' })
  @ApiProblems({ ...INVALID, ...NOT_FOUND, 409: ['ORDERS.NOT_CANCELLABLE'], ...BUS_PROBLEMS })
  cancel(@Param() { id }: GetOrderRequest): Promise<OrderReply> {
    return this.orders.cancel({ id });
  }
}
