/** HTTP load suites: a fresh server per replicate, driven by perfgate's own keep-alive load driver (client.ts, load.ts). */
export { HttpSuiteError } from './errors';
export { measureHttpReplicate, runHttpReplicate } from './replicate';
