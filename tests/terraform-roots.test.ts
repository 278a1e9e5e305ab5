/**
 * The Terraform rollout roots, checked without Terraform (it cannot be installed on our machines):
 * every file parses with HashiCorp's HCL parser, references and module wiring resolve, the tfvars
 * the build writes fit the declared variables, and the images the roots run exist in images.yaml.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  blocks,
  checkTfvars,
  literalKeysRead,
  loadTerraformRoot,
  modulesOf,
  referenceProblems,
  type HclBody,
  type TerraformModule,
  type TerraformRoot,
} from '../src/terraform/check-roots.js';
import { DOCKER_TFVARS_PATH, renderDockerTfvars } from '../src/terraform/tfvars.js';

const REPO = join(import.meta.dirname, '..');
const DOCKER = 'terraform/docker';
const AWS = 'terraform/aws';
const AWS_TFVARS_PATH = 'terraform/aws/images.auto.tfvars.json';

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

/**
 * Renders terraform/aws's cloud-config template the way templatefile would, for the only constructs it
 * uses: `${name}` and `%{ if name == "value" ~}…%{ endif ~}` at the start of a line. Anything else fails.
 */
function renderCloudConfig(text: string, vars: Record<string, string | number>): string {
  const out = text.replace(
    /^%\{ if (\w+) == "([^"]*)" ~\}\n([\s\S]*?)^%\{ endif ~\}\n/gm,
    (_m, name: string, value: string, body: string) => (String(vars[name]) === value ? body : ''),
  );
  if (out.includes('%{')) throw new Error('the template uses a directive renderCloudConfig does not know');
  return out.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    if (!(name in vars)) throw new Error(`the template uses \${${name}}, which templatefile is not given`);
    return String(vars[name]);
  });
}

describe('every .tf file under terraform/', () => {
  it.each(filesUnder('terraform', ['.tf']))('%s parses as HCL', async (file) => {
    const body = await parse(file, readFileSync(join(REPO, file), 'utf8'));
    expect(Object.keys(body).length).toBeGreaterThan(0);
  });
});

describe.each([DOCKER, AWS])('%s', (dir) => {
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

  it('holds no hard-coded AMI ID', () => {
    for (const file of filesUnder(dir, ['.tf', '.tftpl'])) {
      expect(readFileSync(join(REPO, file), 'utf8'), file).not.toMatch(/\bami-[0-9a-f]{8,17}\b/);
    }
  });
});

describe('terraform/docker and the tfvars a Docker build writes', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, DOCKER), REPO);
  });
  const built = REFERENCE_IMAGES.map((name, i) => [name, sha(i + 1)] as const);

  it('accepts the file the build renders for the whole image tree', () => {
    const tfvars: unknown = JSON.parse(renderDockerTfvars(built));
    expect(checkTfvars(root, tfvars, DOCKER_TFVARS_PATH)).toEqual([]);
  });

  it('refuses an unknown key, a missing image and a wrong type', () => {
    const images = Object.fromEntries(built);
    const { cortex: _cortex, ...withoutCortex } = images;
    expect(checkTfvars(root, { images, image_ids: images }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: "image_ids" is not a variable declared in terraform/docker (declared: consul_servers, consul_ui_port, cortex_replicas, docker_host, gateway_port, grafana_port, images, name_prefix)',
    ]);
    expect(checkTfvars(root, { images: withoutCortex }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: images has no "cortex", but terraform/docker reads var.images["cortex"]',
    ]);
    expect(checkTfvars(root, { images: { ...images, nginx: { id: sha(9) } } }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: images["nginx"]: expected string, got object',
    ]);
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

describe('terraform/aws and the tfvars an AMI build writes', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, AWS), REPO);
  });
  const amis = Object.fromEntries(
    REFERENCE_IMAGES.map((name, i) => [name, { 'eu-central-1': `ami-0${i}${'1'.repeat(15)}`, 'us-east-1': `ami-${i}${'2'.repeat(7)}` }]),
  );

  it('accepts AMIs by image and region', () => {
    expect(checkTfvars(root, { amis }, AWS_TFVARS_PATH)).toEqual([]);
  });

  it('refuses an unknown key, a missing image and a wrong type', () => {
    const { monitoring: _monitoring, ...withoutMonitoring } = amis;
    expect(checkTfvars(root, { amis, images: {} }, AWS_TFVARS_PATH)).toEqual([
      expect.stringMatching(
        /^terraform\/aws\/images\.auto\.tfvars\.json: "images" is not a variable declared in terraform\/aws \(declared: admin_cidrs, amis, /,
      ),
    ]);
    expect(checkTfvars(root, { amis: withoutMonitoring }, AWS_TFVARS_PATH)).toEqual([
      'terraform/aws/images.auto.tfvars.json: amis has no "monitoring", but terraform/aws reads var.amis["monitoring"]',
    ]);
    expect(checkTfvars(root, { amis: { ...amis, consul: 'ami-12345678' } }, AWS_TFVARS_PATH)).toEqual([
      'terraform/aws/images.auto.tfvars.json: amis["consul"]: expected map(string), got string',
    ]);
  });

  it('launches every role from its AMI in the deployed region', () => {
    const calls = root.calls.filter((c) => c.source === './modules/role');
    expect(calls.map((c) => c.name).sort()).toEqual(['consul', 'cortex', 'monitoring', 'nginx']);
    const mainTf = root.files.find((f) => f.label === join(AWS, 'main.tf'));
    const modules = blocks(mainTf?.body ?? {}, 'module');
    for (const call of calls) {
      const attrs = modules.find(([name]) => name === call.name)?.[1];
      expect(attrs?.['ami_id']).toBe(`\${lookup(var.amis["${call.name}"], var.region, "")}`);
    }
  });

  it('requires IMDSv2, with instance tags readable there, and rolls new AMIs out with an instance refresh', () => {
    const [[, template]] = resources(root, 'aws_launch_template') as [[string, Record<string, unknown>]];
    expect(template['metadata_options']).toEqual([
      expect.objectContaining({ http_tokens: 'required', http_endpoint: 'enabled', instance_metadata_tags: 'enabled' }),
    ]);
    const [[, group]] = resources(root, 'aws_autoscaling_group') as [[string, Record<string, unknown>]];
    expect(group['launch_template']).toEqual([
      { id: '${aws_launch_template.this.id}', version: '${aws_launch_template.this.latest_version}' },
    ]);
    expect(group['instance_refresh']).toEqual([expect.objectContaining({ strategy: 'Rolling' })]);
  });
});

describe('terraform/aws and what the AMIs do at boot', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, AWS), REPO);
  });
  const TEMPLATE = 'terraform/aws/templates/cloud-config.yaml.tftpl';

  it('tags every instance with the Consul auto-join tag key the AMIs read at boot', () => {
    const key = capture('provisioners/lib/consul-instance-config', /^CONSUL_JOIN_TAG_KEY=(\S+)$/m);
    // consul.sh writes the key into /etc/default/consul-instance-config, which that script reads at boot.
    expect(capture('provisioners/consul.sh', /CONSUL_JOIN_TAG_KEY=\$\{CONSUL_JOIN_TAG_KEY-([^}]+)\}/)).toBe(key);
    expect(localValue(root, 'consul_join_tag')).toEqual({ key, value: '${var.name}' });
    expect(localValue(root, 'instance_tags')).toEqual({ '${(local.consul_join_tag.key)}': '${local.consul_join_tag.value}' });
    const mainTf = root.files.find((f) => f.label === join(AWS, 'main.tf'));
    const roles = blocks(mainTf?.body ?? {}, 'module').filter(([, attrs]) => attrs['source'] === './modules/role');
    expect(roles.map(([name, attrs]) => [name, attrs['tags']])).toEqual(
      ['consul', 'cortex', 'monitoring', 'nginx'].map((name) => [name, '${local.instance_tags}']),
    );
    const [[, template]] = resources(root, 'aws_launch_template') as [[string, Record<string, unknown>]];
    const instance = (template['tag_specifications'] as Array<Record<string, unknown>>).find((t) => t['resource_type'] === 'instance');
    expect(instance?.['tags']).toMatch(/var\.tags/);
  });

  it('gives the template every value it uses', () => {
    const userData = String(localValue(root, 'user_data'));
    expect(userData).toContain('templatefile("${path.module}/templates/cloud-config.yaml.tftpl"');
    const passed = [.../templatefile\([^,]+,\s*\{([^}]*)\}/.exec(userData)![1]!.matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]).sort();
    expect(passed).toEqual(['consul_servers', 'role']);
    const used = new Set([...readRepo(TEMPLATE).matchAll(/\$\{(\w+)\}|%\{ if (\w+) /g)].map((m) => m[1] ?? m[2]));
    expect([...used].sort()).toEqual(passed);
  });

  it.each(['consul', 'cortex', 'nginx', 'monitoring'])(
    '%s: user data is cloud-config that creates no unit, only boot-time settings',
    (role) => {
      const text = renderCloudConfig(readRepo(TEMPLATE), { role, consul_servers: 3 });
      expect(text.startsWith('#cloud-config\n')).toBe(true);
      const config = parseYaml(text) as { write_files: Array<{ path: string; content: string }>; runcmd?: unknown[] };
      expect(Object.keys(config).sort()).toEqual(['runcmd', 'write_files']);
      // The AMIs ship and enable their own units; user data neither writes nor enables one.
      expect(text).not.toMatch(/\/etc\/systemd\/system|ExecStart|\bsystemctl\W+(enable|start|restart|daemon-reload)\b/);
      const consulFiles = config.write_files.filter((f) => f.path.startsWith('/etc/consul.d/'));
      if (role === 'consul') {
        // Later than server.hcl (bootstrap_expect baked at build time) and instance.hcl (written at boot).
        const baked = [
          capture('provisioners/consul-server.sh', /write_file "\$CONSUL_CONFIG_DIR\/(server\.hcl)"/),
          capture('provisioners/lib/consul-instance-config', /^OUT=\/etc\/consul\.d\/(\S+)$/m),
        ];
        expect(consulFiles.map((f) => f.content)).toEqual([expect.stringMatching(/^bootstrap_expect = 3$/m)]);
        for (const name of baked) expect(consulFiles[0]!.path.split('/').at(-1)! > name, name).toBe(true);
      } else {
        // bootstrap_expect is refused by a client agent: no Consul file on the other roles.
        expect(consulFiles).toEqual([]);
      }
    },
  );

  it('refers to no Debian prometheus-node-exporter path or unit (node_exporter is /usr/local/bin/node_exporter)', () => {
    for (const file of filesUnder('terraform', ['.tf', '.tftpl'])) expect(readRepo(file), file).not.toMatch(/prometheus-node-exporter/);
  });
});

describe('terraform/', () => {
  it('keeps every file the roots load inside the repository tree', async () => {
    for (const dir of [DOCKER, AWS]) {
      const root = await loadTerraformRoot(join(REPO, dir), REPO);
      for (const module of modulesOf(root)) expect(relative(REPO, module.dir).startsWith('terraform/')).toBe(true);
    }
  });
});
