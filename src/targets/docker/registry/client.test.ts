import { describe, expect, it } from 'vitest';
import { networkFailure, parseChallenge } from './client.js';
import { keyHostname } from './credentials.js';
import { registryLocation } from './location.js';

describe('parseChallenge (WWW-Authenticate, docker/distribution docs/spec/auth/token.md)', () => {
  it('reads Bearer realm, service and scope; Basic; nothing else', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:acme/app:pull"'),
    ).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example.com/token',
      service: 'registry.example.com',
      scope: 'repository:acme/app:pull',
    });
    expect(parseChallenge('Basic realm="build-images"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Negotiate')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('registryLocation', () => {
  it('plain HTTP only on loopback, as the engine treats 127.0.0.0/8; Docker Hub at registry-1.docker.io', () => {
    expect(registryLocation('127.0.0.1:5000/cortex')).toEqual({
      host: '127.0.0.1:5000',
      apiBase: 'http://127.0.0.1:5000',
      prefix: 'cortex',
    });
    expect(registryLocation('localhost:5000')).toEqual({ host: 'localhost:5000', apiBase: 'http://localhost:5000', prefix: '' });
    expect(registryLocation('ghcr.io/acme/cortex')).toEqual({ host: 'ghcr.io', apiBase: 'https://ghcr.io', prefix: 'acme/cortex' });
    expect(registryLocation('docker.io/acme').apiBase).toBe('https://registry-1.docker.io');
  });
});

describe('keyHostname (auths keys as docker/cli ConvertToHostname)', () => {
  it('drops scheme and path', () => {
    expect(keyHostname('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(keyHostname('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(keyHostname('ghcr.io')).toBe('ghcr.io');
  });
});

describe('networkFailure', () => {
  it('classifies the socket error fetch gives as cause', () => {
    const failed = (code: string): Error =>
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`x ${code}`), { code }) });
    expect(networkFailure('r', failed('CERT_HAS_EXPIRED'), 1000).reason).toBe('tls');
    expect(networkFailure('r', failed('ERR_TLS_CERT_ALTNAME_INVALID'), 1000).reason).toBe('tls');
    expect(networkFailure('r', failed('ENOTFOUND'), 1000)).toEqual({
      reason: 'unreachable',
      registry: 'r',
      detail: 'ENOTFOUND: x ENOTFOUND',
    });
    expect(networkFailure('r', Object.assign(new Error('t'), { name: 'TimeoutError' }), 5000).detail).toBe('no answer within 5 s');
  });
});
