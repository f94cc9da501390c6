import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var o=1;export{o as x};
