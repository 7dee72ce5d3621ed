import { defineModuleContract } from '../../../common/contracts/operation.js';
import { AuthEventContracts } from './auth.events.js';
import { AuthOperations } from './auth.operations.js';

/** The auth module's public surface as data: what the module map, the docs and the contract check read. */
export const authContract = defineModuleContract({ name: 'auth', operations: AuthOperations, events: AuthEventContracts });
