/**
 * What real Terraform cannot check here, parsed with HashiCorp's HCL parser instead:
 * terraform/docker, whose provider (kreuzwerker/docker) is not on our machines, so it cannot be
 * initialised or validated: its references, its containers against the images they run, its
 * shared Cortex storage. And the roots' agreement with the provisioners (names both sides must
 * spell alike), read as text. terraform/aws itself goes through `terraform validate` and
 * `terraform test` (tests/terraform-aws.test.ts); tfvars files through `terraform plan`
 * (tests/terraform-tfvars.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  blocks,
  literalKeysRead,
  loadTerraformRoot,
  modulesOf,
  referenceProblems,
  type HclBody,
  type TerraformModule,
  type TerraformRoot,
} from './terraform/hcl.js';

const REPO = join(import.meta.dirname, '..');
const DOCKER = 'terraform/docker';
const AWS = 'terraform/aws';

/** The image tree's contract while images.yaml is being written elsewhere. */
const REFERENCE_IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];

function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((path) => suffixes.some((s) => path.endsWith(s)))
    .map((path) => join(dir, path))
    .sort();
}

function imageNames(): string[] {
  const path = join(REPO, 'images.yaml');
  if (!existsSync(path)) return REFERENCE_IMAGES;
  const doc: unknown = parseYaml(readFileSync(path, 'utf8'));
  const images = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['images'] : undefined;
  if (Array.isArray(images)) return images.map((i: unknown) => String((i as Record<string, unknown>)['name']));
  if (typeof images === 'object' && images !== null) return Object.keys(images);
  throw new Error('images.yaml has no images mapping or list');
}

/** `for name in ["a", "b"]` in a variable's validation blocks → ["a", "b"]. */
function requiredKeysInValidation(root: TerraformRoot, variable: string): string[] {
  const decl = root.files.flatMap((f) => blocks(f.body, 'variable')).find(([name]) => name === variable);
  const validations = (decl?.[1]['validation'] ?? []) as Array<Record<string, unknown>>;
  for (const v of validations) {
    const match = /for \w+ in (\[[^\]]*\])/.exec(String(v['condition']));
    if (match?.[1]) return (JSON.parse(match[1]) as string[]).sort();
  }
  return [];
}

function resources(root: TerraformRoot, type: string): Array<[string, Record<string, unknown>]> {
  return modulesOf(root).flatMap((m) =>
    m.files.flatMap((f) => {
      const byType = (f.body['resource'] as Record<string, HclBody> | undefined)?.[type];
      return byType ? blocks({ [type]: byType }, type) : [];
    }),
  );
}

const sha = (n: number): string => `sha256:${n.toString(16).repeat(64).slice(0, 64)}`;

const readRepo = (path: string): string => readFileSync(join(REPO, path), 'utf8');

/** The first capture of `pattern` in a file of the repository; fails the test when there is none. */
function capture(path: string, pattern: RegExp): string {
  const value = pattern.exec(readRepo(path))?.[1];
  if (value === undefined) throw new Error(`${path} no longer matches ${String(pattern)}`);
  return value;
}

/** `locals { name = … }` of a module, as hcl2json gives it. */
function localValue(module: TerraformModule, name: string): unknown {
  for (const file of module.files) {
    for (const locals of (file.body['locals'] ?? []) as Array<Record<string, unknown>>) if (name in locals) return locals[name];
  }
  throw new Error(`${module.label} has no local "${name}"`);
}

/** `${local.a.b}` → the literal value of `local.a.b`, else the string itself. */
function resolveLocal(module: TerraformModule, value: unknown): unknown {
  const ref = typeof value === 'string' ? /^\$\{local\.([\w.]+)\}$/.exec(value)?.[1] : undefined;
  if (!ref) return value;
  const [name = '', ...path] = ref.split('.');
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], localValue(module, name));
}

/**
 * Variables the provisioners read while an image is built (`X=${X:-default}`, `: "${X:=default}"`):
 * they end up in configuration files, so setting them on a running container changes nothing.
 */
function buildTimeVariables(): Set<string> {
  const names = new Set<string>();
  for (const file of filesUnder('provisioners', ['.sh'])) {
    for (const m of readRepo(file).matchAll(/^\s*([A-Z][A-Z0-9_]*)=\$\{\1:?-|\$\{([A-Z][A-Z0-9_]*):=/gm)) names.add(m[1] ?? m[2] ?? '');
  }
  return names;
}

/** Host of a URL or host:port default (`http://nginx/api/v1/push` → nginx, `cortex:9009` → cortex). */
const hostOf = (value: string): string => value.replace(/^[a-z]+:\/\//, '').replace(/[:/].*$/, '');

describe('every .tf file under terraform/docker', () => {
  it.each(filesUnder(DOCKER, ['.tf']))('%s parses as HCL', async (file) => {
    const body = await parse(file, readFileSync(join(REPO, file), 'utf8'));
    expect(Object.keys(body).length).toBeGreaterThan(0);
  });
});

describe.each([DOCKER])('%s', (dir) => {
  it('declares every var.x it references, and its module sources, arguments and templates exist', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    expect(referenceProblems(root)).toEqual([]);
    for (const module of modulesOf(root))
      for (const call of module.calls) expect(call.module, `${call.file}: module "${call.name}"`).toBeDefined();
  });

  it('pins Terraform and every provider in every module', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    for (const module of modulesOf(root)) {
      const settings = module.files.flatMap((f) => (f.body['terraform'] ?? []) as Array<Record<string, unknown>>);
      expect(
        settings.map((s) => s['required_version']),
        module.label,
      ).toEqual(['>= 1.5.7, < 2.0.0']);
      const providers = settings.flatMap(
        (s) => (s['required_providers'] ?? []) as Array<Record<string, { source: string; version?: string }>>,
      );
      if (module === root) expect(providers.length, module.label).toBeGreaterThan(0);
      for (const [name, p] of providers.flatMap((p) => Object.entries(p)))
        expect(p.version, `${module.label}: provider ${name}`).toMatch(/\d/);
    }
  });

  it('gives every variable a type and a description', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    for (const module of modulesOf(root)) {
      for (const file of module.files) {
        for (const [name, attrs] of blocks(file.body, 'variable')) {
          expect(typeof attrs['type'], `${file.label}: variable "${name}" type`).toBe('string');
          expect(typeof attrs['description'], `${file.label}: variable "${name}" description`).toBe('string');
        }
      }
    }
  });

  it('runs only images that images.yaml defines', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    const used = [...literalKeysRead(root, dir === DOCKER ? 'images' : 'amis')].sort();
    expect(used).toEqual(['consul', 'cortex', 'monitoring', 'nginx']);
    expect(imageNames()).toEqual(expect.arrayContaining(used));
    // The variable's validation names the same images, so Terraform itself says which one is missing.
    expect(requiredKeysInValidation(root, dir === DOCKER ? 'images' : 'amis')).toEqual(used);
  });
});

describe.each([DOCKER, AWS])('%s', (dir) => {
  it('holds no hard-coded AMI ID (tests aside)', () => {
    for (const file of filesUnder(dir, ['.tf', '.tftpl']).filter((f) => !f.includes('/tests/'))) {
      expect(readFileSync(join(REPO, file), 'utf8'), file).not.toMatch(/\bami-[0-9a-f]{8,17}\b/);
    }
  });

  it('keeps checks.tf free of providers, so the tfvars contract plans it offline with variables.tf alone', async () => {
    const body = await parse(`${dir}/checks.tf`, readRepo(`${dir}/checks.tf`));
    expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['resource']));
    expect(Object.keys(body).filter((k) => k !== 'resource' && k !== 'locals')).toEqual([]);
    expect(Object.keys(body['resource'] as Record<string, unknown>)).toEqual(['terraform_data']);
    expect(readRepo(`${dir}/checks.tf`)).not.toMatch(/\b(module|data)\.|\b(docker|aws)_[a-z_]+\./);
  });
});

describe('terraform/docker against the images it runs', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, DOCKER), REPO);
  });
  it('pins every container to an image ID from var.images', () => {
    const containers = resources(root, 'docker_container');
    // hcl2json orders blocks by label.
    expect(containers.map(([name, c]) => [name, c['image']])).toEqual([
      ['consul', '${var.images["consul"]}'],
      ['cortex', '${var.images["cortex"]}'],
      ['monitoring', '${var.images["monitoring"]}'],
      ['nginx', '${var.images["nginx"]}'],
    ]);
  });

  it("runs every container with its image's own entrypoint and command (tini and image-start)", () => {
    const entrypoint = parseYaml(readRepo('images.yaml')).images.base.docker.entrypoint as string[];
    expect(entrypoint).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/image-start']);
    for (const [name, c] of resources(root, 'docker_container')) {
      for (const override of ['entrypoint', 'command', 'init', 'user', 'working_dir'])
        expect(c, `${name}: ${override}`).not.toHaveProperty(override);
    }
  });

  it('uploads no start script: only the Consul servers get a settings file, in the directory the agent reads', () => {
    const uploads = resources(root, 'docker_container').flatMap(([name, c]) =>
      ((c['upload'] ?? []) as Array<Record<string, unknown>>).map(
        (u) => [name, resolveLocal(root, u['file']), resolveLocal(root, u['content']), u['executable']] as const,
      ),
    );
    expect(uploads.map(([name]) => name)).toEqual(['consul']);
    const [[, file, content, executable]] = uploads as unknown as [[string, string, string, unknown]];
    expect(executable).toBeUndefined();
    // consul agent -config-dir=/etc/consul.d reads the files in lexical order, later values winning:
    // this one must come after the server.hcl that consul-server.sh writes (bootstrap_expect = 1).
    const serverHcl = capture('provisioners/consul-server.sh', /write_file "\$CONSUL_CONFIG_DIR\/(server\.hcl)"/);
    expect(capture('provisioners/consul-server.sh', /^(bootstrap_expect) += /m)).toBe('bootstrap_expect');
    expect(file).toMatch(/^\/etc\/consul\.d\/[^/]+\.hcl$/);
    expect(file.split('/').at(-1)! > serverHcl).toBe(true);
    expect(content).toMatch(/^bootstrap_expect = \$\{var\.consul_servers\}$/m);
  });

  it('passes as environment only what is read when a container starts, never a build-time variable', () => {
    const buildTime = buildTimeVariables();
    for (const name of [
      'CONSUL_RETRY_JOIN',
      'CONSUL_BOOTSTRAP_EXPECT',
      'CORTEX_REPLICATION_FACTOR',
      'NGINX_RESOLVER',
      'GRAFANA_CORTEX_URL',
    ])
      expect(buildTime, name).toContain(name);
    const runTime = new Set([...readRepo('provisioners/lib/image-start').matchAll(/\$\{(IMAGE_START_[A-Z_]+):-/g)].map((m) => m[1]));
    expect(runTime).toEqual(new Set(['IMAGE_START_DIR', 'IMAGE_START_STOP_TIMEOUT']));
    for (const [name, c] of resources(root, 'docker_container')) {
      for (const entry of (c['env'] ?? []) as string[]) {
        const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(entry)?.[1] ?? entry;
        expect(buildTime.has(key), `${name}: ${key} is baked into the image at build time`).toBe(false);
        // image-start's own settings, or Grafana's GF_<SECTION>_<KEY> overrides in the image that runs Grafana.
        expect(runTime.has(key) || (/^GF_[A-Z0-9_]+$/.test(key) && name === 'monitoring'), `${name}: ${key}`).toBe(true);
      }
    }
  });

  it('keeps the network aliases the images are built to reach each other by', () => {
    const aliases = Object.fromEntries(
      resources(root, 'docker_container').map(([name, c]) => [
        name,
        ((c['networks_advanced'] ?? []) as Array<{ aliases?: string[] }>).flatMap((n) => n.aliases ?? []),
      ]),
    );
    // The Docker defaults the provisioners bake in.
    expect(aliases['consul']).toContain(capture('provisioners/consul.sh', /CONSUL_RETRY_JOIN=\$\{CONSUL_RETRY_JOIN-([^}]+)\}/));
    expect(aliases['cortex']).toContain(hostOf(capture('provisioners/nginx.sh', /CORTEX_UPSTREAM=\$\{CORTEX_UPSTREAM:-([^}]+)\}/)));
    expect(aliases['nginx']).toContain(
      hostOf(capture('provisioners/prometheus.sh', /PROMETHEUS_REMOTE_WRITE_URL=\$\{PROMETHEUS_REMOTE_WRITE_URL-([^}]+)\}/)),
    );
    expect(aliases['nginx']).toContain(hostOf(capture('provisioners/grafana.sh', /GRAFANA_CORTEX_URL=\$\{GRAFANA_CORTEX_URL:-([^}]+)\}/)));
    expect(Object.keys(aliases).sort()).toEqual(['consul', 'cortex', 'monitoring', 'nginx']);
  });

  it('gives image-start the time it takes to stop every service before a container is removed', () => {
    const stopTimeout = Number(capture('provisioners/lib/image-start', /\$\{IMAGE_START_STOP_TIMEOUT:-(\d+)\}/));
    for (const [name, c] of resources(root, 'docker_container')) expect(c['destroy_grace_seconds'], name).toBeGreaterThan(stopTimeout);
  });

  it('publishes only ports its image exposes', () => {
    const images = parseYaml(readRepo('images.yaml')).images as Record<string, { parent?: string; docker?: { expose?: string[] } }>;
    const exposed = (image: string | undefined): string[] =>
      image ? [...(images[image]?.docker?.expose ?? []), ...exposed(images[image]?.parent)] : [];
    for (const [name, c] of resources(root, 'docker_container')) {
      const dynamic = ((c['dynamic'] as Record<string, unknown> | undefined)?.['ports'] ?? []) as Array<{
        content: Array<Record<string, unknown>>;
      }>;
      for (const p of [...((c['ports'] ?? []) as Array<Record<string, unknown>>), ...dynamic.flatMap((d) => d.content)]) {
        expect(exposed(name), name).toContain(`${String(p['internal'])}/tcp`);
      }
    }
  });

  it('gives every Cortex replica the same storage volume, where the cortex image keeps blocks, rules and Alertmanager configurations', () => {
    const dir = capture('provisioners/cortex.sh', /CORTEX_STORAGE_DIR=\$\{CORTEX_STORAGE_DIR:-([^}]+)\}/);
    expect(localValue(root, 'cortex_storage_dir')).toBe(dir);
    const [[name, cortex]] = resources(root, 'docker_container').filter(([n]) => n === 'cortex') as [[string, Record<string, unknown>]];
    expect(cortex['count'], name).toBe('${var.cortex_replicas}');
    expect(cortex['volumes']).toEqual([
      { volume_name: '${docker_volume.cortex_storage.name}', container_path: '${local.cortex_storage_dir}' },
    ]);
    expect(resources(root, 'docker_volume').map(([n]) => n)).toEqual(['cortex_storage']);
    // No other container mounts it, and none keeps Cortex's storage in a path of its own.
    for (const [other, c] of resources(root, 'docker_container')) if (other !== 'cortex') expect(c, other).not.toHaveProperty('volumes');
    // Each kind of data in its own directory below the volume (cortex.sh), never `local` storage.
    const script = readRepo('provisioners/cortex.sh');
    for (const kind of ['blocks', 'rules', 'alertmanager']) expect(script).toContain(`$(storage_block ${kind})`);
    expect(script).not.toMatch(/backend: local/);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published = resources(root, 'docker_container').flatMap(([name, c]) => {
      const direct = (c['ports'] ?? []) as Array<Record<string, unknown>>;
      const dynamic = ((c['dynamic'] as Record<string, unknown> | undefined)?.['ports'] ?? []) as Array<{
        content: Array<Record<string, unknown>>;
      }>;
      return [...direct, ...dynamic.flatMap((d) => d.content)].map((p) => [name, p['internal'], p['ip']]);
    });
    expect(published).toEqual([
      ['consul', 8500, '127.0.0.1'],
      ['monitoring', 3000, '127.0.0.1'],
      ['nginx', 80, '127.0.0.1'],
    ]);
  });
});

describe('terraform/aws and the provisioners: names both sides must spell alike', () => {
  const TEMPLATE = 'terraform/aws/templates/cloud-config.yaml.tftpl';
  const ROLLOUT_TEST = 'terraform/aws/tests/rollout.tftest.hcl';

  it('tags instances with the Consul auto-join tag key the AMIs read at boot (terraform test asserts every role carries it)', () => {
    const key = capture('provisioners/lib/consul-instance-config', /^CONSUL_JOIN_TAG_KEY=(\S+)$/m);
    // consul.sh writes the key into /etc/default/consul-instance-config, which that script reads at boot.
    expect(capture('provisioners/consul.sh', /CONSUL_JOIN_TAG_KEY=\$\{CONSUL_JOIN_TAG_KEY-([^}]+)\}/)).toBe(key);
    expect(capture('terraform/aws/main.tf', /consul_join_tag = \{ key = "([^"]+)"/)).toBe(key);
    expect(readRepo(ROLLOUT_TEST)).toContain(`t.tags["${key}"]`);
  });

  it("writes the Consul servers' settings file where the agent reads it last (after server.hcl and the boot-time instance.hcl)", () => {
    const file = capture(TEMPLATE, /- path: \/etc\/consul\.d\/(\S+\.hcl)$/m);
    const baked = [
      capture('provisioners/consul-server.sh', /write_file "\$CONSUL_CONFIG_DIR\/(server\.hcl)"/),
      capture('provisioners/lib/consul-instance-config', /^OUT=\/etc\/consul\.d\/(\S+)$/m),
    ];
    for (const name of baked) expect(file > name, `${file} sorts after ${name}`).toBe(true);
    expect(capture('provisioners/consul-server.sh', /^(bootstrap_expect) += /m)).toBe('bootstrap_expect');
    expect(readRepo(ROLLOUT_TEST)).toContain(`f.path == "/etc/consul.d/${file}"`);
  });

  it('health-checks the gateway on the path the nginx image answers itself', () => {
    const path = capture('provisioners/nginx.sh', /location = (\/\S+) \{/);
    expect(path).toBe('/healthz');
    expect(readRepo('terraform/aws/main.tf')).toContain(`health_check_path = "${path}"`);
  });

  it('names the provisioner variables the cortex AMI needs for the buckets as cortex.sh reads them', () => {
    const outputs = readRepo('terraform/aws/outputs.tf');
    for (const name of ['CORTEX_STORAGE_BACKEND', 'CORTEX_S3_BUCKET', 'CORTEX_S3_RULER_BUCKET', 'CORTEX_S3_REGION']) {
      expect(outputs).toContain(`${name} `);
      expect(readRepo('provisioners/cortex.sh')).toMatch(new RegExp(`\\$\\{?${name}\\b`));
    }
  });

  it('refers to no Debian prometheus-node-exporter path or unit (node_exporter is /usr/local/bin/node_exporter)', () => {
    for (const file of filesUnder('terraform', ['.tf', '.tftpl'])) expect(readRepo(file), file).not.toMatch(/prometheus-node-exporter/);
  });
});

describe('terraform/', () => {
  it('keeps every file the Docker root loads inside the repository tree', async () => {
    const root = await loadTerraformRoot(join(REPO, DOCKER), REPO);
    for (const module of modulesOf(root)) expect(relative(REPO, module.dir).startsWith('terraform/')).toBe(true);
  });
});
