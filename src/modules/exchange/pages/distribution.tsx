import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';

export async function distributionPages(app: FastifyInstance, platform: Platform) {
  void app;
  void platform;
}
