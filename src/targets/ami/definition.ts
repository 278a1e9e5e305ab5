import { amiTarget as buildableAmiTarget } from '../../config/normalise.js';
import { ok } from '../../result.js';
import { AMI_TFVARS_PATH, parseAmiTfvars } from '../../terraform/tfvars.js';
import type { Target, TargetDefinition } from '../target.js';
import { amiDoctor, debianPackerPackage, doctorAws, type DoctorAws } from './doctor.js';
import { ec2Api, type Ec2 } from './ec2.js';
import { amiTarget, type AmiTargetDeps } from './target.js';
import { AMI_TEMPLATE_DIR, amiTemplates } from './templates.js';

export interface AmiAdapters {
  readonly ec2: () => Ec2;
  readonly doctor: () => Promise<DoctorAws>;
  /** The Debian package version of the packer on PATH, if it is Debian's (doctor's SSH check). */
  readonly debianPacker: () => Promise<string | undefined>;
  readonly target?: Omit<AmiTargetDeps, 'ec2'>;
}

const REAL: AmiAdapters = { ec2: () => ec2Api(), doctor: doctorAws, debianPacker: debianPackerPackage };

/** `--target ami`: loaded only when asked for (the AWS SDK takes about a second to load). */
export function amiDefinition(adapters: Partial<AmiAdapters> = {}): TargetDefinition {
  const use = { ...REAL, ...adapters };
  const definition: TargetDefinition = {
    name: 'ami',
    templates: { dir: AMI_TEMPLATE_DIR, render: amiTemplates },
    terraform: {
      root: 'terraform/aws',
      tfvars: AMI_TFVARS_PATH,
      // Every region's ID: any of them may be in use, and the build region's comes first (the file's order).
      read: (text) => {
        const parsed = parseAmiTfvars(text);
        return parsed.ok ? ok(new Map(Object.entries(parsed.value).map(([image, byRegion]) => [image, Object.values(byRegion)]))) : parsed;
      },
    },
    rootSource: (config) => `source AMI ${config.targets.ami?.sourceAmiFilter.name ?? '(targets.ami.source_ami_filter)'}`,
    wording: {
      cleanup: 'build instances, key pairs and security groups',
      // The base's name is the filter's name pattern: the IDs say more.
      base: {
        moved: (before, now) => `source AMI changed (${before.id} → ${now.id})`,
        added: (now) => `source AMI ${now.id} now part of the fingerprint`,
      },
    },
    problems: (config) => {
      const checked = buildableAmiTarget(config);
      return checked.ok ? [] : checked.error;
    },
    doctor: (input) => amiDoctor(input, use.doctor, use.debianPacker),
    open: (config) => {
      const settings = buildableAmiTarget(config);
      if (!settings.ok) throw new Error('bug: open --target ami only after problems() found none');
      return amiTarget(definition, config, settings.value, { ...use.target, ec2: use.ec2() }) as unknown as Target<unknown>;
    },
  };
  return definition;
}
