import { inject } from 'vitest';
import { resolveConditions } from '#test/support/resolve-conditions';

// The dry and the live packaging of the stack, made once per test run by
// test/support/package-once.global.ts and shared by every test/integration/packaged-*.test.ts.

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, which the assertions check
export type Properties = Record<string, any>;
/** One resource of a packaged template. */
export type Resource = {
  Type: string;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Properties;
};
/** One IAM policy statement, as far as the checks read it. */
export type Statement = { Action: string | string[]; Resource: unknown };
/** A packaged CloudFormation template, as far as the checks read it. */
export type Template = {
  Resources: Record<string, Resource>;
  Outputs: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
};

declare module 'vitest' {
  export interface ProvidedContext {
    packagedTemplates: { template: Template; live: Template };
  }
}

/** `npm run package` with the required params (dry), and the live packaging beside it. */
export const { template, live } = inject('packagedTemplates');

/** The resources of the dry template of one type, with their ids. */
export const ofType = (type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** One resource of the dry template, or a failure naming it. */
export const resource = (id: string): Resource => {
  const found = template.Resources[id];
  if (!found) throw new Error(`the template has no ${id}`);
  return found;
};

/** A CloudFormation glob (`*` only) as an anchored RegExp. */
export const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);

/** The `Fn::GetAtt` of a resource's ARN. */
export const ARN_OF = (role: string) => ({ 'Fn::GetAtt': [role, 'Arn'] });

/** The statements of a policy resource, with its conditions resolved. */
export const statementsOf = (t: Template, id: string) =>
  resolveConditions(t).Resources[id]?.Properties.PolicyDocument.Statement as Properties[];

/** Every statement of a role's inline policies. */
export const roleStatements = (t: Template, role: string) =>
  ((t.Resources[role]?.Properties.Policies ?? []) as Properties[]).flatMap(
    (policy) => policy.PolicyDocument.Statement as Statement[],
  );

/** The actions a role's inline policies allow on one resource of the stack. */
export const roleActions = (t: Template, role: string, resourceId: string) =>
  roleStatements(t, role)
    .filter((s) =>
      ([s.Resource].flat() as Properties[]).some((r) => r['Fn::GetAtt']?.[0] === resourceId),
    )
    .flatMap((s) => [s.Action].flat());
