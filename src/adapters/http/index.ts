/** HTTP load suites: a fresh server per replicate, driven by autocannon. */
export { HttpSuiteError } from './errors';
export {
  type HttpReplicateTimings,
  type HttpRunOptions,
  measureHttpReplicate,
  runHttpReplicate,
} from './replicate';
