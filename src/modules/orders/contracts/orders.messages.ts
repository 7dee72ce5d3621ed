import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, PageRequest } from '../../../common/pagination/page.request.js';

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const ORDER_STATUSES = ['pending', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MAX_SKU_LENGTH = 64;
/** A SKU: letters, digits, dot, dash or underscore, starting with a letter or digit. */
export const SKU = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${MAX_SKU_LENGTH - 1}}$`);
export const MAX_QUANTITY = 10_000;
export const MAX_UNIT_PRICE_CENTS = 100_000_000;
export const MAX_ORDER_LINES = 100;

export class OrderItemInput {
  @ApiProperty({ example: 'BOOK-0042', pattern: SKU.source, maxLength: MAX_SKU_LENGTH })
  @IsString()
  @Matches(SKU, { message: `sku must be 1-${MAX_SKU_LENGTH} letters, digits, dot, dash or underscore` })
  sku: string;

  @ApiProperty({ type: 'integer', format: 'int32', example: 2, minimum: 1, maximum: MAX_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 1999,
    minimum: 0,
    maximum: MAX_UNIT_PRICE_CENTS,
    description: 'Price of one unit in integer cents.',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_UNIT_PRICE_CENTS)
  unitPriceCents: number;
}

/**
 * Place an order for the caller (the verified identity in the packet metadata). The owner, status and
 * total are decided by the server; a body naming any of them is refused.
 */
export class PlaceOrderRequest {
  @ApiProperty({ type: [OrderItemInput], minItems: 1, maxItems: MAX_ORDER_LINES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderItemInput)
  items: OrderItemInput[];

  /**
   * The client's Idempotency-Key (the HTTP header): the same key with the same items within 24 hours
   * answers the first order instead of placing another; with other items it is ORDERS.IDEMPOTENCY_KEY_REUSED.
   */
  @ApiPropertyOptional({ minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY.source })
  @IsOptional()
  @IsString()
  @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey must be 1-255 visible ASCII characters' })
  idempotencyKey?: string;
}

/** The HTTP body of POST /v1/orders: the key comes from the Idempotency-Key header. */
export class PlaceOrderBody extends PickType(PlaceOrderRequest, ['items'] as const) {}

export class GetOrderRequest {
  @ApiProperty({ format: 'uuid', example: '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44' })
  @IsUUID('all')
  id: string;
}

export class CancelOrderRequest extends GetOrderRequest {}

/** A page of orders, oldest first. */
export class ListOrdersRequest extends PageRequest {
  @ApiPropertyOptional({
    format: 'uuid',
    example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b',
    description:
      "Whose orders to list. Default: the caller's own; an admin who omits it lists every order. " +
      "Naming another user's id is AUTH.FORBIDDEN unless the caller is an admin.",
  })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}

export class OrderItemReply extends OrderItemInput {
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 3998,
    minimum: 0,
    maximum: MAX_QUANTITY * MAX_UNIT_PRICE_CENTS,
    description: 'quantity x unitPriceCents',
  })
  lineTotalCents: number;
}

export class OrderReply {
  @ApiProperty({ format: 'uuid', example: '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  userId: string;

  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' })
  status: OrderStatus;

  @ApiProperty({ type: [OrderItemReply], minItems: 1, maxItems: MAX_ORDER_LINES })
  items: OrderItemReply[];

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 3998,
    minimum: 0,
    maximum: MAX_ORDER_LINES * MAX_QUANTITY * MAX_UNIT_PRICE_CENTS,
    description: 'Sum of the line totals, in integer cents.',
  })
  totalCents: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  updatedAt: string;
}

export class OrderPageReply {
  @ApiProperty({ type: [OrderReply], maxItems: MAX_PAGE_SIZE })
  items: OrderReply[];

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_CURSOR_LENGTH,
    example: 'MjA',
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor: string | null;
}
