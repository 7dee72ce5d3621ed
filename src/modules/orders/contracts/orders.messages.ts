import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';

export const ORDER_STATUSES = ['pending', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderItemInput {
  @ApiProperty({ example: 'BOOK-0042', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dot, dash or underscore' })
  sku: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 10000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity: number;

  @ApiProperty({ type: 'integer', example: 1999, minimum: 0, maximum: 100000000, description: 'Price of one unit in integer cents.' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  unitPriceCents: number;
}

/** Place an order. The total is computed by the server; status and total cannot be sent. */
export class PlaceOrderRequest {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  @IsUUID('all')
  userId: string;

  @ApiProperty({ type: [OrderItemInput], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItemInput)
  items: OrderItemInput[];
}

export class GetOrderRequest {
  @ApiProperty({ format: 'uuid', example: '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44' })
  @IsUUID('all')
  id: string;
}

export class CancelOrderRequest extends GetOrderRequest {}

export class ListOrdersRequest {
  @ApiProperty({ format: 'uuid', description: 'Whose orders to list.', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  @IsUUID('all')
  userId: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', example: 'MTI' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;
}

export class OrderItemReply extends OrderItemInput {
  @ApiProperty({ type: 'integer', example: 3998, description: 'quantity x unitPriceCents' })
  lineTotalCents: number;
}

export class OrderReply {
  @ApiProperty({ format: 'uuid', example: '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  userId: string;

  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' })
  status: OrderStatus;

  @ApiProperty({ type: [OrderItemReply] })
  items: OrderItemReply[];

  @ApiProperty({ type: 'integer', example: 3998, description: 'Sum of the line totals, in integer cents.' })
  totalCents: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  updatedAt: string;
}

export class OrderPageReply {
  @ApiProperty({ type: [OrderReply] })
  items: OrderReply[];

  @ApiProperty({ type: String, nullable: true, example: 'MjA', description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}

