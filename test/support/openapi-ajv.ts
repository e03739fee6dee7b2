import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** A validator for the schemas of our OpenAPI document: its formats (`date-time`…) checked, not ignored with a warning. */
export function openApiAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}
