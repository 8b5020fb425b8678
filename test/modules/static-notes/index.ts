/**
 * A module that exists only in the tests: notes under topics, published as static pages through
 * the platform's static publishing (src/platform/static) with dependencies — a note's page shows
 * its topic's name, a topic's list page shows its notes' titles, the index lists the topics. A
 * topic may have a host name of its own: its list page is published under that host.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { sql } from '../../../src/platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../src/platform/db/work.ts';
import type { Platform, ZtModule } from '../../../src/platform/module.ts';
import { inTransactionPublishing, markPages, markStale, type PageAddress, type RenderedPage, type StaticPageSource } from '../../../src/platform/static/index.ts';

export const SOURCE = 'notes.pages';

/** What the tests watch and steer: renders per path, and a rebuild that fails after some batches. */
export const probe = { renders: new Map<string, number>(), rebuildBatch: 2, failAfterBatches: null as number | null, batches: 0 };

interface Note { id: number; topic_id: number; title: string; published: boolean }
interface Topic { id: number; name: string; host: string | null }

export const notePath = (id: number) => `/notes/${id}.html`;
export const topicPath = (id: number) => `/notes/topic/${id}/`;

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;

function noteHtml(note: Note, topic: Topic): RenderedPage {
  return { host: null, path: notePath(note.id), body: page(note.title, `<h1>${esc(note.title)}</h1><p>${esc(topic.name)}</p>`), dependsOn: [`note:${note.id}`, `topic:${topic.id}`] };
}
function topicHtml(topic: Topic, notes: Note[]): RenderedPage {
  const items = notes.map((n) => `<li><a href="${notePath(n.id)}">${esc(n.title)}</a></li>`).join('');
  return { host: topic.host, path: topicPath(topic.id), body: page(topic.name, `<h1>${esc(topic.name)}</h1><ul>${items}</ul>`), dependsOn: [`topic:${topic.id}`, `topic:${topic.id}:list`] };
}
function indexHtml(topics: Topic[]): RenderedPage {
  return { host: null, path: '/notes/', body: page('专题', `<ul>${topics.map((t) => `<li>${esc(t.name)}</li>`).join('')}</ul>`), dependsOn: ['topics'] };
}

async function topics(platform: Platform): Promise<Topic[]> {
  return (await sql<Topic>`select id, name, host from notes_topics order by id`.execute(platform.db)).rows;
}

const count = (address: PageAddress) => probe.renders.set(`${address.host ?? '_'}${address.path}`, (probe.renders.get(`${address.host ?? '_'}${address.path}`) ?? 0) + 1);

export const notesSource: StaticPageSource = {
  name: SOURCE,
  async render(platform, address) {
    count(address);
    if (address.path === '/notes/' && address.host === null) return indexHtml(await topics(platform));
    const noteId = /^\/notes\/(\d+)\.html$/.exec(address.path)?.[1];
    if (noteId && address.host === null) {
      const note = (await sql<Note>`select * from notes_items where id = ${Number(noteId)} and published`.execute(platform.db)).rows[0];
      if (!note) return null;
      const topic = (await sql<Topic>`select id, name, host from notes_topics where id = ${note.topic_id}`.execute(platform.db)).rows[0];
      return noteHtml(note, topic);
    }
    const topicId = /^\/notes\/topic\/(\d+)\/$/.exec(address.path)?.[1];
    if (topicId) {
      const topic = (await sql<Topic>`select id, name, host from notes_topics where id = ${Number(topicId)}`.execute(platform.db)).rows[0];
      if (!topic || topic.host !== address.host) return null;
      const notes = (await sql<Note>`select * from notes_items where topic_id = ${topic.id} and published order by id`.execute(platform.db)).rows;
      return topicHtml(topic, notes);
    }
    return null;
  },
  // Notes in batches after the cursor (the last id), then the topics' lists and the index.
  async rebuild(platform, scope, emit) {
    const all = await topics(platform);
    const byId = new Map(all.map((t) => [t.id, t]));
    let after = scope.after === 'lists' ? Infinity : Number(scope.after ?? 0);
    for (;;) {
      if (after === Infinity) break;
      const notes = (await sql<Note>`select * from notes_items where published and id > ${after} order by id limit ${probe.rebuildBatch}`.execute(platform.db)).rows;
      if (!notes.length) break;
      if (probe.failAfterBatches !== null && probe.batches >= probe.failAfterBatches) throw new Error('the source failed half-way');
      probe.batches++;
      after = notes[notes.length - 1].id;
      await emit(notes.map((n) => noteHtml(n, byId.get(n.topic_id)!)), String(after));
    }
    const notes = (await sql<Note>`select * from notes_items where published order by id`.execute(platform.db)).rows;
    await emit([...all.map((t) => topicHtml(t, notes.filter((n) => n.topic_id === t.id))), indexHtml(all)], 'lists');
  },
};

const CreateBody = Type.Object({ topicId: Type.Integer(), title: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const TitleBody = Type.Object({ title: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.Integer() });

async function notesRoutes(app: FastifyInstance, platform: Platform) {
  const open = { config: { auth: 'public' as const } };
  app.post<{ Body: Static<typeof CreateBody> }>('/api/v1/notes', { ...open, schema: { body: CreateBody } }, async (request, reply) => {
    const id = await inTransactionPublishing(platform, SYSTEM_ACTOR, async (work) => {
      const row = (await sql<{ id: number }>`insert into notes_items (topic_id, title, published) values (${request.body.topicId}, ${request.body.title}, true) returning id`.execute(work.tx)).rows[0];
      // The new note's own page has no dependency row yet: it is named.
      markPages(work, SOURCE, [{ host: null, path: notePath(row.id) }]);
      markStale(work, [`topic:${request.body.topicId}:list`]);
      return row.id;
    });
    return reply.status(201).send({ id });
  });
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof TitleBody> }>('/api/v1/notes/:id', { ...open, schema: { params: IdParams, body: TitleBody } }, async (request) => {
    await inTransactionPublishing(platform, SYSTEM_ACTOR, async (work) => {
      const row = (await sql<{ topic_id: number }>`update notes_items set title = ${request.body.title} where id = ${request.params.id} returning topic_id`.execute(work.tx)).rows[0];
      markStale(work, [`note:${request.params.id}`, `topic:${row.topic_id}:list`]);
    });
    return { ok: true };
  });
  app.post<{ Params: Static<typeof IdParams> }>('/api/v1/notes/:id/withdraw', { ...open, schema: { params: IdParams } }, async (request) => {
    await inTransactionPublishing(platform, SYSTEM_ACTOR, async (work) => {
      const row = (await sql<{ topic_id: number }>`update notes_items set published = false where id = ${request.params.id} returning topic_id`.execute(work.tx)).rows[0];
      markStale(work, [`note:${request.params.id}`, `topic:${row.topic_id}:list`]);
    });
    return { ok: true };
  });
  app.patch<{ Params: Static<typeof IdParams>; Body: { name: string } }>('/api/v1/notes/topics/:id', { ...open, schema: { params: IdParams } }, async (request) => {
    // Committed without waiting for the pages: the job publishes them (or a crash left them queued).
    await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      await sql`update notes_topics set name = ${request.body.name} where id = ${request.params.id}`.execute(work.tx);
      markStale(work, [`topic:${request.params.id}`, 'topics']);
    });
    return { ok: true };
  });
  // What is not published is rendered on demand, by the same source.
  app.get<{ Params: { id: string } }>('/notes/:id', open, async (request, reply) => {
    const rendered = await notesSource.render(platform, { host: null, path: `/notes/${request.params.id}` });
    if (!rendered) return reply.status(404).type('text/plain').send('gone');
    return reply.header('X-Rendered', 'on-demand').type('text/html; charset=utf-8').send(rendered.body);
  });
}

export const staticNotesModule: ZtModule = {
  name: 'notes',
  migrations: {
    '20991231_0100_notes_items': {
      async up(db) {
        await sql`create table notes_topics (id serial primary key, name text not null, host text)`.execute(db);
        await sql`create table notes_items (id serial primary key, topic_id integer not null references notes_topics, title text not null, published boolean not null)`.execute(db);
      },
    },
  },
  routes: notesRoutes,
  staticPages: [notesSource],
};
