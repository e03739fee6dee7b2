/**
 * Whether a request is for one of the demo page's static files (`/`, `/demo.js`, `/client/*.js`, a
 * favicon): the API's routes have no file extension. Their lines are only worth having at debug level.
 */
export function isStaticFile(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0];
  return path === '/' || /\.[a-z0-9]+$/i.test(path);
}
