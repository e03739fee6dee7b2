import { inputsProblem } from './dify-input-form';

const FORM = [
  { 'text-input': { variable: 'customer_name', label: 'Name', required: true, max_length: 8 } },
  { select: { variable: 'tier', label: 'Tier', required: false, options: ['gold', 'silver'] } },
  { paragraph: { variable: 'notes', label: 'Notes', required: false } },
  { number: { variable: 'age', label: 'Age', required: false } },
  { file: { variable: 'attachment', label: 'File', required: false } },
];

describe('inputsProblem', () => {
  it('accepts inputs the form allows, optional ones left out, unknown kinds as they are', () => {
    expect(inputsProblem({ customer_name: '张三', tier: 'gold', age: 42, attachment: { id: 'f' } }, FORM)).toBeUndefined();
    expect(inputsProblem({ customer_name: 'Ann' }, FORM)).toBeUndefined();
  });

  it('names the field: required, type, select option, max length (in code points), undeclared', () => {
    expect(inputsProblem({ tier: 'gold' }, FORM)).toBe('inputs.customer_name is required');
    expect(inputsProblem({ customer_name: '' }, FORM)).toBe('inputs.customer_name is required');
    expect(inputsProblem({ customer_name: 7 }, FORM)).toBe('inputs.customer_name must be a string');
    expect(inputsProblem({ customer_name: 'Ann', tier: 'bronze' }, FORM)).toBe('inputs.tier must be one of: gold, silver');
    expect(inputsProblem({ customer_name: '👍🏽👍🏽👍🏽👍🏽' }, FORM)).toBeUndefined();
    expect(inputsProblem({ customer_name: 'Annabelle Lee' }, FORM)).toBe('inputs.customer_name must be at most 8 characters');
    expect(inputsProblem({ customer_name: 'Ann', age: '42' }, FORM)).toBe('inputs.age must be a number');
    expect(inputsProblem({ customer_name: 'Ann', langauge: 'en' }, FORM)).toBe('inputs.langauge is not an input of the Dify app');
  });

  it('takes an app without an input form to accept no inputs', () => {
    expect(inputsProblem({}, undefined)).toBeUndefined();
    expect(inputsProblem({ x: 1 }, [])).toBe('inputs.x is not an input of the Dify app');
  });
});
