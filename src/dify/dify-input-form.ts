import { DifyAppParameters, DifyInputControl } from './dify.types';

/**
 * What is wrong with `inputs` for an app whose input form is `form` (its `user_input_form`), as a
 * sentence naming the field; undefined when nothing is. Checks what Dify itself would refuse: a
 * required field missing or empty, a value of the wrong type, a select value not among its
 * options, a text longer than its max_length. Variables the form does not declare are refused too
 * (Dify drops them silently, which hides a typo). Kinds this service does not know (files…) pass.
 */
export function inputsProblem(inputs: Record<string, unknown>, form: DifyAppParameters['user_input_form'] = []): string | undefined {
  const controls = new Map<string, { kind: string; control: DifyInputControl }>();
  for (const item of form) {
    for (const [kind, control] of Object.entries(item)) if (control?.variable) controls.set(control.variable, { kind, control });
  }
  for (const name of Object.keys(inputs)) {
    if (!controls.has(name)) return `inputs.${name} is not an input of the Dify app`;
  }
  for (const [name, { kind, control }] of controls) {
    const problem = valueProblem(kind, control, inputs[name]);
    if (problem) return `inputs.${name} ${problem}`;
  }
  return undefined;
}

function valueProblem(kind: string, control: DifyInputControl, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return control.required ? 'is required' : undefined;
  switch (kind) {
    case 'text-input':
    case 'paragraph':
      if (typeof value !== 'string') return 'must be a string';
      if (control.max_length && Array.from(value).length > control.max_length) return `must be at most ${control.max_length} characters`;
      return undefined;
    case 'select':
      if (typeof value !== 'string') return 'must be a string';
      return control.options && !control.options.includes(value) ? `must be one of: ${control.options.join(', ')}` : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'checkbox':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    default:
      return undefined;
  }
}
