import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { locate, type LocationMap } from './locations.js';
import { toPointer } from './pointer.js';
import type { RawConfig } from './raw.js';

/**
 * The grammar of a Docker repository name, from distribution's reference package
 * (docker/distribution reference/regexp.go, reference/reference.go): `name := [domain '/'] path-component
 * ['/' path-component]*`, `domain := domain-component ['.' domain-component]* [':' port-number]`,
 * `path-component := [a-z0-9]+ (separator [a-z0-9]+)*`, `separator := [_.] | __ | [-]*`.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** Docker's own test for "is the first component a registry host" (reference/normalize.go, splitDockerDomain). */
const looksLikeHost = (first: string): boolean => first.includes('.') || first.includes(':') || first === 'localhost';

const EXAMPLES = 'e.g. "ghcr.io/acme/cortex", "123456789012.dkr.ecr.eu-central-1.amazonaws.com/cortex" or "127.0.0.1:5000/cortex"';

/**
 * Pure: why `targets.docker.registry` is not a registry and repository prefix, or undefined when it is.
 * Images are pushed as `<registry>/<image>` and pinned by digest, so the value names a place, never a
 * tag or a digest, and carries no scheme (the scheme is chosen per host: plain HTTP only on loopback).
 */
export function registryProblem(value: string): { message: string; hint: string } | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value);
  if (scheme)
    return {
      message: `the registry ${JSON.stringify(value)} has a scheme (${scheme[1]}://)`,
      hint: `write the registry host and repository path without a scheme: ${JSON.stringify(value.slice(scheme[0].length))}`,
    };
  if (value.includes('@'))
    return {
      message: `the registry ${JSON.stringify(value)} has a digest`,
      hint: 'name the repository prefix only: build-images pins every image by digest itself',
    };
  if (value.endsWith('/'))
    return {
      message: `the registry ${JSON.stringify(value)} ends with "/"`,
      hint: `leave it out: ${JSON.stringify(value.replace(/\/+$/, ''))}`,
    };
  const [first = '', ...path] = value.split('/');
  if (!looksLikeHost(first))
    return {
      message: `the registry ${JSON.stringify(value)} does not start with a registry host`,
      hint: `start with the host (with a dot or a port, or "localhost"), ${EXAMPLES}`,
    };
  const last = path.at(-1) ?? '';
  const tag = path.length > 0 ? /:([^/]*)$/.exec(last) : /^[^:]*:([^:]*[^0-9:][^:]*)$/.exec(first);
  if (tag)
    return {
      message: `the registry ${JSON.stringify(value)} has a tag (:${tag[1]})`,
      hint: `leave the tag out (${JSON.stringify(value.slice(0, value.length - tag[0].length + tag[0].indexOf(':')))}): build-images tags and pins images itself`,
    };
  if (!DOMAIN.test(first))
    return { message: `the registry host ${JSON.stringify(first)} in ${JSON.stringify(value)} is not a valid host[:port]`, hint: EXAMPLES };
  const upper = path.find((p) => p !== p.toLowerCase());
  if (upper !== undefined)
    return {
      message: `the registry ${JSON.stringify(value)} has upper case in its repository path (${JSON.stringify(upper)})`,
      hint: `Docker repository paths are lower case: ${JSON.stringify([first, ...path.map((p) => p.toLowerCase())].join('/'))}`,
    };
  const bad = path.find((p) => !PATH_COMPONENT.test(p));
  if (bad !== undefined)
    return {
      message: `the registry ${JSON.stringify(value)} has an invalid repository path component ${JSON.stringify(bad)}`,
      hint: 'path components are lower-case letters and digits, separated by ".", "_", "__" or dashes',
    };
  return undefined;
}

/** `targets.docker.registry`, when set, is a valid registry and repository prefix. */
export function checkDockerRules(raw: RawConfig, locations: LocationMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const value = raw.targets?.docker?.registry;
  const problem = value === undefined ? undefined : registryProblem(value);
  if (problem !== undefined)
    out.push(
      diagnostic('invalid-registry', problem.message, locate(locations, toPointer(['targets', 'docker', 'registry'])), problem.hint),
    );
  (raw.targets?.docker?.run_args ?? []).forEach((arg, i) => {
    // `docker run` takes the last --name (a flag given twice keeps its last value): the user's would replace the
    // name build-images gives each build container, by which the next run and doctor find a killed build's
    // container, with its environment file of variables and secrets (src/targets/docker/build-container.ts).
    if (/^--name(=|$)/.test(arg))
      out.push(
        diagnostic(
          'run-args-name',
          `run_args sets the build container's name (${JSON.stringify(arg)})`,
          locate(locations, toPointer(['targets', 'docker', 'run_args', i])),
          'remove it: build-images names each build container itself (build-images-<project>-<host>-<pid>-<image>), so that a killed build’s container is found and removed',
        ),
      );
  });
  return out;
}
