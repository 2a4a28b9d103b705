/** Installs the stand-ins of src/deferred-modules.ts: import this before anything loads botbuilder. */
import { deferUnusedModules } from './deferred-modules';

deferUnusedModules();
