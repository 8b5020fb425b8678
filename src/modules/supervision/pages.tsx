import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/module.ts';

export async function supervisionPages(_app: FastifyInstance, _platform: Platform) {}
