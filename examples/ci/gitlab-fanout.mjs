#!/usr/bin/env node
// examples/ci/gitlab-fanout.mjs: turns `build-images plan --json` into a GitLab child pipeline that
// fans the Docker tree out over runners (used by examples/ci/gitlab-ci-registry.yml).
//
//   node examples/ci/gitlab-fanout.mjs plan.json > fanout.yml
//
// One stage per level; per level one job whose `parallel: matrix` has one entry per image that must be
// built, running `build-images build --only $IMAGE` (pulls the parent by digest, builds, pushes); a
// level with nothing to build gets no job. A last job runs `build-images build` with nothing left to
// build and keeps the tfvars file. The output is JSON, which is YAML, so GitLab reads it as it is.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node examples/ci/gitlab-fanout.mjs plan.json > fanout.yml');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(file, 'utf8'));
if (plan.target !== 'docker' || !Array.isArray(plan.builds)) {
  console.error(`${file} is not the output of \`build-images plan --target docker --json\``);
  process.exit(2);
}

// What every job does first: the runner prepared as in .ci/run, the registry overlay, and the login
// (docker login writes ~/.docker/config.json, where build-images and the engine read the credentials).
const prepare = [
  'scripts/start-docker',
  'npm ci --no-audit --no-fund',
  `printf 'targets:\\n  docker:\\n    registry: %s\\n' "$CI_REGISTRY_IMAGE" > registry.yaml`,
  'printf \'%s\' "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"',
];
const config = '--config images.yaml --config registry.yaml';

const stages = plan.builds.map((_, level) => `level-${level}`);
const pipeline = { stages: [...stages, 'tfvars'], default: { tags: ['build-images'], before_script: prepare } };
plan.builds.forEach((images, level) => {
  if (images.length === 0) return;
  pipeline[`level-${level}`] = {
    stage: `level-${level}`,
    parallel: { matrix: [{ IMAGE: images }] },
    script: [`npx build-images build --target docker --only "$IMAGE" ${config}`],
    artifacts: { when: 'always', paths: ['.build-images/logs/'] },
  };
});
pipeline.tfvars = {
  stage: 'tfvars',
  script: [`npx build-images build --target docker --json ${config} > build-result.json`],
  artifacts: { paths: ['terraform/docker/images.auto.tfvars.json', 'build-result.json'] },
};
process.stdout.write(`${JSON.stringify(pipeline, null, 2)}\n`);
