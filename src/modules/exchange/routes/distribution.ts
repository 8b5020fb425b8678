import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';

export async function distributionRoutes(app: FastifyInstance, platform: Platform) {
  void app;
  void platform;
}
