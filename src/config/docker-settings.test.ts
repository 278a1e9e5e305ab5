import { afterAll, describe, expect, it } from 'vitest';
import { load, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

describe('images.<name>.docker and secrets', () => {
  it('loads Docker runtime settings and secret names', async () => {
    const { result } = await load({
      'images.yaml': `version: 1
secrets: [GRAFANA_ADMIN_PASSWORD]
images:
  base:
    provisioners: [base]
    docker: { entrypoint: ["/usr/bin/tini", "--"], cmd: [], expose: ["9100/tcp", "8301/udp"] }
  consul: { parent: base, provisioners: [consul] }
`,
    });
    expect(result.ok && result.value.secrets).toEqual(['GRAFANA_ADMIN_PASSWORD']);
    expect(result.ok && result.value.images.map((i) => [i.name, i.docker])).toEqual([
      ['base', { entrypoint: ['/usr/bin/tini', '--'], cmd: [], expose: ['9100/tcp', '8301/udp'] }],
      ['consul', undefined],
    ]);
  });

  it('rejects bad ports, signals, template text and secret names, each located', async () => {
    expect(
      await problems({
        'images.yaml': `version: 1
secrets: [1BAD]
images:
  base:
    provisioners: [base]
    docker: { entrypoint: ["run {{.Image}}"], expose: ["http"] }
`,
      }),
    ).toMatchInlineSnapshot(`
      "images.yaml:2:11: error: item 1 of "secrets" must be an environment variable name: a letter or "_", then letters, digits and "_", got "1BAD"
          2 | secrets: [1BAD]
            |           ^^^^

      images.yaml:6:28: error: item 1 of "images.base.docker.entrypoint" contains "{{", which Packer would read as a template expression: "run {{.Image}}"
          6 |     docker: { entrypoint: ["run {{.Image}}"], expose: ["http"] }
            |                            ^^^^^^^^^^^^^^^^
        hint: pass the value some other way, e.g. in an environment variable

      images.yaml:6:56: error: item 1 of "images.base.docker.expose" must be a port like "9009", "9009/tcp" or "8301/udp", got "http"
          6 |     docker: { entrypoint: ["run {{.Image}}"], expose: ["http"] }
            |                                                        ^^^^^^"
    `);
  });
});
