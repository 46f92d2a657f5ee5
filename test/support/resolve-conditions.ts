/** A CloudFormation template as far as conditions go. */
export interface ConditionalTemplate {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Condition?: string } & Record<string, unknown>>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * The template as CloudFormation deploys it: conditions over literals (the serverless
 * params are baked in at packaging) decided, `Fn::If` replaced by its chosen branch,
 * `AWS::NoValue` dropped, resources whose condition is false removed. Other intrinsics
 * are kept. cfn-lint 1.x loses its place in the template on an `Fn::If` that yields an
 * object, so templates are linted after this.
 */
export function resolveConditions<T extends ConditionalTemplate>(template: T): T {
  const conditions = template.Conditions ?? {};
  const decided = new Map<string, boolean>();
  const decide = (name: string): boolean => {
    if (!decided.has(name)) {
      if (!(name in conditions)) throw new Error(`the template has no condition ${name}`);
      decided.set(name, Boolean(walk(conditions[name])));
    }
    return decided.get(name) as boolean;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    const [only] = Object.keys(node);
    if (Object.keys(node).length === 1 && only) {
      const args = node[only];
      if (only === 'Ref' && args === 'AWS::NoValue') return NO_VALUE;
      if (only === 'Condition' && typeof args === 'string') return decide(args);
      if (only === 'Fn::Equals') {
        const [a, b] = walk(args) as unknown[];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      if (only === 'Fn::Not') return !(walk(args) as unknown[])[0];
      if (only === 'Fn::And') return (walk(args) as unknown[]).every(Boolean);
      if (only === 'Fn::Or') return (walk(args) as unknown[]).some(Boolean);
      if (only === 'Fn::If') {
        const [condition, yes, no] = args as [string, unknown, unknown];
        return walk(decide(condition) ? yes : no);
      }
    }
    return Object.fromEntries(
      Object.entries(node)
        .map(([key, item]) => [key, walk(item)] as const)
        .filter(([, item]) => item !== NO_VALUE),
    );
  };
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Condition === undefined || decide(resource.Condition))
      .map(([id, { Condition: _condition, ...resource }]) => [id, walk(resource)]),
  );
  const { Conditions: _conditions, ...rest } = template;
  return { ...(walk(rest) as T), Resources: resources };
}
