import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import type { Config } from '../config/types.js';
import { renderGraph, type GraphMarks } from './graph.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { amiDefinition } from '../targets/ami/definition.js';

const image = (name: string, parent: string | undefined, provisioners: string[]): ImageConfig => ({
  name,
  parent,
  provisioners,
  variables: {},
  location: { file: 'images.yaml', line: 1, column: 1 },
});

/** The reference tree of images.yaml. */
const reference = buildTree([
  image('base', undefined, ['node-exporter', 'consul']),
  image('consul', 'base', ['consul-server']),
  image('cortex', 'base', ['cortex']),
  image('nginx', 'base', ['nginx', 'nginxlog-exporter']),
  image('monitoring', 'base', ['prometheus', 'grafana']),
]);

/** Two roots, four levels, names with `-` and `_`, an image with no provisioners, and a Mermaid keyword. */
const deeper = buildTree([
  image('os', undefined, ['harden']),
  image('runtime-jvm', 'os', ['jdk']),
  image('app_one', 'runtime-jvm', ['app-one']),
  image('app_one-debug', 'app_one', []),
  image('runtime-py', 'os', ['python']),
  image('end', 'runtime-py', ['worker']),
  image('tools', undefined, ['git', 'make']),
]);

const id = (c: string): string => `sha256:${c.repeat(64)}`;
const referenceMarks: GraphMarks = new Map([
  ['base', { action: 'reuse', id: id('a') }],
  ['consul', { action: 'build', reasons: ['provisioners/consul-server.sh changed', 'variable CONSUL_VERSION changed', 'forced'] }],
  ['cortex', { action: 'build', reasons: ['forced'] }],
  ['nginx', { action: 'reuse', id: id('b') }],
  ['monitoring', { action: 'absent' }],
]);

describe('renderGraph: reference tree', () => {
  const input = { tree: reference, baseImage: 'ubuntu:22.04' };

  it('text', () => {
    expect(renderGraph(input, 'text')).toMatchInlineSnapshot(`
      "ubuntu:22.04
      └── base: node-exporter, consul
          ├── consul: consul-server
          ├── cortex: cortex
          ├── nginx: nginx, nginxlog-exporter
          └── monitoring: prometheus, grafana
      "
    `);
  });
  it('text with plan marks', () => {
    expect(renderGraph({ ...input, marks: referenceMarks }, 'text')).toMatchInlineSnapshot(`
      "ubuntu:22.04
      └── base: node-exporter, consul  [reuse aaaaaaaaaaaa]
          ├── consul: consul-server  [build: provisioners/consul-server.sh changed (+2 more)]
          ├── cortex: cortex  [build: forced]
          ├── nginx: nginx, nginxlog-exporter  [reuse bbbbbbbbbbbb]
          └── monitoring: prometheus, grafana  [not selected]
      "
    `);
  });
  it('mermaid', () => {
    expect(renderGraph(input, 'mermaid')).toMatchInlineSnapshot(`
      "flowchart TD
        base_image(["ubuntu:22.04"])
        img_base["base<br/>node-exporter, consul"]
        img_consul["consul<br/>consul-server"]
        img_cortex["cortex<br/>cortex"]
        img_nginx["nginx<br/>nginx, nginxlog-exporter"]
        img_monitoring["monitoring<br/>prometheus, grafana"]
        base_image --> img_base
        img_base --> img_consul
        img_base --> img_cortex
        img_base --> img_nginx
        img_base --> img_monitoring
      "
    `);
  });
  it('mermaid with plan marks', () => {
    expect(renderGraph({ ...input, marks: referenceMarks }, 'mermaid')).toMatchInlineSnapshot(`
      "flowchart TD
        base_image(["ubuntu:22.04"])
        img_base["base<br/>node-exporter, consul<br/>reuse aaaaaaaaaaaa"]:::reuse
        img_consul["consul<br/>consul-server<br/>build"]:::build
        img_cortex["cortex<br/>cortex<br/>build"]:::build
        img_nginx["nginx<br/>nginx, nginxlog-exporter<br/>reuse bbbbbbbbbbbb"]:::reuse
        img_monitoring["monitoring<br/>prometheus, grafana<br/>not selected"]:::absent
        base_image --> img_base
        img_base --> img_consul
        img_base --> img_cortex
        img_base --> img_nginx
        img_base --> img_monitoring
        classDef build fill:#fde68a,stroke:#b45309
        classDef reuse fill:#d1fae5,stroke:#047857
        classDef absent stroke-dasharray:4 4
      "
    `);
  });
  it('dot', () => {
    expect(renderGraph(input, 'dot')).toMatchInlineSnapshot(`
      "digraph images {
        rankdir=TB;
        node [shape=box];
        "_base_image" [label="ubuntu:22.04", shape=oval, style=dashed];
        "base" [label="base\\nnode-exporter, consul"];
        "consul" [label="consul\\nconsul-server"];
        "cortex" [label="cortex\\ncortex"];
        "nginx" [label="nginx\\nnginx, nginxlog-exporter"];
        "monitoring" [label="monitoring\\nprometheus, grafana"];
        "_base_image" -> "base";
        "base" -> "consul";
        "base" -> "cortex";
        "base" -> "nginx";
        "base" -> "monitoring";
      }
      "
    `);
  });
  it('dot with plan marks', () => {
    expect(renderGraph({ ...input, marks: referenceMarks }, 'dot')).toMatchInlineSnapshot(`
      "digraph images {
        rankdir=TB;
        node [shape=box];
        "_base_image" [label="ubuntu:22.04", shape=oval, style=dashed];
        "base" [label="base\\nnode-exporter, consul\\nreuse aaaaaaaaaaaa", style=filled, fillcolor="#d1fae5", color="#047857"];
        "consul" [label="consul\\nconsul-server\\nbuild", style=filled, fillcolor="#fde68a", color="#b45309"];
        "cortex" [label="cortex\\ncortex\\nbuild", style=filled, fillcolor="#fde68a", color="#b45309"];
        "nginx" [label="nginx\\nnginx, nginxlog-exporter\\nreuse bbbbbbbbbbbb", style=filled, fillcolor="#d1fae5", color="#047857"];
        "monitoring" [label="monitoring\\nprometheus, grafana\\nnot selected", style=dashed];
        "_base_image" -> "base";
        "base" -> "consul";
        "base" -> "cortex";
        "base" -> "nginx";
        "base" -> "monitoring";
      }
      "
    `);
  });
});

describe('renderGraph: deeper tree with two roots', () => {
  const input = { tree: deeper, baseImage: 'registry.example:5000/base/debian@sha256:0123' };

  it('text', () => {
    expect(renderGraph(input, 'text')).toMatchInlineSnapshot(`
      "registry.example:5000/base/debian@sha256:0123
      ├── os: harden
      │   ├── runtime-jvm: jdk
      │   │   └── app_one: app-one
      │   │       └── app_one-debug
      │   └── runtime-py: python
      │       └── end: worker
      └── tools: git, make
      "
    `);
  });
  it('mermaid', () => {
    expect(renderGraph(input, 'mermaid')).toMatchInlineSnapshot(`
      "flowchart TD
        base_image(["registry.example:5000/base/debian@sha256:0123"])
        img_os["os<br/>harden"]
        img_tools["tools<br/>git, make"]
        img_runtime__jvm["runtime-jvm<br/>jdk"]
        img_runtime__py["runtime-py<br/>python"]
        img_app_one["app_one<br/>app-one"]
        img_end["end<br/>worker"]
        img_app_one__debug["app_one-debug"]
        base_image --> img_os
        base_image --> img_tools
        img_os --> img_runtime__jvm
        img_os --> img_runtime__py
        img_runtime__jvm --> img_app_one
        img_runtime__py --> img_end
        img_app_one --> img_app_one__debug
      "
    `);
  });
  it('dot', () => {
    expect(renderGraph(input, 'dot')).toMatchInlineSnapshot(`
      "digraph images {
        rankdir=TB;
        node [shape=box];
        "_base_image" [label="registry.example:5000/base/debian@sha256:0123", shape=oval, style=dashed];
        "os" [label="os\\nharden"];
        "tools" [label="tools\\ngit, make"];
        "runtime-jvm" [label="runtime-jvm\\njdk"];
        "runtime-py" [label="runtime-py\\npython"];
        "app_one" [label="app_one\\napp-one"];
        "end" [label="end\\nworker"];
        "app_one-debug" [label="app_one-debug"];
        "_base_image" -> "os";
        "_base_image" -> "tools";
        "os" -> "runtime-jvm";
        "os" -> "runtime-py";
        "runtime-jvm" -> "app_one";
        "runtime-py" -> "end";
        "app_one" -> "app_one-debug";
      }
      "
    `);
  });
});

describe('renderGraph: quoting', () => {
  it('escapes quotes and backslashes in labels', () => {
    const input = { tree: buildTree([image('a', undefined, [])]), baseImage: 'we"ird\\ref' };
    expect(renderGraph(input, 'dot')).toContain('"_base_image" [label="we\\"ird\\\\ref", shape=oval, style=dashed];');
    expect(renderGraph(input, 'mermaid')).toContain('base_image(["we#quot;ird\\ref"])');
  });
});

describe('other targets', () => {
  it("shows the target's own short form of a reused artifact", () => {
    const tree = buildTree([image('base', undefined, ['consul'])]);
    const marks: GraphMarks = new Map([['base', { action: 'reuse', id: 'ami-0123456789abcdef0', shown: 'ami-0123456789abcdef0' }]]);
    expect(renderGraph({ tree, baseImage: 'source AMI debian-12-amd64-*', marks }, 'text')).toBe(
      'source AMI debian-12-amd64-*\n└── base: consul  [reuse ami-0123456789abcdef0]\n',
    );
  });

  it('names what the roots start from per target', () => {
    const config = {
      targets: { docker: { baseImage: 'ubuntu:22.04' }, ami: { sourceAmiFilter: { name: 'debian-12-amd64-*' } } },
    } as unknown as Config;
    expect(dockerDefinition().rootSource(config)).toBe('ubuntu:22.04');
    expect(amiDefinition().rootSource(config)).toBe('source AMI debian-12-amd64-*');
    expect(amiDefinition().rootSource({ targets: { docker: { baseImage: 'x' } } } as unknown as Config)).toBe(
      'source AMI (targets.ami.source_ami_filter)',
    );
  });
});
