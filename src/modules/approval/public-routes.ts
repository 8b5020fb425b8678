import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/module.ts';

export async function publicRoutes(_app: FastifyInstance, _platform: Platform) {}
