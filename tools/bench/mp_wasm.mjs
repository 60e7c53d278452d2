// Runs Python code in MicroPython's webassembly port (a 32-bit MicroPython) under Node.js, with
// the files of a folder on its path: tools/bench/run.py measures the driver's heap on it.
//
//   MP_WASM=/path/to/micropython.mjs node tools/bench/mp_wasm.mjs FOLDER "import bench_ram"
//
// The folder's tree is copied into the port's in-memory file system as /work.
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";

const [folder, code] = process.argv.slice(2);
const { loadMicroPython } = await import(pathToFileURL(process.env.MP_WASM).href);
const mp = await loadMicroPython({ heapsize: 512 * 1024, stdout: (s) => console.log(s) });

function copy(src, dest) {
  mp.FS.mkdir(dest);
  for (const name of fs.readdirSync(src)) {
    const p = path.join(src, name);
    if (fs.statSync(p).isDirectory()) copy(p, dest + "/" + name);
    else mp.FS.writeFile(dest + "/" + name, fs.readFileSync(p));
  }
}

copy(folder, "/work");
mp.runPython("import sys\nsys.path.insert(0, '/work')\n" + code);
