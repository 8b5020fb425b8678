// Lists one archive with 7-Zip compiled to WebAssembly (`7z l -slt`), in a worker thread so that
// the server's event loop is never held by it and a listing that takes too long can be ended.
// Plain JavaScript: a worker is started without the TypeScript hooks the server runs under.
// Input (workerData): { path, type: '7z' | 'rar' | 'rar5', maxEntries }.
// Output (one message): { failed, lines, listed }: 7-Zip's output, kept up to maxEntries
// entries, and how many entries it listed in all.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import SevenZip from '7z-wasm';

const { path: filePath, type, maxEntries } = workerData;
const lines = [];
let listed = 0;
let listing = false;
// Past the entry limit the listing is only counted, not kept: a few megabytes of archive can
// list millions of entries.
const print = (line) => {
  if (line === '----------') listing = true;
  else if (listing && line.startsWith('Path = ')) listed += 1;
  if (listed <= maxEntries) lines.push(line);
};
const sevenZip = await SevenZip({
  print,
  printErr: print,
  stdin: () => null,
  // Emscripten's default exit sets process.exitCode; throwing keeps it from doing so.
  quit: (_code, status) => {
    throw status;
  },
});
sevenZip.FS.mkdir('/staged');
sevenZip.FS.mount(sevenZip.NODEFS, { root: path.dirname(filePath) }, '/staged');
let failed = false;
try {
  // -t: the format already decided from the content; -p: a password is never asked for (an
  // archive whose names are encrypted fails to open instead); -bd: no progress indicator.
  sevenZip.callMain(['l', '-slt', `-t${type}`, '-pzt-no-password', '-sccUTF-8', '-bd', `/staged/${path.basename(filePath)}`]);
} catch {
  failed = true;
}
parentPort.postMessage({ failed, lines, listed });
