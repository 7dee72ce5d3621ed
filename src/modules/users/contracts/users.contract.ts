import { defineModuleContract } from '../../../common/contracts/operation.js';
import { UsersEventContracts } from './users.events.js';
import { UsersOperations } from './users.operations.js';

/** The users module's public surface as data: what the module map, the docs and the contract check read. */
export const usersContract = defineModuleContract({ name: 'users', operations: UsersOperations, events: UsersEventContracts });
