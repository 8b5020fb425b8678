import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/module.ts';

export async function catalogueRoutes(_app: FastifyInstance, _platform: Platform) {}
