import { parseSuites } from './settings/suites';

console.log(JSON.stringify(parseSuites([{ name: 'a', run: 'true' }])));
