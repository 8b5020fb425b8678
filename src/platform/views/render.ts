import type { FastifyReply } from 'fastify';

/** Sends a rendered page. Pages can carry personal data and CSRF tokens: never cached. */
export async function sendPage(reply: FastifyReply, page: JSX.Element, status = 200) {
  const html = await page;
  return reply.status(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(html);
}

/** Post, redirect, get: 303 so the browser follows with GET. htmx follows HX-Redirect instead. */
export function redirect(reply: FastifyReply, location: string) {
  if (reply.request.headers['hx-request']) return reply.header('HX-Redirect', location).status(204).send();
  return reply.redirect(location, 303);
}
