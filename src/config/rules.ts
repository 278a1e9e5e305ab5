import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { describePath } from './describe.js';
import { locate, type LocationMap } from './locations.js';
import { isProvisionerName } from './names.js';
import { checkAmiRules } from './rules-ami.js';
import { checkDockerRules } from './rules-docker.js';
import { checkValues } from './rules-values.js';
import { toPointer } from './pointer.js';
import type { RawConfig } from './raw.js';
import type { ProvisionerFacts } from './scripts.js';
import { unknownNameHint } from './suggest.js';
import { unreachable } from '../result.js';

/** Semantic checks the schema cannot express: parents exist and form a tree, scripts exist. */
export function checkRules(raw: RawConfig, locations: LocationMap, facts: ProvisionerFacts): Diagnostic[] {
  return [
    ...checkParents(raw, locations),
    ...checkProvisioners(raw, locations, facts),
    ...checkValues(raw, locations),
    ...checkLib(facts),
    ...checkAmiRules(raw, locations),
    ...checkDockerRules(raw, locations),
  ];
}

/** The provisioner names worth looking up on disk: well-formed ones only, never a path. */
export function referencedProvisioners(raw: RawConfig): string[] {
  return Object.values(raw.images).flatMap((image) => image.provisioners.filter(isProvisionerName));
}

export function checkParents(raw: RawConfig, locations: LocationMap): Diagnostic[] {
  const names = Object.keys(raw.images);
  const parentAt = (name: string) => locate(locations, toPointer(['images', name, 'parent']));
  const out: Diagnostic[] = [];
  for (const [name, image] of Object.entries(raw.images)) {
    const parent = image.parent;
    if (parent === undefined) continue;
    if (parent === name) {
      out.push(
        diagnostic(
          'self-parent',
          `image ${JSON.stringify(name)} is its own parent`,
          parentAt(name),
          'an image without a parent starts from targets.docker.base_image; remove "parent" for that',
        ),
      );
    } else if (!Object.hasOwn(raw.images, parent)) {
      out.push(
        diagnostic(
          'unknown-parent',
          `unknown parent ${JSON.stringify(parent)} of image ${JSON.stringify(name)}`,
          parentAt(name),
          unknownNameHint(parent, names, 'images'),
        ),
      );
    }
  }
  for (const cycle of findCycles(raw)) {
    const first = cycle[0] ?? '';
    out.push(
      diagnostic(
        'parent-cycle',
        `cycle in image parents: ${[...cycle, first].join(' → ')}`,
        parentAt(first),
        'a parent is built before its children, so parents cannot loop: change one of these "parent" settings',
      ),
    );
  }
  return out;
}

/**
 * Loops of two or more images following `parent` (self-parents are reported on their own).
 * Each cycle once, starting at its member that comes first in the config. Linear and iterative:
 * each image is walked once, and positions are looked up in maps, so a chain of tens of thousands
 * of images neither recurses, nor spreads into a call, nor compares every image with every other.
 */
export function findCycles(raw: RawConfig): string[][] {
  const position = new Map<string, number>();
  for (const name of Object.keys(raw.images)) position.set(name, position.size);
  /** The walk (numbered by its start's position) that first reached each image: no image is walked twice. */
  const reachedBy = new Map<string, number>();
  const cycles: string[][] = [];
  for (const [start, walkNumber] of position) {
    const walk: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && position.has(current) && !reachedBy.has(current)) {
      reachedBy.set(current, walkNumber);
      walk.push(current);
      const parent: string | undefined = raw.images[current]?.parent;
      current = parent === current ? undefined : parent;
    }
    // The walk met itself: a loop. (Meeting an earlier walk is a tail into what that walk found.)
    if (current !== undefined && reachedBy.get(current) === walkNumber) {
      const loop = walk.slice(walk.indexOf(current));
      let first = 0;
      for (let i = 1; i < loop.length; i++) if (position.get(loop[i]!)! < position.get(loop[first]!)!) first = i;
      cycles.push([...loop.slice(first), ...loop.slice(0, first)]);
    }
  }
  return cycles;
}

export function checkProvisioners(raw: RawConfig, locations: LocationMap, facts: ProvisionerFacts): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [image, config] of Object.entries(raw.images)) {
    config.provisioners.forEach((name, index) => {
      if (!isProvisionerName(name)) return; // the schema check already reported it
      const fact = facts.scripts.get(name) ?? { kind: 'missing' };
      // Every image's every script is looked at and almost all are fine: the message parts only for the rest.
      if (fact.kind === 'ok') return;
      const path = ['images', image, 'provisioners', String(index)];
      const at = locate(locations, toPointer(path));
      const subject = `provisioner ${JSON.stringify(name)} of ${describePath(path.slice(0, 2))}`;
      const script = `provisioners/${name}.sh`;
      switch (fact.kind) {
        case 'missing':
          out.push(diagnostic('missing-provisioner', `${subject} not found: there is no ${script}`, at, missingHint(name, facts)));
          return;
        case 'not-a-file':
          out.push(diagnostic('provisioner-not-a-file', `${subject}: ${script} is not a regular file`, at));
          return;
        case 'outside':
          out.push(
            diagnostic(
              'provisioner-outside-root',
              `${subject}: ${script} resolves to ${fact.realPath}, outside provisioners/`,
              at,
              'copy the script into provisioners/ instead of linking to it',
            ),
          );
          return;
        case 'unreadable':
          out.push(
            diagnostic(
              'provisioner-unreadable',
              `${subject}: cannot read ${script}: ${fact.reason}`,
              at,
              'make it readable by the user running build-images (chmod a+r)',
            ),
          );
          return;
        default:
          unreachable(fact);
      }
    });
  }
  return out;
}

/** provisioners/lib/ has no place in the config, so its problems are located by path. */
export function checkLib(facts: ProvisionerFacts): Diagnostic[] {
  return facts.lib.map((entry) => {
    switch (entry.problem) {
      case 'symlink':
        return diagnostic(
          'provisioner-lib-entry',
          `${entry.path} is a symlink: provisioners/lib/ is uploaded into every image and fingerprinted, and a link is neither`,
          undefined,
          'copy the file it points to into provisioners/lib/ instead of linking to it',
        );
      case 'not-a-file':
        return diagnostic(
          'provisioner-lib-entry',
          `${entry.path} is not a regular file or directory`,
          undefined,
          'remove it from provisioners/lib/',
        );
      case 'unreadable':
        return diagnostic(
          'provisioner-unreadable',
          `cannot read ${entry.path}: ${entry.reason ?? 'permission denied'}`,
          undefined,
          'make it readable by the user running build-images (chmod a+r)',
        );
      default:
        return unreachable(entry.problem);
    }
  });
}

function missingHint(name: string, facts: ProvisionerFacts): string {
  const available = facts.available;
  if (available === undefined) return 'there is no provisioners/ directory next to the first config file';
  if (available.length === 0) return 'provisioners/ holds no .sh scripts yet';
  const withoutSh = name.replace(/\.sh$/, '');
  if (withoutSh !== name && available.includes(withoutSh)) {
    return `did you mean ${JSON.stringify(withoutSh)}? Names leave out the ".sh"`;
  }
  return unknownNameHint(name, available, 'provisioners');
}
