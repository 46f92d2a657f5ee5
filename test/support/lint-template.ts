import { createRequire } from 'node:module';
import util from 'node:util';

const require = createRequire(import.meta.url);

/** cfn-lint's verdict on one template. */
export interface TemplateLint {
  templateValid: boolean;
  errors: Record<'crit' | 'warn' | 'info', Array<{ message: string; resource: string }>>;
}

interface Spec {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, unknown>;
  PropertyTypes: Record<string, unknown>;
}

let validate: ((template: unknown, options: object) => TemplateLint) | undefined;

/**
 * Lints a CloudFormation template offline with the npm `cfn-lint` (v1), after replacing
 * its bundled 2018-era resource data with the current specification from
 * `@aws-cdk/cfnspec`: without that, every newer resource or property (QueryDefinition,
 * Architectures, ScalingConfig) would be reported as unknown.
 */
export function lintTemplate(template: unknown): TemplateLint & { specVersion: string } {
  const spec = (require('@aws-cdk/cfnspec') as { specification(): Spec }).specification();
  if (!validate) {
    // cfn-lint 1.x calls util.isUndefined, which Node 23 removed.
    const legacy = util as unknown as { isUndefined?: (value: unknown) => boolean };
    legacy.isUndefined ??= (value) => value === undefined;
    const awsData = require('cfn-lint/lib/awsData') as { awsResources: Spec };
    awsData.awsResources.ResourceTypes = spec.ResourceTypes;
    awsData.awsResources.PropertyTypes = spec.PropertyTypes;
    awsData.awsResources.ResourceSpecificationVersion = spec.ResourceSpecificationVersion;
    validate = (require('cfn-lint/lib/api') as { validateJsonObject: typeof validate })
      .validateJsonObject;
  }
  // The validator resolves intrinsics in place: give it a copy.
  const result = (validate as NonNullable<typeof validate>)(structuredClone(template), {});
  return { ...result, specVersion: spec.ResourceSpecificationVersion };
}
