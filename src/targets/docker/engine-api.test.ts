import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineAddress, httpEngineApi, modemEngineApi, queryString, EngineHttpError } from './engine-api.js';
import { isStatus, newDockerClient } from './engine.js';

describe('engineAddress reads DOCKER_HOST as the docker CLI does', () => {
  it('unix sockets, the default, and tcp with or without TLS; ssh:// is left to dockerode', () => {
    expect(engineAddress({})).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(engineAddress({ DOCKER_HOST: 'unix:///tmp/d.sock' })).toEqual({ socketPath: '/tmp/d.sock' });
    expect(engineAddress({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({ host: '127.0.0.1', port: 2375 });
    expect(engineAddress({ DOCKER_HOST: 'tcp://[::1]' })).toEqual({ host: '::1', port: 2375 });
    expect(engineAddress({ DOCKER_HOST: 'ssh://builder' })).toBeUndefined();
    // DOCKER_TLS_VERIFY needs the three files: a missing one is an error naming it, not a silent plain connection.
    expect(() => engineAddress({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' })).toThrow(
      /\/nonexistent\/ca\.pem/,
    );
  });

  it('filters go as JSON in the query string, like docker-modem buildQuerystring', () => {
    expect(queryString({ all: true, filters: { label: ['a=b'] } })).toBe('?all=true&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D');
    expect(queryString(undefined)).toBe('');
  });
});

describe('httpEngineApi against a real HTTP server on a unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-api-'));
  const socketPath = join(dir, 'engine.sock');
  const seen: string[] = [];
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-registry-auth'] ?? ''}`.trim());
      if (req.url?.startsWith('/images/missing/json')) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"No such image: missing"}');
      } else if (req.url?.startsWith('/hang')) {
        // never answers: a stopped engine (issue 13 #5)
      } else if (req.url?.startsWith('/images/x/tag')) {
        res.writeHead(201).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ServerVersion":"20.10.24"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers JSON, an empty body as undefined, and the engine error with its status and words', async () => {
    const api = httpEngineApi({ socketPath }, 5_000);
    expect(await api.json('GET', '/info')).toEqual({ ServerVersion: '20.10.24' });
    expect(await api.json('POST', '/images/x/tag', { repo: 'r', tag: 't' })).toBeUndefined();
    const error = await api.json('GET', '/images/missing/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineHttpError);
    expect(isStatus(error, 404)).toBe(true);
    expect((error as Error).message).toBe('No such image: missing (HTTP 404)');
    expect(seen).toContain('POST /images/x/tag?repo=r&tag=t');
  });

  it('the same requests through dockerode’s modem (the ssh:// path) give the same answers', async () => {
    // dockerode on this unix socket: only the transport differs from an ssh:// engine (docker-modem's dial either way).
    const api = modemEngineApi(newDockerClient({ socketPath, timeout: 5_000 }));
    expect(await api.json('GET', '/info')).toEqual({ ServerVersion: '20.10.24' });
    seen.length = 0;
    await api.json('POST', '/images/x/tag', { repo: 'r', tag: 't' });
    expect(seen).toEqual(['POST /images/x/tag?repo=r&tag=t']);
    const error = await api.json('GET', '/images/missing/json').catch((e: unknown) => e);
    expect(isStatus(error, 404)).toBe(true);
    expect(await api.text('GET', '/info', { filters: { label: ['a'] } })).toBe('{"ServerVersion":"20.10.24"}');
    expect(seen.at(-1)).toBe('GET /info?filters=%7B%22label%22%3A%5B%22a%22%5D%7D');
  });

  it('gives up on an engine that stays silent past the time limit', async () => {
    const api = httpEngineApi({ socketPath }, 300);
    await expect(api.json('GET', '/hang')).rejects.toThrow(/timeout/);
  });
});
